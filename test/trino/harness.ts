// A DuckDB database holding the sample in the Athena table's shape, with the Trino stand-in
// macros (trino-in-duckdb.ts) and spelunk's own prelude (the IPv4 helpers the cidrmatch rule
// reuses). Tests run the Trino SQL the compiler prints here, and compare with the local engine.
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { SAMPLE_DIR } from '../helpers.js';
import { PRELUDE } from '../../src/compiler/prelude.js';
import { athenaTableSql } from './athena-table.js';
import { TRINO_MACROS, trinoToDuckdb } from './trino-in-duckdb.js';

export const ATHENA_TABLE = 'cloudtrail_logs_pp';

export interface TrinoHarness {
  /** Rows of a Trino statement, run with Trino's meaning; values as plain JSON. */
  rows(trinoSql: string): Promise<Record<string, unknown>[]>;
  /** A lookup as the Athena table of the same name (text columns, as a CSV-backed table). */
  loadCsv(name: string, file: string): Promise<void>;
  close(): void;
}

export async function openHarness(glob = 'fixtures/sample/AWSLogs/**/*.json.gz'): Promise<TrinoHarness> {
  const db = await DuckDBInstance.create(':memory:');
  const c: DuckDBConnection = await db.connect();
  // Athena's session time zone is UTC.
  await c.run("SET TimeZone = 'UTC'");
  // Trino divides integers as integers (5 / 2 is 2), DuckDB as doubles unless told.
  await c.run('SET integer_division = true');
  for (const m of [...PRELUDE, ...TRINO_MACROS]) await c.run(m);
  // A whole path: a load walking folders in this process changes its working folder for a moment
  // (engine/folder-stat.ts), and DuckDB's threads read a relative glob against it (the harness
  // opened beside sampleEngine() read no files, or some, now and then).
  await c.run(athenaTableSql(ATHENA_TABLE, path.resolve(glob)));
  return {
    async rows(trinoSql: string) {
      const sql = trinoToDuckdb(trinoSql);
      try {
        return (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
      } catch (err) {
        throw new Error(`${(err as Error).message}\n-- as DuckDB ran it:\n${sql}`);
      }
    },
    async loadCsv(name: string, file: string) {
      await c.run(`CREATE OR REPLACE TABLE "${name.replace(/"/g, '""')}" AS SELECT * FROM read_csv('${file.replace(/'/g, "''")}', all_varchar = true, header = true)`);
    },
    close() {
      c.closeSync();
      db.closeSync();
    },
  };
}

/** A value as text that compares equal across the two engines' JSON forms (numbers by value). */
export function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** A row as one line of text comparable across the engines: a number column by value (Trino and DuckDB print them differently), the rest canonical. */
export function rowText(compiled: { columns: string[]; types: Record<string, string> }): (row: Record<string, unknown>) => string {
  const number = (c: string, v: unknown) => compiled.types[c] === 'number' && v !== null && v !== undefined;
  return (row) => compiled.columns.map((c) => (number(c, row[c]) ? String(Number(row[c])) : canonical(row[c]))).join(' | ');
}

/** The sample loaded locally and the harness beside it, for a test file comparing the two: opened before its tests, closed after. */
export function sampleAndHarness(): { engine: Engine; harness: TrinoHarness } {
  const both = {} as { engine: Engine; harness: TrinoHarness };
  beforeAll(async () => {
    both.engine = await Engine.open();
    await both.engine.load([SAMPLE_DIR]);
    both.harness = await openHarness();
  });
  afterAll(() => {
    both.engine?.close();
    both.harness?.close();
  });
  return both;
}
