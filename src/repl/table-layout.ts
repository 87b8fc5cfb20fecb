// A result table fitted to the terminal: column widths from the data, long cells cut with an
// ellipsis, columns beyond the width reached by scrolling sideways, rows shown a page at a time.
// Multivalue cells take one line per value. Pure: the components only print the lines.
import { cellValues } from '../cli/format.js';
import type { Row } from '../engine/types.js';
import { visible } from './display.js';
import { valueShape } from './pivot.js';

export const GAP = 2;
/** A column narrower than this is not worth showing cut; it waits for a sideways scroll. */
const MIN_COLUMN = 6;
/** How wide one column may grow when there are more columns than fit. */
const SHARE_CAP = 48;
/** How narrow a column may be squeezed to make room for an identifier after it. */
const SHRINK_FLOOR = 12;
/** Rows sampled to size the columns: enough to be representative, cheap at 10,000 rows. */
const SIZE_SAMPLE = 500;

export function clip(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 0 ? '' : chars.slice(0, width - 1).join('') + '…';
}

const len = (s: string) => [...s].length;

/** A cell's display lines: one per value, line breaks flattened, other control characters shown. */
function cellLines(column: string, value: Row[string] | undefined): string[] {
  return cellValues(column, value ?? null).map((v) => visible(v.replace(/[\r\n\t]+/g, ' ')));
}

/** Natural width of each column (header and a sample of the rows). */
export function naturalWidths(columns: string[], rows: Row[]): number[] {
  const sample = rows.length > SIZE_SAMPLE ? rows.slice(0, SIZE_SAMPLE) : rows;
  return columns.map((c) => {
    let w = len(c);
    for (const r of sample) for (const line of cellLines(c, r[c])) w = Math.max(w, len(line));
    return w;
  });
}

/** Shapes whose values are read whole or not at all: cut, an ARN or a key id is another one. */
const IDENTIFIER_SHAPES = new Set(['arn', 'access-key', 'account', 'ip']);

/** Columns whose values are identifiers (ARNs, access key ids, account ids, addresses) or times. */
function identifierColumns(columns: string[], rows: Row[]): boolean[] {
  const sample = rows.length > SIZE_SAMPLE ? rows.slice(0, SIZE_SAMPLE) : rows;
  return columns.map((c) => {
    if (c === '_time') return true;
    let values = 0;
    let ids = 0;
    for (const r of sample) {
      for (const v of cellLines(c, r[c])) {
        if (v === '') continue;
        values++;
        // A bar (a timechart's) is read by its length: cut, it lies.
        if (IDENTIFIER_SHAPES.has(valueShape(v)) || /^[█▏▎▍▌▋▊▉]+$/.test(v)) ids++;
      }
    }
    return values > 0 && ids >= values * 0.9;
  });
}

/** What sizing a table's columns needs: natural widths and which columns hold identifiers. */
export interface ColumnSizes {
  natural: number[];
  ids: boolean[];
}

export function columnSizes(columns: string[], rows: Row[]): ColumnSizes {
  return { natural: naturalWidths(columns, rows), ids: identifierColumns(columns, rows) };
}

export interface ColumnWindow {
  /** Indexes into columns, in order. */
  indexes: number[];
  widths: number[];
  hiddenLeft: number;
  hiddenRight: number;
}

/**
 * The columns that fit in `width` starting at column `offset`. The first columns (in the order
 * the search named them) come first; a column that does not fit waits for a sideways scroll.
 * When the columns are wider than the screen each is first held to a share (SHARE_CAP); then
 * identifiers (ARNs, key ids, accounts, addresses, times) get back their full width, from the
 * spare width and from the text columns beside them, before any spare goes to other cut columns.
 * An identifier is never the one column cut to fill the end of the line: a cut ARN is another ARN.
 */
export function columnWindow(sizes: ColumnSizes | number[], width: number, offset: number): ColumnWindow {
  const { natural, ids } = Array.isArray(sizes) ? { natural: sizes, ids: [] as boolean[] } : sizes;
  const total = natural.reduce((a, b) => a + b, 0) + GAP * Math.max(0, natural.length - 1);
  const cap = total > width ? Math.min(SHARE_CAP, width) : width;
  const indexes: number[] = [];
  const widths: number[] = [];
  const start = Math.max(0, Math.min(offset, natural.length - 1));
  let used = 0;
  for (let i = start; i < natural.length; i++) {
    const gap = indexes.length ? GAP : 0;
    const want = Math.min(natural[i]!, cap);
    if (used + gap + want <= width) {
      indexes.push(i);
      widths.push(want);
      used += gap + want;
      continue;
    }
    const room = width - used - gap;
    if (indexes.length === 0 || (!ids[i] && room >= Math.min(MIN_COLUMN, want))) {
      indexes.push(i);
      widths.push(Math.max(1, room));
      used += gap + Math.max(1, room);
    }
    break;
  }
  let spare = width - used;
  const short = (k: number) => natural[indexes[k]!]! - widths[k]!;
  // Identifiers first: from the spare width, then from the text columns (widest first).
  for (let k = 0; k < indexes.length; k++) {
    if (!ids[indexes[k]!]) continue;
    const fromSpare = Math.min(spare, short(k));
    widths[k]! += fromSpare;
    spare -= fromSpare;
    for (let missing = short(k); missing > 0; missing--) {
      let widest = -1;
      indexes.forEach((c, j) => {
        if (!ids[c] && widths[j]! > Math.min(natural[c]!, SHRINK_FLOOR) && (widest < 0 || widths[j]! > widths[widest]!)) widest = j;
      });
      if (widest < 0) break;
      widths[widest]!--;
      widths[k]!++;
    }
  }
  // Then the other cut columns, a character each in turn.
  for (let grew = true; spare > 0 && grew; ) {
    grew = false;
    for (let k = 0; k < indexes.length && spare > 0; k++) {
      if (short(k) > 0) {
        widths[k]!++;
        spare--;
        grew = true;
      }
    }
  }
  return { indexes, widths, hiddenLeft: start, hiddenRight: natural.length - start - indexes.length };
}

export interface TableLine {
  text: string;
  kind: 'header' | 'rule' | 'row' | 'selected';
  /** Index of the result row the line belongs to. */
  row?: number;
}

function joinCells(parts: string[], widths: number[]): string {
  return parts.map((p, i) => (i === parts.length - 1 ? p : p + ' '.repeat(widths[i]! - len(p)))).join(' '.repeat(GAP)).trimEnd();
}

/** Header and rule lines for a window of columns. */
function headerLines(columns: string[], win: ColumnWindow): TableLine[] {
  const names = win.indexes.map((i, k) => clip(columns[i]!, win.widths[k]!));
  return [
    { text: joinCells(names, win.widths), kind: 'header' },
    { text: joinCells(win.widths.map((w) => '-'.repeat(w)), win.widths), kind: 'rule' },
  ];
}

/** The lines of one row (several when a cell is multivalue). */
function rowLines(columns: string[], row: Row, win: ColumnWindow, index: number, selected = false): TableLine[] {
  const cells = win.indexes.map((i, k) => cellLines(columns[i]!, row[columns[i]!]).map((v) => clip(v, win.widths[k]!)));
  const height = Math.max(1, ...cells.map((c) => c.length));
  const out: TableLine[] = [];
  for (let line = 0; line < height; line++) {
    out.push({ text: joinCells(cells.map((c) => c[line] ?? ''), win.widths), kind: selected ? 'selected' : 'row', row: index });
  }
  return out;
}

export interface Page {
  lines: TableLine[];
  /** First and one-past-last row shown. */
  from: number;
  to: number;
  window: ColumnWindow;
}

/** The rows from `from` that fit in `height` lines (header included), at least one. */
export function layoutPage(columns: string[], rows: Row[], natural: ColumnSizes | number[], opts: { width: number; height: number; from: number; colOffset: number; selected?: number }): Page {
  const win = columnWindow(natural, opts.width, opts.colOffset);
  const lines = headerLines(columns, win);
  let i = Math.max(0, Math.min(opts.from, Math.max(0, rows.length - 1)));
  const from = i;
  for (; i < rows.length; i++) {
    const block = rowLines(columns, rows[i]!, win, i, i === opts.selected);
    if (lines.length + block.length > opts.height && i > from) break;
    lines.push(...block.slice(0, Math.max(1, opts.height - lines.length)));
  }
  return { lines, from, to: i, window: win };
}

/** The first row of the page that ends with row `last` (for PgUp and End). */
export function pageStartEndingAt(columns: string[], rows: Row[], natural: ColumnSizes | number[], last: number, opts: { width: number; height: number; colOffset: number }): number {
  const win = columnWindow(natural, opts.width, opts.colOffset);
  let used = 2;
  let i = Math.min(last, rows.length - 1);
  for (; i >= 0; i--) {
    const h = rowLines(columns, rows[i]!, win, i).length;
    if (used + h > opts.height && i < last) return i + 1;
    used += h;
  }
  return 0;
}

/** A whole result as fitted lines (what goes into the scrollback after a search). */
export function renderFitted(columns: string[], rows: Row[], width: number, maxRows = Infinity): { lines: string[]; hiddenRight: number; shown: number } {
  const win = columnWindow(columnSizes(columns, rows), width, 0);
  const out = headerLines(columns, win).map((l) => l.text);
  const shown = Math.min(rows.length, maxRows);
  for (let i = 0; i < shown; i++) for (const l of rowLines(columns, rows[i]!, win, i)) out.push(l.text);
  return { lines: out, hiddenRight: win.hiddenRight, shown };
}
