// explain --dialect athena|trino and run --engine athena on the command line, and the REPL's
// :sql athena: the Trino SQL with the partitions it reads, options checked before anything runs.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { parseSessionCommand } from '../src/repl/session-commands.js';
import { Session } from '../src/repl/session.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';
import { parseArgs } from '../src/cli/args.js';
import { remoteHuntRunner } from '../src/cli/remote.js';
import { REMOTE_FLAGS } from '../src/cli/common.js';
import { trinoSyntaxErrors } from './trino/validate.js';

function spelunk(args: string[]) {
  return spawnSync('node', ['bin/spelunk.js', ...args], { encoding: 'utf8' });
}

describe('spelunk explain --dialect athena', () => {
  it('prints the partitions read and Trino SQL that Trino\'s grammar accepts', async () => {
    const r = spelunk(['explain', '--dialect', 'athena', '--table', 'security.org_trail', '--partitions', 'account,region,timestamp', '--now', '2026-11-28T00:00:00Z',
      'sourcetype=aws:cloudtrail eventName=AssumeRole recipientAccountId=111122223333 awsRegion=eu-west-1 earliest=-2d@d latest=@d | stats count by user_arn']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [head, sql] = [r.stdout.split('\n').filter((l) => l.startsWith('--')), r.stdout.split('\n').filter((l) => !l.startsWith('--')).join('\n')];
    expect(head).toEqual([
      '-- Trino SQL over security.org_trail (docs/athena.md)',
      '-- reads timestamp: days 2026/11/26 to 2026/11/29',
      '-- reads account: 111122223333',
      '-- reads region: eu-west-1',
    ]);
    expect(sql).toMatch(/FROM "security"\."org_trail"\s+WHERE "timestamp" >= '2026\/11\/26' AND "timestamp" <= '2026\/11\/29' AND "account" IN \('111122223333'\) AND "region" IN \('eu-west-1'\)/);
    expect(await trinoSyntaxErrors(sql)).toEqual([]);
  });

  it('refuses a search with no Trino form, naming it at its caret', () => {
    const r = spelunk(['explain', '--dialect', 'trino', 'AccessDenied | stats count']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/_raw: the Athena table keeps parsed columns/);
    expect(r.stderr).toMatch(/\^/);
  });

  it('checks its options', () => {
    expect(spelunk(['explain', '--dialect', 'oracle', 'x']).stderr).toMatch(/--dialect "oracle": use duckdb, athena or trino/);
    expect(spelunk(['explain', '--table', 't', 'x']).stderr).toMatch(/--table applies to --dialect/);
    expect(spelunk(['explain', '--dialect', 'athena', '--partitions', 'account', 'x']).stderr).toMatch(/must name the day partition: timestamp/);
  });
});

describe('spelunk run --engine athena', () => {
  it('needs a workgroup and an S3 output location before anything is sent', () => {
    const r = spelunk(['run', '--engine', 'athena', '--output', 's3://b/p/', 'eventName=X']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--workgroup NAME/);
    expect(spelunk(['run', '--engine', 'athena', '--workgroup', 'w', '--output', 'here', 'eventName=X']).stderr).toMatch(/is not an S3 location/);
    expect(spelunk(['run', '--engine', 'bigquery', 'x']).stderr).toMatch(/use athena or trino:\/\/host:port\/catalog\/schema/);
  });
});

describe('the REPL\'s :sql athena', () => {
  let engine: Engine;
  let session: Session;
  beforeAll(async () => {
    engine = await Engine.open();
    session = new Session(engine, { now: Date.parse('2026-11-28T00:00:00Z') / 1000 });
    await session.load([SAMPLE_DIR]);
  });
  afterAll(() => engine.close());

  it('parses :sql athena and :sql trino', () => {
    expect(parseSessionCommand(':sql athena')).toEqual({ kind: 'sql', dialect: 'trino' });
    expect(parseSessionCommand(':sql')).toEqual({ kind: 'sql' });
  });

  it('shows the last search as Trino SQL', async () => {
    await session.execute('eventName=CreateRole | table user_arn');
    const out = await session.execute(':sql athena');
    const text = JSON.stringify(out);
    expect(text).toContain('Trino SQL over cloudtrail_logs_pp');
    expect(text).toContain('FROM \\"cloudtrail_logs_pp\\"');
  });

  // It compiled the last search with the :time of now, not the range that search read: after
  // `:time` moved on, the SQL shown read other days than the rows on the screen came from.
  it('shows the range the last search read, not the :time set after it', async () => {
    await session.execute(':time 2026-11-25T00:00:00Z 2026-11-26T00:00:00Z');
    await session.execute('eventName=ConsoleLogin | stats count');
    await session.execute(':time all');
    const text = JSON.stringify(await session.execute(':sql athena'));
    // The day folders of Nov 25 (and the next, where CloudTrail may write its last minutes), and its times.
    expect(text).toContain('timestamp: days 2026/11/25 to 2026/11/27');
    expect(text).toContain('\\"_time\\" >= 1795564800');
  });
});

describe('hunt --engine athena', () => {
  it('runs each search on Athena as Trino SQL and reads its rows', async () => {
    const engine = await Engine.open();
    try {
      const sent: { name: string; input: Record<string, unknown> }[] = [];
      const client = {
        async send(command: object) {
          const name = command.constructor.name;
          const input = (command as { input: Record<string, unknown> }).input;
          sent.push({ name, input });
          if (name === 'StartQueryExecutionCommand') return { QueryExecutionId: 'q' };
          if (name === 'GetQueryExecutionCommand') return { QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 10, TotalExecutionTimeInMillis: 2345 } } };
          return { ResultSet: { Rows: [{ Data: [{ VarCharValue: 'user_arn' }] }, { Data: [{ VarCharValue: 'arn:aws:iam::1:user/a' }] }] } };
        },
      };
      const args = parseArgs(['--engine', 'athena', '--workgroup', 'w', '--output', 's3://bucket/x/'], REMOTE_FLAGS);
      const runner = remoteHuntRunner(engine, args, { write: () => {}, note: () => {}, client });
      const result = await runner('eventName=CreateRole | table user_arn', { now: SAMPLE_NOW });
      // What it cost, as run notes it: the bytes Athena scanned (and bills) and its time there.
      expect(result).toEqual({ columns: ['user_arn'], rows: [{ user_arn: 'arn:aws:iam::1:user/a' }], cost: ['1 result from Athena query q (10 B scanned, 2.3 s)'] });
      const query = sent[0]!.input.QueryString as string;
      expect(query).toContain('FROM "cloudtrail_logs_pp"');
      expect(await trinoSyntaxErrors(query)).toEqual([]);
      expect(sent[0]!.input.WorkGroup).toBe('w');
    } finally {
      engine.close();
    }
  });
});
