// The first search answered from the events that can match it (issue 13): for every search, the
// rows `loadAndStream` gives before the files are loaded whole are the rows of an ordinary load,
// row for row and in order, and so is everything after (the load's report, later searches, the
// cache it leaves). The data mixes what the scan must get right or leave alone.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { LoadReport, Row } from '../src/engine/types.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

let dir: string;
let data: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-first-answer-'));
  data = path.join(dir, 'data');
  writeData(data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `cache${n++}`);

let id = 0;
const hash = (text: string): string => createHash('sha256').update(text).digest('hex');
function ev(name: string, minute: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08', eventTime: `2026-11-02T10:${String(minute).padStart(2, '0')}:00Z`, eventSource: 'signin.amazonaws.com', eventName: name,
    awsRegion: 'us-east-1', sourceIPAddress: '10.1.2.3', eventID: `e${++id}`,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111:user/${minute % 2 ? 'alice' : 'bob'}` }, ...extra,
  };
}

function writeData(root: string): void {
  const put = (name: string, text: string | Buffer): void => {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof text === 'string' && name.endsWith('.gz') ? gzipSync(text) : text);
  };
  const records = (...events: unknown[]): string => JSON.stringify({ Records: events });
  // Equal times across files and within one: ties keep Splunk's order (source, then position).
  put('a/1.json.gz', records(ev('ConsoleLogin', 1), ev('GetObject', 1, { requestParameters: { bucketName: 'Evidence' } }), ev('consolelogin', 1), ev('AssumeRole', 2, { errorCode: 'AccessDenied' })));
  put('a/2.json.gz', records(ev('ConsoleLogin', 1, { userIdentity: { type: 'Root', arn: 'arn:aws:iam::111:root' } }), ev('ListBuckets', 3)));
  // The term only inside another field's string, and inside a policy held as a string.
  put('b/3.json.gz', records(ev('PutUserPolicy', 4, { requestParameters: { policyDocument: '{"Action":"signin:ConsoleLogin"}' } }), ev('GetObject', 5)));
  // Escapes: the name spelled with \u (DuckDB resolves it in _raw), an escaped slash, a quote.
  put('b/4.json', `{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-02T10:06:00Z","eventSource":"signin.amazonaws.com","eventName":"\\u0043onsoleLogin","eventID":"esc1","userIdentity":{"arn":"arn:aws:iam::111:user\\/alice"}},` +
    `{"eventVersion":"1.08","eventTime":"2026-11-02T10:06:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"esc2","note":"say \\"ConsoleLogin\\""}]}`);
  // Pretty-printed, with numbers DuckDB writes otherwise.
  put('b/5.json', JSON.stringify({ Records: [ev('ConsoleLogin', 7, { additionalEventData: { n: 1e21, x: 1.5 } }), ev('Decrypt', 7)] }, null, 2));
  // JSON lines, CRLF.
  put('c/6.jsonl', [ev('ConsoleLogin', 8), ev('GetObject', 8), ev('CONSOLELOGIN', 9)].map((e) => JSON.stringify(e)).join('\r\n') + '\r\n');
  // What the scan leaves to the ordinary reader: a truncated file, a trailing comma DuckDB takes,
  // the Kelvin sign (lowers to k), a lone surrogate in an escaped event (DuckDB refuses the file).
  put('d/7.json.gz', records(ev('ConsoleLogin', 10), ev('GetObject', 10)).slice(0, -20));
  put('d/8.json', records(ev('ConsoleLogin', 11), ev('GetObject', 11)).replace('"1.08"', '"1.08",').replace(',"eventTime"', '"eventTime"'));
  put('d/9.json', records(ev('ConsoleLogin', 12, { note: 'Kelvin \u212a' }), ev('Get\u212aey', 12)));
  put('d/10.json', `{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-02T10:13:00Z","eventSource":"x","eventName":"ConsoleLogin","eventID":"sur","k":"\\ud800"}]}`);
  // Records that are not CloudTrail events, an empty Records, a digest file.
  put('e/11.json.gz', records({ foo: 'ConsoleLogin' }, ev('ConsoleLogin', 14)));
  put('e/12.json.gz', records());
  put('e/CloudTrail-Digest/13.json.gz', JSON.stringify({ digestStartTime: 'x', ConsoleLogin: 1 }));
}

const SEARCHES = [
  'search eventName=ConsoleLogin | table _time eventID eventName source index _raw',
  'search ConsoleLogin | head 5 | table _time eventID _raw',
  'search consolelogin | tail 3 | table eventID',
  'search eventName=Console* | stats count by eventName | sort eventName',
  'search userIdentity.arn=*alice* eventName=ConsoleLogin | table eventID userIdentity.arn',
  'search requestParameters.bucketName=EVIDENCE | table eventID requestParameters.bucketName',
  'search AccessDenied | table eventID errorCode status action',
  'search eventName=ConsoleLogin | eventstats count as n by userIdentity.type | table eventID n',
  'search eventName=ConsoleLogin signin | dedup userIdentity.arn | table eventID user',
  'search arn:aws:iam::111:root | table eventID',
  'search GetKey | table eventID',
  'search eventName=ConsoleLogin | timechart span=1m count',
];
/** Searches the pre-filter must refuse: answered after the whole load, as before. */
const REFUSED = ['search status=failure | stats count', 'search ConsoleLogin [search eventName=GetObject | fields userIdentity.arn] | table eventID', 'search eventName!=ConsoleLogin | stats count'];

function summary(report: LoadReport): unknown {
  return { events: report.eventsLoaded, read: report.filesRead, skipped: report.filesSkipped, warnings: report.warnings.map((w) => [path.basename(w.file), w.kind]).sort() };
}

async function ordinary(spl: string, opts: { earliest?: number; index?: string } = {}): Promise<{ rows: Row[]; report: unknown }> {
  const engine = await Engine.open();
  const report = await engine.load([data], { index: opts.index });
  const rows = (await engine.run(spl, { now: SAMPLE_NOW, earliest: opts.earliest })).rows;
  engine.close();
  return { rows, report: summary(report) };
}

async function first(spl: string, cacheDir: string, opts: { earliest?: number; index?: string } = {}) {
  const engine = await Engine.open({ cacheDir });
  const rows: Row[] = [];
  let loadedAfterRows: boolean | undefined;
  const run = await engine.loadAndStream([data], { index: opts.index }, {
    search: spl,
    opts: { now: SAMPLE_NOW, earliest: opts.earliest },
    onRows: (chunk) => {
      rows.push(...chunk);
    },
    onLoaded: (_report, answeredFirst) => {
      loadedAfterRows = answeredFirst;
    },
  });
  return { engine, rows, run, loadedAfterRows };
}

describe('the first search answered from its candidates', () => {
  it('gives the rows of an ordinary load, in order, then the same load report, searches and cache', { timeout: 120_000 }, async () => {
    for (const spl of SEARCHES) {
      const expected = await ordinary(spl);
      const cacheDir = fresh();
      const got = await first(spl, cacheDir);
      expect(got.run.answeredFirst, spl).toBe(true);
      expect(got.loadedAfterRows).toBe(true);
      expect(got.rows, spl).toEqual(expected.rows);
      expect(summary(got.run.report), spl).toEqual(expected.report);
      // The session goes on over every event, from the cache.
      expect((await got.engine.run(spl, { now: SAMPLE_NOW })).rows, spl).toEqual(expected.rows);
      expect((await got.engine.run('search * | stats count', {})).rows).toEqual((await ordinary('search * | stats count')).rows);
      got.engine.close();
      // The cache it left answers the next run, every file a hit.
      const again = await first(spl, cacheDir);
      expect(again.run.answeredFirst).toBe(false);
      expect(again.rows, spl).toEqual(expected.rows);
      again.engine.close();
    }
  });

  it('keeps the time range and the index', { timeout: 60_000 }, async () => {
    const spl = 'search eventName=ConsoleLogin | table _time eventID index';
    const earliest = Date.parse('2026-11-02T10:07:00Z') / 1000;
    const expected = await ordinary(spl, { earliest, index: 'trail' });
    const got = await first(spl, fresh(), { earliest, index: 'trail' });
    expect(got.run.answeredFirst).toBe(true);
    expect(got.rows).toEqual(expected.rows);
    expect(got.rows.length).toBeGreaterThan(0);
    got.engine.close();
  });

  it('waits for the whole load for a search it cannot pre-filter', { timeout: 60_000 }, async () => {
    for (const spl of REFUSED) {
      const expected = await ordinary(spl);
      const got = await first(spl, fresh());
      expect(got.run.answeredFirst, spl).toBe(false);
      expect(got.loadedAfterRows).toBe(false);
      expect(got.rows, spl).toEqual(expected.rows);
      got.engine.close();
    }
  });

  it('answers the bundled sample as an ordinary load does', { timeout: 60_000 }, async () => {
    const sample = path.resolve(SAMPLE_DIR);
    const memory = await Engine.open();
    await memory.load([sample]);
    for (const spl of ['search eventName=ConsoleLogin | table _time eventID _raw', 'search AccessDenied | stats count by eventName']) {
      const expected = (await memory.run(spl, { now: SAMPLE_NOW })).rows;
      const engine = await Engine.open({ cacheDir: fresh() });
      const rows: Row[] = [];
      const run = await engine.loadAndStream([sample], {}, { search: spl, opts: { now: SAMPLE_NOW }, onRows: (chunk) => void rows.push(...chunk) });
      expect(run.answeredFirst).toBe(true);
      expect(rows).toEqual(expected);
      engine.close();
    }
    memory.close();
  });

  it('loads the rest through the cache\'s chunks when the files are past what memory holds', { timeout: 120_000 }, async () => {
    // About 4 MB of gzip that does not compress (hashes), past 64MB's answer-first share (1.7 MB).
    const big = path.join(dir, 'big');
    for (let f = 0; f < 40; f++) {
      const h = (i: number): Record<string, string> => Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, hash(`${k}${f}/${i}`)]));
      const events = Array.from({ length: 500 }, (_, i) => ev(i % 7 ? 'GetObject' : 'ConsoleLogin', f % 50, { requestParameters: h(i) }));
      mkdirSync(path.join(big, String(f % 3)), { recursive: true });
      writeFileSync(path.join(big, String(f % 3), `${f}.json.gz`), gzipSync(JSON.stringify({ Records: events })));
    }
    const spl = 'search eventName=ConsoleLogin | stats count by userIdentity.arn';
    expect(readdirSync(big, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0)).toBeGreaterThan(64 * 1024 * 1024 / 40);
    const memory = await Engine.open();
    await memory.load([big]);
    const expected = (await memory.run(spl, {})).rows;
    const all = (await memory.run('search * | stats count', {})).rows;
    memory.close();
    const cacheDir = fresh();
    const engine = await Engine.open({ cacheDir, memoryLimit: '64MB' });
    const rows: Row[] = [];
    const run = await engine.loadAndStream([big], {}, { search: spl, opts: {}, onRows: (chunk) => void rows.push(...chunk) });
    expect(run.answeredFirst).toBe(true);
    expect(rows).toEqual(expected);
    expect(run.report.eventsLoaded).toBe(20_000);
    expect((await engine.run('search * | stats count', {})).rows).toEqual(all);
    // The chunks' path leaves the emptied table of candidates (answer-first's path drops it).
    expect((await engine.connection.runAndReadAll("SELECT count(*) FROM memory.main.events")).getRows()).toEqual([[0n]]);
    engine.close();
    // Every file a hit: the next run reads the cache.
    const again = await Engine.open({ cacheDir, memoryLimit: '64MB' });
    const more: Row[] = [];
    expect((await again.loadAndStream([big], {}, { search: spl, opts: {}, onRows: (chunk) => void more.push(...chunk) })).answeredFirst).toBe(false);
    expect(more).toEqual(expected);
    again.close();
    // A search keeping most events (13 MB of their JSON, past 64MB's share) waits for the whole load.
    const most = await Engine.open({ cacheDir: fresh(), memoryLimit: '64MB' });
    const counted: Row[] = [];
    const whole = await most.loadAndStream([big], {}, { search: 'search signin | stats count', opts: {}, onRows: (chunk) => void counted.push(...chunk) });
    expect(whole.answeredFirst).toBe(false);
    expect(counted).toEqual(all);
    most.close();
  });
});
