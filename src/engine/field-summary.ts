// Splunk's field sidebar computed by DuckDB: for every field of the rows a search returned, how
// many rows have it, how many distinct values it has, and its ten most frequent values. One
// GROUPING SETS pass over the rows counts every field at once (a query per field read a million
// events sixty times). The SQL names only the compiled search's own columns, quoted; no user
// text reaches it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from '../compiler/sql.js';

export interface FieldSummary {
  field: string;
  /** Rows with a value. */
  present: number;
  distinct: number;
  /** The distinct count is an estimate (HyperLogLog), for identifiers: within a few percent. */
  estimated?: boolean;
  /** Most frequent first, then by value; at most TOP_VALUES. */
  top: { value: string; count: number }[];
}

const TOP_VALUES = 10;

/** The first rows of a search, made once for the sidebar's passes over them (Engine.summarizeFields). */
export const SIDEBAR_ROWS = '__spelunk_sidebar_rows';

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

type TopItem = { v: unknown; n: unknown };

function topOf(list: unknown): { value: string; count: number }[] {
  const items = (Array.isArray(list) ? (list as TopItem[]) : []).map((x) => ({ value: String(x.v), count: num(x.n) }));
  return items.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).slice(0, TOP_VALUES);
}

/** The top values of a grouped (v, n) relation: the highest n first, ties by value, in one bounded pass. */
const TOP = `min_by({'v': v, 'n': n}, {'k': -n, 'v': v}, ${TOP_VALUES})`;

/**
 * Counts for scalar columns of `sql` (a compiled search): one row per column with its present
 * count, distinct count and top values, and one more (f = 0) with the number of rows.
 */
export function scalarSummarySql(sql: string, columns: string[]): string {
  const cols = columns.map(ident);
  const which = `CASE ${cols.map((c, i) => `WHEN GROUPING(${c}) = 0 THEN ${i + 1}`).join(' ')} ELSE 0 END`;
  const value = cols.length === 1 ? `CAST(${cols[0]} AS VARCHAR)` : `COALESCE(${cols.map((c) => `CAST(${c} AS VARCHAR)`).join(', ')})`;
  return `WITH r AS (
${sql}
),
g AS (
  SELECT ${which} AS f, ${value} AS v, count(*) AS n
  FROM r
  GROUP BY GROUPING SETS (${cols.map((c) => `(${c})`).join(', ')}, ())
)
SELECT f, sum(n) FILTER (WHERE v IS NOT NULL) AS present, count(v) AS "distinct", ${TOP} FILTER (WHERE v IS NOT NULL) AS top, sum(n) AS rows
FROM g GROUP BY f`;
}

/** Identifiers (one value per event): how many rows have one, and an estimate of how many distinct. */
export function identifierSummarySql(sql: string, columns: string[]): string {
  return `WITH r AS (
${sql}
)
SELECT ${columns.map((c, i) => `count(${ident(c)}) AS "p${i}", approx_count_distinct(${ident(c)}) AS "d${i}"`).join(', ')} FROM r`;
}

export async function readIdentifierSummary(conn: DuckDBConnection, sql: string, columns: string[]): Promise<FieldSummary[]> {
  const row = (await conn.runAndReadAll(sql)).getRowObjectsJson()[0] ?? {};
  return columns.map((field, i) => {
    const present = num(row[`p${i}`]);
    // The estimate may overshoot; more distinct values than rows is never the answer.
    return { field, present, distinct: Math.min(present, num(row[`d${i}`])), estimated: true, top: [] };
  });
}

/**
 * Counts for multivalue columns: a row counts once for each distinct value it holds, and is
 * present once, through its first value (list_distinct drops nulls: a row with a first value has
 * one). Numbering the rows to count them distinct (a window over every row) cost about a fifth more.
 */
export function multivalueSummarySql(sql: string, columns: string[]): string {
  const parts = columns.map((c, i) => `SELECT ${i + 1} AS f, list_distinct(CAST(${ident(c)} AS VARCHAR[])) AS l FROM r`);
  return `WITH r AS (
${sql}
),
u AS (SELECT f, unnest(l) AS v, generate_subscripts(l, 1) AS i FROM (${parts.join('\nUNION ALL ')})),
pv AS (SELECT f, v, count(*) AS n, count(*) FILTER (WHERE i = 1) AS firsts FROM u WHERE v IS NOT NULL GROUP BY f, v)
SELECT f, sum(firsts) AS present, count(*) AS "distinct", ${TOP} AS top FROM pv GROUP BY f`;
}

export async function readScalarSummary(conn: DuckDBConnection, sql: string, columns: string[]): Promise<{ rows: number; fields: FieldSummary[] }> {
  const reader = await conn.runAndReadAll(sql);
  let rows = 0;
  const fields: FieldSummary[] = [];
  for (const r of reader.getRowObjectsJson()) {
    const f = num(r.f);
    if (f === 0) {
      rows = num(r.rows);
      continue;
    }
    fields.push({ field: columns[f - 1]!, present: num(r.present), distinct: num(r.distinct), top: topOf(r.top) });
  }
  return { rows, fields };
}

export async function readMultivalueSummary(conn: DuckDBConnection, sql: string, columns: string[]): Promise<FieldSummary[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.getRowObjectsJson().map((r) => ({ field: columns[num(r.f) - 1]!, present: num(r.present), distinct: num(r.distinct), top: topOf(r.top) }));
}

/** What field-summary needs of the compiler's split (compiler/grouped-fields.ts). */
export interface GroupedInput {
  inputs: string[];
  fields: { field: string; type: string; value: string; inputs: number[] }[];
}

/**
 * Counts for fields computed over the distinct combinations of their inputs (`source`'s input
 * columns, a query read once): each set's combinations are counted, each field's value is
 * computed once per combination of its set, and every figure is weighted by the combination's
 * rows. A multivalue field counts a row once for each distinct value it holds, as per row. A
 * field counted row by row is a field whose one input is its own column. The last row (f = 0)
 * has the number of rows.
 *
 * Every set is counted by one GROUPING SETS aggregate over the rows as they are computed: the rows
 * are never written to a table, nor read once per set (1M events, every add-on field: the rows'
 * table, its 13 GROUP BYs and the two row-by-row counts were 6.6 CPU-s, this 4.4).
 */
export function groupedSummarySql(source: string, g: GroupedInput): string {
  // A field whose inputs are a part of another field's goes with the largest set holding them:
  // one set fewer, its value computed over a few more combinations.
  const own = [...new Map(g.fields.map((f) => [f.inputs.join(','), f.inputs])).values()];
  const holder = (inputs: number[]) => own.filter((t) => inputs.every((i) => t.includes(i))).reduce((a, b) => (b.length > a.length ? b : a));
  const setKey = (f: GroupedInput['fields'][number]) => holder(f.inputs).join(',');
  const sets = new Map<string, number[]>([['', []]]);
  for (const f of g.fields) sets.set(setKey(f), holder(f.inputs));
  const col = (i: number) => ident(g.inputs[i]!);
  // Which set a row of the aggregate belongs to: GROUPING over the inputs, in chunks an INTEGER holds.
  const keys = [...new Set([...sets.values()].flat())].sort((a, b) => a - b);
  const chunks: number[][] = [];
  for (let i = 0; i < keys.length; i += GROUPING_CHUNK) chunks.push(keys.slice(i, i + GROUPING_CHUNK));
  const which = (inputs: number[]) => chunks.map((c, j) => {
    // GROUPING's first argument is its highest bit, set when the column is not in the row's set.
    const bits = c.reduce((m, k, i) => (inputs.includes(k) ? m : m | (1 << (c.length - 1 - i))), 0);
    return `"__g${j}" = ${bits}`;
  }).join(' AND ') || 'true';
  // Each combination's values of the fields of its set, as (field, distinct values) pairs: one
  // read of the aggregate, each row's set choosing its list (a read per set cost a second each).
  const perSet = [...sets].flatMap(([key, inputs]) => {
    const pairs = g.fields.flatMap((f, i) => {
      if (setKey(f) !== key) return [];
      // list_distinct drops nulls (a lambda filtering them cost more).
      const list = f.type === 'mv' ? `CAST(${f.value} AS VARCHAR[])` : `[CAST(${f.value} AS VARCHAR)]`;
      return [`{'f': ${i + 1}, 'l': list_distinct(${list})}`];
    });
    // The set of no inputs also counts the rows (f = 0).
    if (inputs.length === 0) pairs.push(`{'f': 0, 'l': []::VARCHAR[]}`);
    return pairs.length ? [`WHEN ${which(inputs)} THEN [${pairs.join(', ')}]`] : [];
  });
  // A field that is its set's one input as it is (a column counted row by row) has one value per
  // combination: its figures are read off them, not grouped again by value (a million rows, most of them).
  const identity = g.fields.flatMap((f, i) => (f.type !== 'mv' && f.inputs.length === 1 && setKey(f) === String(f.inputs[0]) && f.value === col(f.inputs[0]!) ? [i + 1] : []));
  const regrouped = identity.length ? ` AND f NOT IN (${identity.join(', ')})` : '';
  const grouping = chunks.map((c, j) => `GROUPING(${c.map(col).join(', ')}) AS "__g${j}", `).join('');
  const groups = [...sets.values()].map((inputs) => `(${inputs.map(col).join(', ')})`).join(', ');
  return `WITH c AS (
  SELECT ${grouping}${keys.map((k) => `${col(k)}, `).join('')}count(*) AS "__n" FROM (
${source}
  ) GROUP BY GROUPING SETS (${groups})
),
x AS MATERIALIZED (
  SELECT s.f AS f, s.l AS l, n FROM (
    SELECT "__n" AS n, unnest(CASE ${perSet.join('\n      ')} END) AS s FROM c WHERE "__n" > 0
  )
),
pv AS (SELECT f, v, sum(n) AS n FROM (SELECT f, unnest(l) AS v, n FROM x WHERE f > 0${regrouped}) GROUP BY f, v),
pe AS (SELECT f, sum(n) FILTER (WHERE len(l) > 0) AS present FROM x WHERE f > 0${regrouped} GROUP BY f)
SELECT pe.f, pe.present, count(pv.v) AS "distinct", ${TOP} FILTER (WHERE pv.v IS NOT NULL) AS top, NULL AS rows
FROM pe LEFT JOIN pv USING (f) GROUP BY pe.f, pe.present
UNION ALL
SELECT f, sum(n) FILTER (WHERE v IS NOT NULL), count(v), ${TOP} FILTER (WHERE v IS NOT NULL), NULL
FROM (SELECT f, l[1] AS v, n FROM x WHERE f IN (${identity.join(', ') || 'NULL'})) GROUP BY f
UNION ALL
SELECT 0, NULL, NULL, NULL, (SELECT coalesce(sum(n), 0) FROM x WHERE f = 0)`;
}

/** Inputs per GROUPING call: its bitmask is an INTEGER. */
const GROUPING_CHUNK = 30;

/**
 * `g` with the columns counted row by row (`scalar`, `multi`: columns of the same rows) as fields
 * of their own, each its own one input: one aggregate counts them all (groupedSummarySql).
 */
export function withRowColumns(g: GroupedInput, scalar: string[], multi: string[]): GroupedInput {
  const inputs = [...g.inputs];
  const fields = [...g.fields];
  for (const [columns, type] of [[scalar, 'string'], [multi, 'mv']] as const) {
    for (const c of columns) {
      fields.push({ field: c, type, value: ident(c), inputs: [inputs.push(c) - 1] });
    }
  }
  return { inputs, fields };
}

/**
 * How many distinct combinations each set of inputs has among the first rows of `source` (a
 * query): a set with about as many as rows (an ARN passed through) gains nothing from grouping.
 */
export function combinationsSql(source: string, sets: number[][], inputs: string[], rows: number): string {
  const counts = sets.map((set, i) => `count(DISTINCT struct_pack(${set.map((c, j) => `c${j} := ${ident(inputs[c]!)}`).join(', ') || 'c := 1'})) AS "s${i}"`);
  return `SELECT count(*) AS rows, ${counts.join(', ')} FROM (SELECT * FROM (\n${source}\n) LIMIT ${Math.floor(rows)})`;
}

export async function readGroupedSummary(conn: DuckDBConnection, sql: string, g: GroupedInput): Promise<{ rows: number; fields: FieldSummary[] }> {
  const reader = await conn.runAndReadAll(sql);
  let rows = 0;
  const fields: FieldSummary[] = [];
  for (const r of reader.getRowObjectsJson()) {
    const f = num(r.f);
    if (f === 0) rows = num(r.rows);
    else fields.push({ field: g.fields[f - 1]!.field, present: num(r.present), distinct: num(r.distinct), top: topOf(r.top) });
  }
  return { rows, fields };
}
