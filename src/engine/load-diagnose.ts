// Turning a failed read of one file into a reason a person can act on. Runs only after DuckDB
// has refused the file, so it may afford to stream the file through Node again.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import zlib from 'node:zlib';
import { describeGzipError, type SniffedFile } from './load-files.js';
import { describeFsError } from './load-paths.js';

const MALFORMED = /Malformed JSON in file .*?, at byte (\d+) in (line|record\/value) (\d+): ([^\n]*?)\.?\s*$/m;

export async function explainReadFailure(file: SniffedFile, err: unknown): Promise<string> {
  try {
    await stat(file.path);
  } catch (statErr) {
    const reason = describeFsError(statErr);
    return reason === 'no such file or folder' ? 'file vanished during the load' : reason;
  }

  if (file.gzip) {
    const gzipProblem = await checkGzip(file.path);
    if (gzipProblem) return gzipProblem;
  }

  const message = err instanceof Error ? err.message : String(err);
  const malformed = MALFORMED.exec(message);
  if (malformed) {
    const [, byte, unit, n, detail] = malformed;
    if (unit === 'line') {
      // DuckDB's line numbers for newline-delimited input run one ahead (1.5.x); find the line.
      const line = (await firstBadLine(file, /UTF-8/i.test(detail!))) ?? Number(n);
      return `invalid JSON at line ${line}: ${detail}`;
    }
    // A records or array file is one JSON value, whose offsets count from the start of the file.
    if (file.format === 'records' || file.format === 'array') {
      return `invalid JSON at line ${await lineAt(file, Number(byte))}: ${detail}`;
    }
    return `invalid JSON in value ${n} (byte ${byte} of it): ${detail}`;
  }
  if (/permission denied/i.test(message)) return 'permission denied';
  if (/no files found|no such file/i.test(message)) return 'file vanished during the load';
  const first = message.split('\n')[0]!.replace(/^[A-Za-z ]+Error:\s*/, '');
  return `could not be read: ${first}`;
}

/** Streams the whole file through zlib: only a full inflate tells a truncated stream apart. */
function checkGzip(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const gunzip = zlib.createGunzip();
    gunzip.on('data', () => undefined);
    gunzip.on('end', () => resolve(undefined));
    gunzip.on('error', (err) => resolve(describeGzipError(err)));
    const input = createReadStream(file);
    input.on('error', (err) => resolve(describeFsError(err)));
    input.pipe(gunzip);
  });
}

/** 1-based line number of a byte offset into the (decompressed) content. */
function lineAt(file: SniffedFile, offset: number): Promise<number> {
  return new Promise((resolve) => {
    let line = 1;
    let seen = 0;
    const input = createReadStream(file.path);
    const stream = file.gzip ? input.pipe(zlib.createGunzip()) : input;
    const finish = (): void => {
      input.destroy();
      resolve(line);
    };
    stream.on('data', (chunk: Buffer) => {
      const take = Math.min(chunk.length, offset - seen);
      for (let i = 0; i < take; i++) if (chunk[i] === 0x0a) line++;
      seen += take;
      if (seen >= offset) finish();
    });
    stream.on('end', finish);
    stream.on('error', finish);
  });
}

/** 1-based number of the first non-blank line that is not valid JSON, if any. */
/** With `badUtf8`, a line holding U+FFFD (what Node decodes invalid UTF-8 to) is the bad one. */
async function firstBadLine(file: SniffedFile, badUtf8 = false): Promise<number | undefined> {
  const input = createReadStream(file.path);
  const lines = createInterface({ input: file.gzip ? input.pipe(zlib.createGunzip()) : input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      if (badUtf8 && line.includes('\ufffd')) return n;
      try {
        // A byte order mark before the first line is no part of it (the readers skip it).
        JSON.parse(n === 1 && line.startsWith('\ufeff') ? line.slice(1) : line);
      } catch {
        return n;
      }
    }
  } catch {
    // Unreadable midway: the caller falls back to DuckDB's own numbering.
  } finally {
    input.destroy();
  }
  return undefined;
}
