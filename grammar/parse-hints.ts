// What a syntax error says beyond "unexpected X": what Chevrotain expected, and hints for the
// usual slips (a bracket never closed or closing nothing, a search wildcard inside eval).
import { tokenMatcher, type IToken } from './chevrotain.js';
import { CompareOp as CompareOpToken, EvalParen, LBracket, LParen, RBracket, RParen, Star } from './tokens.js';

/** What Chevrotain says it expected, as the first token of each possible sequence. */
export function expectedFrom(message: string): string[] {
  const found = new Set<string>();
  const single = /Expecting --> (.+?) <--/.exec(message);
  if (single) found.add(single[1]!);
  for (const m of message.matchAll(/(?:^\s*\d+\. |<)\[([^\]]+)\]/gm)) found.add(m[1]!);
  return [...found];
}
export const WILDCARD_HINT = 'in eval and where, * multiplies: match a pattern with like(field, "%text%") or match(field, "regex"), or filter with | search field=*text*';

/** `| where user=*admin*`: a search-style wildcard right after a comparison in an expression. */
export function wildcardInExpression(tokens: IToken[], token: IToken): boolean {
  if (token.tokenType !== Star) return false;
  const i = tokens.indexOf(token);
  const previous = i > 0 ? tokens[i - 1] : undefined;
  return previous !== undefined && tokenMatcher(previous, CompareOpToken);
}

/** True when `token` is a `)` or `]` with no opener of its kind before it. */
export function closesNothing(tokens: IToken[], token: IToken): boolean {
  if (token.tokenType !== RParen && token.tokenType !== RBracket) return false;
  const [open, close] = token.tokenType === RParen ? [LParen, RParen] : [LBracket, RBracket];
  let depth = 0;
  for (const t of tokens) {
    if (t === token) return depth === 0;
    if (t.tokenType === open || (open === LParen && t.tokenType === EvalParen)) depth++;
    else if (t.tokenType === close) depth = Math.max(0, depth - 1);
  }
  return false;
}

export function closerHint(image: string): string {
  return `this ${image} closes nothing: remove it, or add the ${image === ')' ? '(' : '['} it belongs to`;
}

/** The innermost `[` or `(` left open at the end of the text, if any. */
export function unclosedOpener(tokens: IToken[]): IToken | undefined {
  const open: IToken[] = [];
  for (const t of tokens) {
    if (t.tokenType === LBracket || t.tokenType === LParen || t.tokenType === EvalParen) open.push(t);
    else if (t.tokenType === RBracket || t.tokenType === RParen) open.pop();
  }
  return open[open.length - 1];
}
