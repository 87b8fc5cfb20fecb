// The one engine API the CLI and the REPL share: open DuckDB, load CloudTrail, run SPL.
// This is the only module (with the loader) that talks to DuckDB.
import { DuckDBInstance, JSDuckDBValueConverter, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SplError } from '../../grammar/diagnostics.js';
import { compilePrepared, prepare, pipelineLookups, type PreparedSearch } from '../compiler/index.js';
import { compileTrino, type TrinoCompiled } from '../compiler/trino-compile.js';
import type { AthenaTable } from '../compiler/print/athena-table.js';
import { parseMacrosConf, type MacroSet } from '../compiler/macros.js';
import { PRELUDE } from '../compiler/prelude.js';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { str } from '../compiler/sql.js';
import type { CompiledSearch, DiscoveredValue, OutputAction } from '../compiler/types.js';
import type { AddonProfile } from '../compiler/addon/profile.js';
import { GeoIp } from './geoip.js';
import { identifierSummarySql, multivalueSummarySql, readIdentifierSummary, readMultivalueSummary, readScalarSummary, scalarSummarySql, type FieldSummary } from './field-summary.js';
import { loadIntoCache } from './cache.js';
import { defaultMemoryLimit } from './memory.js';
import { cacheWriteProblem, type CacheWriteError } from './cache-files.js';
import { CachedEvents, exportEvents } from './cache-view.js';
import { nestedFieldPaths } from './field-paths.js';
import { countDuplicates, deleteDuplicates, recordDuplicates, rememberedCount } from './duplicates.js';
import { dataRead, type DataRead } from './data-read.js';
import { profileQuery, type SearchProfile } from './profile.js';
import { loadCloudTrail, renumber, type LoadOptions } from './loader.js';
import { duckdbPath, tagCacheFolder } from './load-paths.js';
import { collectStaleScratch, newScratch, removeScratch } from './scratch.js';
import { defaultStateDir, LookupError, LookupStore, type ContentLookup } from './lookups.js';
import { rowDecoder, toValue, type RowDecoder } from './rows.js';
import { failingCommand } from './locate-error.js';
import type { Span } from '../../grammar/ast.js';
import type { LoadReport, ResultSet, Row } from './types.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));

export interface EngineOptions {
  /** DuckDB memory limit, e.g. '4GB'; default: see `defaultMemoryLimit`. */
  memoryLimit?: string;
  threads?: number;
  /** Extra macros.conf files, applied after the bundled queries/macros.conf. */
  macroFiles?: string[];
  /**
   * Folder of the columnar cache (see cache.ts; the CLI's default is `defaultCacheDir()`). When
   * set, loads convert each file once to Parquet and `events` is a view over the cached files;
   * unset, loads fill an in-memory table.
   */
  cacheDir?: string;
  /** Folder for state such as lookups (`<state>/lookups/*.csv`); default: see `defaultStateDir`. */
  stateDir?: string;
  /** Which Splunk Add-on for AWS the add-on fields and data models follow (default 7.10); a search's own `addon` wins. */
  addon?: AddonProfile;
  /** Keep one copy of each eventID loaded more than once (--dedup-events). */
  dedupEvents?: boolean;
  /** Macros of detection content, applied after the bundled ones and before `macroFiles`. */
  contentMacros?: MacroSet;
  /** Read-only lookups of detection content, by name (see LookupStore). */
  contentLookups?: ReadonlyMap<string, ContentLookup>;
}

export interface RunOptions {
  params?: Record<string, string>;
  /** Search start time (epoch seconds); default: the wall clock. */
  now?: number;
  earliest?: number;
  latest?: number;
  /** Stop reading after this many rows (the result says it was truncated). */
  maxRows?: number;
  /** Which Splunk Add-on for AWS the add-on fields follow; default the engine's. */
  addon?: AddonProfile;
}

/**
 * A search as the engine takes it: SPL text, or text already macro-expanded and parsed by
 * `Engine.parse` (what one run passes from its pre-check to its lookups, rounds and notes, so
 * the search is expanded and parsed once).
 */
export type Search = string | PreparedSearch;

export interface Prepared {
  compiled: CompiledSearch;
  /** The search text after parameters and macros. */
  text: string;
}

export function bundledMacrosFile(): string {
  return join(PROJECT_ROOT, 'queries', 'macros.conf');
}

export function loadMacros(files: string[]): MacroSet {
  const macros: MacroSet = new Map();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      // A macros file that is silently skipped leaves its macros undefined: say which file.
      throw new Error(`cannot read macros file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    for (const [key, def] of parseMacrosConf(text, file)) macros.set(key, def);
  }
  return macros;
}

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
  ) {}

  private locked = false;
  /** Set by interrupt(): a cancelled stream ends like a finished one, so stream() checks this. */
  private cancelled = false;
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
   * Splunk's field sidebar for a search, exactly: each field in `fields` over every row the search
   * returns, all counted in one pass (see field-summary.ts). `identifiers` (one value per event,
   * such as eventID) are counted present, with an estimated distinct count and no top values:
   * a table of a million values for nothing doubled the cost.
   */
  /**
   * Counts of `fields` over the rows `spl` returns. With `sample` (a percent), over a random
   * sample of the events instead, when the search keeps rows as they are: `sampled` says so.
   */
  async summarizeFields(spl: string, opts: RunOptions & { sample?: number }, fields: string[], identifiers: string[] = []): Promise<{ rows: number; fields: FieldSummary[]; sampled?: number }> {
    const { compiled } = await this.prepareSummary(spl, opts, [...fields, ...identifiers]);
    const scalar = compiled.columns.filter((c) => compiled.types[c] !== 'mv' && !identifiers.includes(c));
    const multi = compiled.columns.filter((c) => compiled.types[c] === 'mv' && !identifiers.includes(c));
    const ids = compiled.columns.filter((c) => identifiers.includes(c));
    const main = scalarSummarySql(compiled.sql, scalar);
    const { rows, fields: counted } = await this.summaryQuery(main, () => readScalarSummary(this.conn, main, scalar));
    if (ids.length && rows > 0) {
      const sql = identifierSummarySql(compiled.sql, ids);
      counted.push(...(await this.summaryQuery(sql, () => readIdentifierSummary(this.conn, sql, ids))));
    }
    if (multi.length) {
      const sql = multivalueSummarySql(compiled.sql, multi);
      counted.push(...(await this.summaryQuery(sql, () => readMultivalueSummary(this.conn, sql, multi))));
    }
    return { rows, fields: counted, ...(compiled.sampled ? { sampled: compiled.sampled } : {}) };
  }

  private prepareSummary(spl: string, opts: RunOptions & { sample?: number }, names: string[]): Promise<Prepared> {
    const quote = (f: string) => (/^[A-Za-z_@][\w.{}@-]*$/.test(f) ? f : `"${f.replace(/[\\"]/g, '\\$&')}"`);
    const table = `${spl}\n| table ${names.filter((f) => !f.includes('*')).map(quote).join(' ')}`;
    return this.prepareWithData(table, { ...opts, maxRows: undefined, unordered: true });
  }

  private async summaryQuery<T>(sql: string, read: () => Promise<T>): Promise<T> {
    this.cancelled = false;
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
  async load(paths: string[], opts: LoadOptions & { dedupEvents?: boolean } = {}): Promise<LoadReport> {
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

  private async loadEvents(paths: string[], opts: LoadOptions = {}): Promise<LoadReport> {
    if (this.locked && this.cacheDir === undefined) return this.loadStaged(paths, opts);
    if (this.cacheDir === undefined) return loadCloudTrail(this.conn, paths, opts);
    const index = opts.index ?? 'main';
    let loaded;
    try {
      // The tag keeps a cache kept inside evidence from being read as evidence; a cache that
      // cannot be written gets none, and fails below if it needs writing.
      await tagCacheFolder(this.cacheDir).catch(() => undefined);
      loaded = await loadIntoCache(paths, {
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
  prepare(search: Search, opts: RunOptions & { allowUnfilledParams?: boolean; placeholderLookups?: boolean; discovered?: Record<string, DiscoveredValue[]>; unordered?: boolean; sample?: number } = {}): Prepared {
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
   * Where a remote search's outputlookup rows go (the local lookup, as for a local search):
   * rows as they arrive, then commit, or abort on failure.
   */
  async lookupSink(output: OutputAction, columns: string[]): Promise<{ rows(rows: Row[]): Promise<void>; commit(): Promise<void>; abort(): void }> {
    const sink = await this.lookupStep(output, () => this.lookups.writer(output, columns));
    return {
      rows: (rows) => this.lookupStep(output, () => sink.rows(rows)),
      commit: () => this.lookupStep(output, () => sink.commit()),
      abort: () => sink.abort(),
    };
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
  async prepareWithData(search: Search, opts: RunOptions & { unordered?: boolean; sample?: number } = {}): Promise<Prepared> {
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

  private async lookupStep<T>(output: OutputAction, step: () => T | Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const problem = code && FOLDER_PROBLEMS[code];
      const why = err instanceof LookupError
        ? err.message
        : problem
          ? `the lookups folder ${this.lookups.folder} ${problem} (the previous lookup, if any, is unchanged)`
          : `${err instanceof Error ? err.message : String(err)} (the previous lookup, if any, is unchanged)`;
      throw new EngineError(`cannot write lookup ${JSON.stringify(output.name)}: ${why}`, '');
    }
  }

  /**
   * The job inspector's figures: the search run again under DuckDB's profiler, each stage's rows
   * and time (see profile.ts), and the data it read for its time range.
   */
  async inspect(search: Search, opts: RunOptions): Promise<{ compiled: CompiledSearch; text: string; profile: SearchProfile; data: DataRead }> {
    const spl = this.parse(search, opts);
    await this.loadLookups(spl);
    const { compiled, text } = await this.prepareWithData(spl, opts);
    const toRead = rowsToRead(opts);
    const sql = compiled.sql + (toRead === undefined ? '' : `\nLIMIT ${toRead}`);
    this.cancelled = false;
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
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.streamOnce(spl, opts, deliver, start, written);
      } catch (err) {
        // Only before any row went out: a retry must not hand the caller rows twice.
        if (delivered || attempt >= 100 || !this.repairableCacheFile(err)) throw this.withCacheHint(err);
        await this.refreshCache();
      }
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
      return await this.streamCompiled(compiled, opts, onRows, onStart, written);
    } catch (err) {
      throw await this.located(err, compiled, spl.text);
    }
  }

  /** A run-time failure of a search that compiled, with the span of the command that failed. */
  private async located(err: unknown, compiled: CompiledSearch, text: string): Promise<unknown> {
    if (!(err instanceof EngineError) || err.at || this.cancelled || err.message === 'search cancelled' || /out of memory/i.test(err.message)) return err;
    const span = await failingCommand(this.conn, compiled).catch(() => undefined);
    return span ? new EngineError(err.message, err.sql, { span, text }) : err;
  }

  private async streamCompiled(
    compiled: CompiledSearch,
    opts: RunOptions,
    onRows: (rows: Row[]) => void | Promise<void>,
    onStart?: (columns: string[]) => void,
    written: Set<number> = new Set(),
  ): Promise<{ compiled: CompiledSearch; truncated: boolean; rowCount: number }> {
    for (const [i, write] of (compiled.writes ?? []).entries()) {
      if (written.has(i)) continue;
      await this.writeLookup(write);
      written.add(i);
    }
    // With a row cap DuckDB keeps only the first rows of the final sort instead of ordering a
    // result that may be enormous; outputlookup still needs every row.
    const toRead = compiled.output ? undefined : rowsToRead(opts);
    const cap = toRead === undefined ? '' : `\nLIMIT ${toRead}`;
    this.cancelled = false;
    const reader = await this.decoder(compiled.sql + cap, compiled.columns);
    const result = await this.execute(reader.sql);
    onStart?.(compiled.columns);
    let rowCount = 0;
    let truncated = false;
    const max = opts.maxRows ?? Infinity;
    // outputlookup writes every result, however many are shown, as they stream.
    const output = compiled.output;
    const sink = output ? await this.lookupStep(output, () => this.lookups.writer(output, compiled.columns)) : undefined;
    try {
      for (;;) {
        const chunk = await fetchChunk(result, compiled.sql);
        // After interrupt() DuckDB hands out an empty chunk, as at the end: not a whole result.
        if (this.cancelled) throw new EngineError('search cancelled', compiled.sql);
        if (!chunk || chunk.rowCount === 0) break;
        const all = reader.decode(chunk);
        if (output) await this.lookupStep(output, () => sink!.rows(all));
        if (truncated) continue;
        let rows = all;
        if (rowCount + rows.length > max) {
          rows = rows.slice(0, max - rowCount);
          truncated = true;
        }
        rowCount += rows.length;
        await onRows(rows);
        if (truncated && !output) break;
      }
      if (output) await this.lookupStep(output, () => sink!.commit());
    } catch (err) {
      sink?.abort();
      throw err;
    }
    return { compiled, truncated, rowCount };
  }

  /** An outputlookup before the end of the search (or in a subsearch): its own query's rows, written whole. */
  private async writeLookup(write: OutputAction): Promise<void> {
    const sql = write.sql!;
    this.cancelled = false;
    const reader = await this.decoder(sql, write.columns!);
    const result = await this.execute(reader.sql);
    const sink = await this.lookupStep(write, () => this.lookups.writer(write, write.columns!));
    try {
      for (;;) {
        const chunk = await fetchChunk(result, sql);
        if (this.cancelled) throw new EngineError('search cancelled', sql);
        if (!chunk || chunk.rowCount === 0) break;
        const rows = reader.decode(chunk);
        await this.lookupStep(write, () => sink.rows(rows));
      }
      await this.lookupStep(write, () => sink.commit());
    } catch (err) {
      sink.abort();
      throw err;
    }
  }

  private async decoder(sql: string, columns: string[]): Promise<RowDecoder> {
    try {
      return await rowDecoder(this.conn, sql, columns);
    } catch (err) {
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }

  private async execute(sql: string): Promise<DuckDBResult> {
    try {
      return await this.conn.stream(sql);
    } catch (err) {
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }

  /** Cancel the running search or load (Ctrl-C in the REPL). */
  interrupt(): void {
    this.cancelled = true;
    this.loadAbort?.abort();
    this.loading?.interrupt();
    this.conn.interrupt();
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
    removeScratch(this.scratch);
  }
}

/** Why a folder could not be written, by the error's code. */
const FOLDER_PROBLEMS: Record<string, string> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable (permission denied)',
  EPERM: 'is not writable (permission denied)',
  ENOSPC: 'is on a full disk (no space left on device)',
  EDQUOT: 'is over its disk quota',
  ENOENT: 'cannot be created (a parent folder is missing or read-only)',
  ENOTDIR: 'cannot be created (a file is in the way)',
};

let collected = false;

/** Scratch folders left by spelunk processes that died (kill -9, a crash) go at the first open. */
function collectStaleOnce(): void {
  if (collected) return;
  collected = true;
  collectStaleScratch();
}

/** Rows a capped run reads: one past the cap, so it can tell the result was cut. */
function rowsToRead(opts: RunOptions): number | undefined {
  return opts.maxRows !== undefined && Number.isSafeInteger(opts.maxRows) ? opts.maxRows + 1 : undefined;
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

/** Errors can also surface while rows stream (a cancelled search, a cast that fails late). */
async function fetchChunk(result: DuckDBResult, sql: string) {
  try {
    return await result.fetchChunk();
  } catch (err) {
    throw new EngineError(describeDuckDBError(err), sql);
  }
}

/** A failure while running a search that compiled: DuckDB's message, made readable. */
export class EngineError extends Error {
  /** `at`: where in the search (after macros) the failing command is, when it is known. */
  constructor(message: string, readonly sql: string, readonly at?: { span: Span; text: string }) {
    super(message);
    this.name = 'EngineError';
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

function describeDuckDBError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/INTERRUPT/i.test(text)) return 'search cancelled';
  if (/Out of Memory/i.test(text)) return `DuckDB ran out of memory: ${text.split('\n')[0]} (narrow the search, or raise --memory-limit)`;
  return text.split('\n')[0]!;
}

export { SplError, defaultMemoryLimit };
