// Every saved search in queries/ as Trino SQL over the Athena CloudTrail table: Trino's grammar
// accepts it, and run on the sample in the table's shape (test/trino/) it gives the rows the local
// engine gives, in the same order. A search with no faithful Trino form must be refused by name.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplError } from '../grammar/diagnostics.js';
import { Engine } from '../src/engine/engine.js';
import { listQueries, resolvedSpl, resolveSearch } from '../src/engine/queries.js';
import type { Row } from '../src/engine/types.js';
import { SAMPLE_DIR, SAMPLE_NOW, SAMPLE_PARAMS } from './helpers.js';
import { canonical, openHarness, type TrinoHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';


/** Searches refused for Athena, and why (each must say so by name). */
const REFUSED: Record<string, RegExp> = {
  aws_activity_from_city: /iplocation/,
  aws_activity_from_country: /iplocation/,
  aws_activity_from_geo_region: /iplocation/,
};

let engine: Engine;
let harness: TrinoHarness;
const state = mkdtempSync(join(tmpdir(), 'spelunk-trino-'));
beforeAll(async () => {
  engine = await Engine.open({ stateDir: state });
  await engine.load([SAMPLE_DIR]);
  // The baseline the new-pair detection reads: written locally, read as an Athena table.
  await engine.run(resolvedSpl(resolveSearch('aws_cross_account_baseline')), { now: SAMPLE_NOW });
  harness = await openHarness();
  await harness.loadCsv('previously_seen_aws_cross_account_pairs', join(state, 'lookups', 'previously_seen_aws_cross_account_pairs.csv'));
});
afterAll(() => {
  engine?.close();
  harness?.close();
  rmSync(state, { recursive: true, force: true });
});

function rowText(row: Row | Record<string, unknown>, columns: string[], types: Record<string, string>): string {
  return columns.map((c) => {
    const v = row[c];
    if (types[c] === 'number' && v !== null && v !== undefined) return String(Number(v));
    return canonical(v);
  }).join(' | ');
}

const summary: string[] = [];

describe('queries/ in Trino', () => {
  for (const q of listQueries()) {
    it(q.id, async () => {
      const spl = resolvedSpl(resolveSearch(q.id));
      const params = Object.fromEntries(q.parameters.map((p) => [p.name, SAMPLE_PARAMS[p.name]!]));
      let compiled;
      try {
        compiled = await engine.prepareTrino(spl, { now: SAMPLE_NOW, params });
      } catch (err) {
        if (REFUSED[q.id] && err instanceof SplError) {
          expect(err.message).toMatch(REFUSED[q.id]!);
          summary.push(`${q.id}: refused (${err.message})`);
          return;
        }
        throw err;
      }
      expect(REFUSED[q.id], `${q.id} printed but is listed as refused`).toBeUndefined();
      expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
      const local = await engine.run(spl, { now: SAMPLE_NOW, params });
      const expected = local.rows.map((r) => rowText(r, compiled.columns, compiled.types));
      const got = (await harness.rows(compiled.sql)).map((r) => rowText(r, compiled.columns, compiled.types));
      expect(got, `Trino SQL:\n${compiled.sql}`).toEqual(expected);
      summary.push(`${q.id}: ${got.length} rows match`);
    });
  }
  afterAll(() => console.log(summary.join('\n')));
});
