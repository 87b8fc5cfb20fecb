// The sidebar the analyst opens most, over every loaded event (`*`), counted in the REPL's idle
// time (issue 14): after a load, when nothing is remembered for it, its passes over every row are
// counted on the sidebar job's connection (engine/sidebar-job.ts) and remembered with the cache
// (sidebar-memory.ts), so that a `*` sidebar, in this session or the next, is exact at once.
//
// It never holds up the analyst: anything typed stops its running query at once (DuckDB's
// interrupt) and it waits until the command has ended and a moment has passed (session-sidebar.ts);
// it waits too while the sidebar of the last search is counted ahead (sidebar-job.ts), which comes first. A query
// cannot be paused, only stopped, so the add-on pass (most of the cost) is counted in parts of a
// few fields each, every part remembered as it ends: a stop loses the part under way, not the
// pass. The parts, once all counted, are composed into the pass as summarizeFields would have
// counted it (each field's counts are its own, whatever is counted beside it) and remembered so.
// A `*` sidebar asked meanwhile waits for the pass it needs (`whole`), which it hurries. Last, the
// add-on's scan of `_raw` (the delete event type) is kept on the job's connection when the passes
// were remembered (counting them keeps it): the session's other sidebars read it (1M: 1.5-2 CPU-s
// less for `eventName=AssumeRole`'s).
import { cancelledSearch, isCancelled } from '../engine/engine-error.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import type { Summary } from '../engine/sidebar-memory.js';
import type { SidebarPass } from './field-stats.js';

/**
 * Fields counted in one query of a pass: a stop loses at most one such part's counting. The 39
 * add-on fields over 1M events (load 7): whole 8.7 CPU-s; in parts of 13 9.3 (2.5-4.1 each); of 7
 * 10.4 (1.1-2.9 each): each part reads the rows again.
 */
export const PART_FIELDS = 13;

export type IdleEngine = Pick<Engine, 'summarizeAhead' | 'rememberedFields' | 'rememberFields' | 'keepScansAhead' | 'stopAhead'>;

const passKey = ([fields, ids]: SidebarPass) => JSON.stringify([fields, ids]);

/** A pass in the parts counted one query each: a pass with identifiers whole (the event fields: about a fifth of the cost), the others PART_FIELDS at a time. */
export function partsOf([fields, ids]: SidebarPass): SidebarPass[] {
  if (ids.length || fields.length <= PART_FIELDS) return [[fields, ids]];
  const parts: SidebarPass[] = [];
  for (let i = 0; i < fields.length; i += PART_FIELDS) parts.push([fields.slice(i, i + PART_FIELDS), []]);
  return parts;
}

/** The parts' counts as the pass's: the same rows, each field's own counts, in the order the pass asks them. */
export function compose([fields, ids]: SidebarPass, parts: Summary[]): Summary {
  const rows = parts[0]!.rows;
  if (parts.some((p) => p.rows !== rows)) throw new Error('the parts of the summary counted different rows');
  const order = new Map([...fields, ...ids].map((f, i) => [f, i]));
  const counted = parts.flatMap((p) => p.fields).sort((a, b) => (order.get(a.field) ?? Infinity) - (order.get(b.field) ?? Infinity));
  return { rows, fields: counted };
}

export class IdleSummary {
  /** The passes counted (or read from memory), by passKey. */
  private readonly counted = new Map<string, Summary>();
  private readonly waiting = new Map<string, ((s: Summary | undefined) => void)[]>();
  /** Sidebars waiting for a pass: the summary runs whatever else goes on. */
  private demand = 0;
  private inFlight = false;
  private wake: (() => void) | undefined;
  stopped = false;
  finished = false;
  /** Why it ended before counting everything, other than a stop. */
  failed: string | undefined;
  /** Scans of `_raw` kept once the passes were there (none when counting them kept them), for the tests. */
  scansKept: number | undefined;
  /** Parts this summary counted (not read from memory), for the tests and the bench. */
  readonly partsCounted: SidebarPass[] = [];
  readonly done: Promise<void>;

  /**
   * `blocked`: the analyst is not idle (a command runs, or ended a moment ago), or something else
   * has the job's connection (the last search's sidebar counted ahead); the summary waits, unless
   * a sidebar waits for one of its passes. poke() when that may have changed.
   */
  constructor(private readonly engine: IdleEngine, readonly spl: string, readonly run: RunOptions, readonly passes: SidebarPass[], private readonly blocked: () => boolean) {
    this.done = this.count();
  }

  /** Whether a sidebar asking `pass` over every loaded event can have its counts from here (session-sidebar.ts decides that its rows are every event). */
  serves(pass: SidebarPass): boolean {
    return this.passes.some((p) => passKey(p) === passKey(pass));
  }

  /** The pass's counts when counted already. */
  known(pass: SidebarPass): Summary | undefined {
    return this.counted.get(passKey(pass));
  }

  /**
   * The pass's counts, hurried (counted whatever else goes on); undefined when
   * the summary ended without them. `cancel` rejecting gives up the wait.
   */
  async whole(pass: SidebarPass, cancel: Promise<never>): Promise<Summary | undefined> {
    const key = passKey(pass);
    const have = this.counted.get(key);
    if (have || this.finished) return have;
    this.demand++;
    this.poke();
    try {
      return await Promise.race([new Promise<Summary | undefined>((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve])), cancel]);
    } finally {
      this.demand--;
    }
  }

  /** Stops its running query, unless a sidebar waits for it: the analyst typed something, or the last search's sidebar is about to be counted ahead. */
  yieldNow(): void {
    if (this.inFlight && this.demand === 0) this.engine.stopAhead();
  }

  /** Something it waited for may have ended: it looks again. */
  poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Stops for good (a load, leaving); resolves once nothing of it runs. */
  stop(): Promise<void> {
    if (!this.stopped && !this.finished) {
      this.stopped = true;
      if (this.inFlight) this.engine.stopAhead();
      this.poke();
    }
    return this.done;
  }

  private runnable(): boolean {
    return this.stopped || this.demand > 0 || !this.blocked();
  }

  private async turn(): Promise<void> {
    // Woken by poke(), and looking again every second whatever happens.
    while (!this.runnable()) await new Promise<void>((resolve) => {
      this.wake = resolve;
      setTimeout(resolve, 1000).unref();
    });
  }

  private async count(): Promise<void> {
    try {
      for (const pass of this.passes) {
        await this.turn();
        if (this.stopped) return;
        const known = await this.engine.rememberedFields(this.spl, this.run, ...pass).catch(() => undefined);
        if (known) {
          this.settle(pass, known);
          continue;
        }
        const parts = partsOf(pass);
        const summaries: Summary[] = [];
        for (const part of parts) {
          const counted = await this.part(part);
          if (counted === undefined) return;
          summaries.push(counted);
        }
        const whole = parts.length === 1 ? summaries[0]! : compose(pass, summaries);
        if (parts.length > 1) await this.engine.rememberFields(this.spl, this.run, pass[0], pass[1], whole, parts);
        this.settle(pass, whole);
      }
      // The add-on's scans of `_raw` (the delete event type), which counting the passes kept on
      // the job's connection for the session's other sidebars: kept here when the passes were remembered.
      this.scansKept = await this.inTurn(() => this.engine.keepScansAhead(this.spl, this.run, [...new Set(this.passes.flatMap(([fields]) => fields))]));
    } catch (err) {
      this.failed = err instanceof Error ? err.message : String(err);
    } finally {
      this.finished = true;
      for (const resolves of this.waiting.values()) for (const resolve of resolves) resolve(undefined);
      this.waiting.clear();
    }
  }

  /** One part counted (or read from memory), counted again after each stop until it ends; undefined once stopped for good. */
  private part(part: SidebarPass): Promise<Summary | undefined> {
    return this.inTurn(async () => {
      // Counted by an earlier summary that was stopped (this session's or another's).
      const known = await this.engine.rememberedFields(this.spl, this.run, ...part).catch(() => undefined);
      if (known) return known;
      // The analyst may have typed something meanwhile (the check runs on the engine's connection): again once idle.
      if (!this.runnable()) throw cancelledSearch('');
      const counted = await this.engine.summarizeAhead(this.spl, this.run, part[0], part[1]);
      this.partsCounted.push(part);
      return counted;
    });
  }

  /** `work` on the job's connection while the analyst is idle, done again after each stop until it ends; undefined once stopped for good. */
  private async inTurn<T>(work: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      await this.turn();
      if (this.stopped) return undefined;
      this.inFlight = true;
      try {
        return await work();
      } catch (err) {
        if (!isCancelled(err)) throw err;
        // Stopped by the analyst's work: done again once they are idle.
      } finally {
        this.inFlight = false;
      }
    }
  }

  private settle(pass: SidebarPass, summary: Summary): void {
    const key = passKey(pass);
    this.counted.set(key, summary);
    for (const resolve of this.waiting.get(key) ?? []) resolve(summary);
    this.waiting.delete(key);
  }
}
