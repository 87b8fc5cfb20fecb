// The first half of a load into the cache: which of the files named are in the cache as they are
// now (hits), which must be read (misses), and which days hold rows of files that changed or went.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  cacheWriteProblem,
  dayOf,
  entriesByPath,
  fingerprintOf,
  GC_GRACE_MS,
  keyOf,
  layoutFolder,
  makeFolder,
  memo,
  readLoadManifest,
  readManifest,
  sameFingerprint,
  type CacheEntry,
  type Fingerprint,
} from './cache-files.js';
import type { ListedPlaces, ManifestList } from './cache-manifest.js';
import { sizeOf } from './folder-stat.js';
import type { FoundFiles } from './found-files.js';
import { absolutePath, describeFsError, expandPaths, type Expansion, type FileState } from './load-paths.js';
import { emptyLoadReport, type LoadReport, type LoadWarning } from './types.js';

export interface Miss extends Fingerprint {
  abs: string;
  /** Its place in the walk (CacheLookup.walked), when the lookup found it. */
  at?: number;
}

export interface CacheLookup {
  /** The current layout's folder. */
  folder: string;
  /** The load manifest of these paths (see lookUpCache). */
  manifest: string;
  /** How many entries the manifest listed. */
  listed: number;
  /** How many hits the manifest settled on its own. */
  fromManifest: number;
  /**
   * Every file the manifest settled was at its place in the walk's order: a manifest written in
   * another order (by a load that converted files, in delivery order) is written again in this
   * one, or every warm start looks its files up by path (a map of 53,819 paths at 5M: 0.08 CPU-s).
   */
  inOrder: boolean;
  /** The files found, each by its absolute path, in the walk's order (see inWalkOrder). */
  walked: string[];
  /** The digest of the manifest read (see manifestDigest), if one of this format was. */
  manifestDigest?: string;
  /** Only a manifest of the earlier format was found: it is written in this one even if nothing changed. */
  oldManifest: boolean;
  /** Paths that matched nothing and files that could not be stat'ed, as warnings. */
  report: LoadReport;
  /** Entries of the hits, in the walk's order. */
  entries: CacheEntry[];
  /** The place in the walk of each hit (see placedInWalkOrder). */
  hitAt: number[];
  misses: Miss[];
  /** Days whose segments hold rows no current entry reads (a file changed or went away). */
  dirty: Set<string>;
}

/**
 * The manifest's entry for each file, asked in the walk's order. A manifest lists the files in
 * the order the walk of the same paths found them, so a file is first compared with the entry
 * after the last one found; only a file out of place (added, or after one that went) is looked
 * up by path, and the places go on from there. A map of 53,819 paths hashed every long path of
 * the walk and of the manifest: 0.1 CPU-s of a warm start at 5M. A walk's file and an entry that
 * both have their folder and name apart (FoundFiles.dirs, ListedPlaces) are compared by those: the folders
 * once per folder, then the names.
 */
function listedIn(listed: CacheEntry[], places: ListedPlaces | undefined, found: FoundFiles): { find: (i: number, abs: string) => CacheEntry | undefined; inOrder: () => boolean } {
  let next = 0;
  let byPath: Map<string, number> | undefined;
  /** The last folders compared, and whether they were the same. */
  let asked: { dir: string; run: number; same: boolean } | undefined;
  const sameFolder = (dir: string, run: number): boolean => {
    if (asked?.dir !== dir || asked.run !== run) asked = { dir, run, same: places!.folders[run] === dir };
    return asked.same;
  };
  const isAt = (at: number, i: number, abs: string): boolean => {
    const name = found.names[i];
    if (places === undefined || name === undefined || at >= listed.length) return listed[at]?.path === abs;
    return places.names[at] === name && sameFolder(found.dirs[i]!, places.folderOf[at]!);
  };
  const find = (i: number, abs: string): CacheEntry | undefined => {
    let at = next;
    if (!isAt(at, i, abs)) {
      if (byPath === undefined) {
        byPath = new Map();
        // The last entry of a path wins, as when the manifest's entries were read into a map.
        listed.forEach((e, i) => byPath!.set(e.path, i));
      }
      const found = byPath.get(abs);
      if (found === undefined) return undefined;
      at = found;
    }
    next = at + 1;
    return listed[at];
  };
  return { find, inOrder: () => byPath === undefined };
}

/**
 * `entries` in the order the walk found their files (`walked`): the order a manifest is written
 * in, so that the next walk of the same paths meets its entries one after another (listedIn).
 */
export function inWalkOrder(entries: CacheEntry[], walked: string[]): CacheEntry[] {
  const place = new Map(walked.map((p, i) => [p, i]));
  const at = (e: CacheEntry): number => place.get(e.path) ?? walked.length;
  return entries.map((e) => [at(e), e] as const).sort((a, b) => a[0] - b[0]).map(([, e]) => e);
}

/**
 * inWalkOrder for a lookup's `entries` to which the entries of its misses were added (in any
 * order) after its hits: the hits are in the walk's order already and their places known, the
 * others' places are their misses', so only those are looked up and merged in. A map of every
 * walked path took 0.2 CPU-s of a load of 50 new files at 5M.
 */
export function placedInWalkOrder(entries: CacheEntry[], look: Pick<CacheLookup, 'walked' | 'hitAt' | 'misses'>): CacheEntry[] {
  const hits = look.hitAt.length;
  const missAt = new Map(look.misses.map((m) => [m.abs, m.at]));
  const added = entries.slice(hits).map((e) => [missAt.get(e.path), e] as const);
  if (entries.length < hits || added.some(([at]) => at === undefined)) return inWalkOrder(entries, look.walked);
  added.sort((a, b) => a[0]! - b[0]!);
  const out: CacheEntry[] = [];
  let j = 0;
  for (let i = 0; i < hits; i++) {
    while (j < added.length && added[j]![0]! < look.hitAt[i]!) out.push(added[j++]![1]);
    out.push(entries[i]!);
  }
  for (; j < added.length; j++) out.push(added[j]![1]);
  return out;
}

/**
 * The load's warnings about files in the walk's order, as a load without the cache lists them:
 * files converted now report theirs in the order they were read (by delivery time), before the
 * warnings kept with the cache's entries. Warnings about what was given (a folder, a pattern)
 * stay first.
 */
export function warningsInWalkOrder(warnings: LoadWarning[], walked: string[]): LoadWarning[] {
  if (warnings.length < 2) return warnings;
  const named = new Set(warnings.map((w) => w.file));
  const place = new Map<string, number>();
  walked.forEach((p, i) => named.has(p) && place.set(p, i));
  const at = (w: LoadWarning): number => place.get(w.file) ?? -1;
  return warnings.map((w, i) => [at(w), i, w] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , w]) => w);
}

/**
 * The load manifest of `paths` in the cache at `dir`. One file lists the entries of the last load
 * of the same paths: reading 2,500 small entry files costs more than the rest of a warm start. It
 * only saves reads: an entry it lacks or holds stale is looked up in the packs, read once and
 * only then. `legacy` is the earlier format's name (`load-`), which earlier versions read as an
 * array of entries: a cache folder they share keeps working for both.
 */
export function manifestOf(paths: string[], dir: string): { folder: string; manifest: string; legacy: string } {
  const folder = layoutFolder(dir);
  const key = keyOf(JSON.stringify(paths.map((p) => path.resolve(p))));
  return { folder, manifest: path.join(folder, `list-${key}.json`), legacy: path.join(folder, `load-${key}.json`) };
}

/** Makes the cache's folder for a lookup, or throws why the cache cannot be written there. */
function madeFolder(folder: string, dir: string): void {
  try {
    makeFolder(folder);
  } catch (err) {
    throw cacheWriteProblem(err, dir) ?? err;
  }
}

/**
 * Each segment's size, stat'ed once (-1 when it is missing): a segment with another size than its
 * entry recorded is not the one the entry was written for.
 */
const segmentSizes = (): ((file: string) => number) => memo(sizeOf);

export type ManifestRead = Promise<(ManifestList & { digest: string }) | undefined>;

/**
 * Looks up every file `paths` names in the cache at `dir` (creating its folder). `reading`: the
 * manifest (manifestOf) being read already, by a warm start that builds its view from it;
 * `expand`: what the walk of `paths` found, when another thread made it (walk-verdict.ts).
 */
export async function lookUpCache(paths: string[], dir: string, reading?: ManifestRead, expand: () => Promise<Expansion> = () => expandPaths(paths)): Promise<CacheLookup> {
  const { folder, manifest, legacy } = manifestOf(paths, dir);
  madeFolder(folder, dir);
  // Read while the files are walked (it never fails: a missing or damaged one is undefined).
  reading ??= readLoadManifest(folder, manifest);
  const expansion = await expand();
  const report = emptyLoadReport(expansion.warnings);
  const entries: CacheEntry[] = [];
  const misses: Miss[] = [];
  const read = await reading;
  const current = read?.entries;
  const previous = current ?? (await readManifest(folder, legacy));
  const listed = previous ?? [];
  // The places are of the entries read, not of the earlier format's (which has none).
  const fromList = listedIn(listed, current === undefined ? undefined : read?.places, expansion.states);
  const segmentBytes = segmentSizes();
  let fromManifest = 0;
  let packed: Promise<Map<string, CacheEntry[]>> | undefined;
  // Files the manifest does not list as they are now are looked up in the packs: with a manifest,
  // only in those written since it was (less the grace period, for loads beside it), where the
  // entries of files converted since are (newly arrived files have none: reading every pack cost
  // 0.3-0.5 CPU-s at 5M). A file that came into these paths with an entry in an older pack is
  // converted again.
  const packs = async (): Promise<Map<string, CacheEntry[]>> => {
    const written = current === undefined ? undefined : (await stat(manifest).catch(() => undefined))?.mtimeMs;
    return entriesByPath(folder, written === undefined ? undefined : written - GC_GRACE_MS);
  };
  const segmentFresh = (e: CacheEntry): boolean => e.parquet === null || segmentBytes(e.parquet) === e.parquetBytes;
  const isFresh = (e: CacheEntry | undefined, info: Fingerprint): e is CacheEntry => e !== undefined && sameFingerprint(e, info) && segmentFresh(e);
  // The walk's stat of each file gives its fingerprint (a file named directly is stat'ed there
  // too). A file the manifest lists as it is now is settled at once, without a promise or any
  // other object (53,819 files at 5M: what a warm start keeps alive costs it GC time); the
  // others (pack reads, a stat the walk did not make) run together.
  type Looked = { abs: string; info: FileState | Error; entry?: CacheEntry; stale?: CacheEntry };
  const walked: string[] = new Array(expansion.files.length);
  const hits: (CacheEntry | undefined)[] = new Array(expansion.files.length);
  const others: Promise<Looked>[] = [];
  const otherAt: number[] = [];
  expansion.files.forEach((file, i) => {
    const abs = expansion.states.normal(i) ? file : absolutePath(file);
    walked[i] = abs;
    const listedEntry = fromList.find(i, abs);
    if (listedEntry !== undefined && expansion.states.same(i, listedEntry) && segmentFresh(listedEntry)) {
      fromManifest++;
      hits[i] = listedEntry;
      return;
    }
    otherAt.push(i);
    const known: FileState | undefined = expansion.states.state(i);
    others.push(
      (async (): Promise<Looked> => {
        const info = known ?? (await stat(abs).catch((err: unknown) => err as Error));
        if (info instanceof Error) return { abs, info };
        let entry = listedEntry;
        if (!isFresh(entry, info)) {
          const candidates = (await (packed ??= packs())).get(abs) ?? [];
          entry = candidates.find((c) => isFresh(c, info)) ?? candidates[0];
        }
        return { abs, info, entry: isFresh(entry, info) ? entry : undefined, stale: entry ?? listedEntry };
      })(),
    );
  });
  const looked = new Map<number, Looked>();
  (await Promise.all(others)).forEach((l, n) => looked.set(otherAt[n]!, l));
  // Days whose segments hold rows no current entry reads (a file changed or went away): they are
  // rewritten, so the old rows leave the cache instead of lingering beside the new ones.
  const dirty = new Set<string>();
  const hitAt: number[] = [];
  for (let i = 0; i < walked.length; i++) {
    const hit = hits[i];
    if (hit) {
      entries.push(hit);
      hitAt.push(i);
      continue;
    }
    const l = looked.get(i)!;
    if (l.info instanceof Error) {
      report.filesSkipped++;
      report.warnings.push({ file: l.abs, reason: describeFsError(l.info), kind: 'skipped' });
      continue;
    }
    if (l.entry) {
      entries.push(l.entry);
      hitAt.push(i);
    } else {
      misses.push({ abs: l.abs, ...fingerprintOf(l.info), at: i });
      if (l.stale?.parquet) dirty.add(dayOf(l.stale));
    }
  }
  // Every file the manifest lists was a hit (a warm start): none of them went away.
  if (fromManifest < listed.length) {
    const present = new Set(walked);
    for (const gone of listed) if (!present.has(gone.path) && gone.parquet) dirty.add(dayOf(gone));
  }
  return { folder, manifest, listed: listed.length, fromManifest, inOrder: fromList.inOrder(), walked, manifestDigest: read?.digest, oldManifest: (read?.earlier ?? false) || (current === undefined && previous !== undefined), report, entries, hitAt, misses, dirty };
}

/**
 * The lookup of a walk that found exactly the files of `read`, the manifest of `paths`, each as
 * it lists it (walk-verdict.ts): what lookUpCache gives then, every file a hit from the manifest,
 * without comparing them again on this thread. Undefined when a segment is not the size its
 * entries recorded (lookUpCache decides what then).
 */
export function sameAsListed(paths: string[], dir: string, read: ManifestList & { digest: string }): CacheLookup | undefined {
  const { folder, manifest } = manifestOf(paths, dir);
  madeFolder(folder, dir);
  const segmentBytes = segmentSizes();
  const n = read.entries.length;
  const walked: string[] = new Array(n);
  const hitAt: number[] = new Array(n);
  // Entries of one segment come together: the one before's is not looked up again.
  let checked: CacheEntry | undefined;
  for (let i = 0; i < n; i++) {
    const e = read.entries[i]!;
    if (e.parquet !== null && (e.parquet !== checked?.parquet || e.parquetBytes !== checked.parquetBytes)) {
      if (segmentBytes(e.parquet) !== e.parquetBytes) return undefined;
      checked = e;
    }
    walked[i] = e.path;
    hitAt[i] = i;
  }
  const report = emptyLoadReport([]);
  return { folder, manifest, listed: n, fromManifest: n, inOrder: true, walked, manifestDigest: read.digest, oldManifest: read.earlier, report, entries: read.entries.slice(), hitAt, misses: [], dirty: new Set() };
}

/** A lookup made and not taken (a first search's), for the load of the same paths that follows: not walked twice. */
export class KeptLookup {
  private kept: { paths: string[]; dir: string; lookup: CacheLookup } | undefined;

  keep(paths: string[], dir: string, lookup: CacheLookup): void {
    this.kept = { paths, dir, lookup };
  }

  take(paths: string[], dir: string): CacheLookup | undefined {
    const kept = this.holds(paths, dir) ? this.kept!.lookup : undefined;
    this.kept = undefined;
    return kept;
  }

  /** Whether the lookup kept is one of these paths in this cache. */
  holds(paths: string[], dir: string): boolean {
    const kept = this.kept;
    return kept?.dir === dir && kept.paths.length === paths.length && kept.paths.every((p, i) => p === paths[i]);
  }
}
