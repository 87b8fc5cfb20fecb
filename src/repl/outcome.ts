// What a line of input produces for the UI to show (lines, a result, a menu to open), the result
// the session holds, and how a failure reads: shared by the session, its commands and the UIs.
import { renderDiagnostic, SplError } from '../../grammar/diagnostics.js';
import { EngineError, isCancelled } from '../engine/engine-error.js';
import type { QueryParameter } from '../engine/queries.js';
import type { Row } from '../engine/types.js';
import type { RanSearch } from './inspect-ran.js';
import type { PivotOption } from './pivot.js';
import type { SearchShape } from './search-shape.js';
import type { Timeline } from './timeline.js';
import { SaveError } from './save-search.js';
import { SESSION_COMMANDS, SessionCommandError } from './session-commands.js';

export type Tone = 'plain' | 'info' | 'warn' | 'error' | 'dim' | 'heading';

export interface OutLine {
  text: string;
  tone?: Tone;
}

export interface HeldResult {
  search: string;
  /** The `$name$` values the search ran with (a saved search run with :run or a pivot). */
  params?: Record<string, string>;
  /** The descriptions of those `$name$` tokens, from the saved search (for :save). */
  parameters?: QueryParameter[];
  columns: string[];
  rows: Row[];
  truncated: boolean;
  elapsedMs: number;
  sql: string;
  /** The result's fields with their types and origins, as SQL comments (shown above `:sql`). */
  fields?: string;
  shape: SearchShape;
  /** Matching events over time, above an event search's results (when asked for). */
  timeline: Timeline | null;
  /** The range the search ran over (epoch seconds), and the zoom that narrowed it (RunOptions.within). */
  range: { earliest?: number; latest?: number; within?: { earliest?: number; latest?: number } };
  /** What the analyst must know to read the answer (an unmapped data model gives no rows...). */
  notes?: string[];
  /** How it ran, for :inspect: DuckDB's profile and the plan's steps (a search run by the session). */
  ran?: RanSearch;
  /** The session's loads when it ran (:inspect notes a load since). */
  loads?: number;
}

/** What a line of input produced, for the UI to show. */
export type Outcome =
  | { kind: 'lines'; lines: OutLine[] }
  | { kind: 'result'; result: HeldResult }
  | { kind: 'pivot-menu'; row: number; options: PivotOption[] }
  | { kind: 'browse' }
  /** Open row `row` (from 1) of the last result in the event viewer. */
  | { kind: 'event'; row: number }
  /** Choose buckets of the last timeline to zoom into. */
  | { kind: 'zoom-picker' }
  /** The field sidebar of the last result, or of every loaded event. */
  | { kind: 'fields'; scope: 'data' | 'result' | 'auto' }
  | { kind: 'clear' }
  /** A question (y/N): `yes` is the line to run on y; a script, which cannot answer, gets `no`. */
  | { kind: 'confirm'; question: string; yes: string; no: string }
  | { kind: 'quit' };

export interface SearchHooks {
  /** Rows read so far, while the search runs. */
  onRows?: (count: number) => void;
  /** Buckets an event search's timeline may have (the screen's width); none: no timeline. */
  timelineBuckets?: number;
}

export const lines = (...texts: (string | OutLine)[]): Outcome => ({ kind: 'lines', lines: texts.map((t) => (typeof t === 'string' ? { text: t } : t)) });
export const error = (text: string): Outcome => lines({ text, tone: 'error' });

/** A failure as the user should see it: the query with a caret for SPL mistakes. */
export function describeError(err: unknown, search?: string): string {
  if (err instanceof SplError) return renderDiagnostic(err.text ?? search ?? '', err.diagnostic);
  if (err instanceof EngineError) {
    if (isCancelled(err)) return err.message;
    // DuckDB's message, and under it the command of the search that failed (as the CLI shows it).
    if (err.at) return `search failed: ${err.message}\n${renderDiagnostic(err.at.text, { code: 'bad-argument', message: 'in this command', span: err.at.span }).replace(/^error: /, '')}`;
    return `search failed: ${err.message}`;
  }
  if (err instanceof SessionCommandError || err instanceof SaveError) return err.message;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

export function helpText(): Outcome {
  const width = Math.max(...SESSION_COMMANDS.map((c) => c.usage.length));
  return lines(
    { text: 'Type a search and press Enter (a line ending in | continues; Alt-Enter adds a line).', tone: 'heading' },
    ...SESSION_COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    { text: 'Keys: Tab complete · Up/Down history · Ctrl-R search history · Ctrl-A/E line start/end · Alt-B/F word · Ctrl-K/U/W delete', tone: 'dim' },
    { text: '      PgUp/PgDn browse the last result (arrows scroll, p pivot, Esc back) · Ctrl-C cancel · Ctrl-D quit', tone: 'dim' },
  );
}
