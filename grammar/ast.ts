// The SPL abstract syntax tree: plain objects, every node with its source span.

export interface Span {
  /** Offset of the first character, in the (macro-expanded) query text. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface SearchValue {
  value: string;
  /** Quoted values take `*` literally in Splunk only when escaped; here: quoted = phrase. */
  quoted: boolean;
  span: Span;
  /** Written as `TERM(value)` (a term bounded by major breakers only) or `CASE(value)` (case-sensitive). */
  modifier?: 'TERM' | 'CASE';
}

export type SearchExpr =
  | { kind: 'and'; items: SearchExpr[]; span: Span }
  | { kind: 'or'; items: SearchExpr[]; span: Span }
  | { kind: 'not'; item: SearchExpr; span: Span }
  | { kind: 'compare'; field: string; fieldSpan: Span; op: CompareOp; value: SearchValue; span: Span }
  | { kind: 'in'; field: string; fieldSpan: Span; values: SearchValue[]; span: Span }
  | { kind: 'term'; value: SearchValue; span: Span }
  | { kind: 'subsearch'; pipeline: Pipeline; span: Span };

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '.'
  | '=' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR' | 'XOR' | 'LIKE';

export type Expr =
  | { kind: 'num'; value: number; span: Span }
  | { kind: 'str'; value: string; span: Span }
  | { kind: 'field'; name: string; span: Span }
  | { kind: 'call'; name: string; args: Expr[]; span: Span; nameSpan: Span }
  | { kind: 'unary'; op: '-' | 'NOT'; arg: Expr; span: Span }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span }
  | { kind: 'in'; arg: Expr; values: Expr[]; negated: boolean; span: Span };

/** Arguments of commands whose syntax is a list of words, options and calls. */
export type Arg =
  | { kind: 'word'; value: string; quoted: boolean; span: Span }
  | { kind: 'option'; key: string; op: CompareOp; value: Arg; span: Span }
  | { kind: 'call'; name: string; args: Arg[]; span: Span }
  | { kind: 'comma'; span: Span }
  | { kind: 'subsearch'; pipeline: Pipeline; span: Span }
  /**
   * A bracket read as text, not as a search (foreach's `[eval <<FIELD>> = ...]`): the compiler
   * fills in its placeholders and parses it then. `text` is what is inside the brackets.
   */
  | { kind: 'template'; text: string; span: Span }
  /** The expression of `eval(...)` inside a list-style command (`count(eval(x>1))`): a call's only argument. */
  | { kind: 'expr'; expr: Expr; span: Span }
  /**
   * A clause in the search language (`tstats ... where <search> by ...`, `inputlookup x where
   * <search>`): the keyword, then the condition (null when nothing follows the keyword).
   */
  | { kind: 'clause'; keyword: string; keywordSpan: Span; expr: SearchExpr | null; span: Span };

export interface Assignment {
  field: string;
  fieldSpan: Span;
  expr: Expr;
  span: Span;
}

export type Command =
  | { kind: 'search'; name: string; expr: SearchExpr | null; span: Span; nameSpan: Span }
  | { kind: 'eval'; name: string; assignments: Assignment[]; span: Span; nameSpan: Span }
  | { kind: 'where'; name: string; expr: Expr; span: Span; nameSpan: Span }
  | { kind: 'generic'; name: string; args: Arg[]; span: Span; nameSpan: Span };

export interface Pipeline {
  commands: Command[];
  /** True when the text started with `|`: no implicit search, so no events unless generated. */
  leadingPipe: boolean;
  span: Span;
}

/** Names of the fields an expression reads. */
export function fieldsOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'field': out.add(e.name); break;
    case 'call': e.args.forEach((a) => fieldsOf(a, out)); break;
    case 'unary': fieldsOf(e.arg, out); break;
    case 'binary': fieldsOf(e.left, out); fieldsOf(e.right, out); break;
    case 'in': fieldsOf(e.arg, out); e.values.forEach((v) => fieldsOf(v, out)); break;
    default: break;
  }
  return out;
}
