// chart and timechart split by a field on Athena or Trino: the columns are named by the field's
// values, so the engine the search runs on is asked for them first (one query, the same ranking
// as locally: Splunk's timechart page, "limit: ... the top N series by the sum of the values,
// the others in OTHER"; useother=, usenull= as documented there and on the chart page,
// https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Timechart). Here the
// harness (test/trino/) is that engine: the questions and then the search run on the sample in
// the Athena table's shape and must give the local rows, columns and order.
import { describe, expect, it } from 'vitest';
import { compileTrino } from '../src/compiler/trino-compile.js';
import type { DiscoveredValue } from '../src/compiler/types.js';
import { SAMPLE_NOW } from './helpers.js';
import { rowText, sampleAndHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';

const both = sampleAndHarness();

/** The search printed for Trino after its questions were answered by the harness; how many it asked. */
async function answered(spl: string): Promise<{ sql: string; columns: string[]; types: Record<string, string>; asked: number }> {
  const discovered: Record<string, DiscoveredValue[]> = {};
  let asked = 0;
  for (;;) {
    const c = await both.engine.prepareTrino(spl, { now: SAMPLE_NOW, askEngine: true, discovered });
    if (!c.questions?.length) return { ...c, asked };
    for (const q of c.questions) {
      asked++;
      expect(await trinoSyntaxErrors(q.sql), q.sql).toEqual([]);
      const rows = await both.harness.rows(q.sql);
      discovered[q.key] = rows.flatMap((r) => q.columns.map((col) => (r[col] === null || r[col] === undefined ? null : String(r[col]))));
    }
  }
}

async function same(spl: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  const compiled = await answered(spl);
  expect(compiled.asked).toBeGreaterThan(0);
  expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
  const text = rowText(compiled);
  const local = await both.engine.run(spl, { now: SAMPLE_NOW });
  expect(compiled.columns).toEqual(local.columns);
  expect((await both.harness.rows(compiled.sql)).map(text), compiled.sql).toEqual(local.rows.map(text));
  return local;
}

describe('chart and timechart split by a field, printed for Trino after asking the engine', () => {
  it('explain alone cannot print it, and says the engine is asked on a run', () => {
    expect(() => compileTrino('sourcetype=aws:cloudtrail | timechart span=1d count by eventName', { now: SAMPLE_NOW }))
      .toThrow(/needs the values of eventName, ranked by count to be printed \(they name its columns\): run it with --engine athena\|trino:\/\/\.\.\., which asks the engine for them first/);
  });

  it('asks one question in Trino SQL, ranked as locally', async () => {
    const c = await both.engine.prepareTrino('sourcetype=aws:cloudtrail | timechart span=1d limit=3 count by eventName', { now: SAMPLE_NOW, askEngine: true });
    expect(c.sql).toBe('');
    expect(c.questions).toHaveLength(1);
    expect(c.questions![0]!.what).toBe('the values of eventName, ranked by count');
    expect(c.questions![0]!.columns).toEqual(['v']);
    expect(c.questions![0]!.sql).toContain('row_number() OVER (ORDER BY "v" IS NULL DESC');
    expect(c.questions![0]!.sql).toMatch(/LIMIT 5\n/);
  });

  // Statements of many columns: Trino's grammar check takes a while on a busy machine.
  const slow = 180_000;

  it('timechart by a field: every value', async () => {
    const all = await same('sourcetype=aws:cloudtrail | timechart span=1d count by eventName');
    expect(all.columns.length).toBeGreaterThan(5);
  }, slow);

  it('timechart by a field: the top N and OTHER, bottom N, useother=f', async () => {
    const top = await same('sourcetype=aws:cloudtrail | timechart span=1d limit=3 count by eventName');
    expect(top.columns).toContain('OTHER');
    await same('sourcetype=aws:cloudtrail | timechart span=1d limit=bottom2 count by eventName');
    const plain = await same('sourcetype=aws:cloudtrail | timechart span=1d limit=3 useother=f count by eventName');
    expect(plain.columns).not.toContain('OTHER');
  }, slow);

  it('timechart of two aggregations by a field, with a where after it', async () => {
    await same('sourcetype=aws:cloudtrail | timechart span=12h limit=2 count, dc(sourceIPAddress) AS ips by awsRegion | where _time > 0');
  }, slow);

  it('chart by two fields, chart over ... by', async () => {
    await same('sourcetype=aws:cloudtrail | chart count by eventName, awsRegion');
    await same('sourcetype=aws:cloudtrail | chart count over eventSource by awsRegion limit=2');
  }, slow);

  it('a NULL column for events without the field, none with usenull=f', async () => {
    // result_id: CloudTrail's errorCode as recorded, absent on success (charts.test.ts).
    const nulls = await same('eventName=AssumeRole | timechart span=1d count by result_id');
    expect(nulls.columns).toEqual(['_time', 'AccessDenied', 'NULL']);
    const without = await same('eventName=AssumeRole | timechart span=1d count by result_id usenull=f');
    expect(without.columns).toEqual(['_time', 'AccessDenied']);
  }, slow);

  // A number split is asked as its text, which the printers give as locally (Splunk's column names
  // are the values as they print: 1.08, 5.5, 10): a field of the table that holds numbers, and
  // numbers eval makes, whole and fractional, with limit=, usenull= and OTHER.
  it('number splits: a column of numbers, and numbers made by eval', async () => {
    const versions = await same('sourcetype=aws:cloudtrail | timechart span=1d count by eventVersion');
    expect(versions.columns).toEqual(['_time', '1.08', '1.09']);
    const lengths = await same('sourcetype=aws:cloudtrail | eval n=len(eventName) | timechart span=1d limit=3 count by n');
    expect(lengths.columns).toEqual(['_time', '10', '15', '9', 'OTHER']);
    const halves = await same('sourcetype=aws:cloudtrail | eval n=len(eventName)/2 | chart count over eventSource by n');
    expect(halves.columns).toContain('5.5');
    const some = await same('sourcetype=aws:cloudtrail | eval n=if(len(eventName)>12, len(eventName), null()) | chart count over awsRegion by n limit=2 usenull=f');
    expect(some.columns).toEqual(['awsRegion', '15', '17', 'OTHER']);
    await same('sourcetype=aws:cloudtrail | eval n=if(len(eventName)>12, len(eventName), null()) | chart count over awsRegion by n limit=2');
  }, slow);
});
