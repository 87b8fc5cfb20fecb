// Finding the files a load names (files, folders, globs) and telling, from their first bytes,
// which reader each needs. No DuckDB here: this runs before any query, so a bad file can be
// named without costing a failed read of every good one.

import { open, opendir, stat } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import type { LoadWarning } from './types.js';

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
}

export interface RejectedFile {
  path: string;
  size: number;
  reason: string;
}

export type SniffResult = { ok: true; file: SniffedFile } | { ok: false; file: RejectedFile };

/** Extensions picked up when walking a folder; other files there (README, LICENSE) are ignored. */
const DATA_FILE = /\.(json|jsonl|ndjson|cloudtrail|parquet|gz)$/i;
const GLOB_CHAR = /[*?]/;

export interface Expansion {
  files: string[];
  warnings: LoadWarning[];
}

/**
 * Expands paths to a de-duplicated list of files, keeping the order the paths were given in and
 * sorting within each folder or glob so the same arguments always give the same list.
 */
export async function expandPaths(paths: string[]): Promise<Expansion> {
  const files: string[] = [];
  const warnings: LoadWarning[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = path.resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };

  for (const given of paths) {
    const info = await stat(given).catch((err: NodeJS.ErrnoException) => err);
    if (!(info instanceof Error)) {
      if (info.isDirectory()) await walkFolder(given, add, warnings);
      else add(given);
      continue;
    }
    // A path that exists is taken literally even if it contains '*' or '?'.
    if (info.code === 'ENOENT' && GLOB_CHAR.test(given)) {
      const before = files.length;
      await expandGlob(given, add, warnings);
      if (files.length === before) {
        warnings.push({ file: given, reason: 'no files match this pattern', kind: 'skipped' });
      }
      continue;
    }
    warnings.push({ file: given, reason: describeFsError(info), kind: 'skipped' });
  }
  return { files, warnings };
}

async function walkFolder(
  folder: string,
  add: (file: string) => void,
  warnings: LoadWarning[],
): Promise<void> {
  const found: string[] = [];
  const ignored: string[] = [];
  await walk(
    folder,
    Infinity,
    (file, isDir) => {
      if (!isDir) (DATA_FILE.test(file) ? found : ignored).push(file);
    },
    warnings,
  );
  found.sort(compareStrings).forEach(add);
  if (found.length === 0) {
    warnings.push({
      file: folder,
      reason: 'folder holds no .json, .jsonl, .ndjson, .cloudtrail, .parquet or .gz files',
      kind: 'skipped',
    });
  } else if (ignored.length > 0) {
    const example = path.basename(ignored.sort(compareStrings)[0]!);
    warnings.push({
      file: folder,
      reason: `ignored ${ignored.length} file(s) that do not look like log files (e.g. ${example})`,
      kind: 'note',
    });
  }
}

/** Visits regular files below `dir`, at most `depth` levels down; hidden entries are skipped. */
async function walk(
  dir: string,
  depth: number,
  visit: (file: string, isDir: boolean) => boolean | void,
  warnings: LoadWarning[],
  visited = new Set<string>(),
): Promise<void> {
  let handle;
  try {
    // Symlinked folders could loop; a folder is walked once per load.
    const real = path.resolve(dir);
    if (visited.has(real)) return;
    visited.add(real);
    handle = await opendir(dir);
  } catch (err) {
    warnings.push({ file: dir, reason: describeFsError(err), kind: 'skipped' });
    return;
  }
  const entries: { name: string; isDir: boolean }[] = [];
  for await (const entry of handle) {
    if (entry.name.startsWith('.')) continue;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path.join(dir, entry.name)).catch(() => undefined);
      isDir = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDir || isFile) entries.push({ name: entry.name, isDir });
  }
  entries.sort((a, b) => compareStrings(a.name, b.name));
  const folders: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (!entry.isDir) visit(full, false);
    else if (visit(full, true) !== false && depth > 1) folders.push(full);
  }
  // Sibling folders are read together (an S3 layout has hundreds, one day each): callers sort
  // what they collect, so the order visits arrive in does not matter.
  await Promise.all(folders.map((folder) => walk(folder, depth - 1, visit, warnings, visited)));
}

async function expandGlob(
  pattern: string,
  add: (file: string) => void,
  warnings: LoadWarning[],
): Promise<void> {
  const segments = pattern.split('/');
  const firstGlob = segments.findIndex((s) => GLOB_CHAR.test(s));
  const baseSegments = segments.slice(0, firstGlob);
  const base = baseSegments.length === 0 ? '.' : baseSegments.join('/') || '/';
  const rest = segments.slice(firstGlob);
  const regex = globToRegExp(rest);
  const depth = rest.includes('**') ? Infinity : rest.length;
  const matches: string[] = [];
  const folders: string[] = [];
  await walk(
    base,
    depth,
    (full, isDir) => {
      const rel = path.relative(base, full).split(path.sep).join('/');
      if (!regex.test(rel)) return true;
      // `logs/*` matching a folder means everything in it, as a shell would pass it.
      if (isDir) {
        folders.push(full);
        return false;
      }
      matches.push(full);
      return true;
    },
    warnings,
  );
  matches.sort(compareStrings).forEach(add);
  for (const folder of folders.sort(compareStrings)) await walkFolder(folder, add, warnings);
}

/** `**` spans folders, `*` and `?` stay within one path segment. */
function globToRegExp(segments: string[]): RegExp {
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    for (const ch of segment) {
      if (ch === '*') source += '[^/]*';
      else if (ch === '?') source += '[^/]';
      else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    if (!last) source += '/';
  });
  return new RegExp(`^${source}$`);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return `cannot be read (${code ?? String(err)})`;
  }
}

/** Enough of the start of a file to recognise its format, even when gzipped. */
const HEAD_BYTES = 64 * 1024;
/** Compressed bytes inflated first: about 30 KB of JSON, past the first event of most files. */
const SNIFF_GZIP_BYTES = 4 * 1024;
const DIGEST_KEY = /"digest(Start|End)Time"\s*:/;

export async function sniffFile(file: string): Promise<SniffResult> {
  const reject = (reason: string, size = 0): SniffResult => ({ ok: false, file: { path: file, size, reason } });
  if (/CloudTrail-Digest/i.test(file)) {
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    return reject('CloudTrail digest file (integrity hashes, not events)', size);
  }

  let size: number;
  let head: Buffer;
  let trailer: Buffer | undefined;
  try {
    // Opening a named pipe blocks until something writes to it: look before opening.
    const kind = await stat(file);
    if (!kind.isFile()) return reject(kind.isDirectory() ? 'is a folder' : 'not a regular file (a pipe, socket or device)');
    const fd = await open(file, 'r');
    try {
      const info = await fd.stat();
      if (!info.isFile()) return reject('not a regular file');
      size = info.size;
      head = Buffer.alloc(Math.min(size, HEAD_BYTES));
      await fd.read(head, 0, head.length, 0);
      if (size > HEAD_BYTES) {
        trailer = Buffer.alloc(4);
        await fd.read(trailer, 0, 4, size - 4);
      }
    } finally {
      await fd.close();
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
    const inflate = (bytes: Buffer): Buffer => zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    try {
      content = inflate(head.subarray(0, SNIFF_GZIP_BYTES));
      format = detectFormat(content);
      // No whole first line in the prefix: look at more before calling it concatenated JSON.
      if (format === 'concatenated' && head.length > SNIFF_GZIP_BYTES) format = detectFormat((content = inflate(head)));
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

  if (typeof format === 'object') return reject(format.reason, size);
  if (format === 'parquet' && gzip) return reject('gzipped Parquet is not supported: decompress it first', size);
  return { ok: true, file: { path: file, size, format, gzip, contentBytes } };
}

function detectFormat(content: Buffer): FileFormat | { reason: string } {
  if (content.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04) {
    return { reason: 'zip archive: unzip it first' };
  }
  let start = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  while (start < content.length && isJsonSpace(content[start]!)) start++;
  if (start === content.length) {
    return { reason: content.length === 0 ? 'empty file (gzip with no content)' : 'empty file (only whitespace)' };
  }
  const first = content[start];
  if (first === 0x5b /* [ */) return 'array';
  if (first !== 0x7b /* { */) return { reason: describeNonJson(content.subarray(start)) };

  const text = content.subarray(start).toString('utf8');
  if (/^\{\s*"Records"\s*:/.test(text)) return 'records';
  if (DIGEST_KEY.test(text)) return { reason: 'CloudTrail digest file (integrity hashes, not events)' };
  const newline = text.indexOf('\n');
  if (newline < 0) return 'concatenated';
  try {
    JSON.parse(text.slice(0, newline));
    return 'lines';
  } catch {
    // A first line that is not a whole object: pretty-printed or concatenated JSON.
    return 'concatenated';
  }
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
