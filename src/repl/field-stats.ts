// What the field sidebar lists for the last search, asked of the engine in a few passes over
// every row the search returns (never one query per field): the event's own fields and the
// userIdentity paths first (the quickest), then the add-on's fields and those the pipeline
// made, then the paths inside the nested objects (from a sample when the rows are many). Each
// pass shows as soon as it is done; Ctrl-C stops the rest.
//
// The add-on's fields cost far more than the event's own: on a million events, 15-20 CPU-s
// (event types scan `_raw`, the user REPORT runs regexes), where the event fields take about
// one. Over many rows they are first estimated from a random sample of the events, shown
// marked `~`, then counted exactly; Ctrl-C keeps the estimates. Splunk's own fieldsummary
// likewise gives an estimate when exact counting costs too much (its `is_exact`).
import { addonDefinition, addonFieldNames } from '../compiler/addon-fields.js';
import { JSON_COLUMNS, PROMOTED_PATHS, SCALAR_COLUMNS } from '../compiler/cloudtrail-schema.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import type { FieldSummary } from '../engine/field-summary.js';
import type { Row } from '../engine/types.js';
import { resultFieldStats } from './data-profile.js';
import { visible } from './display.js';
import { MAX_DEPTH } from './event-view.js';
import type { HeldResult } from './outcome.js';

/** CloudTrail fields with a value of their own on (almost) every event: counted, not tabled. */
export const IDENTIFIERS = ['eventID', 'requestID', 'eventTime', 'sharedEventID'];

export interface FieldEntry extends FieldSummary {
  /** Counted over a sample of this many rows, not all of them: the counts are estimates. */
  sampled?: number;
  kind: 'event' | 'addon' | 'made' | 'nested';
}

export interface FieldStats {
  search: string;
  /** Rows the search returned (null until the first pass is done). */
  rows: number | null;
  fields: FieldEntry[];
  /** Rows the nested paths were counted over (the newest held), when fewer than all. */
  sampled: number | null;
  /** The add-on fields shown are estimates from a sample of this many events (exact counts follow). */
  addonSampled?: number;
  /** What is being counted now ('' when done). */
  stage: string;
  /** Why counting stopped early (cancelled, an error). */
  stopped?: string;
}

const EVENT_FIELDS = [...SCALAR_COLUMNS.map((c) => c.name), 'source', 'sourcetype', 'index', ...PROMOTED_PATHS];
const EVENT_SET = new Set([...EVENT_FIELDS, '_time', '_raw', ...JSON_COLUMNS.map((c) => c.name)]);

/** An add-on alias is its source field under another name: its counts are the source's. */
function aliasSource(name: string): string | undefined {
  const def = addonDefinition(name)?.field;
  return def?.kind === 'alias' && def.expr && /^'?[\w.{}@-]+'?$/.test(def.expr) ? def.expr.replace(/^'|'$/g, '') : undefined;
}

export interface StatsHooks {
  onUpdate: (stats: FieldStats) => void;
  /** Estimate the add-on fields first over about this many events (default ADDON_SAMPLE_ROWS). */
  sampleRows?: number;
}

/**
 * Events the add-on fields are first estimated over, when a search returns many more: 20,000
 * put a field's coverage or a value's share within about 0.7 percentage points (95%), while
 * the cost of the add-on rules (mostly parsing the JSON objects again for each rule) is a few
 * percent of the whole on a million events.
 */
export const ADDON_SAMPLE_ROWS = 20_000;

/** The percent of `rows` to sample for about `target` of them, or none when that is most of them. */
export function addonSamplePercent(rows: number, target = ADDON_SAMPLE_ROWS): number | undefined {
  return rows > 2 * target ? (100 * target) / rows : undefined;
}

/**
 * Field statistics of a held result. Events: the engine counts every row the search returns.
 * Another table (stats, top ...): its own columns, counted here when every row is held.
 */
export async function fieldStats(engine: Engine, r: HeldResult, opts: RunOptions, hooks: StatsHooks): Promise<FieldStats> {
  const stats: FieldStats = { search: r.search, rows: null, fields: [], sampled: null, stage: 'counting the fields' };
  const update = () => hooks.onUpdate({ ...stats, fields: [...stats.fields] });
  const run = { ...opts, params: r.params, maxRows: undefined };
  if (!r.shape.events && !r.truncated) {
    stats.rows = r.rows.length;
    stats.fields = resultFieldStats(r.columns, r.rows, 10).map((s) => ({ field: s.field, present: Math.round(s.coverage * r.rows.length), distinct: s.distinct, top: s.top, kind: 'made' }));
    stats.stage = '';
    return stats;
  }
  const step = async (stage: string, work: () => Promise<void>) => {
    if (stats.stopped) return;
    stats.stage = stage;
    update();
    try {
      await work();
    } catch (err) {
      stats.stopped = err instanceof Error ? err.message : String(err);
    }
  };
  if (!r.shape.events) {
    await step('counting the fields', async () => {
      const counted = await engine.summarizeFields(r.search, run, r.columns.filter((c) => !c.startsWith('__')));
      stats.rows = counted.rows;
      stats.fields.push(...counted.fields.map((f) => ({ ...f, kind: 'made' as const })));
    });
  } else {
    await step('counting the event fields', async () => {
      const counted = await engine.summarizeFields(r.search, run, EVENT_FIELDS.filter((f) => !IDENTIFIERS.includes(f)), IDENTIFIERS);
      stats.rows = counted.rows;
      stats.fields.push(...counted.fields.map((f) => ({ ...f, kind: 'event' as const })));
    });
    const made = r.columns.filter((c) => !EVENT_SET.has(c) && !c.startsWith('__') && !addonDefinition(c));
    // Names the default add-on profile gives a value (the REPORT that EVAL-user replaces gives none).
    const addon = addonFieldNames().filter((name) => addonDefinition(name)?.field.expr);
    const calculated = addon.filter((name) => !aliasSource(name));
    const eventFields = stats.fields;
    let nested: FieldEntry[] = [];
    const addonPass = async (sample?: number) => {
      const counted = await engine.summarizeFields(r.search, { ...run, sample }, [...calculated, ...made]);
      const over = counted.sampled ? counted.rows : undefined;
      // An add-on eval that replaces an event field (errorCode) is what searches see: keep only it.
      const replaced = new Set(counted.fields.map((f) => f.field));
      const fields: FieldEntry[] = eventFields.filter((f) => !replaced.has(f.field));
      fields.push(...counted.fields.map((f) => ({ ...f, kind: made.includes(f.field) ? ('made' as const) : ('addon' as const), ...(over ? { sampled: over } : {}) })));
      // Aliases (src, region, app ...), from what is counted already.
      for (const name of addon) {
        const source = aliasSource(name);
        const from = source && fields.find((f) => f.field === source);
        if (from) fields.push({ ...from, field: name, kind: 'addon' });
      }
      const known = new Set(fields.map((f) => f.field));
      stats.fields = [...fields, ...nested.filter((f) => !known.has(f.field))];
      stats.addonSampled = over;
      return over;
    };
    const percent = addonSamplePercent(stats.rows ?? 0, hooks.sampleRows);
    let estimated: number | undefined;
    await step(percent === undefined ? 'counting the add-on fields' : 'estimating the add-on fields', async () => void (estimated = await addonPass(percent)));
    // The nested objects are read from the events the result holds (their `_raw`): every
    // matching event when the result was not capped, else the newest ones, and said so. DuckDB's
    // json_tree over a million events took seconds; JSON.parse over 10,000 takes milliseconds.
    const events = r.columns.includes('_raw') ? r.rows : [];
    if (events.length && !stats.stopped) {
      const sampled = r.truncated ? events.length : undefined;
      stats.sampled = sampled ?? null;
      const known = new Set(stats.fields.map((f) => f.field));
      nested = nestedPaths(events).filter((f) => !known.has(f.field)).map((f) => ({ ...f, kind: 'nested' as const, ...(sampled ? { sampled } : {}) }));
      stats.fields.push(...nested);
    }
    // Estimated over a sample: now every row. (A search that changes rows, dedup or head, was
    // counted whole at once: a sample of its input is not a sample of its output.)
    if (estimated !== undefined) await step('counting the add-on fields exactly', async () => void (await addonPass()));
  }
  stats.stage = '';
  return stats;
}

const NESTED = new Set(JSON_COLUMNS.map((c) => c.name));

/** Every leaf path inside the nested objects of events (held rows with `_raw`), counted once per event. */
export function nestedPaths(rows: Row[]): FieldSummary[] {
  const paths = new Map<string, { present: number; values: Map<string, number> }>();
  for (const row of rows) {
    if (typeof row._raw !== 'string') continue;
    let event: unknown;
    try {
      event = JSON.parse(row._raw);
    } catch {
      continue;
    }
    if (!event || typeof event !== 'object') continue;
    const seen = new Map<string, Set<string>>();
    const walk = (v: unknown, path: string, depth: number): void => {
      // Deeper than any CloudTrail object: an event built to exhaust the stack is not walked.
      if (v === null || v === undefined || depth > MAX_DEPTH) return;
      if (Array.isArray(v)) return v.forEach((x) => walk(x, `${path}{}`, depth + 1));
      if (typeof v === 'object') {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, `${path}.${k}`, depth + 1);
        return;
      }
      let values = seen.get(path);
      if (!values) seen.set(path, (values = new Set()));
      values.add(String(v));
    };
    for (const [k, v] of Object.entries(event as Record<string, unknown>)) if (NESTED.has(k)) walk(v, k, 1);
    for (const [path, values] of seen) {
      let p = paths.get(path);
      if (!p) paths.set(path, (p = { present: 0, values: new Map() }));
      p.present++;
      for (const value of values) p.values.set(value, (p.values.get(value) ?? 0) + 1);
    }
  }
  return [...paths].map(([field, p]) => ({
    field,
    present: p.present,
    distinct: p.values.size,
    top: [...p.values].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).slice(0, 10),
  }));
}

/**
 * The counts as lines, for a script and for `:fields FIELD` (that field and its top values);
 * null when FIELD is not among them.
 */
export function describeStats(stats: FieldStats, width: number, only?: string): string[] | null {
  const n = (x: number) => x.toLocaleString('en-US');
  const rows = stats.rows ?? 0;
  const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');
  const fields = [...stats.fields].filter((f) => f.present > 0 && (!only || f.field === only)).sort((a, b) => b.present - a.present || (a.field < b.field ? -1 : 1));
  if (only && fields.length === 0) return null;
  const head = `fields of ${stats.search.replace(/\s+/g, ' ')}: ${n(rows)} result${rows === 1 ? '' : 's'}${stats.addonSampled ? `; add-on fields (~) from a sample of ${n(stats.addonSampled)}` : ''}${stats.sampled ? `; nested paths (~) from a sample of ${n(stats.sampled)}` : ''}${stats.stopped ? `; stopped: ${stats.stopped}` : ''}`;
  const out = [head];
  const nameWidth = Math.min(44, Math.max(5, ...fields.map((f) => f.field.length)));
  for (const f of fields) {
    const whole = f.sampled ?? rows;
    const distinct = `${f.sampled ? '>=' : f.estimated ? '~' : ''}${n(f.distinct)}`;
    const tops = f.top.slice(0, only ? 10 : 3).map((t) => `${visible(t.value)} (${f.sampled ? '~' : ''}${n(f.sampled ? Math.round((t.count / whole) * rows) : t.count)})`);
    if (only) {
      out.push(`${f.field}: ${f.sampled ? '~' : ''}${pct(f.present, whole)} of results, ${distinct} distinct values`);
      out.push(...tops.map((t) => `  ${t}`));
      continue;
    }
    const line = `${f.field.padEnd(nameWidth)}  ${(f.sampled ? '~' : '') + pct(f.present, whole).padStart(6)}  ${distinct.padStart(10)}  ${tops.join(', ')}`;
    out.push(line.length > width ? line.slice(0, width - 1) + '…' : line);
  }
  return out;
}
