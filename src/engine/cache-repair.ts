// Searches and loads over a cache whose files may go or be damaged behind the session's back
// (another process collected a segment, one was cut short): the cache repaired, the work tried again.
import { repairableCacheFile } from './cache-files.js';
import { EngineError } from './engine-error.js';

export interface RepairOptions {
  /** Whether the work may run again (a search that handed out rows may not). */
  canRetry?: () => boolean;
  /** The error to throw for a failure that is not repaired. */
  fail?: (err: unknown) => unknown;
}

/**
 * Runs `attempt` again (up to 100 times) after `repair` each time it fails on a file of the cache
 * at `dir()` that is gone or damaged (and `canRetry` allows it); other failures go out at once,
 * as `fail` describes them, with the cache hint. No `repair`: every failure goes out (a damaged
 * file is then left in place, for the attempt that can repair it).
 */
export async function withRepair<T>(attempt: () => Promise<T>, dir: () => string | undefined, repair: (() => Promise<void>) | undefined, opts: RepairOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const cacheDir = dir();
      if (n >= 100 || repair === undefined || opts.canRetry?.() === false || !(cacheDir !== undefined && repairableCacheFile(err, cacheDir))) throw withCacheHint(opts.fail ? opts.fail(err) : err, cacheDir);
      await repair();
    }
  }
}

/** A failure reading the cache's own files says so, and how to answer without them. */
function withCacheHint(err: unknown, cacheDir: string | undefined): unknown {
  if (!(err instanceof EngineError) || cacheDir === undefined || !err.message.includes(cacheDir)) return err;
  return new EngineError(`${err.message} (a file of the cache at ${cacheDir} could not be read: run again with --no-cache, or remove that folder)`, err.sql);
}
