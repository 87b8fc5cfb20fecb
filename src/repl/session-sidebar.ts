// The session's field sidebars (issue 14): the counts of each result kept with it, the last event
// search's sidebar counted ahead once its rows are shown (sidebar-job.ts), and the sidebar over
// every loaded event counted in the REPL's idle time after a load (idle-summary.ts), which a `*`
// sidebar asked meanwhile waits for rather than counting again.
import { parse } from '../../grammar/parser.js';
import { cancelledSearch } from '../engine/engine-error.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import { fieldStats, sidebarPasses, type FieldCounter, type FieldStats, type SidebarPass } from './field-stats.js';
import { IdleSummary } from './idle-summary.js';
import type { HeldResult } from './outcome.js';
import { FieldsAhead } from './sidebar-job.js';

/** What the sidebars ask of the session. */
export interface SidebarSession {
  readonly engine: Engine;
  readonly last: HeldResult | null;
  readonly earliest: string | null;
  readonly latest: string | null;
  runOptions(extra?: RunOptions): RunOptions;
}

/** The search the idle summary counts: every loaded event. */
const ALL = '*';
/** After a command ends, the analyst is taken to be idle once this long has passed. */
const SETTLE_MS = 250;
/** While keys come less than this far apart, the idle summary starts no new part (see typed). */
const TYPING_MS = 1000;

export class SessionSidebars {
  private statsCache = new WeakMap<HeldResult, FieldStats>();
  /** The field sidebar's counts of the last result, made ahead (sidebar-job.ts). */
  ahead: FieldsAhead | null = null;
  /** The sidebar over every loaded event, counted in idle time (REPL only). */
  idle: IdleSummary | null = null;
  /** The idle summary waits for the cache an answer-first load owes, written after the first search. */
  private idleAfterCache = false;
  /** Loads so far (stopAll), and the load whose owed cache is being waited for. */
  private loads = 0;
  private cacheWait = -1;
  /** Commands running, and when the last one ended. */
  private busy = 0;
  private releasedAt = -Infinity;
  /** The last key typed at the prompt (see typed). */
  private typedAt = -Infinity;
  private typingTimer: NodeJS.Timeout | undefined;
  /** Searches found to match every loaded event or not (everyEvent), by load, search and range. */
  private readonly matchesAll = new Map<string, Promise<boolean>>();
  /** Sidebars waiting for the idle summary's passes: Ctrl-C gives the wait up. */
  private readonly waits = new Set<(err: unknown) => void>();

  constructor(private readonly session: SidebarSession, private readonly idleTime: boolean) {}

  /** The options a result's sidebar counts with: over the range it ran with, whatever `:time` says now. */
  private statsRun(target: HeldResult | null): RunOptions {
    const range = target ? { ...target.range } : {};
    return { ...this.session.runOptions({ maxRows: undefined }), ...range };
  }

  /**
   * After a load (the REPL's, settled): counts the sidebar over every loaded event in idle time,
   * unless the session looks at a time range (its `*` sidebar is not that one), or it is
   * remembered already (the summary finds so and ends); once `after` has settled. After an
   * answer-first load, once the cache it owes, written after the first search, is done.
   */
  startIdle(after?: Promise<unknown>): void {
    if (!this.idleTime || this.session.earliest !== null || this.session.latest !== null) return;
    // What the load still finds for the analyst (the nested paths for completion) comes first.
    if (after) {
      const release = this.hold();
      void after.catch(() => undefined).finally(() => release(false));
    }
    const engine = this.session.engine;
    if (engine.cacheOwed() !== undefined) {
      this.idleAfterCache = true;
      return;
    }
    const run = this.session.runOptions({ maxRows: undefined });
    const columns = engine.prepare(ALL, run).compiled.columns;
    // `*` reads no event's text for its rows: its passes are the event fields', then the add-on fields'.
    this.idle = new IdleSummary(engine, ALL, run, sidebarPasses(columns, false), () => this.blocked());
  }

  /** Stops every counting before a load (which may drop the table they read); resolves once stopped. */
  async stopAll(): Promise<void> {
    const stopping = [this.ahead?.done, this.idle?.stop()];
    this.stopAhead();
    this.idle = null;
    this.idleAfterCache = false;
    this.loads++;
    this.matchesAll.clear();
    await Promise.all(stopping);
  }

  /**
   * The analyst typed a command: the idle summary stops its query and waits until the returned
   * release and a moment after (`searched`: the command was a search, whose answer starts the
   * cache an answer-first load owes; the summary starts once that is written).
   */
  hold(): (searched: boolean) => void {
    this.busy++;
    this.idle?.yieldNow();
    let released = false;
    return (searched) => {
      if (released) return;
      released = true;
      this.busy--;
      this.releasedAt = performance.now();
      setTimeout(() => this.idle?.poke(), SETTLE_MS).unref();
      if (!this.idleAfterCache || !searched || this.cacheWait === this.loads) return;
      const loads = (this.cacheWait = this.loads);
      void this.session.engine.cacheSettled().then(() => {
        if (loads !== this.loads || !this.idleAfterCache) return;
        this.idleAfterCache = false;
        this.startIdle();
      });
    };
  }

  /**
   * A key typed at the prompt: the idle summary's query under way goes on (DuckDB's threads), but
   * its next part waits until the typing pauses. Starting a part compiles its search on the main
   * thread (the add-on fields' rules: 0.2-0.3 s), which held a keystroke's redraw that long (1M
   * events, test/bench/repl-keypress.ts --idle: max 211-267 ms against 15-17 without it).
   */
  typed(): void {
    this.typedAt = performance.now();
    if (this.typingTimer || !this.idle) return;
    this.typingTimer = setTimeout(() => {
      this.typingTimer = undefined;
      this.idle?.poke();
    }, TYPING_MS).unref();
  }

  /** The idle summary waits: a command runs or ended a moment ago, the analyst is typing, or the last search's sidebar is being counted ahead. */
  private blocked(): boolean {
    const now = performance.now();
    return this.busy > 0 || now - this.releasedAt < SETTLE_MS || now - this.typedAt < TYPING_MS || (this.ahead !== null && !this.ahead.finished);
  }

  /** Ctrl-C: the counting ahead stops, and sidebars waiting for the idle summary give up. */
  interrupt(): void {
    this.stopAhead();
    for (const cancel of this.waits) cancel(cancelledSearch(''));
    this.waits.clear();
  }

  /** Leaving: nothing more is counted. */
  quit(): void {
    this.stopAhead();
    void this.idle?.stop();
  }

  /** `counter` with the passes the idle summary counts (a sidebar over every row of every loaded event) taken from it. */
  private withIdle(counter: FieldCounter, cancel: Promise<never>): FieldCounter {
    const idle = this.idle;
    if (!idle) return counter;
    return {
      summarizeFields: async (spl, opts, fields, ids = []) => {
        const pass: SidebarPass = [fields, ids];
        const counted = opts.first === undefined && idle.serves(pass) && (await this.everyEvent(spl, opts)) ? await idle.whole(pass, cancel) : undefined;
        return counted ?? counter.summarizeFields(spl, opts, fields, ids);
      },
      rememberedFields: async (spl, opts, fields, ids = []) => {
        const known = idle.known([fields, ids]);
        return (known && (await this.everyEvent(spl, opts)) ? known : undefined) ?? counter.rememberedFields(spl, opts, fields, ids);
      },
      scansRaw: (spl, opts) => counter.scansRaw(spl, opts),
    };
  }

  /**
   * Whether `spl` over `run`'s range gives every loaded event as loaded, so that its sidebar is
   * the idle summary's: `*` over all time; or a search command alone on where or when events
   * were loaded (`index=main`, a time range: no other command, subsearch or macro, which could
   * change a field or a row) that matches as many events as are loaded: a subset of them with as
   * many rows is all of them.
   */
  private everyEvent(spl: string, run: RunOptions): Promise<boolean> {
    if (run.params !== undefined) return Promise.resolve(false);
    if (spl.trim() === ALL && run.earliest === undefined && run.latest === undefined) return Promise.resolve(true);
    if (!searchAlone(spl)) return Promise.resolve(false);
    const key = JSON.stringify([this.loads, spl, run.now ?? null, run.earliest ?? null, run.latest ?? null]);
    let found = this.matchesAll.get(key);
    if (!found) {
      const engine = this.session.engine;
      const count = async (s: string, r: RunOptions) => Number((await engine.run(`${s}\n| stats count`, { ...r, maxRows: 1 })).rows[0]?.count);
      found = (async () => {
        const some = await count(spl, run);
        return Number.isFinite(some) && some === (await count(ALL, { now: run.now }));
      })().catch(() => false);
      this.matchesAll.set(key, found);
    }
    return found;
  }

  /** Starts counting the fields of `result`, the last one, ahead of `:fields` (Session.countFieldsAhead). */
  countAhead(result: HeldResult): void {
    if (result !== this.session.last || !result.shape.events || result.rows.length === 0 || this.ahead?.result === result || this.statsCache.has(result)) return;
    this.stopAhead();
    // The last search's sidebar comes first: the idle summary's query stops, and it waits.
    this.idle?.yieldNow();
    const ahead = new FieldsAhead(this.session.engine, result, { ...this.statsRun(result), params: result.params }, (counter, cancel) => this.withIdle(counter, cancel));
    this.ahead = ahead;
    void ahead.done.then(() => this.idle?.poke());
  }

  stopAhead(): void {
    const ahead = this.ahead;
    ahead?.stop();
    this.ahead = null;
    if (ahead) void ahead.done.then(() => this.idle?.poke());
  }

  /**
   * The field sidebar's counts: of the last result (`auto`, `result`) or of every loaded event
   * (`data`), passed to `onUpdate` as each pass finishes. Kept with the result it describes.
   */
  async fieldStats(target: HeldResult | null, onUpdate: (s: FieldStats) => void): Promise<FieldStats> {
    const cached = target && this.statsCache.get(target);
    if (cached) return cached;
    const all: HeldResult = {
      search: ALL, columns: ['_time', '_raw'], rows: [], truncated: true, elapsedMs: 0, sql: '',
      shape: { events: true, timechart: false }, timeline: null, range: {},
    };
    // Counted ahead (or being counted): joined, unless its counting failed.
    const joined = target && this.ahead?.result === target ? await this.ahead.join(onUpdate) : undefined;
    if (joined) {
      if (!joined.stopped) this.statsCache.set(target!, joined);
      return joined;
    }
    let cancelWait: (err: unknown) => void = () => {};
    const cancel = new Promise<never>((_, reject) => (cancelWait = reject));
    cancel.catch(() => undefined);
    this.waits.add(cancelWait);
    // Counted here, on the engine's connection: the analyst's own work (the passes the idle summary counts are waited for).
    const release = this.hold();
    try {
      const stats = await fieldStats(this.withIdle(this.session.engine, cancel), target ?? all, this.statsRun(target), { onUpdate });
      if (target && !stats.stopped) this.statsCache.set(target, stats);
      return stats;
    } finally {
      this.waits.delete(cancelWait);
      release(false);
    }
  }
}

/** A term that picks events by where they were loaded or when, never by what they say. */
const PLACE_OR_TIME = /^(\*|(index|sourcetype|source|earliest|latest)=("[^"]*"|[^\s"()]+))$/i;

/**
 * A search command alone whose terms are only `*`, an index, source or sourcetype, or a time: its
 * rows are events as loaded, possibly all. (A search on what events say, `eventName=*` included,
 * is not asked: the count that would tell cost 0.14 CPU-s before its first screen at 1M.)
 */
function searchAlone(spl: string): boolean {
  const terms = spl.trim().replace(/^search\s+/i, '').split(/\s+/);
  if (!terms.every((t) => PLACE_OR_TIME.test(t))) return false;
  try {
    const commands = parse(spl).pipeline?.commands;
    return commands?.length === 1 && commands[0]!.kind === 'search';
  } catch {
    return false;
  }
}
