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
  readEntries,
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
  /** Files the manifest listed, by path. */
  listed: Map<string, CacheEntry>;
  /** How many hits the manifest settled on its own. */
  fromManifest: number;
  /** Paths that matched nothing and files that could not be stat'ed, as warnings. */
  report: LoadReport;
  /** Entries of the hits. */
  entries: CacheEntry[];
  misses: Miss[];
  /** Days whose segments hold rows no current entry reads (a file changed or went away). */
  dirty: Set<string>;
}

/** Looks up every file `paths` names in the cache at `dir` (creating its folder). */
export async function lookUpCache(paths: string[], dir: string): Promise<CacheLookup> {
  const folder = layoutFolder(dir);
  try {
    makeFolder(folder);
  } catch (err) {
    throw cacheWriteProblem(err, dir) ?? err;
  }
  const expansion = await expandPaths(paths);
  const report = emptyLoadReport(expansion.warnings);
  const entries: CacheEntry[] = [];
  const misses: Miss[] = [];
  // One file lists the entries of the last load of the same paths: reading 2,500 small entry
  // files costs more than the rest of a warm start. It only saves reads: an entry it lacks or
  // holds stale is looked up in the packs, read once and only then.
  const manifest = path.join(folder, `load-${keyOf(JSON.stringify(paths.map((p) => path.resolve(p))))}.json`);
  const listed = new Map(((await readEntries(folder, manifest)) ?? []).map((e) => [e.path, e]));
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
  // too). A file the manifest lists as it is now is settled at once; the others (pack reads,
  // a stat the walk did not make) run together.
  const looked = await Promise.all(
    expansion.files.map((file) => {
      const abs = path.resolve(file);
      const known = expansion.stats.get(file);
      const fromList = listed.get(abs);
      if (known && isFresh(fromList, known)) {
        fromManifest++;
        return { abs, info: known as FileState | Error, entry: fromList as CacheEntry | undefined, stale: fromList as CacheEntry | undefined };
      }
      return (async () => {
        const info = known ?? (await stat(abs).catch((err: unknown) => err as Error));
        if (info instanceof Error) return { abs, info };
        let entry = fromList;
        if (!isFresh(entry, info)) {
          const candidates = (await (packed ??= entriesByPath(folder))).get(abs) ?? [];
          entry = candidates.find((c) => isFresh(c, info)) ?? candidates[0];
        }
        return { abs, info, entry: isFresh(entry, info) ? entry : undefined, stale: entry ?? fromList };
      })();
    }),
  );
  // Days whose segments hold rows no current entry reads (a file changed or went away): they are
  // rewritten, so the old rows leave the cache instead of lingering beside the new ones.
  const dirty = new Set<string>();
  const present = new Set<string>();
  for (const l of looked) {
    present.add(l.abs);
    if (l.info instanceof Error) {
      report.filesSkipped++;
      report.warnings.push({ file: l.abs, reason: describeFsError(l.info), kind: 'skipped' });
    } else if (l.entry) entries.push(l.entry);
    else {
      misses.push({ abs: l.abs, ...fingerprintOf(l.info) });
      if (l.stale?.parquet) dirty.add(dayOf(l.stale));
    }
  }
  for (const gone of listed.values()) if (!present.has(gone.path) && gone.parquet) dirty.add(dayOf(gone));
  return { folder, manifest, listed, fromManifest, report, entries, misses, dirty };
}
