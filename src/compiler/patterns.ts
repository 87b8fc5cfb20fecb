// Wildcard and LIKE patterns as IR that runs in time linear in the text. DuckDB's ILIKE, any
// LIKE with an ESCAPE clause or a `_`, and LIKE against a pattern that is not a constant all
// backtrack: with three wildcards, 20 events holding a 4,000-character user agent kept one
// search busy for minutes. A constant LIKE pattern of literal text and `%` only is matched
// segment by segment (DuckDB's own fast path), and RE2 (DuckDB's regexp functions) is linear.
import { call, lit, type Expr } from './ir/expr.js';
import { regexLiteral } from './sql.js';

/** Characters that keep a pattern off DuckDB's LIKE fast path (or out of a literal). */
const NOT_FAST = /[%_\\\u0000]/;

/**
 * `text` (a string) matches Splunk's wildcard `pattern`: only `*` is special, any case unless
 * `cased` (search's CASE()). May be NULL when the text is.
 */
export function wildcardMatch(text: Expr, pattern: string, cased = false): Expr {
  if (!NOT_FAST.test(pattern)) {
    const like = pattern.replace(/\*+/g, '%');
    if (cased) return call('like', [text, lit(like)], 'bool');
    return call('like', [call('lower', [text], 'string'), call('lower', [lit(like)], 'string')], 'bool');
  }
  return call('regexp_full_match', [text, lit((cased ? '(?s)' : '(?is)') + pattern.split('*').map(regexLiteral).join('.*'))], 'bool');
}

/**
 * SQL's `text LIKE pattern` (`%` any run, `_` one character, case-sensitive), linear in the text.
 * `literal` is the pattern's text when the search spells it out.
 */
export function likeMatch(text: Expr, pattern: Expr, literal: string | undefined): Expr {
  if (literal !== undefined) {
    if (!NOT_FAST.test(literal)) return call('like', [text, lit(literal)], 'bool');
    let re = '(?s)';
    for (const ch of literal) re += ch === '%' ? '.*' : ch === '_' ? '.' : regexLiteral(ch);
    return call('regexp_full_match', [text, lit(re)], 'bool');
  }
  // A pattern known only per row: translated to RE2 per row (slower, still linear).
  return call('regexp_full_match', [text, call('like_regex', [pattern], 'string')], 'bool');
}
