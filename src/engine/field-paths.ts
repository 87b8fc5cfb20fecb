// The dotted paths that occur inside the nested JSON columns of the loaded events, for field
// completion. SPL has no command for this (it needs DuckDB's json_tree); the SQL names only fixed
// columns, never user text.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';

/** The nested JSON columns worth walking for dotted paths (`userIdentity.arn`, `resources{}.ARN`). */
const NESTED = ['userIdentity', 'resources', 'requestParameters', 'responseElements', 'additionalEventData', 'tlsDetails'];

/**
 * json_tree builds every node's full path, so its work grows with the square of the nesting: one
 * event nested 10,000 deep took 2 s, 1,000,000 deep hours. Values with more brackets than any
 * ordinary CloudTrail object are left out of the sample (completion loses nothing of use).
 */
const MAX_BRACKETS = 2000;

function shallow(value: string): string {
  const text = `${value}::VARCHAR`;
  return `CASE WHEN length(${text}) - length(replace(replace(${text}, '{', ''), '[', '')) <= ${MAX_BRACKETS} THEN ${value} END`;
}

/** Events kept of each rare API call (see below). */
const PER_RARE_CALL = 20;

/**
 * Paths found in the loaded events, most frequent first, at most `limit`. Each API call has its
 * own request and response shape, and the calls an analyst hunts for are the rare ones (one
 * CreateAccessKey among 30,000 events): a uniform sample of `sample` events misses them. So the
 * sample is joined by a few events of every call (eventSource, eventName) it is unlikely to hold.
 */
async function nestedFieldPaths(conn: DuckDBConnection, sample: number, limit: number): Promise<string[]> {
  const n = Math.floor(sample);
  const cols = NESTED.map((c) => `"${c}"`).join(', ');
  const walk = NESTED.map((c) => `SELECT '${c}' AS col, t.fullkey AS k FROM s, json_tree(${shallow(`s."${c}"`)}) t WHERE t.type NOT IN ('OBJECT', 'ARRAY')`).join(' UNION ALL ');
  const sql = `WITH calls AS (SELECT "eventSource", "eventName", count(*) AS n FROM ${EVENTS_TABLE} GROUP BY ALL),
    rare AS (SELECT "eventSource", "eventName" FROM calls WHERE n * ${n} < 5 * (SELECT sum(n) FROM calls)),
    s AS (
      (SELECT ${cols} FROM ${EVENTS_TABLE} USING SAMPLE ${n} ROWS)
      UNION ALL
      (SELECT ${NESTED.map((c) => `e."${c}"`).join(', ')} FROM ${EVENTS_TABLE} e
        SEMI JOIN rare r ON e."eventSource" IS NOT DISTINCT FROM r."eventSource" AND e."eventName" IS NOT DISTINCT FROM r."eventName"
        QUALIFY row_number() OVER (PARTITION BY e."eventSource", e."eventName") <= ${PER_RARE_CALL})
    ),
    j AS (${walk})
    SELECT col || regexp_replace(regexp_replace(k, '\\[[0-9]+\\]', '{}', 'g'), '^\\$', '') AS path, count(*) AS n
    FROM j GROUP BY 1 ORDER BY n DESC, path LIMIT ${Math.floor(limit)}`;
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjects().map((r) => String(r.path)).filter((p) => /^[\w.{}@-]+$/.test(p) && !p.includes('..'));
}

/**
 * nestedFieldPaths of the loaded events, remembered with the cache (`cacheDir`) for the files
 * `key` names (EventStore.dataKey; none when the events are not the cache's, settled). The REPL
 * waits for them after every load, and finding them reads every event: 5.9 s at 5M events (3.9
 * CPU-s), 1.1 s at 1M, ten times the warm start's load.
 */
export function fieldPathsOf(conn: DuckDBConnection, cacheDir: string | undefined, key: string | undefined, sample: number, limit: number): Promise<string[]> {
  const find = () => nestedFieldPaths(conn, sample, limit);
  if (cacheDir === undefined || key === undefined) return find();
  return rememberedPaths(path.resolve(cacheDir, FIELD_PATHS_FILE), `${key}\0${sample}\0${limit}`, find);
}

/** The file in a cache folder that remembers the paths found for each set of cached files. */
const FIELD_PATHS_FILE = 'field-paths.json';
/** Sets of files remembered: the oldest is forgotten past this many. */
const REMEMBERED = 16;

/**
 * The paths `find` gives for the files `key` names (EventStore.dataKey: the manifest's digest,
 * which changes with any file), remembered in `file`. A set found again is as good as the one
 * remembered: the paths come from a sample anyway. A file that cannot be read or written costs
 * the search, nothing else.
 */
async function rememberedPaths(file: string, key: string, find: () => Promise<string[]>): Promise<string[]> {
  let known: Record<string, unknown> = {};
  try {
    known = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // None yet, or unreadable: found again.
  }
  const paths = known[key];
  if (Array.isArray(paths) && paths.every((p) => typeof p === 'string')) return paths as string[];
  const found = await find();
  const kept = Object.entries(known).filter(([k, v]) => k !== key && Array.isArray(v)).slice(-(REMEMBERED - 1));
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries([...kept, [key, found]])));
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written.
  }
  return found;
}
