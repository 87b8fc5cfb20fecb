// Events loaded more than once: an account with several trails (one per region, or an account
// trail beside an organisation trail) gets each global-service event from every trail, with the
// same eventID. Splunk counts them as indexed, so searches do too unless the analyst asks for one
// copy of each (--dedup-events); either way the load report says how many there are.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';

/** The `__seq` of every extra copy the `events` view hides when duplicates are dropped. */
export const DUPLICATES_TABLE = '__spelunk_duplicates';

/**
 * The copies to drop: for each eventID, every row after the first in Splunk's order (newest
 * first, then by source path), so the copy kept does not depend on the order files were read.
 * Events without an eventID are never duplicates of each other.
 */
const EXTRA_COPIES = `SELECT __seq AS seq FROM (
  SELECT __seq, row_number() OVER (PARTITION BY "eventID" ORDER BY __seq) AS n
  FROM ${EVENTS_TABLE} WHERE "eventID" IS NOT NULL
) WHERE n > 1`;

async function scalar(conn: DuckDBConnection, sql: string): Promise<number> {
  const rows = (await conn.runAndReadAll(sql)).getRows();
  return Number(rows[0]?.[0] ?? 0);
}

/** Rows of `events` that repeat an eventID already counted (0 when there are none). */
export function countDuplicates(conn: DuckDBConnection): Promise<number> {
  return scalar(conn, `SELECT count("eventID") - count(DISTINCT "eventID") FROM ${EVENTS_TABLE}`);
}

/** Counts kept for the file sets seen last, so that a warm start does not read every eventID again. */
const REMEMBERED = 64;

/** What a set of cached files is for `rememberedCount`: each file's index, path, size, times, rows and segment. */
export interface CountedFile {
  index: string;
  entry: { path: string; size: number; mtimeMs: number; ctimeMs: number; ino: number; rows: number; parquet: string | null };
}

/**
 * The key of a set of cached files: a changed file is another key. Hashed a line per file as it
 * goes (a file's path holds no NUL, an index is written as JSON): one JSON text of every file was
 * twice the time, 0.08-0.12 CPU-s at 53,819 files.
 */
export function filesKey(files: CountedFile[]): string {
  const hash = createHash('sha256');
  const indexes = new Map<string, string>();
  let text = '';
  for (const { index, entry: e } of files) {
    let quoted = indexes.get(index);
    if (quoted === undefined) indexes.set(index, (quoted = JSON.stringify(index)));
    text += `${quoted}\0${e.path}\0${e.size}\0${e.mtimeMs}\0${e.ctimeMs}\0${e.ino}\0${e.rows}\0${e.parquet}\n`;
    if (text.length > 65536) {
      hash.update(text);
      text = '';
    }
  }
  return hash.update(text).digest('hex').slice(0, 32);
}

/**
 * The duplicate count of a set of cached files, remembered in `file` under their key (filesKey).
 * Counting a million events' eventIDs through the cache's view took 1-3 s, more than the rest of
 * a warm start.
 */
export async function rememberedCount(file: string, key: string, count: () => Promise<number>): Promise<number> {
  let known: Record<string, number> = {};
  try {
    known = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    // None yet, or unreadable: counted again.
  }
  if (typeof known[key] === 'number') return known[key];
  const n = await count();
  const kept = Object.entries(known).filter(([, v]) => typeof v === 'number').slice(-(REMEMBERED - 1));
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries([...kept, [key, n]])));
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written costs the count next time, nothing else.
  }
  return n;
}

/** Deletes the extra copies from the in-memory events table; returns how many went. */
export async function deleteDuplicates(conn: DuckDBConnection): Promise<number> {
  const r = await conn.run(`DELETE FROM ${EVENTS_TABLE} WHERE __seq IN (${EXTRA_COPIES})`);
  return r.rowsChanged;
}

/**
 * Records the extra copies of a view over the cache (built over every loaded file, without
 * dropping anything) in DUPLICATES_TABLE, for the view to leave out; returns how many.
 */
export async function recordDuplicates(conn: DuckDBConnection): Promise<number> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${DUPLICATES_TABLE} AS ${EXTRA_COPIES}`);
  return scalar(conn, `SELECT count(*) FROM ${DUPLICATES_TABLE}`);
}

/** The note under the load summary. */
export function describeDuplicates(d: { events: number; dropped: boolean }): string | null {
  if (d.events === 0) return null;
  const n = d.events.toLocaleString('en-US');
  if (d.dropped) return `note: dropped ${n} duplicate event${d.events === 1 ? '' : 's'} (an eventID loaded more than once, as several trails deliver global events): one copy of each is kept (--dedup-events)`;
  return `note: ${n} event${d.events === 1 ? ' repeats an eventID' : 's repeat eventIDs'} already loaded (an account with several trails gets global events from each): searches count every copy, as Splunk does; --dedup-events (:load --dedup-events in the REPL) keeps one of each`;
}
