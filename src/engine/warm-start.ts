// A warm start's load, checked while the view it builds (and a run's first search) already go.
// The cache's manifest says which files the last load of the same paths found and where their
// events are: the `events` view is built from it at once, and the walk that stats every file (a
// third of a second at 5M events) runs beside the view's statements and the search. The view is
// kept, and the search's rows go out, only once the walk has found every file as the manifest
// lists it and the load changed nothing; otherwise the rows are thrown away unseen, the view is
// made again from the load as it really is, and the search runs again (first-search.ts). No
// DuckDB here: the load (cache.ts) converts changed files in a DuckDB of its own.
import { readLoadManifest, sourcesFile, type CacheEntry } from './cache-files.js';
import { sizeOf } from './folder-stat.js';
import { manifestFiles } from './cache-manifest.js';
import { loadIntoCache, type CachedLoad, type CacheLoadOptions } from './cache.js';
import { lookUpCache, manifestOf, sameAsListed, type CacheLookup, type ManifestRead } from './cache-lookup.js';
import type { LoadOptions } from './loader.js';
import { absolutePath, DATA_FILE, tagCacheFolder } from './load-paths.js';
import { CACHE_LAYOUT } from './not-evidence.js';
import type { LoadReport } from './types.js';
import { walkedExpansion, WalkVerdict } from './walk-verdict.js';

/**
 * A manifest of this size or more (about 150 bytes a file: 27,000 files) has its files walked by
 * a worker (walk-verdict.ts); below it, the worker's start (a thread and a V8 isolate) costs more
 * than the walk it takes off this thread. A field, so tests can walk small trees in the worker.
 */
export const walkWorker = { minManifestBytes: 4_000_000 };

/** What the view over the manifest's entries counted: see EventStore.settled. */
type Duplicates = LoadReport['duplicates'];

export class WarmStart {
  private constructor(
    readonly paths: string[],
    readonly opts: LoadOptions,
    readonly index: string,
    /** The load of the files as they are, whatever the verdict (its failure is this promise's). */
    private readonly loaded: Promise<CachedLoad>,
    /**
     * The load's report once the walk found the files exactly as the manifest lists them and the
     * load changed nothing (the view built from the manifest is the one the load builds); else
     * undefined, as soon as the lookup sees a difference, or when the load or the view failed.
     * Never rejects.
     */
    readonly outcome: Promise<LoadReport | undefined>,
    /** Stops the load (Ctrl-C). */
    readonly abort: AbortController,
  ) {}

  /**
   * Reads the manifest of `paths`, starts their load (walk, lookup, conversion of what changed)
   * and has `view` build the events view from the manifest's entries. Without a manifest listing
   * any file there is nothing to build a view from: the lookup, started all the same, is handed
   * back for the ordinary load (undefined if it failed: that load meets the failure again).
   */
  static async start(
    paths: string[],
    opts: CacheLoadOptions & { index: string },
    loadOpts: LoadOptions,
    view: (entries: CacheEntry[], index: string, saved: string, inPathOrder: boolean) => Promise<Duplicates | undefined>,
  ): Promise<WarmStart | CacheLookup | undefined> {
    // The tag keeps a cache kept inside evidence from being read as evidence (see EventStore.loadEvents).
    await tagCacheFolder(opts.dir).catch(() => undefined);
    const { folder, manifest } = manifestOf(paths, opts.dir);
    // One folder of many files is walked by a worker from here (after the tag: a cache inside it
    // must show it), while this thread reads the manifest and builds the view.
    const worker = paths.length === 1 && sizeOf(manifest) >= walkWorker.minManifestBytes ? WalkVerdict.start(absolutePath(paths[0]!), DATA_FILE, CACHE_LAYOUT) : undefined;
    // Read before the walk starts: the walk's turns would delay it, and everything waits on it.
    // The worker compares its walk with these same bytes: the view is built from them.
    const read = await readLoadManifest(folder, manifest, (bytes) => worker?.compare((bytes && manifestFiles(bytes)) ?? null));
    const lookup = worker === undefined ? lookUpCache(paths, opts.dir, Promise.resolve(read)) : walkedBy(worker, paths, opts.dir, read);
    if (read === undefined || read.entries.length === 0) return lookup.catch(() => undefined);
    const listed = read.entries;
    const abort = new AbortController();
    const loaded = lookup.then((found) => loadIntoCache(paths, { ...opts, signal: abort.signal, lookup: found }));
    // Awaited by settle(): until then, not an unhandled rejection.
    loaded.catch(() => undefined);
    const duplicates = await view(listed, opts.index, sourcesFile(folder, read.digest), read.inPathOrder === true);
    const outcome = lookup
      .then(async (found) => {
        if (duplicates === undefined || found.misses.length > 0 || found.dirty.size > 0 || !sameEntries(found.entries, listed)) return undefined;
        const load = await loaded;
        return unchanged(load, listed, read.digest) ? { ...load.report, duplicates } : undefined;
      })
      .catch(() => undefined);
    return new WarmStart(paths, loadOpts, opts.index, loaded, outcome, abort);
  }

  /**
   * The load as it really is: `confirmed` when the manifest was, else `again`, given the load to
   * make the view from (or nothing when it failed: the ordinary load meets its failure again).
   */
  async settle(confirmed: (load: { paths: string[]; index: string }) => void, again: (loaded: CachedLoad | undefined) => Promise<LoadReport>): Promise<{ report: LoadReport; verified: boolean }> {
    const report = await this.outcome;
    if (report) {
      confirmed({ paths: this.paths, index: this.index });
      return { report, verified: true };
    }
    const loaded = await this.loaded.catch((err: unknown) => {
      if (this.abort.signal.aborted) throw err;
      return undefined;
    });
    return { report: await again(loaded), verified: false };
  }
}

/** A load that converted and rewrote nothing, of exactly the entries listed, under the same manifest. */
function unchanged(load: CachedLoad, listed: CacheEntry[], digest: string): boolean {
  return load.converted.length === 0 && load.rewritten.length === 0 && load.digest === digest && sameEntries(load.entries, listed);
}

/** The same entry objects in the same order: a hit is the manifest's own entry (lookUpCache). */
function sameEntries(a: CacheEntry[], b: CacheEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The lookup of `paths` from the worker's walk (walk-verdict.ts): the manifest's own when the
 * worker found its files as listed, else the worker's files compared with it as a walk's are, or,
 * when the worker had no answer, a walk on this thread.
 */
async function walkedBy(worker: WalkVerdict, paths: string[], dir: string, read: Awaited<ManifestRead>): Promise<CacheLookup> {
  // Made while the worker walks: its answer is all the first result waits for then.
  const listed = read !== undefined && !read.earlier ? sameAsListed(paths, dir, read) : undefined;
  const answer = await worker.answer;
  if (answer?.same && listed !== undefined) return listed;
  const found = answer?.same === false ? answer.found : undefined;
  return lookUpCache(paths, dir, Promise.resolve(read), found && (async () => walkedExpansion(found)));
}
