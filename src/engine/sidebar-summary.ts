// The field sidebar's passes over one search's rows (Engine.summarizeFields): the computed fields
// (the add-on's tag, eventtype, action...) over the distinct combinations of what they read
// (compiler/grouped-fields.ts), the other fields row by row over their own values, both in one
// aggregate over the rows as they are computed (field-summary.ts groupedSummarySql); the first
// rows of a search are made once into a temporary table for the passes to read. Over every row,
// the rules' conditions that have one answer on all of the search's rows are folded first
// (compiler/fold-conditions.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import { atomsSql, domainOf, knownConditions, type KnownConditions } from '../compiler/fold-conditions.js';
import { groupedFields, rowsScanRaw, tableConditions, type GroupedFields } from '../compiler/grouped-fields.js';
import type { Scan, ScanAnswers } from '../compiler/kept-scans.js';
import type { CompiledSearch } from '../compiler/types.js';
import {
  combinationsSql, groupedSummarySql, identifierSummarySql, multivalueSummarySql, readGroupedSummary, readIdentifierSummary,
  readMultivalueSummary, readScalarSummary, scalarSummarySql, SIDEBAR_ROWS, withRowColumns, type FieldSummary,
} from './field-summary.js';

export interface SummaryOptions {
  /** Over the first this many rows only (the search was compiled with `| head first`). */
  first?: number;
  /**
   * Which computed fields are counted over combinations: 'auto' (default) all of them over the
   * first rows, and over every row those whose inputs are not nearly as many as the rows; 'all'
   * every one (tests compare it with the per-row count); 'none' none.
   */
  group?: 'auto' | 'all' | 'none';
}

export interface SummaryRunner {
  conn: DuckDBConnection;
  /** Runs `read` (which runs `sql`), an EngineError naming the SQL when it fails or was cancelled. */
  query: <T>(sql: string, read: () => Promise<T>) => Promise<T>;
  /** The scans of `_raw` kept for the loaded events (scan-answers.ts), and how to keep more from the rows (a table or a query in parentheses). */
  scans?: { answers: ScanAnswers; keep: (rows: string, scans: Scan[]) => Promise<void> };
}

/**
 * Grouping a set of inputs pays while it has few combinations. Counted over the first SAMPLE_ROWS
 * rows, a set with more than DENSE of them distinct is counted row by row instead: the 1M bench's
 * add-on sets have 20-4,000 combinations, the ones passing an ARN or a session name through
 * 46,000-415,000, where grouping first cost as much as computing every row.
 */
const SAMPLE_ROWS = 20_000;
const DENSE = 0.1;

export async function summarize(
  run: SummaryRunner, compiled: CompiledSearch, opts: SummaryOptions & { fields: string[]; identifiers: string[] },
): Promise<{ rows: number; fields: FieldSummary[] }> {
  const { conn } = run;
  const { fields, identifiers, first } = opts;
  const group = opts.group ?? 'auto';
  const known = group === 'none' || first !== undefined ? new Map() : await foldable(run, compiled);
  const answers = run.scans?.answers;
  let wanted = fields;
  let grouped = group === 'none' ? undefined : groupedFields(compiled, wanted, known, answers);
  if (grouped && first === undefined && group === 'auto') {
    const dense = await denseFields(run, grouped);
    if (dense.size) grouped = groupedFields(compiled, (wanted = fields.filter((f) => !dense.has(f))), known, answers);
  }
  const scans = grouped && run.scans ? grouped.scans : [];
  // A search that scans `_raw` itself (a bare term) costs too much to run more than once: its
  // rows are made into a table that the scans are kept from and every pass reads. Otherwise the
  // scans are kept from the rows' query (only `__seq` and their columns read) and the rows
  // counted next read the kept answers instead of scanning again.
  const rescans = rowsScanRaw(compiled);
  if (scans.length && !rescans) {
    await run.query('', () => run.scans!.keep(`(\n${grouped!.sql}\n)`, scans));
    grouped = groupedFields(compiled, wanted, known, answers);
  }
  const columns = grouped ? grouped.columns : compiled.columns;
  const scalar = columns.filter((c) => compiled.types[c] !== 'mv' && !identifiers.includes(c));
  const multi = columns.filter((c) => compiled.types[c] === 'mv' && !identifiers.includes(c));
  const ids = columns.filter((c) => identifiers.includes(c));
  let source = grouped ? grouped.sql : compiled.sql;
  const passes = 1 + (ids.length ? 1 : 0) + (!grouped && multi.length ? 1 : 0) + (scans.length ? 1 : 0);
  // The first rows are made once too (head over unordered rows picks any), for the passes to read the same.
  const table = first !== undefined || (rescans && passes > 1);
  if (table) {
    const make = `CREATE OR REPLACE TEMP TABLE ${SIDEBAR_ROWS} AS\n${source}`;
    await run.query(make, () => conn.run(make));
    source = `SELECT * FROM ${SIDEBAR_ROWS}`;
  }
  try {
    if (scans.length && rescans) await run.query('', () => run.scans!.keep(SIDEBAR_ROWS, scans));
    let rows: number | undefined;
    const counted: FieldSummary[] = [];
    if (grouped) {
      // One aggregate over the rows: the computed fields over their inputs' combinations, the
      // columns counted row by row over their own values.
      const all = withRowColumns(grouped, scalar, multi);
      const sql = groupedSummarySql(source, all);
      const done = await run.query(sql, () => readGroupedSummary(conn, sql, all));
      rows = done.rows;
      counted.push(...done.fields);
    } else {
      const main = scalar.length ? scalarSummarySql(source, scalar) : `SELECT count(*) AS rows FROM (\n${source}\n)`;
      const done = await run.query(main, () => readScalarSummary(conn, main, scalar));
      rows = done.rows;
      counted.push(...done.fields);
    }
    if (ids.length && rows > 0) {
      const sql = identifierSummarySql(source, ids);
      counted.push(...(await run.query(sql, () => readIdentifierSummary(conn, sql, ids))));
    }
    if (multi.length && !grouped) {
      const sql = multivalueSummarySql(source, multi);
      counted.push(...(await run.query(sql, () => readMultivalueSummary(conn, sql, multi))));
    }
    // In the order asked, whichever pass counted each.
    const order = new Map([...fields, ...identifiers].map((f, i) => [f, i]));
    counted.sort((a, b) => (order.get(a.field) ?? Infinity) - (order.get(b.field) ?? Infinity));
    return { rows, fields: counted };
  } finally {
    if (table) await conn.run(`DROP TABLE IF EXISTS ${SIDEBAR_ROWS}`);
  }
}

/**
 * The scans of `_raw` that counting `fields` over the search's rows would keep (kept-scans.ts: the
 * add-on's delete event type over every event), kept without counting anything: for a sidebar
 * whose counts are remembered, so that the session's later sidebars read them. How many were kept.
 */
export async function keepScans(run: SummaryRunner, compiled: CompiledSearch, fields: string[]): Promise<number> {
  if (!run.scans || rowsScanRaw(compiled)) return 0;
  const grouped = groupedFields(compiled, fields, new Map(), run.scans.answers);
  if (!grouped?.scans.length) return 0;
  await run.query('', () => run.scans!.keep(`(\n${grouped.sql}\n)`, grouped.scans));
  return grouped.scans.length;
}

/**
 * The rules' conditions that have one answer on every row of the search (a name none of its
 * events has, above all), found over the distinct values of the columns they read
 * (compiler/fold-conditions.ts): the rows' table then skips them.
 */
export async function foldable(run: SummaryRunner, compiled: CompiledSearch): Promise<KnownConditions> {
  const t = tableConditions(compiled);
  if (!t) return new Map();
  const row = await run.query(t.sql, async () => (await run.conn.runAndReadAll(t.sql)).getRowObjectsJson()[0]);
  const known = new Map<string, boolean | null>();
  for (let i = 0; row && i < t.conditions.columns.length; i++) {
    const values = domainOf(row, i);
    if (!values) continue;
    const sql = atomsSql(t.conditions, i, values);
    try {
      const reader = await run.conn.runAndReadAll(sql);
      const types = Object.fromEntries(reader.columnNames().map((name, j) => [name, reader.columnTypes()[j]!.toString()]));
      knownConditions(reader.getRowObjectsJson(), types, known, t.conditions);
    } catch {
      // A condition DuckDB cannot evaluate on some value (a cast): that column's are left as they are.
    }
  }
  return known;
}

/** The grouped fields whose sets of inputs have more distinct combinations than DENSE of the first rows. */
async function denseFields(run: SummaryRunner, grouped: GroupedFields): Promise<Set<string>> {
  const sets = [...new Map(grouped.fields.map((f) => [f.inputs.join(','), f.inputs])).values()];
  const sql = combinationsSql(grouped.sample ?? grouped.sql, sets, grouped.inputs, SAMPLE_ROWS);
  const row = (await run.query(sql, async () => (await run.conn.runAndReadAll(sql)).getRowObjectsJson()[0])) ?? {};
  const rows = Number(row.rows ?? 0);
  const dense = new Set(sets.filter((_, i) => Number(row[`s${i}`] ?? 0) > DENSE * rows).map((set) => set.join(',')));
  return new Set(grouped.fields.filter((f) => dense.has(f.inputs.join(','))).map((f) => f.field));
}
