// What an eval function's entry is, and what its builder gets (see eval-functions.ts).
import type { Expr as Ast, SearchExpr, Span } from '../../../grammar/ast.js';
import type { DiagnosticCode, SplError } from '../../../grammar/diagnostics.js';
import { toString } from '../build/coerce.js';
import { pathSegments } from '../fields.js';
import { call, lit, type Expr, type Vars } from '../ir/expr.js';
import { jsonPath } from '../print/duckdb.js';
import { translateRegex, type RegexError } from '../regex.js';

/** What a function's builder gets: its arguments, compiled on demand, and the compiler's services. */
export interface EvalCall {
  name: string;
  /** The arguments as written. */
  nodes: Ast[];
  span: Span;
  /** Every argument compiled. */
  args(): Expr[];
  /** One argument (or any expression) compiled, optionally with names bound to variables. */
  compile(e: Ast, locals?: Map<string, Expr>): Expr;
  /** A search-language condition (searchmatch), in the same scope. */
  search(e: SearchExpr): Expr;
  /** Parse search text (searchmatch's argument). */
  parseSearch(text: string): SearchExpr | null | undefined;
  vars: Vars;
  now: number;
  /** The search text of a span, as the user wrote it (`1.00`, which the parsed number loses). */
  sourceText(span: Span): string | undefined;
  err(code: DiagnosticCode, message: string, span: Span, hints?: string[]): SplError;
}

export interface EvalFunction {
  name: string;
  min: number;
  max: number;
  /** Arguments as the reference and completion show them. */
  args: string;
  returns: string;
  build(c: EvalCall): Expr;
}

/** A quoted string argument's text, if it is one. */
export function literalString(e: Ast | undefined): string | undefined {
  return e && e.kind === 'str' ? e.value : undefined;
}

/** A string function applied to each value of a multivalue field, or to a value. */
export function mapString(c: EvalCall, x: Expr, f: (v: Expr) => Expr): Expr {
  if (x.type === 'mv') return call('list_transform', [x, c.vars.lambda('string', f)], 'mv');
  return f(toString(x));
}


/** A regex argument: a literal is translated to RE2 and checked here; anything else is used as it is. */
export function regexArg(c: EvalCall, e: Ast): Expr {
  if (e.kind === 'str') {
    try {
      return lit(translateRegex(e.value).pattern);
    } catch (err) {
      throw c.err('bad-regex', `invalid regular expression: ${(err as RegexError).message}`, e.span);
    }
  }
  return toString(c.compile(e));
}

/** A Splunk path (`a.b{}.c`, `a{0}.b`) applied to JSON text. */
export function extractPath(json: Expr, path: string): Expr {
  const segments = pathSegments(path.replace(/\{(\d+)\}/g, '.__idx$1'));
  let p = '$';
  for (const seg of segments) {
    if (seg.startsWith('__idx')) p += `[${seg.slice(5)}]`;
    else p = jsonPath([seg]).replace('$', p);
  }
  if (!segments.includes('{}')) return call('json_extract_string', [json, lit(p)], 'string');
  // No element with the key: no field (null), as Splunk's spath creates nothing.
  return call('null_if_empty', [call('json_extract_string', [json, lit(p)], 'mv')], 'mv');
}
