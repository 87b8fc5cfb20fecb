// The cache folder's files: the layout, the entries recorded for each source file and what
// decides that an entry still describes its file, writes that no reader can see half done, and
// the collection of files nothing references any more.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_COLUMNS } from '../compiler/cloudtrail-schema.js';
import { located, readManifestBytes, type ManifestList } from './cache-manifest.js';
import { MANIFEST_NAME, unusedManifests } from './cache-manifests.js';
import { quoteIdent, sqlString } from './load-sql.js';
import type { LoadWarning } from './types.js';

/**
 * The cache's folder name: the layout's version and the stored columns, so a cache written
 * before either changed is not found (and is collected as an old layout). Bumped when a cached file's
 * layout changes (v6: `__pos` may be empty) or files could have been cached short or wrong (v7: gzip
 * members after zero padding, a line's wrapper with Records second; v8: Athena's JSON rows, a cut
 * gzip's last line holding a wrapper; v9: search results read as events, not-evidence.ts).
 */
export const LAYOUT = `v9-${createHash('sha256').update(EVENT_COLUMNS.map((c) => `${c.name} ${c.type}`).join(',')).digest('hex').slice(0, 8)}`;
export const DAY = 86_400;
/** Unreferenced cache files younger than this are left alone: see collectGarbage(). */
export const GC_GRACE_MS = 10 * 60_000;
/**
 * zstd at its fastest level: as quick to write as snappy (writing is a third of a first load) and
 * files half the size, so less to read back.
 */
const SEGMENT_FORMAT = 'FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1';

/**
 * A row's place in its file, from a segment read as `e`. Segments written from the loader's staged
 * values (cache.ts, writeValuesChunk) leave `__pos` empty: each holds its rows in the order they
 * were read, so the row's number in the segment is its place (numbering the rows with a window as
 * they were written cost as much again as the write). The other segments (rewritten days,
 * exports, answer-first) store it.
 */
export const POSITION = 'coalesce(e.__pos, e.file_row_number::UINTEGER)';

/** Columns of a cached file: the event columns but `__seq` (then the row's place and source). */
export const STORED = EVENT_COLUMNS.filter((c) => c.name !== '__seq').map((c) => quoteIdent(c.name));

/** The folder of `dir` the current layout's files are in. */
export function layoutFolder(dir: string): string {
  return path.join(dir, LAYOUT);
}

export function defaultCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache'), 'spelunk');
}

/**
 * What decides whether a cached file is still the file on disk. Size and mtime alone are not
 * enough: content replaced by other content of the same size, with the mtime set back
 * (`touch -d`, `cp -p`, an archive restored with its times), would be answered from the old
 * rows. Any write to a file moves its ctime to the present, and no user tool can set it back;
 * a file replaced by another (a copy, an extraction, a rename over it) has another inode. A
 * full hash of the bytes would also catch changes made behind the file system's back, at the
 * price of reading every byte on every warm start.
 */
export interface Fingerprint {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export function fingerprintOf(info: Fingerprint): Fingerprint {
  return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino };
}

export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** What is recorded for each cached source file, in the packs and in the load manifests. */
export interface CacheEntry extends Fingerprint {
  path: string;
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
  /** The segment's size when the entry was written (see Segment). */
  parquetBytes: number | null;
}

/**
 * A conversion chunk's entries, written in one file after its segments (`pack-<id>.json`): one
 * write per chunk of hundreds or thousands of files, where one file per source cost a third of
 * the first load of a tree of small files. The same source may have entries in several packs (a
 * changed file converted again, its day rewritten, two processes converting it at once): the
 * newest pack's entry that still describes the file is the one that counts.
 */
export interface Pack {
  /** When it was written (ms), to tell which of several entries for a file is the newest. */
  written: number;
  entries: CacheEntry[];
}

const PACK_NAME = /^pack-[0-9a-f]+\.json$/;

/**
 * A segment always lies in the folder of the entries that name it, so entries are written with its
 * file name only and read back against their own folder: a cache folder that is copied or moved
 * reads its own segments. (Entries of older versions held absolute paths: a copy then read, or was
 * refused, the original's segments, and collected its own as unreferenced.)
 */
export function storedEntries(entries: CacheEntry[]): CacheEntry[] {
  return entries.map((e) => (e.parquet === null ? e : { ...e, parquet: path.basename(e.parquet) }));
}

/** Where a segment an entry of `folder` names is (see storedEntries). */
function segmentIn(folder: string): (stored: string) => string {
  return (stored) => path.join(folder, path.basename(stored));
}

export function writePack(folder: string, entries: CacheEntry[]): void {
  if (entries.length === 0) return;
  const pack: Pack = { written: Date.now(), entries: storedEntries(entries) };
  writeAtomic(path.join(folder, `pack-${randomBytes(12).toString('hex')}.json`), JSON.stringify(pack));
}

/** Every pack of the folder (with `since`, those whose file changed since then), newest first (ties by name, so every process orders them alike). */
async function readPacks(folder: string, since?: number): Promise<{ file: string; pack: Pack }[]> {
  let names = (await readdir(folder).catch(() => [] as string[])).filter((n) => PACK_NAME.test(n));
  const changed = async (n: string) => ((await stat(path.join(folder, n)).catch(() => undefined))?.mtimeMs ?? Infinity) >= since!;
  if (since !== undefined) names = (await Promise.all(names.map(async (n) => ((await changed(n)) ? n : '')))).filter((n) => n !== '');
  const packs = await Promise.all(names.map(async (name) => ({ file: path.join(folder, name), pack: await readEntry<Pack>(path.join(folder, name)) })));
  return packs
    .filter((p): p is { file: string; pack: Pack } => Array.isArray(p.pack?.entries) && typeof p.pack?.written === 'number')
    .map((p) => ({ file: p.file, pack: { written: p.pack.written, entries: located(p.pack.entries, segmentIn(folder)) } }))
    .sort((a, b) => b.pack.written - a.pack.written || (a.file < b.file ? 1 : a.file > b.file ? -1 : 0));
}

/** Each source's entries across the packs (those changed since `since`, when given), newest first. */
export async function entriesByPath(folder: string, since?: number): Promise<Map<string, CacheEntry[]>> {
  const byPath = new Map<string, CacheEntry[]>();
  for (const { pack } of await readPacks(folder, since)) for (const e of pack.entries) if (!byPath.get(e.path)?.push(e)) byPath.set(e.path, [e]);
  return byPath;
}

export function keyOf(absPath: string): string {
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

/**
 * The entries of a load manifest of `folder` (see cache-manifest.ts), their segments resolved
 * there; undefined when it is missing or damaged.
 */
export async function readManifest(folder: string, file: string): Promise<CacheEntry[] | undefined> {
  return (await readLoadManifest(folder, file))?.entries;
}

/** A load manifest's entries (readManifest), its bytes' digest (manifestDigest), and whether it is of an earlier format. */
export async function readLoadManifest(folder: string, file: string, onBytes?: (bytes: Buffer | undefined) => void): Promise<(ManifestList & { digest: string }) | undefined> {
  const bytes = await readFile(file).catch(() => undefined);
  onBytes?.(bytes);
  if (bytes === undefined) return undefined;
  const read = readManifestBytes(bytes, memo(segmentIn(folder)));
  return read && { ...read, digest: manifestDigest(bytes) };
}

/**
 * What names a manifest's bytes, and so the list of entries it holds: the files saved for that
 * list (sourcesFile) are found by it, and are never read for another list.
 */
export function manifestDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** A saved sources table (sourcesFile). */
const SOURCES_NAME = /^sources-([0-9a-f]{32})\.duckdb$/;

/**
 * The `events` view's sources table (cache-view.ts) for the entries of the manifest whose text
 * has this digest, saved by the load that first built it: a warm start reads it back in one
 * statement instead of appending a row per file (53,819 at 5M).
 */
export function sourcesFile(folder: string, digest: string): string {
  return path.join(folder, `sources-${digest}.duckdb`);
}

export function memo<T>(fn: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, fn(key));
    return seen.get(key)!;
  };
}

/**
 * The cache folder cannot be written (read-only, full, no permission, over quota). The load that
 * meets it goes on without the cache: see Engine.load.
 */
export class CacheWriteError extends Error {
  constructor(
    readonly folder: string,
    readonly reason: string,
  ) {
    super(`cannot write the cache at ${folder}: ${reason}`);
    this.name = 'CacheWriteError';
  }
}

const WRITE_PROBLEMS: [RegExp, string][] = [
  [/ENOSPC|No space left on device/i, 'no space left on device'],
  [/EROFS|Read-only file system/i, 'read-only file system'],
  [/EDQUOT|Disk quota exceeded/i, 'disk quota exceeded'],
  [/EACCES|EPERM|Permission denied/i, 'permission denied'],
  [/ENOTDIR|EEXIST|Not a directory/i, 'a file is in the way of its folders'],
];

/** The cache write problem an error describes, if it is one. */
export function cacheWriteProblem(err: unknown, folder: string): CacheWriteError | undefined {
  if (err instanceof CacheWriteError) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const text = `${e?.code ?? ''} ${e instanceof Error ? e.message : String(err)}`;
  const found = WRITE_PROBLEMS.find(([pattern]) => pattern.test(text));
  return found && new CacheWriteError(folder, found[1]);
}

/**
 * Creates a folder and its parents. One level at a time: a recursive mkdir on a read-only file
 * system reports ENOENT for the missing parent instead of the read-only one that refused it.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** A temporary name beside `file` that no other process (or concurrent load) uses. */
export function uniqueTemp(file: string): string {
  return `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
}

/**
 * Two spelunk processes may cache the same file at once: each writes its own temp, renames win.
 * A temp that could not be written whole (a full disk) is removed, never renamed.
 */
export function writeAtomic(file: string, text: string | Uint8Array): void {
  const tmp = uniqueTemp(file);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export interface Segment {
  file: string;
  /** Its size once written: an entry whose segment has another size is not a hit. */
  bytes: number;
}

/**
 * Writes a SELECT's rows to a new segment of `folder`, under a temp name until they are all there.
 * `rowGroupRows` caps its row groups, for a segment that may hold a whole busy day (the writer
 * holds a row group at a time) and for the newest events (NEWEST_ROW_GROUP). Others keep
 * DuckDB's (122,880 rows, a chunk's day in one): at 32,768 the saved searches cost 17-23% more
 * CPU at 1M.
 */
export async function writeSegment(conn: DuckDBConnection, folder: string, select: string, rowGroupRows?: number): Promise<Segment> {
  const file = path.join(folder, `seg-${randomBytes(12).toString('hex')}.parquet`);
  const tmp = uniqueTemp(file);
  const format = rowGroupRows === undefined ? SEGMENT_FORMAT : `${SEGMENT_FORMAT}, ROW_GROUP_SIZE ${Math.floor(rowGroupRows)}`;
  try {
    await conn.run(`COPY (${select}) TO ${sqlString(tmp)} (${format})`);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file, bytes: statSync(file).size };
}

/**
 * Deletes the files of the cache folder (`root`) that nothing references any more: segments no
 * entry or manifest points at (a changed file's old rows after its day was rewritten, a removed
 * file's), entries no longer current (their source gone or changed, or a newer pack's entry
 * for it), saved sources tables whose manifest changed or went (sourcesFile), manifests long
 * unused (cache-manifests.ts), and folders of other layouts.
 *
 * Another spelunk process may be writing into the same folder right now, so a file goes only when
 * no process can be about to reference it:
 * - temps and spill folders carry their writer's pid: they go once it is gone (and older than the grace, for another machine's pid);
 * - a segment is referenced a moment after it is renamed into place (its entries are written right
 *   after), so an unreferenced segment goes only once it is older than the grace period; so does
 *   a saved sources table (a process may be about to read it: it then makes the table itself);
 * - an entry goes when its source file is gone (ENOENT) or no longer as it describes, or a newer
 *   pack holds the source's current entry: it can never be the hit again.
 * A process still showing a view over a segment another load has since replaced and that is older
 * than the grace period may lose it; its next load reads the current entries again.
 */
export async function collectGarbage(root: string, folder: string, graceMs: number, seen?: Map<string, Fingerprint>): Promise<string[]> {
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
  const sourceState = memo((p: string) => stat(p).then(fingerprintOf, (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : undefined)));
  const referenced = new Set<string>();
  // An entry references its segment while its source file is as it describes (or unreadable now:
  // a drive that is not mounted keeps its cache). Entries as the load saw their files a moment ago
  // (`seen`) are not asked again (1M events' first load: 10,835 stats, 0.6 s at its end).
  const current = async (e: CacheEntry): Promise<boolean> => {
    if (seen?.has(e.path) && sameFingerprint(seen.get(e.path)!, e)) return true;
    const state = await sourceState(e.path);
    return state !== null && (state === undefined || sameFingerprint(state, e));
  };
  // In packs, only the newest current entry of a source counts. A pack keeps only those: it is
  // written again without the others (a removed file's, a changed file's old one), or deleted
  // when none is left.
  const decided = new Set<string>();
  for (const { file, pack } of await readPacks(folder)) {
    const kept: CacheEntry[] = [];
    for (const e of pack.entries) {
      if (decided.has(e.path) || !(await current(e))) continue;
      decided.add(e.path);
      kept.push(e);
      if (e.parquet) referenced.add(e.parquet);
    }
    if (kept.length === 0) await remove(file);
    else if (kept.length < pack.entries.length) writeAtomic(file, JSON.stringify({ written: pack.written, entries: storedEntries(kept) }));
  }
  // Manifests long unused go first (cache-manifests.ts): what only they reference goes with them.
  // A saved sources table is kept while a manifest with its digest is there.
  const unused = new Set(await unusedManifests(folder, names, now, graceMs));
  for (const file of unused) await remove(file);
  const listed = new Set<string>();
  await Promise.all(
    names
      .filter((name) => MANIFEST_NAME.test(name) && !unused.has(path.join(folder, name)))
      .map(async (name) => {
        const manifest = await readLoadManifest(folder, path.join(folder, name));
        if (manifest === undefined) return;
        listed.add(manifest.digest);
        for (const e of manifest.entries) if (e.parquet && (await current(e))) referenced.add(e.parquet);
      }),
  );
  for (const name of names) {
    const file = path.join(folder, name);
    const writer = /\.(\d+)\.[0-9a-z]+\.tmp(\.wal)?$/.exec(name) ?? /^\.spill-(\d+)-/.exec(name);
    if (writer) {
      if (!isAlive(Number(writer[1])) && (await oldEnough(file))) await remove(file);
    } else if (/^seg-[0-9a-f]+\.parquet$/.test(name) && !referenced.has(file) && (await oldEnough(file))) await remove(file);
    else if (SOURCES_NAME.test(name) && !listed.has(SOURCES_NAME.exec(name)![1]!) && (await oldEnough(file))) {
      // Another process may hold it attached (a file that is open cannot be removed on Windows).
      await remove(file).catch(() => undefined);
    }
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

/** Whether process `pid` still runs (another user's process counts: signalling it is refused). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether an error is about a file of the cache at `cacheDir` that is gone or damaged (a segment
 * another process collected; one cut short or overwritten behind spelunk's back). A damaged one is
 * removed, so that the entries pointing at it are misses and their files are read again.
 */
export function repairableCacheFile(err: unknown, cacheDir: string): boolean {
  const message = err instanceof Error ? err.message : String(err);
  if (!message.includes(cacheDir)) return false;
  if (/No such file or directory|Cannot open file|No files found that match/i.test(message)) return true;
  if (!/No magic bytes|too small to be a Parquet file|Corrupt|Invalid Input Error|IO Error/i.test(message)) return false;
  const file = /'([^']+\.parquet)'/.exec(message)?.[1];
  if (!file || !path.resolve(file).startsWith(cacheDir + path.sep)) return false;
  rmSync(file, { force: true });
  return true;
}
