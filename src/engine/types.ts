// Plain data handed between the engine and its shells (CLI, REPL).

/** A cell: Splunk values are strings or numbers; a multivalue field is an array. */
export type Value = string | number | boolean | null | Value[];
export type Row = Record<string, Value>;

/**
 * A chunk's values, row by row in the order of `columns`, attached to its rows by the decoder
 * that made them (each row holds these very values): a writer that walks the columns by position
 * reads them with no lookup by name per cell. Attached only when the names are unique, so that
 * `values[j][i]` is `rows[j][columns[i]]`; gone from a copy or a slice of the rows.
 */
export const ROW_VALUES = Symbol('row values');
export interface RowValues {
  columns: string[];
  values: Value[][];
  /** No text among the values holds a control character or any character but ASCII. */
  plain?: boolean;
}
export type Rows = Row[] & { [ROW_VALUES]?: RowValues };

/**
 * Sets a field of a row (or of any plain object made of one). Assigning `__proto__` would set the
 * object's prototype (to a multivalue's array), or do nothing for a text, instead of making a
 * field. A local search never shows a `__` field (the compiler keeps them internal), but a row's
 * columns are whatever names the result has (Athena's, Trino's, a decoder's).
 */
export function setField(row: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
  else row[name] = value;
}

export interface LoadWarning {
  /** The file the warning is about. */
  file: string;
  /** Why it was skipped or only partly loaded, in words a user can act on. */
  reason: string;
  /** 'skipped': nothing from the file loaded; 'partial': some events skipped; 'note': informative. */
  kind: 'skipped' | 'partial' | 'note';
  eventsSkipped?: number;
  /**
   * Set when the file may hold events that could not be read (permission denied, an I/O error,
   * not enough memory, gone before it was read): an answer over the load is incomplete, and the
   * command line says so in its exit status.
   */
  error?: true;
}

/** Reasons that say a file could not be read, as opposed to read and found not to hold events. */
const UNREADABLE = /^(folder not read: )?(permission denied|cannot be read|could not be read|file vanished during the load)/;

/** Marks the warnings about files that could not be read (see LoadWarning.error). */
export function markUnreadable(warnings: LoadWarning[]): void {
  for (const w of warnings) if (w.kind === 'skipped' && UNREADABLE.test(w.reason)) w.error = true;
}

/** Warnings about files whose events could not be read: the answer is incomplete without them. */
export function loadErrors(report: LoadReport): LoadWarning[] {
  return report.warnings.filter((w) => w.error);
}

/**
 * The error a cancelled load ends with. It has DuckDB's words for an interrupted statement, so a
 * load stopped while Node reads files and one stopped inside a statement are told apart nowhere.
 */
function interruptedError(): Error {
  return new Error('INTERRUPT Error: Interrupted!');
}

/** Throws interruptedError() once `signal` has fired (engine.interrupt() during a load). */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptedError();
}

export interface LoadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  events: number;
  elapsedMs: number;
}

export interface LoadReport {
  filesRead: number;
  filesSkipped: number;
  eventsLoaded: number;
  eventsSkipped: number;
  bytesRead: number;
  warnings: LoadWarning[];
  elapsedMs: number;
  /**
   * Events that repeat an eventID, over everything loaded so far; `dropped` when only one copy of
   * each is kept (--dedup-events). Counted by the engine after the files are read.
   */
  duplicates?: { events: number; dropped: boolean };
}

/** A report with nothing counted yet, starting from the warnings path expansion gave. */
export function emptyLoadReport(warnings: LoadWarning[] = [], elapsedMs = 0): LoadReport {
  return { filesRead: 0, filesSkipped: 0, eventsLoaded: 0, eventsSkipped: 0, bytesRead: 0, warnings: [...warnings], elapsedMs };
}

export interface ResultSet {
  columns: string[];
  rows: Row[];
  /** The SQL that produced the rows. */
  sql: string;
  elapsedMs: number;
  /** True when the row cap cut the result short. */
  truncated: boolean;
  /** What the analyst should know about the answer: the compiler's notes, and Splunk's caps that cut rows. */
  notes?: string[];
}
