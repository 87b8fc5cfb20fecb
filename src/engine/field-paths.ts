// The dotted paths that occur inside the nested JSON columns of the loaded events, for field
// completion. SPL has no command for this (it needs DuckDB's json_tree); the SQL names only fixed
// columns, never user text.
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';

/** The nested JSON columns worth walking for dotted paths (`userIdentity.arn`, `resources{}.ARN`). */
export const NESTED = ['userIdentity', 'resources', 'requestParameters', 'responseElements', 'additionalEventData', 'tlsDetails'];

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

/**
 * One row per leaf of the nested columns of `src`'s rows: `keep`'s columns and the leaf's dotted
 * path (`resources{}.ARN`: an array's elements are one path).
 */
export function leafPathsSql(src: string, keep: string[]): string {
  const kept = keep.map((k) => `s.${k}, `).join('');
  const walk = NESTED.map((c) => `SELECT ${kept}'${c}' AS col, t.fullkey AS k FROM ${src} s, json_tree(${shallow(`s."${c}"`)}) t WHERE t.type NOT IN ('OBJECT', 'ARRAY')`).join(' UNION ALL ');
  return `SELECT ${keep.map((k) => `${k}, `).join('')}col || regexp_replace(regexp_replace(k, '\\[[0-9]+\\]', '{}', 'g'), '^\\$', '') AS path FROM (${walk})`;
}

/** A path completion can offer as a field name (keys with odd characters are left out). */
export const usablePath = (p: string): boolean => /^[\w.{}@-]+$/.test(p) && !p.includes('..');

/** Events kept of each rare API call (see below). */
const PER_RARE_CALL = 20;

/**
 * Paths found in the loaded events, most frequent first, at most `limit`. Each API call has its
 * own request and response shape, and the calls an analyst hunts for are the rare ones (one
 * CreateAccessKey among 30,000 events): a uniform sample of `sample` events misses them. So the
 * sample is joined by a few events of every call (eventSource, eventName) it is unlikely to hold.
 */
export async function nestedFieldPaths(conn: DuckDBConnection, sample: number, limit: number): Promise<string[]> {
  const n = Math.floor(sample);
  const cols = NESTED.map((c) => `"${c}"`).join(', ');
  const sql = `WITH calls AS (SELECT "eventSource", "eventName", count(*) AS n FROM ${EVENTS_TABLE} GROUP BY ALL),
    rare AS (SELECT "eventSource", "eventName" FROM calls WHERE n * ${n} < 5 * (SELECT sum(n) FROM calls)),
    s AS (
      (SELECT ${cols} FROM ${EVENTS_TABLE} USING SAMPLE ${n} ROWS)
      UNION ALL
      (SELECT ${NESTED.map((c) => `e."${c}"`).join(', ')} FROM ${EVENTS_TABLE} e
        SEMI JOIN rare r ON e."eventSource" IS NOT DISTINCT FROM r."eventSource" AND e."eventName" IS NOT DISTINCT FROM r."eventName"
        QUALIFY row_number() OVER (PARTITION BY e."eventSource", e."eventName") <= ${PER_RARE_CALL})
    )
    SELECT path, count(*) AS n FROM (${leafPathsSql('s', [])}) GROUP BY 1 ORDER BY n DESC, path LIMIT ${Math.floor(limit)}`;
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjects().map((r) => String(r.path)).filter(usablePath);
}
