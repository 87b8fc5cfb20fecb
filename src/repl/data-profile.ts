// What is loaded, asked of the engine: the opening summary (events, time span, accounts,
// regions, frequent event names), the field names completion offers, a field's frequent values,
// and per-field coverage for `:fields` (Splunk's field sidebar).
import { cellValues, formatTime } from '../cli/format.js';
import { addonFieldNames } from '../compiler/fields.js';
import { EVENT_COLUMNS } from '../compiler/cloudtrail-schema.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import type { LoadedSummary } from '../engine/loaded-summary.js';
import type { Row } from '../engine/types.js';
import { quoteValue } from './completion.js';
import { visible } from './display.js';

/** The opening summary (the engine's, remembered with the cache: loaded-summary.ts). */
export type DataSummary = LoadedSummary;

const plural = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

export function describeSummary(s: DataSummary): string[] {
  if (s.events === 0) return ['no events loaded: :load PATH... reads CloudTrail files, folders or globs'];
  const span = s.earliest !== null && s.latest !== null ? `${formatTime(s.earliest, 'human')} .. ${formatTime(s.latest, 'human')} UTC` : 'no event times';
  const list = (xs: { value: string; count: number }[]) => xs.map((x) => `${visible(x.value)} (${x.count.toLocaleString('en-US')})`).join(', ');
  const lines = [`${plural(s.events, 'event')}, ${span}`];
  if (s.accounts.length) lines.push(`accounts: ${list(s.accounts)}`);
  if (s.regions.length) lines.push(`regions:  ${list(s.regions)}`);
  if (s.eventNames.length) lines.push(`top events: ${list(s.eventNames)}`);
  return lines;
}

/** Field names for completion known without reading any event: the event columns and the add-on's fields. */
export function knownFields(): string[] {
  const columns = EVENT_COLUMNS.map((c) => c.name).filter((n) => !n.startsWith('__'));
  return [...new Set([...columns, ...addonFieldNames()])];
}

/**
 * Field names for completion: knownFields and the nested paths that occur in the data, most
 * frequent first. `note`: a line to show when the paths were sampled over the cache's view
 * instead of found per segment (Engine.fieldPaths).
 */
export async function discoverFields(engine: Engine): Promise<{ fields: string[]; note?: string }> {
  let paths: string[] = [];
  let note: string | undefined;
  const sampled = (why: string) => (note = `field paths for completion sampled over every loaded event, not found per cache segment (${why})`);
  try {
    paths = await engine.fieldPaths(undefined, undefined, sampled);
  } catch {
    // No events table yet (nothing loaded), or stopped by a load: columns and add-on fields are still worth offering.
  }
  return { fields: [...new Set([...knownFields(), ...paths])], note };
}

/** A field name as it can be written in a generated search (anything odd is skipped). */
function safeFieldName(name: string): boolean {
  return /^[A-Za-z_@][\w.{}@-]*$/.test(name);
}

/** Values a prefix may complete to: plenty, yet a menu. */
const VALUE_LIMIT = 200;

/**
 * Values of a field for `field=` completion, most frequent first. With nothing typed, the most
 * frequent; with a prefix, every value that starts with it (case-insensitively, as search matches),
 * however rare: a value seen once is often the one an analyst is hunting for.
 */
export async function topValues(engine: Engine, field: string, opts: RunOptions = {}, prefix = '', limit = 30): Promise<string[]> {
  if (!safeFieldName(field)) return [];
  const quoted = /^[\w.{}@-]+$/.test(field) ? field : `'${field}'`;
  if (prefix === '') {
    const r = await engine.run(`* | top limit=${limit} showperc=f ${field}`, { ...opts, maxRows: limit });
    return r.rows.flatMap((row) => cellValues(field, row[field] ?? null, 'iso'));
  }
  // The search term narrows the events cheaply; `where` then keeps only the values (of a
  // multivalue field) that really start with the prefix. A prefix with a wildcard or a quote
  // skips the narrowing rather than be misread by it.
  const narrow = /^[\w.:\/@-]+$/.test(prefix) ? `${field}=${prefix}*` : '*';
  const lower = quoteValue(prefix.toLowerCase(), true);
  const spl = `${narrow} | stats count by ${field} | where substr(lower(tostring(${quoted})), 1, ${[...prefix].length}) == ${lower} | sort 0 - count | head ${VALUE_LIMIT}`;
  const r = await engine.run(spl, { ...opts, maxRows: VALUE_LIMIT });
  return r.rows.flatMap((row) => cellValues(field, row[field] ?? null, 'iso'));
}

export interface FieldStats {
  field: string;
  /** Share of rows (events) that have a value, 0..1. */
  coverage: number;
  distinct: number;
  top: { value: string; count: number }[];
}

/** Field statistics of held result rows (the last result), computed here without a query. */
export function resultFieldStats(columns: string[], rows: Row[], topN = 3): FieldStats[] {
  return columns.filter((c) => !c.startsWith('__')).map((field) => {
    const counts = new Map<string, number>();
    let present = 0;
    for (const row of rows) {
      const values = cellValues(field, row[field] ?? null);
      if (values.length) present++;
      for (const v of new Set(values)) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, topN).map(([value, count]) => ({ value, count }));
    return { field, coverage: rows.length ? present / rows.length : 0, distinct: counts.size, top };
  });
}
