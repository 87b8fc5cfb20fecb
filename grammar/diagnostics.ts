// Errors a person can act on: a code, a message, the span it is about, and hints.
import type { Span } from './ast.js';

export type DiagnosticCode =
  | 'syntax'
  | 'unclosed-quote'
  | 'unclosed-bracket'
  | 'unknown-command'
  | 'unsupported-command'
  | 'unknown-function'
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
export function lineColumn(text: string, offset: number): { line: number; column: number } {
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

/**
 * The diagnostic as a person reads it: position, message, the offending line with a caret under
 * the column, what was expected, and hints.
 */
export function renderDiagnostic(text: string, d: Diagnostic): string {
  const { line, column } = lineColumn(text, d.span.start);
  const lines = text.split('\n');
  const source = lines[line - 1] ?? '';
  const width = Math.max(1, Math.min(d.span.end - d.span.start, source.length - (column - 1)));
  const out = [`error: ${d.message} (line ${line}, column ${column})`, `  ${source}`, `  ${' '.repeat(column - 1)}${'^'.repeat(width)}`];
  if (d.expected && d.expected.length > 0) out.push(`expected: ${d.expected.join(', ')}`);
  for (const hint of d.hints ?? []) out.push(`hint: ${hint}`);
  return out.join('\n');
}
