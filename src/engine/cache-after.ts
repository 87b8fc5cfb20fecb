// Answer first, cache after: a first load reads the files into the in-memory `events` table, as
// --no-cache does, so the first search answers without waiting for Parquet to be written; the
// cache is then written from that table. Writing Parquet is about a third of a first load into
// the cache (1M events: ~10 CPU-s of ~40), and the analyst waits for none of it.
//
// The cache it leaves is the one a load into the cache leaves: a segment per UTC day (the day of
// each file's first event), each written whole before the entries that point at it, so a process
// killed at any moment leaves whole days cached and the other files misses, never a wrong hit.

import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { dayOf, STORED, writePack, writeSegment, type CacheEntry } from './cache-files.js';
import { inWalkOrder, type CacheLookup, type Miss } from './cache-lookup.js';
import { finishLoad, NEWEST_ROW_GROUP } from './cache.js';
import type { LoadReport } from './types.js';

/** Whether a lookup is one answer-first takes: every file a miss, and none a spelunk export. */
export function answerFirstFits(look: CacheLookup, maxBytes: number): boolean {
  const bytes = look.misses.reduce((sum, m) => sum + m.size, 0);
  // An export's rows name their original sources, not the file: only the cache's path keeps them.
  return look.entries.length === 0 && look.misses.length > 0 && bytes <= maxBytes && !look.misses.some((m) => /\.parquet$/i.test(m.abs));
}

/** The day-sources table a segment's rows are chosen with. */
const DAY_SOURCES = '__spelunk_day_sources';

/**
 * Writes the rows of `look.misses`, loaded into `conn`'s events table with their absolute paths
 * as `source`, into the cache: one segment per day, then that day's entries, then the manifest.
 * Files the load skipped are not cached (the cause, a half-written file, may pass).
 */
export async function cacheFromTable(conn: DuckDBConnection, dir: string, look: CacheLookup, report: LoadReport, gcGraceMs?: number): Promise<CacheEntry[]> {
  const counts = (
    await conn.runAndReadAll(
      `SELECT source, count(*)::BIGINT AS n, min(_time) AS lo, max(_time) AS hi, min(rowid)::BIGINT AS first, max(rowid)::BIGINT AS last
       FROM ${EVENTS_TABLE} GROUP BY source`,
    )
  ).getRowObjectsJS();
  const bySource = new Map(counts.map((r) => [String(r['source']), r]));
  const days = new Map<string, { entry: CacheEntry; first: number; last: number }[]>();
  const empty: CacheEntry[] = [];
  for (const miss of look.misses) {
    const warnings = report.warnings.filter((w) => w.file === miss.abs);
    if (warnings.some((w) => w.kind === 'skipped')) continue;
    const row = bySource.get(miss.abs);
    const entry = entryOf(miss, row, warnings);
    if (!row) {
      empty.push(entry);
      continue;
    }
    // Pushed, not copied: a day's array copied for each of its files was quadratic (5,000 files a day in a month of one account's 17 regions).
    const member = { entry, first: Number(row['first']), last: Number(row['last']) };
    const day = days.get(dayOf(entry));
    if (day) day.push(member);
    else days.set(dayOf(entry), [member]);
  }
  const entries: CacheEntry[] = [...empty];
  writePack(look.folder, empty);
  // `index` stays empty in the cache: the view fills in the index of each load that reads it.
  const columns = STORED.map((c) => (c === '"index"' ? 'NULL::VARCHAR AS "index"' : c));
  // The newest day's segment in smaller row groups: see NEWEST_ROW_GROUP.
  const newest = newestTime(days.values());
  for (const members of days.values()) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${DAY_SOURCES} (source VARCHAR)`);
    const appender = await conn.createAppender(DAY_SOURCES, 'main', 'temp');
    try {
      for (const m of members) {
        appender.appendVarchar(m.entry.path);
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
    // A file's rows are inserted together, so a day's rows are a few runs of rowids (one per
    // folder and reading path): each run is scanned alone (DuckDB skips to a rowid range), where
    // a filter on source alone scanned the whole table once per day (1M events: 33 CPU-s).
    // Rows of other days inside a run are dropped by the source test. rowid keeps each file's
    // events in their order: the view orders ties by it (__pos).
    const scans = runsOf(members).map(([first, last]) => `
        SELECT ${columns.join(', ')}, rowid::UINTEGER AS __pos, source AS __src
        FROM ${EVENTS_TABLE} WHERE rowid BETWEEN ${first} AND ${last} AND source IN (SELECT source FROM ${DAY_SOURCES})`);
    const segment = await writeSegment(conn, look.folder, scans.join('\nUNION ALL'), members.some((m) => m.entry.maxTime === newest) ? NEWEST_ROW_GROUP : undefined);
    const written = members.map((m) => ({ ...m.entry, parquet: segment.file, parquetBytes: segment.bytes }));
    // A day's entries go after its segment: a kill before them leaves misses, never a wrong hit.
    writePack(look.folder, written);
    entries.push(...written);
  }
  await conn.run(`DROP TABLE IF EXISTS ${DAY_SOURCES}`);
  const ordered = inWalkOrder(entries, look.walked);
  await finishLoad(dir, look.manifest, ordered, true, true, gcGraceMs);
  return ordered;
}

/**
 * The newest event time of the days' files (-Infinity when none has one). A loop, not
 * Math.max(...times): a first load of 150,000 small files would pass as many arguments, past V8's stack.
 */
export function newestTime(days: Iterable<{ entry: CacheEntry }[]>): number {
  let newest = -Infinity;
  for (const members of days) for (const m of members) if (m.entry.maxTime !== null && m.entry.maxTime > newest) newest = m.entry.maxTime;
  return newest;
}

/** Rows of other days a run may step over rather than start another scan. */
const RUN_GAP = 20_000;

/** The files' rowid ranges merged into runs, in rowid order. */
function runsOf(members: { first: number; last: number }[]): [number, number][] {
  const sorted = [...members].sort((a, b) => a.first - b.first);
  const runs: [number, number][] = [];
  for (const m of sorted) {
    const run = runs.at(-1);
    if (run && m.first <= run[1] + 1 + RUN_GAP) run[1] = Math.max(run[1], m.last);
    else runs.push([m.first, m.last]);
  }
  return runs;
}

function entryOf(miss: Miss, row: Record<string, unknown> | undefined, warnings: CacheEntry['warnings']): CacheEntry {
  return {
    path: miss.abs,
    size: miss.size,
    mtimeMs: miss.mtimeMs,
    ctimeMs: miss.ctimeMs,
    ino: miss.ino,
    rows: row ? Number(row['n']) : 0,
    minTime: row?.['lo'] == null ? null : Number(row['lo']),
    maxTime: row?.['hi'] == null ? null : Number(row['hi']),
    warnings,
    eventsSkipped: warnings.reduce((sum, w) => sum + (w.eventsSkipped ?? 0), 0),
    parquet: null,
    parquetBytes: null,
  };
}
