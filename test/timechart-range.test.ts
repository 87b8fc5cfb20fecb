// timechart's empty buckets over the search's time range. Splunk's timechart page: `cont=<bool>`
// (default true) fills the time gaps, and `fixedrange=<bool>` (default true) enforces the
// earliest and latest times of the search; fixedrange=f narrows to the range that has data.
// https://help.splunk.com/splunk-enterprise/spl-search-reference/10.0/search-commands/timechart
// https://help.splunk.com/en/splunk-enterprise/search/spl2-search-reference/timechart-command
// A search with no time range (all time) has no bounds to enforce: its buckets run from the first
// event to the last, as before. A search with no results has no rows, whatever its range.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rangeBuckets } from '../src/compiler/commands/time-buckets.js';
import type { Engine } from '../src/engine/engine.js';
import { expectRows, rows, sampleDay, sampleEngine, SAMPLE_NOW, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const day = sampleDay;
/** ConsoleLogin events per sample day. */
const LOGINS: Record<number, number> = { 0: 2, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1 };
const logins = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => ({ _time: day(from + k), count: LOGINS[from + k] ?? 0 }));

describe('timechart fixedrange (buckets over the search time range)', () => {
  it('fills empty buckets at both ends of the global range (--earliest/--latest, :time)', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d count', logins(-2, 9), { earliest: day(-2), latest: day(10) });
  });

  it('reads earliest=/latest= in the search itself', async () => {
    await expectRows(engine, `eventName=ConsoleLogin earliest=${day(-1)} latest=${day(9)} | timechart span=1d count`, logins(-1, 8));
    await expectRows(engine, 'eventName=ConsoleLogin earliest=11/18/2026:00:00:00 latest=11/30/2026:00:00:00 | timechart span=1d count', logins(-2, 9));
  });

  it('a range starting or ending inside a bucket includes that bucket; a latest on a bucket start does not', async () => {
    // [day(-1) + 12h, day(8) + 1s): the buckets of day -1 .. day 8.
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d count', logins(-1, 8), { earliest: day(-1) + 43200, latest: day(8) + 1 });
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d count', logins(-1, 7), { earliest: day(-1), latest: day(8) });
  });

  it('an earliest with no latest runs up to now, as in Splunk', async () => {
    // now = 2026-11-30T12:00:00Z: the last bucket is day 10's.
    await expectRows(engine, 'eventName=ConsoleLogin earliest=-12d@d | timechart span=1d count', logins(-2, 10), { now: day(10) + 43200 });
  });

  it('a split fills every series with 0 in the added buckets', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin OR eventName=CreateAccessKey | timechart span=1d count by eventName', [
      { _time: day(-1), ConsoleLogin: 0, CreateAccessKey: 0 },
      { _time: day(0), ConsoleLogin: 2, CreateAccessKey: 0 },
      { _time: day(1), ConsoleLogin: 0, CreateAccessKey: 1 },
      { _time: day(2), ConsoleLogin: 0, CreateAccessKey: 0 },
      { _time: day(3), ConsoleLogin: 1, CreateAccessKey: 0 },
      { _time: day(4), ConsoleLogin: 1, CreateAccessKey: 1 },
      { _time: day(5), ConsoleLogin: 1, CreateAccessKey: 1 },
      { _time: day(6), ConsoleLogin: 1, CreateAccessKey: 0 },
      { _time: day(7), ConsoleLogin: 1, CreateAccessKey: 1 },
      { _time: day(8), ConsoleLogin: 0, CreateAccessKey: 0 },
    ], { earliest: day(-1), latest: day(9) });
  });

  it('fixedrange=f keeps to the buckets from the first event to the last', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d fixedrange=f count', logins(0, 7), { earliest: day(-2), latest: day(10) });
  });

  it('cont=f fills nothing, range or not', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d cont=f count', [0, 3, 4, 5, 6, 7].map((i) => ({ _time: day(i), count: LOGINS[i] })), { earliest: day(-2), latest: day(10) });
  });

  it('with no time range (all time, or earliest=0), buckets run from the first event to the last', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin | timechart span=1d count', logins(0, 7));
    await expectRows(engine, 'eventName=ConsoleLogin earliest=0 | timechart span=1d count', logins(0, 7));
  });

  it('only a latest: from the first event to the end of the range', async () => {
    await expectRows(engine, `eventName=ConsoleLogin latest=${day(9)} | timechart span=1d count`, logins(0, 8));
  });

  it('no results, no rows, whatever the range', async () => {
    await expectRows(engine, 'eventName=NoSuchCall | timechart span=1d count', [], { earliest: day(-2), latest: day(10) });
  });

  it('the range follows aligntime= and month spans', async () => {
    const r = await rows(engine, 'eventName=ConsoleLogin | timechart span=12h aligntime=@d+6h count', { earliest: day(0), latest: day(1) });
    // Buckets start at 06:00 and 18:00: the one holding day 0's midnight starts at 18:00 the day before.
    expect(r.map((x) => x._time)).toEqual([day(0) - 21600, day(0) + 21600, day(0) + 64800]);
    expect(rangeBuckets({ earliest: day(0), latest: day(40) }, { months: 1 })).toEqual({ from: Date.parse('2026-11-01T00:00:00Z') / 1000, to: Date.parse('2026-12-01T00:00:00Z') / 1000 });
    expect(rangeBuckets({ earliest: day(0), latest: Date.parse('2027-01-01T00:00:00Z') / 1000 }, { months: 1 }).to).toBe(Date.parse('2026-12-01T00:00:00Z') / 1000);
  });

  it("is capped at 50,000 buckets over the search's time range, as Splunk caps it", async () => {
    await expect(engine.run('eventName=ConsoleLogin | timechart span=1m count', { now: SAMPLE_NOW, earliest: day(-60), latest: day(10) }))
      .rejects.toThrow(/timechart: the span would make 100800 time buckets over the search's time range, more than 50000/);
  });

  it('golden SQL: the range widens the data bounds', () => {
    const sql = sqlOf('eventName=ConsoleLogin | timechart span=1d count', { earliest: day(-2), latest: day(10) });
    expect(sql).toContain(`SELECT CASE WHEN min("__row") IS NULL THEN CAST(NULL AS DOUBLE) ELSE least(min("__row"), ${day(-2)}::DOUBLE) END AS "lo", ` +
      `CASE WHEN max("__row") IS NULL THEN CAST(NULL AS DOUBLE) ELSE greatest(max("__row"), ${day(9)}::DOUBLE) END AS "hi" FROM s3`);
  });
});
