// Common slips that still parse as SPL but almost never mean what was typed: a SQL query, or a
// command name without the pipe before it. Checked after parsing (the parser accepts them, as
// Splunk would, and would silently search for the words "stats" and "count").
import type { IToken } from './chevrotain.js';
import type { Pipeline, SearchExpr } from './ast.js';
import type { Diagnostic } from './diagnostics.js';

/**
 * Command names that, as a bare search term followed by more terms, mean a forgotten pipe.
 * Kept to commands whose names are unlikely search words in CloudTrail: `table` (DynamoDB),
 * `bucket` (S3), `sort`, `head`, `top`, `lookup`, `join` are real words analysts search for.
 */
const PIPE_COMMANDS = new Set([
  'stats', 'eventstats', 'streamstats', 'timechart', 'chart', 'tstats', 'eval', 'dedup', 'rename', 'rare', 'rex',
  'spath', 'fillnull', 'mvexpand', 'transaction',
]);

const COMPARISONS = new Set(['Eq', 'EqEq', 'NotEq', 'Lt', 'Gt', 'LtEq', 'GtEq', 'CompareOp']);

/** SQL words that start a query. */
const SQL_START = new Set(['select', 'with']);
const SQL_WORDS = new Set(['from', 'where', 'group', 'order', 'limit', 'join']);

function isTerm(e: SearchExpr | undefined): e is Extract<SearchExpr, { kind: 'term' }> {
  return e !== undefined && e.kind === 'term' && !e.value.quoted;
}

/** The items of a top-level implicit AND (a lone expression is a list of one). */
function andItems(e: SearchExpr): SearchExpr[] {
  return e.kind === 'and' ? e.items : [e];
}

function checkSearch(expr: SearchExpr, first: boolean, out: Diagnostic[]): void {
  const items = andItems(expr);
  const head = items[0];
  if (first && isTerm(head) && SQL_START.has(head.value.value.toLowerCase())) {
    const sqlWord = items.slice(1).find((i) => isTerm(i) && SQL_WORDS.has(i.value.value.toLowerCase()));
    if (sqlWord) {
      out.push({
        code: 'syntax',
        message: 'this looks like SQL; spelunk reads Splunk\'s search language (SPL)',
        span: head.span,
        hints: [
          'start with the events to keep, then pipe them through commands: eventName=AssumeRole | stats count by user',
          'SELECT a, b -> | table a b;  WHERE x=1 -> a search term x=1 or | where x=1;  GROUP BY u -> | stats count by u;  ORDER BY -> | sort',
        ],
      });
      return;
    }
  }
  for (let i = 0; i < items.length - 1; i++) {
    const item = items[i];
    if (!isTerm(item)) continue;
    const word = item.value.value.toLowerCase();
    if (!PIPE_COMMANDS.has(word) || item.value.value !== word) continue;
    out.push(forgottenPipe(word, item.span));
    return;
  }
}

function forgottenPipe(word: string, span: { start: number; end: number }): Diagnostic {
  return {
    code: 'syntax',
    message: `"${word}" is read as a search term here, not as a command`,
    span,
    hints: [`a command needs a pipe before it: ... | ${word} ...`, `to search for the word itself, quote it: "${word}"`],
  };
}

/**
 * A syntax error that a forgotten pipe explains: `eventName=X stats count by a, b` (or the same
 * with no search before it) fails at the comma, which a search clause cannot hold, before the
 * slip check above could run. The command word must be a bare term of the search clause the
 * error is in (no pipe between them), not the command right after a pipe.
 */
export function forgottenPipeAt(tokens: IToken[], error: IToken): Diagnostic | undefined {
  let candidate: IToken | undefined;
  let previous: IToken | undefined;
  for (const t of tokens) {
    if (t.startOffset >= error.startOffset) break;
    const type = t.tokenType.name;
    // `eventName=stats` compares with the word: it is a value, not a term.
    const isValue = previous !== undefined && COMPARISONS.has(previous.tokenType.name);
    if (type === 'Pipe' || type === 'LBracket' || type === 'RBracket') candidate = undefined;
    // `count(eval(...))`: eval opens an expression there, it is no term.
    else if (type === 'EvalParen' && candidate === previous) candidate = undefined;
    else if (!candidate && type === 'Word' && PIPE_COMMANDS.has(t.image) && !isValue && previous?.tokenType.name !== 'Pipe') candidate = t;
    previous = t;
  }
  return candidate ? forgottenPipe(candidate.image, { start: candidate.startOffset, end: (candidate.endOffset ?? candidate.startOffset) + 1 }) : undefined;
}

/** Diagnostics for slips in a parsed pipeline (subsearches included). */
export function findSlips(p: Pipeline, out: Diagnostic[] = []): Diagnostic[] {
  p.commands.forEach((c, i) => {
    if (c.kind !== 'search' || !c.expr) return;
    checkSearch(c.expr, i === 0 && !p.leadingPipe, out);
    visitSubsearches(c.expr, out);
  });
  return out;
}

function visitSubsearches(e: SearchExpr, out: Diagnostic[]): void {
  if (e.kind === 'and' || e.kind === 'or') e.items.forEach((i) => visitSubsearches(i, out));
  else if (e.kind === 'not') visitSubsearches(e.item, out);
  else if (e.kind === 'subsearch') findSlips(e.pipeline, out);
}
