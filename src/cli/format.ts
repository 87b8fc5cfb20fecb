// Result rows as text: aligned table, CSV, JSON array, JSON lines. `_time` is epoch seconds in
// the engine and an ISO timestamp (UTC) here; multivalue fields are arrays in JSON. A table is
// for a terminal: control characters in it are shown as escapes (terminal-text.ts); CSV and JSON
// carry the values byte for byte.
import { describeDuplicates } from '../engine/duplicates.js';
import { ROW_VALUES, setField, type LoadReport, type LoadWarning, type Row, type Rows, type Value } from '../engine/types.js';
import { visible, visibleLines } from './terminal-text.js';

export type OutputFormat = 'table' | 'csv' | 'json' | 'jsonl';
export const FORMATS: OutputFormat[] = ['table', 'csv', 'json', 'jsonl'];

/** The date part of the day last formatted: a result's times are mostly of a few days. */
let day = { number: NaN, text: '' };
const LAST_4_DIGIT_YEAR = 253402300800;

const two = (n: number): string => (n < 10 ? '0' : '') + n;

export function formatTime(epoch: number, style: 'iso' | 'human'): string {
  // A whole second of years 1970-9999 (every CloudTrail time): the date once a day, the rest by
  // arithmetic, as toISOString writes it (0.5 of 3.7 CPU-s of a 330k-row table went to Date).
  if (Number.isInteger(epoch) && epoch >= 0 && epoch < LAST_4_DIGIT_YEAR) {
    const number = Math.floor(epoch / 86400);
    if (number !== day.number) day = { number, text: new Date(number * 86400000).toISOString().slice(0, 10) };
    const s = epoch - number * 86400;
    const clock = `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
    return style === 'iso' ? `${day.text}T${clock}Z` : `${day.text} ${clock}`;
  }
  const d = new Date(epoch * 1000);
  if (Number.isNaN(d.getTime())) return String(epoch);
  const iso = d.toISOString();
  const trimmed = iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
  return style === 'iso' ? trimmed : trimmed.replace('T', ' ').replace('Z', '');
}

/** A cell's values as display strings (one per value; none for null). */
export function cellValues(column: string, value: Value, style: 'iso' | 'human' = 'human'): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((v) => cellValues(column, v, style));
  if (column === '_time' && typeof value === 'number') return [formatTime(value, style)];
  return [String(value)];
}

/**
 * A value as JSON; undefined for none. In Splunk one value is one value, however it was made
 * (mvcount is 1 for a single value): a multivalue field holding one value is written as that
 * value, as Splunk's JSON results write it, so `select(.dest == "sts.amazonaws.com")` matches a
 * `values()` of one; only two or more are an array.
 */
function jsonValue(column: string, value: Value): unknown {
  if (Array.isArray(value)) {
    const values = value.filter((v) => v !== null && v !== undefined);
    if (values.length === 0) return undefined;
    if (values.length === 1) return jsonValue(column, values[0]!);
    return values.map((v) => jsonValue(column, v));
  }
  if (column === '_time' && typeof value === 'number') return formatTime(value, 'iso');
  return value;
}

/** A row as a JSON object: keys in column order, nulls left out. */
export function jsonRow(columns: string[], row: Row): Record<string, unknown> {
  return jsonValues(columns, columns.map((c) => row[c] ?? null));
}

/** The same from a row's values in the order of `columns` (see ROW_VALUES). */
function jsonValues(columns: string[], values: Value[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    const json = jsonValue(columns[i]!, v);
    if (json !== undefined) setField(out, columns[i]!, json);
  }
  return out;
}

/** A CSV cell's text: its values one a line. */
function csvText(column: string, value: Value): string {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? cellValues(column, value, 'iso').join('\n') : value === null ? '' : column === '_time' && typeof value === 'number' ? formatTime(value, 'iso') : String(value);
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows a table waits for before it fixes its column widths and starts writing. */
export const TABLE_ALIGN_ROWS = 1000;

/**
 * Writes rows incrementally in one format; `end()` closes what needs closing. Each chunk of rows is
 * one call of `write`, or of `writeBytes` when given: the chunk's text encoded piece by piece into
 * one buffer (a 330k-row table written as strings spent 0.35 CPU-s flattening and encoding them
 * in the write, as bytes 0.12). The bytes are the chunk's own, never reused.
 */
export class RowWriter {
  private count = 0;
  private readonly buffered: Row[] = [];
  /** Set once the table's first rows fixed its column widths; later rows are written at once. */
  private widths: number[] | undefined;
  /** The decoder's columns last found to be these (see valuesOf). */
  private sameAs: string[] | undefined;
  /** The chunk's text so far: a string, or bytes in `scratch` up to `at` with a byte sink. */
  private text = '';
  private scratch: Buffer | undefined;
  private at = 0;

  constructor(
    private readonly format: OutputFormat,
    private readonly columns: string[],
    private readonly write: (text: string) => void,
    private readonly maxCellWidth = 60,
    private readonly writeBytes?: (bytes: Uint8Array) => void,
  ) {
    if (format === 'csv') write(columns.map(csvCell).join(',') + '\n');
  }

  /** Writes a chunk of rows with one call of `write` (one system call for stdout, not one a row). */
  rows(rows: Rows): void {
    const values = rows.length > 0 && (this.format !== 'table' || this.widths) ? this.valuesOf(rows) : undefined;
    if (values) this.valueRows(values, rows[ROW_VALUES]!.plain === true);
    else this.namedRows(rows);
    this.flush();
    // A table is aligned over its first rows only: a result of millions of rows is written as
    // it arrives instead of held whole, and a later cell wider than its column (at most
    // maxCellWidth) just pushes the rest of its line.
    if (this.format === 'table' && !this.widths && this.buffered.length >= TABLE_ALIGN_ROWS) this.flushTable();
  }

  end(): void {
    if (this.format === 'json') this.write(this.count === 0 ? '[]\n' : '\n]\n');
    if (this.format === 'table' && !this.widths) this.flushTable();
  }

  /** Rows without their values attached: a table's first rows wait for its widths; the rest as by position. */
  private namedRows(rows: Row[]): void {
    if (this.format === 'table' && !this.widths) {
      for (const row of rows) this.buffered.push(row);
      this.count += rows.length;
      return;
    }
    const { columns } = this;
    this.valueRows(rows.map((row) => columns.map((c) => row[c] ?? null)), false);
  }

  /** The rows' text from their values in the order of the columns. */
  private valueRows(rows: Value[][], plain: boolean): void {
    const { columns, maxCellWidth } = this;
    for (const values of rows) {
      switch (this.format) {
        case 'csv':
          this.putLine(values.map((v, i) => csvCell(csvText(columns[i]!, v ?? null))).join(','));
          break;
        case 'jsonl':
          this.putLine(JSON.stringify(jsonValues(columns, values)));
          break;
        case 'json':
          this.put((this.count === 0 ? '[\n  ' : ',\n  ') + JSON.stringify(jsonValues(columns, values)));
          break;
        case 'table': {
          const line = tableLine(values, columns, this.widths!, maxCellWidth, plain);
          if (line !== undefined) this.putLine(line);
          // A multivalue cell: a line per value, as by name.
          else this.tableRow(columns.map((c, i) => tableCell(c, values[i] ?? null, maxCellWidth)));
          break;
        }
      }
      this.count++;
    }
  }

  /** The rows' values by position, when their decoder attached them for these very columns. */
  private valuesOf(rows: Rows): Value[][] | undefined {
    const attached = rows[ROW_VALUES];
    if (!attached || attached.values.length !== rows.length) return undefined;
    if (attached.columns !== this.sameAs) {
      const { columns } = this;
      if (attached.columns.length !== columns.length || attached.columns.some((c, i) => c !== columns[i])) return undefined;
      this.sameAs = attached.columns;
    }
    return attached.values;
  }

  private tableRow(cells: TableCell[]): void {
    const lines: string[] = [];
    pushLines(lines, cells, this.widths!);
    for (const line of lines) this.putLine(line);
  }

  private flushTable(): void {
    if (this.columns.length === 0) return;
    const cells = tableCells(this.columns, this.buffered, this.maxCellWidth);
    this.widths = columnWidths(this.columns, cells);
    for (const line of [...tableHeader(this.columns, this.widths), ...tableLines(cells, this.widths)]) this.putLine(line);
    this.flush();
    this.buffered.length = 0;
  }

  private put(piece: string): void {
    if (!this.writeBytes) this.text += piece;
    else this.encode(piece, 0);
  }

  /** A line and its line break; as bytes, the line's text is encoded as it is (no text with the break made). */
  private putLine(line: string): void {
    if (!this.writeBytes) {
      this.text += line + '\n';
      return;
    }
    this.encode(line, 1);
    this.scratch![this.at++] = 10;
  }

  /** Encodes `text` into scratch, with `room` bytes to spare after it. */
  private encode(text: string, room: number): void {
    // At most 3 bytes of UTF-8 per UTF-16 unit (a pair's 4 bytes are two units).
    const need = this.at + text.length * 3 + room;
    if (!this.scratch || this.scratch.length < need) {
      const grown = Buffer.allocUnsafeSlow(Math.max(need, 2 * (this.scratch?.length ?? 1 << 19)));
      this.scratch?.copy(grown, 0, 0, this.at);
      this.scratch = grown;
    }
    this.at += this.scratch.write(text, this.at);
  }

  private flush(): void {
    if (this.text !== '') this.write(this.text);
    this.text = '';
    if (this.at > 0) this.writeBytes!(Uint8Array.prototype.slice.call(this.scratch!, 0, this.at));
    this.at = 0;
  }
}

/**
 * A row's line in a table whose columns have the given widths, from its values in column order:
 * the text tableCell and pushLines give, with no lookup by name and no list of cells. Undefined
 * for a row with a multivalue cell (several lines). Only a text can hold characters to show
 * otherwise, and none does when the values are `plain` (RowValues).
 */
function tableLine(values: Value[], columns: string[], widths: number[], maxCellWidth: number, plain: boolean): string | undefined {
  const last = columns.length - 1;
  let line = '';
  for (let i = 0; i <= last; i++) {
    const v = values[i] ?? null;
    if (Array.isArray(v)) return undefined;
    const text = typeof v === 'string' ? (plain ? v : displayText(v)) : v === null ? '' : columns[i] === '_time' && typeof v === 'number' ? formatTime(v, 'human') : String(v);
    const t = clip(text, maxCellWidth);
    line += i === last ? t : t + gap(Math.max(0, widths[i]! - t.length));
  }
  return line.trimEnd();
}

function clip(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text;
}

/** A table cell: one value's text, or a multivalue cell's texts (one line each; none for null). */
type TableCell = string | string[];
type TableCells = TableCell[][];

/** Characters a table shows otherwise: line breaks and tabs flattened, other controls escaped. */
const NOT_PLAIN = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

function displayText(text: string): string {
  return NOT_PLAIN.test(text) ? visible(text.replace(/[\r\n\t]+/g, ' ')) : text;
}

/** A cell's values as table text: line breaks flattened, other control characters shown. */
export function displayValues(column: string, value: Value): string[] {
  return cellValues(column, value).map(displayText);
}

/** A cell as a table shows it, clipped; a value that is not a list is one text (no arrays made). */
function tableCell(column: string, value: Value, maxCellWidth: number): TableCell {
  if (Array.isArray(value)) return displayValues(column, value).map((v) => clip(v, maxCellWidth));
  const text = typeof value === 'string' ? value : value === null ? '' : column === '_time' && typeof value === 'number' ? formatTime(value, 'human') : String(value);
  return clip(displayText(text), maxCellWidth);
}

function tableCells(columns: string[], rows: Row[], maxCellWidth: number): TableCells {
  return rows.map((row) => columns.map((c) => tableCell(c, row[c] ?? null, maxCellWidth)));
}

const cellWidth = (cell: TableCell): number => (typeof cell === 'string' ? cell.length : Math.max(0, ...cell.map((v) => v.length)));

function columnWidths(columns: string[], cells: TableCells): number[] {
  return columns.map((c, i) => {
    let width = visible(c).length;
    for (const r of cells) width = Math.max(width, cellWidth(r[i]!));
    return width;
  });
}

/** Spaces that pad a cell to its column's width and separate it from the next, by how many short. */
const gaps: string[] = [];
const gap = (short: number): string => (gaps[short] ??= ' '.repeat(short + 2));

/** The lines of one row of a table whose columns have the given widths, pushed to `out`. */
function pushLines(out: string[], r: TableCell[], widths: number[]): void {
  let height = 1;
  for (const cell of r) if (typeof cell !== 'string') height = Math.max(height, cell.length);
  for (let k = 0; k < height; k++) {
    let text = '';
    for (let i = 0; i < r.length; i++) {
      const cell = r[i]!;
      const part = typeof cell === 'string' ? (k === 0 ? cell : '') : (cell[k] ?? '');
      text += i === r.length - 1 ? part : part + gap(Math.max(0, widths[i]! - part.length));
    }
    out.push(text.trimEnd());
  }
}

/** The lines of some rows of a table whose columns have the given widths. */
function tableLines(cells: TableCells, widths: number[]): string[] {
  const out: string[] = [];
  for (const r of cells) pushLines(out, r, widths);
  return out;
}

function tableHeader(columns: string[], widths: number[]): string[] {
  return tableLines([columns.map((c) => [visible(c)]), widths.map((w) => ['-'.repeat(w)])], widths);
}

/** An aligned text table; multivalue cells take one line per value. */
export function renderTable(columns: string[], rows: Row[], maxCellWidth = 60): string {
  if (columns.length === 0) return '';
  const cells = tableCells(columns, rows, maxCellWidth);
  const widths = columnWidths(columns, cells);
  return [...tableHeader(columns, widths), ...tableLines(cells, widths)].join('\n') + '\n';
}

/** A load report as lines for a person: the counts, then each warning with its file. */
export function describeLoad(report: LoadReport): string[] {
  const lines = [
    `loaded ${report.eventsLoaded} events from ${report.filesRead} file${report.filesRead === 1 ? '' : 's'} in ${(report.elapsedMs / 1000).toFixed(2)} s` +
      (report.filesSkipped || report.eventsSkipped ? ` (skipped ${report.filesSkipped} file${report.filesSkipped === 1 ? '' : 's'}, ${report.eventsSkipped} event${report.eventsSkipped === 1 ? '' : 's'})` : ''),
  ];
  // File names and reasons can quote the data: shown, never obeyed, by the terminal.
  for (const w of groupedNotes(report.warnings)) lines.push(visibleLines(`${w.error ? 'error' : w.kind === 'note' ? 'note' : 'warning'}: ${w.file}: ${w.reason}`));
  const duplicates = report.duplicates && describeDuplicates(report.duplicates);
  if (duplicates) lines.push(duplicates);
  return lines;
}

/** Files named before the rest of a note's files are counted. */
const NOTE_NAMES = 3;

/**
 * The warnings with each note that many files share (a tree's empty files, say: one line each
 * buried the answer) said once, naming a few of them. Warnings of files skipped or partly read
 * keep a line per file: each is evidence not loaded.
 */
function groupedNotes(warnings: LoadWarning[]): LoadWarning[] {
  const shared = new Map<string, string[]>();
  for (const w of warnings) if (w.kind === 'note' && !w.error) shared.set(w.reason, [...(shared.get(w.reason) ?? []), w.file]);
  const out: LoadWarning[] = [];
  for (const w of warnings) {
    const files = w.kind === 'note' && !w.error ? shared.get(w.reason)! : [w.file];
    if (files.length <= NOTE_NAMES + 1) out.push(w);
    else if (files[0] === w.file) out.push({ ...w, file: `${files.length} files (${files.slice(0, NOTE_NAMES).join(', ')} and ${files.length - NOTE_NAMES} more)` });
  }
  return out;
}
