// Pivoting commands: timechart and chart. Both aggregate by a row key (a `_time` bucket, or the
// `over` field) and optionally a split field whose values become columns. Those columns depend on
// the data, so the compiler asks for them (`Builder.ask`) and, until the engine has answered,
// leaves a placeholder in the SQL (pivot.ts). Aggregations come from the stats table (stats.ts).
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import type { Builder } from '../builder.js';
import { toNumber } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import type { Expr } from '../ir/expr.js';
import { parseSpan } from '../time.js';
import type { Relation } from '../types.js';
import { generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { autoTimeSpan, discoverRange } from './bins.js';
import { parseAggregations, type Aggregation } from './stats.js';
import { namingOptions, pivot } from './pivot.js';
import { alignOffset, binsOption, bucket, minspanOption, noteUnalignable, rangeBuckets, type TimeSpan } from './time-buckets.js';

const PIVOT_OPTIONS: Options = {
  span: 'text',
  limit: 'text',
  useother: 'bool',
  usenull: 'bool',
  otherstr: 'text',
  nullstr: 'text',
  agg: { unsupported: 'write the aggregation itself: chart avg(x) by y' },
  format: 'text',
  sep: 'text',
};

const CHART_OPTIONS: Options = {
  ...PIVOT_OPTIONS,
  bins: { unsupported: 'chart does not bin its over-field: bin it first (| bin x bins=10 | chart count over x)' },
  minspan: { unsupported: 'chart does not bin its over-field: bin it first (| bin x minspan=10 | chart count over x)' },
  aligntime: { unsupported: 'chart does not bin its over-field: bin _time first (| bin _time span=1h aligntime=@d | chart count over _time)' },
  span: { unsupported: 'bin the over-field first: | bin _time span=1h | chart count over _time by user' },
  cont: { unsupported: 'chart has no time buckets to fill' },
};

const TIMECHART_OPTIONS: Options = {
  ...PIVOT_OPTIONS,
  cont: 'bool',
  bins: 'int',
  minspan: 'text',
  aligntime: 'text',
  // Splunk's default is partial=t (keep the partial first and last buckets), which is what runs.
  partial: 'bool',
  fixedrange: 'bool',
};

function limitOption(args: Args, b: Builder): { limit: number; bottom: boolean } {
  const o = args.options.get('limit');
  if (!o) return { limit: 10, bottom: false };
  const m = /^(top|bottom)?(\d+)$/i.exec(o.value);
  if (!m) throw b.err('bad-argument', `limit= must be a number of series (or topN / bottomN), not ${JSON.stringify(o.value)}`, o.span);
  return { limit: Number(m[2]), bottom: m[1]?.toLowerCase() === 'bottom' };
}

function pivotOptions(args: Args, b: Builder) {
  return {
    ...limitOption(args, b),
    naming: namingOptions(args),
    useOther: args.bool('useother', true),
    useNull: args.bool('usenull', true),
    otherStr: args.option('otherstr') ?? 'OTHER',
    nullStr: args.option('nullstr') ?? 'NULL',
  };
}

function fieldWord(a: Arg | undefined, b: Builder, what: string, at: Span): string {
  if (!a) throw b.err('bad-argument', `expected a field after "${what}"`, at);
  if (a.kind !== 'word') throw b.err('bad-argument', `expected a field after "${what}", found ${describe(a)}`, a.span);
  return a.value;
}

/** Split items at the first of the keywords present (case-insensitive, unquoted). */
function keywordAt(items: Arg[], keyword: string): number {
  return items.findIndex((a) => a.kind === 'word' && !a.quoted && a.value.toLowerCase() === keyword);
}

function aggregationsOf(items: Arg[], cmd: Command, b: Builder): Aggregation[] {
  const aggs = parseAggregations(items, b);
  if (aggs.length === 0) throw b.err('bad-argument', `${cmd.name} needs at least one function, such as count`, cmd.span);
  return aggs;
}

const timechart: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, TIMECHART_OPTIONS);
  if (!args.bool('partial', true)) throw b.err('bad-argument', 'timechart partial=f is not supported: every bucket is kept, partial or not', args.options.get('partial')!.span);
  const byAt = keywordAt(args.items, 'by');
  const aggs = aggregationsOf(byAt < 0 ? args.items : args.items.slice(0, byAt), cmd, b);
  let split: string | null = null;
  if (byAt >= 0) {
    const rest = args.items.slice(byAt + 1);
    split = fieldWord(rest[0], b, 'by', args.items[byAt]!.span);
    if (rest.length > 1) throw b.err('bad-argument', `timechart splits by one field; found ${describe(rest[1]!)}`, rest[1]!.span);
  }
  const time = fieldRef('_time', { rel, b });
  const { span, note } = timechartSpan(args, rel, toNumber(time), b);
  const offset = alignOffset(args, b);
  noteUnalignable(args, b, span, 'timechart');
  const row = { name: '_time', c: bucket(toNumber(time), span, b.vars, offset), order: 'time' as const, ...(note ? { note } : {}) };
  // cont=t fills the empty buckets; fixedrange=t (the default) over the whole search time range.
  const fixed = args.bool('fixedrange', true) ? rangeBuckets(b.range, span, offset) : {};
  return pivot(rel, b, {
    row,
    split: split === null ? null : { name: split, c: fieldRef(split, { rel, b }) },
    aggs,
    ...pivotOptions(args, b),
    fill: args.bool('cont', true) ? { span, ...fixed } : undefined,
  });
};

/**
 * span=w@w1: timechart's snap-to span, which Splunk allows for weeks only (Search Reference 10.0,
 * timechart: "You can only use week spans with the snap-to span argument"; its example
 * `timechart span=w@w1 count BY mag` has "spans of 1 week, where the week begins on Monday").
 * Weeks start at 00:00 UTC on the weekday snapped to (@w and @w0 Sunday, @w1 Monday ... @w7
 * Sunday, as earliest= snaps), counted from that weekday's first midnight after epoch 0 (a Thursday).
 * Null for a span without "@"; 'bad' for a snap-to span of anything but one week.
 */
function weekSnap(text: string): TimeSpan | null | 'bad' {
  if (!text.includes('@')) return null;
  const m = /^\+?(1?)(w|week|weeks)@(?:w([0-7])?|week)$/i.exec(text.trim());
  if (!m) return 'bad';
  const weekday = Number(m[3] ?? 0) % 7;
  return { seconds: 7 * 86400, origin: ((weekday - 4 + 7) % 7) * 86400 };
}

/**
 * timechart's span: span= when given (bins= is then ignored, as Splunk documents); otherwise the
 * smallest of Splunk's spans giving at most bins= (default 100) buckets over the search's time
 * range, or the data's when the search has none, and at least minspan=.
 */
function timechartSpan(args: Args, rel: Relation, time: Expr, b: Builder): { span: TimeSpan; note?: string } {
  const spanOpt = args.options.get('span');
  if (spanOpt) {
    const week = weekSnap(spanOpt.value);
    if (week === 'bad') throw b.err('bad-argument', `cannot read span=${spanOpt.value}: a span with a snap-to is one week from a weekday (span=w@w1: weeks from Monday), as Splunk's timechart allows`, spanOpt.span);
    if (week) return { span: week };
    const parsed = parseSpan(spanOpt.value);
    if (!parsed) throw b.err('bad-argument', `cannot read span=${spanOpt.value}`, spanOpt.span, ['examples: span=1h, span=30m, span=1d, span=1mon']);
    return { span: parsed.months ? { months: parsed.months } : { seconds: parsed.seconds! } };
  }
  const bins = binsOption(args, b);
  const minspan = minspanOption(args, b);
  if (b.range.earliest !== undefined && b.range.latest !== undefined) return { span: autoTimeSpan(b.range.earliest, b.range.latest, bins, minspan) };
  const range = discoverRange(rel, time, b, 'the time range of the events (for the span)');
  if (range) return { span: autoTimeSpan(range[0], range[1], bins, minspan) };
  if (range === null) return { span: autoTimeSpan(0, 3600 * bins, bins, minspan) };
  return { span: autoTimeSpan(0, 3600 * bins, bins, minspan), note: 'the span is picked from the data\'s time range when the search runs; a placeholder is shown' };
}

const chart: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, CHART_OPTIONS);
  const ends = [keywordAt(args.items, 'over'), keywordAt(args.items, 'by')].filter((i) => i >= 0);
  const first = ends.length ? Math.min(...ends) : args.items.length;
  const aggs = aggregationsOf(args.items.slice(0, first), cmd, b);
  let over: string | null = null;
  const by: { name: string; span: Span }[] = [];
  let mode: 'over' | 'by' = 'by';
  for (let i = first; i < args.items.length; i++) {
    const a = args.items[i]!;
    if (a.kind === 'word' && !a.quoted && /^(over|by)$/i.test(a.value)) {
      mode = a.value.toLowerCase() as 'over' | 'by';
      if (mode === 'over') {
        if (over !== null) throw b.err('bad-argument', 'chart takes one over-field', a.span);
        over = fieldWord(args.items[++i], b, 'over', a.span);
      } else if (!args.items[i + 1]) {
        fieldWord(undefined, b, 'by', a.span);
      }
      continue;
    }
    if (mode === 'over') throw b.err('bad-argument', `unexpected ${describe(a)} after the over-field (split with "by <field>")`, a.span);
    by.push({ name: fieldWord(a, b, 'by', a.span), span: a.span });
  }
  // `chart count by a, b` means over a by b.
  if (over === null && by.length > 0) over = by.shift()!.name;
  if (by.length > 1) throw b.err('bad-argument', 'chart splits by one field (over <row field> by <column field>)', by[1]!.span);
  const split = by[0]?.name ?? null;
  return pivot(rel, b, {
    row: over === null ? null : { name: over, c: fieldRef(over, { rel, b }), order: 'stats' },
    split: split === null ? null : { name: split, c: fieldRef(split, { rel, b }) },
    aggs,
    ...pivotOptions(args, b),
  });
};

export const CHARTS: CommandSpec[] = [
  {
    name: 'chart',
    options: CHART_OPTIONS,
    keywords: ['over', 'by', 'as'],
    transforming: true,
    aggregations: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'One row per `over` value, one column per `by` value (see below)', example: '* | chart count over userIdentity.type by action' },
    build: chart,
  },
  {
    name: 'timechart',
    options: TIMECHART_OPTIONS,
    keywords: ['by', 'as'],
    transforming: true,
    aggregations: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'One row per time bucket, one column per aggregation or `by` value (see below)', example: '* | timechart span=1d count by eventName limit=5' },
    build: timechart,
  },
];
