// The job inspector's measurements: a search run again under DuckDB's profiler with each of its
// CTEs materialised, so that every pipeline stage keeps its own rows and time (inlined, DuckDB
// would fuse the stages and the profile could not say which command cost what).
import type { DuckDBConnection } from '@duckdb/node-api';

/** One CTE of the search as it ran: rows it produced and its time. */
export interface StageProfile {
  name: string;
  rowsOut: number;
  /** Seconds, summed over the stage's operators (all threads). */
  seconds: number;
}

export interface SearchProfile {
  /** The CTEs in order, then the final SELECT (named ''). */
  stages: StageProfile[];
  /** Wall-clock seconds DuckDB reports for the whole query. */
  latency: number;
  /** Rows the query returned. */
  rows: number;
}

/**
 * The compiled SQL with every CTE materialised. Only the compiler's own CTE headers are touched:
 * a name at the start of a line after `WITH ` or `),`, then `AS (` and a line break.
 */
export function materialized(sql: string): string {
  const names: string[] = [];
  const out = sql.replace(/(^WITH |\),\n)([A-Za-z_]\w*) AS \(\n/gm, (_m, before: string, name: string) => {
    names.push(name);
    return `${before}${name} AS MATERIALIZED (\n`;
  });
  // DuckDB moves a filter that every reader of a materialised CTE applies into the CTE itself
  // (its CTE filter pusher), which made a stage look as if it filtered what the next one did. A
  // reader with no filter (a count, beside the final SELECT's own table) keeps each stage whole.
  const at = out.lastIndexOf('\n)\nSELECT ');
  const final = at < 0 ? null : /^\n\)\nSELECT [^\n]*\nFROM ([A-Za-z_]\w*)\n/.exec(out.slice(at));
  if (!final || names.length === 0) return out;
  const readers = names.map((n, i) => `(SELECT count(*) FROM ${n}) AS "__whole${i}"`).join(', ');
  return out.slice(0, at) + final[0].replace(/\nFROM (\w+)\n$/, `\nFROM $1, ${readers}\n`) + out.slice(at + final[0].length);
}

interface PlanNode {
  operator_name?: string;
  operator_type?: string;
  operator_cardinality?: number;
  operator_timing?: number;
  extra_info?: Record<string, unknown>;
  children?: PlanNode[];
  latency?: number;
}

function sum(node: PlanNode, pick: (n: PlanNode) => number): number {
  return pick(node) + (node.children ?? []).reduce((s, c) => s + sum(c, pick), 0);
}

const isCte = (n: PlanNode) => n.operator_name === 'CTE' || n.operator_type === 'CTE';

/**
 * Reads DuckDB's JSON profile: a materialised CTE is a node whose first child computes it and
 * whose second child is the rest of the query (later CTEs, then the final SELECT).
 */
export function readProfile(plan: PlanNode): SearchProfile {
  const stages: StageProfile[] = [];
  const stage = (name: string, body: PlanNode | undefined): StageProfile => ({
    name,
    rowsOut: body?.operator_cardinality ?? 0,
    seconds: body ? sum(body, (n) => n.operator_timing ?? 0) : 0,
  });
  // The top is the query and its EXPLAIN_ANALYZE wrapper: walk down to the first real operator.
  let node: PlanNode | undefined = plan;
  while (node && (node.operator_name === undefined || node.operator_name === 'EXPLAIN_ANALYZE') && node.children?.length === 1) node = node.children[0];
  while (node && isCte(node) && (node.children?.length ?? 0) >= 2) {
    stages.push(stage(String(node.extra_info?.['CTE Name'] ?? ''), node.children![0]));
    node = node.children![1];
  }
  stages.push(stage('', node));
  // The final operator's rows are the result's (the top-level rows_returned counts the EXPLAIN's own row).
  return { stages, latency: plan.latency ?? 0, rows: stages.at(-1)!.rowsOut };
}

/** Runs `sql` (already capped as the search was) under the profiler; rows are counted, not kept. */
export async function profileQuery(conn: DuckDBConnection, sql: string): Promise<SearchProfile> {
  const reader = await conn.runAndReadAll(`EXPLAIN (ANALYZE, FORMAT json) ${materialized(sql)}`);
  const row = reader.getRows()[0];
  const text = row?.[1] ?? row?.[0];
  return readProfile(JSON.parse(String(text)) as PlanNode);
}
