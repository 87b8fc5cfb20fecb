// The opening summary of what is loaded (events, time span, accounts, regions, frequent event
// names), which the REPL shows after a load before its prompt: four searches over every event,
// 1.4-1.5 CPU-s at 5M events, three times the warm start they follow (test/bench/README.md). The
// same searches over the same loaded events give the same summary, so it is remembered with the
// cache, beside the sidebar's counts (sidebar-memory.ts), under a key holding what loaded events
// they read (EventStore.dataKey: every file's path, size, times and segment, the index, whether
// copies are dropped), spelunk's and DuckDB's versions and each search's SQL. The searches are
// fixed here, read every event and nothing else (no time range, lookup, or clock).
import path from 'node:path';
import { version as duckdbVersion } from './duckdb.js';
import type { PreparedSearch } from '../compiler/index.js';
import type { Prepared, RunOptions } from './engine-options.js';
import { CacheMemory } from './sidebar-memory.js';
import type { ResultSet } from './types.js';

export interface LoadedSummary {
  events: number;
  earliest: number | null;
  latest: number | null;
  accounts: { value: string; count: number }[];
  regions: { value: string; count: number }[];
  eventNames: { value: string; count: number }[];
}

export interface SummaryHost {
  parse: (spl: string) => PreparedSearch;
  run: (spl: PreparedSearch, opts: RunOptions) => Promise<ResultSet>;
  prepare: (spl: PreparedSearch, opts: RunOptions) => Promise<Prepared>;
  /** What names the loaded events (EventStore.dataKey): none when they are not the cache's alone. */
  dataKey: () => string | undefined;
  cacheDir?: string;
}

/** The file of remembered summaries in the cache folder. */
export const SUMMARY_FILE = 'opening.json';

const TOTALS = '* | stats count min(_time) as earliest max(_time) as latest';
/** The fields listed with their most frequent values, and how many of them. */
const TOPS = [['accounts', 'recipientAccountId', 5], ['regions', 'awsRegion', 5], ['eventNames', 'eventName', 8]] as const;
const topSearch = (field: string, limit: number) => `* | top limit=${limit} showperc=f ${field}`;

const num = (v: unknown) => (typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v));

export class SummaryMemory {
  private readonly memory: CacheMemory<LoadedSummary> | undefined;

  constructor(private readonly host: SummaryHost) {
    this.memory = host.cacheDir === undefined ? undefined : new CacheMemory(path.join(path.resolve(host.cacheDir), SUMMARY_FILE), isLoadedSummary);
  }

  /**
   * The summary of every loaded event (no time range, whatever the session's): remembered, or
   * counted, and then remembered when the cache alone holds the events. `now`: the session's clock.
   */
  async summary(now?: number): Promise<LoadedSummary> {
    // Parsed once, one clock: the key's compilations serve the runs (Engine.prepare keeps the last).
    const opts: RunOptions = { maxRows: undefined, now: now ?? Date.now() / 1000 };
    const [totals, ...tops] = [TOTALS, ...TOPS.map(([, field, limit]) => topSearch(field, limit))].map((spl) => this.host.parse(spl));
    const searches = [totals!, ...tops];
    const key = await this.key(searches, opts);
    const known = key === undefined ? undefined : this.memory!.recall(key);
    if (known) return known;
    const sums = (await this.host.run(totals!, opts)).rows[0] ?? {};
    const listed: { value: string; count: number }[][] = [];
    for (const [i, [, field]] of TOPS.entries()) {
      const r = await this.host.run(tops[i]!, opts);
      listed.push(r.rows.map((row) => ({ value: String(row[field]), count: Number(row.count) })));
    }
    const counted: LoadedSummary = { events: num(sums.count) ?? 0, earliest: num(sums.earliest), latest: num(sums.latest), accounts: listed[0]!, regions: listed[1]!, eventNames: listed[2]! };
    // Remembered only if the loaded events are still the ones the key names (a load may have come between).
    if (key !== undefined && (await this.key(searches, opts)) === key && isLoadedSummary(counted)) this.memory!.remember(key, counted);
    return counted;
  }

  /** The key a summary is remembered under, when the loaded events are the cache's alone. */
  private async key(searches: PreparedSearch[], opts: RunOptions): Promise<string | undefined> {
    if (this.memory === undefined || this.host.dataKey() === undefined) return undefined;
    const sql: string[] = [];
    for (const spl of searches) sql.push((await this.host.prepare(spl, opts)).compiled.sql);
    const data = this.host.dataKey();
    return data === undefined ? undefined : CacheMemory.key(['opening summary', duckdbVersion(), data, sql]);
  }
}

const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const isTime = (x: unknown): boolean => x === null || isCount(x);
const isTop = (x: unknown): boolean => Array.isArray(x) && x.every((t: { value?: unknown; count?: unknown } | null) => typeof t?.value === 'string' && isCount(t.count));

function isLoadedSummary(s: unknown): s is LoadedSummary {
  const x = (s ?? {}) as Partial<Record<keyof LoadedSummary, unknown>>;
  return isCount(x.events) && isTime(x.earliest) && isTime(x.latest) && isTop(x.accounts) && isTop(x.regions) && isTop(x.eventNames);
}
