// SQL macros the generated SQL relies on. The engine runs these once per connection; they are
// plain SQL, so the compiler stays testable without a database.

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
  // A Splunk wildcard pattern (only * is special) as a LIKE pattern with \\ as escape.
  `CREATE OR REPLACE MACRO spl_like(p) AS replace(replace(replace(replace(p, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%')`,
  // Search-style match: case-insensitive, * wildcards.
  `CREATE OR REPLACE MACRO spl_wildmatch(v, p) AS ilike_escape(CAST(v AS VARCHAR), spl_like(CAST(p AS VARCHAR)), '\\')`,
];
