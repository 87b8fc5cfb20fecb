// The REPL's field paths for completion (segment-paths.ts), found on a DuckDB connection of their
// own, as the sidebar's counts made ahead are (sidebar-job.ts): the REPL asks for them after each
// load without waiting, and a search typed meanwhile runs on the engine's connection at once
// instead of queueing behind them (a first find over a whole cache: 1.8 s at 5M events). Over the
// cache they read the segments' files, which every connection reaches; events in memory are the
// engine's table, which every connection sees. Only the sample over the cache's view (a segment
// that could not be read on its own) needs the engine's connection, whose temporary view it is.
import type { DuckDBConnection } from '@duckdb/node-api';
import { cancelledSearch } from './engine-error.js';
import { nestedFieldPaths } from './field-paths.js';
import { fieldPathsOf, type Segment } from './segment-paths.js';
import { Serial } from './serial.js';

export class PathsJob {
  private readonly serial = new Serial();
  /** Bumped by stop(): work queued before it does not start. */
  private generation = 0;
  private running = 0;

  constructor(private readonly conn: DuckDBConnection) {}

  /**
   * The paths of the loaded events (segment-paths.ts), on the job's connection: per segment over
   * the cache (`segments`, when the events are the cache's alone), else sampled from the events in
   * memory. When the segments could not be read one by one, the cache's view is sampled in the
   * engine connection's turn (`main`: the view is its own), and `onSampled` hears why.
   */
  async fieldPaths(
    ask: { cacheDir: string | undefined; segments: Segment[] | undefined; sample: number; limit: number; onSampled?: (why: string) => void },
    main: <T>(work: (conn: DuckDBConnection) => Promise<T>) => Promise<T>,
  ): Promise<string[]> {
    const found = await this.run((conn) => fieldPathsOf(conn, ask.cacheDir, ask.segments, ask.sample, ask.limit));
    if (Array.isArray(found)) return found;
    ask.onSampled?.(found.unread);
    return main((conn) => nestedFieldPaths(conn, ask.sample, ask.limit));
  }

  /** Runs `work` on the job's connection, after what was asked before it. */
  run<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const generation = this.generation;
    this.running++;
    return this.serial
      .run(() => {
        if (generation !== this.generation) throw cancelledSearch('');
        return work(this.conn);
      })
      .finally(() => this.running--);
  }

  /**
   * Stops the work under way and what is queued (a load is about to change what is loaded, or
   * the engine closes); resolves once nothing runs on the connection. An interrupt that lands
   * between two statements is lost: the rest of that find runs, and is only thrown away.
   */
  stop(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    this.generation++;
    this.conn.interrupt();
    return this.serial.run(async () => undefined);
  }

  get busy(): boolean {
    return this.running > 0;
  }
}
