// Result rows as text: aligned table, CSV, JSON array, JSON lines. `_time` is epoch seconds in
// the engine and an ISO timestamp (UTC) here; multivalue fields are arrays in JSON. A table is
// for a terminal: control characters in it are shown as escapes (terminal-text.ts); CSV and JSON
// carry the values byte for byte.
import { describeDuplicates } from '../engine/duplicates.js';
import type { LoadReport, Row, Value } from '../engine/types.js';
import { visible, visibleLines } from './terminal-text.js';

export type OutputFormat = 'table' | 'csv' | 'json' | 'jsonl';
export const FORMATS: OutputFormat[] = ['table', 'csv', 'json', 'jsonl'];

export function formatTime(epoch: number, style: 'iso' | 'human'): string {
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

function jsonValue(column: string, value: Value): unknown {
  if (Array.isArray(value)) return value.map((v) => jsonValue(column, v));
  if (column === '_time' && typeof value === 'number') return formatTime(value, 'iso');
  return value;
}

/** A row as a JSON object: keys in column order, nulls left out. */
export function jsonRow(columns: string[], row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c];
    if (v === null || v === undefined) continue;
    out[c] = jsonValue(c, v);
  }
  return out;
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows a table waits for before it fixes its column widths and starts writing. */
export const TABLE_ALIGN_ROWS = 1000;

/** Writes rows incrementally in one format; `end()` closes what needs closing. */
export class RowWriter {
  private count = 0;
  private readonly buffered: Row[] = [];
  /** Set once the table's first rows fixed its column widths; later rows are written at once. */
  private widths: number[] | undefined;

  constructor(
    private readonly format: OutputFormat,
    private readonly columns: string[],
    private readonly write: (text: string) => void,
    private readonly maxCellWidth = 60,
  ) {
    if (format === 'csv') write(columns.map(csvCell).join(',') + '\n');
  }

  rows(rows: Row[]): void {
    const ready: Row[] = [];
    for (const row of rows) {
      switch (this.format) {
        case 'csv':
          this.write(this.columns.map((c) => csvCell(cellValues(c, row[c] ?? null, 'iso').join('\n'))).join(',') + '\n');
          break;
        case 'jsonl':
          this.write(JSON.stringify(jsonRow(this.columns, row)) + '\n');
          break;
        case 'json':
          this.write((this.count === 0 ? '[\n  ' : ',\n  ') + JSON.stringify(jsonRow(this.columns, row)));
          break;
        case 'table':
          (this.widths ? ready : this.buffered).push(row);
          break;
      }
      this.count++;
    }
    if (ready.length > 0) this.writeTableRows(ready);
    // A table is aligned over its first rows only: a result of millions of rows is written as
    // it arrives instead of held whole, and a later cell wider than its column (at most
    // maxCellWidth) just pushes the rest of its line.
    if (this.format === 'table' && !this.widths && this.buffered.length >= TABLE_ALIGN_ROWS) this.flushTable();
  }

  end(): void {
    if (this.format === 'json') this.write(this.count === 0 ? '[]\n' : '\n]\n');
    if (this.format === 'table' && !this.widths) this.flushTable();
  }

  private flushTable(): void {
    if (this.columns.length === 0) return;
    const cells = tableCells(this.columns, this.buffered, this.maxCellWidth);
    this.widths = columnWidths(this.columns, cells);
    this.write([...tableHeader(this.columns, this.widths), ...tableLines(cells, this.widths)].join('\n') + '\n');
    this.buffered.length = 0;
  }

  private writeTableRows(rows: Row[]): void {
    this.write(tableLines(tableCells(this.columns, rows, this.maxCellWidth), this.widths!).join('\n') + '\n');
  }
}

function clip(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text;
}

type TableCells = string[][][];

/** A cell's values as table text: line breaks flattened, other control characters shown. */
export function displayValues(column: string, value: Value): string[] {
  return cellValues(column, value).map((v) => visible(v.replace(/[\r\n\t]+/g, ' ')));
}

function tableCells(columns: string[], rows: Row[], maxCellWidth: number): TableCells {
  return rows.map((row) => columns.map((c) => displayValues(c, row[c] ?? null).map((v) => clip(v, maxCellWidth))));
}

function columnWidths(columns: string[], cells: TableCells): number[] {
  return columns.map((c, i) => Math.max(visible(c).length, ...cells.map((r) => Math.max(0, ...r[i]!.map((v) => v.length)))));
}

/** The lines of some rows of a table whose columns have the given widths. */
function tableLines(cells: TableCells, widths: number[]): string[] {
  const line = (parts: string[]) => parts.map((p, i) => p.padEnd(widths[i]!)).join('  ').trimEnd();
  const out: string[] = [];
  for (const r of cells) {
    const height = Math.max(1, ...r.map((v) => v.length));
    for (let k = 0; k < height; k++) out.push(line(r.map((v) => v[k] ?? '')));
  }
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
  for (const w of report.warnings) lines.push(visibleLines(`${w.error ? 'error' : w.kind === 'note' ? 'note' : 'warning'}: ${w.file}: ${w.reason}`));
  const duplicates = report.duplicates && describeDuplicates(report.duplicates);
  if (duplicates) lines.push(duplicates);
  return lines;
}
