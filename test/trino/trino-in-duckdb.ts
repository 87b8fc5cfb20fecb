// A stand-in for Trino's semantics inside DuckDB, for tests only (never shipped): the Trino SQL
// the compiler prints is run on DuckDB after (1) the calls of Trino functions whose name or
// meaning differs in DuckDB are rewritten to DuckDB macros that give them their Trino meaning
// (json_extract_scalar is null for an object, regexp_extract is null on no match, array_position
// is 0 when absent, any_match is null when nothing matched and a value was null...), and (2) the
// few types DuckDB spells otherwise are respelled (ARRAY(T) as T[], TIMESTAMP(p) without the
// precision). Java regular expressions are turned back into RE2 where they differ only in
// spelling. Nothing else is touched: the SQL's shape is Trino's as printed.
//
// Each rule is written from Trino's documentation of the function (trino.io/docs/current/
// functions/*.html), not from the compiler's forms, so a wrong form shows as a wrong row.

const POSIX_NAMES = ['Alnum', 'Alpha', 'ASCII', 'Blank', 'Cntrl', 'Digit', 'Graph', 'Lower', 'Print', 'Punct', 'Space', 'Upper', 'XDigit'];

/** Macros with the `t_` prefix: Trino functions as DuckDB SQL. */
export const TRINO_MACROS: string[] = [
  // java.util.regex text the compiler writes, as RE2: (?d) and (?u) are RE2's behaviour already,
  // \p{Alpha}-style POSIX properties are RE2's [[:alpha:]].
  `CREATE OR REPLACE MACRO t_re(p) AS ${POSIX_NAMES.reduce(
    (inner, name) => `replace(replace(${inner}, '\\p{${name}}', '[:${name.toLowerCase()}:]'), '\\P{${name}}', '[:^${name.toLowerCase()}:]')`,
    `regexp_replace(regexp_replace(p, '^\\(\\?d\\)', ''), '\\(\\?([a-z]*)u([a-z]*)([:)])', '(?\\1\\2\\3', 'g')`,
  )}`,
  // Java's replacement text ($1, \\$) as RE2's (\\1, $).
  `CREATE OR REPLACE MACRO t_repl(r) AS replace(replace(regexp_replace(replace(r, '\\\\', chr(1)), '\\$(\\d)', '\\\\\\1', 'g'), '\\$', '$'), chr(1), '\\\\')`,
  // Trino paths write an odd key as ["a b"]; DuckDB's as ."a b".
  `CREATE OR REPLACE MACRO t_path(p) AS regexp_replace(p, '\\["((?:[^"\\\\]|\\\\.)*)"\\]', '."\\1"', 'g')`,
  // json_extract_scalar: a scalar's text; NULL for an object, an array, a JSON null or no value.
  `CREATE OR REPLACE MACRO t_json_extract_scalar(j, p) AS CASE
     WHEN json_type(CAST(j AS JSON), t_path(p)) IN ('OBJECT', 'ARRAY', 'NULL') THEN NULL
     ELSE json_extract_string(CAST(j AS JSON), t_path(p)) END`,
  `CREATE OR REPLACE MACRO t_json_extract(j, p) AS json_extract(CAST(j AS JSON), t_path(p))`,
  `CREATE OR REPLACE MACRO t_json_format(j) AS CAST(j AS VARCHAR)`,
  `CREATE OR REPLACE MACRO t_json_parse(s) AS CAST(s AS JSON)`,
  // from_iso8601_timestamp: ISO 8601 with a T; anything else is an error (TRY makes it null).
  `CREATE OR REPLACE MACRO t_from_iso8601_timestamp(s) AS CASE
     WHEN regexp_full_match(s, '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}(:?\\d{2})?)?')
     THEN CAST(s AS TIMESTAMPTZ) ELSE error('from_iso8601_timestamp: invalid format ' || s) END`,
  // The same inside TRY (DuckDB's try() refuses a call of error()).
  `CREATE OR REPLACE MACRO t_from_iso8601_timestamp_or_null(s) AS CASE
     WHEN regexp_full_match(s, '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}(:?\\d{2})?)?')
     THEN CAST(s AS TIMESTAMPTZ) END`,
  `CREATE OR REPLACE MACRO t_with_timezone(ts, z) AS timezone(z, ts)`,
  `CREATE OR REPLACE MACRO t_to_unixtime(ts) AS epoch(ts)`,
  `CREATE OR REPLACE MACRO t_from_unixtime(x, z) AS to_timestamp(x)`,
  `CREATE OR REPLACE MACRO t_cardinality(l) AS len(l)`,
  `CREATE OR REPLACE MACRO t_element_at(l, i) AS list_extract(l, i)`,
  `CREATE OR REPLACE MACRO t_slice(l, s, n) AS list_slice(l, s, s + n - 1)`,
  `CREATE OR REPLACE MACRO t_array_min(l) AS list_min(l)`,
  `CREATE OR REPLACE MACRO t_array_max(l) AS list_max(l)`,
  `CREATE OR REPLACE MACRO t_array_sort(l) AS list_sort(l, 'ASC', 'NULLS LAST')`,
  // array_distinct keeps the first of each value, in order.
  `CREATE OR REPLACE MACRO t_array_distinct(l) AS list_filter(l, (x, i) -> list_position(l, x) = i)`,
  `CREATE OR REPLACE MACRO t_array_position(l, x) AS coalesce(list_position(l, x), 0)`,
  `CREATE OR REPLACE MACRO t_array_join(l, d) AS array_to_string(l, d)`,
  `CREATE OR REPLACE MACRO t_sequence(a, b) AS generate_series(a, b)`,
  // any_match: true if one is true, else null if one is null, else false.
  `CREATE OR REPLACE MACRO t_any_match(bs) AS CASE WHEN list_bool_or(bs) THEN true
     WHEN len(list_filter(bs, b -> b IS NULL)) > 0 THEN NULL ELSE false END`,
  `CREATE OR REPLACE MACRO t_split(s, d) AS string_split(s, d)`,
  `CREATE OR REPLACE MACRO t_regexp_like(s, p) AS regexp_matches(s, t_re(p))`,
  `CREATE OR REPLACE MACRO t_regexp_extract(s, p, g) AS CASE WHEN regexp_matches(s, t_re(p)) THEN regexp_extract(s, t_re(p), g) END`,
  `CREATE OR REPLACE MACRO t_regexp_extract_all(s, p, g) AS regexp_extract_all(s, t_re(p), g)`,
  `CREATE OR REPLACE MACRO t_regexp_replace(s, p, r) AS regexp_replace(s, t_re(p), t_repl(r), 'g')`,
  `CREATE OR REPLACE MACRO t_strpos(s, x) AS strpos(s, x)`,
  `CREATE OR REPLACE MACRO t_mod(a, b) AS a % b`,
  `CREATE OR REPLACE MACRO t_truncate(x) AS trunc(x)`,
  `CREATE OR REPLACE MACRO t_is_nan(x) AS isnan(x)`,
  `CREATE OR REPLACE MACRO t_is_infinite(x) AS isinf(x)`,
  `CREATE OR REPLACE MACRO t_bitwise_right_shift(a, b) AS a >> b`,
  `CREATE OR REPLACE MACRO t_to_utf8(s) AS s`,
  `CREATE OR REPLACE MACRO t_to_hex(s) AS upper(s)`,
  `CREATE OR REPLACE MACRO t_to_big_endian_64(n) AS lpad(hex(n), 16, '0')`,
  `CREATE OR REPLACE MACRO t_day_of_week(ts) AS isodow(ts)`,
  // Java's Double.toString: plain digits from 1e-3 to 1e7, else d.dddE±n.
  `CREATE OR REPLACE MACRO t_java_double(x) AS CASE
     WHEN x IS NULL THEN NULL WHEN isnan(x) THEN 'NaN' WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
     WHEN x = 0 THEN '0.0'
     WHEN abs(x) >= 1e-3 AND abs(x) < 1e7 THEN CASE WHEN x = trunc(x) THEN CAST(CAST(x AS BIGINT) AS VARCHAR) || '.0' ELSE CAST(x AS VARCHAR) END
     ELSE t_java_sci(CAST(x AS VARCHAR)) END`,
  // Java's computerized scientific notation from DuckDB's text: the same shortest digits (x / 10^e
  // would lose the last one), as d.dddE-n.
  `CREATE OR REPLACE MACRO t_java_digits(sign, digits, e) AS
     sign || digits[1] || '.' || CASE WHEN length(rtrim(digits, '0')) > 1 THEN rtrim(digits, '0')[2:] ELSE '0' END || 'E' || CAST(e AS VARCHAR)`,
  `CREATE OR REPLACE MACRO t_java_sci(r) AS CASE
     WHEN contains(r, 'e') THEN CASE WHEN contains(split_part(r, 'e', 1), '.') THEN split_part(r, 'e', 1) ELSE split_part(r, 'e', 1) || '.0' END
       || 'E' || CAST(CAST(split_part(r, 'e', 2) AS INTEGER) AS VARCHAR)
     WHEN split_part(ltrim(r, '-'), '.', 1) <> '0' THEN t_java_digits(CASE WHEN r[1] = '-' THEN '-' ELSE '' END,
       split_part(ltrim(r, '-'), '.', 1) || split_part(ltrim(r, '-'), '.', 2), length(split_part(ltrim(r, '-'), '.', 1)) - 1)
     ELSE t_java_digits(CASE WHEN r[1] = '-' THEN '-' ELSE '' END, ltrim(split_part(r, '.', 2), '0'),
       -(length(split_part(r, '.', 2)) - length(ltrim(split_part(r, '.', 2), '0')) + 1)) END`,
  `CREATE OR REPLACE MACRO t_date_add_day(n, d) AS d + n * INTERVAL 1 DAY`,
  `CREATE OR REPLACE MACRO t_date_add_month(n, d) AS d + n * INTERVAL 1 MONTH`,
];

/** MySQL-style format letters (Trino's date_format/date_parse) as strftime's. */
const MYSQL_TO_STRFTIME: Record<string, string> = {
  Y: '%Y', y: '%y', m: '%m', d: '%d', e: '%-d', H: '%H', h: '%I', i: '%M', s: '%S', p: '%p', b: '%b', M: '%B',
  a: '%a', W: '%A', j: '%j', f: '%f', '%': '%%',
};

function strftimeFormat(literal: string): string {
  const text = literal.slice(1, -1).replace(/''/g, "'");
  const out = text.replace(/%(.)/g, (_m, c: string) => {
    const f = MYSQL_TO_STRFTIME[c];
    if (!f) throw new Error(`harness: MySQL format %${c} not mapped`);
    return f;
  });
  return `'${out.replace(/'/g, "''")}'`;
}

type Rule = (args: string[]) => string;

/** Calls rewritten by name (any case): the rest keep their name, the same in both engines. */
const RULES: Record<string, Rule> = {
  transform: (a) => `list_transform(${a.join(', ')})`,
  filter: (a) => `list_filter(${a.join(', ')})`,
  any_match: (a) => `t_any_match(list_transform(${a.join(', ')}))`,
  // Trino's lpad and rpad take a bigint size, DuckDB's an integer.
  lpad: (a) => `lpad(${a[0]}, CAST(${a[1]} AS INTEGER), ${a[2]})`,
  rpad: (a) => `rpad(${a[0]}, CAST(${a[1]} AS INTEGER), ${a[2]})`,
  format: (a) => (a[0] === "'%s'" && a.length === 2 ? `t_java_double(${a[1]})` : `printf(${a.join(', ')})`),
  date_format: (a) => `strftime(${a[0]}, ${strftimeFormat(a[1]!)})`,
  date_parse: (a) => `strptime(${a[0]}, ${strftimeFormat(a[1]!)})`,
  date_add: (a) => {
    const unit = a[0]!.toLowerCase();
    if (unit === "'day'") return `t_date_add_day(${a[1]}, ${a[2]})`;
    if (unit === "'month'") return `t_date_add_month(${a[1]}, ${a[2]})`;
    throw new Error(`harness: date_add unit ${unit} not mapped`);
  },
  contains: (a) => {
    const ip = /^CAST\(([\s\S]*) AS IPADDRESS\)$/.exec(a[1]!);
    if (!ip) return `list_contains(${a.join(', ')})`;
    return `spl_cidrmatch(${a[0]}, ${ip[1]})`;
  },
  array: (a) => `${a[0]}[]`,
  try: (a) => `try(${a[0]!.replace(/\bt_from_iso8601_timestamp\(/g, 't_from_iso8601_timestamp_or_null(')})`,
  timestamp: () => 'TIMESTAMP',
};

const MACRO_NAMES = new Set(TRINO_MACROS.map((m) => /MACRO t_(\w+)\(/.exec(m)![1]!).filter((n) => !['re', 'repl', 'path', 'java_double', 'date_add_day', 'date_add_month', 'from_iso8601_timestamp_or_null'].includes(n)));

/**
 * Trino SQL as DuckDB runs it with Trino's meaning. Quoted text and names are never touched;
 * a call is recognised by a word directly followed by `(` that is not a member (`.name(`).
 */
export function trinoToDuckdb(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = closingQuote(sql, i);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word) {
      const name = word[0];
      const after = i + name.length;
      const lower = name.toLowerCase();
      const member = out.endsWith('.');
      if (!member && sql[after] === '(' && (RULES[lower] || MACRO_NAMES.has(lower))) {
        const { args, end } = callArgs(sql, after);
        const rewritten = args.map(trinoToDuckdb);
        out += RULES[lower] ? RULES[lower]!(rewritten) : `t_${lower}(${rewritten.join(', ')})`;
        i = end;
        continue;
      }
      out += name;
      i = after;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function closingQuote(sql: string, start: number): number {
  const q = sql[start]!;
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === q) {
      if (sql[i + 1] === q) { i += 2; continue; }
      return i + 1;
    }
    i++;
  }
  throw new Error(`harness: unclosed quote at ${start}`);
}

/** The top-level arguments of the call whose `(` is at `open`, and the index after its `)`. */
function callArgs(sql: string, open: number): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  let i = open;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') { i = closingQuote(sql, i); continue; }
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') {
      depth--;
      if (depth === 0) {
        const last = sql.slice(start, i).trim();
        if (last !== '' || args.length > 0) args.push(last);
        return { args, end: i + 1 };
      }
    } else if (ch === ',' && depth === 1) {
      args.push(sql.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  throw new Error(`harness: unclosed call at ${open}`);
}
