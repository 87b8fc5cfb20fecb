// Syntax highlighting from the grammar's own lexer: the prompt colours exactly what the parser
// will see (a command name only right after `|`, expressions only after eval/where).
import type { IToken } from '../../grammar/chevrotain.js';
import { tokenize } from '../../grammar/tokens.js';
import { commandSpec, REFUSED, UNSUPPORTED } from '../compiler/commands/registry.js';

export type TokenKind =
  | 'command' | 'unknown-command' | 'keyword' | 'string' | 'macro' | 'function' | 'field'
  | 'operator' | 'number' | 'value' | 'pipe' | 'punct' | 'param' | 'session' | 'error' | 'plain';

export interface Segment {
  text: string;
  kind: TokenKind;
}

const OPERATORS = new Set(['EqEq', 'NotEq', 'LtEq', 'GtEq', 'Eq', 'Lt', 'Gt', 'Plus', 'Minus', 'Star', 'Slash', 'Percent', 'Dot']);
const KEYWORDS = new Set(['And', 'Or', 'Not', 'Xor', 'Like', 'In', 'ClauseWord']);
const PUNCT = new Set(['LBracket', 'RBracket', 'LParen', 'EvalParen', 'RParen', 'Comma']);
const COMMAND_TOKENS = new Set(['SearchCmd', 'EvalCmd', 'WhereCmd', 'CommandWord']);
/** Words that structure generic commands (`stats ... by f`, `rename a as b`). */
const CLAUSE_WORDS = new Set(['by', 'as', 'over', 'output', 'outputnew']);

function classify(token: IToken, next: IToken | undefined): TokenKind {
  const type = token.tokenType.name;
  if (type === 'Pipe') return 'pipe';
  if (COMMAND_TOKENS.has(type)) {
    const name = token.image.toLowerCase();
    return commandSpec(name) || UNSUPPORTED.has(name) || REFUSED[name] ? 'command' : 'unknown-command';
  }
  if (type === 'Macro') return 'macro';
  if (type === 'StringLit') return 'string';
  if (OPERATORS.has(type)) return 'operator';
  if (KEYWORDS.has(type)) return 'keyword';
  if (PUNCT.has(type)) return 'punct';
  if (type === 'NumberLit') return 'number';
  if (type === 'QuotedField') return 'field';
  const nextType = next?.tokenType.name;
  const adjacent = next !== undefined && next.startOffset === token.endOffset! + 1;
  if (type === 'Ident') return nextType === 'LParen' && adjacent ? 'function' : 'field';
  if (type === 'Word') {
    if (/^\$[A-Za-z_][\w.]*\$$/.test(token.image)) return 'param';
    if ((nextType === 'LParen' || nextType === 'EvalParen') && adjacent) return 'function';
    if (next && (OPERATORS.has(nextType!) || nextType === 'CompareOp')) return 'field';
    if (CLAUSE_WORDS.has(token.image.toLowerCase())) return 'keyword';
    if (/^-?\d+(\.\d+)?$/.test(token.image)) return 'number';
    return 'value';
  }
  return 'plain';
}

/** The text cut into coloured segments that, joined, give the text back exactly. */
export function highlight(text: string): Segment[] {
  if (text.trimStart().startsWith(':')) return [{ text, kind: 'session' }];
  const { tokens, errors } = tokenize(text);
  const kinds: TokenKind[] = new Array(text.length).fill('plain');
  for (const e of errors) for (let i = e.offset; i < e.offset + (e.length || 1) && i < text.length; i++) kinds[i] = 'error';
  tokens.forEach((t, i) => {
    const kind = classify(t, tokens[i + 1]);
    for (let k = t.startOffset; k <= t.endOffset! && k < text.length; k++) kinds[k] = kind;
  });
  const out: Segment[] = [];
  for (let i = 0; i < text.length; i++) {
    const kind = /\s/.test(text[i]!) && kinds[i] !== 'string' ? 'plain' : kinds[i]!;
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text[i];
    else out.push({ text: text[i]!, kind });
  }
  return out;
}
