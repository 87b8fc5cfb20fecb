// Events loaded more than once: an account with several trails (one per region, or an account
// trail beside an organisation trail) gets each global-service event from every trail, with the
// same eventID. Splunk counts them as indexed, so searches do too unless the analyst asks for one
// copy of each (--dedup-events); either way the load report says how many there are.
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { writeAtomic } from './cache-files.js';

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
 * The key of a set of cached files: a changed file is another key. Hashed as it goes, a block of
 * files at a time: each file's index (as JSON), path and segment as text, each ending in NUL (a
 * path holds none, and JSON writes it escaped), and its five numbers as 64-bit floats beside.
 * One JSON text of every file was 0.08-0.12 CPU-s at 53,819 files, a line per file with the
 * numbers written as text 0.05.
 */
export function filesKey(files: CountedFile[]): string {
  const hash = createHash('sha256');
  const indexes = new Map<string, string>();
  const BLOCK = 1024;
  const numbers = new Float64Array(BLOCK * 5);
  let text = '';
  let n = 0;
  const flush = (): void => {
    hash.update(text);
    hash.update(new Uint8Array(numbers.buffer, 0, n * 5 * 8));
    text = '';
    n = 0;
  };
  for (const { index, entry: e } of files) {
    let quoted = indexes.get(index);
    if (quoted === undefined) indexes.set(index, (quoted = JSON.stringify(index)));
    text += `${quoted}\0${e.path}\0${e.parquet ?? ''}\0`;
    const at = n++ * 5;
    numbers[at] = e.size;
    numbers[at + 1] = e.mtimeMs;
    numbers[at + 2] = e.ctimeMs;
    numbers[at + 3] = e.ino;
    numbers[at + 4] = e.rows;
    if (n === BLOCK) flush();
  }
  flush();
  return hash.digest('hex').slice(0, 32);
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
    writeAtomic(file, JSON.stringify(Object.fromEntries([...kept, [key, n]])));
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
