// The schema of every step, as the plan states it (derived from the step, or stated by its
// command where the step cannot say it), against the columns DuckDB gives that step's rows, for
// every canned query in queries/: the same names, and the shown fields in the same order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnName } from '../src/compiler/print/duckdb.js';
import { present } from '../src/compiler/print/plan.js';
import type { Schema } from '../src/compiler/ir/plan.js';
import { Engine } from '../src/engine/engine.js';
import { listQueries } from '../src/engine/queries.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';

/** Investigation parameters: any value will do, only the columns are compared. */
const PARAMS: Record<string, string> = { arn: 'x', access_key_id: 'x', src_user: 'x', ip: '1.2.3.4', region: 'x', user: 'x', city: 'x', country: 'x', geo_region: 'x' };

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

async function columnsOf(sql: string): Promise<string[]> {
  const reader = await engine.connection.runAndReadAll(`SELECT * FROM (${sql}) LIMIT 0`);
  return reader.columnNames();
}

/**
 * What is wrong with a schema against the columns DuckDB has, or nothing. A field is the column
 * columnName() spells it as (DuckDB folds case, Splunk does not).
 */
function mismatch(schema: Schema, physical: string[]): string | undefined {
  const has = new Set(physical);
  const missing = [...schema.fields.keys()].filter((n) => !has.has(columnName(n)));
  if (missing.length) return `the schema has ${missing.join(', ')}, the rows do not`;
  const spelled = new Map([...schema.fields.keys()].map((n) => [columnName(n), n]));
  const extra = physical.filter((c) => !present(schema, spelled.get(c) ?? c));
  if (extra.length) return `the rows have ${extra.join(', ')}, the schema does not`;
  return undefined;
}

describe('the plan schema of every step matches DuckDB', () => {
  for (const q of listQueries()) {
    it(q.id, async () => {
      const params = Object.fromEntries(q.parameters.map((p) => [p.name, PARAMS[p.name] ?? "x"]));
      const { compiled } = await engine.prepareWithData(q.spl, { now: SAMPLE_NOW, params });
      const plan = compiled.plan!;
      for (const step of plan.steps) {
        const physical = await columnsOf(`WITH ${plan.ctes}\nSELECT * FROM ${step.name}`);
        expect(mismatch(step.schema, physical), `${q.id} ${step.name}`).toBeUndefined();
      }
      // The result: the shown fields of the last step, in order, are what DuckDB returns.
      expect(await columnsOf(compiled.sql)).toEqual(compiled.columns.map(columnName));
    });
  }
});
