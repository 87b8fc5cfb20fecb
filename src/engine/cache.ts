// The columnar cache. Each source file is keyed by its absolute path and its fingerprint (size,
// mtime, ctime and inode: see Fingerprint), recorded with a chunk's other files in a pack; its events
// are converted once to Parquet, into a "segment": one Parquet file per conversion chunk and UTC
// day (the day of each file's first event, so a file's events never straddle two segments). A
// day's files share a segment because a scan of thousands of small files spends its time opening
// them (a 1M-event search: 1.4 s over 2,500 files, 0.2 s over one). A later load of unchanged
// files reads no JSON at all; a changed or new file is converted on its own, and its day is then
// rewritten as one segment without the file's old rows. The `events` table is a view over the
// segments, each joined only with the sources whose current entry points at it, and a search
// bounded in time reads only the segments of files whose [min, max] _time overlaps its range.
import { randomBytes } from 'node:crypto';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb.js';
import { EVENT_COLUMNS } from '../compiler/cloudtrail-schema.js';
import {
  cacheWriteProblem,
  collectGarbage,
  dayOf,
  fingerprintOf,
  GC_GRACE_MS,
  layoutFolder,
  manifestDigest,
  POSITION,
  STORED,
  storedEntries,
  writeAtomic,
  writePack,
  writeSegment,
  type CacheEntry,
  type Fingerprint,
} from './cache-files.js';
import { stageTexts, writeValuesChunk } from './cache-chunk.js';
import { manifestBytes } from './cache-manifest.js';
import { markUsed } from './cache-manifests.js';
import { NO_EXTENSIONS } from './engine-options.js';
import { segmentsByDay } from './cache-days.js';
import { lookUpCache, placedInWalkOrder, warningsInWalkOrder, type CacheLookup, type Miss } from './cache-lookup.js';
import { duckdbPath } from './load-paths.js';
import { isExport, promotedFromJson, quoteIdent, sqlString } from './load-sql.js';
import { loadValues, type LoadOptions, type ValuesRead } from './loader.js';
import { defaultMemoryLimit } from './memory.js';
import { markUnreadable, throwIfInterrupted, type LoadProgress, type LoadReport } from './types.js';

/**
 * Misses are converted in chunks of about this many (compressed) bytes, bounding memory: two
 * chunks are in flight (one read, one written). A first load of 1M events in delivery-sized files
 * peaked at 1.45-1.68 GB RSS and 40-42 CPU-s with 16 MB, 1.78-1.90 GB and 47-49 CPU-s with 24 MB
 * (2.7 GB with 48 MB, no faster). Under the 715 MB limit, 16 MB still peaked at 1.2-1.34 GB at
 * 1M and 1.59-1.67 GB at 5M (the peak is a read and a write at their largest at once, so the more
 * chunks, the higher the worst one); 8 MB at 0.97 GB at 1M (bench README, 2026-12-06 17:00).
 */
const CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * A day whose files sit in more segments than this is rewritten as one. Loads of new files as
 * they arrive (every hour, say) add a small segment to the day each time; a first load splits a
 * day over the few chunks its files fill (files are read in delivery order: a day of 5M events
 * over 30 days is 27 MB, four or five chunks), which is not worth a rewrite.
 */
const MAX_DAY_SEGMENTS = 8;
/** Row groups of a day rewritten whole: see rewriteDay. */
const DAY_ROW_GROUP = 32_768;
/**
 * Row groups of the segments that hold a load's newest events (its last chunk, in delivery order;
 * answer-first or rewritten, its newest day). A warm start's first search (`search ... | head 10`) reads the
 * newest events, and DuckDB decompresses a row group's whole `_raw` for any row it keeps: 10 rows
 * of the 5M set's newest segment (one row group of 48,894 events, `_raw` 58 MB) cost 32-82 CPU ms,
 * 11-37 with this (bench README, 2026-12-07, warm13). A few segments only: the saved searches,
 * which read every segment, pay per row group (see writeSegment).
 */
export const NEWEST_ROW_GROUP = 8_192;

export interface CachedLoad {
  report: LoadReport;
  entries: CacheEntry[];
  /** Files whose JSON was read in this load (cache misses). */
  converted: string[];
  /** Days (see dayOf) whose segments were rewritten as one. */
  rewritten: string[];
  /** Cache files deleted after the load because nothing references them any more. */
  collected: string[];
  /** The digest of the manifest that lists `entries` as they are (manifestDigest), when there is one. */
  digest?: string;
}

export interface CacheLoadOptions {
  dir: string;
  onProgress?: (p: LoadProgress) => void;
  /** How old an unreferenced cache file must be before it is deleted (default ten minutes). */
  gcGraceMs?: number;
  /**
   * The conversion's DuckDB memory limit: the engine's, so that a file (one huge event, say)
   * that loads into memory also loads into the cache. Normal loads use far less: the misses are
   * converted a chunk at a time (CHUNK_BYTES).
   */
  memoryLimit?: string;
  /** See LoadOptions.streamBytes. */
  streamBytes?: number;
  /** The misses' (compressed) bytes per conversion chunk: CHUNK_BYTES unless a test needs many chunks. */
  chunkBytes?: number;
  /**
   * Cancels the load (see LoadOptions.signal). The chunk being read is dropped and the one being
   * written is finished: what is in the cache stays as consistent as after a kill.
   */
  signal?: AbortSignal;
  /** The lookup of `paths`, when the caller made it already (see lookUpCache). */
  lookup?: CacheLookup;
}

/** Brings the cache up to date for the files `paths` name and returns their entries. */
export async function loadIntoCache(paths: string[], opts: CacheLoadOptions): Promise<CachedLoad> {
  const started = performance.now();
  const { folder, manifest, listed, fromManifest, inOrder, walked, manifestDigest, oldManifest, report, entries: hits, hitAt, misses, dirty } = opts.lookup ?? (await lookUpCache(paths, opts.dir));
  let entries = hits;
  const total = misses.reduce((sum, m) => sum + m.size, 0);
  let doneBytes = 0;
  let doneFiles = 0;
  let doneEvents = 0;
  const converted: string[] = [];
  const written = new Set<string>();
  let instance: DuckDBInstance | undefined;
  const rewritten: string[] = [];
  try {
    if (misses.length > 0) {
      instance = await openScratch(folder, opts.memoryLimit);
      const conn = await instance.connect();
      const exports: Miss[] = [];
      for (const miss of misses) if (await isExportFile(conn, miss.abs)) exports.push(miss);
      conn.closeSync();
      for (const miss of exports) {
        const entry = await cacheExport(instance, folder, miss);
        if (entry.parquet) written.add(entry.parquet);
        entries.push(entry);
        converted.push(miss.abs);
      }
      const json = misses.filter((m) => !exports.includes(m)).sort((a, b) => compareText(deliveryOrder(a.abs), deliveryOrder(b.abs)));
      // A chunk's Parquet is written while the next chunk is read: reading JSON leaves part of the
      // cores idle (gzip and the per-file work), writing fills them. Each of the two chunks in
      // flight has its own staging schema; at most one write runs at a time.
      let writing: Promise<void> = Promise.resolve();
      let n = 0;
      try {
        const all = [...chunks(json, opts.chunkBytes ?? CHUNK_BYTES)];
        for (const [k, chunk] of all.entries()) {
          throwIfInterrupted(opts.signal);
          const conn = await instance.connect();
          const schema = `stage${n++ % 2}`;
          const loadOpts: LoadOptions = {
            index: null,
            renumber: false,
            streamBytes: opts.streamBytes,
            signal: opts.signal,
            // The chunk's events are counted as they are written (its values are what it reads).
            onProgress: (p) =>
              opts.onProgress?.({
                filesDone: doneFiles + p.filesDone,
                filesTotal: misses.length,
                bytesDone: doneBytes + p.bytesDone,
                bytesTotal: total,
                events: doneEvents,
                elapsedMs: performance.now() - started,
              }),
          };
          let read: ValuesRead;
          let days: string[] | undefined;
          try {
            await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}; USE ${schema}`);
            read = await loadValues(conn, chunk.map((m) => m.abs), loadOpts);
            doneFiles += chunk.length;
            doneBytes += chunk.reduce((sum, m) => sum + m.size, 0);
            // Beside the last chunk's write (see stageTexts). Files that needed the memory limit
            // raised to be read are left to the write, which raises it again to parse them.
            if (!read.raised) days = await stageTexts(conn);
            await writing;
          } catch (err) {
            conn.closeSync();
            throw err;
          }
          // The last chunk holds the newest files (delivery order): see NEWEST_ROW_GROUP.
          writing = writeValuesChunk(conn, folder, chunk, read, report, loadOpts, days, k === all.length - 1 ? NEWEST_ROW_GROUP : undefined)
            .then((chunkEntries) => {
              for (const e of chunkEntries) if (e.parquet) written.add(e.parquet);
              entries.push(...chunkEntries);
              converted.push(...chunk.map((m) => m.abs));
              doneEvents += chunkEntries.reduce((sum, e) => sum + e.rows, 0);
            })
            .finally(() => conn.closeSync());
          // Its failure surfaces at the next await; until then it must not count as unhandled.
          writing.catch(() => undefined);
        }
      } finally {
        await writing;
      }
    }

    let newest: number | undefined;
    for (const [day, segments] of segmentsByDay(entries)) {
      throwIfInterrupted(opts.signal);
      const holdsOldRows = dirty.has(day) && [...segments].some((s) => !written.has(s));
      if (!holdsOldRows && segments.size <= MAX_DAY_SEGMENTS) continue;
      // Found now: a rewrite of an earlier day keeps each of its entries in that day.
      const members = entries.filter((e) => e.parquet !== null && dayOf(e) === day);
      instance ??= await openScratch(folder, opts.memoryLimit);
      // The newest day keeps small row groups when rewritten (files arriving into it, hour after hour): see NEWEST_ROW_GROUP.
      newest ??= entries.reduce((t, e) => (e.maxTime !== null && e.maxTime > t ? e.maxTime : t), -Infinity);
      const rowGroup = members.some((m) => m.maxTime === newest) ? NEWEST_ROW_GROUP : DAY_ROW_GROUP;
      const replaced = new Map((await rewriteDay(instance, folder, members, rowGroup)).map((e) => [e.path, e]));
      entries.forEach((e, i) => (entries[i] = replaced.get(e.path) ?? e));
      rewritten.push(day);
    }
  } catch (err) {
    // A full disk, a read-only folder: the load goes on without the cache (Engine.load). What
    // was written stays consistent: temps are removed, and an entry is written after its segment.
    throw cacheWriteProblem(err, opts.dir) ?? err;
  } finally {
    if (instance) await closeScratch(instance);
  }

  // Files converted now come after the hits: in the walk's order again for the manifest.
  if (converted.length > 0) entries = placedInWalkOrder(entries, { walked, hitAt, misses });
  const fresh = new Set(converted);
  for (const entry of entries) {
    // Not spread when there are none (53,819 calls at 5M); not asked when nothing was converted: a set hashes each long path it is asked about.
    if (entry.warnings.length > 0 && (converted.length === 0 || !fresh.has(entry.path))) report.warnings.push(...entry.warnings);
    report.filesRead++;
    report.eventsLoaded += entry.rows;
    report.eventsSkipped += entry.eventsSkipped;
    report.bytesRead += entry.size;
  }
  const changed = converted.length > 0 || rewritten.length > 0 || dirty.size > 0;
  const rewrite = changed || oldManifest || !inOrder || fromManifest !== entries.length || listed !== entries.length;
  // Each entry's fingerprint is its file's as the lookup found it: collection need not ask again.
  // Only collection reads it (a warm start changes nothing: 53,819 paths hashed for nothing at 5M).
  const seen = changed ? new Map(entries.map((e) => [e.path, fingerprintOf(e)])) : undefined;
  const { collected, digest } = await finishLoad(opts.dir, manifest, entries, rewrite, changed, opts.gcGraceMs, seen);
  report.warnings = warningsInWalkOrder(report.warnings, walked);
  markUnreadable(report.warnings);
  report.elapsedMs = performance.now() - started;
  return { report, entries, converted, rewritten, collected, digest: rewrite ? digest : manifestDigest };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * CloudTrail names a file after the minute it was delivered (`..._20261123T1854Z_...`): converting
 * in that order keeps a day's files in one or two chunks, so in one or two segments, whatever the
 * account and region folders. Other names keep their path order.
 */
function deliveryOrder(file: string): string {
  const stamp = /_(\d{8}T\d{4}Z)_/.exec(path.basename(file));
  return `${stamp ? stamp[1] : ''}\0${file}`;
}

/**
 * The private DuckDB a load converts with; past its memory limit it spills into the cache folder.
 *
 * One thread: a chunk's staged values are a single row group, so each of its statements is one
 * batch of work, and a second thread added CPU, not speed (a chunk's COPY at 2 threads: 1.45-1.85
 * times the CPU, no less wall time). Reading the next chunk beside the write keeps the second
 * core busy. A first load of 1M events: 26-36 CPU-s against 35-43 (bench README, 2026-12-06 23:00).
 *
 * The allocator's background thread: without it, memory DuckDB freed stays resident for about a
 * second in each of the allocator's arenas, and a chunk's read and write free hundreds of MB a
 * second (a first load of 5M events peaked at 1.5-1.7 GB where 0.9 GB was live; with the thread
 * 1.2-1.3 GB). The allocator is the process's: the thread is switched off again when the load is
 * done (closeScratch), so searches run as before.
 */
export async function openScratch(folder: string, memoryLimit = defaultMemoryLimit()): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    memory_limit: memoryLimit,
    temp_directory: path.join(folder, `.spill-${process.pid}-${randomBytes(6).toString('hex')}`),
    threads: '1',
    allocator_background_threads: 'true',
    ...NO_EXTENSIONS,
  });
}

/** Closes the scratch DuckDB and stops the allocator's background thread it started. */
async function closeScratch(instance: DuckDBInstance): Promise<void> {
  try {
    const conn = await instance.connect();
    await conn.run('SET allocator_background_threads = false').finally(() => conn.closeSync());
  } catch {
    // Left running is only memory returned sooner; a failed load's own error is the one to report.
  } finally {
    instance.closeSync();
  }
}

/**
 * Writes the members' rows, read from their current segments, into one new segment, then points
 * their entries at it (entries last: a crash leaves the old segments in use).
 */
async function rewriteDay(instance: DuckDBInstance, folder: string, members: CacheEntry[], rowGroupRows: number): Promise<CacheEntry[]> {
  const conn = await instance.connect();
  try {
    const segments = [...new Set(members.map((m) => m.parquet!))].sort();
    const sources = members.map((m) => `(${sqlString(m.parquet!)}, ${sqlString(m.path)})`);
    // Not sorted: a day is a few row groups (33k events at 1M), so order would skip little.
    // Row groups of 32,768 rows (the newest day's smaller): with DuckDB's 122,880 a day of 166k events (the 5M set) failed
    // the whole load with "Out of Memory" at the 715 MB limit at 2 threads, and at one thread
    // spilled: every day rewritten cost 400 CPU-s against 182 (bench README, 2026-12-06 23:50).
    const segment = await writeSegment(conn, folder, `
        SELECT ${STORED.map((c) => `e.${c}`).join(', ')}, ${POSITION} AS __pos, e.__src
        FROM read_parquet([${segments.map((s) => sqlString(duckdbPath(s))).join(', ')}], filename = true) AS e
        JOIN (VALUES ${sources.join(', ')}) AS f(file, src) ON e.filename = f.file AND e.__src = f.src`, rowGroupRows);
    const entries = members.map((m) => ({ ...m, parquet: segment.file, parquetBytes: segment.bytes }));
    writePack(folder, entries);
    return entries;
  } finally {
    conn.closeSync();
  }
}

async function isExportFile(conn: DuckDBConnection, file: string): Promise<boolean> {
  if (!/\.parquet$/i.test(file)) return false;
  try {
    const cols = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(duckdbPath(file))})`)).getRowObjectsJS();
    return isExport(cols.map((c) => ({ name: String(c['column_name']) })));
  } catch {
    return false;
  }
}

/** A spelunk export is already columnar: it is copied, as its own segment, with each row's place. */
async function cacheExport(instance: DuckDBInstance, folder: string, miss: Miss): Promise<CacheEntry> {
  const conn = await instance.connect();
  try {
    const cols = EVENT_COLUMNS.filter((c) => c.name !== '__seq').map(
      (c) => `${promotedFromJson(c.name) ?? `${quoteIdent(c.name)}::${c.type}`} AS ${quoteIdent(c.name)}`,
    );
    const segment = await writeSegment(conn, folder, `SELECT ${cols.join(', ')}, (file_row_number)::UINTEGER AS __pos, ${sqlString(miss.abs)} AS __src
        FROM read_parquet(${sqlString(duckdbPath(miss.abs))}, file_row_number = true)`);
    const r = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, min(_time) AS lo, max(_time) AS hi FROM read_parquet(${sqlString(duckdbPath(segment.file))})`)).getRowObjectsJS()[0]!;
    const rows = Number(r['n']);
    if (rows === 0) rmSync(segment.file, { force: true });
    const entry: CacheEntry = {
      path: miss.abs, ...fingerprintOf(miss), rows,
      minTime: r['lo'] == null ? null : Number(r['lo']), maxTime: r['hi'] == null ? null : Number(r['hi']),
      warnings: [], eventsSkipped: 0, parquet: rows > 0 ? segment.file : null, parquetBytes: rows > 0 ? segment.bytes : null,
    };
    writePack(folder, [entry]);
    return entry;
  } finally {
    conn.closeSync();
  }
}

function* chunks<T extends { size: number }>(items: T[], chunkBytes: number): Generator<T[]> {
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && bytes + item.size > chunkBytes) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) yield current;
}

/** Marks when collection last started in a layout folder (its mtime): see dueForCollection. */
const COLLECTED_MARK = '.collected';

/**
 * Whether a load that changed the cache collects now: not when one started within the grace
 * period. Collection leaves anything younger than the grace alone, so collecting again sooner
 * only reads every pack and manifest again (at 5M events with 14 manifests, 2 of the 4.3 s a
 * load of 50 arrived files took) to remove what waits at most one grace period more. Marked
 * before collecting, so loads that finish together do not all collect.
 */
function dueForCollection(folder: string, graceMs: number): boolean {
  const mark = path.join(folder, COLLECTED_MARK);
  const now = Date.now();
  const last = statSync(mark, { throwIfNoEntry: false })?.mtimeMs;
  // A mark from the future (a clock set back) does not hold collection off.
  if (last !== undefined && last <= now && now - last < graceMs) return false;
  try {
    writeFileSync(mark, '');
  } catch {
    // Unmarked: the next load collects too, as every load did.
  }
  return true;
}

/**
 * Writes the load's manifest (when it changed) and, when the cache changed, collects the files
 * nothing references (at most once per grace period: dueForCollection). Returns the files collected and the digest of the manifest written.
 */
export async function finishLoad(
  dir: string,
  manifest: string,
  entries: CacheEntry[],
  rewrite: boolean,
  changed: boolean,
  gcGraceMs = GC_GRACE_MS,
  seen?: Map<string, Fingerprint>,
): Promise<{ collected: string[]; digest?: string }> {
  let digest: string | undefined;
  try {
    if (rewrite) {
      const bytes = manifestBytes(storedEntries(entries));
      writeAtomic(manifest, bytes);
      digest = manifestDigest(bytes);
    } else markUsed(manifest);
    if (changed && dueForCollection(layoutFolder(dir), gcGraceMs)) return { collected: await collectGarbage(dir, layoutFolder(dir), gcGraceMs, seen), digest };
  } catch (err) {
    // The manifest only saves reads and collection only space: a cache that is read-only (or
    // full) but holds every file still answers.
    if (!cacheWriteProblem(err, dir)) throw err;
  }
  return { collected: [], digest };
}
