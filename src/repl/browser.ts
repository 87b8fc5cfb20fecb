// The result browser's state and keys: a page of rows, the selected one, columns scrolled
// sideways. Keys that open something else (an event, pivots, the field list) come back as actions.
import type { KeyPress } from './keys.js';
import type { Row } from '../engine/types.js';
import { columnSizes, layoutPage, pageStartEndingAt, type ColumnSizes, type Page } from './table-layout.js';

export type BrowserAction =
  | { kind: 'close' }
  | { kind: 'event'; row: number }
  | { kind: 'pivot'; row: number }
  | { kind: 'fields' }
  | { kind: 'zoom' };

export interface Table {
  columns: string[];
  rows: Row[];
}

export class ResultBrowser {
  readonly sizes: ColumnSizes;
  from = 0;
  selected = 0;
  colOffset = 0;

  constructor(
    readonly table: Table,
    readonly truncated: boolean,
    /** The first row to show: the one after those the scrollback already shows. */
    start = 0,
  ) {
    this.sizes = columnSizes(table.columns, table.rows);
    this.from = this.selected = Math.max(0, Math.min(start, table.rows.length - 1));
  }

  page(width: number, height: number): Page {
    return layoutPage(this.table.columns, this.table.rows, this.sizes, { width, height, from: this.from, colOffset: this.colOffset, selected: this.selected });
  }

  key(k: KeyPress, width: number, height: number): BrowserAction | null {
    const { columns, rows } = this.table;
    const n = rows.length;
    const dims = { width, height, colOffset: this.colOffset };
    if (k.name === 'escape' || k.text === 'q' || (k.ctrl && k.name === 'c')) return { kind: 'close' };
    if (k.name === 'pagedown' || k.text === ' ') {
      // The next page; on the last page (or a result that fits on one) nothing moves.
      const to = this.page(width, height).to;
      if (to < n) this.from = this.selected = to;
    } else if (k.name === 'pageup') {
      this.from = this.from === 0 ? 0 : pageStartEndingAt(columns, rows, this.sizes, this.from - 1, dims);
      this.selected = this.from;
    } else if (k.name === 'home' || k.text === 'g') {
      this.from = this.selected = 0;
    } else if (k.name === 'end' || k.text === 'G') {
      this.selected = n - 1;
      this.from = pageStartEndingAt(columns, rows, this.sizes, n - 1, dims);
    } else if (k.name === 'down' || k.text === 'j') {
      this.selected = Math.min(n - 1, this.selected + 1);
      if (this.selected >= this.page(width, height).to) this.from = pageStartEndingAt(columns, rows, this.sizes, this.selected, dims);
    } else if (k.name === 'up' || k.text === 'k') {
      this.selected = Math.max(0, this.selected - 1);
      if (this.selected < this.from) this.from = this.selected;
    } else if (k.name === 'right' || k.text === 'l') {
      this.colOffset = Math.min(columns.length - 1, this.colOffset + 1);
    } else if (k.name === 'left' || k.text === 'h') {
      this.colOffset = Math.max(0, this.colOffset - 1);
    } else if (k.name === 'return') return { kind: 'event', row: this.selected };
    else if (k.text === 'p') return { kind: 'pivot', row: this.selected };
    else if (k.text === 'f') return { kind: 'fields' };
    else if (k.text === 'z') return { kind: 'zoom' };
    return null;
  }
}
