// The time range a search reads. Splunk's rule (Search Reference 9.4, "Time modifiers",
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/time-format-variables-and-modifiers/time-modifiers;
// Search Manual, "Specify time modifiers in your search"): a time modifier written in the search
// overrides the Time Range Picker (here --earliest/--latest, the REPL's :time) and the picker's
// time is ignored; without latest=, latest is now. The picker's range still applies to a
// subsearch with no modifiers of its own; the base search's modifiers do not reach subsearches.
// Only earliest=/latest= ANDed at the top of a pipeline's first search count: one under OR or
// NOT, or in a later `| search`, filters within the range like any other condition.
import type { Arg, Pipeline, SearchExpr } from '../../grammar/ast.js';
import { resolveTime } from './time.js';

export interface TimeRange {
  earliest?: number;
  latest?: number;
}

/**
 * The conditions ANDed at the top of a pipeline's first search (or of the where clause of the
 * tstats that starts it): every event it reads meets each.
 */
export function firstConjuncts(p: Pipeline): SearchExpr[] {
  const first = p.commands[0];
  const expr = first?.kind === 'search' ? first.expr : first?.kind === 'generic' && first.name === 'tstats' ? tstatsWhere(first.args) : null;
  return expr ? conjuncts(expr) : [];
}

/** tstats reads its first clause as its condition. */
function tstatsWhere(args: Arg[]): SearchExpr | null {
  const clause = args.find((a) => a.kind === 'clause');
  return clause?.kind === 'clause' ? clause.expr : null;
}

export const conjuncts = (e: SearchExpr): SearchExpr[] => (e.kind === 'and' ? e.items.flatMap(conjuncts) : [e]);

type Modifier = Extract<SearchExpr, { kind: 'compare' }> & { field: 'earliest' | 'latest' };

/** The conjuncts that set the range, with their times; one whose time cannot be read is the compiler's error to report, at its span. */
export function rangeModifiers(items: SearchExpr[], now: number): { term: Modifier; time: number }[] {
  return items.flatMap((c) => {
    if (c.kind !== 'compare' || c.op !== '=' || (c.field !== 'earliest' && c.field !== 'latest')) return [];
    const time = resolveTime(c.value.value, now);
    return time === null ? [] : [{ term: c as Modifier, time }];
  });
}

/** The earliest=/latest= of a pipeline's first search, or undefined when it has none. */
function inlineRange(p: Pipeline, now: number): { earliest?: number; latest?: number } | undefined {
  const modifiers = rangeModifiers(firstConjuncts(p), now);
  if (!modifiers.length) return undefined;
  let earliest: number | undefined;
  let latest: number | undefined;
  for (const { term: c, time: t } of modifiers) {
    // Two of a kind: every event must meet both, so the later earliest and the earlier latest.
    if (c.field === 'earliest') earliest = earliest === undefined ? t : Math.max(earliest, t);
    else latest = latest === undefined ? t : Math.min(latest, t);
  }
  return { earliest, latest };
}

/**
 * The picker's range (--earliest/--latest, :time) and `within`: a range the main search's events
 * are narrowed to inside whichever range it reads, its own or the picker's (the REPL's timeline
 * zoom, the sidebar's first rows). A subsearch is not narrowed by it.
 */
export interface Picker extends TimeRange {
  within?: TimeRange;
}

/**
 * The range a pipeline's events are read over: its own modifiers when it has any (no earliest=
 * is all time, no latest= is now), else the picker's range; narrowed to `within`. earliest=0
 * alone is all time, both ends, as spelunk has always read it (tstats' where clause too).
 */
export function effectiveRange(p: Pipeline, now: number, picker: Picker): TimeRange & { inline: boolean; upToNow?: number } {
  const inline = inlineRange(p, now);
  const within = picker.within ?? {};
  // The picker's range without a latest runs up to now too (--earliest -1d, :time -1d).
  if (!inline) return { ...narrow({ earliest: picker.earliest, latest: picker.latest ?? (picker.earliest !== undefined ? now : undefined) }, within), inline: false };
  const earliest = inline.earliest !== undefined && inline.earliest > 0 ? inline.earliest : undefined;
  const upToNow = inline.latest === undefined && earliest !== undefined ? now : undefined;
  return { ...narrow({ earliest, latest: inline.latest ?? upToNow }, within), inline: true, ...(upToNow !== undefined ? { upToNow } : {}) };
}

/** The part of `r` within `w`. */
export function narrow(r: TimeRange, w: TimeRange): TimeRange {
  const pick = (a: number | undefined, b: number | undefined, f: (x: number, y: number) => number) => (a === undefined ? b : b === undefined ? a : f(a, b));
  return defined({ earliest: pick(r.earliest, w.earliest, Math.max), latest: pick(r.latest, w.latest, Math.min) });
}

/** Every time the search reads, its subsearches' ranges with its own: what the files read must hold. */
export function readRange(p: Pipeline, now: number, picker: Picker): TimeRange {
  const ranges: TimeRange[] = [];
  const outer: Picker = { earliest: picker.earliest, latest: picker.latest };
  const visit = (q: Pipeline): void => {
    ranges.push(effectiveRange(q, now, q === p ? picker : outer));
    for (const c of q.commands) {
      if (c.kind === 'search') searchPipelines(c.expr, visit);
      else if (c.kind === 'generic') argPipelines(c.args, visit);
    }
  };
  visit(p);
  const earliest = ranges.some((r) => r.earliest === undefined) ? undefined : Math.min(...ranges.map((r) => r.earliest!));
  const latest = ranges.some((r) => r.latest === undefined) ? undefined : Math.max(...ranges.map((r) => r.latest!));
  return defined({ earliest, latest });
}

function argPipelines(args: Arg[], visit: (p: Pipeline) => void): void {
  for (const a of args) {
    if (a.kind === 'subsearch') visit(a.pipeline);
    else if (a.kind === 'clause') searchPipelines(a.expr, visit);
  }
}

function searchPipelines(e: SearchExpr | null, visit: (p: Pipeline) => void): void {
  if (!e) return;
  if (e.kind === 'and' || e.kind === 'or') e.items.forEach((i) => searchPipelines(i, visit));
  else if (e.kind === 'not') searchPipelines(e.item, visit);
  else if (e.kind === 'subsearch') visit(e.pipeline);
}

function defined(r: TimeRange): TimeRange {
  return { ...(r.earliest !== undefined ? { earliest: r.earliest } : {}), ...(r.latest !== undefined ? { latest: r.latest } : {}) };
}
