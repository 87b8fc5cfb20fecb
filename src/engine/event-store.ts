// The events a session has loaded, and where they live: in memory, in the cache (a view over
// its Parquet segments), or in memory first with the cache written after the first answer. Also
// what DuckDB may read once the first search runs. The engine (engine.ts) owns one.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { resolve } from 'node:path';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { describeDuckDBError, EngineError } from './engine-error.js';
import { duckdbConfig, type EngineOptions } from './engine-options.js';
import { loadIntoCache, type CachedLoad } from './cache.js';
import { answerFirstFits, cacheFromTable } from './cache-after.js';
import { KeptLookup, lookUpCache, type CacheLookup } from './cache-lookup.js';
import { answerFirstBytes, candidateBytes } from './memory.js';
import { cacheWriteProblem, layoutFolder, sourcesFile, type CacheEntry, type CacheWriteError } from './cache-files.js';
import { CachedEvents, type BuiltView } from './cache-view.js';
import { CacheDuplicates } from './cache-duplicates.js';
import { countDuplicates, deleteDuplicates } from './duplicates.js';
import { dataRead, type DataRead } from './data-read.js';
import { ensureEventsTable, loadCloudTrail, type LoadOptions } from './loader.js';
import { tagCacheFolder } from './load-paths.js';
import { lockDown } from './lock-down.js';
import { withRepair, type RepairOptions } from './cache-repair.js';
import { OwedCache } from './owed-cache.js';
import { WarmStart } from './warm-start.js';
import { LoadAbort } from './load-abort.js';
import { markUnreadable, throwIfInterrupted, type LoadReport } from './types.js';
import { memorySources, noteEarlierNotRead } from './earlier-files.js';
import { loadCandidates, loadWhole } from './first-answer.js';
import { copyEventsIn, dropMemoryTable, inSeparateInstance, loadOut, scratchParquet } from './separate-load.js';

export class EventStore {
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly options: EngineOptions,
    private readonly scratch: string,
    /** Folders DuckDB may still reach once locked: see lockDown(). */
    private readonly allowedDirs: string[],
    cacheDir: string | undefined,
  ) {
    this.cacheDir = cacheDir === undefined ? undefined : resolve(cacheDir);
  }

  private locked = false;
  private staged = 0;
  /** The staging connection while a load after the lock runs, so interrupt() reaches it. */
  private loading: DuckDBConnection | undefined;
  /** Fired by interrupt() at any moment of a load. */
  private readonly aborts = new LoadAbort();

  /**
   * Before the first search runs, DuckDB loses access to every file but the state (lookups),
   * cache and scratch folders: a search that somehow reached a file function still could not
   * read evidence it was not given, or anything else on the machine. The lock is for good (DuckDB
   * cannot re-enable access), so later loads go through `loadStaged`.
   */
  async lockDown(): Promise<void> {
    if (this.locked) return;
    await lockDown(this.conn, this.allowedDirs);
    this.locked = true;
  }

  /** A load after the lock (separate-load.ts). */
  private async loadStaged(paths: string[], opts: LoadOptions): Promise<LoadReport> {
    const file = scratchParquet(this.scratch, `load-${++this.staged}`);
    const report = await inSeparateInstance(duckdbConfig(this.options, this.scratch), (conn) => loadOut(conn, paths, opts, file), (conn) => (this.loading = conn));
    await copyEventsIn(this.conn, file);
    return report;
  }
  private cacheDir: string | undefined;
  readonly cached = new CachedEvents();
  private readonly counts = new CacheDuplicates(this.cached);
  /** Every load into the cache, in order, so the view can be rebuilt: see refreshCache(). */
  private readonly cacheLoads: { paths: string[]; index: string }[] = [];

  /** Set by --dedup-events, or by a load that asks for it: from then on, for every load. */
  private dropDuplicates = false;
  /**
   * No two events read share an eventID: none was loaded twice, or the copies are dropped. Set
   * by the count at the end of each load (false until then, and while a load runs).
   */
  eventIdsUnique = false;
  /** Copies deleted from the in-memory table so far (the cache's view hides them instead). */
  private deleted = 0;

  /**
   * Load files, added to what is loaded. The report also counts the events that repeat an
   * eventID (over everything loaded); with `dedupEvents` (here, for the engine, or in an earlier
   * load) only the first copy of each, in Splunk's order, is kept from then on.
   */
  async load(paths: string[], options: LoadOptions & { dedupEvents?: boolean; answerFirst?: boolean } = {}, first?: () => Promise<unknown>): Promise<LoadReport> {
    // Stoppable from its first moment (`first`, the caller's, included): no file read yet, nothing to undo.
    return this.abortable(async (signal) => {
      await first?.();
      throwIfInterrupted(signal);
      const opts = { ...options, signal };
      if (opts.dedupEvents || this.options.dedupEvents) this.dropDuplicates = true;
      this.eventIdsUnique = false;
      // Over a warm cache the view is built from its manifest while the files are walked (startWarm).
      if (await this.startWarm(paths, opts)) return (await this.settleWarm()).report;
      const before = this.cacheDir === undefined && !this.answered ? await memorySources(this.conn) : undefined;
      const report = await this.settled(await this.abortable((inner) => this.loadEvents(paths, { ...opts, signal: inner })));
      return noteEarlierNotRead(report, paths, before ?? (this.cacheLoads.length > 1 ? this.cached : undefined));
    }, options.signal).catch(async (err: unknown) => {
      // The table left as a load stopped after its files were looked at leaves it: there (the interrupt may stop one statement).
      if (this.cacheDir === undefined) await ensureEventsTable(this.conn).catch(() => ensureEventsTable(this.conn)).catch(() => undefined);
      throw err;
    });
  }

  /** A load asked for now, stopped by interrupt() from now (load-abort.ts), though other work runs before it. */
  asked = <T>(load: (signal: AbortSignal) => Promise<T>): Promise<T> => this.aborts.ask(load);

  /** Runs a load interrupt() can stop; a part of a load under way is stopped with it (load-abort.ts). */
  private abortable = <T>(load: (signal: AbortSignal) => Promise<T>, given?: AbortSignal): Promise<T> => this.aborts.run(load, given);

  private async settled(report: LoadReport): Promise<LoadReport> {
    // Counting reads every segment: one damaged behind the cache's back is repaired as searches do.
    report.duplicates = await this.withRepair(() => this.settleDuplicates(), {
      fail: (err) => new EngineError(`cannot count the events loaded twice: ${describeDuckDBError(err)}`, ''),
    });
    this.eventIdsUnique = report.duplicates.events === 0 || report.duplicates.dropped;
    return report;
  }

  /** Names the events searches read, for counts kept across sessions (sidebar-memory.ts): none unless they are the cache's, settled. */
  dataKey = (): string | undefined => (this.cacheDir === undefined || this.warm || this.cacheLoads.length === 0 ? undefined : `${this.cached.countKey()}\0${this.dropDuplicates}`);
  /** The cache folder, when nothing is loaded yet and no load asks for the extra copies dropped. */
  private firstLoadDir(): string | undefined {
    return !this.locked && !this.dropDuplicates && !this.options.dedupEvents && this.cacheLoads.length === 0 && !this.answered && !this.firstPending ? this.cacheDir : undefined;
  }

  /** A lookup a first search made and did not take, for the load of the same paths that follows. */
  private readonly lookedUp = new KeptLookup();

  /** A first load answered from its candidates, left to finish (finishFirst). */
  private firstPending: { paths: string[]; lookup: CacheLookup; opts: LoadOptions; dir: string } | undefined;

  /**
   * An answer-first load of only the events that can hold every needle (first-answer.ts), for
   * the first search; finishFirst() follows it. False, with nothing loaded, when not taken.
   */
  loadCandidates(paths: string[], opts: LoadOptions, needles: string[]): Promise<boolean> {
    // Stoppable while the walk looks the files up, before any is read (see abortable).
    return this.abortable(() => this.candidates(paths, opts, needles));
  }

  private async candidates(paths: string[], opts: LoadOptions, needles: string[]): Promise<boolean> {
    const dir = this.firstLoadDir();
    if (dir === undefined) return false;
    await tagCacheFolder(dir).catch(() => undefined);
    const lookup = this.lookedUp.take(paths, dir) ?? (await lookUpCache(paths, dir));
    if (!answerFirstFits(lookup, Infinity)) {
      // The load that follows (loadAndStream) looks up the same files: not walked twice.
      this.lookedUp.keep(paths, dir, lookup);
      return false;
    }
    this.eventIdsUnique = false;
    try {
      await this.abortable((signal) => loadCandidates(this.conn, lookup.misses, needles, { ...opts, signal }, candidateBytes(this.options.memoryLimit)));
    } catch (err) {
      await this.conn.run(`DELETE FROM ${EVENTS_TABLE}`).catch(() => undefined);
      // Stopped by the user: said. Otherwise the ordinary load answers, as it would have.
      if (/INTERRUPT/i.test(String(err))) throw err;
      return false;
    }
    this.cacheDir = undefined;
    this.firstPending = { paths, lookup, opts, dir };
    return true;
  }

  /** The rest of a loadCandidates load: every file read and cached, the session then on the cache (or in memory: cacheNote). */
  async finishFirst(): Promise<LoadReport> {
    const { paths, lookup, opts, dir } = this.firstPending!;
    this.firstPending = undefined;
    if (!answerFirstFits(lookup, answerFirstBytes(this.options.memoryLimit))) {
      // Too large to hold in memory: the cache's chunks, as a first load of that size takes.
      await this.conn.run(`DELETE FROM ${EVENTS_TABLE}`);
      this.cacheDir = dir;
      return this.settled(await this.abortable((signal) => this.loadEvents(paths, { ...opts, signal })));
    }
    const parquet = scratchParquet(this.scratch, `load-${++this.staged}`);
    // Never a session over the candidates alone: they go, whether the load succeeds or fails.
    const whole = await this.abortable((signal) => inSeparateInstance(duckdbConfig(this.options, this.scratch), (conn) => loadWhole(conn, dir, lookup, { ...opts, signal }, parquet), (conn) => (this.loading = conn)))
      .finally(() => this.conn.run(`DELETE FROM ${EVENTS_TABLE}`));
    markUnreadable(whole.report.warnings);
    if (whole.entries) {
      this.owed.dir = dir;
      this.answered = { paths, index: opts.index ?? 'main', entries: whole.entries };
      await this.backToCache();
    } else {
      this.owed.settled(dir, whole.cacheError);
      await copyEventsIn(this.conn, parquet);
    }
    return this.settled(whole.report);
  }

  private async settleDuplicates(): Promise<{ events: number; dropped: boolean }> {
    if (this.cacheDir === undefined) {
      if (!this.dropDuplicates) return { events: await countDuplicates(this.conn), dropped: false };
      this.deleted += await deleteDuplicates(this.conn);
      return { events: this.deleted, dropped: true };
    }
    return this.counts.settle(this.conn, this.cacheDir, this.dropDuplicates);
  }

  private async loadEvents(paths: string[], opts: LoadOptions & { answerFirst?: boolean } = {}): Promise<LoadReport> {
    if (this.answered) await this.backToCache();
    if (this.locked && this.cacheDir === undefined) return this.loadStaged(paths, opts);
    if (this.cacheDir === undefined) return loadCloudTrail(this.conn, paths, opts);
    const index = opts.index ?? 'main';
    let loaded;
    try {
      // The tag keeps a cache kept inside evidence from being read as evidence; a cache that
      // cannot be written gets none, and fails below if it needs writing.
      await tagCacheFolder(this.cacheDir).catch(() => undefined);
      let lookup = this.lookedUp.take(paths, this.cacheDir);
      if (opts.answerFirst && !this.locked && !this.dropDuplicates && this.cacheLoads.length === 0) {
        lookup ??= await lookUpCache(paths, this.cacheDir);
        if (answerFirstFits(lookup, answerFirstBytes(this.options.memoryLimit))) return await this.loadAnswerFirst(paths, lookup, opts);
      }
      loaded = await loadIntoCache(paths, {
        lookup,
        dir: this.cacheDir,
        onProgress: opts.onProgress,
        memoryLimit: this.options.memoryLimit,
        streamBytes: opts.streamBytes,
        signal: opts.signal,
      });
    } catch (err) {
      const problem = cacheWriteProblem(err, this.cacheDir);
      if (!problem) throw err;
      return this.loadWithoutCache(paths, opts, problem);
    }
    await this.takeLoaded(paths, index, loaded);
    return loaded.report;
  }

  /** The view over a load into the cache (an answer-first load's: no manifest), added to the earlier loads'. */
  private async takeLoaded(paths: string[], index: string, loaded: Pick<CachedLoad, 'entries' | 'digest'>): Promise<void> {
    this.cached.add(loaded.entries, index, loaded.digest === undefined ? undefined : sourcesFile(layoutFolder(this.cacheDir!), loaded.digest));
    this.cacheLoads.push({ paths, index });
    // Each damaged segment found costs one rebuild of the view; a damaged cache heals in a few.
    await this.withRepair(() => this.cached.apply(this.conn, {}), { fail: (err) => new EngineError(describeDuckDBError(err), '') });
  }

  /** A warm start whose view is the manifest's while its load runs (warm-start.ts): settleWarm() ends it. */
  private warm: WarmStart | undefined;

  /**
   * The first load of a session over paths a manifest of the cache lists: the view is built from
   * it while the files are walked and compared with it (the first search runs meanwhile, its rows
   * held until warmOutcome says). False, with nothing loaded, when there is no such manifest.
   */
  async startWarm(paths: string[], opts: LoadOptions): Promise<boolean> {
    const dir = this.firstLoadDir();
    // A lookup kept for these paths (below, or the first search's) had no manifest to start from: the load takes it, no second walk.
    if (dir === undefined || this.warm || this.lookedUp.holds(paths, dir)) return false;
    this.eventIdsUnique = false;
    const warm = await WarmStart.start(paths, { dir, index: opts.index ?? 'main', memoryLimit: this.options.memoryLimit, streamBytes: opts.streamBytes }, opts, async (entries, index, saved, inPathOrder) => {
      this.cached.add(entries, index, saved, inPathOrder);
      // Not repaired here (no load is recorded yet): a damaged cache's view is made again once the load is known.
      const duplicates = await this.settleDuplicates().catch(() => undefined);
      this.eventIdsUnique = duplicates !== undefined && (duplicates.events === 0 || duplicates.dropped);
      return duplicates;
    });
    if (!(warm instanceof WarmStart)) {
      if (warm) this.lookedUp.keep(paths, dir, warm);
      return false;
    }
    this.warm = warm;
    this.aborts.adopt(warm.abort);
    return true;
  }

  /** The warm start's load report once its walk confirmed the manifest; undefined when the view must be made again. */
  warmOutcome = (): Promise<LoadReport | undefined> => this.warm?.outcome ?? Promise.resolve(undefined);

  /** Ends a warm start: the load as it really is, the view made again from it if the manifest was not. */
  async settleWarm(): Promise<{ report: LoadReport; verified: boolean }> {
    // From here the view is the load's: repaired as after any other load (withRepair).
    const warm = this.warm!;
    this.warm = undefined;
    try {
      return await warm.settle((load) => this.cacheLoads.push(load), async (loaded) => {
        this.eventIdsUnique = false;
        this.cached.reset();
        if (loaded === undefined) return this.settled(await this.loadEvents(warm.paths, warm.opts));
        await this.takeLoaded(warm.paths, warm.index, loaded);
        return this.settled(loaded.report);
      });
    } finally {
      this.aborts.release(warm.abort);
    }
  }

  /** The cache an answer-first load owes: written once the first search has answered, or by close(). */
  private readonly owed = new OwedCache();
  /** The answer-first load, and once its cache is written the entries it wrote: see backToCache(). */
  private answered: { paths: string[]; index: string; entries?: CacheEntry[] } | undefined;

  /** What a caller should say when the cache an answer-first load owed could not be written. */
  cacheNote = (): string | undefined => this.owed.note();

  /** Why the cache an answer-first load owed could not be written, if it could not. */
  get cacheError(): unknown {
    return this.owed.error;
  }

  /**
   * A first load, with every file a cache miss: the files are read into memory as with --no-cache,
   * and the session goes on from memory; the cache is written from that table once the first
   * search has answered (see cache-after.ts), for the next run.
   */
  private async loadAnswerFirst(paths: string[], lookup: CacheLookup, opts: LoadOptions): Promise<LoadReport> {
    const dir = this.cacheDir!;
    const report = await loadCloudTrail(this.conn, lookup.misses.map((m) => m.abs), opts);
    report.warnings.unshift(...lookup.report.warnings);
    report.filesSkipped += lookup.report.filesSkipped;
    markUnreadable(report.warnings);
    this.cacheDir = undefined;
    const answered: NonNullable<EventStore['answered']> = { paths, index: opts.index ?? 'main' };
    this.answered = answered;
    this.owed.owe(dir, async () => {
      const conn = await this.instance.connect();
      try {
        answered.entries = await cacheFromTable(conn, dir, lookup, report);
      } finally {
        conn.closeSync();
      }
    });
    return report;
  }

  /**
   * A load after an answer-first load: the cache that load owes is finished first, and the
   * session reads its events from the cache again, as if it had loaded them there. Otherwise this
   * load (and every later one) would go into memory like --no-cache: unbounded by the cache's
   * chunks, and read again by the next run. The in-memory table is dropped, which frees it.
   * A cache that could not be written leaves the session in memory (cacheNote says why).
   */
  private async backToCache(): Promise<void> {
    await this.writeCacheAfter();
    const answered = this.answered!;
    this.answered = undefined;
    if (this.owed.error !== undefined || answered.entries === undefined) return;
    this.cacheDir = this.owed.dir;
    this.owed.dir = undefined;
    await this.takeLoaded(answered.paths, answered.index, { entries: answered.entries });
    await dropMemoryTable(this.conn);
  }

  /** Starts the cache write an answer-first load left (once); resolves when it is done. */
  writeCacheAfter = (): Promise<void> | undefined => this.owed.start();

  /** The cache folder an answer-first load still owes a write to (not started, or not finished). */
  cacheOwed = (): string | undefined => this.owed.owed();

  /** Resolves once the cache an answer-first load owes is written (or has failed: cacheError). */
  cacheSettled = async (): Promise<void> => void (await this.writeCacheAfter());

  /**
   * A cache that cannot be written (read-only, a full disk) makes the answer slower, not absent:
   * this session's loads, the earlier ones included, go into memory as with --no-cache, and the
   * report says why.
   */
  private async loadWithoutCache(paths: string[], opts: LoadOptions, problem: CacheWriteError): Promise<LoadReport> {
    this.cacheDir = undefined;
    const earlier = this.cacheLoads.splice(0);
    this.cached.reset();
    await this.conn.run(`DROP VIEW IF EXISTS temp.main.${EVENTS_TABLE}`);
    for (const load of earlier) await this.loadEvents(load.paths, { index: load.index });
    const report = await this.loadEvents(paths, opts);
    report.warnings.unshift({
      file: problem.folder,
      kind: 'note',
      reason: `cannot write the cache (${problem.reason}): loaded into memory instead, as with --no-cache (--cache DIR chooses another folder)`,
    });
    return report;
  }

  /**
   * Another spelunk process loading the same logs may rewrite a day of the cache and, once the
   * grace period has passed, delete the segments this session's view still reads (a REPL left
   * open through an incident). The loads are then brought up to date again, from the cache
   * where it is current and from the logs where it is not.
   */
  private async refreshCache(): Promise<void> {
    this.cached.reset();
    for (const load of this.cacheLoads) {
      const { entries } = await loadIntoCache(load.paths, { dir: this.cacheDir!, memoryLimit: this.options.memoryLimit });
      this.cached.add(entries, load.index);
    }
  }

  /** The cache's files a search over this time range reads (the view is pointed at them); the view built, for another connection. */
  async selectRange(range: { earliest?: number; latest?: number }): Promise<BuiltView | undefined> {
    return this.cacheDir === undefined ? undefined : this.cached.apply(this.conn, range).then(() => this.cached.builtView());
  }

  /** See CompileOptions.recentSince and newestView: from the cache's file times (none for events in memory). */
  newest(range: { earliest?: number; latest?: number }): { recentSince?: number[]; newestView?: { table: string; since: number } } {
    return this.cacheDir === undefined ? {} : { recentSince: this.cached.recentSince(range), newestView: this.cached.newestView(range) };
  }

  /** What a search over this time range read: the cache's files and days, or the events in memory. */
  async dataRead(range: { earliest?: number; latest?: number }): Promise<DataRead> {
    const read = await dataRead(this.conn, this.cacheDir === undefined ? null : { dir: this.cacheDir, files: this.cached.select(range) }, range);
    return this.owed.dir !== undefined && this.owed.error === undefined ? { ...read, cacheAfter: this.owed.dir } : read;
  }

  /**
   * See withRepair (cache-repair.ts): the loads brought up to date again (refreshCache). Not while a
   * warm start's view is the manifest's: no load is recorded yet; its search runs again once known.
   */
  withRepair<T>(attempt: () => Promise<T>, opts: RepairOptions = {}): Promise<T> {
    return withRepair(attempt, () => this.cacheDir, this.warm ? undefined : () => this.refreshCache(), opts);
  }

  /** Stops a running load (Ctrl-C). */
  interrupt(): void {
    this.aborts.interrupt();
    this.loading?.interrupt();
  }
}
