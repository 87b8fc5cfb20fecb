// Wildcard and LIKE patterns as SQL that runs in time linear in the text. DuckDB's ILIKE, any
// LIKE with an ESCAPE clause or a `_`, and LIKE against a pattern that is not a constant all
// backtrack: with three wildcards, 20 events holding a 4,000-character user agent kept one
// search busy for minutes. A constant LIKE pattern of literal text and `%` only is matched
// segment by segment (DuckDB's own fast path), and RE2 (DuckDB's regexp functions) is linear.
import { regexLiteral, str } from './sql.js';

/** Characters that keep a pattern off DuckDB's LIKE fast path (or out of a literal). */
const NOT_FAST = /[%_\\\u0000]/;

/**
 * `text` (SQL, a VARCHAR) matches Splunk's wildcard `pattern`: only `*` is special, any case.
 * May be NULL when the text is.
 */
export function wildcardMatch(text: string, pattern: string): string {
  if (!NOT_FAST.test(pattern)) return `(lower(${text}) LIKE lower(${str(pattern.replace(/\*+/g, '%'))}))`;
  return `regexp_full_match(${text}, ${str('(?is)' + pattern.split('*').map(regexLiteral).join('.*'))})`;
}

/**
 * SQL's `text LIKE pattern` (`%` any run, `_` one character, case-sensitive), linear in the text.
 * `literal` is the pattern's text when the search spells it out.
 */
export function likeMatch(text: string, pattern: string, literal: string | undefined): string {
  if (literal !== undefined) {
    if (!NOT_FAST.test(literal)) return `(${text} LIKE ${str(literal)})`;
    let re = '(?s)';
    for (const ch of literal) re += ch === '%' ? '.*' : ch === '_' ? '.' : regexLiteral(ch);
    return `regexp_full_match(${text}, ${str(re)})`;
  }
  // A pattern known only per row: translated to RE2 per row (slower, still linear).
  return `regexp_full_match(${text}, spl_like_regex(${pattern}))`;
}
