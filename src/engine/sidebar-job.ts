// The field sidebar's counts made ahead, on a DuckDB connection of their own (issue 14): the REPL
// starts them when an event search's rows are shown (repl/sidebar-job.ts), so that `:fields`
// finds them done or under way, as Splunk's search page builds its fields summary while the job
// runs. The searches of the engine's own connection never wait for them: they are compiled there,
// in their turn like any other work (serial.ts), and counted here; interrupt() stops them at once.
//
// Only a search whose counts the loaded events alone decide is counted ahead (sidebar-memory.ts's
// rule): it reads nothing but the `events` view. A temporary object is its connection's alone, so
// that view is made again here, from the statement the engine's connection was given and copies
// of the temporary tables it reads; the prelude's macros, the cache's files, an attached table of
// sources and the in-memory table of events every connection sees.
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { eventsAlone } from '../compiler/grouped-fields.js';
import { ident } from '../compiler/sql.js';
import type { BuiltView } from './cache-view.js';
import { cancelledSearch, EngineError } from './engine-error.js';
import type { Prepared, RunOptions } from './engine-options.js';
import { EngineSidebar, type SidebarHost } from './engine-sidebar.js';
import type { Summary } from './sidebar-memory.js';
import type { SummaryOptions } from './sidebar-summary.js';
import { Serial } from './serial.js';

export interface JobHost extends Omit<SidebarHost, 'conn' | 'cancel' | 'compile'> {
  /** The engine's connection, on which the search is compiled and the view's tables are copied. */
  main: DuckDBConnection;
  /** The job's own. */
  conn: DuckDBConnection;
  /** Runs `work` in the engine connection's turn (serial.ts). */
  turn: <T>(work: () => Promise<T>) => Promise<T>;
  compile: SidebarHost['compile'];
  /** Compiles without asking the data anything (Engine.prepare): its questions are left in the plan. */
  draft: (spl: string, opts: RunOptions & { unordered: boolean }) => Prepared;
  /** Points the engine's `events` at a range's files and says what it built (EventStore.selectRange); undefined for events in memory. */
  view: (spl: string, opts: RunOptions) => Promise<BuiltView | undefined>;
}

/** Why a search is not counted ahead: its counts depend on more than the loaded events. */
export const NOT_AHEAD = 'not counted ahead: the search reads more than the loaded events';

export class SidebarJob {
  private readonly serial = new Serial();
  private readonly cancel = { cancelled: false };
  private readonly sidebar: EngineSidebar;
  /** What the view made on the job's connection was built for ('' for none: the events in memory). */
  private mirrored: string | undefined;
  /** Bumped by interrupt(): work queued before it does not start. */
  private generation = 0;
  private running = 0;
  /** The summary being counted now (or the scans being kept). */
  private inFlight: Promise<unknown> | undefined;
  private database: string | undefined;

  constructor(private readonly host: JobHost) {
    const compile: SidebarHost['compile'] = (spl, opts) => host.turn(() => this.compile(spl, opts));
    this.sidebar = new EngineSidebar({ ...host, conn: host.conn, cancel: this.cancel, compile });
  }

  /** EngineSidebar.summarize on the job's connection, for a search whose counts the loaded events alone decide (else NOT_AHEAD). */
  summarize(spl: string, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[]): Promise<Summary> {
    return this.onJob(spl, opts, () => this.sidebar.summarize(spl, opts, fields, identifiers));
  }

  /** EngineSidebar.keepScans on the job's connection (the scans kept serve its later sidebars), under the same rule. */
  keepScans(spl: string, opts: RunOptions, fields: string[]): Promise<number> {
    return this.onJob(spl, opts, () => this.sidebar.keepScans(spl, opts, fields));
  }

  private onJob<T>(spl: string, opts: RunOptions, work: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    this.running++;
    return this.serial.run(async () => {
      if (generation !== this.generation) throw cancelledSearch('');
      // Its rows' own plan (a pass over the first rows adds a head, which the rule refuses). A
      // search with questions for the data (a subsearch's rows) would run them in the engine's
      // turn for nothing.
      const draft = this.host.draft(`${spl}\n| table _time`, { ...opts, maxRows: undefined, unordered: true }).compiled;
      if (draft.discoveries?.length || !eventsAlone(draft)) throw new EngineError(NOT_AHEAD, '');
      const running = work();
      this.inFlight = running;
      try {
        return await running;
      } finally {
        if (this.inFlight === running) this.inFlight = undefined;
      }
    }).finally(() => this.running--);
  }

  /** Stops the job's counting now, and whatever was queued for it. */
  interrupt(): void {
    this.generation++;
    this.cancel.cancelled = true;
    this.host.conn.interrupt();
    const work = this.inFlight;
    if (work === undefined) return;
    // An interrupt that lands between two of its statements (none running) is lost: repeated
    // until that summary has ended, never past it (the next one on this connection starts after).
    const repeat = setInterval(() => this.host.conn.interrupt(), 50).unref();
    void work.catch(() => undefined).finally(() => clearInterval(repeat));
  }

  /** Progress of the job's running query, 0-100, or null. */
  progress(): number | null {
    if (this.running === 0) return null;
    const p = this.host.conn.progress.percentage;
    return p >= 0 ? p : null;
  }

  /** Resolves once nothing runs on the job's connection (before it is closed). */
  idle(): Promise<void> {
    return this.serial.run(async () => undefined);
  }

  get busy(): boolean {
    return this.running > 0;
  }

  private async compile(spl: string, opts: RunOptions & { unordered: boolean }): Promise<Prepared> {
    const prepared = await this.host.compile(spl, opts);
    await this.mirror(await this.host.view(spl, opts));
    return prepared;
  }

  /** Makes on the job's connection the `events` view the engine's connection has now (a no-op when it is made already). */
  private async mirror(built: BuiltView | undefined): Promise<void> {
    const { main, conn } = this.host;
    const key = built?.key ?? '';
    if (key === this.mirrored) return;
    this.mirrored = undefined;
    if (built === undefined) {
      // The events are the engine's in-memory table.
      await conn.run(`DROP VIEW IF EXISTS temp.main.${EVENTS_TABLE}`);
    } else {
      this.database ??= String((await main.runAndReadAll('SELECT current_database()')).getRows()[0]![0]);
      for (const table of built.temps) {
        const copy = `${ident(this.database)}.main.${ident(`__spelunk_job${table}`)}`;
        await main.run(`CREATE OR REPLACE TABLE ${copy} AS SELECT * FROM temp.main.${ident(table)}`);
        await conn.run(`CREATE OR REPLACE TEMP VIEW ${ident(table)} AS SELECT * FROM ${copy}`);
      }
      await conn.run(built.view);
    }
    this.mirrored = key;
  }
}
