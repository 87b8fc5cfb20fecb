// What the field sidebar lists for the last search, asked of the engine in a few passes (never one
// query per field): the event's own fields and the userIdentity paths, the add-on's fields and
// those the pipeline made, and the paths inside the nested objects (read from the rows held).
//
// When the search returns more rows than the REPL holds, the first screen counts every field over
// the rows it holds (the first ones, newest first as Splunk lists events), marked `~` with the
// number it counted over; then the event fields and the add-on fields are counted over every row,
// each replacing its first-rows figures when done; Ctrl-C keeps what is there. Over a million
// events the first rows take about 1.3 CPU-s (the newest-rows bound reads the newest files only),
// every row about 10 more, 6-8 of them the add-on's fields (the fields passing ARNs and session
// names through, computed row by row, the delete event type's scan of `_raw` on the first sidebar
// after a load, their rules' inputs), even counted over the combinations of what they read with
// the rules folded for the rows, in one GROUPING SETS aggregate (the engine's sidebar-summary.ts):
// 10.1-11.3 CPU-s in all for `*` (5.4 s wall quiet, 5.5-17 s at load 3-4, 2026-12-07), of which the
// add-on fields passing ARNs and names through 4.8 (computing their values 3.0 of it, grouping them
// 0.5), the other add-on fields 2.2, the four identifier-like event paths (principalId, arn,
// accessKeyId, the issuer's principalId) 1.1, the other event fields 0.3. So the REPL counts a
// sidebar ahead (sidebar-job.ts): fieldStats itself, on a DuckDB connection of its own, started
// once an event search's rows are shown; `:fields` joins it, and the next search stops it (within
// 0.07 s). Asked 5 s after the rows were shown, `AccessDenied` and `eventName=AssumeRole` were
// done or 0.4-1.7 s from done, `*` 1.2-5.5 s at load 3 (the job needs as many CPU-s as the
// sidebar alone, and got one core of the two there or nearly both); asked at once, as before. Counts over every row are
// remembered with the cache when the loaded events alone decide them (engine-sidebar.ts): a later
// sidebar of the same search over the same files, in this session or another, shows them exact at
// once, with no first-rows pass (0.2-0.5 s at 1M). And the sidebar over every loaded event, the one
// opened most, is counted in the REPL's idle time after a load (idle-summary.ts, session-sidebar.ts:
// 11-12 CPU-s at 1M, its add-on pass in parts of 13 fields so that a typed command, which stops
// it at once, loses one part): on a quiet machine `*` typed 10-20 s after the load was exact at
// once (0.13-0.23 s), 5 s after 1.4-2.8 s from the key press, at once as without it (6.1-6.5 s);
// at load 8-10 (half a core for it) it took 30 s. A `*` sidebar asked meanwhile takes its passes
// from it. A random sample was tried first and still read every
// row's columns before sampling it (8 CPU-s; test/bench/README.md). Splunk's own fieldsummary
// likewise says when a figure is not exact (its `is_exact`).
import { parse } from '../../grammar/parser.js';
import { addonDefinition, addonFieldNames } from '../compiler/addon-fields.js';
import { commandSpec } from '../compiler/commands/registry.js';
import { JSON_COLUMNS, PROMOTED_PATHS, SCALAR_COLUMNS } from '../compiler/cloudtrail-schema.js';
import { narrow } from '../compiler/search-range.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import type { FieldSummary } from '../engine/field-summary.js';
import type { Row } from '../engine/types.js';
import { resultFieldStats } from './data-profile.js';
import { visible } from './display.js';
import { MAX_DEPTH } from './event-view.js';
import { parseEventJson } from './event-json.js';
import type { HeldResult } from './outcome.js';

/** CloudTrail fields with a value of their own on (almost) every event: counted, not tabled. */
const IDENTIFIERS = ['eventID', 'requestID', 'eventTime', 'sharedEventID'];

export interface FieldEntry extends FieldSummary {
  /** Counted over the first this many results only, not all of them: marked `~` (FieldStats.first). */
  firstRows?: number;
  kind: 'event' | 'addon' | 'made' | 'nested';
}

export interface FieldStats {
  search: string;
  /** Rows the search returned (null until counted: a first-rows pass knows only its own). */
  rows: number | null;
  fields: FieldEntry[];
  /** Some figures are over the first this many results only (the rows held), not all. */
  first: number | null;
  /** What is being counted now ('' when done). */
  stage: string;
  /** Why counting stopped early (cancelled, an error). */
  stopped?: string;
  /** Counted ahead, on the connection of the sidebar's job (sidebar-job.ts): its progress is that connection's. */
  ahead?: boolean;
}

/** What fieldStats asks of the engine: the engine itself, or the sidebar's job (sidebar-job.ts). */
export type FieldCounter = Pick<Engine, 'summarizeFields' | 'rememberedFields' | 'scansRaw'>;

const EVENT_FIELDS = [...SCALAR_COLUMNS.map((c) => c.name), 'source', 'sourcetype', 'index', ...PROMOTED_PATHS];
const EVENT_SET = new Set([...EVENT_FIELDS, '_time', '_raw', ...JSON_COLUMNS.map((c) => c.name)]);

/** An add-on alias is its source field under another name: its counts are the source's. */
function aliasSource(name: string): string | undefined {
  const def = addonDefinition(name)?.field;
  return def?.kind === 'alias' && def.expr && /^'?[\w.{}@-]+'?$/.test(def.expr) ? def.expr.replace(/^'|'$/g, '') : undefined;
}

/** Rows a first pass counts over when the result holds none (`:fields data`). */
const FIRST_ROWS = 10_000;

export interface StatsHooks {
  onUpdate: (stats: FieldStats) => void;
  /** Count the first this many results first when there are more (default: the rows held, else FIRST_ROWS). */
  firstRows?: number;
}

/**
 * The time of the last row held, when the first rows held are the newest events the search gave
 * (in order, newest first) and its later commands keep each row as it is (eval, rex, fields ...;
 * accum and delta read only the rows before, newer ones): then every row up to it is at least that
 * recent, and a search over [that time, the search's own end) gives the same first rows, reading
 * only the newest files, without the compiler's pass over every event to find the bound itself. A
 * subsearch or a macro (whose text may hide one) would see the narrower range too: none then.
 */
export function firstRowsSince(r: HeldResult): number | undefined {
  if (!r.truncated || r.rows.length === 0 || /[[`]/.test(r.search)) return undefined;
  let commands: { kind: string; name: string }[] | undefined;
  try {
    commands = parse(r.search).pipeline?.commands;
  } catch {
    return undefined;
  }
  if (!commands?.length || commands[0]!.kind !== 'search' || !commands.slice(1).every((c) => commandSpec(c.name)?.rowPreserving)) return undefined;
  let last = Infinity;
  for (const row of r.rows) {
    const t = row._time;
    if (typeof t !== 'number' || !Number.isFinite(t) || t > last) return undefined;
    last = t;
  }
  return last;
}

/** The fields of an event search's sidebar by class: those its pipeline made, the add-on's (aliases included), the add-on's computed ones. */
function fieldClasses(columns: string[]): { made: string[]; addon: string[]; calculated: string[]; eventNames: string[] } {
  const made = columns.filter((c) => !EVENT_SET.has(c) && !c.startsWith('__') && !addonDefinition(c));
  // Names the default add-on profile gives a value (the REPORT that EVAL-user replaces gives none).
  const addon = addonFieldNames().filter((name) => addonDefinition(name)?.field.expr);
  const calculated = addon.filter((name) => !aliasSource(name));
  // An add-on eval that replaces an event field (errorCode) is what searches see: only it is counted.
  const eventNames = EVENT_FIELDS.filter((f) => !IDENTIFIERS.includes(f) && !calculated.includes(f));
  return { made, addon, calculated, eventNames };
}

export type SidebarPass = [fields: string[], identifiers: string[]];

/**
 * What each of an event search's sidebar passes counts, [fields, identifiers], from the columns
 * of its result: the event fields (and those its pipeline made), then the add-on fields in one
 * query (over the first rows as over every row: in batches of 13 the first 10,000 of 1M events
 * cost about the same once the sidebar counted every field in one GROUPING SETS aggregate, and a
 * search scanning `_raw` itself ran that scan once per batch); or both at once (`together`: the
 * search scans `_raw` itself).
 */
export function sidebarPasses(columns: string[], together: boolean): SidebarPass[] {
  const { made, calculated, eventNames } = fieldClasses(columns);
  const eventFields = [...eventNames, ...made];
  return together ? [[[...eventFields, ...calculated], IDENTIFIERS]] : [[eventFields, IDENTIFIERS], [calculated, []]];
}

/**
 * Field statistics of a held result. Events: the engine counts the rows the search returns.
 * Another table (stats, top ...): its own columns, counted here when every row is held.
 */
export async function fieldStats(engine: FieldCounter, r: HeldResult, opts: RunOptions, hooks: StatsHooks): Promise<FieldStats> {
  const stats: FieldStats = { search: r.search, rows: null, fields: [], first: null, stage: 'counting the fields' };
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
    stats.stage = '';
    return stats;
  }
  const { made, addon, calculated } = fieldClasses(r.columns);
  const kindOf = (field: string): FieldEntry['kind'] => (made.includes(field) ? 'made' : calculated.includes(field) ? 'addon' : 'event');
  /** Counted fields in place of the ones of the same names, the add-on aliases made again from their sources. */
  const merge = (counted: FieldEntry[]) => {
    const replaced = new Set(counted.map((f) => f.field));
    const fields = [...stats.fields.filter((f) => !replaced.has(f.field) && !(f.kind === 'addon' && aliasSource(f.field))), ...counted];
    for (const name of addon) {
      const source = aliasSource(name);
      const from = source && fields.find((f) => f.field === source);
      if (from) fields.push({ ...from, field: name, kind: 'addon' });
    }
    stats.fields = fields;
  };
  const pass = async (names: string[], ids: string[], first?: number) => {
    const since = first === undefined ? undefined : firstRowsSince(r);
    // Narrowed inside the range the search reads, its own earliest= included (a picker's earliest was set aside by it).
    const window = since === undefined ? {} : { within: narrow(run.within ?? {}, { earliest: since }) };
    const counted = await engine.summarizeFields(r.search, { ...run, ...window, first }, names, ids);
    merge(counted.fields.map((f) => ({ ...f, kind: kindOf(f.field), ...(first === undefined ? {} : { firstRows: counted.rows }) })));
    return counted.rows;
  };
  const nested = async () => {
    // The nested objects are read from the events the result holds (their `_raw`): every
    // matching event when the result was not capped, else the first ones, and said so. DuckDB's
    // json_tree over a million events took seconds; JSON.parse over 10,000 takes 150-230 ms, in
    // slices so that keys typed meanwhile are not held (the REPL counts ahead while the analyst types).
    const events = r.columns.includes('_raw') ? r.rows : [];
    if (!events.length || stats.stopped) return;
    const over = r.truncated ? events.length : undefined;
    const paths = new NestedPaths();
    for (let i = 0; i < events.length; i += NESTED_SLICE) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      paths.add(events.slice(i, i + NESTED_SLICE));
    }
    const known = new Set(stats.fields.map((f) => f.field));
    stats.fields.push(...paths.summaries().filter((f) => !known.has(f.field)).map((f) => ({ ...f, kind: 'nested' as const, ...(over ? { firstRows: over } : {}) })));
    // Aliases of nested paths (temp_access_key) have their sources now.
    merge([]);
    if (over) stats.first = over;
  };
  const first = r.truncated ? Math.max(1, hooks.firstRows ?? (r.rows.length || FIRST_ROWS)) : undefined;
  // A search scanning `_raw` itself (a bare term) pays that scan in every pass: its event and
  // add-on fields are counted in one pass each time, not two (1M `AccessDenied`: first screen
  // 2.4-2.6 s in two passes, whole sidebar 6.4-7.0 s in four).
  const together = await engine.scansRaw(r.search, run).catch(() => false);
  const setRows = (n: number) => void (stats.stopped || (stats.rows = n));
  const passFields = sidebarPasses(r.columns, together);
  /** The passes over the first rows or every row; `between` hears the first pass's row count. */
  const fieldPasses = async (label: string, addonLabel: string, first: number | undefined, between?: (counted: number) => void | Promise<void>): Promise<number> => {
    let counted = 0;
    const [[names, ids], addon] = passFields as [[string[], string[]], [string[], string[]] | undefined];
    await step(label, async () => void (counted = await pass(names, ids, first)));
    await between?.(counted);
    if (addon) await step(addonLabel, async () => void (await pass(addon[0], addon[1], first)));
    return counted;
  };
  /**
   * Counts over every row that the engine remembers with the cache (the same search over the
   * same loaded events, in this session or an earlier one: engine-sidebar.ts), shown at once and
   * exact, with no first-rows pass; false, with nothing shown, unless every pass's are.
   */
  const rememberedPasses = async (): Promise<boolean> => {
    const found = [];
    for (const [names, ids] of passFields) {
      const known = await engine.rememberedFields(r.search, run, names, ids).catch(() => undefined);
      if (!known) return false;
      found.push(known);
    }
    for (const known of found) merge(known.fields.map((f) => ({ ...f, kind: kindOf(f.field) })));
    stats.rows = found[0]!.rows;
    return true;
  };
  if (first !== undefined && (await rememberedPasses())) {
    await nested();
  } else if (first !== undefined) {
    // The event fields first (a fraction of the add-on's cost, most of it the add-on SQL's size).
    const label = `counting the first ${first.toLocaleString('en-US')} results`;
    const counted = await fieldPasses(label, `${label}: the add-on fields`, first, (n) => {
      if (!stats.stopped) stats.first = n;
      return nested();
    });
    if (counted < first && !stats.stopped) {
      // They were all the results: the figures are exact.
      stats.rows = counted;
      stats.first = null;
      stats.fields = stats.fields.map(({ firstRows: _, ...f }) => f);
      stats.stage = '';
      return stats;
    }
    await fieldPasses(together ? 'counting every result' : 'counting every result: the event fields', 'counting every result: the add-on fields', undefined, setRows);
  } else {
    await fieldPasses(together ? 'counting the fields' : 'counting the event fields', 'counting the add-on fields', undefined, setRows);
    await nested();
  }
  if (stats.first !== null && !stats.fields.some((f) => f.firstRows !== undefined)) stats.first = null;
  stats.stage = '';
  return stats;
}

const NESTED = new Set(JSON_COLUMNS.map((c) => c.name));
/** Events read between two turns of the event loop: about 20 ms of JSON.parse. */
const NESTED_SLICE = 1000;

/** Every leaf path inside the nested objects of events (held rows with `_raw`), counted once per event. */
export function nestedPaths(rows: Row[]): FieldSummary[] {
  const paths = new NestedPaths();
  paths.add(rows);
  return paths.summaries();
}

/** nestedPaths over events added a slice at a time. */
class NestedPaths {
  private readonly paths = new Map<string, { present: number; values: Map<string, number> }>();

  add(rows: Row[]): void {
    const paths = this.paths;
    for (const row of rows) {
      if (typeof row._raw !== 'string') continue;
      let event: unknown;
      try {
        event = parseEventJson(row._raw);
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
  }

  summaries(): FieldSummary[] {
    return [...this.paths].map(([field, p]) => ({
      field,
      present: p.present,
      distinct: p.values.size,
      top: [...p.values].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).slice(0, 10),
    }));
  }
}

const num = (x: number) => x.toLocaleString('en-US');

/** How many results, as far as counted: a first-rows pass knows only that there are at least that many. */
export function resultsLabel(stats: FieldStats): string {
  if (stats.rows !== null) return `${num(stats.rows)} result${stats.rows === 1 ? '' : 's'}`;
  return stats.first !== null ? `more than ${num(stats.first)} results` : 'counting…';
}

/** What `~` means, when some figures are over the first rows only. */
export function firstRowsNote(stats: FieldStats): string {
  return stats.first === null ? '' : `~ over the first ${num(stats.first)} results only (newest first), not all`;
}

/**
 * The counts as lines, for a script and for `:fields FIELD` (that field and its top values);
 * null when FIELD is not among them. Figures over the first rows only carry `~` (a share of
 * them, a distinct count that all rows can only raise, `>=`); their values' counts are theirs.
 */
export function describeStats(stats: FieldStats, width: number, only?: string): string[] | null {
  const rows = stats.rows ?? 0;
  const pct = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-');
  const fields = [...stats.fields].filter((f) => f.present > 0 && (!only || f.field === only)).sort((a, b) => b.present - a.present || (a.field < b.field ? -1 : 1));
  if (only && fields.length === 0) return null;
  const note = firstRowsNote(stats);
  const head = `fields of ${stats.search.replace(/\s+/g, ' ')}: ${resultsLabel(stats)}${note ? `; ${note}` : ''}${stats.stopped ? `; stopped: ${stats.stopped}` : ''}`;
  const out = [head];
  const nameWidth = Math.min(44, Math.max(5, ...fields.map((f) => f.field.length)));
  for (const f of fields) {
    const whole = f.firstRows ?? rows;
    const mark = f.firstRows ? '~' : '';
    const distinct = `${f.firstRows ? '>=' : f.estimated ? '~' : ''}${num(f.distinct)}`;
    const tops = f.top.slice(0, only ? 10 : 3).map((t) => `${visible(t.value)} (${num(t.count)}${f.firstRows ? ` of the first ${num(f.firstRows)}` : ''})`);
    if (only) {
      out.push(`${f.field}: ${mark}${pct(f.present, whole)} of ${f.firstRows ? `the first ${num(f.firstRows)} results` : 'results'}, ${distinct} distinct values`);
      out.push(...tops.map((t) => `  ${t}`));
      continue;
    }
    const line = `${f.field.padEnd(nameWidth)}  ${(mark + pct(f.present, whole)).padStart(7)}  ${distinct.padStart(10)}  ${tops.join(', ')}`;
    out.push(line.length > width ? line.slice(0, width - 1) + '…' : line);
  }
  return out;
}
