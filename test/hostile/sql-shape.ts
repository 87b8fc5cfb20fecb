// What a compiled search does, read from DuckDB's own parse of it (json_serialize_sql): how many
// statements it holds and which functions it calls. A crafted value that broke out of its quotes
// shows up here as a second statement or a function the compiler never writes.
import type { DuckDBConnection } from '@duckdb/node-api';

export interface SqlShape {
  statements: number;
  functions: Set<string>;
}

/** DuckDB functions that reach files, the environment or the configuration. */
export const FORBIDDEN_FUNCTION = /^(read_|glob$|getenv$|sniff_csv$|parquet_|query$|query_table$|pragma|current_setting$|duckdb_|which_secret$|load_|install_|iceberg|delta_|sqlite_|postgres_|mysql_|http|s3|copy|export|import|attach|detach|checkpoint|set_|enable_|disable_)/i;

export async function sqlShape(conn: DuckDBConnection, sql: string): Promise<SqlShape> {
  const reader = await conn.runAndReadAll('SELECT json_serialize_sql($sql::VARCHAR) AS j', { sql });
  const parsed = JSON.parse(String(reader.getRowObjectsJS()[0]!['j'])) as { error: boolean; error_message?: string; statements?: unknown[] };
  // Only SELECT statements serialise: anything else is an error here, which counts as a breakout.
  if (parsed.error) throw new Error(`not a single SELECT: ${parsed.error_message}\n${sql}`);
  const functions = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if (typeof obj['function_name'] === 'string') functions.add(obj['function_name']);
      Object.values(obj).forEach(walk);
    }
  };
  walk(parsed.statements);
  return { statements: parsed.statements?.length ?? 0, functions };
}

export function forbiddenCalls(shape: SqlShape): string[] {
  return [...shape.functions].filter((f) => FORBIDDEN_FUNCTION.test(f));
}
