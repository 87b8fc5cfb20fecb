// Reading a compiled search's rows from DuckDB chunk by chunk, and writing outputlookup's rows
// as they go by: the half of a run that comes after compiling.
import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult } from '@duckdb/node-api';
import type { CompiledSearch, OutputAction } from '../compiler/types.js';
import { cancelledSearch, describeDuckDBError, EngineError } from './engine-error.js';
import type { RunOptions } from './engine-options.js';
import type { LookupWriter } from './lookup-writer.js';
import { LookupError, type LookupStore } from './lookups.js';
import type { RanProfile, SearchRecorder } from './profile.js';
import { rowDecoder, type RowDecoder } from './rows.js';
import type { Row } from './types.js';

/** Why a folder could not be written, by the error's code. */
const FOLDER_PROBLEMS: Record<string, string> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable (permission denied)',
  EPERM: 'is not writable (permission denied)',
  ENOSPC: 'is on a full disk (no space left on device)',
  EDQUOT: 'is over its disk quota',
  ENOENT: 'cannot be created (a parent folder is missing or read-only)',
  ENOTDIR: 'cannot be created (a file is in the way)',
};

/** A search streamed to its end: what it compiled to, how many rows went out, what to say of them. */
export interface Streamed {
  compiled: CompiledSearch;
  truncated: boolean;
  rowCount: number;
  /** The compiler's notes and the caps that cut rows (CapCheck). */
  notes?: string[];
  profile?: RanProfile | null;
  /** The questions about the loaded data the compiler asked first (Engine.compileWithData). */
  asked?: string[];
}

export class ResultStream {
  /** Set by interrupt(): a cancelled stream ends like a finished one, so reading checks this. */
  cancelled = false;
  /** A streamed read's transaction is open (see execute). */
  private inRead = false;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly lookups: LookupStore,
    private readonly recorder: SearchRecorder,
  ) {}

  /**
   * Where a remote search's outputlookup rows go (the local lookup, as for a local search):
   * rows as they arrive, then commit, or abort on failure.
   */
  async lookupSink(output: OutputAction, columns: string[]): Promise<{ rows(rows: Row[]): Promise<void>; commit(): Promise<void>; abort(): void }> {
    const sink = await this.lookupStep(output, () => this.lookups.writer(output, columns));
    return {
      rows: (rows) => this.lookupStep(output, () => sink.rows(rows)),
      commit: () => this.lookupStep(output, () => sink.commit()),
      abort: () => sink.abort(),
    };
  }

  async lookupStep<T>(output: OutputAction, step: () => T | Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const problem = code && FOLDER_PROBLEMS[code];
      const why = err instanceof LookupError
        ? err.message
        : problem
          ? `the lookups folder ${this.lookups.folder} ${problem} (the previous lookup, if any, is unchanged)`
          : `${err instanceof Error ? err.message : String(err)} (the previous lookup, if any, is unchanged)`;
      throw new EngineError(`cannot write lookup ${JSON.stringify(output.name)}: ${why}`, '');
    }
  }

  async streamCompiled(
    compiled: CompiledSearch,
    opts: RunOptions,
    onRows: (rows: Row[]) => void | Promise<void>,
    onStart?: (columns: string[]) => void,
    written: Set<number> = new Set(),
  ): Promise<Streamed> {
    const lookupNotes: string[] = [];
    for (const [i, write] of (compiled.writes ?? []).entries()) {
      if (written.has(i)) continue;
      lookupNotes.push(...droppedNote(write, await this.writeLookup(write)));
      written.add(i);
    }
    // With a row cap DuckDB keeps only the first rows of the final sort instead of ordering a
    // result that may be enormous; outputlookup still needs every row.
    const toRead = compiled.output ? undefined : rowsToRead(opts);
    const cap = toRead === undefined ? '' : `\nLIMIT ${toRead}`;
    this.cancelled = false;
    const reader = await this.decoder(compiled.sql + cap, compiled.columns, compiled.keyed === undefined ? undefined : { sql: compiled.keyed, tail: cap });
    // Profiled as it runs (the job inspector), the query alone: not the questions asked before it.
    let profiled = false;
    try {
      profiled = opts.profile === true && (await this.recorder.begin(this.conn));
      // The end check's statement would be profiled over the search's own profile: while
      // profiling, switching it off is that statement.
      const ran = await this.readRows(compiled, reader, opts, onRows, onStart, profiled ? 'PRAGMA disable_profiling' : 'SELECT 1');
      const profile = profiled ? await this.recorder.end(this.conn, reader.sql) : null;
      profiled = false;
      const notes = [...(compiled.notes ?? []), ...lookupNotes, ...(compiled.output ? droppedNote(compiled.output, ran.dropped) : []), ...(await this.capNotes(compiled, ran.rowCount, ran.truncated))];
      const { dropped: _dropped, ...streamed } = ran;
      return { ...streamed, ...(notes.length ? { notes } : {}), ...(opts.profile ? { profile } : {}) };
    } catch (err) {
      // Ctrl-C can land on the PRAGMAs that switch the profiler on and off, which then fail with
      // DuckDB's INTERRUPT error (raw, as "error: INTERRUPT Error: Interrupted!"): a cancelled search.
      throw this.cancelled || /INTERRUPT Error/.test(err instanceof Error ? err.message : String(err)) ? cancelledSearch(compiled.sql) : err;
    } finally {
      if (profiled) await this.recorder.end(this.conn, reader.sql).catch(() => null);
    }
  }

  private async readRows(
    compiled: CompiledSearch,
    reader: RowDecoder,
    opts: RunOptions,
    onRows: (rows: Row[]) => void | Promise<void>,
    onStart: ((columns: string[]) => void) | undefined,
    probe: string,
  ): Promise<Pick<Streamed, 'compiled' | 'truncated' | 'rowCount'> & { dropped: string[] }> {
    const result = await this.execute(reader.sql);
    const chunks = new ChunkReader(result, compiled.sql);
    onStart?.(compiled.columns);
    let rowCount = 0;
    let read = 0;
    let truncated = false;
    const max = opts.maxRows ?? Infinity;
    // outputlookup writes every result, however many are shown, as they stream.
    const output = compiled.output;
    let sink: LookupWriter | undefined;
    try {
      sink = output ? await this.lookupStep(output, () => this.lookups.writer(output, compiled.columns)) : undefined;
      for (;;) {
        const chunk = await chunks.next();
        // After interrupt() DuckDB hands out an empty chunk, as at the end: not a whole result.
        if (this.cancelled) throw cancelledSearch(compiled.sql);
        if (!chunk || chunk.rowCount === 0) break;
        read += chunk.rowCount;
        const all = reader.decode(chunk);
        if (output) await this.lookupStep(output, () => sink!.rows(all));
        if (truncated) {
          // Only a query read to its end leaves a profile: past the cap that is one row at most.
          if (!output && !opts.profile) break;
          continue;
        }
        let rows = all;
        if (rowCount + rows.length > max) {
          rows = rows.slice(0, max - rowCount);
          truncated = true;
        }
        rowCount += rows.length;
        await onRows(rows);
        if (truncated && !output && !opts.profile) break;
      }
      await chunks.settle();
      // Cut at the cap on purpose, the read stopped early: there is no end to check.
      if (!(truncated && !output)) await this.endedWhole(compiled.sql, read, probe);
      await this.endRead();
      if (output) await this.lookupStep(output, () => sink!.commit());
    } catch (err) {
      sink?.abort();
      await chunks.settle();
      await this.endRead();
      throw err;
    }
    return { compiled, truncated, rowCount, dropped: sink?.dropped ?? [] };
  }

  /**
   * The notes of the caps that cut rows (CapCheck): each asked once the rows are out, unless the
   * rows shown already say nothing was cut. A check that fails says so rather than nothing.
   */
  private async capNotes(compiled: CompiledSearch, rowCount: number, truncated: boolean): Promise<string[]> {
    const notes: string[] = [];
    for (const cap of compiled.caps ?? []) {
      if (cap.shownRows && !truncated && rowCount < cap.count) continue;
      if (this.cancelled) break;
      try {
        const n = Number((await this.conn.runAndReadAll(cap.sql)).getRows()[0]?.[0] ?? 0);
        if (n > cap.count) notes.push(cap.note);
      } catch (err) {
        if (this.cancelled) break;
        notes.push(`${cap.rule}; whether it cut any here could not be checked: ${describeDuckDBError(err).split('\n')[0]}`);
      }
    }
    return [...new Set(notes)];
  }

  /** An outputlookup before the end of the search (or in a subsearch): its own query's rows, written whole. */
  private async writeLookup(write: OutputAction): Promise<string[]> {
    const sql = write.sql!;
    this.cancelled = false;
    const reader = await this.decoder(sql, write.columns!);
    const result = await this.execute(reader.sql);
    let sink: LookupWriter | undefined;
    try {
      sink = await this.lookupStep(write, () => this.lookups.writer(write, write.columns!));
      let read = 0;
      for (;;) {
        const chunk = await fetchChunk(result, sql);
        if (this.cancelled) throw cancelledSearch(sql);
        if (!chunk || chunk.rowCount === 0) break;
        read += chunk.rowCount;
        const rows = reader.decode(chunk);
        await this.lookupStep(write, () => sink!.rows(rows));
      }
      await this.endedWhole(sql, read, 'SELECT 1');
      await this.endRead();
      await this.lookupStep(write, () => sink!.commit());
      return sink.dropped;
    } catch (err) {
      sink?.abort();
      await this.endRead();
      throw err;
    }
  }

  private async decoder(sql: string, columns: string[], keyed?: { sql: string; tail: string }): Promise<RowDecoder> {
    try {
      return await rowDecoder(this.conn, sql, columns, keyed);
    } catch (err) {
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }

  /**
   * Starts a streamed read inside a transaction of its own. A streamed result that fails part-way
   * (out of memory, a late error) ends exactly like a finished one: the client library hands out
   * an empty chunk and never the error (duckdb-rs#664 and duckdb-rs#832 describe the same C API
   * trap). The failure does abort the transaction, which endedWhole then sees.
   */
  private async execute(sql: string): Promise<DuckDBResult> {
    try {
      await this.conn.run('BEGIN TRANSACTION');
      this.inRead = true;
      return await this.conn.stream(sql);
    } catch (err) {
      await this.endRead();
      throw new EngineError(describeDuckDBError(err), sql);
    }
  }

  /**
   * After the last chunk: throws unless the result really ended (see execute). `probe` is any
   * statement: in a transaction the failure aborted, every statement fails.
   */
  private async endedWhole(sql: string, read: number, probe: string): Promise<void> {
    try {
      await this.conn.run(probe);
    } catch {
      const rows = `${read.toLocaleString('en-US')} row${read === 1 ? '' : 's'}`;
      throw new EngineError(
        `DuckDB stopped the search part-way, after ${rows}, without saying why (most often it ran out of memory): the answer is incomplete. Narrow the search, or raise --memory-limit`,
        sql,
      );
    }
  }

  private async endRead(): Promise<void> {
    if (!this.inRead) return;
    this.inRead = false;
    await this.conn.run('ROLLBACK').catch(() => undefined);
  }
}

/** Rows a capped run reads: one past the cap, so it can tell the result was cut. */
export function rowsToRead(opts: RunOptions): number | undefined {
  return opts.maxRows !== undefined && Number.isSafeInteger(opts.maxRows) ? opts.maxRows + 1 : undefined;
}


/**
 * A streamed result's chunks, the next one asked of DuckDB (on a worker thread) while the caller
 * turns this one into rows: DuckDB's last step (each row's JSON text) and the JS decoding of the
 * chunk before it run at the same time on two cores instead of one after the other.
 */
class ChunkReader {
  private pending: Promise<DuckDBDataChunk | null> | undefined;

  constructor(
    private readonly result: DuckDBResult,
    private readonly sql: string,
  ) {}

  async next(): Promise<DuckDBDataChunk | null> {
    const chunk = await (this.pending ?? fetchChunk(this.result, this.sql));
    this.pending = undefined;
    if (chunk && chunk.rowCount > 0) {
      this.pending = fetchChunk(this.result, this.sql);
      // Seen by the next call, or dropped by settle(): never an unhandled rejection.
      this.pending.catch(() => undefined);
    }
    return chunk;
  }

  /** Waits for a read still running: the connection runs one statement at a time. */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    await pending?.catch(() => undefined);
  }
}

/** Errors can also surface while rows stream (a cancelled search, a cast that fails late). */
async function fetchChunk(result: DuckDBResult, sql: string) {
  try {
    return await result.fetchChunk();
  } catch (err) {
    throw new EngineError(describeDuckDBError(err), sql);
  }
}

/** Says which fields outputlookup append=t left out, the lookup's header not having them. */
function droppedNote(write: OutputAction, dropped: string[]): string[] {
  if (dropped.length === 0) return [];
  return [`outputlookup append=t ${write.name}: ${dropped.join(', ')} not written, the lookup having no such column (as in Splunk, append keeps the file's fields; write it without append=t to change them)`];
}
