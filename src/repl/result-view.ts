// A finished result as the scrollback shows it. Events (a search that keeps them: `_raw` is among
// the columns) are listed as Splunk lists them, the time and then the event's summary line,
// instead of a slice of the raw JSON; everything else is a table fitted to the terminal.
import { eventSummary } from './event-view.js';
import { parseEventJson } from './event-json.js';
import type { Table } from './browser.js';
import type { Row } from '../engine/types.js';
import type { HeldResult, OutLine } from './outcome.js';
import { GAP, naturalWidths, renderFitted } from './table-layout.js';
import { timelineLines } from './timeline.js';
import { formatTime } from '../cli/format.js';

/** The column an event list shows in place of `_raw`. */
const EVENT_COLUMN = 'event';

function isEventList(r: { columns: string[] }): boolean {
  return r.columns.includes('_raw');
}

/** The event a row holds, parsed from its `_raw`; null when it has none or it is not JSON. */
export function rowEvent(row: Row): Record<string, unknown> | null {
  const raw = row._raw;
  if (typeof raw !== 'string') return null;
  try {
    const v = parseEventJson(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const shownTables = new WeakMap<HeldResult, Table>();
const shownCharts = new WeakMap<HeldResult, { width: number; table: Table }>();

/** The column beside a timechart that draws each row's total as a bar. */
const BAR_COLUMN = 'bar';
const BAR_WIDTH = 24;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A horizontal bar of `value` out of `max`, `width` characters at most, in eighths of a character. */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
  if (!(value > 0) || !(max > 0)) return '';
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

/** The numeric series of a timechart: every column but `_time` (and the bar). */
function chartSeries(r: { columns: string[] }): string[] {
  return r.columns.filter((c) => c !== '_time' && c !== BAR_COLUMN);
}

const rowTotal = (row: Row, series: string[]) => series.reduce((sum, c) => sum + (typeof row[c] === 'number' ? (row[c] as number) : Number(row[c]) || 0), 0);

/** A timechart with each row's total drawn beside it, as wide as the screen leaves room for (none under 8 characters). */
function chartTable(r: HeldResult, width: number): Table {
  const series = chartSeries(r);
  const others = naturalWidths(r.columns, r.rows).reduce((a, b) => a + b + GAP, 0);
  const room = Math.min(BAR_WIDTH, width - others);
  if (room < 8) return r;
  const max = Math.max(0, ...r.rows.map((row) => rowTotal(row, series)));
  return { columns: [...r.columns, BAR_COLUMN], rows: r.rows.map((row) => ({ ...row, [BAR_COLUMN]: bar(rowTotal(row, series), max, room) })) };
}

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** One line per series (up to 8): its values over the whole result as a sparkline, and its peak. */
function sparklines(r: HeldResult, width: number): string[] {
  const series = chartSeries(r).slice(0, 8);
  const label = Math.min(24, Math.max(...series.map((s) => s.length)));
  const room = Math.max(8, width - label - 40);
  return series.map((name) => {
    const values = r.rows.map((row) => (typeof row[name] === 'number' ? (row[name] as number) : Number(row[name]) || 0));
    // More rows than room: each character shows the largest value of its run of rows.
    const per = Math.ceil(values.length / room);
    const points: number[] = [];
    for (let i = 0; i < values.length; i += per) points.push(Math.max(...values.slice(i, i + per)));
    const max = Math.max(0, ...values);
    const at = values.indexOf(max);
    const line = points.map((v) => (v <= 0 ? ' ' : SPARKS[Math.min(7, Math.floor((v / max) * 7.999))]!)).join('');
    const when = typeof r.rows[at]?._time === 'number' ? ` at ${formatTime(r.rows[at]!._time as number, 'human')}` : '';
    return `${name.slice(0, label).padEnd(label)}  ${line}  max ${max.toLocaleString('en-US')}${when}`;
  });
}

/**
 * The table a result is shown as: the result itself; a timechart with a bar beside each row; or
 * for events the same rows with `_raw` replaced by the summary line (worked out when a row is
 * first drawn, then kept).
 */
export function displayTable(r: HeldResult, width: number): Table {
  if (r.shape.timechart && r.columns[0] === '_time' && !r.columns.includes(BAR_COLUMN)) {
    let chart = shownCharts.get(r);
    if (chart?.width !== width) shownCharts.set(r, (chart = { width, table: chartTable(r, width) }));
    return chart.table;
  }
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
  if (r.timeline) timelineLines(r.timeline).forEach((text, i) => out.push({ text, tone: i === 0 ? 'info' : 'dim' }));
  if (r.columns.length === 0 || r.rows.length === 0) {
    out.push({ text: 'no results', tone: 'dim' });
  } else {
    const table = displayTable(r, width);
    const fitted = renderFitted(table.columns, table.rows, width, pageRows);
    shown = fitted.shown;
    fitted.lines.forEach((text, i) => out.push({ text, tone: i === 0 ? 'heading' : i === 1 ? 'dim' : 'plain' }));
    const notes: string[] = [];
    if (fitted.shown < r.rows.length) notes.push(`showing 1-${fitted.shown}: PgDn pages through the rest`);
    if (fitted.hiddenRight > 0) notes.push(`${fitted.hiddenRight} more column${fitted.hiddenRight === 1 ? '' : 's'}: PgDn then Right`);
    if (isEventList(r)) notes.push('PgDn then Enter: the whole event');
    if (notes.length) out.push({ text: notes.join(' · '), tone: 'dim' });
    if (r.shape.timechart && r.columns[0] === '_time' && r.rows.length > 1) for (const text of sparklines(r, width)) out.push({ text, tone: 'info' });
  }
  const count = `${r.rows.length.toLocaleString('en-US')} result${r.rows.length === 1 ? '' : 's'} in ${(r.elapsedMs / 1000).toFixed(3)} s`;
  out.push({ text: count, tone: 'info' });
  // As the CLI prints them: an empty answer from an unmapped data model is not "nothing happened".
  for (const note of r.notes ?? []) out.push({ text: `note: ${note}`, tone: 'warn' });
  if (r.truncated) out.push({ text: `output capped at ${maxRows.toLocaleString('en-US')} rows: narrow the search, or use spelunk run --format csv for all of it`, tone: 'warn' });
  return { lines: out, shown };
}
