// The Trino form of every SQL function of the library (sql-functions.ts), by id. A form gives
// what DuckDB's template gives, value for value, nulls included, where Trino's own function of the
// same name differs (least/greatest skip no null in Trino, split_part past the end is null,
// array_position is 0 when absent, regexp_extract is null on no match...). An id mapped to
// `none(why)` has no faithful Trino form: a search that needs it is refused with its name.
// docs/athena.md lists the differences; test/trino/ checks each form on DuckDB through a layer
// of macros that gives Trino's functions their Trino meaning.
import type { Template } from './sql-functions.js';
import { javaRegex, JavaRegexError } from '../print/java-regex.js';

/** A library function with no Trino form that means the same. */
export interface NoForm {
  none: string;
}

export type TrinoForm = Template | NoForm;

const none = (why: string): NoForm => ({ none: why });

/** Raised by a form that cannot print these particular arguments (a per-row regex, a bad one). */
export { DialectArgumentError as TrinoFormError } from '../print/dialect.js';
import { DialectArgumentError as TrinoFormError } from '../print/dialect.js';

/** The text of a printed Trino string literal, or undefined when the argument is not one. */
function literalText(sql: string): string | undefined {
  const m = /^'((?:[^']|'')*)'$/.exec(sql);
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

function trinoIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function trinoString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A regex argument: must be a literal (Java compiles it; RE2 text is rewritten for Java). */
function regex(sql: string, fn: string): string {
  const text = literalText(sql);
  if (text === undefined) throw new TrinoFormError(`${fn}: a regular expression known only per row cannot be checked for Java's engine`);
  try {
    return trinoString(javaRegex(text));
  } catch (err) {
    if (err instanceof JavaRegexError) throw new TrinoFormError(`regular expression ${JSON.stringify(text)}: ${err.message}`);
    throw err;
  }
}

/** RE2's replacement text (`\1`) as Java's (`$1`, a literal `$` escaped). */
function replacement(sql: string): string {
  const text = literalText(sql);
  if (text === undefined) throw new TrinoFormError('replace: a replacement known only per row has no Trino form');
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && /\d/.test(text[i + 1] ?? '')) { out += '$' + text[++i]; continue; }
    if (ch === '\\' && text[i + 1] === '\\') { out += '\\\\'; i++; continue; }
    if (ch === '$') { out += '\\$'; continue; }
    out += ch;
  }
  return trinoString(out);
}

/** DuckDB's strftime format, for Trino's date_format (MySQL's letters). */
const STRFTIME_TO_MYSQL: Record<string, string> = {
  Y: '%Y', y: '%y', m: '%m', d: '%d', e: '%e', H: '%H', I: '%h', M: '%i', S: '%s', p: '%p', b: '%b', B: '%M',
  a: '%a', A: '%W', j: '%j', f: '%f', '%': '%%', T: '%H:%i:%s', D: '%m/%d/%y', F: '%Y-%m-%d', R: '%H:%i',
};

function timeFormat(sql: string, fn: string): string {
  const text = literalText(sql);
  if (text === undefined) throw new TrinoFormError(`${fn}: a time format known only per row has no Trino form`);
  const out = text.replace(/%(.)/g, (_m, letter: string) => {
    const mapped = STRFTIME_TO_MYSQL[letter];
    if (mapped === undefined) throw new TrinoFormError(`${fn}: the time format %${letter} has no Trino form`);
    return mapped;
  });
  return trinoString(out.replace(/%(?![a-zA-Z%])/g, '%%'));
}

/** A JSONPath as DuckDB writes it (`$.a."b c"[*].d`), as steps. */
function jsonSteps(path: string): (string | '*' | number)[] {
  const steps: (string | '*' | number)[] = [];
  const re = /\.([A-Za-z_][A-Za-z0-9_]*)|\."((?:[^"\\]|\\.)*)"|\[\*\]|\[(\d+)\]/y;
  if (!path.startsWith('$')) throw new TrinoFormError(`JSON path ${path} does not start with $`);
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new TrinoFormError(`JSON path ${path} has no Trino form`);
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[0] === '[*]') steps.push('*');
    else steps.push(Number(m[3]));
  }
  return steps;
}

/** Trino JSONPath text for steps without a wildcard. */
export function trinoJsonPath(steps: (string | number)[]): string {
  return '$' + steps.map((s) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `["${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`)).join('');
}

/**
 * A JSON value as DuckDB's json_extract_string gives it: a scalar's text, an object's or array's
 * JSON text, a JSON null as NULL.
 */
export function jsonText(json: string, path: string): string {
  const p = trinoString(path);
  return `coalesce(json_extract_scalar(${json}, ${p}), nullif(json_format(json_extract(${json}, ${p})), 'null'))`;
}

/**
 * DuckDB's json_extract_string over a path with `[*]`: one value per element (a JSON null as
 * NULL), nothing for a step that is not an array. Trino's JSONPath has no wildcard, so each
 * array is cast and walked.
 */
export function jsonValues(json: string, steps: (string | '*' | number)[]): string {
  let list = `ARRAY[TRY(json_parse(${json}))]`;
  let run: (string | number)[] = [];
  let depth = 0;
  const flush = (): void => {
    const v = `__j${depth++}`;
    list = `flatten(transform(${list}, ${v} -> coalesce(TRY_CAST(json_extract(${v}, ${trinoString(trinoJsonPath(run))}) AS ARRAY(JSON)), ARRAY[])))`;
    run = [];
  };
  for (const s of steps) {
    if (s === '*') flush();
    else run.push(s);
  }
  // A missing key gives no value (SQL NULL from json_extract); a JSON null gives a null value.
  const [v, w, x] = [`__j${depth}`, `__j${depth + 1}`, `__j${depth + 2}`];
  const found = `filter(transform(${list}, ${v} -> json_extract(${v}, ${trinoString(trinoJsonPath(run))})), ${w} -> ${w} IS NOT NULL)`;
  return `transform(${found}, ${x} -> coalesce(json_extract_scalar(${x}, '$'), nullif(json_format(${x}), 'null')))`;
}

function jsonExtractString(a: string[]): string {
  const path = literalText(a[1]!);
  if (path === undefined) throw new TrinoFormError('spath: a path known only per row has no Trino form');
  const steps = jsonSteps(path);
  if (steps.includes('*')) return jsonValues(a[0]!, steps);
  return jsonText(a[0]!, trinoJsonPath(steps as (string | number)[]));
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';

/** A name for a lambda variable that none of `texts` mentions, so binding it captures nothing. */
function freshName(texts: string[]): string {
  const all = texts.join(' ');
  let i = 0;
  while (all.includes(`__s${i}`)) i++;
  return `__s${i}`;
}

/** Text as cheap to repeat as to bind: a name, a column, a number or a short string literal. */
function cheap(text: string): boolean {
  return /^(?:[A-Za-z_][A-Za-z0-9_]*|"(?:[^"]|"")*"(?:\.[A-Za-z_][A-Za-z0-9_]*)*|-?\d+(?:\.\d+)?(?:E-?\d+)?|'(?:[^']|''){0,40}')$/.test(text);
}

/**
 * `body` over the arguments, each written once: one that is not cheap is bound to a lambda
 * variable (a form that repeats an argument would otherwise copy its text, and a nested mvindex
 * made tens of kilobytes of SQL).
 */
function bound(args: string[], body: (names: string[]) => string): string {
  const names = [...args];
  const lets: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    if (cheap(args[i]!)) continue;
    const name = freshName([...args, ...lets.map(([n]) => n)]);
    lets.push([name, args[i]!]);
    names[i] = name;
  }
  let text = body(names);
  for (const [name, value] of lets.reverse()) text = `element_at(transform(ARRAY[${value}], ${name} -> ${text}), 1)`;
  return text;
}

/**
 * A number as spl_num2str writes it locally: whole numbers under 10^15 without a decimal point,
 * others with DuckDB's digits, the shortest that read back as the same double, as Python's repr
 * places them (plain from 10^-4 to 10^16, else 1.5e+20). Java's Double.toString gives the same
 * digits but places them otherwise (1.23456785E7 from 10^7, 1.0E-4 below 10^-3): they are moved.
 */
function numberText(value: string): string {
  const repr = (s: string) => bound([`CAST(split_part(${s}, 'E', 2) AS INTEGER)`, `regexp_replace(replace(replace(split_part(${s}, 'E', 1), '-', ''), '.', ''), '0+$', '')`], ([e, d]) => {
    const plain = `IF(${e} < 0, '0.' || lpad(${d}, length(${d}) - ${e} - 1, '0'),
      IF(length(${d}) > ${e} + 1, substr(${d}, 1, ${e} + 1) || '.' || substr(${d}, ${e} + 2), rpad(${d}, ${e} + 1, '0') || '.0'))`;
    const scientific = `substr(${d}, 1, 1) || IF(length(${d}) > 1, '.' || substr(${d}, 2), '') || IF(${e} < 0, 'e-', 'e+') || IF(abs(${e}) < 10, '0', '') || CAST(abs(${e}) AS VARCHAR)`;
    return `IF(starts_with(${s}, '-'), '-', '') || IF(${e} >= -4 AND ${e} < 16, ${plain}, ${scientific})`;
  });
  return bound([`CAST(${value} AS DOUBLE)`], ([x]) => `CASE WHEN ${x} IS NULL THEN NULL WHEN is_nan(${x}) THEN 'nan' WHEN is_infinite(${x}) THEN IF(${x} > 0, 'inf', '-inf')
    WHEN ${x} = truncate(${x}) AND abs(${x}) < 1e15 THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR)
    ELSE ${bound([`format('%s', ${x})`], ([s]) => `IF(strpos(${s}, 'E') = 0, ${s}, ${repr(s)})`)} END`);
}

/** DuckDB's list_slice (1-based, inclusive, negative from the end) with Trino's slice. */
function listSlice(a: string[]): string {
  return bound(a, ([l, s, e]) => {
    const from = `IF(${s} < 0, cardinality(${l}) + ${s} + 1, IF(${s} = 0, 1, ${s}))`;
    const to = `IF(${e} < 0, cardinality(${l}) + ${e} + 1, least(${e}, cardinality(${l})))`;
    return `IF(${to} < greatest(${from}, 1), slice(${l}, 1, 0), slice(${l}, greatest(${from}, 1), ${to} - greatest(${from}, 1) + 1))`;
  });
}

/** SQL's least/greatest over values that skip nulls, as DuckDB's do. */
const skipNulls = (fn: 'array_min' | 'array_max') => (a: string[]) => `${fn}(filter(ARRAY[${a.join(', ')}], __n -> __n IS NOT NULL))`;
const listSkipNulls = (fn: 'array_min' | 'array_max') => `${fn}(filter({0}, __n -> __n IS NOT NULL))`;

const hash = (fn: string) => `lower(to_hex(${fn}(to_utf8({0}))))`;

export const TRINO_FUNCTIONS: Record<string, TrinoForm> = {
  // ---- logic and comparison: the same SQL ----
  and: '{0} AND {1}', or: '{0} OR {1}', not: 'NOT {0}',
  eq: '{0} = {1}', ne: '{0} <> {1}', lt: '{0} < {1}', le: '{0} <= {1}', gt: '{0} > {1}', ge: '{0} >= {1}',
  is_distinct: '{0} IS DISTINCT FROM {1}',
  like: '{0} LIKE {1}',
  // Trino has no ILIKE.
  ilike: 'lower({0}) LIKE lower({1})',
  in: '{0} IN ({1*})', not_in: '{0} NOT IN ({1*})',
  is_null: '{0} IS NULL', is_not_null: '{0} IS NOT NULL',
  coalesce: 'coalesce', nullif: 'nullif',
  least: skipNulls('array_min'), greatest: skipNulls('array_max'),

  // ---- arithmetic ----
  add: '{0} + {1}', sub: '{0} - {1}', mul: '{0} * {1}',
  // DuckDB's / is always a float division; Trino's divides integers as integers. DuckDB gives
  // null for a division by zero where Trino fails or gives Infinity.
  div: 'IF({1} = 0, NULL, CAST({0} AS DOUBLE) / {1})',
  int_div: 'IF({1} = 0, NULL, CAST({0} AS BIGINT) / CAST({1} AS BIGINT))',
  int_mod: 'IF({1} = 0, NULL, mod({0}, {1}))',
  neg: '- {0}',
  fmod: 'IF({1} = 0, NULL, mod({0}, {1}))', floor: 'floor', ceil: 'ceil', abs: 'abs', pow: 'power', sqrt: 'sqrt', exp: 'exp', ln: 'ln',
  round: 'round', trunc: 'truncate', random: 'random', pi: 'pi',
  shift_right: 'bitwise_right_shift({0}, {1})',
  shift_left: 'bitwise_left_shift({0}, {1})',
  bit_and: (a) => a.reduce((x, y) => `bitwise_and(${x}, ${y})`),
  bit_or: (a) => a.reduce((x, y) => `bitwise_or(${x}, ${y})`),
  bit_xor: (a) => a.reduce((x, y) => `bitwise_xor(${x}, ${y})`),
  bit_not: 'bitwise_not({0})',
  sin: 'sin', cos: 'cos', tan: 'tan', asin: 'asin', acos: 'acos', atan: 'atan', atan2: 'atan2', cosh: 'cosh', tanh: 'tanh',
  sinh: none('sinh has no Trino function'),
  asinh: none('asinh has no Trino function'),
  acosh: none('acosh has no Trino function'),
  atanh: none('atanh has no Trino function'),
  log10: 'log10',

  // ---- conversions ----
  try_double: 'TRY_CAST({0} AS DOUBLE)', to_double: 'CAST({0} AS DOUBLE)',
  to_bigint: 'CAST({0} AS BIGINT)', try_bigint: 'TRY_CAST({0} AS BIGINT)', to_integer: 'CAST({0} AS INTEGER)',
  to_varchar: none('a cast of an arbitrary value to text prints doubles differently in Trino (1.5E0)'),
  num2str: (a) => numberText(a[0]!),
  bool2str: "CASE WHEN {0} THEN 'true' WHEN NOT {0} THEN 'false' END",
  str2bool: "coalesce({0} NOT IN ('', 'false', '0'), false)",

  // ---- text ----
  concat: '{0} || {1}', lower: 'lower', upper: 'upper', length: 'length',
  substring: 'substr',
  trim: (a) => (a.length === 1 ? `trim(BOTH ' ' FROM ${a[0]})` : `trim(BOTH ${a[1]} FROM ${a[0]})`),
  ltrim: (a) => (a.length === 1 ? `trim(LEADING ' ' FROM ${a[0]})` : `trim(LEADING ${a[1]} FROM ${a[0]})`),
  rtrim: (a) => (a.length === 1 ? `trim(TRAILING ' ' FROM ${a[0]})` : `trim(TRAILING ${a[1]} FROM ${a[0]})`),
  contains: '(strpos({0}, {1}) > 0)',
  contains_lower: '(strpos(lower({0}), {1}) > 0)',
  translate: 'translate',
  // DuckDB: '' past the end, negative from the end.
  split_part: "CASE WHEN {0} IS NULL OR {1} IS NULL OR {2} IS NULL THEN NULL WHEN {2} = 0 THEN '' ELSE coalesce(element_at(split({0}, {1}), {2}), '') END",
  concat_ws: 'concat_ws',
  printf: 'format',
  format: none('tostring(x, "commas") has no Trino form'),
  hex: "regexp_replace(to_hex(to_big_endian_64({0})), '^0+(?=.)', '')",
  url_decode: 'url_decode',
  lpad: 'lpad',
  chr: 'chr',
  md5: hash('md5'), sha1: hash('sha1'), sha256: hash('sha256'),
  regexp_matches: (a) => {
    if (a.length > 2) throw new TrinoFormError('match: regex options have no Trino form');
    return `regexp_like(${a[0]}, ${regex(a[1]!, 'match')})`;
  },
  regexp_full_match: (a) => {
    const text = literalText(a[1]!);
    if (text === undefined) throw new TrinoFormError('a whole-value regex known only per row has no Trino form');
    return `regexp_like(${a[0]}, ${regex(trinoString(`^(?:${text})$`), 'match')})`;
  },
  regexp_replace: (a) => {
    const mode = a[3] === undefined ? undefined : literalText(a[3]);
    const pattern = literalText(a[1]!);
    // Trino replaces every match; DuckDB without 'g' only the first, which is the same for a
    // pattern anchored at the start.
    if (mode !== 'g' && !(pattern !== undefined && pattern.startsWith('^'))) throw new TrinoFormError('replacing only the first match has no Trino form');
    return `regexp_replace(${a[0]}, ${regex(a[1]!, 'replace')}, ${replacement(a[2]!)})`;
  },
  regexp_extract: (a) => `CASE WHEN ${a[0]} IS NULL THEN NULL ELSE coalesce(regexp_extract(${a[0]}, ${regex(a[1]!, 'rex')}, ${a[2] ?? '0'}), '') END`,
  regexp_extract_all: (a) => `regexp_extract_all(${a[0]}, ${regex(a[1]!, 'rex')}, ${a[2] ?? '0'})`,
  replace: none('fromjson has no Trino form yet (replace of an empty text differs)'),
  string_split: "IF({1} = '', regexp_extract_all({0}, '(?s).', 0), split({0}, {1}))",
  json_extract_string: jsonExtractString,
  json_valid: none('tojson and fromjson have no Trino form yet'),
  json_type_at: none('fromjson has no Trino form yet'),
  json_type: none('fromjson has no Trino form yet'),
  json_keys: none('fromjson has no Trino form yet'),
  json_leaf_paths: none('the fields a wildcard matches are asked of the local data'),
  json_shape: none('the fields a wildcard matches are asked of the local data'),
  to_json_text: none('tojson has no Trino form yet'),
  json_text: none('tojson has no Trino form yet'),
  list_to_json: none('transaction has no Trino form'),
  json_elements: none('transaction has no Trino form'),
  is_finite: 'is_finite({0})',
  json_extract_strings: none('a list of JSON paths is a DuckDB rewrite (rewrite/json-once.ts); the Trino plan reads each path'),
  // As the local form: an address of the block's family (IPv4 as four dotted numbers, IPv6 with
  // colons; Trino would also match an IPv4 address to an IPv4-mapped IPv6 block); text that is no
  // address is no match.
  cidrmatch: (a) => `coalesce(IF(strpos(${a[0]}, ':') > 0, strpos(${a[1]}, ':') > 0, regexp_like(${a[1]}, '^\\d{1,3}(\\.\\d{1,3}){3}$')) AND TRY(contains(${a[0]}, CAST(${a[1]} AS IPADDRESS))), false)`,
  wildmatch: "lower(CAST({0} AS VARCHAR)) LIKE replace(replace(replace(replace(lower(CAST({1} AS VARCHAR)), '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%') ESCAPE '\\'",
  list_concat: none('list_concat has no Trino form yet (concat of a null array is null in Trino)'),
  string_agg: none('string_agg has no Trino form yet (array_join over array_agg differs on nulls)'),
  transaction_cuts: none('transaction has no Trino form'),
  last_value_ignore_nulls: none('last_value IGNORE NULLS has no Trino form yet'),
  // The local macro's test (spl_ip4, prelude.ts): four dotted numbers 0-255 without leading zeros.
  ip4: (a) => bound(a, ([s]) => `CASE WHEN regexp_like(${s}, '^${OCTET}(\\.${OCTET}){3}$') THEN ${[2 ** 24, 2 ** 16, 2 ** 8, 1].map((weight, i) => `CAST(split_part(${s}, '.', ${i + 1}) AS BIGINT)${weight === 1 ? '' : ` * ${weight}`}`).join(' + ')} END`),
  like_regex: none('a LIKE pattern known only per row has no Trino form'),
  error: none("error() (timechart's bucket cap) has no documented Trino function"),
  iplocation: none('iplocation needs a table of IP ranges and places, which the Athena CloudTrail table does not have'),
  struct_extract: (a) => {
    const key = literalText(a[1]!);
    if (key === undefined) throw new TrinoFormError('a struct member known only per row has no Trino form');
    return `${a[0]}.${trinoIdentifier(key)}`;
  },

  // ---- lists ----
  list: (a) => `ARRAY[${a.join(', ')}]`,
  list_get: 'IF({1} = 0, NULL, element_at({0}, {1}))',
  len: 'cardinality',
  list_slice: listSlice,
  list_filter: 'filter', list_transform: 'transform',
  list_position: 'nullif(array_position({0}, {1}), 0)',
  list_sort: 'array_sort',
  list_distinct: 'array_distinct(filter({0}, __d -> __d IS NOT NULL))',
  // bool_or over the values: nulls skipped, no value at all is null.
  list_bool_or: 'IF(any_match({0}, __b -> __b), true, IF(any_match({0}, __b -> NOT __b), false, NULL))',
  flatten: 'flatten',
  array_to_string: 'array_join',
  range: (a) => {
    if (a.length !== 2) throw new TrinoFormError('a range with a step has no Trino form');
    return `IF(${a[1]} > ${a[0]}, sequence(${a[0]}, ${a[1]} - 1), ARRAY[])`;
  },
  mvrange_count: none('mvrange has no Trino form'),
  empty_number_list: () => 'CAST(ARRAY[] AS ARRAY(DOUBLE))',
  list_min: listSkipNulls('array_min'),
  list_max: listSkipNulls('array_max'),
  list_sum: none('a sum of multivalue numbers has no Trino form yet'),
  list_avg: none('an average of multivalue numbers has no Trino form yet'),
  list_numbers: 'transform({0}, __x -> TRY_CAST(__x AS DOUBLE))',
  list_aggregate: none('a statistic over each value of a multivalue field has no Trino form yet'),
  list_sumsq: none('a sum of squares over each value of a multivalue field has no Trino form yet'),
  to_list: 'CASE WHEN {0} IS NULL THEN NULL ELSE ARRAY[{0}] END',
  null_if_empty: 'CASE WHEN cardinality({0}) = 0 THEN NULL ELSE {0} END',
  empty_list: 'ARRAY[]',
  unnest: none('unnest in a select list has no Trino form (mvexpand becomes CROSS JOIN UNNEST)'),
  generate_subscripts: none('generate_subscripts has no Trino form'),

  // ---- time: timestamps are UTC instants ----
  epoch: 'to_unixtime({0})',
  now_timestamp: 'current_timestamp',
  timestamp_from_epoch: "from_unixtime(CAST({0} AS DOUBLE), 'UTC')",
  to_timestamp: "from_unixtime(CAST({0} AS DOUBLE), 'UTC')",
  // make_timestamp: from microseconds (timechart's month buckets, pivot.ts series), or from the
  // parts of a midnight (a month bucket's start, time-buckets.ts), as make_date.
  make_timestamp: (a) => {
    if (a.length === 1) return `from_unixtime(CAST(${a[0]} AS DOUBLE) / 1e6, 'UTC')`;
    if (a.length !== 6 || a.slice(3).some((x) => x !== '0')) throw new TrinoFormError('make_timestamp of a time of day has no Trino form');
    return `with_timezone(CAST(date_add('day', ${a[2]} - 1, date_add('month', (${a[0]} - 1970) * 12 + ${a[1]} - 1, DATE '1970-01-01')) AS TIMESTAMP), 'UTC')`;
  },
  make_date: "with_timezone(CAST(date_add('day', {2} - 1, date_add('month', ({0} - 1970) * 12 + {1} - 1, DATE '1970-01-01')) AS TIMESTAMP), 'UTC')",
  strftime: (a) => `date_format(${a[0]}, ${timeFormat(a[1]!, 'strftime')})`,
  try_strptime: (a) => `with_timezone(TRY(date_parse(${a[0]}, ${timeFormat(a[1]!, 'strptime')})), 'UTC')`,
  date_trunc: 'date_trunc',
  // DuckDB counts month boundaries crossed; Trino's date_diff('month') counts whole months.
  month_diff: '((year({1}) - year({0})) * 12 + month({1}) - month({0}))',
  year: 'year', month: 'month', day: 'day', hour: 'hour', minute: 'minute', second: 'second',
  // DuckDB: Sunday 0 .. Saturday 6; Trino: Monday 1 .. Sunday 7.
  dayofweek: 'mod(day_of_week({0}), 7)',
  interval_add: '{0} + {1}', interval_sub: '{0} - {1}',
  to_seconds: "({0}) * INTERVAL '1' SECOND",
  to_minutes: "({0}) * INTERVAL '1' MINUTE",
  to_hours: "({0}) * INTERVAL '1' HOUR",
  to_days: "({0}) * INTERVAL '1' DAY",
  to_months: "({0}) * INTERVAL '1' MONTH",
  to_years: "({0}) * INTERVAL '1' YEAR",

  // ---- aggregates and windows ----
  count: 'count', count_star: 'count(*)', sum: 'sum', avg: 'avg', min: 'min', max: 'max',
  median: none('an exact median has no Trino form (approx_percentile is approximate)'),
  mode: none('mode has no Trino form'),
  stddev_samp: 'stddev_samp', stddev_pop: 'stddev_pop', var_samp: 'var_samp', var_pop: 'var_pop',
  quantile_cont: none('an exact percentile has no Trino form (approx_percentile is approximate)'),
  arg_min: 'min_by', arg_max: 'max_by',
  list_agg: 'array_agg',
  // The first value in the aggregate's own order (a lookup's row order), nulls included as
  // DuckDB's first() takes them; without an order Trino has no first value to take.
  first: (a) => {
    if (!/ ORDER BY /.test(a[a.length - 1]!)) throw new TrinoFormError('first() without an order has no Trino aggregate');
    return `element_at(array_agg(${a.join(', ')}), 1)`;
  },
  any_value: 'arbitrary',
  row_number: 'row_number()',
  lag: 'lag',
};

export function trinoForm(id: string): TrinoForm | undefined {
  return TRINO_FUNCTIONS[id];
}
