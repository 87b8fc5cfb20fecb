// The load manifest (`list-<key>.json`): the entries of the last load of the same paths, read on
// every warm start. Written as columns, each folder's path and each segment's once: as one JSON
// object per entry it was 4.9 MB at 1M events (10,835 files) and 25 MB at 5M, and parsing it was
// a fifth of a warm start's CPU at 5M. v4 holds the numbers as binary doubles, a column each,
// after a small JSON header and before the names: as JSON text (v3) the 5M manifest's 484,371
// numbers were most of its parse (JSON.parse alone 40-50 ms, and arrays the collector then
// copied), where a Float64Array over the file's bytes costs nothing. It only saves reads (see
// lookUpCache): a manifest that does not parse as one is as if there were none. Earlier formats
// (v3 and v2 as JSON; `load-<key>.json`, an array of entries) are read, and written again in this
// one.

import type { CacheEntry } from './cache-files.js';
import type { LoadWarning } from './types.js';

/** An entry without its folder, segment and warnings (held once in the manifest, see below). */
type Row = [name: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, rows: number, minTime: number | null, maxTime: number | null, eventsSkipped: number, segment: number];

/** The v2 manifest, read still. */
interface ManifestV2 {
  v: 2;
  /**
   * [file, bytes] of each segment entries point at (as the entries give it: the cache writes its
   * file name only, see storedEntries); an entry's `segment` is its place here, -1 for none.
   */
  segments: [string, number | null][];
  /** Runs of consecutive entries in one folder: [the path up to its last '/', the entries]. */
  folders: [string, Row[]][];
  /** [the entry's place in the list, its warnings] for the entries that have any. */
  warnings: [number, LoadWarning[]][];
}

/** The numbers of an entry, a column each in the manifest (null times aside: see nullMin). */
const COLUMNS = ['size', 'mtimeMs', 'ctimeMs', 'ino', 'rows', 'minTime', 'maxTime', 'eventsSkipped', 'segment'] as const;
type Column = (typeof COLUMNS)[number];
const SEGMENT = COLUMNS.indexOf('segment');

/** What a v3 manifest and a v4 manifest's header hold beside the numbers. */
interface Lists {
  /** As in v2: [file, bytes] of each segment; an entry's `segment` is its place here, -1 for none. */
  segments: [string, number | null][];
  /** Runs of consecutive entries in one folder: [the path up to its last '/', how many]. */
  folders: [string, number][];
  /** The places of the entries whose minTime, and whose maxTime, is null (no event time): 0 in the column. */
  nullMin: number[];
  nullMax: number[];
  /** [the entry's place in the list, its warnings] for the entries that have any. */
  warnings: [number, LoadWarning[]][];
}

/** The v3 manifest (JSON), read still. */
type ManifestV3 = Lists & {
  v: 3;
  /** The entries' names after their folder, '/' between (a name holds none). */
  names: string;
} & Record<Column, number[]>;

/**
 * v4: MAGIC; the header's and the names' lengths in bytes (u32, little-endian); the header (JSON:
 * Lists, `v`, `n` the number of entries, `le` whether the numbers are little-endian); zeros up to a
 * multiple of 8 bytes; the columns of numbers, n doubles each, in COLUMNS' order; the names as in
 * v3 (UTF-8). Its first byte is none a JSON text starts with, so earlier versions take it for a
 * damaged manifest (and read the packs) rather than misread it.
 */
const MAGIC = Buffer.from('\x00spelunk-list-4\n', 'latin1');
type Header = Lists & { v: 4; n: number; le: boolean };
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
const align8 = (at: number): number => Math.ceil(at / 8) * 8;

/** The manifest's bytes for `entries` (in their order). */
export function manifestBytes(entries: CacheEntry[]): Buffer {
  const n = entries.length;
  const segments: [string, number | null][] = [];
  const segmentIds = new Map<string, number>();
  const folders: [string, number][] = [];
  const names: string[] = [];
  const nullMin: number[] = [];
  const nullMax: number[] = [];
  const warnings: [number, LoadWarning[]][] = [];
  const numbers = new Float64Array(COLUMNS.length * n);
  entries.forEach((e, i) => {
    let segment = -1;
    if (e.parquet !== null) {
      const key = `${e.parquetBytes}\0${e.parquet}`;
      segment = segmentIds.get(key) ?? -1;
      if (segment < 0) {
        segment = segments.push([e.parquet, e.parquetBytes]) - 1;
        segmentIds.set(key, segment);
      }
    }
    const cut = e.path.lastIndexOf('/') + 1;
    const folder = e.path.slice(0, cut);
    const last = folders[folders.length - 1];
    if (last !== undefined && last[0] === folder) last[1]++;
    else folders.push([folder, 1]);
    names.push(e.path.slice(cut));
    if (e.minTime === null) nullMin.push(i);
    if (e.maxTime === null) nullMax.push(i);
    const values: Record<Column, number> = { size: e.size, mtimeMs: e.mtimeMs, ctimeMs: e.ctimeMs, ino: e.ino, rows: e.rows, minTime: e.minTime ?? 0, maxTime: e.maxTime ?? 0, eventsSkipped: e.eventsSkipped, segment };
    COLUMNS.forEach((c, k) => (numbers[k * n + i] = values[c]));
    if (e.warnings.length > 0) warnings.push([i, e.warnings]);
  });
  const header: Header = { v: 4, n, le: LITTLE_ENDIAN, segments, folders, nullMin, nullMax, warnings };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const text = Buffer.from(names.join('/'), 'utf8');
  const at = align8(MAGIC.length + 8 + head.length);
  const out = Buffer.alloc(at + numbers.byteLength + text.length);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(head.length, MAGIC.length);
  out.writeUInt32LE(text.length, MAGIC.length + 4);
  head.copy(out, MAGIC.length + 8);
  out.set(new Uint8Array(numbers.buffer), at);
  text.copy(out, at + numbers.byteLength);
  return out;
}

/** The warnings of an entry that has none, shared: an array per entry was 53,819 more objects for a warm start's GC at 5M (none is ever changed in place). */
const NO_WARNINGS: LoadWarning[] = Object.freeze([]) as unknown as LoadWarning[];

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isTime = (x: unknown): x is number | null => x === null || isNumber(x);

/**
 * Each entry's folder (up to its last '/') and name, as a v3 or v4 manifest holds them: a walk's files
 * are compared with them piece by piece (listedIn), not by whole paths, which would each be built
 * in one piece for the comparison (53,819 at 5M: 20-40 ms, and memory the collector copies).
 */
export interface ListedPlaces {
  /** The folders, each once, and the place of each entry's folder among them. */
  folders: string[];
  folderOf: Uint32Array;
  names: string[];
}

/** What a manifest holds (see readManifestBytes). */
export interface ManifestList {
  entries: CacheEntry[];
  earlier: boolean;
  places?: ListedPlaces;
  /** The entries are in the order of their paths (CachedEvents.select's order, which need not sort them then). */
  inPathOrder?: boolean;
}

/**
 * The entries a manifest's bytes hold, in order, each segment's name passed through `locate`, and
 * whether it is of an earlier format (to be written again in this one); undefined when it is not
 * a manifest (damaged, cut short, another program's file).
 */
export function readManifestBytes(bytes: Buffer, locate: (stored: string) => string = (s) => s): ManifestList | undefined {
  if (bytes.length >= MAGIC.length && bytes.subarray(0, MAGIC.length).equals(MAGIC)) return fromBinary(bytes, locate);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (Array.isArray(parsed)) {
    if (!parsed.every(isEntry)) return undefined;
    return { entries: located(parsed as CacheEntry[], locate), earlier: true };
  }
  const m = parsed as { v?: unknown; segments?: unknown; warnings?: unknown } | null;
  if (m === null || typeof m !== 'object') return undefined;
  const segments = locatedSegments(m.segments, locate);
  if (segments === undefined) return undefined;
  const read = m.v === 3 ? fromV3(m as ManifestV3, segments) : m.v === 2 ? { entries: fromRows(m as ManifestV2, segments) } : undefined;
  const entries = read?.entries;
  if (entries === undefined || !withWarnings(entries, m.warnings)) return undefined;
  return { ...read, entries, earlier: true };
}

/** A manifest's segments, each located once (not once per entry: 53,819 entries, a few hundred segments at 5M); undefined when damaged. */
function locatedSegments(segments: unknown, locate: (stored: string) => string): [string, number | null][] | undefined {
  if (!Array.isArray(segments) || !segments.every((s) => Array.isArray(s) && typeof s[0] === 'string' && (s[1] === null || isNumber(s[1])))) return undefined;
  return (segments as [string, number | null][]).map(([file, bytes]): [string, number | null] => [locate(file), bytes]);
}

/** Puts each entry's warnings in place; false when they do not fit the entries. */
function withWarnings(entries: CacheEntry[], warnings: unknown): boolean {
  if (!Array.isArray(warnings)) return false;
  for (const w of warnings as unknown[]) {
    if (!Array.isArray(w) || !Number.isInteger(w[0]) || entries[w[0]] === undefined || !Array.isArray(w[1])) return false;
    entries[w[0]]!.warnings = w[1];
  }
  return true;
}

/** A v4 manifest's header and where its parts start, or undefined when it is cut short or its numbers are of another byte order. */
function binaryLayout(bytes: Buffer): { header: Header; n: number; at: number; textAt: number; textLength: number } | undefined {
  if (bytes.length < MAGIC.length + 8 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const headLength = bytes.readUInt32LE(MAGIC.length);
  const textLength = bytes.readUInt32LE(MAGIC.length + 4);
  const headAt = MAGIC.length + 8;
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', headAt, headAt + headLength)) as Header;
  } catch {
    return undefined;
  }
  if (header === null || typeof header !== 'object' || header.v !== 4 || header.le !== LITTLE_ENDIAN || !Number.isInteger(header.n) || header.n < 0) return undefined;
  const n = header.n;
  const at = align8(headAt + headLength);
  const textAt = at + COLUMNS.length * 8 * n;
  if (bytes.length !== textAt + textLength) return undefined;
  return { header, n, at, textAt, textLength };
}

/** A v4 manifest's entries, or undefined when it is cut short, its parts disagree or its numbers are of another byte order. */
function fromBinary(bytes: Buffer, locate: (stored: string) => string): ManifestList | undefined {
  const layout = binaryLayout(bytes);
  if (layout === undefined) return undefined;
  const { header, n, at, textAt, textLength } = layout;
  const segments = locatedSegments(header.segments, locate);
  if (segments === undefined) return undefined;
  // A Float64Array needs its first byte at a multiple of 8: copied when the buffer's is not.
  const start = bytes.byteOffset + at;
  const numbers = start % 8 === 0 ? new Float64Array(bytes.buffer, start, COLUMNS.length * n) : new Float64Array(bytes.buffer.slice(start, start + COLUMNS.length * 8 * n));
  const read = fromColumns(header, n, numbers, bytes.toString('utf8', textAt, textAt + textLength), segments);
  if (read === undefined || !withWarnings(read.entries, header.warnings)) return undefined;
  return { ...read, earlier: false };
}

/**
 * A v4 manifest's files as a warm start's walk compares them (walk-verdict.ts): the runs of one
 * folder, the names ('/' between) and the size, mtimeMs, ctimeMs and ino columns (a copy); undefined
 * when the bytes are not a whole v4 manifest.
 */
export function manifestFiles(bytes: Buffer): { runs: [string, number][]; names: string; numbers: Float64Array } | undefined {
  const layout = binaryLayout(bytes);
  if (layout === undefined || !Array.isArray(layout.header.folders)) return undefined;
  const { header, n, at, textAt, textLength } = layout;
  // size, mtimeMs, ctimeMs and ino are the first four columns.
  const start = bytes.byteOffset + at;
  const numbers = new Float64Array(bytes.buffer.slice(start, start + 4 * 8 * n));
  return { runs: header.folders, names: bytes.toString('utf8', textAt, textAt + textLength), numbers };
}

/** A v3 manifest's entries: its columns as v4's numbers. */
function fromV3(m: ManifestV3, segments: [string, number | null][]): Omit<ManifestList, 'earlier'> | undefined {
  if (typeof m.names !== 'string') return undefined;
  const n = m.size?.length ?? 0;
  const numbers = new Float64Array(COLUMNS.length * n);
  for (let k = 0; k < COLUMNS.length; k++) {
    const column: unknown = m[COLUMNS[k]!];
    if (!Array.isArray(column) || column.length !== n || !column.every(isNumber)) return undefined;
    numbers.set(column as number[], k * n);
  }
  return fromColumns(m, n, numbers, m.names, segments);
}

/**
 * The entries of `n` files from their columns of numbers (COLUMNS' order, n each) and names (after
 * their folder, '/' between), or undefined when the parts do not agree.
 */
function fromColumns(lists: Lists, n: number, numbers: Float64Array, text: string, segments: [string, number | null][]): Omit<ManifestList, 'earlier'> | undefined {
  if (!Array.isArray(lists.folders) || !Array.isArray(lists.nullMin) || !Array.isArray(lists.nullMax)) return undefined;
  let listed = 0;
  for (const f of lists.folders) {
    if (!Array.isArray(f) || typeof f[0] !== 'string' || !Number.isInteger(f[1]) || f[1] < 1) return undefined;
    listed += f[1];
  }
  if (listed !== n) return undefined;
  // An empty list is written as no names, which splits as one empty one.
  if (n === 0) return text === '' ? { entries: [] } : undefined;
  const names = text.split('/');
  if (names.length !== n) return undefined;
  const places = (list: unknown[]): Set<number> | undefined => (list.every((i) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < n) ? new Set(list as number[]) : undefined);
  const nullMin = places(lists.nullMin);
  const nullMax = places(lists.nullMax);
  if (nullMin === undefined || nullMax === undefined) return undefined;
  const entries: CacheEntry[] = new Array(n);
  const folderOf = new Uint32Array(n);
  const folders: string[] = [];
  // Compared piece by piece (see ListedPlaces): only the paths either side of a change of folder are built whole.
  let inPathOrder = true;
  let i = 0;
  for (const [folder, count] of lists.folders) {
    const run = folders.push(folder) - 1;
    if (i > 0 && inPathOrder) inPathOrder = folders[run - 1]! + names[i - 1]! <= folder + names[i]!;
    for (let k = 0; k < count; k++, i++) {
      folderOf[i] = run;
      if (k > 0 && inPathOrder) inPathOrder = names[i - 1]! <= names[i]!;
      const size = numbers[i]!;
      const mtimeMs = numbers[n + i]!;
      const ctimeMs = numbers[2 * n + i]!;
      const ino = numbers[3 * n + i]!;
      const rows = numbers[4 * n + i]!;
      const minTime = numbers[5 * n + i]!;
      const maxTime = numbers[6 * n + i]!;
      const eventsSkipped = numbers[7 * n + i]!;
      const segment = numbers[SEGMENT * n + i]!;
      // x - x is 0 for every finite number, NaN for NaN and the infinities: each entry's numbers checked in one test.
      if (size - size + (mtimeMs - mtimeMs) + (ctimeMs - ctimeMs) + (ino - ino) + (rows - rows) + (minTime - minTime) + (maxTime - maxTime) + (eventsSkipped - eventsSkipped) !== 0) return undefined;
      const seg = segment === -1 ? undefined : segments[segment];
      if (segment !== -1 && seg === undefined) return undefined;
      entries[i] = {
        path: folder + names[i],
        size,
        mtimeMs,
        ctimeMs,
        ino,
        rows,
        minTime: nullMin.size > 0 && nullMin.has(i) ? null : minTime,
        maxTime: nullMax.size > 0 && nullMax.has(i) ? null : maxTime,
        warnings: NO_WARNINGS,
        eventsSkipped,
        parquet: seg ? seg[0] : null,
        parquetBytes: seg ? seg[1] : null,
      };
    }
  }
  return { entries, places: { folders, folderOf, names }, inPathOrder };
}

/** A v2 manifest's entries (an array per entry), or undefined when one is damaged. */
function fromRows(m: ManifestV2, segments: [string, number | null][]): CacheEntry[] | undefined {
  if (!Array.isArray(m.folders)) return undefined;
  const entries: CacheEntry[] = [];
  for (const run of m.folders) {
    if (!Array.isArray(run) || typeof run[0] !== 'string' || !Array.isArray(run[1])) return undefined;
    const folder = run[0];
    for (const r of run[1]) {
      if (!Array.isArray(r) || r.length !== 10 || typeof r[0] !== 'string') return undefined;
      const [name, size, mtimeMs, ctimeMs, ino, rows, minTime, maxTime, eventsSkipped, segment] = r;
      if (!isNumber(size) || !isNumber(mtimeMs) || !isNumber(ctimeMs) || !isNumber(ino) || !isNumber(rows) || !isTime(minTime) || !isTime(maxTime) || !isNumber(eventsSkipped)) return undefined;
      const seg = segment === -1 ? undefined : segments[segment];
      if (segment !== -1 && seg === undefined) return undefined;
      entries.push({
        path: folder + name,
        size,
        mtimeMs,
        ctimeMs,
        ino,
        rows,
        minTime,
        maxTime,
        warnings: NO_WARNINGS,
        eventsSkipped,
        parquet: seg ? seg[0] : null,
        parquetBytes: seg ? seg[1] : null,
      });
    }
  }
  return entries;
}

/** `entries` with each segment's stored name passed through `locate` (in place). */
export function located(entries: CacheEntry[], locate: (stored: string) => string): CacheEntry[] {
  for (const e of entries) if (typeof e.parquet === 'string') e.parquet = locate(e.parquet);
  return entries;
}

/** Enough of an entry for the lookup to compare it with its file without failing. */
function isEntry(e: unknown): boolean {
  const x = e as CacheEntry | null;
  return x !== null && typeof x === 'object' && typeof x.path === 'string' && Array.isArray(x.warnings);
}
