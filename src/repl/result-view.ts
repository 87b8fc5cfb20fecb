// A finished result as the scrollback shows it. Events (a search that keeps them: `_raw` is among
// the columns) are listed as Splunk lists them, the time and then the event's summary line,
// instead of a slice of the raw JSON; everything else is a table fitted to the terminal.
import { eventSummary } from './event-view.js';
import type { Table } from './browser.js';
import type { Row } from '../engine/types.js';
import type { HeldResult, OutLine } from './session.js';
import { renderFitted } from './table-layout.js';

/** The column an event list shows in place of `_raw`. */
export const EVENT_COLUMN = 'event';

export function isEventList(r: { columns: string[] }): boolean {
  return r.columns.includes('_raw');
}

/** The event a row holds, parsed from its `_raw`; null when it has none or it is not JSON. */
export function rowEvent(row: Row): Record<string, unknown> | null {
  const raw = row._raw;
  if (typeof raw !== 'string') return null;
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const shownTables = new WeakMap<HeldResult, Table>();

/**
 * The table a result is shown as: the result itself, or for events the same rows with `_raw`
 * replaced by the summary line (worked out when a row is first drawn, then kept).
 */
export function displayTable(r: HeldResult): Table {
  if (!isEventList(r)) return r;
  let table = shownTables.get(r);
  if (table) return table;
  const columns = r.columns.map((c) => (c === '_raw' ? EVENT_COLUMN : c));
  const rows = r.rows.map((row) => {
    const shown: Row = {};
    for (const c of r.columns) if (c !== '_raw') shown[c] = row[c] ?? null;
    let summary: string | undefined;
    Object.defineProperty(shown, EVENT_COLUMN, {
      enumerable: true,
      get: () => (summary ??= (() => {
        const event = rowEvent(row);
        return event ? eventSummary(event) : typeof row._raw === 'string' ? row._raw : '';
      })()),
    });
    return shown;
  });
  table = { columns, rows };
  shownTables.set(r, table);
  return table;
}

export interface ScrollbackView {
  lines: OutLine[];
  /** Rows the lines show (PgDn continues after them). */
  shown: number;
}

/** The first page of a finished result, with a status line under it. */
export function resultLines(r: HeldResult, width: number, height: number, maxRows: number): ScrollbackView {
  const pageRows = Math.max(5, height - 8);
  const out: OutLine[] = [];
  let shown = 0;
  if (r.columns.length === 0 || r.rows.length === 0) {
    out.push({ text: 'no results', tone: 'dim' });
  } else {
    const table = displayTable(r);
    const fitted = renderFitted(table.columns, table.rows, width, pageRows);
    shown = fitted.shown;
    fitted.lines.forEach((text, i) => out.push({ text, tone: i === 0 ? 'heading' : i === 1 ? 'dim' : 'plain' }));
    const notes: string[] = [];
    if (fitted.shown < r.rows.length) notes.push(`showing 1-${fitted.shown}: PgDn pages through the rest`);
    if (fitted.hiddenRight > 0) notes.push(`${fitted.hiddenRight} more column${fitted.hiddenRight === 1 ? '' : 's'}: PgDn then Right`);
    if (isEventList(r)) notes.push('PgDn then Enter: the whole event');
    if (notes.length) out.push({ text: notes.join(' · '), tone: 'dim' });
  }
  const count = `${r.rows.length.toLocaleString('en-US')} result${r.rows.length === 1 ? '' : 's'} in ${(r.elapsedMs / 1000).toFixed(3)} s`;
  out.push({ text: count, tone: 'info' });
  if (r.truncated) out.push({ text: `output capped at ${maxRows.toLocaleString('en-US')} rows: narrow the search, or use spelunk run --format csv for all of it`, tone: 'warn' });
  return { lines: out, shown };
}
