// The day partitions on the sample in the Athena table's shape (test/trino/): a time-bounded
// search over a table whose day is one `timestamp` partition, or AWS's organisation table's
// `year`/`month`/`day` (here unpadded, as ALTER TABLE ADD PARTITION may have written them), gives
// the local engine's rows; and the partition predicates alone keep exactly the days they name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { athenaTable, partitionPredicates } from '../src/compiler/print/athena-table.js';
import type { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';
import { ATHENA_TABLE, canonical, openHarness, type TrinoHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';

let engine: Engine;
let harness: TrinoHarness;
beforeAll(async () => {
  [engine, harness] = await Promise.all([sampleEngine(), openHarness()]);
});
afterAll(() => {
  engine?.close();
  harness?.close();
});

const t = (iso: string) => Date.parse(iso) / 1000;

describe('day partitions', () => {
  it('keeps exactly the day folders of the range, one more at the end, for both layouts', async () => {
    const bounds = { earliest: t('2026-11-22T10:00:00Z'), latest: t('2026-11-24T00:00:00Z') };
    const days = async (partitions: string) => {
      const where = partitionPredicates({ ...athenaTable(ATHENA_TABLE, partitions) }, bounds).join(' AND ');
      return (await harness.rows(`SELECT DISTINCT "timestamp" AS d FROM ${ATHENA_TABLE} WHERE ${where} ORDER BY 1`)).map((r) => r.d);
    };
    expect(await days('timestamp')).toEqual(['2026/11/22', '2026/11/23', '2026/11/24', '2026/11/25']);
    expect(await days('account,region,year,month,day')).toEqual(['2026/11/22', '2026/11/23', '2026/11/24', '2026/11/25']);
  });

  for (const partitions of ['timestamp', 'account,region,year,month,day']) {
    it(`a time-bounded search gives the local rows (--partitions ${partitions})`, async () => {
      const spl = 'sourcetype=aws:cloudtrail awsRegion=us-east-1 earliest=-5d@d latest=-2d@d | stats count by eventName';
      const compiled = await engine.prepareTrino(spl, { now: SAMPLE_NOW, table: athenaTable(ATHENA_TABLE, partitions) });
      expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
      const local = (await engine.run(spl, { now: SAMPLE_NOW })).rows.map((r) => `${r.eventName} ${Number(r.count)}`);
      expect(local.length).toBeGreaterThan(0);
      expect((await harness.rows(compiled.sql)).map((r) => `${r.eventName} ${canonical(Number(r.count))}`)).toEqual(local);
      expect(compiled.partitions[0]).toBe(`${partitions === 'timestamp' ? 'timestamp' : 'year/month/day'}: days 2026/11/23 to 2026/11/27`);
    });
  }
});
