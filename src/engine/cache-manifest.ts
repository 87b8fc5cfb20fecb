// The load manifest (`list-<key>.json`): the entries of the last load of the same paths, read on
// every warm start. Written as columns, each folder's path and each segment's once: as one JSON
// object per entry it was 4.9 MB at 1M events (10,835 files) and 25 MB at 5M, and parsing it was
// a fifth of a warm start's CPU at 5M; as an array per entry (v2) the parse still made an array
// and a boxed number per time of each entry (53,819 at 5M), where a column of numbers parses into
// one array of doubles. It only saves reads (see lookUpCache): a manifest that does not parse as
// one is as if there were none. Earlier formats (v2; `load-<key>.json`, an array of entries) are
// read, and written again in this one.

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

type Manifest = {
  v: 3;
  /** As in v2: [file, bytes] of each segment; an entry's `segment` is its place here, -1 for none. */
  segments: [string, number | null][];
  /** Runs of consecutive entries in one folder: [the path up to its last '/', how many]. */
  folders: [string, number][];
  /** The entries' names after their folder, '/' between (a name holds none). */
  names: string;
  /** The places of the entries whose minTime, and whose maxTime, is null (no event time): 0 in the column. */
  nullMin: number[];
  nullMax: number[];
  /** [the entry's place in the list, its warnings] for the entries that have any. */
  warnings: [number, LoadWarning[]][];
} & Record<Column, number[]>;

/** The manifest's text for `entries` (in their order). */
export function manifestText(entries: CacheEntry[]): string {
  const segments: [string, number | null][] = [];
  const segmentIds = new Map<string, number>();
  const folders: [string, number][] = [];
  const names: string[] = [];
  const nullMin: number[] = [];
  const nullMax: number[] = [];
  const warnings: [number, LoadWarning[]][] = [];
  const columns = Object.fromEntries(COLUMNS.map((c) => [c, [] as number[]])) as Record<Column, number[]>;
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
    for (const c of COLUMNS) columns[c].push(values[c]);
    if (e.warnings.length > 0) warnings.push([i, e.warnings]);
  });
  const manifest: Manifest = { v: 3, segments, folders, names: names.join('/'), nullMin, nullMax, warnings, ...columns };
  return JSON.stringify(manifest);
}

/** The warnings of an entry that has none, shared: an array per entry was 53,819 more objects for a warm start's GC at 5M (none is ever changed in place). */
const NO_WARNINGS: LoadWarning[] = Object.freeze([]) as unknown as LoadWarning[];

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isTime = (x: unknown): x is number | null => x === null || isNumber(x);

/**
 * Each entry's folder (up to its last '/') and name, as a v3 manifest holds them: a walk's files
 * are compared with them piece by piece (listedIn), not by whole paths, which would each be built
 * in one piece for the comparison (53,819 at 5M: 20-40 ms, and memory the collector copies).
 */
export interface ListedPlaces {
  /** The folders, each once, and the place of each entry's folder among them. */
  folders: string[];
  folderOf: Uint32Array;
  names: string[];
}

/** What a manifest's text holds (see readManifestText). */
export interface ManifestList {
  entries: CacheEntry[];
  earlier: boolean;
  places?: ListedPlaces;
  /** The entries are in the order of their paths (CachedEvents.select's order, which need not sort them then). */
  inPathOrder?: boolean;
}

/**
 * The entries a manifest's text holds, in order, each segment's name passed through `locate`, and
 * whether it is of an earlier format (to be written again in this one); undefined when it is not
 * a manifest (damaged, cut short, another program's file).
 */
export function readManifestText(text: string, locate: (stored: string) => string = (s) => s): ManifestList | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(parsed)) {
    if (!parsed.every(isEntry)) return undefined;
    return { entries: located(parsed as CacheEntry[], locate), earlier: true };
  }
  const m = parsed as { v?: unknown; segments?: unknown; warnings?: unknown } | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.segments) || !Array.isArray(m.warnings)) return undefined;
  if (!m.segments.every((s) => Array.isArray(s) && typeof s[0] === 'string' && (s[1] === null || isNumber(s[1])))) return undefined;
  // Each segment located once, not once per entry (53,819 entries, a few hundred segments at 5M).
  const segments = (m.segments as [string, number | null][]).map(([file, bytes]): [string, number | null] => [locate(file), bytes]);
  const read = m.v === 3 ? fromColumns(m as Manifest, segments) : m.v === 2 ? { entries: fromRows(m as ManifestV2, segments) } : undefined;
  const entries = read?.entries;
  if (entries === undefined) return undefined;
  for (const w of m.warnings as unknown[]) {
    if (!Array.isArray(w) || !Number.isInteger(w[0]) || entries[w[0]] === undefined || !Array.isArray(w[1])) return undefined;
    entries[w[0]]!.warnings = w[1];
  }
  return { ...read, entries, earlier: m.v !== 3 };
}

/** A v3 manifest's entries, or undefined when its columns do not agree. */
function fromColumns(m: Manifest, segments: [string, number | null][]): Omit<ManifestList, 'earlier'> | undefined {
  if (!Array.isArray(m.folders) || typeof m.names !== 'string' || !Array.isArray(m.nullMin) || !Array.isArray(m.nullMax)) return undefined;
  const names = m.names.split('/');
  const n = names.length;
  let listed = 0;
  for (const f of m.folders) {
    if (!Array.isArray(f) || typeof f[0] !== 'string' || !Number.isInteger(f[1]) || f[1] < 1) return undefined;
    listed += f[1];
  }
  // An empty list is written as no names, which splits as one empty one.
  if (listed === 0 && m.names === '') return { entries: [] };
  if (listed !== n) return undefined;
  for (const c of COLUMNS) {
    const column: unknown = m[c];
    if (!Array.isArray(column) || column.length !== n) return undefined;
  }
  const places = (list: unknown[]): Set<number> | undefined => (list.every((i) => Number.isInteger(i) && (i as number) >= 0 && (i as number) < n) ? new Set(list as number[]) : undefined);
  const nullMin = places(m.nullMin);
  const nullMax = places(m.nullMax);
  if (nullMin === undefined || nullMax === undefined) return undefined;
  const { size, mtimeMs, ctimeMs, ino, rows, minTime, maxTime, eventsSkipped, segment } = m;
  const entries: CacheEntry[] = new Array(n);
  const folderOf = new Uint32Array(n);
  const folders: string[] = [];
  // Compared piece by piece (see ListedPlaces): only the paths either side of a change of folder are built whole.
  let inPathOrder = true;
  let i = 0;
  for (const [folder, count] of m.folders) {
    const run = folders.push(folder) - 1;
    if (i > 0 && inPathOrder) inPathOrder = folders[run - 1]! + names[i - 1]! <= folder + names[i]!;
    for (let k = 0; k < count; k++, i++) {
      folderOf[i] = run;
      if (k > 0 && inPathOrder) inPathOrder = names[i - 1]! <= names[i]!;
      // Each number checked as it is read: one pass, not one per column.
      if (!isNumber(size[i]) || !isNumber(mtimeMs[i]) || !isNumber(ctimeMs[i]) || !isNumber(ino[i]) || !isNumber(rows[i])) return undefined;
      if (!isNumber(minTime[i]) || !isNumber(maxTime[i]) || !isNumber(eventsSkipped[i]) || !isNumber(segment[i])) return undefined;
      const seg = segment[i] === -1 ? undefined : segments[segment[i]!];
      if (segment[i] !== -1 && seg === undefined) return undefined;
      entries[i] = {
        path: folder + names[i],
        size: size[i]!,
        mtimeMs: mtimeMs[i]!,
        ctimeMs: ctimeMs[i]!,
        ino: ino[i]!,
        rows: rows[i]!,
        minTime: nullMin.size > 0 && nullMin.has(i) ? null : minTime[i]!,
        maxTime: nullMax.size > 0 && nullMax.has(i) ? null : maxTime[i]!,
        warnings: NO_WARNINGS,
        eventsSkipped: eventsSkipped[i]!,
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
