// The columnar cache: each source file is converted once to its own Parquet file, keyed by the
// file's absolute path, size and mtime. A later load of unchanged files reads no JSON at all; a
// changed or new file is converted on its own. The `events` table is then a view over the cached
// Parquet files, and a search bounded in time reads only the files whose [min, max] _time
// overlaps its range (each file's range is recorded beside it).

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
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
}

export interface CacheLoadOptions {
  dir: string;
  onProgress?: (p: LoadProgress) => void;
}

function keyOf(absPath: string): string {
  return createHash('sha256').update(absPath).digest('hex').slice(0, 32);
}

function readEntry(file: string): CacheEntry | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CacheEntry;
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
  for (const file of expansion.files) {
    const abs = path.resolve(file);
    const info = await stat(abs).catch((err: unknown) => err as Error);
    if (info instanceof Error) {
      report.filesSkipped++;
      report.warnings.push({ file: abs, reason: describeFsError(info), kind: 'skipped' });
      continue;
    }
    const key = keyOf(abs);
    const entry = readEntry(path.join(folder, `${key}.json`));
    const fresh =
      entry && entry.size === info.size && entry.mtimeMs === info.mtimeMs && (entry.parquet === null || existsSync(entry.parquet));
    if (fresh) entries.push(entry);
    else misses.push({ abs, key, size: info.size, mtimeMs: info.mtimeMs });
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
  report.elapsedMs = performance.now() - started;
  return { report, entries, converted };
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
  private current: string | undefined;

  private readonly sources = new Map<string, string>();

  add(entries: CacheEntry[], index: string): void {
    for (const entry of entries) {
      this.files.set(entry.path, { entry, index });
      if (entry.parquet) this.sources.set(entry.parquet, entry.path);
    }
  }

  private sourceOf(parquet: string): string {
    return this.sources.get(parquet)!;
  }

  /** The entries a range reads, in a stable order. */
  select(range: TimeRange): { entry: CacheEntry; index: string }[] {
    return [...this.files.values()]
      .filter((f) => f.entry.parquet !== null && overlaps(f.entry, range))
      .sort((a, b) => (a.entry.path < b.entry.path ? -1 : a.entry.path > b.entry.path ? 1 : 0));
  }

  /** SQL of the `events` view reading only the files a range needs. */
  viewSql(range: TimeRange): string {
    const byIndex = new Map<string, string[]>();
    for (const { entry, index } of this.select(range)) {
      const list = byIndex.get(index) ?? [];
      list.push(entry.parquet!);
      byIndex.set(index, list);
    }
    const ranks = new Map([...this.files.keys()].sort().map((p, i) => [p, i]));
    const parts = [...byIndex].map(([index, files]) => {
      const cols = EVENT_COLUMNS.map((c) => {
        if (c.name === '__seq') return `${SEQ} AS "__seq"`;
        if (c.name === 'index') return `coalesce(e."index", ${sqlString(index)}) AS "index"`;
        return `e.${quoteIdent(c.name)}`;
      });
      const rankRows = files.map((f) => `(${sqlString(f)}, ${ranks.get(this.sourceOf(f))})`);
      return `SELECT ${cols.join(', ')}
FROM read_parquet([${files.map(sqlString).join(', ')}], filename = true) AS e
JOIN (VALUES ${rankRows.join(', ')}) AS f(file, rank) ON e.filename = f.file`;
    });
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
