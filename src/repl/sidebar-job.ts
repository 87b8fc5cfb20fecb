// The field sidebar of the last event search, counted ahead (issue 14): the REPL starts it once the
// search's rows are shown, as Splunk's search page builds its fields summary while the search job
// runs, and `:fields` joins it (its counts so far at once, then each pass as it ends) instead of
// counting again. It is fieldStats itself, the same passes in the same order (the first rows, then
// every row), its queries on a DuckDB connection of their own (engine/sidebar-job.ts), so the
// engine's stays free for the analyst's next search, which stops it at once (as do :load, :time,
// :quit and Ctrl-C). A sidebar whose counting failed other than by a stop is counted again by
// `:fields` as before.
import { cancelledSearch } from '../engine/engine-error.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import { fieldStats, type FieldCounter, type FieldStats } from './field-stats.js';
import type { HeldResult } from './outcome.js';

export class FieldsAhead {
  /** The counts so far (what a join shows at once). */
  private latest: FieldStats;
  private readonly listeners = new Set<(stats: FieldStats) => void>();
  /** The sidebar once counted (or stopped, or failed: `stopped` says why). */
  private readonly counted: Promise<FieldStats>;
  finished = false;
  /** Stopped by the analyst moving on or by Ctrl-C (not by a failure). */
  stopped = false;

  /** Rejected by stop(): a pass waiting for another's counts (the idle summary's) gives up. */
  private readonly stopSignal: Promise<never>;
  private rejectStop: (err: unknown) => void = () => {};

  /** `counter`: what the passes are asked of, given the job's own (the session's idle summary takes some: session-sidebar.ts). */
  constructor(
    private readonly engine: Engine, readonly result: HeldResult, run: RunOptions,
    counter: (ahead: FieldCounter, stopped: Promise<never>) => FieldCounter = (ahead) => ahead,
  ) {
    this.latest = { search: result.search, rows: null, fields: [], first: null, stage: 'counting the fields', ahead: true };
    this.stopSignal = new Promise<never>((_, reject) => (this.rejectStop = reject));
    this.stopSignal.catch(() => undefined);
    const ahead: FieldCounter = {
      // Over the first rows and over every row, on the job's connection; what the engine remembers is read on its own.
      // A pass asked once stopped (its search was compiling meanwhile) is not started.
      summarizeFields: (spl, opts, fields, identifiers) => (this.stopped ? Promise.reject(cancelledSearch('')) : engine.summarizeAhead(spl, opts, fields, identifiers)),
      rememberedFields: (spl, opts, fields, identifiers) => engine.rememberedFields(spl, opts, fields, identifiers),
      scansRaw: (spl, opts) => engine.scansRaw(spl, opts),
    };
    const onUpdate = (stats: FieldStats) => {
      this.latest = { ...stats, ahead: true };
      for (const l of this.listeners) l(this.latest);
    };
    this.counted = fieldStats(counter(ahead, this.stopSignal), result, run, { onUpdate })
      .catch((err: unknown): FieldStats => ({ ...this.latest, stage: '', stopped: err instanceof Error ? err.message : String(err) }))
      .then((stats) => {
        this.finished = true;
        this.latest = { ...stats, ahead: undefined };
        return this.latest;
      });
  }

  /**
   * The sidebar as counted ahead: its counts so far to `onUpdate` at once and as each pass ends;
   * resolves to the whole, or to undefined when its counting failed (not stopped): count again.
   */
  async join(onUpdate: (stats: FieldStats) => void): Promise<FieldStats | undefined> {
    if (!this.finished) onUpdate(this.latest);
    this.listeners.add(onUpdate);
    try {
      const stats = await this.counted;
      return stats.stopped !== undefined && !this.stopped ? undefined : stats;
    } finally {
      this.listeners.delete(onUpdate);
    }
  }

  /** Stops the counting now (the engine repeats the interrupt until the query it lands on has ended). */
  stop(): void {
    if (this.stopped || this.finished) return;
    this.stopped = true;
    this.rejectStop(cancelledSearch(''));
    this.engine.stopAhead();
  }

  /** The sidebar once counted ahead, for the bench and the tests. */
  get done(): Promise<FieldStats> {
    return this.counted;
  }
}
