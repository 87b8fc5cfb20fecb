// The one engine API the CLI and the REPL share: open DuckDB, load CloudTrail, run SPL.
// This is the only module (with the loader) that talks to DuckDB.
import { DuckDBInstance, JSDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { SplError } from '../../grammar/diagnostics.js';
import { compilePrepared, prepare, pipelineLookups, type PreparedSearch } from '../compiler/index.js';
import { compileTrino, type TrinoCompiled } from '../compiler/trino-compile.js';
import type { AthenaTable } from '../compiler/print/athena-table.js';
import type { MacroSet } from '../compiler/macros.js';
import { PRELUDE } from '../compiler/prelude.js';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { str } from '../compiler/sql.js';
import type { CompiledSearch, DiscoveredValue, OutputAction } from '../compiler/types.js';
import { GeoIp } from './geoip.js';
import { describeDuckDBError, EngineError, firstLine } from './engine-error.js';
import { bundledMacrosFile, loadMacros, type EngineOptions, type Prepared, type RunOptions, type Search } from './engine-options.js';
import { ResultStream, rowsToRead } from './result-stream.js';
import { identifierSummarySql, multivalueSummarySql, readIdentifierSummary, readMultivalueSummary, readScalarSummary, scalarSummarySql, SIDEBAR_ROWS, type FieldSummary } from './field-summary.js';
import { loadIntoCache } from './cache.js';
import { answerFirstFits, cacheFromTable } from './cache-after.js';
import { lookUpCache, type CacheLookup } from './cache-lookup.js';
import { answerFirstBytes, defaultMemoryLimit } from './memory.js';
import { cacheWriteProblem, type CacheWriteError } from './cache-files.js';
import { CachedEvents, exportEvents } from './cache-view.js';
import { nestedFieldPaths } from './field-paths.js';
import { countDuplicates, deleteDuplicates, recordDuplicates, rememberedCount } from './duplicates.js';
import { dataRead, type DataRead } from './data-read.js';
import { profileQuery, type SearchProfile } from './profile.js';
import { loadCloudTrail, renumber, type LoadOptions } from './loader.js';
import { duckdbPath, tagCacheFolder } from './load-paths.js';
import { collectStaleScratch, newScratch, removeScratch } from './scratch.js';
import { defaultStateDir, LookupStore } from './lookups.js';
import { toValue } from './rows.js';
import { failingCommand } from './locate-error.js';
import { markUnreadable, type LoadReport, type ResultSet, type Row } from './types.js';

export class Engine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly macros: MacroSet,
    readonly lookups: LookupStore,
    private readonly scratch: string,
    private readonly options: EngineOptions,
    /** Folders DuckDB may still reach once locked: see lockDown(). */
    private readonly allowedDirs: string[],
  ) {
    this.results = new ResultStream(conn, lookups);
  }

  /** Reads a compiled search's rows and writes its lookups (result-stream.ts). */
  private readonly results: ResultStream;
  private locked = false;
  private staged = 0;
  /** The staging connection while a load after the lock runs, so interrupt() reaches it. */
  private loading: DuckDBConnection | undefined;
  /**
   * Fired by interrupt() during a load: much of a load is Node reading files, with no DuckDB
   * statement running for the connection's interrupt to stop (see LoadOptions.signal).
   */
  private loadAbort: AbortController | undefined;

  /**
   * Before the first search runs, DuckDB loses access to every file but the state (lookups),
   * cache and scratch folders: a search that somehow reached a file function still could not
   * read evidence it was not given, or anything else on the machine. The lock is for good (DuckDB
   * cannot re-enable access), so later loads go through `loadStaged`.
   */
  private async lockDown(): Promise<void> {
    if (this.locked) return;
    const dirs = new Set<string>();
    for (const dir of this.allowedDirs) {
      const names = [resolve(dir)];
      try {
        names.push(realpathSync(dir));
      } catch {
        // Not created yet: its resolved path is the one DuckDB will be given.
      }
      // DuckDB checks a reader's argument as written: a folder holding `[`, `*` or `?` reaches
      // the readers in its escaped form (see duckdbPath).
      for (const name of names) dirs.add(name + sep).add(duckdbPath(name) + sep);
    }
    await this.conn.run(`SET allowed_directories = [${[...dirs].map(str).join(', ')}]`);
    await this.conn.run('SET enable_external_access = false');
    await this.conn.run('SET lock_configuration = true');
    this.locked = true;
  }

  /**
   * A load after the lock: a separate DuckDB instance, which never runs a search, reads the files
   * and hands the events over as one Parquet file in the scratch folder.
   */
  private async loadStaged(paths: string[], opts: LoadOptions): Promise<LoadReport> {
    if (!existsSync(this.scratch)) mkdirSync(this.scratch, { mode: 0o700 });
    const file = join(this.scratch, `load-${++this.staged}.parquet`);
    const instance = await DuckDBInstance.create(':memory:', duckdbConfig(this.options, this.scratch));
    let report: LoadReport;
    try {
      const conn = await instance.connect();
      this.loading = conn;
      await conn.run("SET TimeZone = 'UTC'");
      report = await loadCloudTrail(conn, paths, opts);
      await conn.run(`COPY (SELECT * FROM ${EVENTS_TABLE} ORDER BY "__seq") TO ${str(file)} (FORMAT parquet)`);
      conn.closeSync();
    } finally {
      this.loading = undefined;
      instance.closeSync();
    }
    try {
      await this.conn.run(`INSERT INTO ${EVENTS_TABLE} SELECT * REPLACE (NULL AS "__seq") FROM read_parquet(${str(duckdbPath(file))})`);
      await renumber(this.conn);
    } finally {
      rmSync(file, { force: true });
    }
    return report;
  }
  static async open(opts: EngineOptions = {}): Promise<Engine> {
    // Created only when needed (DuckDB spills, a load after the lock): most runs leave nothing.
    collectStaleOnce();
    const scratch = newScratch();
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(':memory:', duckdbConfig(opts, scratch));
    } catch (err) {
      removeScratch(scratch);
      // DuckDB only says "Failed to set config"; the options a user gives are the likely cause.
      throw new EngineError(`cannot start DuckDB (${firstLine(err)}): check --memory-limit (a size such as 4GB or 512MB)`, '');
    }
    const conn = await instance.connect();
    // Times print in UTC whatever the machine's zone, so replays give the same text anywhere.
    await conn.run("SET TimeZone = 'UTC'");
    // Progress of a long query (the REPL's field summary), read but never printed by DuckDB.
    await conn.run('SET enable_progress_bar = true');
    await conn.run('SET enable_progress_bar_print = false');
    for (const sql of PRELUDE) await conn.run(sql);
    new GeoIp().register(conn);
    const macros = loadMacros([bundledMacrosFile()]);
    for (const [key, def] of opts.contentMacros ?? []) macros.set(key, def);
    for (const [key, def] of loadMacros(opts.macroFiles ?? [])) macros.set(key, def);
    const stateDir = opts.stateDir ?? defaultStateDir();
    const contentDirs = [...new Set([...(opts.contentLookups?.values() ?? [])].map((l) => dirname(resolve(l.path))))];
    const allowed = [stateDir, scratch, ...(opts.cacheDir ? [opts.cacheDir] : []), ...contentDirs];
    const engine = new Engine(instance, conn, macros, new LookupStore(conn, stateDir, opts.contentLookups), scratch, opts, allowed);
    engine.cacheDir = opts.cacheDir === undefined ? undefined : resolve(opts.cacheDir);
    return engine;
  }

  /** Progress of the running query, 0-100, or null when DuckDB cannot tell. */
  progress(): number | null {
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
   */
  async summarizeFields(spl: string, opts: RunOptions & { first?: number }, fields: string[], identifiers: string[] = []): Promise<{ rows: number; fields: FieldSummary[] }> {
    const first = opts.first === undefined ? undefined : Math.max(1, Math.floor(opts.first));
    const { compiled } = await this.prepareSummary(first === undefined ? spl : `${spl}\n| head ${first}`, opts, [...fields, ...identifiers]);
    const scalar = compiled.columns.filter((c) => compiled.types[c] !== 'mv' && !identifiers.includes(c));
    const multi = compiled.columns.filter((c) => compiled.types[c] === 'mv' && !identifiers.includes(c));
    const ids = compiled.columns.filter((c) => identifiers.includes(c));
    let source = compiled.sql;
    if (first !== undefined) {
      const make = `CREATE OR REPLACE TEMP TABLE ${SIDEBAR_ROWS} AS\n${compiled.sql}`;
      await this.summaryQuery(make, () => this.conn.run(make));
      source = `SELECT * FROM ${SIDEBAR_ROWS}`;
    }
    try {
      const main = scalarSummarySql(source, scalar);
      const { rows, fields: counted } = await this.summaryQuery(main, () => readScalarSummary(this.conn, main, scalar));
      if (ids.length && rows > 0) {
        const sql = identifierSummarySql(source, ids);
        counted.push(...(await this.summaryQuery(sql, () => readIdentifierSummary(this.conn, sql, ids))));
      }
      if (multi.length) {
        const sql = multivalueSummarySql(source, multi);
        counted.push(...(await this.summaryQuery(sql, () => readMultivalueSummary(this.conn, sql, multi))));
      }
      return { rows, fields: counted };
    } finally {
      if (first !== undefined) await this.conn.run(`DROP TABLE IF EXISTS ${SIDEBAR_ROWS}`);
    }
  }

  private prepareSummary(spl: string, opts: RunOptions, names: string[]): Promise<Prepared> {
    const quote = (f: string) => (/^[A-Za-z_@][\w.{}@-]*$/.test(f) ? f : `"${f.replace(/[\\"]/g, '\\$&')}"`);
    const table = `${spl}\n| table ${names.filter((f) => !f.includes('*')).map(quote).join(' ')}`;
    return this.prepareWithData(table, { ...opts, maxRows: undefined, unordered: true });
  }

  private async summaryQuery<T>(sql: string, read: () => Promise<T>): Promise<T> {
    this.results.cancelled = false;
    try {
      return await read();
    } catch (err) {
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }

  /** Dotted paths inside the loaded events' nested objects, most frequent first (completion). */
  async fieldPaths(sample = 5000, limit = 5000): Promise<string[]> {
    return nestedFieldPaths(this.conn, sample, limit);
  }

  /** The DuckDB connection, for the loader and tests. */
  get connection(): DuckDBConnection {
    return this.conn;
  }

  private cacheDir: string | undefined;
  private readonly cached = new CachedEvents();
  /** Every load into the cache, in order, so the view can be rebuilt: see refreshCache(). */
  private readonly cacheLoads: { paths: string[]; index: string }[] = [];

  /** Set by --dedup-events, or by a load that asks for it: from then on, for every load. */
  private dropDuplicates = false;
  /** Copies deleted from the in-memory table so far (the cache's view hides them instead). */
  private deleted = 0;

  /**
   * Load files, added to what is loaded. The report also counts the events that repeat an
   * eventID (over everything loaded); with `dedupEvents` (here, for the engine, or in an earlier
   * load) only the first copy of each, in Splunk's order, is kept from then on.
   */
  async load(paths: string[], opts: LoadOptions & { dedupEvents?: boolean; answerFirst?: boolean } = {}): Promise<LoadReport> {
    if (opts.dedupEvents || this.options.dedupEvents) this.dropDuplicates = true;
    const abort = new AbortController();
    this.loadAbort = abort;
    let report: LoadReport;
    try {
      report = await this.loadEvents(paths, { ...opts, signal: abort.signal });
    } finally {
      if (this.loadAbort === abort) this.loadAbort = undefined;
    }
    // Counting reads every segment: one damaged behind the cache's back is repaired as searches do.
    for (let attempt = 0; ; attempt++) {
      try {
        report.duplicates = await this.settleDuplicates();
        return report;
      } catch (err) {
        if (attempt >= 100 || !this.repairableCacheFile(err)) throw this.withCacheHint(new EngineError(`cannot count the events loaded twice: ${describeDuckDBError(err)}`, ''));
        await this.refreshCache();
      }
    }
  }

  private async settleDuplicates(): Promise<{ events: number; dropped: boolean }> {
    if (this.cacheDir === undefined) {
      if (!this.dropDuplicates) return { events: await countDuplicates(this.conn), dropped: false };
      this.deleted += await deleteDuplicates(this.conn);
      return { events: this.deleted, dropped: true };
    }
    // The copies are found over every loaded file, with none hidden.
    this.cached.setDropDuplicates(false);
    await this.cached.apply(this.conn, {});
    if (!this.dropDuplicates) {
      const files = this.cached.select({}).map(({ entry: e, index }) => [e.path, index, e.size, e.mtimeMs, e.ctimeMs, e.ino, e.rows, e.parquet]);
      return { events: await rememberedCount(join(this.cacheDir, 'duplicates.json'), files, () => countDuplicates(this.conn)), dropped: false };
    }
    const events = await recordDuplicates(this.conn);
    this.cached.setDropDuplicates(true);
    await this.cached.apply(this.conn, {});
    return { events, dropped: true };
  }

  private async loadEvents(paths: string[], opts: LoadOptions & { answerFirst?: boolean } = {}): Promise<LoadReport> {
    if (this.locked && this.cacheDir === undefined) return this.loadStaged(paths, opts);
    if (this.cacheDir === undefined) return loadCloudTrail(this.conn, paths, opts);
    const index = opts.index ?? 'main';
    let loaded;
    try {
      // The tag keeps a cache kept inside evidence from being read as evidence; a cache that
      // cannot be written gets none, and fails below if it needs writing.
      await tagCacheFolder(this.cacheDir).catch(() => undefined);
      let lookup: CacheLookup | undefined;
      if (opts.answerFirst && !this.locked && !this.dropDuplicates && this.cacheLoads.length === 0) {
        lookup = await lookUpCache(paths, this.cacheDir);
        if (answerFirstFits(lookup, answerFirstBytes(this.options.memoryLimit))) return await this.loadAnswerFirst(lookup, opts);
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
    this.cached.add(loaded.entries, index);
    this.cacheLoads.push({ paths, index });
    // Each damaged segment found costs one rebuild of the view; a damaged cache heals in a few.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.cached.apply(this.conn, {});
        break;
      } catch (err) {
        if (attempt >= 100 || !this.repairableCacheFile(err)) throw this.withCacheHint(new EngineError(describeDuckDBError(err), ''));
        await this.refreshCache();
      }
    }
    return loaded.report;
  }

  /** Writes the cache after an answer-first load: started by the first search, or by close(). */
  private cacheAfter: (() => Promise<void>) | undefined;
  private cacheWriting: Promise<void> | undefined;
  /** Why the cache could not be written after an answer-first load (it is then as a kill leaves it). */
  cacheError: unknown;
  private cacheAfterDir: string | undefined;

  /** What a caller should say when the cache an answer-first load owed could not be written. */
  cacheNote(): string | undefined {
    if (this.cacheError === undefined) return undefined;
    const problem = cacheWriteProblem(this.cacheError, this.cacheAfterDir!);
    const why = problem ? `${problem.folder}: cannot write the cache (${problem.reason})` : `${this.cacheAfterDir}: cannot write the cache (${firstLine(this.cacheError)})`;
    return `${why}: loaded into memory instead, as with --no-cache; the next run reads the files again`;
  }

  /**
   * A first load, with every file a cache miss: the files are read into memory as with --no-cache,
   * and the session goes on from memory; the cache is written from that table once the first
   * search has answered (see cache-after.ts), for the next run.
   */
  private async loadAnswerFirst(lookup: CacheLookup, opts: LoadOptions): Promise<LoadReport> {
    const dir = this.cacheDir!;
    const report = await loadCloudTrail(this.conn, lookup.misses.map((m) => m.abs), opts);
    report.warnings.unshift(...lookup.report.warnings);
    report.filesSkipped += lookup.report.filesSkipped;
    markUnreadable(report.warnings);
    this.cacheDir = undefined;
    this.cacheAfterDir = dir;
    this.cacheAfter = async () => {
      const conn = await this.instance.connect();
      try {
        await cacheFromTable(conn, dir, lookup, report);
      } finally {
        conn.closeSync();
      }
    };
    return report;
  }

  /** Starts the cache write an answer-first load left (once); resolves when it is done. */
  private writeCacheAfter(): Promise<void> | undefined {
    const write = this.cacheAfter;
    this.cacheAfter = undefined;
    if (write) {
      this.cacheWriting = write().catch((err: unknown) => {
        this.cacheError = err;
      });
    }
    return this.cacheWriting;
  }

  /** Resolves once the cache an answer-first load owes is written (or has failed: cacheError). */
  async cacheSettled(): Promise<void> {
    await this.writeCacheAfter();
  }

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

  /**
   * Whether an error is about a file of the cache that is gone or damaged (a segment another
   * process collected; one cut short or overwritten behind spelunk's back). A damaged one is
   * removed, so that the entries pointing at it are misses and their files are read again.
   */
  private repairableCacheFile(err: unknown): boolean {
    const message = err instanceof Error ? err.message : String(err);
    if (this.cacheDir === undefined || !message.includes(this.cacheDir)) return false;
    if (/No such file or directory|Cannot open file|No files found that match/i.test(message)) return true;
    if (!/No magic bytes|too small to be a Parquet file|Corrupt|Invalid Input Error|IO Error/i.test(message)) return false;
    const file = /'([^']+\.parquet)'/.exec(message)?.[1];
    if (!file || !resolve(file).startsWith(this.cacheDir + sep)) return false;
    rmSync(file, { force: true });
    return true;
  }

  /** Writes every loaded event (all columns but `__seq`, newest first) to a Parquet file. */
  async exportEvents(file: string): Promise<number> {
    if (this.cacheDir !== undefined) await this.cached.apply(this.conn, {});
    return exportEvents(this.conn, file);
  }

  /**
   * Parse and compile without running: SQL for `explain` and `:sql`. Columns that depend on the
   * data (chart/timechart split-by values) show as placeholders: see `prepareWithData`.
   */
  prepare(search: Search, opts: RunOptions & { allowUnfilledParams?: boolean; placeholderLookups?: boolean; discovered?: Record<string, DiscoveredValue[]>; unordered?: boolean; sample?: number; stepwise?: boolean } = {}): Prepared {
    const prepared = this.parse(search, opts);
    const options = {
      now: opts.now ?? Date.now() / 1000,
      earliest: opts.earliest,
      latest: opts.latest,
      allowUnfilledParams: opts.allowUnfilledParams,
      placeholderLookups: opts.placeholderLookups,
      discovered: opts.discovered ?? {},
      rowCap: rowsToRead(opts),
      addon: opts.addon ?? this.options.addon,
      unordered: opts.unordered,
      sample: opts.sample,
      stepwise: opts.stepwise,
    };
    // The same search with the same options and the same lookups compiles to the same plan: a
    // run's pre-check and its first round share one compilation.
    const key = JSON.stringify([options, this.lookups.generation]);
    const last = this.compiledLast.get(prepared);
    if (last?.key === key) return last.prepared;
    const compiled = compilePrepared(prepared, { ...options, lookups: this.lookups.resolver() });
    const result = { compiled, text: prepared.text };
    this.compiledLast.set(prepared, { key, prepared: result });
    return result;
  }

  private readonly compiledLast = new WeakMap<PreparedSearch, { key: string; prepared: Prepared }>();

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
  async prepareTrino(search: Search, opts: RunOptions & { table?: AthenaTable; jsonLists?: boolean; allowUnfilledParams?: boolean } = {}): Promise<TrinoCompiled> {
    const prepared = this.parse(search, opts);
    await this.loadLookups(prepared);
    return compileTrino(prepared, {
      now: opts.now ?? Date.now() / 1000,
      earliest: opts.earliest,
      latest: opts.latest,
      lookups: this.lookups.resolver(),
      addon: opts.addon ?? this.options.addon,
      table: opts.table,
      jsonLists: opts.jsonLists,
    });
  }

  /**
   * Compile, answer the compiler's questions about the loaded data (`Discovery`), and compile
   * again until it has none left. Each round can only ask questions that depend on earlier
   * answers (a pivot after a pivot), so the rounds are few; the cap guards against a loop.
   */
  async prepareWithData(search: Search, opts: RunOptions & { unordered?: boolean; sample?: number; stepwise?: boolean } = {}): Promise<Prepared> {
    const spl = this.parse(search, opts);
    // One clock for every round: a question is keyed by its SQL, which can hold now().
    opts = { ...opts, now: opts.now ?? Date.now() / 1000 };
    await this.lockDown();
    // The global time range picks the cached files the search reads.
    if (this.cacheDir !== undefined) await this.cached.apply(this.conn, { earliest: opts.earliest, latest: opts.latest });
    const discovered: Record<string, DiscoveredValue[]> = {};
    for (let round = 0; ; round++) {
      const prepared = this.prepare(spl, { ...opts, discovered });
      const pending = (prepared.compiled.discoveries ?? []).filter((d) => !(d.key in discovered));
      if (pending.length === 0) return prepared;
      if (round >= 16) throw new EngineError('the search kept asking new questions about the data (more than 16 rounds)', prepared.compiled.sql);
      for (const d of pending) {
        let reader;
        try {
          reader = await this.conn.runAndReadAll(d.sql);
        } catch (err) {
          throw new EngineError(describeDuckDBError(err), d.sql);
        }
        discovered[d.key] = reader.convertRows(JSDuckDBValueConverter).map((row) => {
          const v = toValue(row[0]);
          return v === null ? null : Array.isArray(v) ? v.join('\n') : String(v);
        });
      }
    }
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
    await this.loadLookups(spl);
    // Each step its own CTE, so each command's rows and time are its own.
    const { compiled, text } = await this.prepareWithData(spl, { ...opts, stepwise: true });
    const toRead = rowsToRead(opts);
    const sql = compiled.sql + (toRead === undefined ? '' : `\nLIMIT ${toRead}`);
    this.results.cancelled = false;
    try {
      const profile = await profileQuery(this.conn, sql);
      const range = { earliest: opts.earliest, latest: opts.latest };
      const data = await dataRead(this.conn, this.cacheDir === undefined ? null : { dir: this.cacheDir, files: this.cached.select(range) }, range);
      return { compiled, text, profile, data };
    } catch (err) {
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }

  /** Run a search and collect its rows (up to maxRows). */
  async run(spl: Search, opts: RunOptions = {}): Promise<ResultSet> {
    const rows: Row[] = [];
    const started = performance.now();
    const { compiled, truncated } = await this.stream(spl, opts, (chunk) => {
      rows.push(...chunk);
    });
    return { columns: compiled.columns, rows, sql: compiled.sql, elapsedMs: performance.now() - started, truncated };
  }

  /** Run a search, handing rows over chunk by chunk so a huge result is never held whole. */
  async stream(
    search: Search,
    opts: RunOptions,
    onRows: (rows: Row[]) => void | Promise<void>,
    onStart?: (columns: string[]) => void,
  ): Promise<{ compiled: CompiledSearch; truncated: boolean; rowCount: number }> {
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
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.streamOnce(spl, opts, deliver, start, written);
        } catch (err) {
          // Only before any row went out: a retry must not hand the caller rows twice.
          if (delivered || attempt >= 100 || !this.repairableCacheFile(err)) throw this.withCacheHint(err);
          await this.refreshCache();
        }
      }
    } finally {
      // The first answer is out: the cache an answer-first load owes is written now.
      void this.writeCacheAfter();
    }
  }

  /** A failure reading the cache's own files says so, and how to answer without them. */
  private withCacheHint(err: unknown): unknown {
    if (!(err instanceof EngineError) || this.cacheDir === undefined || !err.message.includes(this.cacheDir)) return err;
    return new EngineError(`${err.message} (a file of the cache at ${this.cacheDir} could not be read: run again with --no-cache, or remove that folder)`, err.sql);
  }

  private async streamOnce(
    spl: PreparedSearch,
    opts: RunOptions,
    onRows: (rows: Row[]) => void | Promise<void>,
    onStart?: (columns: string[]) => void,
    written: Set<number> = new Set(),
  ): Promise<{ compiled: CompiledSearch; truncated: boolean; rowCount: number }> {
    await this.loadLookups(spl);
    const { compiled } = await this.prepareWithData(spl, opts);
    try {
      return await this.results.streamCompiled(compiled, opts, onRows, onStart, written);
    } catch (err) {
      throw await this.located(err, compiled, spl.text);
    }
  }

  /** A run-time failure of a search that compiled, with the span of the command that failed. */
  private async located(err: unknown, compiled: CompiledSearch, text: string): Promise<unknown> {
    if (!(err instanceof EngineError) || err.at || this.results.cancelled || err.message === 'search cancelled' || /out of memory/i.test(err.message)) return err;
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
    this.loadAbort?.abort();
    this.loading?.interrupt();
    this.conn.interrupt();
  }

  /** Closes DuckDB; after an answer-first load, once the cache is written (see cacheSettled). */
  close(): void {
    const pending = this.writeCacheAfter();
    if (pending) void pending.then(() => this.closeNow());
    else this.closeNow();
  }

  private closeNow(): void {
    this.conn.closeSync();
    this.instance.closeSync();
    removeScratch(this.scratch);
  }
}

let collected = false;

/** Scratch folders left by spelunk processes that died (kill -9, a crash) go at the first open. */
function collectStaleOnce(): void {
  if (collected) return;
  collected = true;
  collectStaleScratch();
}

function duckdbConfig(opts: EngineOptions, scratch: string): Record<string, string> {
  return {
    memory_limit: opts.memoryLimit ?? defaultMemoryLimit(),
    ...(opts.threads ? { threads: String(opts.threads) } : {}),
    temp_directory: scratch,
    // Everything spelunk needs is built in: no extension is fetched or loaded behind the user's back.
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
  };
}


export { SplError, defaultMemoryLimit, EngineError };
export { bundledMacrosFile, loadMacros, PROJECT_ROOT } from './engine-options.js';
export type { EngineOptions, Prepared, RunOptions, Search } from './engine-options.js';
