// Loads the session's own DuckDB instance cannot run once a search has locked it (it can then read
// no file but its own: EventStore.lockDown) run in an instance of their own, which never runs a
// search, and hand the events over as a Parquet file in the scratch folder.

import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb.js';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { str } from '../compiler/sql.js';
import { duckdbPath } from './load-paths.js';
import { quoteIdent } from './load-sql.js';
import { loadCloudTrail, renumber, type LoadOptions } from './loader.js';
import type { LoadReport } from './types.js';

/** Runs `work` on a fresh instance's connection (`onConnection` sees it, for an interrupt), then closes both. */
export async function inSeparateInstance<T>(config: Record<string, string>, work: (conn: DuckDBConnection) => Promise<T>, onConnection: (conn: DuckDBConnection | undefined) => void): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', config);
  try {
    const conn = await instance.connect();
    onConnection(conn);
    try {
      await conn.run("SET TimeZone = 'UTC'");
      return await work(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    onConnection(undefined);
    instance.closeSync();
  }
}

/** A Parquet file in the scratch folder (made if need be) for a separate load's events. */
export function scratchParquet(scratch: string, name: string): string {
  if (!existsSync(scratch)) mkdirSync(scratch, { mode: 0o700 });
  return join(scratch, `${name}.parquet`);
}

/** Writes the events table, in order, to `file`. */
export async function copyEventsOut(conn: DuckDBConnection, file: string): Promise<void> {
  await conn.run(`COPY (SELECT * FROM ${EVENTS_TABLE} ORDER BY "__seq") TO ${str(file)} (FORMAT parquet)`);
}

/** Adds the events of `file` (copyEventsOut) to the table, numbered after those it holds; removes the file. */
export async function copyEventsIn(conn: DuckDBConnection, file: string): Promise<void> {
  try {
    await conn.run(`INSERT INTO ${EVENTS_TABLE} SELECT * REPLACE (NULL AS "__seq") FROM read_parquet(${str(duckdbPath(file))})`);
    await renumber(conn);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Drops the in-memory events table once the cache's view stands in for it. */
export async function dropMemoryTable(conn: DuckDBConnection): Promise<void> {
  // Named through its database: `main.events` would find the temporary view first.
  const db = String((await conn.runAndReadAll('SELECT current_database()')).getRows()[0]![0]);
  await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(db)}.main.${EVENTS_TABLE}`);
}

/** A load after the lock: the files read in a separate instance's `conn`, the events written to `file` (copyEventsIn reads them). */
export async function loadOut(conn: DuckDBConnection, paths: string[], opts: LoadOptions, file: string): Promise<LoadReport> {
  const report = await loadCloudTrail(conn, paths, opts);
  await copyEventsOut(conn, file);
  return report;
}
