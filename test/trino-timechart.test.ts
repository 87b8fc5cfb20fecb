// timechart on Athena or Trino: every bucket from the first to the last (or over the search's
// range, fixedrange=t) with the empty ones filled, as locally. Splunk's timechart page: "cont:
// Specifies whether the chart is continuous or not. If set to true, the Search app fills in the
// time gaps" (https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Timechart).
// DuckDB's unnest() in a select list is printed as CROSS JOIN UNNEST over sequence() blocks of
// 10,000 (Trino's most per sequence). Each search runs locally and, printed for Trino, on the
// sample in the Athena table's shape (test/trino/): the same rows, in the same order.
import { describe, expect, it } from 'vitest';
import { compileTrino } from '../src/compiler/trino-compile.js';
import { SAMPLE_NOW } from './helpers.js';
import { rowText, sampleAndHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';

const both = sampleAndHarness();

/** The local rows, after checking Trino gives the same in the same order. */
async function same(spl: string): Promise<Record<string, unknown>[]> {
  const compiled = await both.engine.prepareTrino(spl, { now: SAMPLE_NOW });
  expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
  const text = rowText(compiled);
  const local = await both.engine.run(spl, { now: SAMPLE_NOW });
  expect(compiled.columns).toEqual(local.columns);
  expect((await both.harness.rows(compiled.sql)).map(text), compiled.sql).toEqual(local.rows.map(text));
  return local.rows;
}

describe('timechart fills empty buckets on Trino', () => {
  it('prints the fill as CROSS JOIN UNNEST over sequence() blocks, the cap as a failed cast', () => {
    const sql = compileTrino('sourcetype=aws:cloudtrail | timechart span=1h count', { now: SAMPLE_NOW }).sql;
    expect(sql).toContain('SELECT "lo" + "__k" * 3600 AS "__row" FROM s4');
    expect(sql).toContain(`CROSS JOIN UNNEST(sequence(0, CASE WHEN "__count" > 50000 THEN CAST('timechart: the span would make ' || CAST("__count" AS VARCHAR) || ' time buckets from the first event to the last, more than 50000: give a larger span=' AS BIGINT) WHEN "__count" > 0 THEN 4 END)) AS __b("__block")`);
    expect(sql).toContain('sequence("__block" * 10000, ');
    expect(sql).not.toMatch(/\bunnest\(/);
  });

  it('hours, days and weeks from the first event to the last, with zeros', async () => {
    const hours = await same('sourcetype=aws:cloudtrail | timechart span=1h count');
    expect(hours.some((r) => Number(r.count) === 0)).toBe(true);
    await same('sourcetype=aws:cloudtrail | timechart span=1d count, dc(eventName) AS names');
    await same('sourcetype=aws:cloudtrail | timechart span=1w count');
    await same('sourcetype=aws:cloudtrail | timechart span=w@w1 count');
  });

  it("over the search's range (fixedrange=t), with a where and a limit after it", async () => {
    // The sample's events are from 20 to 27 November 2026; the range reaches before and after.
    const rows = await same('sourcetype=aws:cloudtrail earliest=-10d latest=-1d | timechart span=1d count');
    expect(rows.map((r) => Number(r._time))).toEqual(Array.from({ length: 9 }, (_, i) => Date.UTC(2026, 10, 18 + i) / 1000));
    expect(rows.slice(0, 2).map((r) => Number(r.count))).toEqual([0, 0]);
    await same('sourcetype=aws:cloudtrail eventName=AssumeRole earliest=-90d | timechart span=1d count | where count > 0');
    await same('sourcetype=aws:cloudtrail | timechart span=6h max(eventVersion) AS v | head 5');
  });

  it('months, from the first day of each', async () => {
    await same('sourcetype=aws:cloudtrail | timechart span=1mon count');
    const rows = await same('sourcetype=aws:cloudtrail earliest=-400d | timechart span=2mon count');
    expect(rows.length).toBeGreaterThan(5);
  });

  it('bin by weeks and months, and makecontinuous over the buckets', async () => {
    await same('sourcetype=aws:cloudtrail | bin _time span=1w | stats count by _time');
    await same('sourcetype=aws:cloudtrail | bin _time span=1mon | stats count by _time');
    const rows = await same('sourcetype=aws:cloudtrail eventName=CreateAccessKey | bin _time span=1h | stats count by _time | makecontinuous _time span=1h');
    expect(rows.some((r) => r.count === null)).toBe(true);
  });

  it('no events, no buckets', async () => {
    const rows = await same('sourcetype=aws:cloudtrail eventName=NoSuchCall | timechart span=1h count');
    expect(rows).toEqual([]);
  });
});
