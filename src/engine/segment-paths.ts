// The nested field paths of the cache's events (field-paths.ts), found once per cache segment and
// remembered in the cache folder: new log files (the normal case during an incident) cost only
// their new segments, where finding the paths of the whole view again took 2.9-5.9 s at 5M events
// while a search typed meanwhile waited behind it (they are now found on a connection of their
// own: paths-job.ts). Segments are never rewritten in place (a rewrite is a new file), so a
// segment's name and size name its rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { writeAtomic } from './cache-files.js';
import { sizeOf } from './folder-stat.js';
import { firstLine } from './engine-error.js';
import { duckdbPath } from './load-paths.js';
import { sqlString } from './load-sql.js';
import { leafPathsSql, NESTED, nestedFieldPaths, usablePath } from './field-paths.js';

/** A segment the view reads: its file, and its size when its entries were written (null: unknown). */
export interface Segment {
  file: string;
  bytes: number | null;
}

/** Each segment's paths with their estimated counts, in the cache folder. */
const MEMORY_FILE = 'field-paths.json';
/** Bumped when what is remembered changes meaning: a file of another version is a miss. */
const VERSION = 2;
/**
 * Events walked of each call (eventSource, eventName) in each segment: each call has its own
 * request and response shape, and the calls an analyst hunts for are the rare ones (one
 * CreateAccessKey among 30,000 events), which a uniform sample misses.
 */
const PER_CALL = 5;
/**
 * Beyond those, a uniform sample of about this many events of the segments found at once (all of
 * them when fewer), so that frequent calls' optional fields are seen too: as many as the sample
 * of events in memory (field-paths.ts), whose cost it keeps for a first find over a whole cache.
 */
const SAMPLE = 5000;

type Counts = [path: string, count: number][];
type Memory = Record<string, { bytes: number; paths: Counts }>;

/**
 * The paths of the loaded events for the REPL's completion. Over the cache (`segments`: those the
 * view reads, when the events are the cache's alone) they are found per segment and remembered;
 * events in memory are sampled (field-paths.ts). `unread`: the segments could not be read one by
 * one (one gone behind the view's back, say); the caller then samples the view's events, on the
 * connection whose view it is (Engine.fieldPaths), and says so.
 */
export async function fieldPathsOf(conn: DuckDBConnection, cacheDir: string | undefined, segments: Segment[] | undefined, sample: number, limit: number): Promise<string[] | { unread: string }> {
  if (cacheDir === undefined || segments === undefined) return nestedFieldPaths(conn, sample, limit);
  try {
    return await segmentFieldPaths(conn, cacheDir, segments, limit);
  } catch (err) {
    // Stopped: not asked again.
    if (/INTERRUPT/i.test(String(err))) throw err;
    return { unread: firstLine(err) };
  }
}

/**
 * The paths of the events in `segments` (the whole view's), most frequent first, at most `limit`.
 * Counts are estimates over every segment: each walked event stands for its call's events in its
 * segment. A segment also holds its day's other files and a changed file's old rows, which the
 * view hides: their paths are offered too (completion offers names, it answers nothing).
 */
async function segmentFieldPaths(conn: DuckDBConnection, cacheDir: string, segments: Segment[], limit: number): Promise<string[]> {
  const dir = path.resolve(cacheDir);
  const file = path.join(dir, MEMORY_FILE);
  const known = readMemory(file);
  const sized = segments.map((s) => ({ file: s.file, key: path.relative(dir, s.file), bytes: s.bytes ?? sizeOf(s.file) }));
  const fresh = sized.filter((s) => !isCounts(known[s.key]?.paths) || known[s.key]!.bytes !== s.bytes);
  if (fresh.length > 0) {
    const found = await findPaths(conn, fresh.map((s) => s.file));
    fresh.forEach((s, i) => (known[s.key] = { bytes: s.bytes, paths: found[i]! }));
    writeMemory(file, dir, known);
  }
  const total = new Map<string, number>();
  for (const s of sized) for (const [p, n] of known[s.key]!.paths) total.set(p, (total.get(p) ?? 0) + n);
  return [...total].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, Math.floor(limit)).map(([p]) => p);
}

/**
 * Each file's paths with estimated counts, in the order given. Choosing the events reads only
 * the cheap columns; the nested ones are read once, for the chosen events, yet DuckDB decodes
 * them for every row of the row groups it reads: that is most of the cost (0.6 CPU-s for 1M events).
 */
async function findPaths(conn: DuckDBConnection, files: string[]): Promise<Counts[]> {
  const read = `read_parquet([${files.map((f) => sqlString(duckdbPath(f))).join(', ')}])`;
  const [[events]] = (await conn.runAndReadAll(`SELECT count(*)::DOUBLE FROM ${read}`)).getRowsJS() as [[number]];
  const every = Math.max(1, Math.floor(events / SAMPLE));
  // One pass over the cheap columns chooses them, without a window (a third of the cost at 5M):
  // the first events of each call the sample is unlikely to hold, and one event in `every`,
  // chosen by a hash (every `every`-th row would miss a shape that repeats in step with it).
  const sql = `WITH calls AS (SELECT file_index AS seg, count(*) AS rows,
        list_distinct(list_concat(CASE WHEN count(*) < ${PER_CALL * every} THEN min(file_row_number, ${PER_CALL}) ELSE [] END,
          coalesce(list(file_row_number) FILTER (WHERE hash(file_row_number) % ${every} = 0), []))) AS picks
      FROM ${read} GROUP BY file_index, "eventSource", "eventName"),
    pick AS MATERIALIZED (SELECT seg, unnest(picks) AS r, rows / len(picks) AS w FROM calls),
    x AS (SELECT p.seg, p.w, ${NESTED.map((c) => `e."${c}"`).join(', ')} FROM ${read} e JOIN pick p ON e.file_index = p.seg AND e.file_row_number = p.r)
    SELECT seg, path, sum(w) FROM (${leafPathsSql('x', ['seg', 'w'])}) GROUP BY ALL`;
  const counts: Counts[] = files.map(() => []);
  for (const [seg, p, n] of (await conn.runAndReadAll(sql)).getRowsJS()) {
    if (usablePath(String(p))) counts[Number(seg)]!.push([String(p), Math.max(1, Math.round(Number(n)))]);
  }
  // In one order, whatever DuckDB's: the same events remembered the same way.
  for (const c of counts) c.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return counts;
}

function isCounts(v: unknown): v is Counts {
  return Array.isArray(v) && v.every((x) => Array.isArray(x) && typeof x[0] === 'string' && typeof x[1] === 'number');
}

/** What the cache folder remembers; none when missing, unreadable, damaged or of another version. */
function readMemory(file: string): Memory {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { v?: unknown; segments?: unknown };
    if (m.v === VERSION && typeof m.segments === 'object' && m.segments !== null && !Array.isArray(m.segments)) return m.segments as Memory;
  } catch {
    // Found again.
  }
  return {};
}

/**
 * Written whole through a temporary file (a reader never sees half of it); segments gone from the
 * folder (rewritten days, files cleaned up) are forgotten. Two processes writing at once lose
 * one's findings: found again later. A folder that cannot be written costs the search, nothing else.
 */
function writeMemory(file: string, dir: string, known: Memory): void {
  try {
    const kept = Object.entries(known).filter(([key]) => sizeOf(path.resolve(dir, key)) >= 0);
    writeAtomic(file, JSON.stringify({ v: VERSION, segments: Object.fromEntries(kept) }));
  } catch {
    // A cache that cannot be written.
  }
}
