// What DuckDB may reach once a session's first search runs: see EventStore.lockDown.
import type { DuckDBConnection } from '@duckdb/node-api';
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { str } from '../compiler/sql.js';
import { duckdbPath } from './load-paths.js';

/**
 * Takes away DuckDB's access to every file but those below `allowedDirs`, for good (DuckDB cannot
 * re-enable access), and locks its configuration so no statement can give it back.
 */
export async function lockDown(conn: DuckDBConnection, allowedDirs: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const dir of allowedDirs) {
    const names = [resolve(dir)];
    try {
      names.push(realpathSync(dir));
    } catch {
      // Not created yet: its resolved path is the one DuckDB will be given.
    }
    // DuckDB checks a reader's argument as written: a folder holding `[`, `*` or `?` reaches
    // the readers in its escaped form (see duckdbPath).
    for (const name of names) dirs.add(name + sep).add(duckdbPath(name) + sep);
  }
  // One statement list, one trip to DuckDB's thread (a warm start's first search waits for it); it stops at the first that fails.
  await conn.run(`SET allowed_directories = [${[...dirs].map(str).join(', ')}]; SET enable_external_access = false; SET lock_configuration = true`);
}
