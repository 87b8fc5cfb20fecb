// The dotted paths that occur inside the nested JSON columns of the loaded events, for field
// completion. SPL has no command for this (it needs DuckDB's json_tree); the SQL names only fixed
// columns, never user text.
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

function shallow(column: string): string {
  const text = `"${column}"::VARCHAR`;
  return `CASE WHEN length(${text}) - length(replace(replace(${text}, '{', ''), '[', '')) <= ${MAX_BRACKETS} THEN "${column}" END AS "${column}"`;
}

/** Paths found in a sample of `sample` events, most frequent first, at most `limit`. */
export async function nestedFieldPaths(conn: DuckDBConnection, sample: number, limit: number): Promise<string[]> {
  const walk = NESTED.map((c) => `SELECT '${c}' AS col, t.fullkey AS k FROM s, json_tree(s."${c}") t WHERE t.type NOT IN ('OBJECT', 'ARRAY')`).join(' UNION ALL ');
  const sql = `WITH s AS (SELECT ${NESTED.map(shallow).join(', ')} FROM ${EVENTS_TABLE} USING SAMPLE ${Math.floor(sample)} ROWS),
    j AS (${walk})
    SELECT col || regexp_replace(regexp_replace(k, '\\[[0-9]+\\]', '{}', 'g'), '^\\$', '') AS path, count(*) AS n
    FROM j GROUP BY 1 ORDER BY n DESC, path LIMIT ${Math.floor(limit)}`;
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjects().map((r) => String(r.path)).filter((p) => /^[\w.{}@-]+$/.test(p) && !p.includes('..'));
}
