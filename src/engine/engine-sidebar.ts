// The engine's side of the field sidebar (Engine.summarizeFields): the search compiled to end in a
// table of the fields asked, counted by sidebar-summary.ts, and its counts over every row
// remembered with the cache when nothing but the loaded events decides them (sidebar-memory.ts).
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { eventsAlone, rowsScanRaw } from '../compiler/grouped-fields.js';
import type { CompiledSearch } from '../compiler/types.js';
import { cancelledSearch, describeDuckDBError, EngineError } from './engine-error.js';
import type { Prepared, RunOptions } from './engine-options.js';
import type { ScanAnswers } from './scan-answers.js';
import { SidebarMemory, type Summary } from './sidebar-memory.js';
import { keepScans, summarize, type SummaryOptions } from './sidebar-summary.js';

export interface SidebarHost {
  conn: DuckDBConnection;
  /** Compiles with the data's answers (Engine.compileWithData). */
  compile: (spl: string, opts: RunOptions & { unordered: boolean }) => Promise<Prepared>;
  /** Set by Ctrl-C (the result stream's flag). */
  cancel: { cancelled: boolean };
  scans: ScanAnswers;
  /** What names the loaded events (EventStore.dataKey): none when they are not the cache's alone. */
  dataKey: () => string | undefined;
  cacheDir?: string;
}

/** The file of remembered sidebars in the cache folder, beside the duplicate counts. */
export const SIDEBAR_FILE = 'sidebar.json';

export class EngineSidebar {
  private readonly memory: SidebarMemory | undefined;

  constructor(private readonly host: SidebarHost) {
    this.memory = host.cacheDir === undefined ? undefined : new SidebarMemory(path.join(path.resolve(host.cacheDir), SIDEBAR_FILE));
  }

  async summarize(spl: string, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[]): Promise<Summary> {
    const { conn, cancel, scans } = this.host;
    cancel.cancelled = false;
    const first = opts.first === undefined ? undefined : Math.max(1, Math.floor(opts.first));
    const { compiled } = await this.prepare(first === undefined ? spl : `${spl}\n| head ${first}`, opts, [...fields, ...identifiers]);
    const key = await this.key(compiled, opts, fields, identifiers);
    const known = key === undefined ? undefined : this.memory!.recall(key);
    if (known) return known;
    const counted = await summarize({ conn, query: (sql, read) => this.query(sql, read), scans: scans.over(conn, opts) }, compiled, { fields, identifiers, first, group: opts.group });
    if (key !== undefined) this.memory!.remember(key, counted);
    return counted;
  }

  /** Keeps the scans of `_raw` a sidebar of `fields` over every row of `spl` would keep, counting nothing (sidebar-summary.ts keepScans); how many. */
  async keepScans(spl: string, opts: RunOptions, fields: string[]): Promise<number> {
    const { conn, cancel, scans } = this.host;
    cancel.cancelled = false;
    const { compiled } = await this.prepare(spl, opts, fields);
    return keepScans({ conn, query: (sql, read) => this.query(sql, read), scans: scans.over(conn, opts) }, compiled, fields);
  }

  /** The counts a sidebar over every row of `spl` would serve from memory, if there are any. */
  async remembered(spl: string, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[]): Promise<Summary | undefined> {
    if (this.memory === undefined) return undefined;
    const { compiled } = await this.prepare(spl, opts, [...fields, ...identifiers]);
    const key = await this.key(compiled, opts, fields, identifiers);
    return key === undefined ? undefined : this.memory.recall(key);
  }

  /**
   * Keeps `summary` as the counts over every row of `spl` for these fields, when they are a
   * function of the loaded events alone: a sidebar counted in parts (repl/idle-summary.ts), each
   * part remembered as it ended, composed; the parts' own entries are forgotten.
   */
  async remember(spl: string, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[], summary: Summary, parts: [string[], string[]][] = []): Promise<void> {
    if (this.memory === undefined) return;
    const keyOf = async (f: string[], i: string[]) => this.key((await this.prepare(spl, opts, [...f, ...i])).compiled, opts, f, i);
    const key = await keyOf(fields, identifiers);
    if (key === undefined) return;
    const forget: string[] = [];
    for (const [f, i] of parts) {
      const k = await keyOf(f, i);
      if (k !== undefined && k !== key) forget.push(k);
    }
    this.memory.remember(key, summary, forget);
  }

  /** The search scans `_raw` for its rows (a bare term): every sidebar pass scans it again. */
  async scansRaw(spl: string, opts: RunOptions): Promise<boolean> {
    return rowsScanRaw((await this.prepare(spl, opts, ['_time'])).compiled);
  }

  /** The key counts are remembered under, when they are a function of the loaded events alone (sidebar-memory.ts). */
  private async key(compiled: CompiledSearch, opts: RunOptions & SummaryOptions, fields: string[], identifiers: string[]): Promise<string | undefined> {
    const data = this.memory && eventsAlone(compiled) ? this.host.dataKey() : undefined;
    if (data === undefined) return undefined;
    const duckdb = await this.duckdb();
    if (duckdb === undefined) return undefined;
    return SidebarMemory.key([duckdb, data, opts.earliest ?? null, opts.latest ?? null, compiled.sql, fields, identifiers, opts.group ?? 'auto']);
  }

  /** DuckDB's own version: another may evaluate the same SQL otherwise (its lower(), its regexes). Undefined, asked again next time, if it could not be read. */
  private duckdbVersion: string | undefined;
  private async duckdb(): Promise<string | undefined> {
    if (this.duckdbVersion === undefined) {
      try {
        const row = (await this.host.conn.runAndReadAll('SELECT library_version AS v, source_id AS s FROM pragma_version()')).getRowObjectsJson()[0];
        if (row) this.duckdbVersion = JSON.stringify(row);
      } catch {
        // Interrupted (Ctrl-C): nothing is remembered or read this time.
      }
    }
    return this.duckdbVersion;
  }

  private prepare(spl: string, opts: RunOptions, names: string[]): Promise<Prepared> {
    const quote = (f: string) => (/^[A-Za-z_@][\w.{}@-]*$/.test(f) ? f : `"${f.replace(/[\\"]/g, '\\$&')}"`);
    const table = `${spl}\n| table ${names.filter((f) => !f.includes('*')).map(quote).join(' ')}`;
    return this.host.compile(table, { ...opts, maxRows: undefined, unordered: true });
  }

  private async query<T>(sql: string, read: () => Promise<T>): Promise<T> {
    // Ctrl-C between two of the sidebar's queries stops the next one.
    if (this.host.cancel.cancelled) throw cancelledSearch(sql);
    try {
      return await read();
    } catch (err) {
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }
}
