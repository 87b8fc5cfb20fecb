// The load manifest (`list-<key>.json`): the entries of the last load of the same paths, read on
// every warm start. Written as arrays, each folder's path and each segment's once: as one JSON object per entry it
// was 4.9 MB at 1M events (10,835 files) and 25 MB at 5M, and parsing it was a fifth of a warm
// start's CPU at 5M. It only saves reads (see lookUpCache): a manifest that does not parse as one
// is as if there were none. The earlier format (`load-<key>.json`, an array of entries) is read
// when the new one is missing, and then written in the new one.

import type { CacheEntry } from './cache-files.js';
import type { LoadWarning } from './types.js';

/** An entry without its folder, segment and warnings (held once in the manifest, see below). */
type Row = [name: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, rows: number, minTime: number | null, maxTime: number | null, eventsSkipped: number, segment: number];

interface Manifest {
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

/** The manifest's text for `entries` (in their order). */
export function manifestText(entries: CacheEntry[]): string {
  const segments: [string, number | null][] = [];
  const segmentIds = new Map<string, number>();
  const folders: [string, Row[]][] = [];
  const warnings: [number, LoadWarning[]][] = [];
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
    const rows = last !== undefined && last[0] === folder ? last[1] : folders[folders.push([folder, []]) - 1]![1];
    rows.push([e.path.slice(cut), e.size, e.mtimeMs, e.ctimeMs, e.ino, e.rows, e.minTime, e.maxTime, e.eventsSkipped, segment]);
    if (e.warnings.length > 0) warnings.push([i, e.warnings]);
  });
  const manifest: Manifest = { v: 2, segments, folders, warnings };
  return JSON.stringify(manifest);
}

/** The warnings of an entry that has none, shared: an array per entry was 53,819 more objects for a warm start's GC at 5M (none is ever changed in place). */
const NO_WARNINGS: LoadWarning[] = Object.freeze([]) as unknown as LoadWarning[];

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isTime = (x: unknown): x is number | null => x === null || isNumber(x);

/**
 * The entries a manifest's text holds, in order, each segment's name passed through `locate`; undefined when it is not a manifest (damaged,
 * cut short, another program's file). Manifests written before this format (an array of
 * entries) are still read.
 */
export function parseManifest(text: string, locate: (stored: string) => string = (s) => s): CacheEntry[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(parsed)) {
    if (!parsed.every(isEntry)) return undefined;
    return located(parsed as CacheEntry[], locate);
  }
  const m = parsed as Manifest | null;
  if (m === null || typeof m !== 'object' || m.v !== 2 || !Array.isArray(m.segments) || !Array.isArray(m.folders) || !Array.isArray(m.warnings)) return undefined;
  if (!m.segments.every((s) => Array.isArray(s) && typeof s[0] === 'string' && (s[1] === null || isNumber(s[1])))) return undefined;
  // Each segment located once, not once per entry (53,819 entries, a few hundred segments at 5M).
  const segments = m.segments.map(([file, bytes]): [string, number | null] => [locate(file), bytes]);
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
  for (const w of m.warnings) {
    if (!Array.isArray(w) || !Number.isInteger(w[0]) || entries[w[0]] === undefined || !Array.isArray(w[1])) return undefined;
    entries[w[0]]!.warnings = w[1];
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
