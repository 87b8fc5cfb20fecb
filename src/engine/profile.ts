// The job inspector's measurements. A REPL search is profiled as it runs (DuckDB's plan, fused:
// its operators with their rows and times, `SearchRecorder`); `:inspect --rerun` runs it again
// with each of its CTEs materialised, so that every pipeline stage keeps its own rows and time.
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  operator_rows_scanned?: number;
  extra_info?: Record<string, unknown>;
  children?: PlanNode[];
  latency?: number;
  query_name?: string;
}

/** One operator of the plan DuckDB ran: the rows it produced and its own time. */
export interface PlanOperator {
  name: string;
  rows: number;
  /** Rows a scan read from its table or files (0 for other operators). */
  scanned: number;
  /** Seconds, summed over threads. */
  seconds: number;
  /** DuckDB's description (its table, filters, groups...), as it gives it. */
  info: Record<string, string>;
  children: PlanOperator[];
}

/** A search's plan as it ran, from DuckDB's profiler. */
export interface RanProfile {
  /** Wall-clock seconds DuckDB reports for the query (until its last row was read). */
  latency: number;
  /** The query's first operator (the rows it returned are `root.rows`). */
  root: PlanOperator;
}

function operator(node: PlanNode): PlanOperator {
  const info: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.extra_info ?? {})) info[k] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  return {
    name: node.operator_name ?? node.operator_type ?? '?',
    rows: node.operator_cardinality ?? 0,
    scanned: node.operator_rows_scanned ?? 0,
    seconds: node.operator_timing ?? 0,
    info,
    children: (node.children ?? []).map(operator),
  };
}

/** DuckDB's JSON profile of one query: its top node holds the totals, its child the plan. */
function readRanProfile(top: PlanNode): RanProfile | null {
  const first = top.children?.[0];
  if (!first) return null;
  return { latency: top.latency ?? 0, root: operator(first) };
}

/**
 * Profiles the statements run between `begin` and `end` on a connection whose profiler was set
 * up by `setUp` before its configuration was locked (DuckDB keeps the format and the file; only
 * the PRAGMAs that switch it on and off are allowed after the lock). Off, it costs nothing.
 */
export class SearchRecorder {
  private readonly file: string;
  constructor(private readonly dir: string) {
    this.file = join(dir, 'profile.json');
  }

  /** Before the lock: JSON to the scratch folder, switched off until a search asks for it. */
  async setUp(conn: DuckDBConnection): Promise<void> {
    await conn.run("SET enable_profiling = 'json'");
    await conn.run(`SET profiling_output = '${this.file.replace(/'/g, "''")}'`);
    await conn.run('PRAGMA disable_profiling');
  }

  /**
   * Switches the profiler on, if its file can be written: DuckDB fails the query itself when it
   * cannot write the profile (with no reason given), and a search must not fail for its profile.
   */
  async begin(conn: DuckDBConnection): Promise<boolean> {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(this.file, '{}');
    } catch {
      return false;
    }
    await conn.run('PRAGMA enable_profiling');
    return true;
  }

  /** The profile of `sql`, if DuckDB wrote one for it (a query stopped before its end leaves none). */
  async end(conn: DuckDBConnection, sql: string): Promise<RanProfile | null> {
    await conn.run('PRAGMA disable_profiling');
    let top: PlanNode;
    try {
      top = JSON.parse(readFileSync(this.file, 'utf8')) as PlanNode;
    } catch {
      return null;
    } finally {
      rmSync(this.file, { force: true });
    }
    return top.query_name === sql ? readRanProfile(top) : null;
  }
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
