// Text made safe for SQL: quoting lives in the dialect (print/duckdb.ts), re-exported here for the
// commands that still write SQL text; LIKE and regex escapes of user values.

export { dbl, ident, num, str } from './print/duckdb.js';

/** Escape a value for LIKE/ILIKE with `\` as the escape character, turning `*` into `%`. */
export function likePattern(value: string, wildcard = true): string {
  let out = '';
  for (const ch of value) {
    if (ch === '%' || ch === '_' || ch === '\\') out += '\\' + ch;
    else if (ch === '*' && wildcard) out += '%';
    else out += ch;
  }
  return out;
}

/** Escape a value so RE2 matches it literally. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|\-/]/g, '\\$&');
}

export { jsonPath } from './print/duckdb.js';
