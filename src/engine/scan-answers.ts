// The field sidebar's scans of `_raw`, kept per loaded data (compiler/kept-scans.ts): for each
// scanning input, the events where it is not null, in a temporary table, with what it was counted
// over. An answer is served only for the same loaded data (the store's key: every load, and any
// repair of the cache, changes it; so does the time range the events view is pointed at) and to
// rows that are events meeting every condition it was counted under. Each DuckDB connection keeps
// its own (a temporary table is its connection's alone): the REPL's sidebar job counts on one of
// its own (engine/sidebar-job.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Scan, ScanAnswer, ScanAnswers as ScanAnswersOf } from '../compiler/kept-scans.js';
import { ident } from '../compiler/sql.js';

/** More distinct values than this and an answer is not kept (a CASE per value reads it). */
const MAX_VALUES = 16;

interface Kept extends ScanAnswer {
  /** The store's key of the loaded events it was counted over. */
  data: string;
  where: string[];
}

export class ScanAnswers {
  private readonly kept = new WeakMap<DuckDBConnection, Map<string, Kept>>();
  private made = 0;
  /** Bumped whenever the loaded events may change. */
  private version = 0;

  /**
   * The loaded events may change (a load starts; a search is about to repair the cache, which
   * may read changed logs): no answer kept so far is served again. Passes `value` on.
   */
  changed<T>(value: T): T {
    this.version++;
    return value;
  }

  /** For one sidebar (SummaryRunner.scans) over the events a search of this time range reads (the cache's view is pointed at its files). */
  over(conn: DuckDBConnection, range: { earliest?: number; latest?: number }): { answers: ScanAnswersOf; keep: (rows: string, scans: Scan[]) => Promise<void> } {
    const data = JSON.stringify([this.version, range.earliest ?? null, range.latest ?? null]);
    return { answers: this.answers(this.on(conn), data), keep: (rows, scans) => this.keep(conn, data, rows, scans) };
  }

  /** The answers kept on `conn`. */
  private on(conn: DuckDBConnection): Map<string, Kept> {
    let kept = this.kept.get(conn);
    if (!kept) this.kept.set(conn, (kept = new Map()));
    return kept;
  }

  private answers(kept: Map<string, Kept>, data: string): ScanAnswersOf {
    return (key, where) => {
      const k = kept.get(key);
      return k && k.data === data && k.where.every((w) => where.includes(w)) ? { relation: k.relation, values: k.values } : undefined;
    };
  }

  /**
   * Keeps each scan's answer from `rows` (a table, or a query in parentheses, of every event its
   * conditions admit, with `__seq`), replacing the one kept for the same input.
   */
  private async keep(conn: DuckDBConnection, data: string, rows: string, scans: Scan[]): Promise<void> {
    for (const scan of scans) {
      const relation = ident(`__spelunk_scan_${++this.made}`);
      const v = ident(scan.column);
      await conn.run(`CREATE TEMP TABLE ${relation} AS SELECT "__seq" AS "__scan_seq", ${v} AS "__scan_v" FROM ${rows} WHERE ${v} IS NOT NULL`);
      const found = (await conn.runAndReadAll(`SELECT DISTINCT "__scan_v" AS v FROM ${relation} LIMIT ${MAX_VALUES + 1}`)).getRowObjectsJS();
      const values = found.map((r) => r.v).filter((v): v is string | boolean => typeof v === 'string' || typeof v === 'boolean');
      if (values.length !== found.length || values.length > MAX_VALUES) {
        await conn.run(`DROP TABLE ${relation}`);
        continue;
      }
      await this.forget(conn, scan.key);
      this.on(conn).set(scan.key, { relation, values, data, where: scan.where });
    }
  }

  private async forget(conn: DuckDBConnection, key: string): Promise<void> {
    const old = this.on(conn).get(key);
    this.on(conn).delete(key);
    if (old) await conn.run(`DROP TABLE IF EXISTS ${old.relation}`);
  }
}
