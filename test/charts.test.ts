import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoTimeSpan } from '../src/compiler/commands/bins.js';

const autoSpan = (range: number) => autoTimeSpan(0, range);
import { compile } from '../src/compiler/index.js';
import type { Engine } from '../src/engine/engine.js';
import { errorOf, expectRows, sampleDay, sampleEngine, SAMPLE_NOW, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const DAY = 86400;
const day = sampleDay;

describe('timechart', () => {
  it('splits by the top values, sums the rest into OTHER, one row per day', async () => {
    await expectRows(engine, 'index=* | timechart span=1d count by eventName limit=3', [
      { _time: day(0), AssumeRole: 14, GenerateDataKey: 12, PutObject: 12, OTHER: 38 },
      { _time: day(1), AssumeRole: 11, GenerateDataKey: 9, PutObject: 9, OTHER: 21 },
      { _time: day(2), AssumeRole: 11, GenerateDataKey: 10, PutObject: 10, OTHER: 19 },
      { _time: day(3), AssumeRole: 14, GenerateDataKey: 8, PutObject: 8, OTHER: 41 },
      { _time: day(4), AssumeRole: 13, GenerateDataKey: 7, PutObject: 7, OTHER: 42 },
      { _time: day(5), AssumeRole: 14, GenerateDataKey: 7, PutObject: 7, OTHER: 43 },
      { _time: day(6), AssumeRole: 10, GenerateDataKey: 9, PutObject: 9, OTHER: 17 },
      { _time: day(7), AssumeRole: 14, GenerateDataKey: 10, PutObject: 10, OTHER: 49 },
    ]);
  });

  it('keeps empty buckets: 0 for counts, null for other aggregates', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin OR eventName=CreateAccessKey | timechart span=1d count by eventName', [
      { _time: day(0), ConsoleLogin: 2, CreateAccessKey: 0 },
      { _time: day(1), ConsoleLogin: 0, CreateAccessKey: 1 },
      { _time: day(2), ConsoleLogin: 0, CreateAccessKey: 0 },
      { _time: day(3), ConsoleLogin: 1, CreateAccessKey: 0 },
      { _time: day(4), ConsoleLogin: 1, CreateAccessKey: 1 },
      { _time: day(5), ConsoleLogin: 1, CreateAccessKey: 1 },
      { _time: day(6), ConsoleLogin: 1, CreateAccessKey: 0 },
      { _time: day(7), ConsoleLogin: 1, CreateAccessKey: 1 },
    ]);
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d count values(user) as u', [
      // The add-on's user is userIdentity.userName for a console login: the root user's has none.
      { _time: day(0), count: 2, u: ['ana.ops'] },
      { _time: day(1), count: 0, u: null },
      { _time: day(2), count: 0, u: null },
      { _time: day(3), count: 1, u: ['ana.ops'] },
      { _time: day(4), count: 1, u: ['ana.ops'] },
      { _time: day(5), count: 1, u: ['ana.ops'] },
      { _time: day(6), count: 1, u: ['ana.ops'] },
      { _time: day(7), count: 1, u: ['ana.ops'] },
    ]);
  });

  it('cont=f leaves empty buckets out', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d cont=f count', [
      { _time: day(0), count: 2 },
      ...[3, 4, 5, 6, 7].map((i) => ({ _time: day(i), count: 1 })),
    ]);
  });

  it('puts events without the split field in NULL, unless usenull=f', async () => {
    // result_id: CloudTrail's errorCode as recorded, absent on success (the add-on's errorCode is "success" there).
    const spl = 'eventName=AssumeRole | timechart span=1d count by result_id';
    const nulls = [14, 11, 11, 14, 12, 14, 10, 14];
    await expectRows(engine, spl, nulls.map((n, i) => ({ _time: day(i), AccessDenied: i === 4 ? 1 : 0, NULL: n })));
    await expectRows(engine, `${spl} usenull=f`, nulls.map((_n, i) => ({ _time: day(i), AccessDenied: i === 4 ? 1 : 0 })));
  });

  it('names columns "agg: value" with several aggregations; useother=f drops the rest', async () => {
    await expectRows(engine, '| makeresults count=4 | streamstats count as n | eval k=if(n<3,"a","b"), v=n*10 | chart avg(v) max(v) over k by n limit=2 useother=f', [
      { k: 'a', 'avg(v): 3': null, 'avg(v): 4': null, 'max(v): 3': null, 'max(v): 4': null },
      { k: 'b', 'avg(v): 3': 30, 'avg(v): 4': 40, 'max(v): 3': 30, 'max(v): 4': 40 },
    ]);
  });

  it('bins by calendar month', async () => {
    await expectRows(engine, '| makeresults | eval _time=1795132800 | append [| makeresults | eval _time=1800000000] | timechart span=1mon count', [
      { _time: Date.parse('2026-11-01T00:00:00Z') / 1000, count: 1 },
      { _time: Date.parse('2026-12-01T00:00:00Z') / 1000, count: 0 },
      { _time: Date.parse('2027-01-01T00:00:00Z') / 1000, count: 1 },
    ]);
  });

  it('picks the span from the data: 8 days of events give daily buckets', async () => {
    const result = await engine.run('index=* | timechart count', { now: SAMPLE_NOW });
    expect(result.rows.map((r) => r._time)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(day));
    expect(result.rows.reduce((s, r) => s + (r.count as number), 0)).toBe(515);
  });

  it('picks the span from the search time range when there is one', () => {
    expect(sqlOf('index=* | timechart count', { earliest: SAMPLE_NOW - 3600, latest: SAMPLE_NOW })).toContain('floor("_time" / 60) * 60');
    expect(autoSpan(15 * 60)).toEqual({ seconds: 10 });
    expect(autoSpan(4 * 3600)).toEqual({ seconds: 300 });
    expect(autoSpan(24 * 3600)).toEqual({ seconds: 1800 });
    expect(autoSpan(7 * DAY)).toEqual({ seconds: DAY });
    expect(autoSpan(365 * DAY)).toEqual({ months: 1 });
  });

  it('later commands see the discovered columns', async () => {
    await expectRows(engine, 'eventName=AssumeRole | timechart span=1d count by result_id | where AccessDenied > 0 | table _time AccessDenied', [
      { _time: day(4), AccessDenied: 1 },
    ]);
  });

  it('column names and values from the data stay data', async () => {
    await expectRows(engine, `| makeresults count=3 | streamstats count as n | eval who=case(n==1, "x'); DROP TABLE events; --", n==2, "a\\"b") | timechart span=1h count by who`, [
      { _time: SAMPLE_NOW, 'a"b': 1, "x'); DROP TABLE events; --": 1, NULL: 1 },
    ]);
  });

  it('without data, shows a placeholder and the question it will ask', () => {
    const compiled = compile('index=* | timechart span=1d count by eventName limit=3', { now: SAMPLE_NOW });
    expect(compiled.discoveries?.map((d) => d.what)).toEqual(['the values of eventName, ranked by count']);
    expect(compiled.sql).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("index" IS NOT NULL, false)
      ),
      s1 AS (
        SELECT *, floor("_time" / 86400) * 86400 AS "__row", "eventName" AS "__split" FROM s0
      ),
      s3 AS (
        SELECT "__row", "__split", count(*) AS "__a0" FROM s1
          WHERE "__row" IS NOT NULL
          GROUP BY "__row", "__split"
      ),
      s7 AS (
        SELECT min("__row") AS "lo", max("__row") AS "hi" FROM s3
      ),
      s8 AS (
        SELECT "lo" + unnest(range(0, CASE WHEN CAST(round(("hi" - "lo") / 86400) AS BIGINT) + 1 > 50000 THEN error('timechart: the span would make ' || CAST(CAST(round(("hi" - "lo") / 86400) AS BIGINT) + 1 AS VARCHAR) || ' time buckets from the first event to the last, more than 50000: give a larger span=') ELSE CAST(round(("hi" - "lo") / 86400) AS BIGINT) + 1 END)) * 86400 AS "__row" FROM s7
      ),
      s9 AS (
        SELECT l.*, r."__split" AS "__split", r."__a0" AS "__a0"
          FROM s8 l LEFT JOIN s3 r ON l."__row" = r."__row"
      ),
      s10 AS (
        /* one column per value of eventName (top 3 by total, then NULL and OTHER): discovered when the search runs */
        SELECT "__row" AS "_time", row_number() OVER (ORDER BY "__row") AS "__seq" FROM s9
          GROUP BY "__row"
      )
      SELECT "_time"
      FROM s10
      ORDER BY "__seq""
    `);
  });

  it('rejects bad arguments with a span', () => {
    expect(errorOf('index=* | timechart span=fortnight count').diagnostic.message).toBe('cannot read span=fortnight');
    expect(errorOf('index=* | timechart count by a b').diagnostic.span).toEqual({ start: 31, end: 32 });
    expect(errorOf('index=* | timechart limit=x count by a').diagnostic.message).toContain('limit=');
    expect(errorOf('index=* | timechart by a').diagnostic.message).toBe('timechart needs at least one function, such as count');
  });
});

describe('chart', () => {
  it('over a field by another: rows sorted like stats, 0 for missing counts', async () => {
    const expected = [
      { 'userIdentity.type': 'AWSAccount', failure: 0, success: 21 },
      { 'userIdentity.type': 'AWSService', failure: 0, success: 48 },
      { 'userIdentity.type': 'AssumedRole', failure: 0, success: 16 },
      { 'userIdentity.type': 'IAMUser', failure: 1, success: 15 },
    ];
    await expectRows(engine, 'eventName=AssumeRole | chart count over userIdentity.type by action', expected);
    await expectRows(engine, 'eventName=AssumeRole | chart count by userIdentity.type, action', expected);
    await expectRows(engine, 'eventName=AssumeRole | chart count by userIdentity.type action', expected);
  });

  it('over one field only, like stats', async () => {
    await expectRows(engine, 'eventName=AssumeRole | chart count dc(user) as users over action', [
      // The add-on's user for AssumeRole is the session name the call handed out (none when refused).
      { action: 'failure', count: 1, users: 0 },
      { action: "success", count: 100, users: 16 },
    ]);
  });

  it('a pivot over a pivot: the second question is asked once the first is answered', async () => {
    await expectRows(engine, 'eventName=AssumeRole | chart count over userIdentity.type by action | eval k="all" | chart sum(success) over k by userIdentity.type', [
      { k: 'all', AWSAccount: 21, AWSService: 48, AssumedRole: 16, IAMUser: 15 },
    ]);
  });

  it('relative times without a fixed clock: every round compiles with the same now', async () => {
    const result = await engine.run('eventName=AssumeRole earliest=-100y | chart count over userIdentity.type by action');
    expect(result.columns).toEqual(['userIdentity.type', 'failure', 'success']);
  });

  it('no events: no rows, no error', async () => {
    await expectRows(engine, 'eventName=NoSuchCall | timechart count by user', []);
    await expectRows(engine, 'eventName=NoSuchCall | chart count over user by action', []);
  });

  it('compiles to a group, then a pivot of the values the engine discovered', () => {
    const spl = 'eventName=AssumeRole | chart count over userIdentity.type by action limit=1';
    const first = compile(spl, { now: SAMPLE_NOW });
    expect(first.discoveries).toHaveLength(1);
    const question = first.discoveries![0]!;
    // The question is plan steps: each split value's total, ranked (the missing value first), the first limit + 2.
    expect(question.sql).toContain('SELECT "__split" AS "v", sum("__a0") AS "t" FROM s3\n    GROUP BY "__split"');
    expect(question.sql).toContain('row_number() OVER (ORDER BY "v" IS NULL DESC NULLS LAST, "t" DESC NULLS LAST, "v") AS "__seq" FROM s4');
    expect(question.sql).toMatch(/SELECT \* FROM s5 ORDER BY "__seq" LIMIT 3\n\)\nSELECT "v"\nFROM s6\nORDER BY "__seq"$/);
    const second = compile(spl, { now: SAMPLE_NOW, discovered: { [question.key]: [null, 'success', 'failure'] } });
    expect(second.discoveries).toBeUndefined();
    expect(second.columns).toEqual(['userIdentity.type', 'success', 'NULL', 'OTHER']);
    expect(second.sql.slice(second.sql.indexOf('s3 AS'))).toMatchInlineSnapshot(`
      "s3 AS (
        SELECT "__row", "__split", count(*) AS "__a0" FROM s1
          WHERE "__row" IS NOT NULL
          GROUP BY "__row", "__split"
      ),
      s7 AS (
        SELECT "__row" AS "userIdentity.type", coalesce(any_value("__a0") FILTER (WHERE "__split" = 'success'), 0) AS "success", coalesce(any_value("__a0") FILTER (WHERE "__split" IS NULL), 0) AS "NULL", coalesce(sum("__a0") FILTER (WHERE "__split" IS NOT NULL AND "__split" NOT IN ('success')), 0) AS "OTHER", row_number() OVER (ORDER BY TRY_CAST("__row" AS DOUBLE), "__row") AS "__seq" FROM s3
          GROUP BY "__row"
      )
      SELECT "userIdentity.type", "success", "NULL", "OTHER"
      FROM s7
      ORDER BY "__seq""
    `);
  });

  it('rejects a third field', () => {
    expect(errorOf('index=* | chart count by a, b, c').diagnostic.message).toBe('chart splits by one field (over <row field> by <column field>)');
    expect(errorOf('index=* | chart count over a b').diagnostic.message).toContain('after the over-field');
  });
});
