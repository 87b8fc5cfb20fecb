// `lookup` on Athena or Trino reads the table of the lookup's name (docs/athena.md): the search
// prints Trino SQL that Trino's grammar accepts and that reads that table, and run on the sample in
// the Athena table's shape, with the lookup loaded as a table of text columns (as a CSV-backed
// Athena table gives it), it gives the rows the local engine gives from the local file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';
import { canonical, openHarness, type TrinoHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';

const state = mkdtempSync(join(tmpdir(), 'spelunk-trino-lookup-'));
const OWNERS = 'account,owner,tier\n111122223333,payments,prod\n444455556666,platform,dev\n';
let engine: Engine;
let harness: TrinoHarness;

beforeAll(async () => {
  mkdirSync(join(state, 'lookups'), { recursive: true });
  writeFileSync(join(state, 'lookups', 'account_owners.csv'), OWNERS);
  engine = await Engine.open({ stateDir: state });
  await engine.load([SAMPLE_DIR]);
  harness = await openHarness();
  await harness.loadCsv('account_owners', join(state, 'lookups', 'account_owners.csv'));
});
afterAll(() => {
  engine?.close();
  harness?.close();
  rmSync(state, { recursive: true, force: true });
});

async function sameRows(spl: string): Promise<string> {
  const compiled = await engine.prepareTrino(spl, { now: SAMPLE_NOW });
  expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
  const local = await engine.run(spl, { now: SAMPLE_NOW });
  const text = (row: Record<string, unknown>) => compiled.columns.map((c) => (compiled.types[c] === 'number' && row[c] !== null && row[c] !== undefined ? String(Number(row[c])) : canonical(row[c]))).join(' | ');
  const expected = local.rows.map(text);
  expect(expected.length).toBeGreaterThan(0);
  expect((await harness.rows(compiled.sql)).map(text)).toEqual(expected);
  return compiled.sql;
}

describe('lookup against the Athena table of the same name', () => {
  it('OUTPUT: the table\'s columns onto each matching event, events that match nothing keep theirs', async () => {
    const sql = await sameRows('sourcetype=aws:cloudtrail | lookup account_owners account AS recipientAccountId OUTPUT owner, tier AS env | stats count by recipientAccountId owner env');
    expect(sql).toContain('FROM "account_owners"');
  });

  it('a multivalue key: each value looked up (a CROSS JOIN UNNEST where DuckDB unnests in the select list)', async () => {
    const sql = await sameRows('sourcetype=aws:cloudtrail eventName=AssumeRole | eval a=split(recipientAccountId . ",444455556666,000000000000", ",") | lookup account_owners account AS a OUTPUT owner | stats count by recipientAccountId owner');
    expect(sql).toContain('CROSS JOIN UNNEST(');
  });

  it('every other column without OUTPUT, and OUTPUTNEW only fills what is empty', async () => {
    await sameRows('sourcetype=aws:cloudtrail | eval owner=if(eventName=="AssumeRole", "kept", null()) | lookup account_owners account AS recipientAccountId OUTPUTNEW owner | stats count by recipientAccountId owner');
    await sameRows('sourcetype=aws:cloudtrail eventName=AssumeRole | lookup account_owners account AS recipientAccountId | table eventID recipientAccountId owner tier');
  });
});
