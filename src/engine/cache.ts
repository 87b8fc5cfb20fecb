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
import { rmSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EVENT_COLUMNS, EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import {
  cacheWriteProblem,
  collectGarbage,
  dayOf,
  fingerprintOf,
  GC_GRACE_MS,
  layoutFolder,
  POSITION,
  STORED,
  storedEntries,
  writeAtomic,
  writePack,
  writeSegment,
  type CacheEntry,
  type Segment,
} from './cache-files.js';
import { manifestText } from './cache-manifest.js';
import { lookUpCache, type CacheLookup, type Miss } from './cache-lookup.js';
import { duckdbPath } from './load-paths.js';
import { eventsSelect, isExport, NOT_CLOUDTRAIL, promotedFromJson, quoteIdent, sqlString, VALUES_TABLE, valuesEvents, valuesFirstTimes } from './load-sql.js';
import { commonFolder, loadCloudTrail, loadValues, raisedNote, type LoadOptions, type ValuesRead } from './loader.js';
import type { FileStats } from './load-report.js';
import { defaultMemoryLimit, machineMemoryLimit } from './memory.js';
import { markUnreadable, throwIfInterrupted, type LoadProgress, type LoadReport, type LoadWarning } from './types.js';

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

export interface CachedLoad {
  report: LoadReport;
  entries: CacheEntry[];
  /** Files whose JSON was read in this load (cache misses). */
  converted: string[];
  /** Days (see dayOf) whose segments were rewritten as one. */
  rewritten: string[];
  /** Cache files deleted after the load because nothing references them any more. */
  collected: string[];
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
  const { folder, manifest, listed, fromManifest, oldManifest, report, entries, misses, dirty } = opts.lookup ?? (await lookUpCache(paths, opts.dir));
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
        for (const chunk of chunks(json)) {
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
          try {
            await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}; USE ${schema}`);
            read = await loadValues(conn, chunk.map((m) => m.abs), loadOpts);
            doneFiles += chunk.length;
            doneBytes += chunk.reduce((sum, m) => sum + m.size, 0);
            await writing;
          } catch (err) {
            conn.closeSync();
            throw err;
          }
          writing = writeValuesChunk(conn, folder, chunk, read, report, loadOpts)
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

    const byDay = new Map<string, CacheEntry[]>();
    for (const e of entries) {
      if (e.parquet === null) continue;
      const day = dayOf(e);
      const members = byDay.get(day);
      if (members) members.push(e);
      else byDay.set(day, [e]);
    }
    for (const [day, members] of byDay) {
      throwIfInterrupted(opts.signal);
      const segments = new Set(members.map((m) => m.parquet!));
      const holdsOldRows = dirty.has(day) && [...segments].some((s) => !written.has(s));
      if (!holdsOldRows && segments.size <= MAX_DAY_SEGMENTS) continue;
      instance ??= await openScratch(folder, opts.memoryLimit);
      const replaced = new Map((await rewriteDay(instance, folder, members)).map((e) => [e.path, e]));
      entries.forEach((e, i) => (entries[i] = replaced.get(e.path) ?? e));
      rewritten.push(day);
    }
  } catch (err) {
    // A full disk, a read-only folder: the load goes on without the cache (Engine.load). What
    // was written stays consistent: temps are removed, and an entry is written after its segment.
    throw cacheWriteProblem(err, opts.dir) ?? err;
  } finally {
    instance?.closeSync();
  }

  const fresh = new Set(converted);
  for (const entry of entries) {
    // Not asked when nothing was converted: a set hashes each long path it is asked about.
    if (converted.length === 0 || !fresh.has(entry.path)) {
      report.warnings.push(...entry.warnings);
    }
    report.filesRead++;
    report.eventsLoaded += entry.rows;
    report.eventsSkipped += entry.eventsSkipped;
    report.bytesRead += entry.size;
  }
  const changed = converted.length > 0 || rewritten.length > 0 || dirty.size > 0;
  const rewrite = changed || oldManifest || fromManifest !== entries.length || listed !== entries.length;
  const collected = await finishLoad(opts.dir, manifest, entries, rewrite, changed, opts.gcGraceMs);
  markUnreadable(report.warnings);
  report.elapsedMs = performance.now() - started;
  return { report, entries, converted, rewritten, collected };
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

/** The private DuckDB a load converts with; past its memory limit it spills into the cache folder. */
async function openScratch(folder: string, memoryLimit = defaultMemoryLimit()): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    memory_limit: memoryLimit,
    temp_directory: path.join(folder, `.spill-${process.pid}-${randomBytes(6).toString('hex')}`),
  });
}

/**
 * Writes the members' rows, read from their current segments, into one new segment, then points
 * their entries at it (entries last: a crash leaves the old segments in use).
 */
async function rewriteDay(instance: DuckDBInstance, folder: string, members: CacheEntry[]): Promise<CacheEntry[]> {
  const conn = await instance.connect();
  try {
    const segments = [...new Set(members.map((m) => m.parquet!))].sort();
    const sources = members.map((m) => `(${sqlString(m.parquet!)}, ${sqlString(m.path)})`);
    // Not sorted: a day (33k events at 1M) fits in one row group, so order would skip nothing.
    const segment = await writeSegment(conn, folder, `
        SELECT ${STORED.map((c) => `e.${c}`).join(', ')}, ${POSITION} AS __pos, e.__src
        FROM read_parquet([${segments.map((s) => sqlString(duckdbPath(s))).join(', ')}], filename = true) AS e
        JOIN (VALUES ${sources.join(', ')}) AS f(file, src) ON e.filename = f.file AND e.__src = f.src`);
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

function* chunks<T extends { size: number }>(items: T[]): Generator<T[]> {
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && bytes + item.size > CHUNK_BYTES) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) yield current;
}


/** A chunk's staged values could not be written the quick way: see writeValuesChunk. */
class NotQuick extends Error {}

/**
 * Writes the chunk's staged values (loadValues) as one segment per day, each event parsed into
 * its columns on the way to Parquet, then the entries. The day of each file (of its first event)
 * is read from the values first, and checked against the rows written. Anything that goes wrong
 * but the cache's own writing (a value the reader took whole but that does not parse, a day that
 * does not match) reads the chunk again through the events table, as before this path, with a
 * note: the answers are the same, the chunk costs about twice.
 */
async function writeValuesChunk(
  conn: DuckDBConnection,
  folder: string,
  chunk: Miss[],
  read: ValuesRead,
  report: LoadReport,
  loadOpts: LoadOptions,
): Promise<CacheEntry[]> {
  const segments = new Map<string, Segment>();
  const write = async (): Promise<{ stats: FileStats[]; bySource: Map<string, { n: number; lo: number | null; hi: number | null }> }> => {
    const firsts = (await conn.runAndReadAll(valuesFirstTimes())).getRowObjectsJS();
    const dayOfFile = new Map(firsts.map((r) => [String(r['file']), dayOf({ minTime: r['lo'] == null ? null : Number(r['lo']) })]));
    const days = [...new Set(dayOfFile.values())];
    if (days.length > 1) {
      await conn.run(`CREATE OR REPLACE TEMP TABLE __spelunk_days (file VARCHAR, day VARCHAR)`);
      const appender = await conn.createAppender('__spelunk_days', 'main', 'temp');
      try {
        for (const [file, day] of dayOfFile) {
          appender.appendVarchar(file);
          appender.appendVarchar(day);
          appender.endRow();
        }
      } finally {
        appender.closeSync();
      }
      await conn.run(`UPDATE ${VALUES_TABLE} SET day = d.day FROM temp.main.__spelunk_days AS d WHERE ${VALUES_TABLE}.file = d.file`);
    }
    for (const day of days) {
      const where = days.length > 1 ? `day = ${sqlString(day)}` : 'true';
      // Records that are not CloudTrail events are written without a source, counted, and then
      // taken out again (below): the events' columns exist only in the COPY.
      segments.set(day, await writeSegment(conn, folder, `
          SELECT ${STORED.join(', ')}, NULL::UINTEGER AS __pos, CASE WHEN ${NOT_CLOUDTRAIL} THEN NULL ELSE source END AS __src
          FROM (${eventsSelect(valuesEvents(where), 'NULL::VARCHAR')})`));
    }
    const dayOfSegment = new Map([...segments].map(([day, g]) => [g.file, day]));
    const files = [...segments.values()].map((g) => sqlString(duckdbPath(g.file)));
    const rows = files.length === 0 ? [] : (
      await conn.runAndReadAll(`
        SELECT source, filename,
               count(*)::BIGINT AS records,
               count(*) FILTER (WHERE __src IS NULL)::BIGINT AS "foreign",
               count(*) FILTER (WHERE __src IS NOT NULL AND "eventTime" IS NULL)::BIGINT AS no_time,
               count(*) FILTER (WHERE __src IS NOT NULL AND "eventTime" IS NOT NULL AND _time IS NULL)::BIGINT AS bad_time,
               min("eventTime") FILTER (WHERE __src IS NOT NULL AND _time IS NULL) AS bad_time_example,
               count(*) FILTER (WHERE __src IS NOT NULL)::BIGINT AS n,
               min(_time) FILTER (WHERE __src IS NOT NULL) AS lo, max(_time) FILTER (WHERE __src IS NOT NULL) AS hi
        FROM read_parquet([${files.join(', ')}], filename = true) GROUP BY source, filename`)
    ).getRowObjectsJS();
    const stats: FileStats[] = [];
    const bySource = new Map<string, { n: number; lo: number | null; hi: number | null }>();
    const withForeign = new Set<string>();
    for (const r of rows) {
      const source = String(r['source']);
      const day = dayOfSegment.get(String(r['filename']));
      const lo = r['lo'] == null ? null : Number(r['lo']);
      const n = Number(r['n']);
      // Each file's rows in one segment, the one of its first event's day (as writeChunk puts them).
      if (bySource.has(source) || (n > 0 && day !== dayOf({ minTime: lo }))) throw new NotQuick(`${source}: its rows are not all in the segment of its day`);
      bySource.set(source, { n, lo, hi: r['hi'] == null ? null : Number(r['hi']) });
      if (Number(r['foreign']) > 0) withForeign.add(day!);
      stats.push({
        source,
        records: Number(r['records']),
        foreign: Number(r['foreign']),
        noTime: Number(r['no_time']),
        badTime: Number(r['bad_time']),
        badTimeExample: r['bad_time_example'] == null ? null : String(r['bad_time_example']),
      });
    }
    for (const [day, segment] of segments) {
      if (!withForeign.has(day)) continue;
      const kept = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(duckdbPath(segment.file))}) WHERE __src IS NOT NULL`)).getRowObjectsJS()[0]!;
      if (Number(kept['n']) > 0) {
        segments.set(day, await writeSegment(conn, folder, `
            SELECT ${STORED.map((c) => `e.${c}`).join(', ')}, ${POSITION} AS __pos, e.__src
            FROM read_parquet(${sqlString(duckdbPath(segment.file))}) AS e WHERE e.__src IS NOT NULL`));
      } else segments.delete(day);
      rmSync(segment.file, { force: true });
    }
    return { stats, bySource };
  };
  const discard = (): void => {
    // Not referenced yet: nothing reads them.
    for (const segment of segments.values()) rmSync(segment.file, { force: true });
    segments.clear();
  };
  try {
    let written: Awaited<ReturnType<typeof write>>;
    let note: LoadWarning | undefined;
    const raisedTo = async (limit: string): Promise<typeof written> => {
      const before = String((await conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]?.[0]);
      await conn.run(`SET memory_limit = ${sqlString(limit)}`);
      try {
        return await write();
      } finally {
        await conn.run(`SET memory_limit = ${sqlString(before)}`);
      }
    };
    if (read.raised) {
      // The files needed more than the limit to be read (the report says so): to be parsed too.
      written = await raisedTo(read.raised);
    } else {
      try {
        written = await write();
      } catch (err) {
        // One huge event needs several times its size at once (as in loadRaised): written again
        // with the limit raised, once, and said.
        if (!/Out of Memory/i.test(String(err))) throw err;
        discard();
        const before = String((await conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]?.[0]);
        const raised = machineMemoryLimit();
        written = await raisedTo(raised);
        note = raisedNote(chunk.map((m) => m.abs), before, raised, err);
      }
    }
    const chunkReport = read.finish(written.stats);
    if (note) chunkReport.warnings.push(note);
    return chunkEntries(folder, chunk, chunkReport, report, written.bySource, segments);
  } catch (err) {
    if (cacheWriteProblem(err, folder)) throw err;
    discard();
    await conn.run(`DROP TABLE IF EXISTS ${VALUES_TABLE}`);
    const again = await loadCloudTrail(conn, chunk.map((m) => m.abs), loadOpts);
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    report.warnings.push({
      file: commonFolder(chunk.map((m) => m.abs)),
      kind: 'note',
      reason: `${chunk.length} file(s) converted for the cache a second time, the slower way: ${reason}`,
    });
    return writeChunk(conn, folder, chunk, again, report);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${VALUES_TABLE}`).catch(() => undefined);
  }
}

/**
 * Writes the chunk's rows into one segment per day, then the entries. The loader inserts a
 * file's rows together and in file order, so rowid orders a file's rows and a day's files (read
 * in delivery order) are mostly one run of rowids: each day is one COPY of a rowid range, which
 * costs a third less than one COPY partitioned by day. Files of other days inside the range (a
 * file delivered after midnight whose first event is the day before) are filtered out by name.
 */
async function writeChunk(
  conn: DuckDBConnection,
  folder: string,
  chunk: Miss[],
  chunkReport: LoadReport,
  report: LoadReport,
): Promise<CacheEntry[]> {
  try {
    const counts = (
      await conn.runAndReadAll(
        `SELECT source, count(*)::BIGINT AS n, min(_time) AS lo, max(_time) AS hi,
                min(rowid)::BIGINT AS first, max(rowid)::BIGINT AS last
         FROM ${EVENTS_TABLE} GROUP BY source`,
      )
    ).getRowObjectsJS();
    const bySource = new Map(counts.map((r) => [String(r['source']), r]));
    const days = new Map<string, { first: number; last: number; rows: number; sources: string[] }>();
    for (const r of counts) {
      const day = dayOf({ minTime: r['lo'] == null ? null : Number(r['lo']) });
      const d = days.get(day) ?? { first: Infinity, last: -Infinity, rows: 0, sources: [] };
      d.first = Math.min(d.first, Number(r['first']));
      d.last = Math.max(d.last, Number(r['last']));
      d.rows += Number(r['n']);
      d.sources.push(String(r['source']));
      days.set(day, d);
    }
    const segments = new Map<string, Segment>();
    for (const [day, d] of days) {
      const mixed = d.last - d.first + 1 !== d.rows ? ` AND source IN (${d.sources.map(sqlString).join(', ')})` : '';
      segments.set(day, await writeSegment(conn, folder, `
          SELECT ${STORED.join(', ')}, rowid::UINTEGER AS __pos, source AS __src
          FROM ${EVENTS_TABLE} WHERE rowid BETWEEN ${d.first} AND ${d.last}${mixed}`));
    }
    const sources = new Map([...bySource].map(([source, r]) => [source, { n: Number(r['n']), lo: r['lo'] == null ? null : Number(r['lo']), hi: r['hi'] == null ? null : Number(r['hi']) }]));
    return chunkEntries(folder, chunk, chunkReport, report, sources, segments);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${EVENTS_TABLE}`);
  }
}

/** The entries of a chunk's files, whose rows are in `segments` (one per day), written together. */
function chunkEntries(
  folder: string,
  chunk: Miss[],
  chunkReport: LoadReport,
  report: LoadReport,
  bySource: Map<string, { n: number; lo: number | null; hi: number | null }>,
  segments: Map<string, Segment>,
): CacheEntry[] {
  const entries: CacheEntry[] = [];
  // Notes about the load rather than a file (a batch read the slow way) are this load's alone.
  const paths = new Set(chunk.map((m) => m.abs));
  report.warnings.push(...chunkReport.warnings.filter((w) => !paths.has(w.file)));
  for (const miss of chunk) {
    const warnings = chunkReport.warnings.filter((w) => w.file === miss.abs);
    if (warnings.some((w) => w.kind === 'skipped')) {
      // Rejected files are not cached: the cause (a half-written file, permissions) may pass.
      report.filesSkipped++;
      report.warnings.push(...warnings);
      continue;
    }
    report.warnings.push(...warnings);
    const found = bySource.get(miss.abs);
    const row = found && found.n > 0 ? found : undefined;
    const times = { minTime: row ? row.lo : null, maxTime: row ? row.hi : null };
    let segment: Segment | null = null;
    if (row) {
      segment = segments.get(dayOf(times)) ?? null;
      if (segment === null) throw new Error(`cache: no segment for day ${dayOf(times)} of ${miss.abs}`);
    }
    entries.push({
      path: miss.abs,
      ...fingerprintOf(miss),
      rows: row ? row.n : 0,
      ...times,
      warnings,
      eventsSkipped: warnings.reduce((sum, w) => sum + (w.eventsSkipped ?? 0), 0),
      parquet: segment?.file ?? null,
      parquetBytes: segment?.bytes ?? null,
    });
  }
  // The entries are written last, together: a crash before leaves misses, never a wrong hit.
  writePack(folder, entries);
  return entries;
}

/**
 * Writes the load's manifest (when it changed) and, when the cache changed, collects the files
 * nothing references. Returns the files collected.
 */
export async function finishLoad(dir: string, manifest: string, entries: CacheEntry[], rewrite: boolean, changed: boolean, gcGraceMs = GC_GRACE_MS): Promise<string[]> {
  try {
    if (rewrite) writeAtomic(manifest, manifestText(storedEntries(entries)));
    if (changed) return await collectGarbage(dir, layoutFolder(dir), gcGraceMs);
  } catch (err) {
    // The manifest only saves reads and collection only space: a cache that is read-only (or
    // full) but holds every file still answers.
    if (!cacheWriteProblem(err, dir)) throw err;
  }
  return [];
}
