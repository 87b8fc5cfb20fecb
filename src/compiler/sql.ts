// Text made safe for SQL outside the printers (the engine's own queries, a lookup's placeholder
// relation): quoting lives in the dialect (print/duckdb.ts); regex escapes of user values.

export { ident, str } from './print/duckdb.js';

/** Escape a value so RE2 matches it literally. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|\-/]/g, '\\$&');
}
