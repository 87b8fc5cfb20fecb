// earliest=/latest= written in a search stand for the picker's range (--earliest/--latest, the
// REPL's :time), as Splunk's do: Search Reference 9.4, "Time modifiers", "Time modifiers and the
// Time Range Picker" (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/time-format-variables-and-modifiers/time-modifiers):
// "When you use a time modifier in the SPL syntax, that time overrides the time specified in the
// Time Range Picker ... The search uses the time specified in the time modifier and ignores the
// time in the Time Range Picker. Because the search does not specify the latest time modifier,
// the default value now is used for latest." And "Time ranges and subsearches": the picker's range
// applies to subsearches, the base search's own modifiers do not, and a subsearch's own apply to
// it alone. spelunk used to narrow to the overlap of both: with --earliest 2026-11-25 and
// earliest=-30d, 3 ConsoleLogin events where Splunk finds 7 (found by audit20).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { loadIntoCache } from '../src/engine/cache.js';
import { prepare } from '../src/compiler/index.js';
import { readRange } from '../src/compiler/search-range.js';
import { athenaTable } from '../src/compiler/print/athena-table.js';
import { Session } from '../src/repl/session.js';
import { SAMPLE_DIR, SAMPLE_NOW, sampleEngine, sqlOf } from './helpers.js';

const t = (iso: string) => Date.parse(iso) / 1000;
const NOV25 = t('2026-11-25T00:00:00Z');
const NOV26 = t('2026-11-26T00:00:00Z');
const NOV27 = t('2026-11-27T00:00:00Z');

let memory: Engine;
let cached: Engine;
const cacheRoot = mkdtempSync(path.join(tmpdir(), 'spelunk-time16-'));
beforeAll(async () => {
  memory = await sampleEngine();
  const cacheDir = path.join(cacheRoot, 'cache');
  await loadIntoCache([SAMPLE_DIR], { dir: cacheDir });
  cached = await Engine.open({ cacheDir });
  await cached.load([SAMPLE_DIR]);
});
afterAll(() => {
  memory?.close();
  cached?.close();
  rmSync(cacheRoot, { recursive: true, force: true });
});

const count = async (engine: Engine, spl: string, picker: { earliest?: number; latest?: number } = {}) =>
  (await engine.run(spl, { now: SAMPLE_NOW, ...picker })).rows;

const CASES: { name: string; spl: string; picker: { earliest?: number; latest?: number }; same: string; rows: unknown[] }[] = [
  {
    name: 'an inline earliest= stands for the picker\'s earliest, and latest is now, not the picker\'s',
    spl: 'eventName=ConsoleLogin earliest=-30d | stats count', picker: { earliest: NOV25, latest: NOV26 },
    same: 'eventName=ConsoleLogin earliest=-30d latest=now | stats count', rows: [{ count: 7 }],
  },
  {
    // The page: the picker's time is ignored; a search without earliest= has no earliest.
    name: 'an inline latest= alone: the picker\'s earliest is ignored too (all time up to latest)',
    spl: 'eventName=ConsoleLogin latest=11/26/2026:00:00:00 | stats count', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin | where _time < 1795651200 | stats count', rows: [{ count: 5 }],
  },
  {
    name: 'both inline: exactly their range',
    spl: 'eventName=ConsoleLogin earliest=-30d latest=11/27/2026:00:00:00 | stats count', picker: { earliest: NOV26, latest: SAMPLE_NOW },
    same: 'eventName=ConsoleLogin | where _time < 1795737600 | stats count', rows: [{ count: 6 }],
  },
  {
    // Only the first search's modifiers stand for the picker: a later `| search` filters within it.
    name: 'earliest= in a later | search filters within the picker\'s range',
    spl: 'eventName=ConsoleLogin | search earliest=-30d | stats count', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin earliest=11/25/2026:00:00:00 | stats count', rows: [{ count: 3 }],
  },
  {
    name: 'earliest= under OR is a condition, not the range',
    spl: 'eventName=ConsoleLogin (earliest=-30d OR user=nobody) | stats count', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin earliest=11/25/2026:00:00:00 | stats count', rows: [{ count: 3 }],
  },
  {
    // _index_earliest reads the index time (here _time, with a note): not the search's range.
    name: '_index_earliest= filters within the picker\'s range',
    spl: 'eventName=ConsoleLogin _index_earliest=-30d | stats count', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin earliest=11/25/2026:00:00:00 | stats count', rows: [{ count: 3 }],
  },
  {
    name: 'a subsearch with no modifiers gets the picker\'s range, not the base search\'s earliest=',
    spl: 'eventName=ConsoleLogin earliest=-30d | stats count | appendcols [search eventName=ConsoleLogin | stats count as sub]', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin earliest=-30d | stats count | eval sub=3', rows: [{ count: 7, sub: 3 }],
  },
  {
    name: 'a subsearch\'s own earliest= stands for the picker\'s range in it alone',
    spl: 'eventName=ConsoleLogin | stats count | appendcols [search eventName=ConsoleLogin earliest=-30d | stats count as sub]', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin earliest=11/25/2026:00:00:00 | stats count | eval sub=7', rows: [{ count: 3, sub: 7 }],
  },
  {
    // tstats' where clause is search language (Search Reference 9.4, "tstats": `WHERE <search-query>`,
    // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/tstats):
    // its time modifiers are the search's, so the same range counts the same through search and tstats.
    name: 'tstats: an earliest= in its where clause stands for the picker\'s range, as in a search',
    spl: '| tstats count where eventName=ConsoleLogin earliest=-30d', picker: { earliest: NOV25, latest: NOV26 },
    same: 'eventName=ConsoleLogin earliest=-30d | stats count', rows: [{ count: 7 }],
  },
  {
    name: 'tstats over a data model: its where clause\'s latest= alone ignores the picker\'s earliest',
    spl: '| tstats count from datamodel=Authentication where latest=11/26/2026:00:00:00', picker: { earliest: NOV25 },
    same: '| from datamodel:Authentication | where _time < 1795651200 | stats count', rows: [{ count: 5 }],
  },
  {
    name: 'tstats: earliest= under OR filters within the picker\'s range',
    spl: '| tstats count where eventName=ConsoleLogin (earliest=-30d OR eventName=nothing)', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin earliest=11/25/2026:00:00:00 | stats count', rows: [{ count: 3 }],
  },
  {
    name: 'a tstats subsearch\'s own earliest= is its range',
    spl: '| makeresults | appendcols [| tstats count where eventName=ConsoleLogin earliest=-30d] | fields count', picker: { earliest: NOV25 },
    same: 'eventName=ConsoleLogin earliest=-30d | stats count', rows: [{ count: 7 }],
  },
  {
    // `| search` at the start is the search command the first search implies, written out: Search
    // Reference 9.2, "search" ("The search command is implied at the beginning of any search. You do
    // not need to specify the search command at the beginning of your search criteria",
    // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/search), and
    // it is the generating command first in the pipeline ("Support for generating commands", 10.4:
    // "the first command in the search string must be search, tstats, ... Technically, the search
    // command comes first in the pipeline, but doesn't actually need to be specified because it is
    // implied", https://help.splunk.com/en/splunk-enterprise/administer/manage-users-and-security/10.4/use-field-filters-to-protect-sensitive-data/use-field-filters-in-searches/support-for-generating-commands).
    name: '| search at the start (confirmed: the implied first search): its earliest= stands for the picker\'s range as without the pipe',
    spl: '| search eventName=ConsoleLogin earliest=-30d | stats count', picker: { earliest: NOV25, latest: NOV26 },
    same: 'eventName=ConsoleLogin earliest=-30d | stats count', rows: [{ count: 7 }],
  },
];

describe('inline earliest=/latest= override the picker (Splunk\'s "Time modifiers")', () => {
  for (const c of CASES) {
    it(`${c.name}, in memory and over the cache`, async () => {
      const want = await count(memory, c.same);
      expect(want).toEqual(c.rows);
      expect(await count(memory, c.spl, c.picker)).toEqual(c.rows);
      expect(await count(cached, c.spl, c.picker)).toEqual(c.rows);
    });
  }

  it('the events step of a search with its own range bounds only by it', () => {
    expect(sqlOf('eventName=ConsoleLogin earliest=-30d', { now: SAMPLE_NOW, earliest: NOV25, latest: NOV26 })).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'ConsoleLogin', false) AND coalesce("_time" >= 1793232000, false)
            AND "_time" < 1795824000
      )
      SELECT "_time", "_raw"
      FROM s0
      ORDER BY "__seq""
    `);
    expect(sqlOf('eventName=ConsoleLogin latest=-1d', { now: SAMPLE_NOW, earliest: NOV25 })).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'ConsoleLogin', false) AND coalesce("_time" < 1795737600, false)
      )
      SELECT "_time", "_raw"
      FROM s0
      ORDER BY "__seq""
    `);
    expect(sqlOf('eventName=ConsoleLogin | search earliest=-30d', { now: SAMPLE_NOW, earliest: NOV25 })).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE "_time" >= 1795564800
            AND "_time" < 1795824000
            AND coalesce("eventName" ILIKE 'ConsoleLogin', false)
      ),
      s1 AS (
        SELECT * FROM s0 WHERE coalesce("_time" >= 1793232000, false)
      )
      SELECT "_time", "_raw"
      FROM s1
      ORDER BY "__seq""
    `);
  });

  it('tstats with its own range: the events read are bounded by it, not the picker\'s; the rest of its where clause filters', () => {
    expect(sqlOf('| tstats count where eventName=ConsoleLogin earliest=-30d', { now: SAMPLE_NOW, earliest: NOV25, latest: NOV26 })).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE "_time" >= 1793232000
            AND "_time" < 1795824000
      ),
      s2 AS (
        SELECT count(*) AS "count" FROM s0
          WHERE coalesce("eventName" ILIKE 'ConsoleLogin', false)
      ),
      s3 AS (
        SELECT *, row_number() OVER () AS "__seq" FROM s2
      )
      SELECT "count"
      FROM s3
      ORDER BY "__seq""
    `);
    const range = (spl: string, picker: { earliest?: number; latest?: number }) => readRange(prepare(spl).pipeline, SAMPLE_NOW, picker);
    expect(range('| tstats count where earliest=-30d', { earliest: NOV25, latest: NOV26 })).toEqual({ earliest: SAMPLE_NOW - 30 * 86400, latest: SAMPLE_NOW });
    expect(range('| tstats count where earliest=-30d OR latest=-1d', { earliest: NOV25 })).toEqual({ earliest: NOV25, latest: SAMPLE_NOW });
  });

  it('within (the REPL\'s zoom) narrows the main search\'s own range, not a subsearch\'s', () => {
    const within = { earliest: NOV25, latest: NOV26 };
    expect(sqlOf('eventName=ConsoleLogin earliest=-30d', { now: SAMPLE_NOW, earliest: NOV25, latest: NOV26, within })).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'ConsoleLogin', false) AND coalesce("_time" >= 1793232000, false)
            AND "_time" >= 1795564800
            AND "_time" < 1795651200
      )
      SELECT "_time", "_raw"
      FROM s0
      ORDER BY "__seq""
    `);
    const range = (spl: string) => readRange(prepare(spl).pipeline, SAMPLE_NOW, { within });
    expect(range('earliest=-30d')).toEqual(within);
    expect(range('earliest=-30d | appendcols [search earliest=-3d]')).toEqual({ earliest: NOV25, latest: SAMPLE_NOW });
  });

  it('the files read hold every part of the search: its own range and its subsearches\'', () => {
    const range = (spl: string, picker: { earliest?: number; latest?: number }) => readRange(prepare(spl).pipeline, SAMPLE_NOW, picker);
    expect(range('earliest=-30d', { earliest: NOV25, latest: NOV26 })).toEqual({ earliest: SAMPLE_NOW - 30 * 86400, latest: SAMPLE_NOW });
    expect(range('latest=-1d', { earliest: NOV25 })).toEqual({ latest: NOV27 });
    expect(range('* | search earliest=-30d', { earliest: NOV25 })).toEqual({ earliest: NOV25, latest: SAMPLE_NOW });
    expect(range('earliest=-1d | appendcols [search earliest=-30d latest=-20d]', {})).toEqual({ earliest: SAMPLE_NOW - 30 * 86400, latest: SAMPLE_NOW });
    expect(range('earliest=-1d | appendcols [search *]', {})).toEqual({});
    expect(range('earliest=-1d | appendcols [search *]', { earliest: NOV25, latest: NOV26 })).toEqual({ earliest: NOV25, latest: SAMPLE_NOW });
  });

  it('Trino/Athena: the main search reads its own range\'s partitions, a subsearch the picker\'s', async () => {
    const table = athenaTable('cloudtrail', 'timestamp');
    const main = await memory.prepareTrino('eventName=ConsoleLogin earliest=-3d | stats count', { now: SAMPLE_NOW, earliest: t('2026-11-27T00:00:00Z'), table });
    // Said on Athena too (explain --dialect trino prints it as a -- note:).
    expect(main.notes).toEqual(['earliest=/latest= in the search replace the time range given (--earliest/--latest, :time), as in Splunk: it reads 2026-11-25T00:00:00Z .. 2026-11-28T00:00:00Z']);
    expect(main.partitions).toMatchInlineSnapshot(`
      [
        "timestamp: days 2026/11/25 to 2026/11/29",
      ]
    `);
    const bounds = (sql: string) => sql.split('\n').filter((l) => /^\s*(WHERE|AND) /.test(l)).map((l) => l.trim());
    expect(bounds(main.sql)).toEqual([
      `WHERE "timestamp" >= '2026/11/25' AND "timestamp" <= '2026/11/29'`,
      `WHERE coalesce(lower("eventName") LIKE lower('ConsoleLogin'), false) AND coalesce("_time" >= 1795564800, false)`,
      'AND "_time" < 1795824000',
    ]);
    const sub = await memory.prepareTrino('eventName=ConsoleLogin earliest=-3d | stats count | appendcols [search eventName=ConsoleLogin | stats count as sub]', { now: SAMPLE_NOW, earliest: NOV27, table });
    // The subsearch's events are read from every day any part reads (a superset; its WHERE holds the picker's range).
    expect(bounds(sub.sql).filter((l) => l.includes('"timestamp"'))).toEqual([
      `WHERE "timestamp" >= '2026/11/25' AND "timestamp" <= '2026/11/29'`,
      `WHERE "timestamp" >= '2026/11/25' AND "timestamp" <= '2026/11/29'`,
    ]);
    expect(bounds(sub.sql)).toContain('WHERE "_time" >= 1795737600');
  });

  it('a subsearch\'s own earliest= is said with the subsearch\'s text, apart from the main search\'s', () => {
    const spl = 'eventName=ConsoleLogin earliest=-3d | stats count | appendcols [search eventName=ConsoleLogin earliest=-30d latest=-20d | stats count as sub]';
    const { compiled } = memory.prepare(spl, { now: SAMPLE_NOW, earliest: NOV27 });
    expect(compiled.notes).toEqual([
      'earliest=/latest= in the search replace the time range given (--earliest/--latest, :time), as in Splunk: it reads 2026-11-25T00:00:00Z .. 2026-11-28T00:00:00Z',
      'earliest=/latest= in the subsearch [search eventName=ConsoleLogin earliest=-30d latest=-20d | s…] replace the time range given (--earliest/--latest, :time) in it alone, as in Splunk: it reads 2026-10-29T00:00:00Z .. 2026-11-08T00:00:00Z',
    ]);
  });

  it('Trino/Athena: tstats reads its where clause\'s range\'s partitions, with the same note', async () => {
    const table = athenaTable('cloudtrail', 'timestamp');
    const prepared = await memory.prepareTrino('| tstats count where eventName=ConsoleLogin earliest=-3d', { now: SAMPLE_NOW, earliest: NOV27, table });
    expect(prepared.notes).toEqual(['earliest=/latest= in the search replace the time range given (--earliest/--latest, :time), as in Splunk: it reads 2026-11-25T00:00:00Z .. 2026-11-28T00:00:00Z']);
    expect(prepared.partitions).toEqual(['timestamp: days 2026/11/25 to 2026/11/29']);
  });

  it('the REPL: :time is the picker; the search\'s own earliest= replaces it, its timeline spans that range, and a note says so', async () => {
    const session = new Session(cached, { now: SAMPLE_NOW });
    await session.execute(':time 2026-11-25T00:00:00Z');
    await session.execute('eventName=ConsoleLogin earliest=-30d', { timelineBuckets: 30 });
    expect(session.last!.rows.length).toBe(7);
    expect(session.last!.notes).toEqual(['earliest=/latest= in the search replace the time range given (--earliest/--latest, :time), as in Splunk: it reads 2026-10-29T00:00:00Z .. 2026-11-28T00:00:00Z']);
    expect(session.last!.timeline!.start).toBeLessThanOrEqual(SAMPLE_NOW - 30 * 86400);
    await session.execute('eventName=ConsoleLogin', { timelineBuckets: 30 });
    expect(session.last!.rows.length).toBe(3);
    expect(session.last!.notes).toBeUndefined();
    expect(session.last!.timeline!.start).toBeGreaterThanOrEqual(NOV25 - 86400);
    // The inspector's data read is the search's own range, not :time's.
    await session.execute('eventName=ConsoleLogin earliest=-30d');
    const inspected = (await session.execute(':inspect')).flatMap((o) => ('lines' in o ? o.lines.map((l) => l.text) : [])).join('\n');
    expect(inspected).toContain('2026-10-29');
    // Run again under the profiler: the range it names is the one it read, not :time's (it said 2026-11-25 .. now).
    const rerun = (await session.execute(':inspect --rerun')).flatMap((o) => ('lines' in o ? o.lines.map((l) => l.text) : []));
    const dataLine = (ls: string[]) => ls.find((l) => l.startsWith('data read'));
    expect(dataLine(rerun)).toMatch(/^data read \(2026-10-29T00:00:00Z \.\. 2026-11-28T00:00:00Z\): the Parquet cache in /);
    expect(dataLine(rerun)).toBe(dataLine(inspected.split('\n')));
  });

  // Needs `npm run build` (bin/spelunk.js runs dist/).
  it('the CLI: --earliest is the picker; the note goes to stderr, with the cache and without', () => {
    for (const cache of [['--cache', path.join(cacheRoot, 'cli')], ['--no-cache']]) {
      const run = (spl: string) => spawnSync('node', ['bin/spelunk.js', 'run', spl, '--data', SAMPLE_DIR, ...cache, '--now', '2026-11-28T00:00:00Z', '--earliest', '2026-11-25T00:00:00Z', '--format', 'csv'], { encoding: 'utf8', timeout: 60_000 });
      const own = run('eventName=ConsoleLogin earliest=-30d | stats count');
      expect(own.status, own.stderr).toBe(0);
      expect(own.stdout).toBe('count\n7\n');
      expect(own.stderr).toContain('note: earliest=/latest= in the search replace the time range given (--earliest/--latest, :time), as in Splunk: it reads 2026-10-29T00:00:00Z .. 2026-11-28T00:00:00Z');
      const picker = run('eventName=ConsoleLogin | stats count');
      expect(picker.stdout).toBe('count\n3\n');
      expect(picker.stderr).not.toContain('replace the time range');
    }
  });
});
