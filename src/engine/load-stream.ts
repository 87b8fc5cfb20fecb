// Reading one large file through Node: inflated as a stream, split into events (event-stream.ts)
// and handed to DuckDB in batches of bounded size. DuckDB's own readers hold a whole JSON value
// and its parse at once, and a `{"Records":[...]}` file is one value: a 200 MB file needed more
// memory than the cache's converter has, so the cached load skipped it while the in-memory load
// read it. Every path reads a large file this way, so both give the same events.

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { CutError, EventSplitter, StructureError, type EventText } from './event-stream.js';
import { describeGzipError, type SniffedFile } from './load-files.js';
import { describeMembers, MemberReader } from './gzip-members.js';
import { describeFsError } from './load-paths.js';
import { insertSql, insertValuesOfEvents, isWrapper, quoteIdent, VALUES_TABLE } from './load-sql.js';
import { throwIfInterrupted } from './types.js';

/** Files holding more JSON than this (uncompressed) are read through Node. */
export const STREAM_BYTES = 32 * 1024 * 1024;
/** Event bytes handed to DuckDB per statement. */
const STAGE_BYTES = 16 * 1024 * 1024;
const STAGE = '__spelunk_stage';
/** Events larger than this keep their text as written: see flush(). */
const VERBATIM_BYTES = 16 * 1024 * 1024;

export interface StreamOutcome {
  inserted: number;
  /** Set when the file is skipped whole (its rows, if any went in, are taken out again). */
  rejected?: string;
  /** JSON lines that were not valid JSON; the file's other lines loaded. */
  badLines?: { count: number; reason: string };
  /** A gzip file read member by member (gzip-members.ts): what was left unread, said in a warning. */
  damaged?: { kind: 'partial' | 'note'; reason: string };
}

/** Why an event is not valid JSON, from DuckDB's message ("... at byte 5 of input: invalid literal."). */
function jsonDetail(message: string): string {
  return /of input: ([^\n]*?)\.?\s+Input:/.exec(message)?.[1] ?? /of input: ([^\n]*?)\.?$/m.exec(message)?.[1] ?? message.split('\n')[0]!;
}

class ReadError extends Error {
  constructor(
    message: string,
    /** zlib refused the gzip data: the file is read again member by member. */
    readonly gzip = false,
  ) {
    super(message);
  }
}

/**
 * Reads `file`'s events in parts. A gzip file zlib refuses (bytes after its last member, a
 * member cut short) is read again member by member, as `gzip -d` reads it, and so is one given
 * `members` (the caller saw DuckDB's reader refuse its gzip data): the events of the whole
 * members load, with a warning saying what was left unread (see gzip-members.ts).
 */
export async function readStreamed(conn: DuckDBConnection, file: SniffedFile, index: string | null, signal?: AbortSignal, values = false, members = false): Promise<StreamOutcome> {
  const inflated = members ? new MemberReader(await readFile(file.path)) : undefined;
  const outcome = await readOnce(conn, file, index, signal, values, inflated);
  if (outcome === 'gzip') return readStreamed(conn, file, index, signal, values, true);
  return outcome;
}

async function readOnce(conn: DuckDBConnection, file: SniffedFile, index: string | null, signal: AbortSignal | undefined, values: boolean, inflated: MemberReader | undefined): Promise<StreamOutcome | 'gzip'> {
  // A temporary table: private to the connection, whatever schema the connection uses.
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (line BIGINT, whole BOOLEAN, raw BLOB)`);
  const lenient = file.format === 'lines';
  let inserted = 0;
  let badCount = 0;
  let firstBad: { line: number; detail: string } | undefined;
  const bad = (line: number, detail: string): void => {
    badCount++;
    if (!firstBad || line < firstBad.line) firstBad = { line, detail };
  };
  let batch: EventText[] = [];
  let batchBytes = 0;
  let cutLine: CutLine | undefined;
  let plainCut: number | undefined;

  const flush = async (): Promise<void> => {
    const events = batch;
    batch = [];
    batchBytes = 0;
    if (events.length === 0) return;
    const appender = await conn.createAppender(STAGE, 'main', 'temp');
    try {
      for (const e of events) {
        // DuckDB gets the bytes as they are: decoding them in JS would turn bad UTF-8 into U+FFFD.
        if (!isUtf8(e.bytes)) {
          bad(e.line, 'invalid UTF-8 encoding in string');
          continue;
        }
        appender.appendBigInt(BigInt(e.line));
        appender.appendBoolean(e.whole);
        appender.appendBlob(e.bytes);
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
    const invalid = (await conn.runAndReadAll(`SELECT line, decode(raw) AS text FROM ${STAGE} WHERE NOT json_valid(decode(raw)) ORDER BY line LIMIT 1`)).getRowObjectsJS()[0];
    if (invalid) {
      const count = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM ${STAGE} WHERE NOT json_valid(decode(raw))`)).getRowObjectsJS()[0]!['n']);
      let detail = 'invalid JSON';
      try {
        await conn.run('SELECT json($text)', { text: String(invalid['text']) });
      } catch (err) {
        detail = jsonDetail(err instanceof Error ? err.message : String(err));
      }
      bad(Number(invalid['line']), detail);
      badCount += count - 1;
    }
    if (!lenient && firstBad) throw new StructureError(firstBad.line, firstBad.detail);
    // Rows go in in the file's order: the stage keeps insertion order, as the events table does.
    // A whole value may be a wrapper, unwrapped as DuckDB's readers do (load-sql.ts). Events are
    // re-serialised compactly, as there, except huge ones: DuckDB's JSON writer asks for about
    // ten times the event's size at once (1 GiB for a 100 MB event), which a memory limit may
    // refuse. Those keep their text as written; they were checked above.
    const source = `SELECT $file AS file, unnest(CASE
          WHEN whole AND ${isWrapper('decode(raw)')} THEN json_extract(decode(raw), '$.Records[*]')::VARCHAR[]
          WHEN octet_length(raw) > ${VERBATIM_BYTES} THEN [decode(raw)]
          ELSE [json(decode(raw))::VARCHAR] END) AS raw
      FROM ${STAGE} WHERE json_valid(decode(raw))`;
    inserted += values
      ? (await conn.run(insertValuesOfEvents(source), { file: file.path })).rowsChanged
      : (await conn.run(insertSql(source), { file: file.path, index })).rowsChanged;
    await conn.run(`DELETE FROM ${STAGE}`);
  };

  try {
    const splitter = new EventSplitter(file.format === 'parquet' ? 'records' : file.format);
    for await (const chunk of inflated ? withoutBom(inflated.parts()) : byteStream(file)) {
      // A cancel between statements reaches no DuckDB statement: the read stops here.
      throwIfInterrupted(signal);
      for (const e of splitter.push(chunk as Buffer)) {
        batch.push(e);
        batchBytes += e.bytes.length;
        if (batchBytes >= STAGE_BYTES) await flush();
      }
    }
    try {
      const last = splitter.end();
      // A plain file's last line without its newline may be cut short as a gzip's may: a copy
      // made while a tool appended a wrapper. Any other last line is read, or counted bad, as it is.
      const gzipCut = inflated?.damage?.cut === true;
      cutLine = (gzipCut || !file.gzip) && file.format === 'lines' ? wrapperCut(last) : undefined;
      // The line a gzip's cut runs through is the cut's, said once with it (describeMembers), not also a bad line.
      batch.push(...(cutLine?.events ?? (gzipCut && file.format === 'lines' ? last.filter((e) => isJson(e.bytes)) : last)));
    } catch (err) {
      // Cut inside an event: the whole events before it stand; the cut one is never read. A plain
      // `.json` cut short (a copy that stopped) is cut as a gzip is: its whole events were lost.
      if (err instanceof CutError && !file.gzip && file.format !== 'lines') plainCut = err.line;
      else if (!(inflated?.damage && err instanceof StructureError)) throw err;
    }
    await flush();
  } catch (err) {
    const reason = err instanceof StructureError || err instanceof ReadError ? err.message : undefined;
    if (reason === undefined) throw err;
    if (values) await conn.run(`DELETE FROM ${VALUES_TABLE} WHERE file = $file`, { file: file.path });
    else await conn.run(`DELETE FROM ${EVENTS_TABLE} WHERE __seq IS NULL AND source = $file`, { file: file.path });
    if (err instanceof ReadError && err.gzip && !inflated) return 'gzip';
    return { inserted: 0, rejected: reason };
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(STAGE)}`);
  }
  if (plainCut !== undefined && inserted === 0) return { inserted, rejected: `the file ends inside line ${plainCut}, cut short before its first whole event` };
  const damaged = inflated
    ? describeMembers(inflated, inserted, cutLine && { line: cutLine.line, events: cutLine.events.length })
    : plainCut !== undefined
      ? { kind: 'partial' as const, reason: `the file ends inside line ${plainCut}, cut short: its ${inserted} whole event(s) before the cut were read; an event the cut runs through is not read` }
      : cutLine && { kind: 'partial' as const, reason: `the file ends inside line ${cutLine.line}, a {"Records":[...]} wrapper cut short: its ${cutLine.events.length} whole event(s) before the cut were read, the rest of it was cut` };
  // Nothing whole before the cut or the damage: the file is skipped for it, as before.
  if (inflated?.damage && inserted === 0) return { inserted, rejected: inflated.damage.cut ? TRUNCATED : `corrupt gzip (${inflated.damage.reason})` };
  if (badCount > 0 && firstBad) {
    if (inserted === 0) return { inserted, rejected: `invalid JSON at line ${firstBad.line}: ${firstBad.detail}` };
    return { inserted, badLines: { count: badCount, reason: `invalid JSON at line ${firstBad.line}: ${firstBad.detail}` }, damaged };
  }
  return { inserted, damaged };
}

const TRUNCATED = 'truncated gzip (the compressed data ends early)';

interface CutLine {
  line: number;
  events: EventText[];
}

/**
 * The whole events of the last line of JSON lines cut short, when that line holds a
 * `{"Records":[...]}` wrapper (a tool appending each delivery file as a line): they were lost
 * with the line, counted as one line of invalid JSON, as they are not from a cut file that is one
 * wrapper. Undefined when the line is no wrapper or holds no whole event: it stays as it was.
 */
function wrapperCut(last: EventText[]): CutLine | undefined {
  if (last.length !== 1) return undefined;
  const line = last[0]!.line;
  // Its events, split as a `.json` file's are; the cut one never comes out.
  const splitter = new EventSplitter('records');
  const events = splitter.push(last[0]!.bytes).map((e) => ({ ...e, line }));
  if (events.length === 0 || events.some((e) => e.whole)) return undefined;
  try {
    // A whole wrapper (a last line without its newline) is no cut: read as any line is.
    splitter.end();
    return undefined;
  } catch {
    return { line, events };
  }
}

function isJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a plain JSON lines file ends inside a line holding a wrapper with whole events: DuckDB's
 * reader counts that line as one bad line and loses them all; read through readStreamed, they load.
 */
export async function endsInCutWrapper(file: SniffedFile): Promise<boolean> {
  if (file.gzip || file.format !== 'lines') return false;
  const bytes = await readFile(file.path).catch(() => Buffer.alloc(0));
  return wrapperCut([{ bytes: bytes.subarray(bytes.lastIndexOf(0x0a) + 1), line: 0, whole: true }]) !== undefined;
}

/** Inflated content in parts, without a leading byte order mark. */
async function* withoutBom(parts: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const part of parts) {
    const bom = first && part[0] === 0xef && part[1] === 0xbb && part[2] === 0xbf;
    first = false;
    yield bom ? part.subarray(3) : part;
  }
}

/** The file's (inflated) bytes; read and gzip errors become a ReadError with the reason. */
async function* byteStream(file: SniffedFile): AsyncGenerator<Buffer> {
  const input = createReadStream(file.path, { highWaterMark: 1 << 20 });
  const stream = file.gzip ? input.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : input;
  let inputError: unknown;
  input.on('error', (err) => {
    inputError = err;
    if (stream !== input) stream.destroy(err);
  });
  try {
    let first = true;
    for await (const chunk of stream) {
      // A UTF-8 byte order mark before the content is no part of the first event (DuckDB's
      // unstructured reader skips it too).
      const bom = first && (chunk as Buffer)[0] === 0xef && (chunk as Buffer)[1] === 0xbb && (chunk as Buffer)[2] === 0xbf;
      first = false;
      yield bom ? (chunk as Buffer).subarray(3) : (chunk as Buffer);
    }
    // zlib stops without a word at a zero byte after a member, passing over what follows it.
    if (stream instanceof zlib.Gunzip && stream.bytesWritten < file.size) throw new ReadError('bytes after the last gzip member', true);
  } catch (err) {
    if (err instanceof ReadError) throw err;
    if (inputError) throw new ReadError((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file vanished during the load' : describeFsError(inputError));
    if (file.gzip) throw new ReadError(describeGzipError(err), true);
    throw new ReadError(describeFsError(err));
  } finally {
    input.destroy();
  }
}
