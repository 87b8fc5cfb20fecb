// The first half of a load into the cache: which of the files named are in the cache as they are
// now (hits), which must be read (misses), and which days hold rows of files that changed or went.

import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  cacheWriteProblem,
  dayOf,
  entriesByPath,
  fingerprintOf,
  keyOf,
  layoutFolder,
  makeFolder,
  memo,
  readManifest,
  sameFingerprint,
  type CacheEntry,
  type Fingerprint,
} from './cache-files.js';
import { describeFsError, expandPaths, type FileState } from './load-paths.js';
import { emptyLoadReport, type LoadReport } from './types.js';

export interface Miss extends Fingerprint {
  abs: string;
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
  /** Only a manifest of the earlier format was found: it is written in this one even if nothing changed. */
  oldManifest: boolean;
  /** Paths that matched nothing and files that could not be stat'ed, as warnings. */
  report: LoadReport;
  /** Entries of the hits. */
  entries: CacheEntry[];
  misses: Miss[];
  /** Days whose segments hold rows no current entry reads (a file changed or went away). */
  dirty: Set<string>;
}

/**
 * `path.resolve` of a file name, without its work for a name that is absolute and normal already
 * (every file a walk of an absolute folder finds: 53,819 at 5M).
 */
function absolute(file: string): string {
  const normal = file.startsWith('/') && !file.endsWith('/') && !file.includes('//') && !file.includes('/./') && !file.includes('/../') && !file.endsWith('/.') && !file.endsWith('/..');
  return normal && path.sep === '/' ? file : path.resolve(file);
}

/**
 * The manifest's entry for each file, asked in the walk's order. A manifest lists the files in
 * the order the walk of the same paths found them, so a file is first compared with the entry
 * after the last one found; only a file out of place (added, or after one that went) is looked
 * up by path, and the places go on from there. A map of 53,819 paths hashed every long path of
 * the walk and of the manifest: 0.1 CPU-s of a warm start at 5M.
 */
function listedIn(listed: CacheEntry[]): (abs: string) => CacheEntry | undefined {
  let next = 0;
  let byPath: Map<string, number> | undefined;
  return (abs) => {
    let at = next;
    if (listed[at]?.path !== abs) {
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
}

/** Looks up every file `paths` names in the cache at `dir` (creating its folder). */
export async function lookUpCache(paths: string[], dir: string): Promise<CacheLookup> {
  const folder = layoutFolder(dir);
  try {
    makeFolder(folder);
  } catch (err) {
    throw cacheWriteProblem(err, dir) ?? err;
  }
  // One file lists the entries of the last load of the same paths: reading 2,500 small entry
  // files costs more than the rest of a warm start. It only saves reads: an entry it lacks or
  // holds stale is looked up in the packs, read once and only then.
  const key = keyOf(JSON.stringify(paths.map((p) => path.resolve(p))));
  const manifest = path.join(folder, `list-${key}.json`);
  // Under another name than the earlier format's (`load-`), which earlier versions read as an
  // array of entries: a cache folder they share keeps working for both.
  const legacy = path.join(folder, `load-${key}.json`);
  // Read while the files are walked (it never fails: a missing or damaged one is undefined).
  const reading = readManifest(folder, manifest);
  const expansion = await expandPaths(paths);
  const report = emptyLoadReport(expansion.warnings);
  const entries: CacheEntry[] = [];
  const misses: Miss[] = [];
  const current = await reading;
  const previous = current ?? (await readManifest(folder, legacy));
  const listed = previous ?? [];
  const fromList = listedIn(listed);
  // A segment with another size than its entry recorded is not the one the entry was written for.
  const segmentBytes = memo((file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return -1;
    }
  });
  let fromManifest = 0;
  let packed: Promise<Map<string, CacheEntry[]>> | undefined;
  const isFresh = (e: CacheEntry | undefined, info: Fingerprint): e is CacheEntry =>
    e !== undefined && sameFingerprint(e, info) && (e.parquet === null || segmentBytes(e.parquet) === e.parquetBytes);
  // The walk's stat of each file gives its fingerprint (a file named directly is stat'ed there
  // too). A file the manifest lists as it is now is settled at once, without a promise (53,819
  // files at 5M); the others (pack reads, a stat the walk did not make) run together.
  type Looked = { abs: string; info: FileState | Error; entry?: CacheEntry; stale?: CacheEntry };
  const looked: (Looked | Promise<Looked>)[] = expansion.files.map((file, i) => {
    const abs = absolute(file);
    const known: FileState | undefined = expansion.states[i];
    const listedEntry = fromList(abs);
    if (known && isFresh(listedEntry, known)) {
      fromManifest++;
      return { abs, info: known, entry: listedEntry, stale: listedEntry };
    }
    return (async (): Promise<Looked> => {
      const info = known ?? (await stat(abs).catch((err: unknown) => err as Error));
      if (info instanceof Error) return { abs, info };
      let entry = listedEntry;
      if (!isFresh(entry, info)) {
        const candidates = (await (packed ??= entriesByPath(folder))).get(abs) ?? [];
        entry = candidates.find((c) => isFresh(c, info)) ?? candidates[0];
      }
      return { abs, info, entry: isFresh(entry, info) ? entry : undefined, stale: entry ?? listedEntry };
    })();
  });
  const waiting: number[] = [];
  looked.forEach((l, i) => l instanceof Promise && waiting.push(i));
  const settled = await Promise.all(waiting.map((i) => looked[i]!));
  waiting.forEach((i, n) => (looked[i] = settled[n]!));
  // Days whose segments hold rows no current entry reads (a file changed or went away): they are
  // rewritten, so the old rows leave the cache instead of lingering beside the new ones.
  const dirty = new Set<string>();
  for (const l of looked as Looked[]) {
    if (l.info instanceof Error) {
      report.filesSkipped++;
      report.warnings.push({ file: l.abs, reason: describeFsError(l.info), kind: 'skipped' });
    } else if (l.entry) entries.push(l.entry);
    else {
      misses.push({ abs: l.abs, ...fingerprintOf(l.info) });
      if (l.stale?.parquet) dirty.add(dayOf(l.stale));
    }
  }
  // Every file the manifest lists was a hit (a warm start): none of them went away.
  if (fromManifest < listed.length) {
    const present = new Set((looked as Looked[]).map((l) => l.abs));
    for (const gone of listed) if (!present.has(gone.path) && gone.parquet) dirty.add(dayOf(gone));
  }
  return { folder, manifest, listed: listed.length, fromManifest, oldManifest: current === undefined && previous !== undefined, report, entries, misses, dirty };
}
