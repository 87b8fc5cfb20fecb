// Text made safe for SQL: quoting lives in the dialect (print/duckdb.ts), re-exported here for the
// commands that still write SQL text; LIKE and regex escapes of user values.

export { dbl, ident, num, str } from './print/duckdb.js';

/** Escape a value so RE2 matches it literally. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|\-/]/g, '\\$&');
}

export { jsonPath } from './print/duckdb.js';
