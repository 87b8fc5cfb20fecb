// What interrupt() (Ctrl-C in the REPL) stops during a load. Much of a load is Node reading files,
// with no DuckDB statement running for the connection's interrupt to stop (LoadOptions.signal),
// and before its first file a load walks folders, reads the cache's manifest and stops the field
// paths of the events before: one AbortController spans the whole load from its first moment, so
// an interrupt at any of them stops it. One made only around the reading lost those.
import { throwIfInterrupted } from './types.js';

export class LoadAbort {
  private current: AbortController | undefined;
  /** Loads asked for, waiting their turn behind other work (the engine's queue) or running. */
  private readonly asked = new Set<AbortController>();

  /** A load asked for now: interrupt() stops it from now, while it waits its turn too (`run`'s `given`). */
  async ask<T>(load: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    this.asked.add(abort);
    try {
      return await load(abort.signal);
    } finally {
      this.asked.delete(abort);
    }
  }

  /** Runs `load` with a signal interrupt() fires (and `given` does); a part of a load under way shares the load's. */
  async run<T>(load: (signal: AbortSignal) => Promise<T>, given?: AbortSignal): Promise<T> {
    const outer = this.current;
    if (outer) {
      throwIfInterrupted(outer.signal);
      return load(outer.signal);
    }
    const abort = new AbortController();
    if (given?.aborted) abort.abort();
    else given?.addEventListener('abort', () => abort.abort(), { once: true });
    this.current = abort;
    try {
      return await load(abort.signal);
    } finally {
      this.release(abort);
    }
  }

  /**
   * A warm start's own load (warm-start.ts), which outlives the call that started it: stopped by
   * the load under way, an interrupt before it existed included, or alone when none is.
   */
  adopt(abort: AbortController): void {
    const outer = this.current?.signal;
    if (!outer) this.current = abort;
    else if (outer.aborted) abort.abort();
    else outer.addEventListener('abort', () => abort.abort(), { once: true });
  }

  release(abort: AbortController): void {
    if (this.current === abort) this.current = undefined;
  }

  interrupt(): void {
    this.current?.abort();
    for (const abort of this.asked) abort.abort();
  }
}
