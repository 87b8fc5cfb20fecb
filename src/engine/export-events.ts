// `spelunk load --out`: every loaded event written to one Parquet file, replacing the target only
// once the new file is whole and on disk.

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { STORED } from './cache-files.js';
import { sqlString } from './load-sql.js';

/**
 * `spelunk load --out`: every event column but `__seq`, newest first, in one Parquet file that
 * `--data` reads back exactly (the loader recognises the columns). Returns the rows written.
 * Written beside the target and renamed over it once whole and on disk: a failed or killed export
 * (a full disk, Ctrl-C) leaves the file it replaces as it was, never half a Parquet file.
 */
export async function exportEvents(conn: DuckDBConnection, file: string): Promise<number> {
  const target = path.resolve(file);
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.spelunk-${process.pid}.tmp`);
  try {
    const result = await conn.run(
      `COPY (SELECT ${STORED.join(', ')} FROM ${EVENTS_TABLE} ORDER BY "__seq") TO ${sqlString(temp)} (FORMAT parquet)`,
    );
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
    return result.rowsChanged;
  } catch (err) {
    throw new Error(`cannot write ${file}: ${writeFailure(err)}; nothing was replaced`);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Why a write failed, in words (DuckDB's IO errors carry the OS reason in their text). */
function writeFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const text = err instanceof Error ? err.message : String(err);
  if (code === 'ENOSPC' || /no space left/i.test(text)) return 'no space left on device';
  if (code === 'EROFS' || /read-only file system/i.test(text)) return 'read-only file system';
  if (code === 'EACCES' || code === 'EPERM' || /permission denied/i.test(text)) return 'permission denied';
  return text.split('\n')[0]!;
}
