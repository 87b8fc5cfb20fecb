// Loads CloudTrail files into the `events` table. Files are sniffed in Node first; small
// `{"Records":[...]}` files (most of an S3 tree) are then inflated by Node and inserted a batch per
// statement (load-inflate.ts), large ones are read in parts (load-stream.ts), and every other good
// file of one format goes through a single DuckDB reader call (load-batches.ts).

import { setImmediate } from 'node:timers/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE, EVENT_COLUMNS } from '../compiler/cloudtrail-schema.js';
import { commonFolder, firstLine, planBatches, readBatch } from './load-batches.js';
import { sniffFile, type RejectedFile, type SniffedFile } from './load-files.js';
import { absolutePath, expandPaths } from './load-paths.js';
import { inflatable, readInflated } from './load-inflate.js';
import { readStreamed, STREAM_BYTES } from './load-stream.js';
import { NOT_CLOUDTRAIL, quoteIdent, sqlString, VALUES_COLUMNS, VALUES_TABLE } from './load-sql.js';
import { machineMemoryLimit } from './memory.js';
import { buildReport, collectStats, type FileOutcome, type FileStats } from './load-report.js';
import { markUnreadable, throwIfInterrupted, type LoadProgress, type LoadReport, type LoadWarning } from './types.js';

export interface LoadOptions {
  /** Value of the `index` column; null leaves it empty (the cache fills it in when it is read). */
  index?: string | null;
  onProgress?: (p: LoadProgress) => void;
  /**
   * False leaves the new rows' `__seq` empty, in insertion order (their rowid): the cache writes
   * them out and drops them, so ordering the whole table would be wasted work.
   */
  renumber?: boolean;
  /** Files holding more JSON than this many bytes are read through Node in parts (load-stream.ts). */
  streamBytes?: number;
  /**
   * Cancels the load (engine.interrupt()): the running statement is interrupted, and Node's own
   * reading (sniffing, small files, large files in parts), where DuckDB's interrupt reaches
   * nothing, stops at its next file or part. The load then fails with an INTERRUPT error and
   * leaves the table as it was.
   */
  signal?: AbortSignal;
  /**
   * Stage the events' JSON in VALUES_TABLE (load-sql.ts) instead of parsing them into the events
   * table: see loadValues.
   */
  values?: boolean;
}

const SNIFF_CONCURRENCY = 16;
const SNIFF_SLICE = 64;


export async function loadCloudTrail(
  conn: DuckDBConnection,
  paths: string[],
  opts: LoadOptions = {},
): Promise<LoadReport> {
  const read = await withRaisedLimit(conn, paths, { ...opts, values: false });
  return read.finish(read.stats!);
}

/** What a load in `values` mode read, before its events are parsed (see loadValues). */
export interface ValuesRead {
  /** The load's report once the staged events are counted (see collectStats for the figures). */
  finish(stats: FileStats[]): LoadReport;
  /** The memory limit the files needed, when it had to be raised (see loadRaised; said in the report). */
  raised?: string;
}

/**
 * Reads the files into VALUES_TABLE, each JSON value as read, with every check and fallback of
 * loadCloudTrail (bad files are named and skipped the same way). The caller parses the staged
 * events into columns (valuesEvents and eventsSelect in load-sql.ts) and then finishes the report
 * with their figures. Files whose events the caller cannot parse (JSON that a batch took whole,
 * say) are the caller's to read again through loadCloudTrail.
 */
export async function loadValues(conn: DuckDBConnection, paths: string[], opts: LoadOptions = {}): Promise<ValuesRead> {
  return withRaisedLimit(conn, paths, { ...opts, values: true });
}

interface Read extends ValuesRead {
  /** The new rows' figures, in the events table's mode. */
  stats?: FileStats[];
}

async function withRaisedLimit(conn: DuckDBConnection, paths: string[], opts: LoadOptions): Promise<Read> {
  const signal = opts.signal;
  throwIfInterrupted(signal);
  const interrupt = (): void => conn.interrupt();
  signal?.addEventListener('abort', interrupt);
  try {
    return await load(conn, paths, opts);
  } catch (err) {
    if (!/Out of Memory/i.test(firstLine(err))) throw err;
    return await loadRaised(conn, paths, opts, err);
  } finally {
    signal?.removeEventListener('abort', interrupt);
  }
}

/** Said when a load ran with the memory limit raised (loadRaised). */
export function raisedNote(paths: string[], before: string, raised: string, err: unknown): LoadWarning {
  return {
    // A folder, never the file itself: a note about this load, not kept with the file's cache entry.
    file: commonFolder(paths),
    kind: 'note',
    reason: `read with DuckDB's memory limit raised from ${before} to ${raised}: the files needed more memory at once than the limit (${firstLine(err)})`,
  };
}

/** The connection's memory limit as DuckDB prints it: to set back after raising it. */
export async function memoryLimitOf(conn: DuckDBConnection): Promise<string> {
  return String((await conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]?.[0]);
}

/**
 * DuckDB spills tables past its memory limit, but one huge value (a 100 MB event) needs several
 * times its size at once, which no spill provides. Such a load runs again with the limit raised
 * to most of the machine's memory, once, and a note says so; a connection whose settings are
 * locked (after the first search) cannot, and the error stands.
 */
async function loadRaised(conn: DuckDBConnection, paths: string[], opts: LoadOptions, err: unknown): Promise<Read> {
  const before = await memoryLimitOf(conn);
  const raised = machineMemoryLimit();
  try {
    await conn.run(`SET memory_limit = ${sqlString(raised)}`);
  } catch {
    throw err;
  }
  try {
    const read = await load(conn, paths, opts);
    return {
      stats: read.stats,
      raised,
      finish: (stats) => {
        const report = read.finish(stats);
        report.warnings.push(raisedNote(paths, before, raised, err));
        return report;
      },
    };
  } finally {
    await conn.run(`SET memory_limit = ${sqlString(before)}`);
  }
}

async function load(conn: DuckDBConnection, paths: string[], opts: LoadOptions): Promise<Read> {
  const started = performance.now();
  const index = opts.index === undefined ? 'main' : opts.index;
  const signal = opts.signal;
  const values = opts.values === true;
  if (values) await conn.run(`CREATE OR REPLACE TABLE ${VALUES_TABLE} (${VALUES_COLUMNS})`);
  else await ensureEventsTable(conn);

  const expansion = await expandPaths(paths);
  const files = expansion.files.map(absolutePath);
  throwIfInterrupted(signal);
  let looked = 0;
  const sniffed = await mapConcurrent(files, SNIFF_CONCURRENCY, async (file) => {
    // sniffFile reads synchronously: a turn of the event loop now and then (a cancel, the REPL).
    if (++looked % SNIFF_SLICE === 0) await setImmediate();
    throwIfInterrupted(signal);
    return sniffFile(file);
  });
  const outcomes = new Map<string, FileOutcome>();
  const good: SniffedFile[] = [];
  for (const result of sniffed) {
    if (result.ok) good.push(result.file);
    outcomes.set(result.file.path, {
      size: result.file.size,
      rejected: result.ok ? undefined : (result.file as RejectedFile).reason,
    });
  }

  const sizeOf = (results: typeof sniffed): number => results.reduce((sum, r) => sum + r.file.size, 0);
  const progress: LoadProgress = {
    filesDone: files.length - good.length,
    filesTotal: files.length,
    bytesDone: sizeOf(sniffed.filter((r) => !r.ok)),
    bytesTotal: sizeOf(sniffed),
    events: 0,
    elapsedMs: 0,
  };
  const report = (done: SniffedFile[], events: number): void => {
    progress.filesDone += done.length;
    progress.bytesDone += done.reduce((sum, f) => sum + f.size, 0);
    progress.events += events;
    progress.elapsedMs = performance.now() - started;
    opts.onProgress?.({ ...progress });
  };
  // Reported before any read so a caller can show the total straight away.
  report([], 0);

  // Large JSON files are read through Node in bounded memory (see load-stream.ts).
  // (Athena's JSON rows are read by DuckDB's typed reader, line by line: see athenaJsonSource.)
  const streamed = new Set(good.filter((f) => f.format !== 'parquet' && !f.athena && f.contentBytes > (opts.streamBytes ?? STREAM_BYTES)));
  // Small {"Records":[...]} files (most of an S3 tree) are inflated by Node: see load-inflate.ts.
  const viaNode = good.filter((f) => !streamed.has(f) && inflatable(f));
  const notes: LoadWarning[] = [];
  let stats: FileStats[] | undefined;
  try {
    const inflated = await readInflated(conn, viaNode, index, report, signal, values);
    if (inflated.batchFailure) {
      const { files, reason } = inflated.batchFailure;
      notes.push({ file: commonFolder(viaNode.map((f) => f.path)), kind: 'note', reason: `${files} file(s) read through DuckDB's reader instead of in batches, which is slower: the batch failed (${reason})` });
    }
    const again = new Set(inflated.fallback);
    const batched = good.filter((f) => !streamed.has(f) && (!inflatable(f) || again.has(f)));
    for (const batch of await planBatches(conn, batched, outcomes)) {
      throwIfInterrupted(signal);
      await readBatch(conn, batch, index, outcomes, report, notes, signal, values);
    }
    for (const file of streamed) {
      throwIfInterrupted(signal);
      const result = await readStreamed(conn, file, index, signal, values);
      Object.assign(outcomes.get(file.path)!, { rejected: result.rejected, badLines: result.badLines, damaged: result.damaged });
      report([file], result.inserted);
    }
    throwIfInterrupted(signal);
    if (!values) {
      stats = await collectStats(conn);
      await conn.run(`DELETE FROM ${EVENTS_TABLE} WHERE __seq IS NULL AND ${NOT_CLOUDTRAIL}`);
      if (opts.renumber !== false) await renumber(conn);
    }
  } catch (err) {
    // Rows of an interrupted load have no __seq yet; leave the table as it was.
    if (values) await conn.run(`DROP TABLE IF EXISTS ${VALUES_TABLE}`).catch(() => undefined);
    else await conn.run(`DELETE FROM ${EVENTS_TABLE} WHERE __seq IS NULL`).catch(() => undefined);
    throw err;
  }

  return {
    stats,
    finish: (figures) => {
      const result = buildReport(files, [...expansion.warnings, ...notes], outcomes, figures, performance.now() - started);
      markUnreadable(result.warnings);
      return result;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The table

export async function ensureEventsTable(conn: DuckDBConnection): Promise<void> {
  const columns = EVENT_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
  await conn.run(`CREATE TABLE IF NOT EXISTS ${EVENTS_TABLE} (${columns})`);
  const existing = (await conn.runAndReadAll(`DESCRIBE ${EVENTS_TABLE}`)).getRowObjectsJS();
  const actual = existing.map((r) => `${String(r['column_name'])} ${String(r['column_type'])}`);
  const expected = EVENT_COLUMNS.map((c) => `${c.name} ${c.type}`);
  if (actual.join(',') !== expected.join(',')) {
    throw new Error(
      `table ${EVENTS_TABLE} already exists with other columns (${actual.join(', ')}); ` +
        'drop it or load into a fresh database',
    );
  }
}

/**
 * Splunk's default order is newest first. Ties keep a stable order: by source, then by position
 * in the file. Rows already numbered keep their relative order (their old __seq); new rows follow
 * them in insertion order, which DuckDB keeps for a file's events (preserve_insertion_order).
 * A file loaded again (the REPL's :load of the same folder) replaces its earlier rows: keeping
 * both would count every one of its events twice.
 */
export async function renumber(conn: DuckDBConnection): Promise<void> {
  await conn.run(`DELETE FROM ${EVENTS_TABLE} WHERE __seq IS NOT NULL
    AND source IN (SELECT DISTINCT source FROM ${EVENTS_TABLE} WHERE __seq IS NULL)`);
  await conn.run(`
    UPDATE ${EVENTS_TABLE} SET __seq = ranked.n
    FROM (
      SELECT rowid AS rid,
             row_number() OVER (ORDER BY _time DESC NULLS LAST, source, __seq NULLS LAST, rowid) AS n
      FROM ${EVENTS_TABLE}
    ) AS ranked
    WHERE ${EVENTS_TABLE}.rowid = ranked.rid`);
}

async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
