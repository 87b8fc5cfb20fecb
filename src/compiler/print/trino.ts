// The Trino dialect (Athena engine 3 and Trino servers): quoting, literals, lambdas, the function
// forms of library/trino-functions.ts, and the mapping of spelunk's event fields onto the
// CloudTrail table of docs/athena.md. The events relation in Trino is the table's rows reshaped
// into spelunk's event columns (trinoEventColumns): struct columns stay structs, the per-API
// objects stay JSON text, and paths into them (print/expr.ts 'path' nodes) become struct access,
// json_extract_scalar or transform over `resources`.
import { JSON_TEXT, member, type Member, RESOURCE, SCALARS, STRUCTS } from '../athena-schema.js';
import type { Expr, Type } from '../ir/expr.js';
import { jsonText, jsonValues, trinoForm, trinoJsonPath, trinoString } from '../library/trino-functions.js';
import type { Dialect } from './dialect.js';
import { ExprPrinter, NoDialectForm } from './expr.js';

/** A quoted Trino identifier (Trino folds case: the plan printer keeps names apart). */
export function trinoIdent(name: string): string {
  if (name === '' || name.includes('\u0000')) throw new NoDialectForm(`field name ${JSON.stringify(name)}`, 'trino', 'a field name must be non-empty text');
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal; NUL (which no Trino literal holds) spliced in with chr(0). */
function trinoStr(value: string): string {
  if (value.includes('\u0000')) return `(${value.split('\u0000').map(trinoString).join(' || chr(0) || ')})`;
  return trinoString(value);
}

/** A DOUBLE literal: Trino reads `1.5` as DECIMAL and `86400` as INTEGER, `1.5E0` as DOUBLE. */
function trinoDouble(value: number): string {
  if (!Number.isFinite(value)) return 'CAST(NULL AS DOUBLE)';
  const text = String(value).toUpperCase();
  return text.includes('E') ? text : `${text}E0`;
}

function trinoInt(value: number): string {
  if (!Number.isFinite(value)) return 'CAST(NULL AS BIGINT)';
  return Number.isInteger(value) ? (Math.abs(value) > 2147483647 ? `BIGINT '${value}'` : String(value)) : trinoDouble(value);
}

const TYPE_NAMES: Record<Type, string> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  bool: 'BOOLEAN',
  mv: 'ARRAY(VARCHAR)',
  unknown: '',
  int: 'BIGINT',
  list: 'ARRAY(BIGINT)',
  json: 'JSON',
  timestamp: 'TIMESTAMP(3) WITH TIME ZONE',
  struct: '',
  any: '',
};

export const TRINO: Dialect = {
  name: 'trino',
  ident: trinoIdent,
  string: trinoStr,
  number: trinoDouble,
  int: trinoInt,
  bool: (v) => (v ? 'true' : 'false'),
  null: (type) => (TYPE_NAMES[type] ? `CAST(NULL AS ${TYPE_NAMES[type]})` : 'NULL'),
  lambda: (params, body) => `${params.length === 1 ? params[0] : `(${params.join(', ')})`} -> ${body}`,
  // Trino has no LET: a one-element array mapped by a lambda evaluates the value once.
  let: (name, value, body) => `element_at(transform(ARRAY[${value}], ${name} -> ${body}), 1)`,
  typeName: (type) => TYPE_NAMES[type] || 'VARCHAR',
  template: (id, _f, args) => (id === 'to_varchar' ? toVarchar(args[0]) : id === 'json_keys' && args[0]?.kind === 'path' && args[0].type === 'struct' ? 'map_keys({0})' : trinoForm(id)),
};

/**
 * Text of a value, by its type: DuckDB's cast gives a JSON column's text and a double's shortest
 * digits; Trino's cast of a double writes 1.5E0, and a struct has no text at all.
 */
function toVarchar(arg: Expr | undefined): string | { none: string } {
  if (!arg) return { none: 'to_varchar needs an argument' };
  if (arg.type === 'string') return '{0}';
  if (arg.type === 'int' || arg.type === 'bool') return 'CAST({0} AS VARCHAR)';
  if (arg.type === 'json' && arg.kind === 'column' && JSON_TEXT.has(arg.name)) return '{0}';
  if (arg.type === 'json' && arg.kind === 'column') return { none: `${arg.name} is a struct in the Athena table: its text as a whole has no Trino form; name one of its keys` };
  return { none: `text of a ${arg.type} value has no faithful Trino form` };
}

// ---- the CloudTrail table ---------------------------------------------------------------

/** Event columns of spelunk's schema the table does not have, and why. */
const NOT_IN_TABLE: Record<string, string> = {
  _raw: "the Athena table keeps parsed columns, not the event's text: name a field instead of a bare term or _raw",
  managementEvent: 'the Athena CloudTrail table has no managementEvent column',
  insightDetails: 'the Athena CloudTrail table has no insightDetails column',
};

/**
 * spelunk's event columns as Trino expressions over the table (no partition columns): the
 * projection that makes the table's rows into spelunk's events.
 */
export function trinoEventColumns(): [name: string, sql: string][] {
  const time = "to_unixtime(coalesce(TRY(from_iso8601_timestamp(eventtime)), TRY(with_timezone(CAST(eventtime AS TIMESTAMP(3)), 'UTC'))))";
  return [
    ['_time', time],
    ['source', '"$path"'],
    ['sourcetype', "'aws:cloudtrail'"],
    ['index', "'main'"],
    ...SCALARS.map((name): [string, string] => [name, name.toLowerCase()]),
    ...Object.keys(STRUCTS).map((name): [string, string] => [name, name.toLowerCase()]),
    ['resources', 'resources'],
    ...[...JSON_TEXT].map((name): [string, string] => [name, name.toLowerCase()]),
  ];
}

function refuse(path: string, why: string): never {
  throw new NoDialectForm(path, 'trino', `${path}: ${why}`);
}

/** A path into an event column, as Trino reads it from the table's shape. */
function trinoPath(e: Extract<Expr, { kind: 'path' }>, p: ExprPrinter): string {
  const name = [e.column, ...e.segments].join('.');
  const col = p.print({ kind: 'column', name: e.column, type: 'json' });
  if (NOT_IN_TABLE[e.column]) refuse(name, NOT_IN_TABLE[e.column]!);
  const struct = STRUCTS[e.column];
  if (struct) {
    let sql = col;
    let members: Member[] | undefined = struct;
    for (let i = 0; i < e.segments.length; i++) {
      const seg = e.segments[i]!;
      if (!members) refuse(name, `${e.segments.slice(0, i).join('.')} is text in the table, not an object`);
      const m = member(members, seg);
      if (!m) refuse(name, `the table's ${e.column.toLowerCase()} struct has no member ${seg} (the JSON SerDe drops keys its DDL does not declare)`);
      sql += '.' + m.key.toLowerCase();
      if (m.map) {
        const rest = e.segments.slice(i + 1);
        // The map itself: only for map_keys (the keys a wildcard may match, athena-wildcards.ts).
        if (rest.length === 0 && e.type === 'struct') return sql;
        if (rest.length !== 1 || rest[0] === '{}') refuse(name, 'a map member takes one key');
        return `element_at(${sql}, ${trinoString(rest[0]!)})`;
      }
      members = m.members;
    }
    if (members) refuse(name, 'an object as a whole has no faithful text in Trino; name one of its keys');
    return sql;
  }
  if (e.column === 'resources') {
    const [brace, key, ...rest] = e.segments;
    if (brace !== '{}' || key === undefined || rest.length > 0) refuse(name, 'the table holds resources{}.ARN, resources{}.accountId and resources{}.type');
    const m = member(RESOURCE, key);
    if (!m) refuse(name, `the table's resources have no member ${key}`);
    return `filter(transform(${col}, __r -> __r.${m.key.toLowerCase()}), __r -> __r IS NOT NULL)`;
  }
  if (JSON_TEXT.has(e.column)) {
    const steps = e.segments.map((s) => (s === '{}' ? '*' : s));
    if (steps.includes('*')) return jsonValues(col, steps);
    return jsonText(col, trinoJsonPath(steps));
  }
  return refuse(name, 'not a column of the Athena CloudTrail table');
}

/** A printer of expressions for Trino; `columnName` maps field names to the SQL names in use. */
export function trinoPrinter(columnName: (name: string) => string = (n) => n): ExprPrinter {
  const mapped = (name: string): string => {
    const why = NOT_IN_TABLE[name];
    if (why) throw new NoDialectForm(name, 'trino', `${name}: ${why}`);
    return columnName(name);
  };
  return new ExprPrinter(TRINO, mapped, trinoPath);
}

/** SQL for one expression, printed on its own. */
export function trinoSql(e: Expr): string {
  return trinoPrinter().print(e);
}
