// The DuckDB dialect: double-quoted identifiers, single-quoted literals, `x -> body` lambdas.
import { EVENT_COLUMNS, PROMOTED_PATHS, promotedColumn } from '../cloudtrail-schema.js';
import type { Expr, Type } from '../ir/expr.js';
import type { Dialect } from './dialect.js';
import { ExprPrinter } from './expr.js';

/** A field name that is empty: DuckDB has no empty identifier (compile.ts names the command). */
export class EmptyNameError extends Error {}

/**
 * Names kept as they are spelled, whatever their case: the event columns, the userIdentity paths
 * almost every hunt reads, and chart's NULL and OTHER columns (no two of them fold together).
 */
const KNOWN = new Set([...EVENT_COLUMNS.map((c) => c.name), ...PROMOTED_PATHS, 'NULL', 'OTHER']);
const KNOWN_FOLDED = new Set([...KNOWN].map((n) => n.toLowerCase()));

/**
 * The DuckDB column name of a Splunk field name. Splunk field names are case-sensitive, DuckDB's
 * identifiers are not (ASCII case folds: `A` and `a`, or JSON's `eventName` and an eval's
 * `eventname`, were one column, and one silently took the other's values). A name stays as it is
 * when it is one of KNOWN, or has no ASCII capital, NUL or `^` and folds onto none of KNOWN. Any
 * other name is written `NAME^MARKS`, MARKS listing where its capitals (and NULs, `n` before the
 * place; DuckDB cannot hold NUL) are: `Count` is `Count^0`, `eventname` is `eventname^`. Plain
 * names hold no `^`, and the text after the last `^` gives back the case folding took away, so no
 * two names share a column.
 */
export function columnName(name: string): string {
  if (KNOWN.has(name)) return name;
  if (!/[A-Z\u0000^]/.test(name) && !KNOWN_FOLDED.has(name)) return name;
  const marks: string[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c >= 'A' && c <= 'Z') marks.push(String(i));
    else if (c === '\u0000') marks.push(`n${i}`);
  }
  return `${name.replace(/\u0000/g, '')}^${marks.join('.')}`;
}

/** A quoted SQL identifier for a field name (see columnName); `"` doubled. */
export function ident(name: string): string {
  let quoted = idents.get(name);
  if (quoted === undefined) {
    if (name.replace(/\u0000/g, '') === '') throw new EmptyNameError('a field name cannot be empty');
    quoted = `"${columnName(name).replace(/"/g, '""')}"`;
    if (idents.size < 10_000) idents.set(name, quoted);
  }
  return quoted;
}

/** Identifiers quoted so far: a search prints the same few names many times. */
const idents = new Map<string, string>();

/** A SQL string literal. NUL cannot appear in a DuckDB literal, so it is spliced in with chr(0). */
export function str(value: string): string {
  if (value.includes('\u0000')) {
    return `(${value.split('\u0000').map((part) => `'${part.replace(/'/g, "''")}'`).join(' || chr(0) || ')})`;
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL numeric literal from a JS number (finite only): whole numbers stay integers. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return 'NULL';
  const text = String(value);
  return /[.eE]/.test(text) ? `${text}::DOUBLE` : text;
}

/**
 * A DOUBLE literal. Splunk's numbers are 64-bit floats; DuckDB types `86400` as INTEGER, and
 * `86400*365*100` would then overflow INT32 instead of giving 3153600000.
 */
function dbl(value: number): string {
  if (!Number.isFinite(value)) return 'NULL';
  return `${String(value)}::DOUBLE`;
}

const TYPE_NAMES: Record<Type, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  bool: 'BOOLEAN',
  mv: 'VARCHAR[]',
  unknown: '',
  int: 'BIGINT',
  list: 'BIGINT[]',
  json: 'JSON',
  timestamp: 'TIMESTAMP',
  struct: '',
  any: '',
};

export const DUCKDB: Dialect = {
  name: 'duckdb',
  ident,
  string: str,
  number: dbl,
  int: num,
  bool: (v) => (v ? 'true' : 'false'),
  null: (type) => (TYPE_NAMES[type] ? `CAST(NULL AS ${TYPE_NAMES[type]})` : 'NULL'),
  lambda: (params, body) => `${params.length === 1 ? params[0] : `(${params.join(', ')})`} -> ${body}`,
  // DuckDB has no LET: a one-element list mapped by a lambda evaluates the value once per row
  // (cheaper than repeating it: 3M rows, a regexp_replace used twice 4.1 s, bound once 2.7 s).
  let: (name, value, body) => `list_transform([${value}], ${name} -> ${body})[1]`,
  typeName: (type) => TYPE_NAMES[type] || 'VARCHAR',
};

/** A JSONPath for DuckDB from Splunk path segments; `{}` becomes `[*]`. */
export function jsonPath(segments: string[]): string {
  let path = '$';
  for (const segment of segments) {
    if (segment === '{}') path += '[*]';
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += '.' + segment;
    else path += '."' + segment.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  }
  return path;
}

/**
 * A path into an event's JSON column: the loader's copy of a common path while the column is the
 * event's own (parsing userIdentity five times for `user` cost most of a search), else extracted.
 */
export function duckdbPath(e: Extract<Expr, { kind: 'path' }>, p: { print(e: Expr): string }): string {
  const promoted = e.event ? promotedColumn([e.column, ...e.segments].join('.')) : undefined;
  if (promoted) return ident(promoted);
  return `json_extract_string(${p.print({ kind: 'column', name: e.column, type: 'json' })}, ${str(jsonPath(e.segments))})`;
}

/** A printer of expressions for DuckDB (column names as they are). */
export function duckdbPrinter(): ExprPrinter {
  return new ExprPrinter(DUCKDB, (n) => n, duckdbPath);
}

/** SQL for one expression, printed on its own. */
export function duckdbSql(e: Expr): string {
  return duckdbPrinter().print(e);
}
