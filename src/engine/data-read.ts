// What a search read, for the job inspector: the cache's files, days and segments its time range
// selects, or the in-memory table (the JSON files read at load, with --no-cache).
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { dayOf, type CacheEntry } from './cache-files.js';
import type { TimeRange } from './cache-view.js';

export interface DataRead {
  kind: 'cache' | 'memory';
  /** The cache folder (kind 'cache'). */
  dir?: string;
  /** Source files whose events the search could read. */
  files: number;
  /** UTC days those events fall on. */
  days: number;
  /** Parquet segments read (kind 'cache'), and their bytes. */
  segments?: number;
  bytes?: number;
  /** Events in those files (before the search's own filters). */
  events: number;
  /** (kind 'memory') The cache folder an answer-first load writes after the first answer. */
  cacheAfter?: string;
}

export async function dataRead(conn: DuckDBConnection, cache: { dir: string; files: { entry: CacheEntry }[] } | null, range: TimeRange): Promise<DataRead> {
  if (cache) {
    const entries = cache.files.map((f) => f.entry);
    const segments = new Map(entries.filter((e) => e.parquet !== null).map((e) => [e.parquet!, e.parquetBytes ?? 0]));
    return {
      kind: 'cache', dir: cache.dir, files: entries.length, days: new Set(entries.map(dayOf)).size, segments: segments.size,
      bytes: [...segments.values()].reduce((a, b) => a + b, 0), events: entries.reduce((n, e) => n + e.rows, 0),
    };
  }
  // Numbers only go into this text (the range is epoch seconds).
  const where = [range.earliest === undefined ? null : `"_time" >= ${Number(range.earliest)}`, range.latest === undefined ? null : `"_time" < ${Number(range.latest)}`].filter(Boolean);
  const reader = await conn.runAndReadAll(`SELECT count(DISTINCT source), count(DISTINCT floor("_time" / 86400)), count(*) FROM ${EVENTS_TABLE}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`);
  const [files, days, events] = reader.getRows()[0]!.map(Number);
  return { kind: 'memory', files: files!, days: days!, events: events! };
}
