// The columnar cache. Each source file is keyed by its absolute path, size and mtime; its events
// are converted once to Parquet, into a "segment": one Parquet file per conversion chunk and UTC
// day (the day of each file's first event, so a file's events never straddle two segments). A
// day's files share a segment because a scan of thousands of small files spends its time opening
// them (a 1M-event search: 1.4 s over 2,500 files, 0.2 s over one). A later load of unchanged
// files reads no JSON at all; a changed or new file is converted on its own, and its day is then
// rewritten as one segment without the file's old rows. The `events` table is a view over the
// segments, each joined only with the sources whose current entry points at it, and a search
// bounded in time reads only the segments of files whose [min, max] _time overlaps its range.

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EVENT_COLUMNS, EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { isExport, loadCloudTrail, promotedFromJson } from './loader.js';
import { describeFsError, duckdbPath, expandPaths } from './load-paths.js';
import { emptyLoadReport, type LoadProgress, type LoadReport, type LoadWarning } from './types.js';

/**
 * The cache's folder name: the layout's version (bumped whenever the layout of a cached file
 * changes) and the stored columns, so a cache written before the event columns changed is simply
 * not found (and is collected as an old layout).
 */
const LAYOUT = `v3-${createHash('sha256').update(EVENT_COLUMNS.map((c) => `${c.name} ${c.type}`).join(',')).digest('hex').slice(0, 8)}`;
/**
 * Misses are converted in chunks of about this many (compressed) bytes, bounding memory: two
 * chunks are in flight (one read, one written), about 0.6 GB of DuckDB memory at this size; a
 * first load of 1M events peaked at 1.5 GB RSS (2.7 GB with 48 MB chunks, no faster).
 */
const CHUNK_BYTES = 24 * 1024 * 1024;
const DAY = 86_400;
/**
 * A day whose files sit in more segments than this is rewritten as one. Loads of new files as
 * they arrive (every hour, say) add a small segment to the day each time; a first load splits a
 * day over two chunks at most (files are read in delivery order), which is not worth a rewrite.
 */
const MAX_DAY_SEGMENTS = 4;
/** Unreferenced cache files younger than this are left alone: see collectGarbage(). */
const GC_GRACE_MS = 10 * 60_000;
/**
 * zstd at its fastest level: as quick to write as snappy (writing is a third of a first load) and
 * files half the size, so less to read back.
 */
const SEGMENT_FORMAT = 'FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1';
/**
 * Memory of the conversion's own DuckDB. Two chunks in flight (one read, one written) need about
 * 1.2 GB; at 1 GB it spilled to disk and a 1M-event first load took 21.7 s instead of 17.9-20 s.
 * The process peaks at 1.8-1.9 GB.
 */
const SCRATCH_MEMORY = '1536MB';

/** The folder of `dir` the current layout's files are in. */
export function layoutFolder(dir: string): string {
  return path.join(dir, LAYOUT);
}

export function defaultCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache'), 'spelunk');
}

/** What is recorded for each cached source file, in `<key>.json` and in the load manifests. */
export interface CacheEntry {
  path: string;
  size: number;
  mtimeMs: number;
  rows: number;
  minTime: number | null;
  maxTime: number | null;
  /** Notes about the file (events skipped, unreadable times), repeated on every hit. */
  warnings: LoadWarning[];
  eventsSkipped: number;
  /**
   * The segment holding the file's events (its rows have `__src` = `path`), shared with other
   * files of its day; null when the file holds no events.
   */
  parquet: string | null;
}

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
}

function keyOf(absPath: string): string {
  return createHash('sha256').update(absPath).digest('hex').slice(0, 32);
}

/** The UTC day of a file's first event: the segment it goes into. */
export function dayOf(entry: { minTime: number | null }): string {
  return entry.minTime === null ? 'none' : String(Math.floor(entry.minTime / DAY));
}

async function readEntry<T = CacheEntry>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function memo<T>(fn: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, fn(key));
    return seen.get(key)!;
  };
}

/** Brings the cache up to date for the files `paths` name and returns their entries. */
export async function loadIntoCache(paths: string[], opts: CacheLoadOptions): Promise<CachedLoad> {
  const started = performance.now();
  const folder = layoutFolder(opts.dir);
  mkdirSync(folder, { recursive: true });
  const expansion = await expandPaths(paths);
  const report = emptyLoadReport(expansion.warnings);
  const entries: CacheEntry[] = [];
  const misses: Miss[] = [];
  // One file lists the entries of the last load of the same paths: reading 2,500 small entry
  // files costs more than the rest of a warm start. It only saves reads: an entry it lacks or
  // holds stale is looked up in `<key>.json` as before.
  const manifest = path.join(folder, `load-${keyOf(JSON.stringify(paths.map((p) => path.resolve(p))))}.json`);
  const listed = new Map(((await readEntry<CacheEntry[]>(manifest)) ?? []).map((e) => [e.path, e]));
  const exists = memo(existsSync);
  let fromManifest = 0;
  // Stats and entry reads run together: a warm start over thousands of files is mostly waiting.
  const looked = await Promise.all(
    expansion.files.map(async (file) => {
      const abs = path.resolve(file);
      const info = await stat(abs).catch((err: unknown) => err as Error);
      if (info instanceof Error) return { abs, info };
      const key = keyOf(abs);
      const isFresh = (e: CacheEntry | undefined): e is CacheEntry =>
        e !== undefined && e.size === info.size && e.mtimeMs === info.mtimeMs && (e.parquet === null || exists(e.parquet));
      const fromList = listed.get(abs);
      let entry = fromList;
      if (isFresh(entry)) fromManifest++;
      else entry = await readEntry(path.join(folder, `${key}.json`));
      return { abs, info, key, entry: isFresh(entry) ? entry : undefined, stale: entry ?? fromList };
    }),
  );
  // Days whose segments hold rows no current entry reads (a file changed or went away): they are
  // rewritten below, so the old rows leave the cache instead of lingering beside the new ones.
  const dirty = new Set<string>();
  const present = new Set<string>();
  for (const l of looked) {
    present.add(l.abs);
    if (l.info instanceof Error) {
      report.filesSkipped++;
      report.warnings.push({ file: l.abs, reason: describeFsError(l.info), kind: 'skipped' });
    } else if (l.entry) entries.push(l.entry);
    else {
      misses.push({ abs: l.abs, key: l.key!, size: l.info.size, mtimeMs: l.info.mtimeMs });
      if (l.stale?.parquet) dirty.add(dayOf(l.stale));
    }
  }
  for (const gone of listed.values()) if (!present.has(gone.path) && gone.parquet) dirty.add(dayOf(gone));

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
      instance = await openScratch(folder);
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
          const conn = await instance.connect();
          const schema = `stage${n++ % 2}`;
          let chunkReport: LoadReport;
          try {
            await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}; USE ${schema}`);
            chunkReport = await loadCloudTrail(
              conn,
              chunk.map((m) => m.abs),
              {
                index: null,
                renumber: false,
                onProgress: (p) =>
                  opts.onProgress?.({
                    filesDone: doneFiles + p.filesDone,
                    filesTotal: misses.length,
                    bytesDone: doneBytes + p.bytesDone,
                    bytesTotal: total,
                    events: doneEvents + p.events,
                    elapsedMs: performance.now() - started,
                  }),
              },
            );
            doneFiles += chunk.length;
            doneBytes += chunk.reduce((sum, m) => sum + m.size, 0);
            doneEvents += chunkReport.eventsLoaded;
            await writing;
          } catch (err) {
            conn.closeSync();
            throw err;
          }
          writing = writeChunk(conn, folder, chunk, chunkReport, report)
            .then((chunkEntries) => {
              for (const e of chunkEntries) if (e.parquet) written.add(e.parquet);
              entries.push(...chunkEntries);
              converted.push(...chunk.map((m) => m.abs));
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
    for (const e of entries) if (e.parquet !== null) byDay.set(dayOf(e), [...(byDay.get(dayOf(e)) ?? []), e]);
    for (const [day, members] of byDay) {
      const segments = new Set(members.map((m) => m.parquet!));
      const holdsOldRows = dirty.has(day) && [...segments].some((s) => !written.has(s));
      if (!holdsOldRows && segments.size <= MAX_DAY_SEGMENTS) continue;
      instance ??= await openScratch(folder);
      const replaced = await rewriteDay(instance, folder, members);
      for (const e of replaced) entries[entries.findIndex((x) => x.path === e.path)] = e;
      rewritten.push(day);
    }
  } finally {
    instance?.closeSync();
  }

  for (const entry of entries) {
    if (!converted.includes(entry.path)) {
      report.warnings.push(...entry.warnings);
    }
    report.filesRead++;
    report.eventsLoaded += entry.rows;
    report.eventsSkipped += entry.eventsSkipped;
    report.bytesRead += entry.size;
  }
  const changed = converted.length > 0 || rewritten.length > 0 || dirty.size > 0;
  if (changed || fromManifest !== entries.length || listed.size !== entries.length) writeAtomic(manifest, JSON.stringify(entries));
  const collected = changed ? await collectGarbage(opts.dir, folder, opts.gcGraceMs ?? GC_GRACE_MS) : [];
  report.elapsedMs = performance.now() - started;
  return { report, entries, converted, rewritten, collected };
}

interface Miss {
  abs: string;
  key: string;
  size: number;
  mtimeMs: number;
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
 * The private DuckDB a load converts with. Its memory is capped (DuckDB's default is 80% of the
 * machine) so a first load stays well under 2 GB; past the cap it spills into the cache folder.
 */
async function openScratch(folder: string): Promise<DuckDBInstance> {
  return DuckDBInstance.create(':memory:', {
    memory_limit: SCRATCH_MEMORY,
    temp_directory: path.join(folder, `.spill-${process.pid}-${randomBytes(6).toString('hex')}`),
  });
}

function newSegment(folder: string): string {
  return path.join(folder, `seg-${randomBytes(12).toString('hex')}.parquet`);
}

/**
 * Writes the members' rows, read from their current segments, into one new segment, then points
 * their entries at it (entries last: a crash leaves the old segments in use).
 */
async function rewriteDay(instance: DuckDBInstance, folder: string, members: CacheEntry[]): Promise<CacheEntry[]> {
  const conn = await instance.connect();
  try {
    const segment = newSegment(folder);
    const tmp = uniqueTemp(segment);
    const segments = [...new Set(members.map((m) => m.parquet!))].sort();
    const sources = members.map((m) => `(${sqlString(m.parquet!)}, ${sqlString(m.path)})`);
    // Not sorted: a day (33k events at 1M) fits in one row group, so order would skip nothing.
    await conn.run(`COPY (
        SELECT e.* EXCLUDE (filename)
        FROM read_parquet([${segments.map((s) => sqlString(duckdbPath(s))).join(', ')}], filename = true) AS e
        JOIN (VALUES ${sources.join(', ')}) AS f(file, src) ON e.filename = f.file AND e.__src = f.src
      ) TO ${sqlString(tmp)} (${SEGMENT_FORMAT})`);
    renameSync(tmp, segment);
    return members.map((m) => {
      const entry = { ...m, parquet: segment };
      writeAtomic(path.join(folder, `${keyOf(m.path)}.json`), JSON.stringify(entry));
      return entry;
    });
  } finally {
    conn.closeSync();
  }
}

/**
 * Deletes the files of the cache folder (`root`) that nothing references any more: segments no
 * entry or manifest points at (a changed file's old rows after its day was rewritten, a removed
 * file's), entries of source files that no longer exist, and folders of other layouts.
 *
 * Another spelunk process may be writing into the same folder right now, so a file goes only when
 * no process can be about to reference it:
 * - temps and DuckDB's spill folders carry their writer's pid: they go once that process is gone (and
 *   they are older than the grace period, in case the pid is another machine's);
 * - a segment is referenced a moment after it is renamed into place (its entries are written right
 *   after), so an unreferenced segment goes only once it is older than the grace period;
 * - an entry goes when its source file is gone (ENOENT): it can never be a hit again.
 * A process still showing a view over a segment another load has since replaced and that is older
 * than the grace period may lose it; its next load reads the current entries again.
 */
async function collectGarbage(root: string, folder: string, graceMs: number): Promise<string[]> {
  const now = Date.now();
  const removed: string[] = [];
  const oldEnough = async (file: string): Promise<boolean> => {
    const info = await stat(file).catch(() => undefined);
    return info !== undefined && now - info.mtimeMs >= graceMs;
  };
  const remove = async (file: string): Promise<void> => {
    await rm(file, { recursive: true, force: true });
    removed.push(file);
  };
  const names = await readdir(folder);
  const sourceState = memo((p: string) => stat(p).then((i) => ({ size: i.size, mtimeMs: i.mtimeMs }), (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : undefined)));
  const referenced = new Set<string>();
  // An entry references its segment while its source file is as it describes (or unreadable now:
  // a drive that is not mounted keeps its cache).
  const note = async (e: CacheEntry): Promise<boolean> => {
    const state = await sourceState(e.path);
    if (state === null) return false;
    if (e.parquet && (state === undefined || (state.size === e.size && state.mtimeMs === e.mtimeMs))) referenced.add(e.parquet);
    return true;
  };
  await Promise.all(
    names.map(async (name) => {
      const file = path.join(folder, name);
      if (/^[0-9a-f]{32}\.json$/.test(name)) {
        const entry = await readEntry(file);
        if (entry && !(await note(entry))) await remove(file);
      } else if (/^load-[0-9a-f]{32}\.json$/.test(name)) {
        for (const entry of (await readEntry<CacheEntry[]>(file)) ?? []) await note(entry);
      }
    }),
  );
  for (const name of names) {
    const file = path.join(folder, name);
    const writer = /\.(\d+)\.[0-9a-z]+\.tmp$/.exec(name) ?? /^\.spill-(\d+)-/.exec(name);
    if (writer) {
      if (!isAlive(Number(writer[1])) && (await oldEnough(file))) await remove(file);
    } else if (/^seg-[0-9a-f]+\.parquet$/.test(name) && !referenced.has(file) && (await oldEnough(file))) await remove(file);
  }
  // Folders of other layouts: no entry of this version reads them.
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, name);
    if (!/^v\d+(-[0-9a-f]{8})?$/.test(name) || dir === folder) continue;
    const inside = await readdir(dir).catch(() => [] as string[]);
    const ages = await Promise.all(inside.map((n) => oldEnough(path.join(dir, n))));
    if (ages.every(Boolean)) await remove(dir);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
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

/** A temporary name beside `file` that no other process (or concurrent load) uses. */
function uniqueTemp(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

/** Two spelunk processes may cache the same file at once: each writes its own temp, renames win. */
function writeAtomic(file: string, text: string): void {
  const tmp = uniqueTemp(file);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** A spelunk export is already columnar: it is copied, as its own segment, with each row's place. */
async function cacheExport(instance: DuckDBInstance, folder: string, miss: Miss): Promise<CacheEntry> {
  const conn = await instance.connect();
  try {
    const parquet = newSegment(folder);
    const cols = EVENT_COLUMNS.filter((c) => c.name !== '__seq').map(
      (c) => `${promotedFromJson(c.name) ?? `${quoteIdent(c.name)}::${c.type}`} AS ${quoteIdent(c.name)}`,
    );
    const tmp = uniqueTemp(parquet);
    await conn.run(`COPY (SELECT ${cols.join(', ')}, (file_row_number)::UINTEGER AS __pos, ${sqlString(miss.abs)} AS __src
        FROM read_parquet(${sqlString(duckdbPath(miss.abs))}, file_row_number = true)) TO ${sqlString(tmp)} (${SEGMENT_FORMAT})`);
    renameSync(tmp, parquet);
    const r = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, min(_time) AS lo, max(_time) AS hi FROM read_parquet(${sqlString(duckdbPath(parquet))})`)).getRowObjectsJS()[0]!;
    const rows = Number(r['n']);
    if (rows === 0) rmSync(parquet, { force: true });
    const entry: CacheEntry = {
      path: miss.abs, size: miss.size, mtimeMs: miss.mtimeMs, rows,
      minTime: r['lo'] == null ? null : Number(r['lo']), maxTime: r['hi'] == null ? null : Number(r['hi']),
      warnings: [], eventsSkipped: 0, parquet: rows > 0 ? parquet : null,
    };
    writeAtomic(path.join(folder, `${miss.key}.json`), JSON.stringify(entry));
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

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Columns of a cached file: the event columns but `__seq` (then the row's place and source). */
const STORED = EVENT_COLUMNS.filter((c) => c.name !== '__seq').map((c) => quoteIdent(c.name));

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
    const segments = new Map<string, string>();
    for (const [day, d] of days) {
      const segment = newSegment(folder);
      const tmp = uniqueTemp(segment);
      const mixed = d.last - d.first + 1 !== d.rows ? ` AND source IN (${d.sources.map(sqlString).join(', ')})` : '';
      await conn.run(`COPY (
          SELECT ${STORED.join(', ')}, rowid::UINTEGER AS __pos, source AS __src
          FROM ${EVENTS_TABLE} WHERE rowid BETWEEN ${d.first} AND ${d.last}${mixed}
        ) TO ${sqlString(tmp)} (${SEGMENT_FORMAT})`);
      renameSync(tmp, segment);
      segments.set(day, segment);
    }
    const entries: CacheEntry[] = [];
    for (const miss of chunk) {
      const warnings = chunkReport.warnings.filter((w) => w.file === miss.abs);
      if (warnings.some((w) => w.kind === 'skipped')) {
        // Rejected files are not cached: the cause (a half-written file, permissions) may pass.
        report.filesSkipped++;
        report.warnings.push(...warnings);
        continue;
      }
      report.warnings.push(...warnings);
      const row = bySource.get(miss.abs);
      const times = { minTime: row?.['lo'] == null ? null : Number(row['lo']), maxTime: row?.['hi'] == null ? null : Number(row['hi']) };
      let parquet: string | null = null;
      if (row) {
        parquet = segments.get(dayOf(times)) ?? null;
        if (parquet === null) throw new Error(`cache: no segment for day ${dayOf(times)} of ${miss.abs}`);
      }
      const entry: CacheEntry = {
        path: miss.abs,
        size: miss.size,
        mtimeMs: miss.mtimeMs,
        rows: row ? Number(row['n']) : 0,
        ...times,
        warnings,
        eventsSkipped: warnings.reduce((sum, w) => sum + (w.eventsSkipped ?? 0), 0),
        parquet,
      };
      // The entry is written last: a crash before it leaves a miss, never a wrong hit.
      writeAtomic(path.join(folder, `${miss.key}.json`), JSON.stringify(entry));
      entries.push(entry);
    }
    return entries;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${EVENTS_TABLE}`);
  }
}

/** Time bounds of a search: [earliest, latest) in epoch seconds. */
export interface TimeRange {
  earliest?: number;
  latest?: number;
}

/** Whether a file can hold an event in the range (events without _time match no range). */
export function overlaps(entry: CacheEntry, range: TimeRange): boolean {
  if (range.earliest === undefined && range.latest === undefined) return true;
  if (entry.minTime === null || entry.maxTime === null) return false;
  if (range.earliest !== undefined && entry.maxTime < range.earliest) return false;
  if (range.latest !== undefined && entry.minTime >= range.latest) return false;
  return true;
}

// Newest first; equal times by source path, then by place in the file: the loader's own order.
// The key is a HUGEINT: the time (microseconds before 2100, events without time last) above the
// source's rank among the view's files and the row's position in its file, so the order needs no
// pass over the whole table when files are added. The rank comes from a join with a small table
// of the files (one row each).
const SEQ = `((coalesce(4102444800000000 - round(e."_time" * 1000000), 9000000000000000000)::HUGEINT << 64)
      + (f.rank::HUGEINT << 32) + e.__pos)`;

/** The (segment, source, rank) rows the `events` view joins its segments with. */
const SOURCES_TABLE = '__spelunk_sources';

/**
 * The loaded files, by the index they were loaded into. A file loaded again (the REPL's `:load`
 * of the same folder) replaces its earlier entry instead of duplicating its events.
 */
export class CachedEvents {
  private readonly files = new Map<string, { entry: CacheEntry; index: string }>();
  private current: string | undefined;
  /** The files and range the view was last built for: rebuilding its text costs 3 ms at 2,500 files. */
  private built: string | undefined;
  private version = 0;

  add(entries: CacheEntry[], index: string): void {
    for (const entry of entries) this.files.set(entry.path, { entry, index });
    this.version++;
  }

  /** Forgets every file, before the loads are added again. */
  reset(): void {
    this.files.clear();
    this.version++;
  }

  /** The entries a range reads, in a stable order. */
  select(range: TimeRange): { entry: CacheEntry; index: string }[] {
    return [...this.files.values()]
      .filter((f) => f.entry.parquet !== null && overlaps(f.entry, range))
      .sort((a, b) => compareText(a.entry.path, b.entry.path));
  }

  /**
   * SQL of the `events` view reading only the segments a range needs. Each segment is joined with
   * the sources whose current entry points at it: a segment also holds rows of files the range
   * does not need (other files of a day) and may hold a changed file's old rows, whose new entry
   * points at another segment: the join drops both.
   */
  viewSql(range: TimeRange): string {
    return this.statements(range).join(';\n');
  }

  /**
   * The sources table, then the view. The (segment, source, rank) rows live in a table of their
   * own rather than in the view's text: DuckDB parses the view again for every statement that
   * reads `events`, and with 2,500 files in its text planning `SELECT count(*) FROM events`
   * took 50 ms, paid two or three times per search.
   */
  private statements(range: TimeRange): string[] {
    const selected = this.select(range);
    const ranks = new Map([...this.files.keys()].sort().map((p, i) => [p, i]));
    const indexes = [...new Set(selected.map((f) => f.index))];
    const parts: string[] = [];
    const sources: string[] = [];
    indexes.forEach((index, part) => {
      const cols = EVENT_COLUMNS.map((c) => {
        if (c.name === '__seq') return `${SEQ} AS "__seq"`;
        if (c.name === 'index') return `coalesce(e."index", ${sqlString(index)}) AS "index"`;
        return `e.${quoteIdent(c.name)}`;
      });
      const mine = selected.filter((f) => f.index === index);
      const segments = [...new Set(mine.map((f) => f.entry.parquet!))].sort();
      const place = new Map(segments.map((s, i) => [s, i]));
      for (const f of mine) sources.push(`(${part}, ${place.get(f.entry.parquet!)}, ${sqlString(f.entry.path)}, ${ranks.get(f.entry.path)})`);
      parts.push(`SELECT ${cols.join(', ')}
FROM read_parquet([${segments.map((s) => sqlString(duckdbPath(s))).join(', ')}]) AS e
JOIN ${SOURCES_TABLE} AS f ON f.part = ${part} AND e.file_index = f.segment AND e.__src = f.src`);
    });
    if (parts.length === 0) {
      const cols = EVENT_COLUMNS.map((c) => `NULL::${c.name === '__seq' ? 'HUGEINT' : c.type} AS ${quoteIdent(c.name)}`);
      return [`CREATE OR REPLACE TEMP VIEW ${EVENTS_TABLE} AS\nSELECT ${cols.join(', ')} WHERE false`];
    }
    return [
      `CREATE OR REPLACE TEMP TABLE ${SOURCES_TABLE} AS SELECT * FROM (VALUES ${sources.join(', ')}) AS f(part, segment, src, rank)`,
      `CREATE OR REPLACE TEMP VIEW ${EVENTS_TABLE} AS\n${parts.join('\nUNION ALL\n')}`,
    ];
  }

  /** Points `events` at the files a range needs (a no-op when that is already so). */
  async apply(conn: DuckDBConnection, range: TimeRange): Promise<void> {
    const built = JSON.stringify([this.version, range.earliest ?? null, range.latest ?? null]);
    if (built === this.built) return;
    const statements = this.statements(range);
    const key = statements.join(';\n');
    if (key !== this.current) {
      for (const sql of statements) await conn.run(sql);
      this.current = key;
    }
    this.built = built;
  }
}

/**
 * `spelunk load --out`: every event column but `__seq`, newest first, in one Parquet file that
 * `--data` reads back exactly (the loader recognises the columns). Returns the rows written.
 */
export async function exportEvents(conn: DuckDBConnection, file: string): Promise<number> {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const result = await conn.run(
    `COPY (SELECT ${STORED.join(', ')} FROM ${EVENTS_TABLE} ORDER BY "__seq") TO ${sqlString(file)} (FORMAT parquet)`,
  );
  return result.rowsChanged;
}
