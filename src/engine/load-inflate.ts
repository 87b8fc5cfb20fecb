// Reading many small `{"Records":[...]}` files: Node reads and inflates them (see readAll) while
// DuckDB inserts the previous batch, and hands DuckDB each file's text through an appender, a
// batch of files per statement. DuckDB's own readers cost about 2 ms of CPU per file whatever its
// size (24,756 delivery-sized files: 9 CPU-seconds per 5,000 files, against 2 through this path),
// and a real S3 tree is mostly files of a few KB. A file this path cannot take as one valid JSON
// value (damaged gzip, bad UTF-8, several wrappers back to back, invalid JSON, gone since it was
// sniffed) is handed back untouched: the caller reads it through DuckDB's reader, which names
// what is wrong with it exactly as before.

import { isAscii, isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { setImmediate } from 'node:timers/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SniffedFile } from './load-files.js';
import { insertSql, isWrapper, VALUES_TABLE } from './load-sql.js';
import { throwIfInterrupted } from './types.js';

/**
 * Files up to this much JSON go through Node; larger ones keep DuckDB's reader (or load-stream.ts),
 * whose cost per file is small beside theirs. Past about 1 MB a file, this path cost more CPU than
 * DuckDB's reader (250k events in files of 1-5,000 events: 6.7-8 CPU-seconds with 256 KB, 8.3 with
 * 1 MB, 19.5 with 8 MB, 12.1 through DuckDB's reader alone).
 */
const INFLATE_MAX_BYTES = 256 * 1024;
/**
 * JSON text staged per statement: bounds the memory a batch holds twice (in Node and in DuckDB),
 * outside DuckDB's memory limit. 1M events into memory under a 700 MB limit peaked at 1.46 GB RSS
 * with 48 MB, 1.25 GB with 16 MB; under 715 MB (2026-12-06 18:00, in-process) 1.47 GB and 56.1
 * CPU-s with 16 MB, 1.32 GB and 46.9 CPU-s with 8 MB.
 */
const BATCH_TEXT_BYTES = 8 * 1024 * 1024;
const BATCH_FILES = 4000;
/** Files read between two turns of the event loop (see readAll). */
const READ_SLICE = 32;
const STAGE = '__spelunk_inflated';

export function inflatable(file: SniffedFile): boolean {
  return file.format === 'records' && file.contentBytes <= INFLATE_MAX_BYTES;
}

export interface InflateOutcome {
  /** Files handed back for DuckDB's reader (see the top of this file). */
  fallback: SniffedFile[];
  /** Set when whole batches went to DuckDB's reader for a reason other than their files: said in a note. */
  batchFailure?: { files: number; reason: string };
}

interface Read {
  file: SniffedFile;
  text?: string;
}

/**
 * Reads `files` (all `inflatable`) into the events table; `report` is called after each batch
 * with the files whose events went in and how many events that was. The next batch is read
 * while DuckDB inserts the last one.
 */
export async function readInflated(
  conn: DuckDBConnection,
  files: SniffedFile[],
  index: string | null,
  report: (done: SniffedFile[], events: number) => void,
  signal?: AbortSignal,
  values = false,
): Promise<InflateOutcome> {
  const outcome: InflateOutcome = { fallback: [] };
  const batches = plan(files);
  if (batches.length === 0) return outcome;
  throwIfInterrupted(signal);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (file VARCHAR, "json" VARCHAR)`);
  try {
    let next = readAll(batches[0]!, signal);
    for (let i = 0; i < batches.length; i++) {
      const reads = await next;
      // A cancel while Node read the batch (DuckDB's interrupt had no statement to stop).
      throwIfInterrupted(signal);
      if (i + 1 < batches.length) next = readAll(batches[i + 1]!, signal);
      // Its failure surfaces when awaited; until then it must not count as unhandled.
      next.catch(() => undefined);
      const good = reads.filter((r) => r.text !== undefined);
      outcome.fallback.push(...reads.filter((r) => r.text === undefined).map((r) => r.file));
      await insertBatch(conn, good, index, outcome, report, values);
    }
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.main.${STAGE}`);
  }
  return outcome;
}

/**
 * Inserts JSON texts already read (first-answer.ts: each a file's candidate events) as
 * readInflated inserts whole files, batch by batch. Returns the files whose text DuckDB found
 * invalid (for the caller's ordinary read); a batch failing for another reason throws.
 */
export async function insertTexts(conn: DuckDBConnection, reads: { file: SniffedFile; text: string }[], index: string | null): Promise<SniffedFile[]> {
  const outcome: InflateOutcome = { fallback: [] };
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (file VARCHAR, "json" VARCHAR)`);
  try {
    for (let start = 0, bytes = 0, i = 0; i <= reads.length; i++) {
      if (i === reads.length || (i > start && bytes + reads[i]!.text.length > BATCH_TEXT_BYTES)) {
        await insertBatch(conn, reads.slice(start, i), index, outcome, () => undefined, false);
        if (outcome.batchFailure) throw new Error(outcome.batchFailure.reason);
        start = i;
        bytes = 0;
      }
      if (i < reads.length) bytes += reads[i]!.text.length;
    }
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.main.${STAGE}`);
  }
  return outcome.fallback;
}

function plan(files: SniffedFile[]): SniffedFile[][] {
  const batches: SniffedFile[][] = [];
  let current: SniffedFile[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && (bytes + file.contentBytes > BATCH_TEXT_BYTES || current.length >= BATCH_FILES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.contentBytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Reads the files one after the other on the main thread, a slice at a time: the promise-based
 * readFile and gunzip cost three times the CPU of their synchronous forms for files of a few KB
 * (9,556 delivery files of 1M events: 1.2-1.4 CPU-s against 0.5), the thread pool's round trips
 * outweighing the work. Between slices DuckDB's statements (the previous batch's insert) and a
 * cancel get their turn.
 */
async function readAll(files: SniffedFile[], signal: AbortSignal | undefined): Promise<Read[]> {
  const reads: Read[] = files.map((file) => ({ file }));
  for (let i = 0; i < reads.length; i++) {
    if (i % READ_SLICE === 0) {
      await setImmediate();
      // Cancelled: the rest is left unread (the caller throws before using any of it).
      if (signal?.aborted) break;
    }
    reads[i]!.text = readJsonText(reads[i]!.file, INFLATE_MAX_BYTES * 4);
  }
  return reads;
}

/**
 * The file's JSON text, or undefined when DuckDB's reader should take it (and name its fault):
 * past `maxBytes` inflated, bad UTF-8, a NUL byte, a BOM, or gzip data zlib refuses or reads in part.
 */
export function readJsonText(file: SniffedFile, maxBytes: number): string | undefined {
  try {
    const bytes = readFileSync(file.path);
    // Past the limit the inflate stops (a RangeError): DuckDB's reader or the streamed path takes it.
    const inflated = file.gzip ? zlib.gunzipSync(bytes, { maxOutputLength: maxBytes + 1, info: true }) : undefined;
    // zlib stops without a word at a zero byte after a member: DuckDB's reader refuses the file,
    // and it is then read member by member, with a warning (load-batches.ts readFailed).
    if (inflated && (inflated as unknown as { engine: zlib.Gunzip }).engine.bytesWritten < bytes.length) return undefined;
    const content = inflated ? (inflated as unknown as { buffer: Buffer }).buffer : bytes;
    // DuckDB's reader reports bad UTF-8 and NUL bytes in its own words; a BOM it skips.
    if (content.length > maxBytes || content.includes(0)) return undefined;
    if (content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) return undefined;
    // ASCII (most CloudTrail) decodes byte for byte, at a fraction of UTF-8's cost.
    if (isAscii(content)) return content.toString('latin1');
    return isUtf8(content) ? content.toString('utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The events of each staged file, as DuckDB's reader gives them (load-sql.ts's EVENTS_OF_VALUE). */
const SOURCE = `SELECT file, unnest(CASE WHEN ${isWrapper('"json"')}
    THEN json_extract("json", '$.Records[*]') ELSE [json("json")] END)::VARCHAR AS raw
  FROM temp.main.${STAGE}`;

async function insertBatch(
  conn: DuckDBConnection,
  reads: Read[],
  index: string | null,
  outcome: InflateOutcome,
  report: (done: SniffedFile[], events: number) => void,
  values: boolean,
): Promise<void> {
  if (reads.length === 0) return;
  await stage(conn, reads);
  let left = reads;
  if (values) {
    // Staged whole, the values are parsed only as their events are written (cache.ts): files that
    // are not one valid JSON value go to DuckDB's reader now, as a failed insert sends them below.
    const bad = `FROM temp.main.${STAGE} WHERE NOT json_valid("json")`;
    const invalid = new Set((await conn.runAndReadAll(`SELECT file ${bad}`)).getRowObjectsJS().map((r) => String(r['file'])));
    if (invalid.size > 0) {
      await conn.run(`DELETE ${bad}`);
      outcome.fallback.push(...left.filter((r) => invalid.has(r.file.path)).map((r) => r.file));
      left = left.filter((r) => !invalid.has(r.file.path));
      if (left.length === 0) return;
    }
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const inserted = values
        ? (await conn.run(`INSERT INTO ${VALUES_TABLE} (file, value, whole) SELECT file, "json", true FROM temp.main.${STAGE}`)).rowsChanged
        : (await conn.run(insertSql(SOURCE), { index })).rowsChanged;
      report(left.map((r) => r.file), inserted);
      return;
    } catch (err) {
      if (/INTERRUPT/i.test(String(err))) throw err;
      // A failed statement inserts nothing. Files that are not one valid JSON value (several
      // wrappers back to back, a bad record) go to DuckDB's reader; the rest are tried again.
      const bad = `FROM temp.main.${STAGE} WHERE NOT json_valid("json")`;
      const invalid = attempt > 0 ? new Set<string>() : new Set((await conn.runAndReadAll(`SELECT file ${bad}`)).getRowObjectsJS().map((r) => String(r['file'])));
      if (invalid.size === 0) {
        // Not the files' fault (out of memory, say): DuckDB's reader takes them, and a note says so.
        outcome.fallback.push(...left.map((r) => r.file));
        const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
        outcome.batchFailure = { files: (outcome.batchFailure?.files ?? 0) + left.length, reason };
        return;
      }
      await conn.run(`DELETE ${bad}`);
      outcome.fallback.push(...left.filter((r) => invalid.has(r.file.path)).map((r) => r.file));
      left = left.filter((r) => !invalid.has(r.file.path));
      if (left.length === 0) return;
    }
  }
}

async function stage(conn: DuckDBConnection, reads: Read[]): Promise<void> {
  await conn.run(`DELETE FROM temp.main.${STAGE}`);
  const appender = await conn.createAppender(STAGE, 'main', 'temp');
  try {
    for (const r of reads) {
      appender.appendVarchar(r.file.path);
      appender.appendVarchar(r.text!);
      appender.endRow();
    }
  } finally {
    appender.closeSync();
  }
}
