// Issue 14: `:inspect`, the job inspector: how the last search ran, from DuckDB's profile recorded
// while it ran (its operators, by command, with rows in and out and time), and the data read
// (files, days, the cache or the JSON); `:inspect --rerun` runs it again with each command's stage
// kept apart.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { materialized, readProfile, SearchRecorder } from '../../src/engine/profile.js';
import type { Outcome } from '../../src/repl/outcome.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_DIR, SAMPLE_NOW } from '../helpers.js';
import { startRepl } from './harness.js';

const text = (outcomes: Outcome[]) => outcomes.flatMap((o) => (o.kind === 'lines' ? o.lines.map((l) => l.text) : []));
/** The table's rows as [command, rows in, rows out], times left out (they vary). */
const table = (lines: string[]) => lines.slice(lines.findIndex((l) => l.startsWith('-  ')) + 1, -1).map((l) => {
  const m = /^ *(\d*)  (.+?) +([\d,]*) +([\d,]+)  (\d+\.\d{3} s|\(in the stage above\))$/.exec(l);
  if (!m) throw new Error(`not a stage line: ${JSON.stringify(l)}`);
  return [m[2]!.trim(), m[3], m[4]];
});

/** The as-ran table's rows as [command, operator name, rows in, rows out], times left out. */
const operators = (lines: string[]) => {
  const rule = lines.findIndex((l) => l.startsWith('-  '));
  // Columns as the rule under the header draws them (dashes, two spaces between).
  const cols: [number, number][] = [];
  for (const m of lines[rule]!.matchAll(/-+/g)) cols.push([m.index!, m.index! + m[0].length]);
  return lines.slice(rule + 1, -1).map((l) => {
    const [, command, operator, rowsIn, rowsOut] = cols.map(([a, b]) => l.slice(a, b).trim());
    return [command!, operator!.startsWith('(no operator') ? '(none)' : operator!.split(' ')[0]!, rowsIn!, rowsOut!];
  });
};

/** Counts the engine's entry points that run a search (none may run for :inspect without --rerun). */
function searchCalls(engine: Engine): () => number {
  const spies = (['stream', 'run', 'inspect', 'prepareWithData', 'summarizeFields'] as const).map((m) => vi.spyOn(engine, m));
  const base = spies.map((s) => s.mock.calls.length);
  return () => spies.reduce((t, s, i) => t + s.mock.calls.length - base[i]!, 0);
}

describe('reading the profile', () => {
  it('materialises only the CTE headers, not text that looks like one inside a string', () => {
    const sql = "WITH s0 AS (\n  SELECT 'x\n),\ns9 AS (\n' AS a FROM events\n),\ns1 AS (\n  SELECT * FROM s0\n)\nSELECT * FROM s1";
    expect(materialized(sql).match(/AS MATERIALIZED/g)).toHaveLength(3);
    expect(materialized('WITH s0 AS (\n  SELECT 1\n)\nSELECT * FROM s0')).toBe('WITH s0 AS MATERIALIZED (\n  SELECT 1\n)\nSELECT * FROM s0');
    // The compiler's final SELECT gets a reader of each stage with no filter, so DuckDB keeps each stage whole.
    expect(materialized('WITH s0 AS (\n  SELECT 1 AS a\n),\ns1 AS (\n  SELECT * FROM s0\n)\nSELECT "a"\nFROM s1\nORDER BY "a"')).toBe(
      'WITH s0 AS MATERIALIZED (\n  SELECT 1 AS a\n),\ns1 AS MATERIALIZED (\n  SELECT * FROM s0\n)\nSELECT "a"\nFROM s1, (SELECT count(*) FROM s0) AS "__whole0", (SELECT count(*) FROM s1) AS "__whole1"\nORDER BY "a"',
    );
  });
  it('gives each CTE the rows its body produced and the time of its operators', () => {
    const scan = { operator_name: 'SEQ_SCAN', operator_cardinality: 10, operator_timing: 0.5, operator_rows_scanned: 100, children: [] };
    const plan = {
      latency: 2, children: [{ operator_name: 'EXPLAIN_ANALYZE', children: [{
        operator_name: 'CTE', extra_info: { 'CTE Name': 's0' }, children: [scan, {
          operator_name: 'CTE', extra_info: { 'CTE Name': 's1' }, children: [
            { operator_name: 'HASH_GROUP_BY', operator_cardinality: 3, operator_timing: 0.25, children: [{ operator_name: 'CTE_SCAN', operator_cardinality: 10, operator_timing: 0.125, operator_rows_scanned: 10 }] },
            { operator_name: 'ORDER_BY', operator_cardinality: 3, operator_timing: 0.0625, children: [] },
          ],
        }],
      }] }],
    };
    expect(readProfile(plan)).toEqual({
      latency: 2, rows: 3,
      stages: [
        { name: 's0', rowsOut: 10, seconds: 0.5 },
        { name: 's1', rowsOut: 3, seconds: 0.375 },
        { name: '', rowsOut: 3, seconds: 0.0625 },
      ],
    });
  });
});

for (const mode of ['memory', 'cache'] as const) {
  describe(`:inspect (${mode})`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await Engine.open({ cacheDir: mode === 'cache' ? mkdtempSync(join(tmpdir(), 'spelunk-inspect-')) : undefined });
      await engine.load([SAMPLE_DIR]);
    });
    afterAll(() => engine.close());

    it('shows the search as it ran, from the profile kept with it: no search runs again', async () => {
      const session = new Session(engine, { now: SAMPLE_NOW, savedQueriesDir: null });
      await session.execute('eventName=AssumeRole | eval x=1 | stats count by userName | sort - count | head 3');
      const calls = searchCalls(engine);
      const lines = text(await session.execute(':inspect'));
      expect(calls()).toBe(0);
      expect(lines[0]).toBe('job inspector: eventName=AssumeRole | eval x=1 | stats count by userName | sort - count | head 3');
      expect(lines[1]).toMatch(/^profiled as it ran \(not run again\): 3 results; DuckDB \d+\.\d{3} s from its start to the last row read, its operators' time summed \d+\.\d{3} s$/);
      expect(lines[2]).toMatch(mode === 'memory'
        ? /^data read \(all time\): the in-memory table \(the JSON read at load; no cache\): 515 events from 141 files over 8 days$/
        : /^data read \(all time\): the Parquet cache in .*: 8 day segments \(\d+\.\d MB\) holding 141 files over 8 days, 515 events$/);
      const scan = mode === 'memory'
        ? [['eventName=AssumeRole', 'SEQ_SCAN', '515', '101']]
        // The cache's segments hold the events; its index of files is joined to them.
        : [['eventName=AssumeRole', 'READ_PARQUET', '', '101'], ['', 'SEQ_SCAN', '141', '141'], ['', 'HASH_JOIN', '101 + 141', '101']];
      expect(operators(lines).filter((r) => r[1] !== 'PROJECTION' && r[0] !== '(column choices)')).toEqual([
        ...scan,
        ['eval x=1', '(none)', '', ''],
        // stats drops the events with no userName, groups them, and numbers its rows.
        ['stats count by userName', 'FILTER', '101', '101'],
        ['', 'HASH_GROUP_BY', '101', '8'],
        ['', 'WINDOW', '8', '8'],
        ['sort - count', 'WINDOW', '8', '8'],
        ['', 'FILTER', '8', '8'],
        ['head 3', 'TOP_N', '8', '3'],
        ['(output)', 'ORDER_BY', '3', '3'],
        ['', 'STREAMING_LIMIT', '3', '3'],
      ]);
      expect(lines.at(-1)).toMatch(/^DuckDB runs the commands as one plan .*:inspect --rerun runs the search again/);
    });

    it('says when the result was capped and when only the newest events were read', async () => {
      const session = new Session(engine, { now: SAMPLE_NOW, savedQueriesDir: null, maxRows: 5 });
      await session.execute('eventName=AssumeRole');
      expect(session.last!.truncated).toBe(true);
      const calls = searchCalls(engine);
      const lines = text(await session.execute(':inspect'));
      expect(calls()).toBe(0);
      expect(lines[1]).toMatch(/^profiled as it ran \(not run again\): 5 results \(capped\);/);
      expect(lines.slice(3, 5)).toEqual([
        'the result was cut at the row cap (5 shown); the final order read every row the operators under it gave',
        "only the newest events that could reach the result were read (the newest-rows bound): the scan's rows are of those, not of every matching event",
      ]);
      // The row cap plus one, of the 101 AssumeRole events: never a figure that looks like all of them.
      const scans = operators(lines).filter((r) => r[1] === 'READ_PARQUET' || (r[1] === 'SEQ_SCAN' && r[2] === '515'));
      expect(scans.length).toBeGreaterThan(0);
      for (const r of scans) expect(r[3]).toBe('6');
      // A capped result with no bound (every event counted by stats): the order still read all.
      await session.execute('* | stats count by eventName');
      const stats = text(await session.execute(':inspect'));
      expect(stats.slice(3, 4)).toEqual(['the result was cut at the row cap (5 shown); the final order read every row the operators under it gave']);
      expect(operators(stats).find((r) => r[1] === 'HASH_GROUP_BY')).toEqual(['stats count by eventName', 'HASH_GROUP_BY', '515', '28']);
    });

    it('--rerun: runs it again, each command with its rows in and out, and the data read', async () => {
      const session = new Session(engine, { now: SAMPLE_NOW, savedQueriesDir: null });
      expect(text(await session.execute(':inspect'))).toEqual(['no search to inspect yet: :inspect shows how the last search ran']);
      await session.execute('eventName=AssumeRole | eval x=1 | stats count by userName | sort - count | head 3');
      const lines = text(await session.execute(':inspect --rerun'));
      expect(lines[0]).toBe('job inspector: eventName=AssumeRole | eval x=1 | stats count by userName | sort - count | head 3');
      expect(lines[1]).toMatch(/^3 results; run again under DuckDB's profiler, each stage kept apart: \d+\.\d{3} s/);
      expect(lines[2]).toMatch(mode === 'memory'
        ? /^data read \(all time\): the in-memory table \(the JSON read at load; no cache\): 515 events from 141 files over 8 days$/
        : /^data read \(all time\): the Parquet cache in .*: 8 day segments \(\d+\.\d MB\) holding 141 files over 8 days, 515 events$/);
      expect(table(lines)).toEqual([
        ['eventName=AssumeRole', '515', '101'],
        ['eval x=1', '101', '101'],
        ['stats count by userName', '101', '8'],
        ['sort - count', '8', '8'],
        ['head 3', '8', '3'],
        ['(output: final order, columns and row cap)', '3', '3'],
      ]);
    });

    it('--rerun: inspects the search as it ran: its time range, and the parameters of a saved search', async () => {
      const session = new Session(engine, { now: SAMPLE_NOW, savedQueriesDir: null });
      await session.execute(':time -2d');
      await session.execute(':run aws_activity_from_ip ip=185.220.101.47');
      const rows = session.last!.rows.length;
      await session.execute(':time all');
      const lines = text(await session.execute(':inspect --rerun'));
      expect(lines[1]).toMatch(new RegExp(`^${rows} results;`));
      expect(lines[2]).toMatch(mode === 'memory'
        ? /^data read \(2026-11-26T00:00:00Z \.\. 2026-11-28T00:00:00Z\): the in-memory table \(the JSON read at load; no cache\): 128 events from 35 files over 2 days$/
        : /^data read \(2026-11-26T00:00:00Z \.\. 2026-11-28T00:00:00Z\): the Parquet cache in .*: 2 day segments \(\d+\.\d MB\) holding 35 files over 2 days, 128 events$/);
      // The macros expanded, one line per command.
      expect(table(lines).map((r) => r[0]!.replace(/…$/, '').slice(0, 24))).toEqual([
        'sourcetype=aws:cloudtrai', 'dedup eventID keepempty=', 'eval caller=coalesce(cas', 'table _time recipientAcc', '(output: final order, co',
      ]);
      expect(table(lines).at(-1)![2]).toBe(String(rows));
      // A filter after an eval is the filter's stage, not moved into the eval's by DuckDB.
      await session.execute('eventName=AssumeRole | eval x=1 | search userName=app* | table userName x');
      expect(table(text(await session.execute(':inspect --rerun'))).slice(0, 3)).toEqual([
        ['eventName=AssumeRole', '515', '101'],
        ['eval x=1', '101', '101'],
        ['search userName=app*', '101', '32'],
      ]);
    });
  });
}

describe('the profiler', () => {
  it('is not switched on when its file cannot be written, so the search still runs', async () => {
    const engine = await Engine.open();
    try {
      // DuckDB fails a profiled query whose profile it cannot write: the recorder checks first.
      expect(await new SearchRecorder('/dev/null/nowhere').begin(engine.connection)).toBe(false);
      expect((await engine.connection.runAndReadAll('SELECT 42 AS x')).getRowObjects()).toEqual([{ x: 42 }]);
    } finally {
      engine.close();
    }
  });
});

describe('a profiled search cancelled', () => {
  // The interrupt can land between the query and the PRAGMA that switches the profiler off, which
  // then failed with DuckDB's INTERRUPT error ("error: INTERRUPT Error: Interrupted!" in the
  // scrollback test, under load): it is a cancelled search all the same. Timing-dependent.
  it('is "search cancelled", and the next search runs', async () => {
    const engine = await Engine.open();
    try {
      const slow = '| makeresults count=3000000 | eval y=md5(tostring(random())) | stats dc(y)';
      const run = engine.stream(slow, { profile: true, maxRows: 10 }, () => {});
      // Ctrl-C pressed again and again until it ends (it takes seconds), wherever each one lands.
      const again = setInterval(() => engine.interrupt(), 20);
      await expect(run.finally(() => clearInterval(again))).rejects.toThrow(/^search cancelled$/);
      // The connection answers the next search.
      expect((await engine.run('| makeresults count=2 | stats count')).rows).toEqual([{ count: 2 }]);
    } finally {
      engine.close();
    }
  }, 60_000);
});

describe(':inspect in the REPL', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open();
    await engine.load([SAMPLE_DIR]);
  });
  afterAll(() => engine.close());
  it('prints the inspector under the search', async () => {
    const { ui, run } = await startRepl(engine, { session: { savedQueriesDir: null } });
    await run('eventName=CreateRole | stats count by userName', (s) => s.includes('results in'));
    const screen = await run(':inspect', (s) => s.includes('DuckDB runs the commands'));
    expect(screen).toMatch(/\n1  eventName=CreateRole +SEQ_SCAN memory\.main\.events.* +515 +4  \d\.\d{3} s\n/);
    expect(screen).toMatch(/\n2  stats count by userName +FILTER .* +4 +4  \d\.\d{3} s\n/);
    ui.unmount();
  });
});
