// The duplicate count over the cache's view (duplicates.ts). During an incident new log files
// land every five minutes and are loaded again, in the REPL or by a new run: counting every
// eventID again cost 3-4 CPU-s at 5M events whatever was added. When files were only added since
// the last count (none changed or went), the new files' eventIDs are checked against the rest and
// the difference added to that count: a join whose build side is the new files' few eventIDs.
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CacheEntry } from './cache-files.js';
import type { CachedEvents } from './cache-view.js';
import { countDuplicates, recordDuplicates, rememberedCount } from './duplicates.js';
import { duckdbPath } from './load-paths.js';
import { sqlString } from './load-sql.js';

type Loaded = { entry: CacheEntry };

export class CacheDuplicates {
  /** The last count over every loaded file with none hidden, and those files (CachedEvents.select: in path order, never changed). */
  private counted: { files: readonly Loaded[]; events: number } | undefined;

  constructor(private readonly cached: CachedEvents) {}

  /**
   * The events loaded twice (their eventID repeats), found over every loaded file with none
   * hidden; with `drop`, the extra copies are hidden from then on (DUPLICATES_TABLE).
   */
  async settle(conn: DuckDBConnection, dir: string, drop: boolean): Promise<{ events: number; dropped: boolean }> {
    this.cached.setDropDuplicates(false);
    await this.cached.apply(conn, {});
    if (drop) {
      const events = await recordDuplicates(conn);
      this.cached.setDropDuplicates(true);
      await this.cached.apply(conn, {});
      return { events, dropped: true };
    }
    const files = this.cached.select({});
    const before = this.counted;
    const events = await rememberedCount(path.join(dir, 'duplicates.json'), this.cached.countKey(), () => {
      const added = before && addedFiles(before.files, files);
      if (before === undefined || added === undefined) return countDuplicates(conn);
      return added.length === 0 ? Promise.resolve(before.events) : countWithAdded(conn, before.events, added, files);
    });
    this.counted = { files, events };
    return { events, dropped: false };
  }
}

/**
 * The entries of `now` that `before` lacks, when every file of `before` is in `now` as it was
 * (same path, fingerprint and rows); undefined when one changed or went, or when either list is
 * not in strict path order (the walk below relies on it: never a guess).
 */
export function addedFiles(before: readonly Loaded[], now: readonly Loaded[]): CacheEntry[] | undefined {
  const added: CacheEntry[] = [];
  let i = 0;
  let last: string | undefined;
  for (const { entry } of now) {
    if (last !== undefined && !(last < entry.path)) return undefined;
    last = entry.path;
    const old = before[i]?.entry;
    if (old !== undefined && i > 0 && !(before[i - 1]!.entry.path < old.path)) return undefined;
    if (old !== undefined && old.path === entry.path) {
      if (!sameFile(old, entry)) return undefined;
      i++;
    } else if (old !== undefined && old.path < entry.path) return undefined;
    else added.push(entry);
  }
  return i === before.length ? added : undefined;
}

function sameFile(a: CacheEntry, b: CacheEntry): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.rows === b.rows;
}

/**
 * The count over every loaded file (`files`), given `before` over all but the `added` ones: for
 * the added files' rows B and the others' A, repeats(A+B) = repeats(A) + (rows of B with an
 * eventID - B's distinct eventIDs) + (B's distinct eventIDs also in A). An eventID of B is in A when
 * the loaded files hold it more often than B does. The segments are read for B's eventIDs only (a
 * join whose build side is B's), and the few rows found are kept when their file is loaded and
 * reads that segment (what the view's join with its sources decides): joining every row with the
 * sources as the view does doubled the cost (0.65 against 0.31 CPU-s at 5M), counting distinct
 * eventIDs hashed every one (1.9).
 */
async function countWithAdded(conn: DuckDBConnection, before: number, added: CacheEntry[], files: readonly Loaded[]): Promise<number> {
  const segmentsOf = (entries: CacheEntry[]) => [...new Set(entries.map((e) => e.parquet!))].sort();
  const read = (segments: string[]) => `read_parquet([${segments.map((s) => sqlString(duckdbPath(s))).join(', ')}])`;
  const mine = segmentsOf(added);
  const place = new Map(mine.map((s, i) => [s, i]));
  const sources = added.map((e) => `(${place.get(e.parquet!)}, ${sqlString(e.path)})`);
  const ids = `WITH b AS MATERIALIZED (
      SELECT e."eventID" AS id, count(*) AS n FROM ${read(mine)} AS e
      JOIN (VALUES ${sources.join(', ')}) AS f(segment, src) ON e.file_index = f.segment AND e.__src = f.src
      WHERE e."eventID" IS NOT NULL GROUP BY ALL)`;
  const every = segmentsOf(files.map((f) => f.entry));
  const sql = `-- duplicates: the added files' eventIDs in every loaded segment
    ${ids}
    SELECT b.id, b.n, e.file_index, e.__src FROM ${read(every)} AS e JOIN b ON e."eventID" = b.id`;
  const inB = new Map<string, number>();
  const loaded = new Map<string, number>();
  for (const [id, n, segment, src] of (await conn.runAndReadAll(sql)).getRowsJS() as [string, bigint, number, string][]) {
    inB.set(id, Number(n));
    if (readsSegment(files, String(src), every[Number(segment)]!)) loaded.set(id, (loaded.get(id) ?? 0) + 1);
  }
  // B's rows with an eventID, and its distinct eventIDs, counted on their own.
  const [[rows, distinct]] = (await conn.runAndReadAll(`${ids} SELECT coalesce(sum(n), 0)::BIGINT, count(*)::BIGINT FROM b`)).getRowsJS() as [[bigint, bigint]];
  let inBoth = 0;
  for (const [id, n] of inB) if ((loaded.get(id) ?? 0) > n) inBoth++;
  return before + Number(rows) - Number(distinct) + inBoth;
}

/** Whether the loaded file `src` (found in `files`, in path order, by halves) reads its events from `segment`. */
function readsSegment(files: readonly Loaded[], src: string, segment: string): boolean {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (files[mid]!.entry.path < src) lo = mid + 1;
    else hi = mid;
  }
  return files[lo]?.entry.path === src && files[lo]!.entry.parquet === segment;
}
