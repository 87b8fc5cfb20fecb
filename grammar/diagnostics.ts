// Errors a person can act on: a code, a message, the span it is about, and hints.
import type { Span } from './ast.js';

export type DiagnosticCode =
  | 'syntax'
  | 'unclosed-quote'
  | 'unclosed-bracket'
  | 'unknown-command'
  | 'unsupported-command'
  | 'unknown-function'
  | 'unsupported-function'
  | 'unknown-macro'
  | 'bad-argument'
  | 'missing-parameter'
  | 'bad-regex'
  | 'bad-time'
  | 'bad-lookup'
  | 'too-complex';

export interface Diagnostic {
  code: DiagnosticCode;
  message: string;
  span: Span;
  expected?: string[];
  hints?: string[];
}

/** Thrown by the compiler and the engine for a problem in the user's search. */
export class SplError extends Error {
  constructor(public readonly diagnostic: Diagnostic, public readonly text?: string) {
    super(diagnostic.message);
    this.name = 'SplError';
  }
}

export function splError(code: DiagnosticCode, message: string, span: Span, hints?: string[]): SplError {
  return new SplError({ code, message, span, hints });
}

/** Line and column (1-based) of an offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const LONGEST_LINE = 120;

/**
 * The diagnostic as a person reads it: position, message, the offending line with a caret under
 * the column, what was expected, and hints.
 */
export function renderDiagnostic(text: string, d: Diagnostic): string {
  const { line, column } = lineColumn(text, d.span.start);
  const lines = text.split('\n');
  const full = lines[line - 1] ?? '';
  // A pasted search can be one line of thousands of characters: show the part around the caret.
  const from = full.length > LONGEST_LINE ? Math.max(0, Math.min(column - 1 - LONGEST_LINE / 2, full.length - LONGEST_LINE)) : 0;
  const to = Math.min(full.length, from + LONGEST_LINE);
  const source = (from > 0 ? '…' : '') + full.slice(from, to) + (to < full.length ? '…' : '');
  const at = column - 1 - from + (from > 0 ? 1 : 0);
  const width = Math.max(1, Math.min(d.span.end - d.span.start, to - (column - 1)));
  const out = [`error: ${d.message} (line ${line}, column ${column})`, `  ${source}`, `  ${' '.repeat(at)}${'^'.repeat(width)}`];
  if (d.expected && d.expected.length > 0) out.push(`expected: ${d.expected.join(', ')}`);
  for (const hint of d.hints ?? []) out.push(`hint: ${hint}`);
  return out.join('\n');
}
