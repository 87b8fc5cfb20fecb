// SQL macros the generated SQL relies on. The engine runs these once per connection; they are
// plain SQL, so the compiler stays testable without a database.

/**
 * The most values mvrange makes. Splunk caps multivalue results too (stats list() keeps the first
 * 100 values); an analyst's ranges (days, hours, ports) stay far below this.
 */
export const MV_RANGE_MAX = 10_000;

export const PRELUDE: string[] = [
  // Splunk prints whole numbers without a decimal point.
  `CREATE OR REPLACE MACRO spl_num2str(x) AS CASE
     WHEN x IS NULL THEN NULL
     WHEN isnan(x::DOUBLE) OR isinf(x::DOUBLE) THEN CAST(x AS VARCHAR)
     WHEN x::DOUBLE = trunc(x::DOUBLE) AND abs(x::DOUBLE) < 1e15 THEN CAST(CAST(x AS BIGINT) AS VARCHAR)
     ELSE CAST(x::DOUBLE AS VARCHAR) END`,
  // Dotted-quad IPv4 as an integer, NULL if the text is not one.
  `CREATE OR REPLACE MACRO spl_ip4(s) AS CASE
     WHEN regexp_full_match(s, '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}')
     THEN (split_part(s, '.', 1)::BIGINT << 24) + (split_part(s, '.', 2)::BIGINT << 16)
        + (split_part(s, '.', 3)::BIGINT << 8) + split_part(s, '.', 4)::BIGINT
     END`,
  `CREATE OR REPLACE MACRO spl_cidrmatch(cidr, ip) AS CASE
     WHEN spl_ip4(split_part(cidr, '/', 1)) IS NULL OR spl_ip4(ip) IS NULL THEN false
     ELSE (spl_ip4(ip) >> (32 - coalesce(TRY_CAST(nullif(split_part(cidr, '/', 2), '') AS INTEGER), 32)))
        = (spl_ip4(split_part(cidr, '/', 1)) >> (32 - coalesce(TRY_CAST(nullif(split_part(cidr, '/', 2), '') AS INTEGER), 32)))
     END`,
  // A Splunk wildcard pattern known only per row (a subsearch's values): `*` only, any case, in
  // time linear in the text. ilike_escape backtracks (three wildcards: minutes on one long
  // value), and regexp_full_match compiles the pattern on every row (8x slower). Greedy leftmost
  // matching of the pieces between the stars is exact for `*`-only patterns. The text is
  // carried in the accumulator, never captured by the lambda: DuckDB 1.5.5 gives wrong answers
  // under a filter when a list_reduce lambda reads an outer column.
  `CREATE OR REPLACE MACRO spl_wild_middle(body, pieces) AS list_reduce(
     list_transform(pieces, __wx -> {'s': __wx, 't': ''::VARCHAR, 'p': 0::BIGINT}),
     (__wa, __wx) -> {'s': ''::VARCHAR, 't': __wa.t, 'p': CASE WHEN __wa.p < 0 THEN -1
       ELSE coalesce(nullif(instr(substr(__wa.t, __wa.p + 1), __wx.s), 0) + __wa.p - 1 + length(__wx.s), -1) END},
     {'s': ''::VARCHAR, 't': body, 'p': 0::BIGINT}).p >= 0`,
  `CREATE OR REPLACE MACRO spl_wildmatch(v, p) AS list_transform(
     [{'t': lower(CAST(v AS VARCHAR)), 's': string_split(lower(CAST(p AS VARCHAR)), '*')}], __wz -> CASE
     WHEN __wz.t IS NULL OR __wz.s IS NULL THEN NULL
     WHEN len(__wz.s) = 1 THEN __wz.t = __wz.s[1]
     WHEN length(__wz.t) < length(__wz.s[1]) + length(__wz.s[-1]) OR NOT starts_with(__wz.t, __wz.s[1]) OR NOT ends_with(__wz.t, __wz.s[-1]) THEN false
     WHEN len(__wz.s) = 2 THEN true
     WHEN len(__wz.s) = 3 THEN contains(substr(__wz.t, length(__wz.s[1]) + 1, length(__wz.t) - length(__wz.s[1]) - length(__wz.s[-1])), __wz.s[2])
     ELSE spl_wild_middle(substr(__wz.t, length(__wz.s[1]) + 1, length(__wz.t) - length(__wz.s[1]) - length(__wz.s[-1])), __wz.s[2:len(__wz.s) - 1])
     END)[1]`,
  // mvrange's values, refused past MV_RANGE_MAX before DuckDB builds the list:
  // range() allocates outside the memory limit, so mvrange(0, 1e8) grew the process until the
  // kernel killed it, whatever --memory-limit said.
  `CREATE OR REPLACE MACRO spl_mvrange_count(a, b, s) AS CASE
     WHEN s = 0 THEN NULL
     WHEN (b - a) / s > ${MV_RANGE_MAX} THEN error('mvrange(' || spl_num2str(a) || ', ' || spl_num2str(b) || ', ' || spl_num2str(s) || ') would make '
       || CAST(ceil((b - a) / s) AS BIGINT) || ' values, more than the ${MV_RANGE_MAX} one multivalue field may hold')
     ELSE greatest(CAST(ceil((b - a) / s) AS BIGINT), 0) END`,
  // A LIKE pattern known only per row as RE2 (linear; LIKE itself backtracks on such patterns).
  // regexp_escape writes % as \% and leaves _ alone.
  `CREATE OR REPLACE MACRO spl_like_regex(p) AS '(?s)' || replace(replace(regexp_escape(p), '\\%', '.*'), '_', '.')`,
];
