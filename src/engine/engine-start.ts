// The session's DuckDB as the engine opens it (engine.ts): its settings, the prelude's macros and
// functions, the geoip function.
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb.js';
import { PRELUDE } from '../compiler/prelude.js';
import { firstLine, EngineError } from './engine-error.js';
import { duckdbConfig, type EngineOptions } from './engine-options.js';
import { GeoIp } from './geoip.js';
import { SearchRecorder } from './profile.js';
import { removeScratch } from './scratch.js';

/**
 * The instance, its connection for searches, a second one for the field sidebar's counts made
 * ahead (sidebar-job.ts) and a third for the REPL's field paths (paths-job.ts): set up here,
 * since no setting can change once a session is locked.
 */
export async function startDuckDB(opts: EngineOptions, scratch: string): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection; side: DuckDBConnection; paths: DuckDBConnection }> {
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(':memory:', duckdbConfig(opts, scratch));
  } catch (err) {
    removeScratch(scratch);
    // DuckDB only says "Failed to set config"; the options a user gives are the likely cause.
    throw new EngineError(`cannot start DuckDB (${firstLine(err)}): check --memory-limit (a size such as 4GB or 512MB)`, '');
  }
  const conn = await instance.connect();
  const side = await instance.connect();
  const paths = await instance.connect();
  for (const c of [conn, side, paths]) {
    // Times print in UTC whatever the machine's zone, so replays give the same text anywhere.
    await c.run("SET TimeZone = 'UTC'");
    // Progress of a long query (the REPL's field summary), read but never printed by DuckDB.
    await c.run('SET enable_progress_bar = true');
    await c.run('SET enable_progress_bar_print = false');
  }
  // Before the lock; switched on only while a search that asks for it runs (RunOptions.profile).
  await new SearchRecorder(scratch).setUp(conn);
  for (const sql of PRELUDE) await conn.run(sql);
  new GeoIp().register(conn);
  return { instance, conn, side, paths };
}
