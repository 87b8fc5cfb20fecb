// The field sidebar's counts over every row of the last event search, made ahead (issue 14): the
// REPL starts them once the search's rows are shown, as Splunk's search page builds its fields
// summary while the search job runs, and `:fields` joins them (field-stats.ts AheadPasses)
// instead of counting again. They run on a DuckDB connection of their own (engine/sidebar-job.ts)
// and stop at once when the analyst moves on (a new search, :load, :time, :quit, Ctrl-C): the next
// search never waits for them. What they count, and how, is exactly what `:fields` counts
// (sidebarPlan); a pass that fails leaves `:fields` to count it as it would have.
import { isCancelled } from '../engine/engine-error.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import type { Summary } from '../engine/sidebar-memory.js';
import { sidebarPlan, type AheadPasses } from './field-stats.js';
import type { HeldResult } from './outcome.js';

type Outcome = { counts: Summary } | { failed: unknown } | undefined;

export class FieldsAhead implements AheadPasses {
  /** Each pass by its fields and identifiers (JSON), once the plan is known. */
  private readonly passes: Promise<Map<string, Promise<Summary>>>;
  private readonly settled = new Map<string, Outcome>();
  private stopping: ReturnType<typeof setInterval> | undefined;
  /** The plan is known (or could not be made): `settled` lists every pass. */
  private planned = false;
  stopped = false;

  constructor(private readonly engine: Engine, readonly result: HeldResult, run: RunOptions) {
    this.passes = sidebarPlan(engine, result, run).then((plan) => {
      const passes = new Map<string, Promise<Summary>>();
      this.planned = true;
      if (this.stopped) return passes;
      for (const [names, ids] of plan.passes) {
        const key = JSON.stringify([names, ids]);
        // Queued on the job's connection one after the other; a stop drops those not started.
        const counted = engine.summarizeAhead(result.search, run, names, ids);
        passes.set(key, counted);
        this.settled.set(key, undefined);
        counted.then((counts) => this.settled.set(key, { counts }), (failed: unknown) => this.settled.set(key, { failed })).finally(() => this.settle());
      }
      return passes;
    });
    // Nobody may ever join them: a failure is only ever read by a join.
    this.passes.catch(() => (this.planned = true));
  }

  pass(names: string[], identifiers: string[]): Promise<Summary | undefined> {
    return this.passes.then((passes) => passes.get(JSON.stringify([names, identifiers])));
  }

  done(names: string[], identifiers: string[]): Summary | undefined {
    const outcome = this.settled.get(JSON.stringify([names, identifiers]));
    return outcome && 'counts' in outcome ? outcome.counts : undefined;
  }

  /** Every pass has ended (done, failed or stopped). */
  get finished(): boolean {
    return this.planned && [...this.settled.values()].every((o) => o !== undefined);
  }

  /**
   * Stops the counting now. An interrupt that lands between two of its queries is lost, so it is
   * repeated until every pass has ended.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.engine.stopAhead();
    this.stopping = setInterval(() => this.engine.stopAhead(), 50);
    void this.passes.then(() => this.settle(), () => this.settle());
  }

  private settle(): void {
    if (this.stopping !== undefined && this.finished) {
      clearInterval(this.stopping);
      this.stopping = undefined;
    }
  }

  /** Why a pass failed, other than a stop (for the bench and the tests). */
  failures(): unknown[] {
    return [...this.settled.values()].flatMap((o) => (o && 'failed' in o && !isCancelled(o.failed) ? [o.failed] : []));
  }
}
