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
  // IPv6 text as a 128-bit number, NULL if the text is not one (RFC 4291's forms: hex groups,
  // one "::" for a run of zero groups, a dotted IPv4 tail). spl_ip6_hex writes the tail as two
  // groups; spl_ip6_groups reads the text split at "::". Lambdas read only their own parameter.
  `CREATE OR REPLACE MACRO spl_ip6_hex(s) AS CASE
     WHEN NOT contains(s, ':') THEN NULL
     WHEN NOT contains(s, '.') THEN lower(s)
     WHEN spl_ip4(regexp_extract(s, '[^:]*$')) IS NULL THEN NULL
     ELSE regexp_replace(lower(s), '[^:]*$', '') || printf('%x:%x', spl_ip4(regexp_extract(s, '[^:]*$')) >> 16, spl_ip4(regexp_extract(s, '[^:]*$')) & 65535)
     END`,
  `CREATE OR REPLACE MACRO spl_ip6_groups(p) AS list_transform([{
       'l': CASE WHEN p[1] = '' THEN []::VARCHAR[] ELSE string_split(p[1], ':') END,
       'r': CASE WHEN len(p) < 2 OR p[2] = '' THEN []::VARCHAR[] ELSE string_split(p[2], ':') END,
       'gap': len(p) = 2}], __q -> CASE
     WHEN NOT coalesce(list_bool_and(list_transform(__q.l || __q.r, __g -> regexp_full_match(__g, '[0-9a-f]{1,4}'))), true) THEN NULL
     WHEN CASE WHEN __q.gap THEN len(__q.l) + len(__q.r) > 7 ELSE len(__q.l) <> 8 END THEN NULL
     ELSE list_reduce(list_transform(__q.l || list_transform(range(8 - len(__q.l) - len(__q.r)), __z -> '0') || __q.r,
       __g -> CAST('0x' || __g AS INTEGER)::UHUGEINT), (__a, __x) -> __a * 65536 + __x)
     END)[1]`,
  `CREATE OR REPLACE MACRO spl_ip6(s) AS CASE
     WHEN spl_ip6_hex(s) IS NULL OR len(string_split(spl_ip6_hex(s), '::')) > 2 THEN NULL
     ELSE spl_ip6_groups(string_split(spl_ip6_hex(s), '::')) END`,
  // The prefix length: the text after "/", the whole address without one; NULL past the family's bits.
  `CREATE OR REPLACE MACRO spl_cidr_bits(cidr, width) AS CASE
     WHEN NOT contains(cidr, '/') THEN width
     WHEN TRY_CAST(split_part(cidr, '/', 2) AS INTEGER) BETWEEN 0 AND width THEN TRY_CAST(split_part(cidr, '/', 2) AS INTEGER)
     END`,
  // Splunk's cidrmatch and search's CIDR values take IPv4 and IPv6 blocks; an address of the other
  // family, or text that is no address, is no match.
  `CREATE OR REPLACE MACRO spl_cidrmatch(cidr, ip) AS CASE
     WHEN contains(cidr, ':') THEN coalesce((spl_ip6(ip) >> CAST(128 - spl_cidr_bits(cidr, 128) AS UHUGEINT))
        = (spl_ip6(split_part(cidr, '/', 1)) >> CAST(128 - spl_cidr_bits(cidr, 128) AS UHUGEINT)), false)
     WHEN spl_ip4(split_part(cidr, '/', 1)) IS NULL OR spl_ip4(ip) IS NULL THEN false
     ELSE coalesce((spl_ip4(ip) >> (32 - spl_cidr_bits(cidr, 32)))
        = (spl_ip4(split_part(cidr, '/', 1)) >> (32 - spl_cidr_bits(cidr, 32))), false)
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
