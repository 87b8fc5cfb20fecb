// The only places where text becomes SQL: identifiers are double-quoted, literals single-quoted,
// each with its quote doubled. Every user-supplied name or value goes through one of these.

/** A quoted SQL identifier; `"` doubled, NUL removed (DuckDB cannot hold it in a name). */
export function ident(name: string): string {
  return `"${name.replace(/\u0000/g, '').replace(/"/g, '""')}"`;
}

/** A SQL string literal. NUL cannot appear in a DuckDB literal, so it is spliced in with chr(0). */
export function str(value: string): string {
  if (value.includes('\u0000')) {
    return `(${value.split('\u0000').map((part) => `'${part.replace(/'/g, "''")}'`).join(' || chr(0) || ')})`;
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL numeric literal from a JS number (finite only). */
export function num(value: number): string {
  if (!Number.isFinite(value)) return 'NULL';
  const text = String(value);
  return /[.eE]/.test(text) ? `${text}::DOUBLE` : text;
}

/**
 * A DOUBLE literal. Splunk's numbers are 64-bit floats; DuckDB types `86400` as INTEGER, and
 * `86400*365*100` would then overflow INT32 instead of giving 3153600000.
 */
export function dbl(value: number): string {
  if (!Number.isFinite(value)) return 'NULL';
  return `${String(value)}::DOUBLE`;
}

/** Escape a value so RE2 matches it literally. */
export function regexLiteral(value: string): string {
  return value.replace(/[\\^$.*+?()[\]{}|\-/]/g, '\\$&');
}

/** A JSONPath for DuckDB from Splunk path segments; `{}` becomes `[*]`. */
export function jsonPath(segments: string[]): string {
  let path = '$';
  for (const segment of segments) {
    if (segment === '{}') path += '[*]';
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += '.' + segment;
    else path += '."' + segment.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
  }
  return path;
}
