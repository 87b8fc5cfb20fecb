// The one engine API the CLI and the REPL share: open DuckDB, load CloudTrail (event-store.ts),
// run SPL. Only the engine's modules talk to DuckDB.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { dirname, resolve } from 'node:path';
import { SplError } from '../../grammar/diagnostics.js';
import { compilePrepared, prepare, pipelineLookups, type PreparedSearch } from '../compiler/index.js';
import { compileTrino, type TrinoCompiled, type TrinoOptions } from '../compiler/trino-compile.js';
import { effectiveRange, readRange, type TimeRange } from '../compiler/search-range.js';
import type { MacroSet } from '../compiler/macros.js';
import type { CompiledSearch, DiscoveredValue, OutputAction } from '../compiler/types.js';
import { describeDuckDBError, EngineError, isCancelled } from './engine-error.js';
import { startDuckDB } from './engine-start.js';
import { bundledMacrosFile, loadMacros, type EngineOptions, type Prepared, type RunOptions, type Search } from './engine-options.js';
import { ResultStream, rowsToRead, type Streamed } from './result-stream.js';
import type { SummaryOptions } from './sidebar-summary.js';
import { EngineSidebar } from './engine-sidebar.js';
import { SidebarJob } from './sidebar-job.js';
import type { Summary } from './sidebar-memory.js';
import { SummaryMemory, type LoadedSummary } from './loaded-summary.js';
import { ScanAnswers } from './scan-answers.js';
import { defaultMemoryLimit } from './memory.js';
import { PathsJob } from './paths-job.js';
import type { DataRead } from './data-read.js';
import { profileQuery, SearchRecorder, type SearchProfile } from './profile.js';
import type { LoadOptions } from './loader.js';
import { EventStore } from './event-store.js';
import { exportEvents } from './export-events.js';
import { loadAndStream, type FirstSearch } from './first-search.js';
import { collectStaleOnce, newScratch, removeScratch } from './scratch.js';
import { defaultStateDir, LookupStore } from './lookups.js';
import { answerQuestions } from './data-questions.js';
import { failingCommand } from './locate-error.js';
import { Serial, serialize } from './serial.js';
import type { LoadReport, ResultSet, Row } from './types.js';

export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly side: DuckDBConnection,
    private readonly pathsConn: DuckDBConnection,
    readonly macros: MacroSet,
    readonly lookups: LookupStore,
    private readonly scratch: string,
    private readonly options: EngineOptions,
    allowedDirs: string[],
  ) {
    this.results = new ResultStream(conn, lookups, new SearchRecorder(scratch));
    this.paths = new PathsJob(pathsConn);
    this.store = new EventStore(instance, conn, options, scratch, allowedDirs, options.cacheDir);
    const compile = (spl: string, opts: RunOptions & { unordered: boolean }) => this.compileWithData(spl, opts);
    const dataKey = () => this.store.dataKey();
    this.sidebar = new EngineSidebar({ conn, compile, cancel: this.results, scans: this.scans, dataKey, cacheDir: options.cacheDir });
    this.summaries = new SummaryMemory({ parse: (spl) => this.parse(spl), run: (spl, opts) => this.run(spl, opts), prepare: (spl, opts) => this.prepareWithData(spl, opts), dataKey, cacheDir: options.cacheDir });
    this.ahead = new SidebarJob({
      main: conn, conn: side, turn: (work) => this.serial.run(work), compile, draft: (spl, opts) => this.prepare(spl, opts), view: (spl, opts) => this.store.selectRange(this.readRange(spl, opts)), scans: this.scans, dataKey, cacheDir: options.cacheDir,
    });
    // Every entry point that runs statements on the connection, one at a time (serial.ts); inside, they call compileWithData, never each other.
    serialize<Engine>(this, ['load', 'loadCandidates', 'finishFirst', 'startWarm', 'settleWarm', 'summarizeFields', 'rememberedFields', 'rememberFields', 'scansRaw', 'exportEvents', 'check', 'prepareTrino', 'prepareWithData', 'inspect', 'dataRead', 'stream'], this.serial);
    const queued = this.load; // A load is stoppable once asked for, while it waits its turn too:
    this.load = (paths, opts = {}) => this.store.asked((signal) => queued(paths, { ...opts, signal }));
  }

  private readonly serial = new Serial();
  /** The sidebar's counts made ahead, on a connection of their own (sidebar-job.ts). */
  private readonly ahead: SidebarJob;
  /** Reads a compiled search's rows and writes its lookups (result-stream.ts). */
  private readonly results: ResultStream;
  /** The loaded events, in memory or in the cache (event-store.ts). */
  private readonly store: EventStore;
  private readonly sidebar: EngineSidebar;
  /** The sidebar's scans of `_raw`, kept until the loaded events change: every load, or a repair of the cache, says so. */
  private readonly scans = new ScanAnswers();

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    // Created only when needed (DuckDB spills, a load after the lock): most runs leave nothing.
    collectStaleOnce();
    const scratch = newScratch();
    const { instance, conn, side, paths } = await startDuckDB(opts, scratch);
    const macros = loadMacros([bundledMacrosFile()]);
    for (const [key, def] of opts.contentMacros ?? []) macros.set(key, def);
    for (const [key, def] of loadMacros(opts.macroFiles ?? [])) macros.set(key, def);
    // Whole paths, for every part of the engine: a walk stats from inside each folder (folder-stat.ts) while a search reads.
    const stateDir = resolve(opts.stateDir ?? defaultStateDir());
    const content = new Map([...(opts.contentLookups ?? [])].map(([name, l]) => [name, { ...l, path: resolve(l.path) }]));
    const contentDirs = [...new Set([...content.values()].map((l) => dirname(l.path)))];
    const cacheDir = opts.cacheDir === undefined ? undefined : resolve(opts.cacheDir);
    const allowed = [stateDir, scratch, ...(cacheDir ? [cacheDir] : []), ...contentDirs];
    return new Engine(instance, conn, side, paths, macros, new LookupStore(conn, stateDir, content), scratch, { ...opts, cacheDir, stateDir }, allowed);
  }

  /** Progress of the running query (`ahead`: of the sidebar's counts made ahead), 0-100, or null when DuckDB cannot tell. */
  progress(ahead = false): number | null {
    if (ahead) return this.ahead.progress();
    const p = this.conn.progress.percentage;
    return p >= 0 ? p : null;
  }

  /**
   * Splunk's field sidebar for a search: each field in `fields` over every row the search
   * returns, all counted in one pass (see field-summary.ts). `identifiers` (one value per event,
   * such as eventID) are counted present, with an estimated distinct count and no top values:
   * a table of a million values for nothing doubled the cost. With `first`, over the first that
   * many rows only (the newest events, unless the search sorts them), which the newest-rows bound
   * reads from the newest files: they are made once into a temporary table the passes read.
   * Computed fields (the add-on's) are counted over the combinations of what they read
   * (sidebar-summary.ts). Counts over every row are remembered with the cache (engine-sidebar.ts).
   */
  summarizeFields = (spl: string, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[] = []): Promise<Summary> => this.sidebar.summarize(spl, opts, fields, identifiers);

  /** The counts summarizeFields would serve over every row from memory, without counting; undefined when there are none. */
  rememberedFields = (spl: string, opts: RunOptions, fields: string[], identifiers: string[] = []): Promise<Summary | undefined> => this.sidebar.remembered(spl, opts, fields, identifiers);

  /** Keeps counts over every row composed of parts (each counted by summarizeAhead) as summarizeFields would have remembered them (EngineSidebar.remember). */
  rememberFields = (spl: string, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[], summary: Summary, parts: [string[], string[]][] = []): Promise<void> => this.sidebar.remember(spl, opts, fields, identifiers, summary, parts);

  /**
   * summarizeFields counted on a connection of its own while searches go on here (sidebar-job.ts):
   * only for a search whose counts the loaded events alone decide; stopped by stopAhead(). Counts
   * over every row are remembered with the cache as summarizeFields's are.
   */
  summarizeAhead = (spl: string, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[] = []): Promise<Summary> => this.ahead.summarize(spl, opts, fields, identifiers);

  /** The scans of `_raw` a sidebar of `fields` over `spl` would keep, kept on the sidebar job's connection without counting (SidebarJob.keepScans); how many. */
  keepScansAhead = (spl: string, opts: RunOptions, fields: string[]): Promise<number> => this.ahead.keepScans(spl, opts, fields);

  stopAhead = (): void => this.ahead.interrupt();

  /** The search scans `_raw` for its rows (a bare term): every sidebar pass scans it again. */
  scansRaw = (spl: string, opts: RunOptions): Promise<boolean> => this.sidebar.scansRaw(spl, opts);

  /** The opening summary of every loaded event (the REPL's), remembered with the cache (loaded-summary.ts). */
  loadedSummary = (now?: number): Promise<LoadedSummary> => this.summaries.summary(now);
  private readonly summaries: SummaryMemory;

  /** The REPL's field paths, found on a connection of their own (paths-job.ts). */
  private readonly paths: PathsJob;

  /**
   * Dotted paths inside the loaded events' nested objects, most frequent first (completion): see
   * PathsJob.fieldPaths. Not in the connection's turn: a search asked meanwhile runs at once.
   */
  fieldPaths(sample = 5000, limit = 5000, onSampled?: (why: string) => void): Promise<string[]> {
    const segments = this.store.dataKey() === undefined ? undefined : this.store.cached.segments();
    return this.paths.fieldPaths({ cacheDir: this.options.cacheDir, segments, sample, limit, onSampled }, (work) => this.serial.run(() => work(this.conn)));
  }

  /** The DuckDB connection, for the loader and tests. */
  get connection(): DuckDBConnection {
    return this.conn;
  }

  /**
   * Load files, added to what is loaded. The report also counts the events that repeat an
   * eventID (over everything loaded); with `dedupEvents` (here, for the engine, or in an earlier
   * load) only the first copy of each, in Splunk's order, is kept from then on.
   */
  load(paths: string[], opts: LoadOptions & { dedupEvents?: boolean; answerFirst?: boolean } = {}): Promise<LoadReport> {
    // Field paths still being found are of the events before: stopped (a load may drop the table they read).
    return this.scans.changed(this.store.load(paths, opts, () => this.paths.stop()));
  }

  /** A run's load and its first search, answered from the events that can match it when it can (first-search.ts). */
  loadAndStream(paths: string[], loadOpts: LoadOptions, first: FirstSearch): ReturnType<typeof loadAndStream> {
    return loadAndStream(this, paths, loadOpts, first);
  }

  /** The events of a first load that can hold every needle (EventStore.loadCandidates); finishFirst() follows the search. */
  loadCandidates(paths: string[], opts: LoadOptions, needles: string[]): Promise<boolean> {
    return this.scans.changed(this.store.loadCandidates(paths, opts, needles));
  }

  finishFirst(): Promise<LoadReport> {
    return this.scans.changed(this.store.finishFirst());
  }

  /** A warm start's view from the cache's manifest while its files are walked (EventStore.startWarm); settleWarm() follows the first search. */
  startWarm(paths: string[], opts: LoadOptions): Promise<boolean> {
    return this.scans.changed(this.store.startWarm(paths, opts));
  }

  /** The warm start's load report once its walk confirmed the manifest, else undefined. Not queued: the first search's rows wait on it. */
  warmOutcome = (): Promise<LoadReport | undefined> => this.store.warmOutcome();

  settleWarm(): Promise<{ report: LoadReport; verified: boolean }> {
    return this.scans.changed(this.store.settleWarm());
  }

  /** Why the cache an answer-first load owed could not be written, if it could not. */
  get cacheError(): unknown {
    return this.store.cacheError;
  }

  /** What a caller should say when the cache an answer-first load owed could not be written. */
  cacheNote = (): string | undefined => this.store.cacheNote();

  /** The cache folder an answer-first load still owes a write to, if any (close() waits for it). */
  cacheOwed = (): string | undefined => this.store.cacheOwed();

  /** Resolves once the cache an answer-first load owes is written (or has failed: cacheError). */
  cacheSettled = (): Promise<void> => this.store.cacheSettled();

  /** Writes every loaded event (all columns but `__seq`, newest first) to a Parquet file. */
  async exportEvents(file: string): Promise<number> {
    // Over the cache, the view pointed at every file first.
    await this.store.selectRange({});
    return exportEvents(this.conn, file);
  }

  /**
   * Parse and compile without running: SQL for `explain` and `:sql`. Columns that depend on the
   * data (chart/timechart split-by values) show as placeholders: see `prepareWithData`.
   */
  prepare(search: Search, opts: RunOptions & { allowUnfilledParams?: boolean; placeholderLookups?: boolean; discovered?: Record<string, DiscoveredValue[]>; unordered?: boolean; stepwise?: boolean } = {}): Prepared {
    const prepared = this.parse(search, opts);
    const now = opts.now ?? Date.now() / 1000;
    const options = {
      now,
      earliest: opts.earliest,
      latest: opts.latest, within: opts.within,
      allowUnfilledParams: opts.allowUnfilledParams,
      placeholderLookups: opts.placeholderLookups,
      discovered: opts.discovered ?? {},
      rowCap: rowsToRead(opts),
      ...this.store.newest(effectiveRange(prepared.pipeline, now, opts)),
      addon: opts.addon ?? this.options.addon,
      unordered: opts.unordered,
      stepwise: opts.stepwise,
    };
    // The same search with the same options and the same lookups compiles to the same plan: a
    // run's pre-check and its first round share one compilation. Whether eventIDs repeat is known
    // after the load, so only a plan that depends on it is made again once it is.
    const unique = this.store.eventIdsUnique;
    const key = JSON.stringify([options, this.lookups.generation]);
    const last = this.compiledLast.get(prepared);
    if (last?.key === key && (!last.prepared.compiled.readsEventIdsUnique || last.unique === unique)) return last.prepared;
    const compiled = compilePrepared(prepared, { ...options, eventIdsUnique: unique, lookups: this.lookups.resolver() });
    const result = { compiled, text: prepared.text };
    this.compiledLast.set(prepared, { key, unique, prepared: result });
    return result;
  }

  private readonly compiledLast = new WeakMap<PreparedSearch, { key: string; unique: boolean; prepared: Prepared }>();

  /** Fill parameters, expand macros and parse (a search already parsed is returned as it is). */
  parse(search: Search, opts: { params?: Record<string, string>; allowUnfilledParams?: boolean } = {}): PreparedSearch {
    if (typeof search !== 'string') return search;
    return prepare(search, { macros: this.macros, params: opts.params, allowUnfilledParams: opts.allowUnfilledParams });
  }

  /**
   * A search's mistakes before any data is read: it is parsed, the lookups it names are loaded
   * and it is compiled (the compilation serves the run that follows).
   */
  async check(search: Search, opts: RunOptions = {}): Promise<PreparedSearch> {
    const prepared = this.parse(search, opts);
    await this.loadLookups(prepared);
    this.prepare(prepared, opts);
    return prepared;
  }

  /**
   * The search as Trino SQL over an Athena table (docs/athena.md): this engine's macros, and the
   * columns of the lookups it reads (their rows are read from Athena tables of the same names).
   */
  async prepareTrino(search: Search, opts: RunOptions & Pick<TrinoOptions, 'table' | 'jsonLists' | 'askEngine' | 'discovered'> & { allowUnfilledParams?: boolean } = {}): Promise<TrinoCompiled> {
    const prepared = this.parse(search, opts);
    await this.loadLookups(prepared);
    return compileTrino(prepared, {
      now: opts.now ?? Date.now() / 1000,
      earliest: opts.earliest,
      latest: opts.latest, within: opts.within,
      lookups: this.lookups.resolver(),
      addon: opts.addon ?? this.options.addon,
      table: opts.table,
      jsonLists: opts.jsonLists, askEngine: opts.askEngine, discovered: opts.discovered,
    });
  }

  /** Compile, answer the compiler's questions about the loaded data, and compile again until it has none left (data-questions.ts). */
  prepareWithData(search: Search, opts: RunOptions & { unordered?: boolean; stepwise?: boolean } = {}): Promise<Prepared> {
    return this.compileWithData(search, opts);
  }

  private async compileWithData(search: Search, opts: RunOptions & { unordered?: boolean; stepwise?: boolean } = {}): Promise<Prepared> {
    const spl = this.parse(search, opts);
    // One clock for every round: a question is keyed by its SQL, which can hold now().
    opts = { ...opts, now: opts.now ?? Date.now() / 1000 };
    await this.store.lockDown();
    // The cached files every part of the search reads (search-range.ts).
    await this.store.selectRange(this.readRange(spl, opts));
    return answerQuestions(this.conn, (discovered) => this.prepare(spl, { ...opts, discovered }));
  }

  /** Load (or reload, if the file changed) every lookup the search reads, before compiling it. */
  private async loadLookups(prepared: PreparedSearch): Promise<void> {
    try {
      await this.lookups.ensure(pipelineLookups(prepared.pipeline));
    } catch (err) {
      throw new EngineError(`cannot load lookup: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, '');
    }
  }

  /**
   * The job inspector's figures: the search run again under DuckDB's profiler, each stage's rows
   * and time (see profile.ts), and the data it read for its time range.
   */
  async inspect(search: Search, opts: RunOptions): Promise<{ compiled: CompiledSearch; text: string; profile: SearchProfile; data: DataRead }> {
    const spl = this.parse(search, opts);
    opts = { ...opts, now: opts.now ?? Date.now() / 1000 };
    await this.loadLookups(spl);
    // Each step its own CTE, so each command's rows and time are its own.
    const { compiled, text } = await this.compileWithData(spl, { ...opts, stepwise: true });
    const toRead = rowsToRead(opts);
    const sql = compiled.sql + (toRead === undefined ? '' : `\nLIMIT ${toRead}`);
    this.results.cancelled = false;
    try {
      const profile = await profileQuery(this.conn, sql);
      const data = await this.store.dataRead(this.readRange(spl, opts));
      return { compiled, text, profile, data };
    } catch (err) {
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }

  /** What a search over this time range reads: the cache's files and days, or the events in memory. */
  dataRead = (range: { earliest?: number; latest?: number }): Promise<DataRead> => this.store.dataRead(range);
  /** The times a search reads: its own earliest=/latest= in place of opts' (the picker's), its subsearches' too. */
  readRange = (search: Search, opts: RunOptions): TimeRange => readRange(this.parse(search, opts).pipeline, opts.now ?? Date.now() / 1000, opts);
  /** Run a search and collect its rows (up to maxRows). */
  async run(spl: Search, opts: RunOptions = {}): Promise<ResultSet> {
    const rows: Row[] = [];
    const started = performance.now();
    const { compiled, truncated, notes } = await this.stream(spl, opts, (chunk) => {
      rows.push(...chunk);
    });
    return { columns: compiled.columns, rows, sql: compiled.sql, elapsedMs: performance.now() - started, truncated, ...(notes ? { notes } : {}) };
  }

  /** Run a search, handing rows over chunk by chunk so a huge result is never held whole. */
  async stream(
    search: Search,
    opts: RunOptions,
    onRows: (rows: Row[]) => void | Promise<void>,
    onStart?: (columns: string[]) => void,
  ): Promise<Streamed> {
    let delivered = false;
    const deliver = (rows: Row[]): void | Promise<void> => {
      delivered = true;
      return onRows(rows);
    };
    let started = false;
    // Lookups written before the search: not written twice when a cache repair retries it.
    const written = new Set<number>();
    const start = (columns: string[]): void => {
      if (!started) onStart?.(columns);
      started = true;
    };
    const spl = this.parse(search, opts);
    try {
      // Retried only before any row went out: a retry must not hand the caller rows twice. A retry repairs the cache: the kept scans go.
      return await this.store.withRepair(() => this.streamOnce(spl, opts, deliver, start, written), { canRetry: () => !delivered && this.scans.changed(true) });
    } finally {
      // The first answer is out: the cache an answer-first load owes is written now.
      void this.store.writeCacheAfter();
    }
  }

  private async streamOnce(
    spl: PreparedSearch,
    opts: RunOptions,
    onRows: (rows: Row[]) => void | Promise<void>,
    onStart?: (columns: string[]) => void,
    written: Set<number> = new Set(),
  ): Promise<Streamed> {
    await this.loadLookups(spl);
    const { compiled, asked } = await this.compileWithData(spl, opts);
    try {
      return { ...(await this.results.streamCompiled(compiled, opts, onRows, onStart, written)), ...(asked ? { asked } : {}) };
    } catch (err) {
      throw await this.located(err, compiled, spl.text);
    }
  }

  /** A run-time failure of a search that compiled, with the span of the command that failed. */
  private async located(err: unknown, compiled: CompiledSearch, text: string): Promise<unknown> {
    if (!(err instanceof EngineError) || err.at || this.results.cancelled || isCancelled(err) || /out of memory/i.test(err.message)) return err;
    const span = await failingCommand(this.conn, compiled).catch(() => undefined);
    return span ? new EngineError(err.message, err.sql, { span, text }) : err;
  }

  /** Where a remote search's outputlookup rows go: see ResultStream.lookupSink. */
  lookupSink(output: OutputAction, columns: string[]): ReturnType<ResultStream['lookupSink']> {
    return this.results.lookupSink(output, columns);
  }

  /** Cancel the running search or load (Ctrl-C in the REPL). */
  interrupt(): void {
    this.results.cancelled = true;
    this.store.interrupt();
    this.conn.interrupt();
  }

  /** Closes DuckDB; after an answer-first load, once the cache is written (see cacheSettled). */
  close(): void {
    this.ahead.interrupt();
    // Nor while the sidebar's job or the field paths still run on their connections (stopping).
    const pending = this.ahead.busy || this.paths.busy ? Promise.all([this.store.writeCacheAfter(), this.ahead.idle(), this.paths.stop()]) : this.store.writeCacheAfter();
    if (pending) void pending.then(() => this.closeNow());
    else this.closeNow();
  }

  private closeNow(): void {
    this.side.closeSync();
    this.pathsConn.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
    removeScratch(this.scratch);
  }
}

export { SplError, defaultMemoryLimit, EngineError, rowsToRead };
export { bundledMacrosFile, loadMacros, PROJECT_ROOT } from './engine-options.js';
export type { EngineOptions, Prepared, RunOptions, Search } from './engine-options.js';
