// `--engine trino://...` against a fake Trino server on localhost that speaks the client protocol
// (POST /v1/statement, then GET each nextUri; DELETE /v1/query/ID cancels): the exact requests
// (query text; user, catalog, schema and source headers), the pages' rows converted by type, the
// progress, a failed or unfinished query as an error (never a short result), and the cancel on
// abort. Through the command line too (run and hunt), with trino-client doing the HTTP.
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import { REMOTE_FLAGS } from '../src/cli/common.js';
import { outcomeJson, writeHuntText } from '../src/cli/hunt-report.js';
import { remoteHuntRunner, runRemoteCli } from '../src/cli/remote.js';
import { runOne } from '../src/engine/content/runner.js';
import type { HuntSearch } from '../src/engine/content/types.js';
import type { Engine } from '../src/engine/engine.js';
import { runOnTrino, trinoClient, trinoSettings, trinoValue, type TrinoSettings } from '../src/engine/trino.js';
import type { Row } from '../src/engine/types.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';
import { trinoSyntaxErrors } from './trino/validate.js';

interface Request {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A page of the protocol: its stats state, columns, data, and whether another follows. */
interface Page {
  state: string;
  columns?: string[];
  data?: unknown[][];
  processedBytes?: number;
  /** The server's elapsedTimeMillis. */
  millis?: number;
  error?: string;
  more?: boolean;
}

let server: Server;
let base = '';
const requests: Request[] = [];
let pages: Page[] = [];
/** The pages of each query after the next, one list per query (a question asked first). */
let later: Page[][] = [];
/** For the cancel test: keep answering RUNNING with another page. */
let endless = false;

function answer(id: string, n: number): Record<string, unknown> {
  const page = endless ? { state: 'RUNNING', more: true } : pages[n]!;
  return {
    id,
    infoUri: `${base}/ui/query.html?${id}`,
    ...(page.more ? { nextUri: `${base}/v1/statement/executing/${id}/${n + 1}` } : {}),
    ...(page.columns ? { columns: page.columns.map((name) => ({ name, type: 'varchar' })) } : {}),
    ...(page.data ? { data: page.data } : {}),
    stats: { state: page.state, processedBytes: page.processedBytes ?? 0, processedRows: 0, ...(page.millis !== undefined ? { elapsedTimeMillis: page.millis } : {}) },
    ...(page.error ? { error: { message: page.error, errorCode: 1, errorName: 'SYNTAX_ERROR', errorType: 'USER_ERROR' } } : {}),
  };
}

beforeAll(async () => {
  // trino-client uses axios, which would send localhost through a proxy named in the environment.
  for (const v of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy']) delete process.env[v];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'DELETE') return res.end('');
      if (req.method === 'POST' && req.url === '/v1/statement') {
        if (requests.filter((r) => r.method === 'POST').length > 1) pages = later.shift() ?? pages;
        return res.end(JSON.stringify(answer('q_1', 0)));
      }
      const m = /^\/v1\/statement\/executing\/(q_1)\/(\d+)$/.exec(req.url!);
      if (!m) {
        res.statusCode = 404;
        return res.end('{}');
      }
      res.end(JSON.stringify(answer(m[1]!, Number(m[2]))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  requests.length = 0;
  pages = [];
  later = [];
  endless = false;
});

function settings(): TrinoSettings {
  const port = (server.address() as AddressInfo).port;
  return trinoSettings(`trino://alice@127.0.0.1:${port}/hive/security`, {});
}

describe('trinoSettings', () => {
  it('reads the server, user, catalog and schema from the URL', () => {
    expect(trinoSettings('trino://alice@trino.corp:8443/hive/cloudtrail', {})).toEqual({ server: 'http://trino.corp:8443', catalog: 'hive', schema: 'cloudtrail', user: 'alice' });
    expect(trinoSettings('trino://trino.corp/hive', { USER: 'bob' })).toEqual({ server: 'http://trino.corp:8080', catalog: 'hive', user: 'bob' });
    expect(trinoSettings('trino+https://trino.corp/hive/s', { USER: 'bob', TRINO_PASSWORD: 'pw' })).toEqual({ server: 'https://trino.corp:443', catalog: 'hive', schema: 's', user: 'bob', password: 'pw' });
  });

  it('refuses a URL without a catalog, and a password over http', () => {
    expect(() => trinoSettings('trino://trino.corp:8080', { USER: 'bob' })).toThrow(/trino:\/\/\[user@\]host\[:port\]\/catalog/);
    expect(() => trinoSettings('http://trino.corp/hive', { USER: 'bob' })).toThrow(/give trino:/);
    expect(() => trinoSettings('trino://trino.corp/hive', { USER: 'bob', TRINO_PASSWORD: 'pw' })).toThrow(/trino\+https/);
  });
});

describe('runOnTrino', () => {
  it('posts the query with the user, catalog and schema, follows the pages and converts the rows', async () => {
    pages = [
      { state: 'QUEUED', more: true },
      { state: 'RUNNING', columns: ['src', 'count', 'users'], data: [['1.2.3.4', 3, '["a","b"]']], processedBytes: 1024, more: true },
      { state: 'RUNNING', columns: ['src', 'count', 'users'], processedBytes: 2048, more: true },
      { state: 'FINISHED', columns: ['src', 'count', 'users'], data: [[null, 1.5, null]], processedBytes: 4096 },
    ];
    const rows: Row[] = [];
    const progress: string[] = [];
    const run = await runOnTrino(trinoClient(settings()), settings(), 'SELECT 1', ['src', 'count', 'users'], { src: 'string', count: 'number', users: 'mv' }, {
      rows: (r) => rows.push(...r),
      progress: (p) => progress.push(`${p.state} ${p.processedBytes}`),
    });
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/v1/statement', body: 'SELECT 1' });
    expect(requests[0]!.headers).toMatchObject({ 'x-trino-user': 'alice', 'x-trino-catalog': 'hive', 'x-trino-schema': 'security', 'x-trino-source': 'spelunk' });
    expect(requests.slice(1).map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v1/statement/executing/q_1/1', 'GET /v1/statement/executing/q_1/2', 'GET /v1/statement/executing/q_1/3',
    ]);
    expect(rows).toEqual([{ src: '1.2.3.4', count: 3, users: ['a', 'b'] }, { src: null, count: 1.5, users: null }]);
    expect(progress).toEqual(['QUEUED 0', 'RUNNING 1024', 'RUNNING 2048', 'FINISHED 4096']);
    expect(run).toEqual({ queryId: 'q_1', rowCount: 2, processedBytes: 4096 });
  });

  it('fails with Trino\'s message when the query fails, and when it ends unfinished', async () => {
    pages = [{ state: 'QUEUED', more: true }, { state: 'FAILED', error: "line 1:8: Column 'x' cannot be resolved" }];
    await expect(runOnTrino(trinoClient(settings()), settings(), 'SELECT x', ['x'], {}, { rows: () => {} })).rejects.toThrow(/q_1 failed: SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved/);
    pages = [{ state: 'QUEUED', more: true }, { state: 'RUNNING', columns: ['x'], data: [['a']] }];
    await expect(runOnTrino(trinoClient(settings()), settings(), 'SELECT x', ['x'], {}, { rows: () => {} })).rejects.toThrow(/ended in state RUNNING, not FINISHED/);
  });

  it('refuses rows whose columns are not the search\'s', async () => {
    pages = [{ state: 'QUEUED', more: true }, { state: 'FINISHED', columns: ['a', 'b'], data: [['1', '2']] }];
    await expect(runOnTrino(trinoClient(settings()), settings(), 'SELECT 1', ['a'], {}, { rows: () => {} })).rejects.toThrow(/returned the columns a, b, not the search's a/);
  });

  it('cancels the query on the server when aborted', async () => {
    endless = true;
    const abort = new AbortController();
    let n = 0;
    const run = runOnTrino(trinoClient(settings()), settings(), 'SELECT 1', ['x'], {}, {
      rows: () => {},
      progress: () => { if (++n === 3) abort.abort(); },
      signal: abort.signal,
    });
    await expect(run).rejects.toThrow(/query q_1 cancelled/);
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', url: '/v1/query/q_1' });
  });

  it('converts values by the compiler\'s types', () => {
    expect(trinoValue('NaN', 'number')).toBeNaN();
    expect(trinoValue('12.50', 'number')).toBe(12.5);
    expect(trinoValue(['a', null, 2], 'mv')).toEqual(['a', null, '2']);
    expect(trinoValue(true, 'bool')).toBe(true);
    expect(trinoValue(7, 'string')).toBe(7);
  });
});

describe('run and hunt --engine trino://', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await sampleEngine();
  });
  afterAll(() => engine?.close());

  const search = 'sourcetype=aws:cloudtrail eventName=AssumeRole | stats count by recipientAccountId';

  it('run sends the search\'s Trino SQL and writes the rows in the chosen format', async () => {
    pages = [
      { state: 'QUEUED', more: true },
      { state: 'FINISHED', columns: ['recipientAccountId', 'count'], data: [['111122223333', 4]], processedBytes: 2048 },
    ];
    const port = (server.address() as AddressInfo).port;
    const args = parseArgs(['--engine', `trino://alice@127.0.0.1:${port}/hive/security`], REMOTE_FLAGS);
    let out = '';
    const notes: string[] = [];
    const status = await runRemoteCli(engine, search, args, { now: SAMPLE_NOW }, 'csv', { write: (t) => (out += t), note: (t) => notes.push(t), signal: new AbortController().signal });
    expect(status).toBe(0);
    expect(out).toBe('recipientAccountId,count\n111122223333,4\n');
    const compiled = await engine.prepareTrino(search, { now: SAMPLE_NOW, jsonLists: true });
    expect(requests[0]!.body).toBe(compiled.sql);
    expect(await trinoSyntaxErrors(requests[0]!.body)).toEqual([]);
    expect(notes).toEqual(['reads timestamp: every day (no time bound: the whole table is read)', 'trino: queued, 0 B read', 'trino: finished, 2.0 KB read', '1 result from Trino query q_1 (2.0 KB read)']);
  });

  it('run reports a failed query as an error (exit 1), with no rows', async () => {
    pages = [{ state: 'QUEUED', more: true }, { state: 'FAILED', error: 'Table hive.security.cloudtrail_logs_pp does not exist' }];
    const port = (server.address() as AddressInfo).port;
    const args = parseArgs(['--engine', `trino://alice@127.0.0.1:${port}/hive/security`], REMOTE_FLAGS);
    let out = '';
    const notes: string[] = [];
    expect(await runRemoteCli(engine, search, args, { now: SAMPLE_NOW }, 'csv', { write: (t) => (out += t), note: (t) => notes.push(t), signal: new AbortController().signal })).toBe(1);
    expect(notes.at(-1)).toBe('error: query q_1 failed: SYNTAX_ERROR: Table hive.security.cloudtrail_logs_pp does not exist');
    expect(out).toBe('recipientAccountId,count\n');
  });

  // The cap (Splunk's "too many (>50000) rows") is raised by a failed cast, as no documented Trino
  // function raises an error of one's own (trino-plan.ts unnestOf): the analyst reads the cap's message.
  it('run gives timechart\'s bucket cap as its own message, not inside Trino\'s failed cast', async () => {
    const cap = 'timechart: the span would make 3153601 time buckets from the first event to the last, more than 50000: give a larger span=';
    pages = [{ state: 'QUEUED', more: true }, { state: 'FAILED', error: `Cannot cast '${cap}' to BIGINT` }];
    const port = (server.address() as AddressInfo).port;
    const args = parseArgs(['--engine', `trino://alice@127.0.0.1:${port}/hive/security`], REMOTE_FLAGS);
    const notes: string[] = [];
    const io = { write: () => {}, note: (t: string) => notes.push(t), signal: new AbortController().signal };
    expect(await runRemoteCli(engine, 'sourcetype=aws:cloudtrail | timechart span=1s count', args, { now: SAMPLE_NOW }, 'csv', io)).toBe(1);
    expect(notes.at(-1)).toBe(`error: ${cap} (Trino query q_1)`);
    // A cast failing on the data is Trino's own message, whole.
    pages = [{ state: 'QUEUED', more: true }, { state: 'FAILED', error: "Cannot cast 'abc' to BIGINT" }];
    expect(await runRemoteCli(engine, search, args, { now: SAMPLE_NOW }, 'csv', io)).toBe(1);
    expect(notes.at(-1)).toBe("error: query q_1 failed: SYNTAX_ERROR: Cannot cast 'abc' to BIGINT");
  });

  it('run asks the server for the values a timechart splits by, then sends the search named by them', async () => {
    // The question's answer: the values ranked as locally (test/trino-chart.test.ts checks the ranking).
    pages = [{ state: 'FINISHED', columns: ['v'], data: [['ConsoleLogin'], ['AssumeRole']], processedBytes: 1024 }];
    later = [[{ state: 'FINISHED', columns: ['_time', 'AssumeRole', 'ConsoleLogin'], data: [['1795651200.0', 3, 1]], processedBytes: 2048 }]];
    const port = (server.address() as AddressInfo).port;
    const args = parseArgs(['--engine', `trino://alice@127.0.0.1:${port}/hive/security`], REMOTE_FLAGS);
    let out = '';
    const notes: string[] = [];
    const spl = 'sourcetype=aws:cloudtrail | timechart span=1d limit=2 useother=f count by eventName';
    const status = await runRemoteCli(engine, spl, args, { now: SAMPLE_NOW }, 'csv', { write: (t) => (out += t), note: (t) => notes.push(t), signal: new AbortController().signal });
    expect(status).toBe(0);
    const posts = requests.filter((r) => r.method === 'POST').map((r) => r.body);
    expect(posts).toHaveLength(2);
    const asked = await engine.prepareTrino(spl, { now: SAMPLE_NOW, jsonLists: true, askEngine: true });
    expect(posts[0]).toBe(asked.questions![0]!.sql);
    const final = await engine.prepareTrino(spl, { now: SAMPLE_NOW, jsonLists: true, askEngine: true, discovered: { [asked.questions![0]!.key]: ['ConsoleLogin', 'AssumeRole'] } });
    expect(posts[1]).toBe(final.sql);
    expect(final.columns).toEqual(['_time', 'AssumeRole', 'ConsoleLogin']);
    expect(posts[1]).toContain(`"__split" = 'AssumeRole'`);
    expect(await trinoSyntaxErrors(posts[1]!)).toEqual([]);
    expect(out).toBe('_time,AssumeRole,ConsoleLogin\n2026-11-26T00:00:00Z,3,1\n');
    expect(notes[0]).toBe('asked the values of eventName, ranked by count: 2 results from Trino query q_1 (1.0 KB read)');
  });

  it('hunt runs each search there', async () => {
    pages = [
      { state: 'QUEUED', more: true },
      { state: 'FINISHED', columns: ['recipientAccountId', 'count'], data: [['111122223333', 4], ['444455556666', 1]] },
    ];
    const port = (server.address() as AddressInfo).port;
    const args = parseArgs(['--engine', `trino://alice@127.0.0.1:${port}/hive/security`], REMOTE_FLAGS);
    const runner = remoteHuntRunner(engine, args, { write: () => {}, note: () => {} });
    expect(await runner(search, { now: SAMPLE_NOW, maxRows: 1 })).toEqual({
      columns: ['recipientAccountId', 'count'],
      rows: [{ recipientAccountId: '111122223333', count: 4 }],
      truncated: true,
      cost: ['2 results from Trino query q_1 (0 B read)'],
    });
    expect(requests[0]!.headers['x-trino-catalog']).toBe('hive');
  });

  it('hunt gives what each search cost, its questions included, as run notes it', async () => {
    pages = [{ state: 'FINISHED', columns: ['v'], data: [['ConsoleLogin']], processedBytes: 1024, millis: 1250 }];
    later = [[{ state: 'FINISHED', columns: ['_time', 'ConsoleLogin'], data: [['1795651200.0', 1]], processedBytes: 3 * 1024 * 1024, millis: 4000 }]];
    const port = (server.address() as AddressInfo).port;
    const args = parseArgs(['--engine', `trino://alice@127.0.0.1:${port}/hive/security`], REMOTE_FLAGS);
    const runner = remoteHuntRunner(engine, args, { write: () => {}, note: () => {} });
    const spl = 'sourcetype=aws:cloudtrail | timechart span=1d limit=1 useother=f count by eventName';
    const search: HuntSearch = { id: 'x', title: 'Logins', type: 'hunting', source: 'queries', file: 'x.spl', spl, mitre: [], level: 'low', score: 0, needs: [], alerting: false };
    const outcome = await runOne(engine, search, { now: SAMPLE_NOW }, runner);
    const cost = [
      'asked the values of eventName, ranked by count: 1 result from Trino query q_1 (1.0 KB read, 1.3 s)',
      '1 result from Trino query q_1 (3.0 MB read, 4.0 s)',
    ];
    expect(outcomeJson(outcome)).toMatchObject({ count: 1, cost });
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
    try {
      writeHuntText([outcome], [], undefined, 160);
    } finally {
      spy.mockRestore();
    }
    expect(out.join('').split('\n').slice(0, 3)).toEqual(['== Logins [hunting: x]: 1 result', ...cost.map((c) => `   cost: ${c}`)]);
  });

  it('the command line takes --engine trino:// and refuses Athena\'s flags with it', async () => {
    pages = [
      { state: 'QUEUED', more: true },
      { state: 'FINISHED', columns: ['recipientAccountId', 'count'], data: [['111122223333', 4]] },
    ];
    const port = (server.address() as AddressInfo).port;
    const url = `trino://alice@127.0.0.1:${port}/hive/security`;
    const spelunk = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('node', ['bin/spelunk.js', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr }));
    });
    const ok = await spelunk(['run', search, '--engine', url, '--format', 'json', '--now', '2026-11-28T00:00:00Z']);
    expect(JSON.parse(ok.stdout)).toEqual([{ recipientAccountId: '111122223333', count: 4 }]);
    expect(ok.code).toBe(0);
    expect(requests[0]!.headers['x-trino-schema']).toBe('security');
    const refused = await spelunk(['run', search, '--engine', url, '--workgroup', 'primary']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--workgroup applies to --engine athena, not to a Trino server/);
  });
});
