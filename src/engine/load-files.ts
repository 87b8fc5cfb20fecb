// Telling, from a file's first bytes, which reader it needs. No DuckDB here: this runs before any
// query, so a bad file can be named without costing a failed read of every good one.

import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import zlib from 'node:zlib';
import { gunzipMembers } from './gzip-members.js';
import { describeFsError } from './load-paths.js';
import { DIGEST_PATH, searchResults } from './not-evidence.js';
import { isAthenaRow } from './parquet-source.js';

/** How a file's events are laid out; each maps to one DuckDB reader call. */
export type FileFormat =
  | 'records' // {"Records":[...]} (S3 delivery), possibly several such objects back to back
  | 'array' // a bare JSON array of events
  | 'lines' // JSON lines: one event per line
  | 'concatenated' // JSON objects separated by any whitespace (e.g. one pretty-printed event)
  | 'parquet';

export interface SniffedFile {
  path: string;
  size: number;
  format: FileFormat;
  gzip: boolean;
  /** Best guess of the decompressed size, to size DuckDB's maximum_object_size. */
  contentBytes: number;
  /** JSON lines of rows of Athena's CloudTrail table, lower-case keys (parquet-source.ts athenaJsonSource). */
  athena?: true;
}

export interface RejectedFile {
  path: string;
  size: number;
  reason: string;
}

export type SniffResult = { ok: true; file: SniffedFile } | { ok: false; file: RejectedFile };

/** Enough of the start of a file to recognise its format, even when gzipped. */
const HEAD_BYTES = 64 * 1024;
/** Compressed bytes inflated first: about 30 KB of JSON, past the first event of most files. */
const SNIFF_GZIP_BYTES = 4 * 1024;
const DIGEST_KEY = /"digest(Start|End)Time"\s*:/;

export async function sniffFile(file: string): Promise<SniffResult> {
  const reject = (reason: string, size = 0): SniffResult => ({ ok: false, file: { path: file, size, reason } });
  if (DIGEST_PATH.test(file)) {
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    return reject('CloudTrail digest file (integrity hashes, not events)', size);
  }

  let size: number;
  let head: Buffer;
  let trailer: Buffer | undefined;
  try {
    // Synchronous: the promise-based stat, open, read and close cost several times the CPU of the
    // work itself (1.6 CPU-s for the 10,835 files of 1M events). Opening a named pipe blocks until
    // something writes to it: look before opening, and open without waiting in case it became one.
    const kind = statSync(file);
    if (!kind.isFile()) return reject(kind.isDirectory() ? 'is a folder' : 'not a regular file (a pipe, socket or device)');
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) return reject('not a regular file');
      size = info.size;
      head = Buffer.alloc(Math.min(size, HEAD_BYTES));
      readSync(fd, head, 0, head.length, 0);
      if (size > HEAD_BYTES) {
        trailer = Buffer.alloc(4);
        readSync(fd, trailer, 0, 4, size - 4);
      }
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    return reject(describeFsError(err));
  }
  if (size === 0) return reject('empty file', size);

  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  let content = head;
  let contentBytes = size;
  let format: ReturnType<typeof detectFormat>;
  if (gzip) {
    // Only the start is inflated (a prefix inflates fine with a sync flush): inflating whole
    // files here cost 5 CPU-seconds on the main thread for 2,500 files of a first load. A file
    // whose compressed data is damaged further on fails when DuckDB reads it, and is then
    // named with the reason by load-diagnose.ts.
    const inflate = async (bytes: Buffer): Promise<Buffer> => {
      try {
        return zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch (err) {
        // Bytes after a member that starts no other (gzip-members.ts): the members before them
        // tell the format; the load reads them member by member and says what was left.
        const members = (await gunzipMembers(bytes)).content;
        if (members.length > 0) return members;
        throw err;
      }
    };
    try {
      content = await inflate(head.subarray(0, SNIFF_GZIP_BYTES));
      format = detectFormat(content);
      // No whole first line in the prefix: look at more before calling it concatenated JSON.
      if (format === 'concatenated' && head.length > SNIFF_GZIP_BYTES) format = detectFormat((content = await inflate(head)));
    } catch (err) {
      return reject(describeGzipError(err), size);
    }
    // The gzip trailer holds the decompressed size modulo 2^32.
    const last = trailer ?? (head.length >= 4 ? head.subarray(head.length - 4) : undefined);
    const isize = last?.readUInt32LE(0) ?? 0;
    contentBytes = isize > size ? isize : size * 20;
  } else {
    format = detectFormat(content);
  }
  if (typeof format === 'object' && format.reason === ONLY_WHITESPACE) {
    // Blank lines may run past the part looked at (70,000 of them before a valid file).
    const rest = await afterWhitespace(file, gzip).catch(() => Buffer.alloc(0));
    if (rest.length > 0) format = detectFormat(rest);
  }

  if (typeof format === 'object') return reject(format.reason, size);
  if (format === 'parquet' && gzip) return reject('gzipped Parquet is not supported: decompress it first', size);
  const athena = format === 'lines' && isAthenaRow(firstLine(content));
  const results = !athena && (format === 'lines' || format === 'array') ? searchResults(content.toString('utf8')) : undefined;
  if (results) return reject(results, size);
  return { ok: true, file: { path: file, size, format, gzip, contentBytes, ...(athena ? { athena } : {}) } };
}

function detectFormat(content: Buffer): FileFormat | { reason: string } {
  if (content.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04) {
    return { reason: 'zip archive: unzip it first' };
  }
  let start = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  while (start < content.length && isJsonSpace(content[start]!)) start++;
  if (start === content.length) {
    return { reason: content.length === 0 ? 'empty file (gzip with no content)' : ONLY_WHITESPACE };
  }
  const first = content[start];
  if (first === 0x5b /* [ */) return 'array';
  if (first !== 0x7b /* { */) return { reason: describeNonJson(content.subarray(start)) };

  const text = content.subarray(start).toString('utf8');
  const newline = text.indexOf('\n');
  const firstLineWhole = newline >= 0 && isJson(text.slice(0, newline));
  // A whole first line with more after it is JSON lines, even when that line is a Records
  // wrapper: read as lines, a bad line costs only itself, and wrappers still give their events.
  if (firstLineWhole && text.slice(newline).trim() !== '') return 'lines';
  if (/^\{\s*"Records"\s*:/.test(text)) return 'records';
  if (DIGEST_KEY.test(text)) return { reason: 'CloudTrail digest file (integrity hashes, not events)' };
  // A first line that is not a whole object: pretty-printed or concatenated JSON.
  return firstLineWhole ? 'lines' : 'concatenated';
}

/** The first line of JSON text, its byte order mark and leading blank lines left out. */
function firstLine(content: Buffer): string {
  const text = content.toString('utf8').replace(/^\ufeff?\s*/, '');
  const newline = text.indexOf('\n');
  return newline < 0 ? text : text.slice(0, newline);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const ONLY_WHITESPACE = 'empty file (only whitespace)';

/** Up to HEAD_BYTES of the content after its leading whitespace: empty if there is none. */
function afterWhitespace(file: string, gzip: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const input = createReadStream(file);
    const stream = gzip ? input.pipe(zlib.createGunzip()) : input;
    const parts: Buffer[] = [];
    let kept = 0;
    const finish = (): void => {
      input.destroy();
      resolve(Buffer.concat(parts).subarray(0, HEAD_BYTES));
    };
    stream.on('data', (chunk: Buffer) => {
      let start = 0;
      if (kept === 0) {
        while (start < chunk.length && (isJsonSpace(chunk[start]!) || chunk[start] === 0xef || chunk[start] === 0xbb || chunk[start] === 0xbf)) start++;
        if (start === chunk.length) return;
      }
      parts.push(chunk.subarray(start));
      kept += chunk.length - start;
      if (kept >= HEAD_BYTES) finish();
    });
    stream.on('end', finish);
    stream.on('error', reject);
    input.on('error', reject);
  });
}

function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function describeNonJson(bytes: Buffer): string {
  const sample = bytes.subarray(0, 512);
  const binary = sample.includes(0) || sample.toString('utf8').includes('\ufffd');
  if (binary) return 'not JSON, gzip or Parquet (binary data)';
  const start = sample.toString('utf8').split(/\r?\n/)[0]!.slice(0, 24);
  return `not JSON (starts with ${JSON.stringify(start)})`;
}

export function describeGzipError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) {
    return 'truncated gzip (the compressed data ends early)';
  }
  return `corrupt gzip (${e.message})`;
}
