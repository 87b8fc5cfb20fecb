// The cache an answer-first load owes (event-store.ts): the folder, the write started by the
// first search's answer (or by close()), and why it failed if it did.
import { cacheWriteProblem } from './cache-files.js';
import { firstLine } from './engine-error.js';

export class OwedCache {
  /** The cache folder an answer-first load is to write (until the session is back on the cache). */
  dir: string | undefined;
  /** Why the cache could not be written (it is then as a kill leaves it). */
  error: unknown;
  private write: (() => Promise<void>) | undefined;
  private writing: Promise<void> | undefined;
  private written = false;

  /** `write` is started by start(), once. */
  owe(dir: string, write: () => Promise<void>): void {
    this.dir = dir;
    this.write = write;
  }

  /** The write was made elsewhere, and failed (or not: `error` undefined). */
  settled(dir: string, error: unknown): void {
    [this.dir, this.error, this.written] = [dir, error, true];
  }

  /** Starts the write (once); resolves when it is done. */
  start(): Promise<void> | undefined {
    const write = this.write;
    this.write = undefined;
    if (write) {
      this.writing = write()
        .catch((err: unknown) => {
          this.error = err;
        })
        .finally(() => {
          this.written = true;
        });
    }
    return this.writing;
  }

  /** The folder still owed a write (not started, or not finished). */
  owed(): string | undefined {
    return this.dir !== undefined && !this.written ? this.dir : undefined;
  }

  /** What a caller should say when the cache could not be written. */
  note(): string | undefined {
    if (this.error === undefined) return undefined;
    const problem = cacheWriteProblem(this.error, this.dir!);
    const why = problem ? `${problem.folder}: cannot write the cache (${problem.reason})` : `${this.dir}: cannot write the cache (${firstLine(this.error)})`;
    return `${why}: loaded into memory instead, as with --no-cache; the next run reads the files again`;
  }
}
