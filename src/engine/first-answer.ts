// The first search of a run, over files the cache does not hold, answered from the events that can
// match it: a load into memory reads every event before the search can start (1M events: about
// as long as DuckDB's own read_json), and most searches keep few of them. Node reads and inflates
// each file and keeps the events holding the search's needles (compiler/prefilter.ts, picked by
// first-scan.ts); DuckDB parses only those, exactly as the ordinary loader parses events (the same
// INSERT, so every column, `_time` and `_raw` included, is what a whole load gives); the search
// runs over them and its rows go out. Then every file is loaded whole and the cache written, in a
// DuckDB instance of its own (the session's own can no longer read files once a search ran: see
// EventStore.lockDown), and the session reads the cache from then on.
//
// A file the scan cannot take exactly (another shape, damaged, too large, not UTF-8) is read
// whole the ordinary way, so its events are all there for the search to filter.

import { setImmediate } from 'node:timers/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { cacheFromTable } from './cache-after.js';
import type { CacheLookup } from './cache-lookup.js';
import type { CacheEntry } from './cache-files.js';
import { pickCandidates } from './first-scan.js';
import { insertTexts, readJsonText } from './load-inflate.js';
import { copyEventsOut } from './separate-load.js';
import { sniffFile, type SniffedFile } from './load-files.js';
import { NOT_CLOUDTRAIL } from './load-sql.js';
import { ensureEventsTable, loadCloudTrail, renumber, type LoadOptions } from './loader.js';
import { throwIfInterrupted, type LoadReport } from './types.js';

/** Files holding more JSON than this are read whole the ordinary way (one string each here). */
const MAX_TEXT_BYTES = 256 * 1024 * 1024;
/** Files read between two turns of the event loop (a cancel, the REPL's screen). */
const SLICE = 16;

/**
 * Loads into `conn`'s events table the events of `files` (absolute paths, sizes) that can hold all of
 * `needles`, numbered in Splunk's order as a whole load numbers them; throws TooMany past
 * `maxBytes` of their JSON (a search that keeps most events gains nothing here).
 */
export async function loadCandidates(conn: DuckDBConnection, files: { abs: string; size: number }[], needles: string[], opts: LoadOptions, maxBytes: number): Promise<void> {
  const index = opts.index === undefined ? 'main' : opts.index;
  await ensureEventsTable(conn);
  const picked: { file: SniffedFile; text: string }[] = [];
  const whole: string[] = [];
  let bytes = 0;
  let read = 0;
  const total = files.reduce((sum, f) => sum + f.size, 0);
  for (let i = 0; i < files.length; i++) {
    if (i % SLICE === 0) await setImmediate();
    throwIfInterrupted(opts.signal);
    // Past a tenth of the files' bytes, candidates on course for twice the limit stop here: a
    // search keeping that many gains nothing, and the rest of the scan would be wasted.
    if (read > total / 10 && (bytes * total) / read > 2 * maxBytes) throw new TooMany();
    read += files[i]!.size;
    const sniffed = await sniffFile(files[i]!.abs);
    // A file the ordinary load refuses gives no event either way.
    if (!sniffed.ok) continue;
    const file = sniffed.file;
    // Athena's rows become events only through their table's columns: read whole, the ordinary way.
    const text = !file.athena && (file.format === 'records' || file.format === 'lines') ? readJson(file) : null;
    const found = text === null ? null : pickCandidates(text, file.format as 'records' | 'lines', needles);
    if (found === null) {
      // Read whole, its events all count against the limit.
      whole.push(file.path);
      bytes += file.contentBytes;
    } else if (found.events > 0) {
      picked.push({ file, text: found.text });
      bytes += found.text.length;
    }
    if (bytes > maxBytes) throw new TooMany();
  }
  const invalid = await insertTexts(conn, picked, index);
  whole.push(...invalid.map((f) => f.path));
  if (whole.length > 0) await loadCloudTrail(conn, whole, { index: opts.index, renumber: false, signal: opts.signal, streamBytes: opts.streamBytes });
  await conn.run(`DELETE FROM ${EVENTS_TABLE} WHERE __seq IS NULL AND ${NOT_CLOUDTRAIL}`);
  await renumber(conn);
}

/** Thrown when the candidates are more than memory should hold: the ordinary load answers. */
class TooMany extends Error {
  constructor() {
    super('the search\'s candidate events are more than memory holds');
  }
}

/** The file's JSON text, or null when the scan should not take it (read whole instead). */
function readJson(file: SniffedFile): string | null {
  return file.contentBytes > MAX_TEXT_BYTES ? null : (readJsonText(file, MAX_TEXT_BYTES) ?? null);
}

/**
 * The rest of the first load, after the first answer: every file read whole (into `conn`, of an
 * instance of its own: separate-load.ts) and the cache written from it (cache-after.ts), one
 * segment per day as an answer-first load writes it. Returns the load's report and the cache's
 * entries; when the cache cannot be written, the events go to `parquet` instead (for the session
 * to read into memory) and `cacheError` says why.
 */
export async function loadWhole(
  conn: DuckDBConnection,
  dir: string,
  lookup: CacheLookup,
  opts: LoadOptions,
  parquet: string,
): Promise<{ report: LoadReport; entries?: CacheEntry[]; cacheError?: unknown }> {
  const report = await loadCloudTrail(conn, lookup.misses.map((m) => m.abs), opts);
  report.warnings.unshift(...lookup.report.warnings);
  report.filesSkipped += lookup.report.filesSkipped;
  try {
    return { report, entries: await cacheFromTable(conn, dir, lookup, report) };
  } catch (err) {
    // As an answer-first load's cache write: whatever failed, the session goes on from memory.
    await copyEventsOut(conn, parquet);
    return { report, cacheError: err };
  }
}
