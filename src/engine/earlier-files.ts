// A load adds to what is loaded (the REPL's `:load` of a folder again, once new logs arrived): a
// file loaded earlier from under the same path that this load did not read (deleted, moved,
// unreadable now) keeps its events, as an index keeps what it took in. Kept silently, the load's
// line ("loaded 2 events from 1 file") and every count after it disagree with no word of why, so
// the load says so, and how to search only what is on disk now.
import type { DuckDBConnection } from '@duckdb/node-api';
import { existsSync, lstatSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import type { CachedEvents } from './cache-view.js';
import { GLOB_CHAR } from './load-paths.js';
import type { LoadReport, LoadWarning } from './types.js';

/** A file an earlier load read, and how many of its events are loaded. */
export interface EarlierFile {
  path: string;
  rows: number;
}

/** The files the in-memory table holds events of (none before the first load). */
export async function memorySources(conn: DuckDBConnection): Promise<EarlierFile[]> {
  try {
    const rows = (await conn.runAndReadAll(`SELECT source, count(*)::DOUBLE FROM ${EVENTS_TABLE} GROUP BY source`)).getRows();
    return rows.map(([path, n]) => ({ path: String(path), rows: Number(n) }));
  } catch {
    return [];
  }
}

/**
 * The report of a load of `paths`, with a note for the files loaded earlier from under them that
 * it did not read: `earlier` is the in-memory table's files before the load (memorySources), or
 * the cache's view after it (what its last load did not name, it did not read).
 */
export function noteEarlierNotRead(report: LoadReport, paths: string[], earlier: EarlierFile[] | CachedEvents | undefined): LoadReport {
  if (earlier === undefined) return report;
  const known = !Array.isArray(earlier);
  const files = Array.isArray(earlier) ? earlier : notInLastLoad(earlier);
  const note = earlierNotRead(paths, files, report, known);
  if (note) report.warnings.push(note);
  return report;
}

/** The files with events in the cache's view that its last load did not name. */
function notInLastLoad(cached: CachedEvents): EarlierFile[] {
  const named = new Set(cached.lastLoad().map((e) => e.path));
  return cached.select({}).filter((f) => !named.has(f.entry.path)).map((f) => f.entry);
}


/**
 * The note for the files of `earlier` under one of `paths` that this load did not read again:
 * `known` when `earlier` lists only such files (the cache's view knows what the last load named);
 * otherwise a file still on disk and not skipped by this load was read again, replacing its rows.
 */
function earlierNotRead(paths: string[], earlier: EarlierFile[], report: LoadReport, known: boolean): LoadWarning | undefined {
  if (earlier.length === 0) return undefined;
  // A glob names no folder to be under: its earlier files are not judged.
  const roots = paths.filter((p) => !GLOB_CHAR.test(p) || existsSync(p)).map((p) => resolve(p));
  const rootOf = (file: string) => roots.find((r) => file === r || file.startsWith(r.endsWith(sep) ? r : r + sep));
  const skipped = new Set(report.warnings.filter((w) => w.kind === 'skipped').map((w) => resolve(w.file)));
  let gone = 0;
  let unreadable = 0;
  let other = 0;
  let events = 0;
  let first: { root: string; file: string } | undefined;
  for (const f of earlier) {
    const root = rootOf(f.path);
    if (root === undefined || f.rows === 0) continue;
    const exists = lstatSync(f.path, { throwIfNoEntry: false }) !== undefined;
    if (exists && !skipped.has(f.path) && !known) continue;
    if (!exists) gone++;
    else if (skipped.has(f.path)) unreadable++;
    else other++;
    events += f.rows;
    first ??= { root, file: f.path };
  }
  if (first === undefined) return undefined;
  const files = gone + unreadable + other;
  const why = [gone && `${gone} gone from disk`, unreadable && `${unreadable} unreadable now, as warned above`, other && `${other} no longer found by the walk`].filter(Boolean).join(', ');
  return {
    file: first.root,
    kind: 'note',
    reason:
      `${files} file${files === 1 ? '' : 's'} loaded earlier from here ${files === 1 ? 'was' : 'were'} not read by this load (${why}), e.g. ${first.file}; ` +
      `${files === 1 ? 'its' : 'their'} ${events} event${events === 1 ? ' is' : 's are'} still loaded and searched (a load adds to what is loaded): start spelunk again with --data to search only what is on disk now`,
  };
}
