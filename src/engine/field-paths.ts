// The dotted paths that occur inside the nested JSON columns of the loaded events, for field
// completion. SPL has no command for this (it needs DuckDB's json_tree); the SQL names only fixed
// columns, never user text.
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';

/** The nested JSON columns worth walking for dotted paths (`userIdentity.arn`, `resources{}.ARN`). */
const NESTED = ['userIdentity', 'resources', 'requestParameters', 'responseElements', 'additionalEventData', 'tlsDetails'];

/** Paths found in a sample of `sample` events, most frequent first, at most `limit`. */
export async function nestedFieldPaths(conn: DuckDBConnection, sample: number, limit: number): Promise<string[]> {
  const walk = NESTED.map((c) => `SELECT '${c}' AS col, t.fullkey AS k FROM s, json_tree(s."${c}") t WHERE t.type NOT IN ('OBJECT', 'ARRAY')`).join(' UNION ALL ');
  const sql = `WITH s AS (SELECT ${NESTED.map((c) => `"${c}"`).join(', ')} FROM ${EVENTS_TABLE} USING SAMPLE ${Math.floor(sample)} ROWS),
    j AS (${walk})
    SELECT col || regexp_replace(regexp_replace(k, '\\[[0-9]+\\]', '{}', 'g'), '^\\$', '') AS path, count(*) AS n
    FROM j GROUP BY 1 ORDER BY n DESC, path LIMIT ${Math.floor(limit)}`;
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjects().map((r) => String(r.path)).filter((p) => /^[\w.{}@-]+$/.test(p) && !p.includes('..'));
}
