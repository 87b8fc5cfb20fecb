// A failure while running a search, with DuckDB's message made readable.
import type { Span } from '../../grammar/ast.js';

/** A failure while running a search that compiled: DuckDB's message, made readable. */
export class EngineError extends Error {
  /** `at`: where in the search (after macros) the failing command is, when it is known. */
  constructor(message: string, readonly sql: string, readonly at?: { span: Span; text: string }) {
    super(message);
    this.name = 'EngineError';
  }
}

/** What a search stopped by Ctrl-C (DuckDB's interrupt) fails with. */
const SEARCH_CANCELLED = 'search cancelled';

export function cancelledSearch(sql: string): EngineError {
  return new EngineError(SEARCH_CANCELLED, sql);
}

export function isCancelled(err: unknown): boolean {
  return err instanceof EngineError && err.message === SEARCH_CANCELLED;
}

export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

export function describeDuckDBError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/INTERRUPT/i.test(text)) return SEARCH_CANCELLED;
  if (/Out of Memory/i.test(text)) return `DuckDB ran out of memory: ${text.split('\n')[0]} (narrow the search, or raise --memory-limit)`;
  return text.split('\n')[0]!;
}
