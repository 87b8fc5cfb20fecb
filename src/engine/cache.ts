// The columnar cache: each source file is converted once to its own Parquet file, keyed by the
// file's absolute path, size and mtime. A later load of unchanged files reads no JSON at all; a
// changed or new file is converted on its own. The `events` table is then a view over the cached
// Parquet files, and a search bounded in time reads only the files whose [min, max] _time
// overlaps its range (each file's range is recorded beside it).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EVENT_COLUMNS, EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { loadCloudTrail } from './loader.js';
import { describeFsError, expandPaths } from './load-files.js';
import { emptyLoadReport, type LoadProgress, type LoadReport, type LoadWarning } from './types.js';

/** Bumped whenever the layout of a cached file changes, so old entries are simply not found. */
const LAYOUT = 'v1';
/** Misses are converted in chunks of about this many (compressed) bytes, bounding memory. */
const CHUNK_BYTES = 48 * 1024 * 1024;

export function defaultCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache'), 'spelunk');
}

/** What is recorded beside each cached Parquet file. */
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
  /** Null when the file holds no events. */
  parquet: string | null;
}

export interface CachedLoad {
  report: LoadReport;
  entries: CacheEntry[];
  /** Files whose JSON was read in this load (cache misses). */
  converted: string[];
  /** The load's files rewritten a day at a time: see consolidate(). */
  groups: CacheGroup[];
}

/**
 * One day's cached files of a load, rewritten as one Parquet file. A scan of thousands of small
 * files spends most of its time opening them (a 1M-event search: 1.4 s over 2,500 files, 0.2 s
 * over one); the per-file entries stay the key, so a changed file is still re-read alone and only
 * its day is rewritten.
 */
export interface CacheGroup {
  /** The files it holds, as they were when it was written. */
  members: { path: string; size: number; mtimeMs: number }[];
  minTime: number | null;
  maxTime: number | null;
  parquet: string;
}

export interface CacheLoadOptions {
  dir: string;
  onProgress?: (p: LoadProgress) => void;
}

function keyOf(absPath: string): string {
  return createHash('sha256').update(absPath).digest('hex').slice(0, 32);
}

async function readEntry<T = CacheEntry>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Brings the cache up to date for the files `paths` name and returns their entries. */
export async function loadIntoCache(paths: string[], opts: CacheLoadOptions): Promise<CachedLoad> {
  const started = performance.now();
  const folder = path.join(opts.dir, LAYOUT);
  mkdirSync(folder, { recursive: true });
  const expansion = await expandPaths(paths);
  const report = emptyLoadReport(expansion.warnings);
  const entries: CacheEntry[] = [];
  const misses: { abs: string; key: string; size: number; mtimeMs: number }[] = [];
  // One file lists the entries of the last load of the same paths: reading 2,500 small entry
  // files costs more than the rest of a warm start. It only saves reads: an entry it lacks or
  // holds stale is looked up beside its Parquet file as before.
  const manifest = path.join(folder, `load-${keyOf(JSON.stringify(paths.map((p) => path.resolve(p))))}.json`);
  const listed = new Map(((await readEntry<CacheEntry[]>(manifest)) ?? []).map((e) => [e.path, e]));
  let fromManifest = 0;
  // Stats and entry reads run together: a warm start over thousands of files is mostly waiting.
  const looked = await Promise.all(
    expansion.files.map(async (file) => {
      const abs = path.resolve(file);
      const info = await stat(abs).catch((err: unknown) => err as Error);
      if (info instanceof Error) return { abs, info };
      const key = keyOf(abs);
      const isFresh = (e: CacheEntry | undefined): e is CacheEntry =>
        e !== undefined && e.size === info.size && e.mtimeMs === info.mtimeMs && (e.parquet === null || existsSync(e.parquet));
      let entry = listed.get(abs);
      if (isFresh(entry)) fromManifest++;
      else entry = await readEntry(path.join(folder, `${key}.json`));
      return { abs, info, key, entry: isFresh(entry) ? entry : undefined };
    }),
  );
  for (const l of looked) {
    if (l.info instanceof Error) {
      report.filesSkipped++;
      report.warnings.push({ file: l.abs, reason: describeFsError(l.info), kind: 'skipped' });
    } else if (l.entry) entries.push(l.entry);
    else misses.push({ abs: l.abs, key: l.key!, size: l.info.size, mtimeMs: l.info.mtimeMs });
  }

  const total = misses.reduce((sum, m) => sum + m.size, 0);
  let doneBytes = 0;
  let doneFiles = 0;
  let doneEvents = 0;
  const converted: string[] = [];
  if (misses.length > 0) {
    const instance = await DuckDBInstance.create(':memory:');
    try {
      const conn = await instance.connect();
      const exports: typeof misses = [];
      for (const miss of misses) if (await isExportFile(conn, miss.abs)) exports.push(miss);
      conn.closeSync();
      for (const miss of exports) {
        entries.push(await cacheExport(instance, folder, miss));
        converted.push(miss.abs);
      }
      for (const chunk of chunks(misses.filter((m) => !exports.includes(m)))) {
        const conn = await instance.connect();
        try {
          const chunkReport = await loadCloudTrail(
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
          entries.push(...(await writeChunk(conn, folder, chunk, chunkReport, report)));
          converted.push(...chunk.map((m) => m.abs));
          doneFiles += chunk.length;
          doneBytes += chunk.reduce((sum, m) => sum + m.size, 0);
          doneEvents += chunkReport.eventsLoaded;
        } finally {
          conn.closeSync();
        }
      }
    } finally {
      instance.closeSync();
    }
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
  const groups = await consolidate(folder, entries);
  if (fromManifest !== entries.length || listed.size !== entries.length) writeAtomic(manifest, JSON.stringify(entries));
  report.elapsedMs = performance.now() - started;
  return { report, entries, converted, groups };
}

const DAY = 86_400;

/**
 * Groups the entries by the UTC day of their first event and writes (or finds) each group's
 * Parquet file. A group is named by its members' identity, so any change to a day (a file
 * changed, added or removed) makes a new group and the old one is simply not found again.
 */
async function consolidate(folder: string, entries: CacheEntry[]): Promise<CacheGroup[]> {
  const byDay = new Map<string, CacheEntry[]>();
  for (const e of entries) {
    if (e.parquet === null) continue;
    const day = e.minTime === null ? 'none' : String(Math.floor(e.minTime / DAY));
    byDay.set(day, [...(byDay.get(day) ?? []), e]);
  }
  const groups: CacheGroup[] = [];
  let instance: DuckDBInstance | undefined;
  try {
    for (const members of byDay.values()) {
      if (members.length < 2) continue;
      members.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const identity = members.map((m) => [m.path, m.size, m.mtimeMs, m.parquet]);
      const key = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
      const meta = path.join(folder, `group-${key}.json`);
      const found = await readEntry<CacheGroup>(meta);
      if (found && existsSync(found.parquet)) {
        groups.push(found);
        continue;
      }
      instance ??= await DuckDBInstance.create(':memory:');
      const conn = await instance.connect();
      try {
        const parquet = path.join(folder, `group-${key}.parquet`);
        const tmp = uniqueTemp(parquet);
        const files = members.map((m) => `(${sqlString(m.parquet!)}, ${sqlString(m.path)})`);
        // Not sorted: a day (33k events at 1M) fits in one row group, so order would skip nothing,
        // and sorting cost a quarter more on the first load (15.6 s against 12.2 s for 30 days).
        await conn.run(`COPY (
            SELECT e.* EXCLUDE (filename), f.src AS __src
            FROM read_parquet([${members.map((m) => sqlString(m.parquet!)).join(', ')}], filename = true) AS e
            JOIN (VALUES ${files.join(', ')}) AS f(file, src) ON e.filename = f.file
          ) TO ${sqlString(tmp)} (FORMAT parquet)`);
        renameSync(tmp, parquet);
        const times = members.filter((m) => m.minTime !== null);
        const group: CacheGroup = {
          members: members.map((m) => ({ path: m.path, size: m.size, mtimeMs: m.mtimeMs })),
          minTime: times.length ? Math.min(...times.map((m) => m.minTime!)) : null,
          maxTime: times.length ? Math.max(...times.map((m) => m.maxTime!)) : null,
          parquet,
        };
        writeAtomic(meta, JSON.stringify(group));
        groups.push(group);
      } finally {
        conn.closeSync();
      }
    }
  } finally {
    instance?.closeSync();
  }
  return groups;
}

async function isExportFile(conn: DuckDBConnection, file: string): Promise<boolean> {
  if (!/\.parquet$/i.test(file)) return false;
  try {
    const cols = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)).getRowObjectsJS();
    const names = new Set(cols.map((c) => String(c['column_name'])));
    return EVENT_COLUMNS.every((c) => c.name === '__seq' || names.has(c.name));
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

/** A spelunk export is already columnar: it is copied with each row's place added. */
async function cacheExport(
  instance: DuckDBInstance,
  folder: string,
  miss: { abs: string; key: string; size: number; mtimeMs: number },
): Promise<CacheEntry> {
  const conn = await instance.connect();
  try {
    const parquet = path.join(folder, `${miss.key}.parquet`);
    const cols = EVENT_COLUMNS.filter((c) => c.name !== '__seq').map((c) => `${quoteIdent(c.name)}::${c.type} AS ${quoteIdent(c.name)}`);
    const tmp = uniqueTemp(parquet);
    await conn.run(`COPY (SELECT ${cols.join(', ')}, (file_row_number)::UINTEGER AS __pos
        FROM read_parquet(${sqlString(miss.abs)}, file_row_number = true)) TO ${sqlString(tmp)} (FORMAT parquet)`);
    renameSync(tmp, parquet);
    const r = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, min(_time) AS lo, max(_time) AS hi FROM read_parquet(${sqlString(parquet)})`)).getRowObjectsJS()[0]!;
    const rows = Number(r['n']);
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

/** Columns of a cached file: the event columns but `__seq`, plus the row's place in its file. */
const STORED = EVENT_COLUMNS.filter((c) => c.name !== '__seq').map((c) => quoteIdent(c.name));

/**
 * Writes one Parquet file per source file of the chunk (one partitioned COPY), then the entries.
 * The chunk's rows are in the staging table in file order, so rowid is the place in the file.
 */
async function writeChunk(
  conn: DuckDBConnection,
  folder: string,
  chunk: { abs: string; key: string; size: number; mtimeMs: number }[],
  chunkReport: LoadReport,
  report: LoadReport,
): Promise<CacheEntry[]> {
  const staging = path.join(folder, `.staging-${process.pid}-${Date.now()}`);
  rmSync(staging, { recursive: true, force: true });
  const counts = (
    await conn.runAndReadAll(
      `SELECT source, count(*)::BIGINT AS n, min(_time) AS lo, max(_time) AS hi FROM ${EVENTS_TABLE} GROUP BY source`,
    )
  ).getRowObjectsJS();
  const bySource = new Map(counts.map((r) => [String(r['source']), r]));
  try {
    if (counts.length > 0) {
      await conn.run(`COPY (
          SELECT ${STORED.join(', ')}, rowid::UINTEGER AS __pos,
                 substr(sha256(source), 1, 32) AS __key
          FROM ${EVENTS_TABLE}
        ) TO ${sqlString(staging)} (FORMAT parquet, PARTITION_BY (__key))`);
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
      let parquet: string | null = null;
      if (row) {
        const dir = path.join(staging, `__key=${miss.key}`);
        const written = readdirSync(dir).filter((f) => f.endsWith('.parquet'));
        if (written.length !== 1) throw new Error(`cache: expected one Parquet file in ${dir}, found ${written.length}`);
        parquet = path.join(folder, `${miss.key}.parquet`);
        renameSync(path.join(dir, written[0]!), parquet);
      }
      const entry: CacheEntry = {
        path: miss.abs,
        size: miss.size,
        mtimeMs: miss.mtimeMs,
        rows: row ? Number(row['n']) : 0,
        minTime: row?.['lo'] == null ? null : Number(row['lo']),
        maxTime: row?.['hi'] == null ? null : Number(row['hi']),
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
    rmSync(staging, { recursive: true, force: true });
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

/**
 * The loaded files, by the index they were loaded into. A file loaded again (the REPL's `:load`
 * of the same folder) replaces its earlier entry instead of duplicating its events.
 */
export class CachedEvents {
  private readonly files = new Map<string, { entry: CacheEntry; index: string }>();
  private readonly groups = new Map<string, { group: CacheGroup; index: string }>();
  private current: string | undefined;

  add(entries: CacheEntry[], index: string, groups: CacheGroup[] = []): void {
    for (const entry of entries) this.files.set(entry.path, { entry, index });
    for (const group of groups) this.groups.set(group.parquet, { group, index });
  }

  /** The entries a range reads, in a stable order. */
  select(range: TimeRange): { entry: CacheEntry; index: string }[] {
    return [...this.files.values()]
      .filter((f) => f.entry.parquet !== null && overlaps(f.entry, range))
      .sort((a, b) => (a.entry.path < b.entry.path ? -1 : a.entry.path > b.entry.path ? 1 : 0));
  }

  /**
   * The groups that stand for the selected files: every member still loaded as it was, into the
   * same index, and none already read through another group (a folder loaded twice).
   */
  private groupsFor(selected: { entry: CacheEntry; index: string }[]): { group: CacheGroup; index: string }[] {
    const wanted = new Set(selected.map((f) => f.entry.path));
    const covered = new Set<string>();
    const chosen: { group: CacheGroup; index: string }[] = [];
    for (const g of this.groups.values()) {
      const current = g.group.members.every((m) => {
        const f = this.files.get(m.path);
        return f !== undefined && f.index === g.index && f.entry.size === m.size && f.entry.mtimeMs === m.mtimeMs && f.entry.parquet !== null;
      });
      if (!current || !g.group.members.some((m) => wanted.has(m.path)) || g.group.members.some((m) => covered.has(m.path))) continue;
      for (const m of g.group.members) covered.add(m.path);
      chosen.push(g);
    }
    return chosen.sort((a, b) => (a.group.parquet < b.group.parquet ? -1 : 1));
  }

  /** SQL of the `events` view reading only the files a range needs. */
  viewSql(range: TimeRange): string {
    const selected = this.select(range);
    const groups = this.groupsFor(selected);
    const covered = new Set(groups.flatMap((g) => g.group.members.map((m) => m.path)));
    const ranks = new Map([...this.files.keys()].sort().map((p, i) => [p, i]));
    const indexes = [...new Set([...selected.map((f) => f.index), ...groups.map((g) => g.index)])];
    const parts: string[] = [];
    for (const index of indexes) {
      const cols = EVENT_COLUMNS.map((c) => {
        if (c.name === '__seq') return `${SEQ} AS "__seq"`;
        if (c.name === 'index') return `coalesce(e."index", ${sqlString(index)}) AS "index"`;
        return `e.${quoteIdent(c.name)}`;
      });
      const single = selected.filter((f) => f.index === index && !covered.has(f.entry.path));
      if (single.length > 0) {
        const rankRows = single.map((f) => `(${sqlString(f.entry.parquet!)}, ${ranks.get(f.entry.path)})`);
        parts.push(`SELECT ${cols.join(', ')}
FROM read_parquet([${single.map((f) => sqlString(f.entry.parquet!)).join(', ')}], filename = true) AS e
JOIN (VALUES ${rankRows.join(', ')}) AS f(file, rank) ON e.filename = f.file`);
      }
      const mine = groups.filter((g) => g.index === index);
      if (mine.length > 0) {
        // A group holds every event of its files: those of a file the range does not need are
        // left to the search's own time filter, as are a needed file's events outside the range.
        const rankRows = mine.flatMap((g) => g.group.members.map((m) => `(${sqlString(m.path)}, ${ranks.get(m.path)})`));
        parts.push(`SELECT ${cols.join(', ')}
FROM read_parquet([${mine.map((g) => sqlString(g.group.parquet)).join(', ')}]) AS e
JOIN (VALUES ${rankRows.join(', ')}) AS f(src, rank) ON e.__src = f.src`);
      }
    }
    if (parts.length === 0) {
      const cols = EVENT_COLUMNS.map((c) => `NULL::${c.name === '__seq' ? 'HUGEINT' : c.type} AS ${quoteIdent(c.name)}`);
      parts.push(`SELECT ${cols.join(', ')} WHERE false`);
    }
    return `CREATE OR REPLACE TEMP VIEW ${EVENTS_TABLE} AS\n${parts.join('\nUNION ALL\n')}`;
  }

  /** Points `events` at the files a range needs (a no-op when that is already so). */
  async apply(conn: DuckDBConnection, range: TimeRange): Promise<void> {
    const sql = this.viewSql(range);
    if (sql === this.current) return;
    await conn.run(sql);
    this.current = sql;
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
