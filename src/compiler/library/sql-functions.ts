// The SQL functions and operators the compiler's IR calls, by id, with a template per dialect
// (the way Malloy keeps its function blueprints). A template is a function name (called with
// every argument), a pattern with `{0}`, `{1}`, `{*}` (all arguments) and `{1*}` (from the second
// on), or a function for the rare irregular form. An argument a template uses twice is bound
// once by the printer (print/expr.ts), so no template can make the SQL grow with nesting.
//
// Only `duckdb` is filled in today; a dialect without a template for a function refuses the
// search with the function named (print/expr.ts NoDialectForm), never an approximation.
import type { Type } from '../ir/expr.js';

export type Template = string | ((args: string[]) => string);

export interface SqlFunction {
  /** What the function returns, when it does not depend on its arguments. */
  returns?: Type;
  /** Binding strength of an operator template; unset for function-call forms (atoms). */
  prec?: number;
  /** `a op b op c` reads the same however grouped (AND, OR, ||, +, *). */
  assoc?: boolean;
  /** 'aggregate' and 'window' functions take FILTER / ORDER BY / OVER. */
  kind?: 'aggregate' | 'window';
  /**
   * Arguments the engine itself evaluates more than once, though the template writes them once:
   * DuckDB rewrites nullif(a, b) into a CASE that repeats `a`, which made ten nested mvappend
   * take 8 s to plan. The printer binds such an argument once, as it does a repeated slot. Every
   * macro (DuckDB's own and the prelude's) that writes an argument twice says so here: a
   * volatile argument (random()) is otherwise drawn once per use. test/macro-arguments.test.ts
   * checks this list against the macros' definitions.
   */
  repeats?: number[];
  duckdb?: Template;
  trino?: Template;
}

// Precedence, loosest first. Operands of a different tier are parenthesised (print/expr.ts).
export const PREC = { or: 10, and: 20, not: 30, is: 40, compare: 50, like: 55, concat: 60, add: 70, mul: 80, unary: 90 } as const;

const op = (prec: number, duckdb: string, returns?: Type, assoc = false): SqlFunction => ({ prec, duckdb, returns, assoc });
const fn = (duckdb: Template, returns?: Type): SqlFunction => ({ duckdb, returns });
const agg = (duckdb: Template, returns?: Type): SqlFunction => ({ duckdb, returns, kind: 'aggregate' });

export const SQL_FUNCTIONS: Record<string, SqlFunction> = {
  // ---- logic and comparison ----
  and: op(PREC.and, '{0} AND {1}', 'bool', true),
  or: op(PREC.or, '{0} OR {1}', 'bool', true),
  not: op(PREC.not, 'NOT {0}', 'bool'),
  eq: op(PREC.compare, '{0} = {1}', 'bool'),
  ne: op(PREC.compare, '{0} <> {1}', 'bool'),
  lt: op(PREC.compare, '{0} < {1}', 'bool'),
  le: op(PREC.compare, '{0} <= {1}', 'bool'),
  gt: op(PREC.compare, '{0} > {1}', 'bool'),
  ge: op(PREC.compare, '{0} >= {1}', 'bool'),
  is_distinct: op(PREC.is, '{0} IS DISTINCT FROM {1}', 'bool'),
  like: op(PREC.like, '{0} LIKE {1}', 'bool'),
  ilike: op(PREC.like, '{0} ILIKE {1}', 'bool'),
  in: op(PREC.like, '{0} IN ({1*})', 'bool'),
  not_in: op(PREC.like, '{0} NOT IN ({1*})', 'bool'),
  is_null: op(PREC.is, '{0} IS NULL', 'bool'),
  is_not_null: op(PREC.is, '{0} IS NOT NULL', 'bool'),
  coalesce: fn('coalesce'),
  nullif: { duckdb: 'nullif', repeats: [0] },
  least: fn('least'),
  greatest: fn('greatest'),

  // ---- arithmetic ----
  add: op(PREC.add, '{0} + {1}', 'number', true),
  sub: op(PREC.add, '{0} - {1}', 'number'),
  mul: op(PREC.mul, '{0} * {1}', 'number', true),
  div: op(PREC.mul, '{0} / {1}', 'number'),
  int_div: op(PREC.mul, '{0} // {1}', 'int'),
  int_mod: op(PREC.mul, '{0} % {1}', 'int'),
  neg: op(PREC.unary, '- {0}', 'number'),
  // SPL's %: the remainder takes the dividend's sign (-7 % 3 is -1), as C's fmod, DuckDB's % on
  // doubles and Trino's mod() do. DuckDB's fmod() floors instead (-7 % 3 gave 2 here and -1 on
  // Athena), and as a macro, x - y * floor(x / y), it drew random() twice per row.
  fmod: op(PREC.mul, '{0} % {1}', 'number'),
  floor: fn('floor', 'number'),
  ceil: fn('ceil', 'number'),
  abs: fn('abs', 'number'),
  pow: fn('pow', 'number'),
  sqrt: fn('sqrt', 'number'),
  exp: fn('exp', 'number'),
  ln: fn('ln', 'number'),
  round: fn('round', 'number'),
  trunc: fn('trunc', 'number'),
  random: fn('random', 'number'),
  pi: fn('pi', 'number'),
  shift_right: op(PREC.mul, '{0} >> {1}', 'int'),
  shift_left: op(PREC.mul, '{0} << {1}', 'int'),
  // Bitwise operators of any number of operands (SQL's precedence for them differs by dialect,
  // so each is parenthesised).
  bit_and: fn((a) => `(${a.join(' & ')})`, 'int'),
  bit_or: fn((a) => `(${a.join(' | ')})`, 'int'),
  bit_xor: fn((a) => a.reduce((x, y) => `xor(${x}, ${y})`), 'int'),
  bit_not: fn('(~ {0})', 'int'),
  sin: fn('sin', 'number'),
  cos: fn('cos', 'number'),
  tan: fn('tan', 'number'),
  asin: fn('asin', 'number'),
  acos: fn('acos', 'number'),
  atan: fn('atan', 'number'),
  atan2: fn('atan2', 'number'),
  sinh: fn('sinh', 'number'),
  cosh: fn('cosh', 'number'),
  tanh: fn('tanh', 'number'),
  asinh: fn('asinh', 'number'),
  acosh: fn('acosh', 'number'),
  atanh: fn('atanh', 'number'),
  log10: fn('log10', 'number'),

  // ---- conversions ----
  try_double: fn('TRY_CAST({0} AS DOUBLE)', 'number'),
  /** A dotted-quad IPv4 address as a number, null for other text (prelude macro). */
  ip4: { duckdb: 'spl_ip4', returns: 'number', repeats: [0] },
  to_double: fn('CAST({0} AS DOUBLE)', 'number'),
  to_bigint: fn('CAST({0} AS BIGINT)', 'int'),
  try_bigint: fn('TRY_CAST({0} AS BIGINT)', 'int'),
  to_integer: fn('CAST({0} AS INTEGER)', 'int'),
  to_varchar: fn('CAST({0} AS VARCHAR)', 'string'),
  /** Stops the query with the message (DuckDB's error()). */
  error: fn('error'),
  /** Splunk's text of a number: whole numbers without a decimal point (a prelude macro). */
  num2str: { duckdb: 'spl_num2str', returns: 'string', repeats: [0] },
  bool2str: fn("CASE WHEN {0} THEN 'true' WHEN NOT {0} THEN 'false' END", 'string'),
  /** Splunk's truth of a text: present, and not "", "false" or "0". */
  str2bool: fn("coalesce({0} NOT IN ('', 'false', '0'), false)", 'bool'),

  // ---- text ----
  concat: op(PREC.concat, '{0} || {1}', 'string', true),
  lower: fn('lower', 'string'),
  upper: fn('upper', 'string'),
  length: fn('length', 'number'),
  substring: fn('substring', 'string'),
  trim: fn('trim', 'string'),
  ltrim: fn('ltrim', 'string'),
  lpad: fn('lpad', 'string'),
  chr: fn('chr', 'string'),
  rtrim: fn('rtrim', 'string'),
  contains: fn('contains', 'bool'),
  /** contains(lower(text), p), p a literal: see containsLowered. */
  contains_lower: fn((a) => containsLowered(a[0]!, a[1]!), 'bool'),
  translate: fn('translate', 'string'),
  // DuckDB's split_part and array_to_string are macros that write their arguments twice (a CASE
  // testing them, then the value): a volatile argument (random()) was drawn twice per row.
  split_part: { duckdb: 'split_part', returns: 'string', repeats: [0, 1, 2] },
  concat_ws: fn('concat_ws', 'string'),
  printf: fn('printf', 'string'),
  format: fn('format', 'string'),
  hex: fn('hex', 'string'),
  url_decode: fn('url_decode', 'string'),
  md5: fn('md5', 'string'),
  sha1: fn('sha1', 'string'),
  sha256: fn('sha256', 'string'),
  regexp_matches: fn('regexp_matches', 'bool'),
  regexp_full_match: fn('regexp_full_match', 'bool'),
  regexp_replace: fn('regexp_replace', 'string'),
  replace: fn('replace', 'string'),
  regexp_extract: fn('regexp_extract', 'string'),
  regexp_extract_all: fn('regexp_extract_all', 'mv'),
  string_split: fn('string_split', 'mv'),
  json_extract_string: fn('json_extract_string', 'string'),
  json_valid: fn('json_valid', 'bool'),
  /** The JSON type of the value at a path (OBJECT, ARRAY, VARCHAR, BIGINT...). */
  json_type_at: fn('json_type({0}, {1})', 'string'),
  json_type: fn('json_type', 'string'),
  /** The keys of a JSON object, in its order. */
  json_keys: fn('json_keys', 'mv'),
  /**
   * The paths of a JSON value's leaves as Splunk names fields under it (`.a.b{}.c`, an array's
   * elements as `{}`), each once: the field names a wildcard can match (commands/wildcards.ts).
   */
  json_leaf_paths: fn((a) => `(SELECT list(DISTINCT regexp_replace(regexp_replace(t.fullkey, '\\[[0-9]+\\]', '{}', 'g'), '^\\$', '')) FROM json_tree(${a[0]}) t WHERE t.type NOT IN ('OBJECT', 'ARRAY'))`, 'mv'),
  /**
   * The shape of a JSON value as DuckDB's json_structure gives it (each leaf's type; an array's
   * elements merged into one), as text: its leaves' paths are the value's, where
   * commands/wildcards.ts says they are (a million events have a few hundred shapes).
   */
  json_shape: fn('CAST(json_structure({0}) AS VARCHAR)', 'string'),
  /** A text as a JSON string (quoted, escaped). */
  to_json_text: fn('CAST(to_json({0}) AS VARCHAR)', 'string'),
  /** A list as one JSON array (a transaction's nested objects, commands/transaction.ts). */
  list_to_json: fn('to_json', 'json'),
  /** The elements of a JSON array, as a list of JSON values. */
  json_elements: fn("json_extract({0}, '$[*]')", 'mv'),
  /** Valid JSON text, minified. */
  json_text: fn('CAST(json({0}) AS VARCHAR)', 'string'),
  is_finite: fn('isfinite', 'bool'),
  /** Several paths of one JSON value, parsed once: a list, an element per path (rewrite/json-once.ts). */
  json_extract_strings: fn((a) => `json_extract_string(${a[0]}, [${a.slice(1).join(', ')}])`, 'mv'),
  cidrmatch: { duckdb: 'spl_cidrmatch', returns: 'bool', repeats: [0, 1] },
  /** City, country, region, coordinates of an IP address (a function the engine registers). */
  iplocation: fn('spl_iplocation', 'struct'),
  struct_extract: fn('struct_extract'),
  /** Search-style wildcard match of a value against a pattern (only `*` special; prelude macro). */
  wildmatch: fn('spl_wildmatch', 'bool'),
  /** A LIKE pattern known only per row as RE2 (prelude macro; LIKE itself backtracks on such patterns). */
  like_regex: fn('spl_like_regex', 'string'),

  // ---- lists (Splunk's multivalue fields) ----
  list: fn((a) => `[${a.join(', ')}]`, 'mv'),
  /** The list's element at a 1-based index (negative counts from the end). */
  list_get: fn('({0})[{1}]'),
  len: fn('len', 'int'),
  list_slice: fn('list_slice', 'mv'),
  list_filter: fn('list_filter', 'mv'),
  list_transform: fn('list_transform'),
  list_position: fn('list_position', 'int'),
  list_sort: fn('list_sort', 'mv'),
  list_distinct: fn('list_distinct', 'mv'),
  list_bool_or: fn('list_bool_or', 'bool'),
  flatten: fn('flatten', 'mv'),
  array_to_string: { duckdb: 'array_to_string', returns: 'string', repeats: [0] },
  range: fn('range', 'list'),
  /** How many values mvrange(a, b, step) makes, an error past the cap (prelude macro). */
  mvrange_count: { duckdb: 'spl_mvrange_count', returns: 'int', repeats: [0, 1, 2] },
  /** A scalar as a one-value list, NULL staying NULL. */
  to_list: fn('CASE WHEN {0} IS NULL THEN NULL ELSE [{0}] END', 'mv'),
  /** An empty list as NULL (Splunk has no empty multivalue field). */
  null_if_empty: fn('CASE WHEN len({0}) = 0 THEN NULL ELSE {0} END', 'mv'),
  empty_list: fn('[]', 'mv'),
  list_concat: fn('list_concat', 'mv'),
  empty_number_list: fn(() => 'CAST([] AS DOUBLE[])', 'list'),
  list_min: fn('list_min'),
  list_max: fn('list_max'),
  list_sum: fn('list_sum', 'number'),
  list_avg: fn('list_avg', 'number'),
  /** A multivalue field's values as numbers, a value that is not one null. */
  list_numbers: fn('TRY_CAST({0} AS DOUBLE[])', 'list'),
  /** An aggregate function, named by the second argument, over a list's values (nulls skipped). */
  list_aggregate: fn('list_aggregate'),
  list_sumsq: fn('list_sum(list_transform({0}, __sq -> __sq * __sq))', 'number'),
  unnest: fn('unnest'),
  generate_subscripts: fn('generate_subscripts', 'int'),

  // ---- time ----
  epoch: fn('epoch', 'number'),
  now_timestamp: fn(() => 'current_timestamp', 'timestamp'),
  /** A TIMESTAMP from epoch seconds (microseconds as BIGINT: an INTEGER literal would overflow). */
  timestamp_from_epoch: fn('make_timestamp(CAST(CAST({0} AS DOUBLE) * 1000000 AS BIGINT))', 'timestamp'),
  to_timestamp: fn('to_timestamp', 'timestamp'),
  make_timestamp: fn('make_timestamp', 'timestamp'),
  make_date: fn('make_date', 'timestamp'),
  strftime: fn('strftime', 'string'),
  try_strptime: fn('try_strptime', 'timestamp'),
  date_trunc: fn('date_trunc', 'timestamp'),
  year: fn('year', 'int'),
  day: fn('day', 'int'),
  hour: fn('hour', 'int'),
  minute: fn('minute', 'int'),
  second: fn('second', 'int'),
  month: fn('month', 'int'),
  dayofweek: fn('dayofweek', 'int'),
  interval_add: op(PREC.add, '{0} + {1}', 'timestamp'),
  interval_sub: op(PREC.add, '{0} - {1}', 'timestamp'),
  to_seconds: fn('to_seconds'),
  to_minutes: fn('to_minutes'),
  to_hours: fn('to_hours'),
  to_days: fn('to_days'),
  to_months: fn('to_months'),
  /** Month boundaries crossed from the first timestamp to the second. */
  month_diff: fn("datediff('month', {0}, {1})", 'int'),
  to_years: fn('to_years'),

  // ---- aggregates and windows ----
  count: agg('count', 'number'),
  count_star: agg('count(*)', 'number'),
  sum: agg('sum', 'number'),
  avg: agg('avg', 'number'),
  min: agg('min'),
  max: agg('max'),
  median: agg('median', 'number'),
  mode: agg('mode'),
  stddev_samp: agg('stddev_samp', 'number'),
  stddev_pop: agg('stddev_pop', 'number'),
  var_samp: agg('var_samp', 'number'),
  var_pop: agg('var_pop', 'number'),
  quantile_cont: agg('quantile_cont', 'number'),
  arg_min: agg('arg_min'),
  arg_max: agg('arg_max'),
  list_agg: agg('list', 'mv'),
  first: agg('first'),
  any_value: agg('any_value'),
  string_agg: agg('string_agg', 'string'),
  /**
   * transaction's cut of a list of times, newest first, by maxspan ({1}, seconds; negative: none)
   * and maxevents ({2}): the transaction number of each time. DuckDB folds a list into a value of
   * its element's type, so each time rides in a state record.
   */
  transaction_cuts: fn((a) => {
    const state = (anchor: string, n: string, id: string) => `{'anchor': ${anchor}, 'n': ${n}, 'id': ${id}, 'ids': list_append(acc.ids, ${id})}`;
    const cut = `(${a[1]} >= 0 AND x.anchor < acc.anchor - ${a[1]}) OR acc.n >= ${a[2]}`;
    const step = `CASE WHEN acc.n = 0 THEN ${state('x.anchor', '1', 'acc.id')} WHEN ${cut} THEN ${state('x.anchor', '1', 'acc.id + 1')} ELSE ${state('acc.anchor', 'acc.n + 1', 'acc.id')} END`;
    const records = `list_transform(${a[0]}, t -> {'anchor': t, 'n': 0, 'id': 0, 'ids': []::INTEGER[]})`;
    return `list_reduce(${records}, (acc, x) -> ${step}, {'anchor': 0::DOUBLE, 'n': 0, 'id': 0, 'ids': []::INTEGER[]}).ids`;
  }, 'list'),
  row_number: { duckdb: 'row_number()', returns: 'int', kind: 'window' },
  lag: { duckdb: 'lag', kind: 'window' },
  last_value_ignore_nulls: { duckdb: 'last_value({0} IGNORE NULLS)', kind: 'window' },
};

/**
 * `contains(lower(text), p)` without lowering the text, for `p` a literal of printable ASCII with no
 * capital: lowering every event's text was most of a bare term's scan (1M events: 2.4 CPU-s, this
 * 1.2-1.4). DuckDB's lower() maps each code point to one code point, and the only ones it maps to
 * ASCII are ASCII itself, U+0130 (to i) and U+212A, the Kelvin sign (to k): test/search.test.ts asks
 * DuckDB for every code point. So the lowered text holds `p` exactly where the text holds, letter
 * for letter, one of the code points lowering to it: a regex of those classes (RE2 reads UTF-8 by
 * code point). A `p` with no letter is in the text itself. Any other argument keeps lower().
 */
function containsLowered(text: string, pattern: string): string {
  const m = /^'((?:[^']|'')*)'$/.exec(pattern);
  const p = m ? m[1]!.replace(/''/g, "'") : undefined;
  if (p === undefined || !/^[\x20-\x40\x5b-\x7e]+$/.test(p)) return `contains(lower(${text}), ${pattern})`;
  if (!/[a-z]/.test(p)) return `contains(${text}, ${pattern})`;
  const classes = [...p].map((c) => {
    if (/[a-z]/.test(c)) return `[${c}${c.toUpperCase()}${c === 'i' ? '\u0130' : c === 'k' ? '\u212a' : ''}]`;
    return /[0-9]/.test(c) ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `regexp_matches(${text}, '${classes.join('').replace(/'/g, "''")}')`;
}

export function sqlFunction(id: string): SqlFunction {
  const f = SQL_FUNCTIONS[id];
  if (!f) throw new Error(`internal: no SQL function ${id}`);
  return f;
}
