// The add-on rules made smaller for the rows they are counted over (the field sidebar, issue 14).
// Most of a rule's conditions read one event column, eventName above all: `user` tests it against
// some 60 names in 20 branches, and the sidebar's grouped count tests it again for every input a
// branch reads, on every row (some 500 such conditions for the 39 calculated fields). Over the
// rows of one search, most of them have one answer: a name the rows never hold is false on every
// row. Each such condition is evaluated once per distinct value of its column among the search's
// rows (DuckDB evaluates it, so the answer is its own, nulls included), and one that has the same
// answer for every value stands as that constant; DuckDB then drops the branches it decides.
import { promotedColumn, SCALAR_COLUMNS } from './cloudtrail-schema.js';
import { children, isVolatile, mapExpr, type Expr } from './ir/expr.js';
import { DUCKDB, duckdbPrinter } from './print/duckdb.js';

/** A condition reading one column: `sql` is it over that column's values as column `__d`. */
export interface Atom {
  key: string;
  /** Index into `Conditions.columns`. */
  column: number;
  sql: string;
}

export interface Conditions {
  /** The columns the conditions read (a scalar event field or a path the loader keeps as a column). */
  columns: Expr[];
  atoms: Atom[];
}

/** The answer of each condition that has one answer over the rows, by `Atom.key`. */
export type KnownConditions = ReadonlyMap<string, boolean | null>;

const SCALAR = new Set(SCALAR_COLUMNS.map((c) => c.name));

/**
 * A text column whose distinct values are cheap to list: read as stored, never parsed out of JSON
 * (a field the search made a number of is left alone: its values are tried as text).
 */
function isStored(e: Expr): boolean {
  if (e.type !== 'string') return false;
  if (e.kind === 'column') return e.side === undefined && SCALAR.has(e.name);
  return e.kind === 'path' && e.event && promotedColumn([e.column, ...e.segments].join('.')) !== undefined;
}

/** Two expressions are one when their nodes are (spans and origins aside). */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => (k === 'span' || k === 'origin' ? undefined : v));
}

/**
 * The one stored column a subtree reads ('' for none), or null when it reads another column or a
 * path, a variable, another step, or calls a volatile function: only a pure function of one
 * stored column can be evaluated over that column's distinct values instead of the rows.
 */
class Reads {
  private readonly memo = new Map<Expr, string | null>();
  readonly columns = new Map<string, Expr>();

  of(e: Expr): string | null {
    let r = this.memo.get(e);
    if (r !== undefined) return r;
    if (isStored(e)) {
      r = exprKey(e);
      this.columns.set(r, e);
    } else if (e.kind === 'call' || e.kind === 'case') {
      r = isVolatile(e) ? null : '';
      for (const c of children(e)) {
        if (r === null) break;
        const k = this.of(c);
        if (k === null || (k && r && k !== r)) r = null;
        else if (k) r = k;
      }
    } else {
      r = e.kind === 'literal' ? '' : null;
    }
    this.memo.set(e, r);
    return r;
  }

  /** True for a condition worth evaluating over its column's values: boolean, one stored column, not the column itself. */
  isAtom(e: Expr): boolean {
    return e.type === 'bool' && !isStored(e) && !!this.of(e);
  }
}

/** Columns read by fewer conditions are not worth listing their values (an ARN tested for null). */
const MIN_ATOMS = 3;

/** The conditions of `exprs` that read one stored column, each printed over that column's values. */
export function conditionsOf(exprs: Expr[]): Conditions {
  const reads = new Reads();
  const found = new Map<string, { column: string; expr: Expr }>();
  const seen = new Set<Expr>();
  const visit = (e: Expr): void => {
    // A subquery's conditions read its own rows, not these.
    if (seen.has(e) || e.kind === 'exists' || e.kind === 'in_rows') return;
    seen.add(e);
    if (reads.isAtom(e)) {
      const key = exprKey(e);
      if (!found.has(key)) found.set(key, { column: reads.of(e)!, expr: e });
      return;
    }
    for (const c of children(e)) visit(c);
  };
  exprs.forEach(visit);
  const perColumn = new Map<string, number>();
  for (const { column } of found.values()) perColumn.set(column, (perColumn.get(column) ?? 0) + 1);
  const kept = [...perColumn].filter(([, n]) => n >= MIN_ATOMS).map(([c]) => c);
  const index = new Map(kept.map((c, i) => [c, i]));
  const atoms: Atom[] = [];
  for (const [key, { column, expr }] of found) {
    const i = index.get(column);
    if (i === undefined) continue;
    const over = mapExpr(expr, (n) => (isStored(n) ? { kind: 'column', name: '__d', type: n.type } : undefined));
    atoms.push({ key, column: i, sql: duckdbPrinter().print(over) });
  }
  return { columns: kept.map((c) => reads.columns.get(c)!), atoms };
}

/**
 * `e` with each condition in `known` replaced by its answer (a boolean literal, or a boolean
 * null), and the AND, OR and NOT that these decide made constants too.
 */
export function foldConditions(e: Expr, known: KnownConditions): Expr {
  if (known.size === 0) return e;
  const reads = new Reads();
  const fold = (n: Expr): Expr => {
    // A subquery's conditions read its own rows, not these.
    if (n.kind === 'exists' || n.kind === 'in_rows') return n;
    if (reads.isAtom(n)) {
      const v = known.get(exprKey(n));
      if (v !== undefined) return bool(v);
    }
    return decided(mapExpr(n, (c) => (c === n ? undefined : fold(c))));
  };
  return fold(e);
}

const bool = (value: boolean | null): Expr => ({ kind: 'literal', value, type: 'bool' });
const isBool = (e: Expr, value: boolean | null) => e.kind === 'literal' && e.type === 'bool' && e.value === value;

/** AND with a false operand, OR with a true one, NOT of a constant: their constant (SQL's three-valued logic). */
function decided(n: Expr): Expr {
  if (n.kind !== 'call') return n;
  if (n.fn === 'and' && n.args.some((a) => isBool(a, false))) return bool(false);
  if (n.fn === 'or' && n.args.some((a) => isBool(a, true))) return bool(true);
  if (n.fn === 'not' && n.args.length === 1) {
    const a = n.args[0]!;
    if (isBool(a, true) || isBool(a, false)) return bool(!(a as { value: boolean }).value);
    if (isBool(a, null)) return bool(null);
  }
  return n;
}

/** More distinct values than this, and a column's conditions are left as they are. */
const MAX_VALUES = 1000;

/**
 * One row: for each column `i` of `c` among `rows` (a query with the columns `__c0`, `__c1`...),
 * its distinct values (`d{i}`: null when more than MAX_VALUES) and whether it is null on a row (`n{i}`).
 */
export function domainsSql(c: Conditions, rows: string): string {
  const col = (i: number) => `"__c${i}"`;
  const lists = c.columns.map((_, i) => `CASE WHEN count(DISTINCT ${col(i)}) <= ${MAX_VALUES} THEN list(DISTINCT ${col(i)}) FILTER (WHERE ${col(i)} IS NOT NULL) END AS "d${i}", bool_or(${col(i)} IS NULL) AS "n${i}"`);
  return `SELECT ${lists.join(', ')} FROM (\n${rows}\n)`;
}

/** Column `i`'s values from the row of domainsSql (null among them when some row has none), or undefined when not listed. */
export function domainOf(row: Record<string, unknown>, i: number): (string | null)[] | undefined {
  const values = row[`d${i}`];
  if (!Array.isArray(values) || values.length === 0) return undefined;
  return row[`n${i}`] === true ? [...values.map(String), null] : values.map(String);
}

/** Each condition on column `i` (as column `a{j}`, j its index in `c.atoms`) for each of `values`. */
export function atomsSql(c: Conditions, i: number, values: (string | null)[]): string {
  const tests = c.atoms.flatMap((a, j) => (a.column === i ? [`${a.sql} AS "a${j}"`] : []));
  const list = values.map((v) => (v === null ? 'NULL' : DUCKDB.string(v))).join(', ');
  return `SELECT ${tests.join(', ')} FROM (SELECT unnest(CAST([${list}] AS VARCHAR[])) AS "__d")`;
}

/**
 * The conditions that have one answer over every value, from atomsSql's rows and column types
 * (a condition whose SQL is not a BOOLEAN is left alone: its constant would not be the same value).
 */
export function knownConditions(rows: Record<string, unknown>[], types: Record<string, string>, known: Map<string, boolean | null>, c: Conditions): void {
  const answer = (v: unknown) => (v === null || v === undefined ? null : v === true);
  for (const [name, type] of Object.entries(types)) {
    const atom = c.atoms[Number(name.slice(1))];
    if (!atom || type !== 'BOOLEAN' || rows.length === 0) continue;
    const first = answer(rows[0]![name]);
    if (rows.every((r) => answer(r[name]) === first)) known.set(atom.key, first);
  }
}
