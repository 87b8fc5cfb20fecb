// Pivoting commands: timechart and chart. Both aggregate by a row key (a `_time` bucket, or the
// `over` field) and optionally a split field whose values become columns. Those columns depend on
// the data, so the compiler asks for them (`Builder.discover`) and, until the engine has answered,
// leaves a placeholder in the SQL. Aggregations come from the stats table (stats.ts).
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import { made, withFields, type Builder, type StepBody } from '../builder.js';
import { all, fieldType, toNumber, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, caseOf, column, int, lit, nullOf, sideColumn, type Expr, type SortKey, type Vars } from '../ir/expr.js';
import type { Column } from '../ir/plan.js';
import { parseSpan } from '../time.js';
import type { Compiled, DiscoveredValue, FieldInfo, Relation } from '../types.js';
import { generic, rowNumber, sortTerms } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { autoTimeSpan, DEFAULT_BINS, discoverRange, floorTo, parseAligntime, parseMinspan, type TimeSpan } from './bins.js';
import { compileAggregate, parseAggregations, type Aggregation } from './stats.js';
import { INTERNAL } from '../ir/origin.js';
import { originOf } from '../ir/schema.js';

export type { TimeSpan } from './bins.js';

/** Aggregates that count: an empty cell is 0 rather than null, as in Splunk's charts. */
const COUNT_LIKE = /^(c|count|dc|distinct_count|estdc)$/i;

interface PivotSpec {
  /** Output name and SQL of the row key; null for a single row (`chart count`). */
  row: { name: string; c: Compiled; order: 'time' | 'stats'; note?: string } | null;
  split: { name: string; c: Compiled } | null;
  aggs: Aggregation[];
  limit: number;
  /** Rank series by the smallest totals instead of the largest (`limit=bottomN`). */
  bottom: boolean;
  useOther: boolean;
  useNull: boolean;
  otherStr: string;
  nullStr: string;
  /** timechart: one row per bucket, empty ones included (see Fill). */
  fill?: Fill;
  /**
   * Column names with several aggregations and a split: `<agg><sep><value>` (sep= default ": "),
   * or format= with `$AGG$` and `$VALUE$` in it.
   */
  naming?: { sep?: string; format?: string };
}

const SEQ_INFO: FieldInfo = { type: 'number', origin: INTERNAL };
const HIDDEN: FieldInfo = { type: 'string', origin: INTERNAL };
const ROW = column('__row', 'number');
const SPLIT = column('__split', 'string');

/**
 * The start of the `_time` bucket holding `t` (epoch seconds), in UTC; a span under a day counts
 * from `offset` (aligntime=) instead of epoch 0.
 */
export function bucket(t: Expr, span: TimeSpan, vars: Vars, offset = 0): Expr {
  if ('seconds' in span) return floorTo(t, span.seconds, span.seconds < 86400 ? offset : 0);
  return vars.share(call('to_timestamp', [t], 'timestamp'), (ts) => {
    const months = call('add', [call('mul', [call('sub', [call('year', [ts], 'int'), int(1970)], 'int'), int(12)], 'int'), call('sub', [call('month', [ts], 'int'), int(1)], 'int')], 'int');
    const start = call('to_bigint', [call('mul', [call('floor', [call('div', [months, int(span.months)], 'number')], 'number'), int(span.months)], 'number')], 'int');
    return vars.share(start, (st) => {
      const year = call('add', [int(1970), call('int_div', [st, int(12)], 'int')], 'int');
      const month = call('add', [call('int_mod', [st, int(12)], 'int'), int(1)], 'int');
      return call('epoch', [call('make_timestamp', [year, month, int(1), int(0), int(0), int(0)], 'timestamp')], 'number');
    });
  });
}

/**
 * The most buckets timechart fills, Splunk's own limit ("The specified span would result in too
 * many (>50000) rows"): without it, span=1h over events in 2026 and 2150 builds a million rows.
 */
export const MAX_BUCKETS = 50_000;

/**
 * A bucket count, or an error naming the limit when it is past it (timechart and makecontinuous,
 * which fill every bucket between the first and the last).
 */
export function capped(count: Expr, command = 'timechart', between = 'time buckets from the first event to the last'): Expr {
  const message = call('concat', [call('concat', [lit(`${command}: the span would make `), call('to_varchar', [count], 'string')], 'string'),
    lit(` ${between}, more than ${MAX_BUCKETS}: give a larger span=`)], 'string');
  return caseOf([{ when: call('gt', [count, int(MAX_BUCKETS)], 'bool'), then: call('error', [message], 'int') }], count, 'int');
}

/**
 * Which buckets timechart fills (cont=t): `from`/`to` are the first and last bucket starts of the
 * search's time range (fixedrange=t, Splunk's default) where it has that bound; the buckets of
 * the data extend them, and stand in for a bound the search does not have.
 */
export interface Fill {
  span: TimeSpan;
  from?: number;
  to?: number;
}

/** One row per bucket from the first to the last (see Fill); none when `grouped` has no rows. */
function series(grouped: Relation, fill: Fill, b: Builder): Relation {
  const { span } = fill;
  const lo = column('lo', 'number');
  const hi = column('hi', 'number');
  // No rows, no buckets (Splunk shows no results), whatever the range.
  const widen = (fn: 'min' | 'max', bound: number | undefined): Expr => {
    const data = aggregate(fn, [ROW], 'number');
    if (bound === undefined) return data;
    return caseOf([{ when: call('is_null', [data], 'bool'), then: nullOf('number') }], call(fn === 'min' ? 'least' : 'greatest', [data, lit(bound, 'number')], 'number'), 'number');
  };
  const bounds = b.step(
    { kind: 'aggregate', input: grouped.id, groups: [], aggregates: [{ name: 'lo', expr: widen('min', fill.from) }, { name: 'hi', expr: widen('max', fill.to) }] },
    { fields: new Map([['lo', SEQ_INFO], ['hi', SEQ_INFO]]), raw: false, removed: new Set() },
  );
  const between = fill.from !== undefined || fill.to !== undefined ? "time buckets over the search's time range" : undefined;
  let row: Expr;
  if ('seconds' in span) {
    const step = int(span.seconds);
    const count = call('add', [call('to_bigint', [call('round', [call('div', [call('sub', [hi, lo], 'number'), step], 'number')], 'number')], 'int'), int(1)], 'int');
    row = call('add', [lo, call('mul', [call('unnest', [call('range', [int(0), capped(count, 'timechart', between)], 'list')], 'int'), step], 'number')], 'number');
  } else {
    const ts = (x: Expr) => call('make_timestamp', [call('to_bigint', [call('mul', [x, int(1000000)], 'number')], 'int')], 'timestamp');
    // Bucket starts are first days of months: whole months apart.
    const count = call('add', [call('int_div', [call('month_diff', [ts(lo), ts(hi)], 'int'), int(span.months)], 'int'), int(1)], 'int');
    const k = call('unnest', [call('range', [int(0), capped(count, 'timechart', between)], 'list')], 'int');
    row = call('epoch', [call('interval_add', [ts(lo), call('to_months', [call('mul', [k, int(span.months)], 'int')], 'any')], 'timestamp')], 'number');
  }
  return b.step({ kind: 'project', input: bounds.id, columns: [{ name: '__row', expr: row }] });
}

/** The start of the bucket holding `t` (epoch seconds), as bucket() computes it in SQL. */
export function bucketStart(t: number, span: TimeSpan, offset = 0): number {
  if ('seconds' in span) {
    const o = span.seconds < 86400 ? offset : 0;
    return Math.floor((t - o) / span.seconds) * span.seconds + o;
  }
  const d = new Date(t * 1000);
  const months = Math.floor(((d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth()) / span.months) * span.months;
  return Date.UTC(1970 + Math.floor(months / 12), ((months % 12) + 12) % 12, 1) / 1000;
}

/**
 * The buckets of a search time range [earliest, latest): from the bucket holding `earliest` to
 * the one holding the last moment before `latest` (a latest on a bucket's start adds no bucket).
 */
export function rangeBuckets(range: { earliest?: number; latest?: number }, span: TimeSpan, offset = 0): { from?: number; to?: number } {
  const out: { from?: number; to?: number } = {};
  if (range.earliest !== undefined) out.from = bucketStart(range.earliest, span, offset);
  if (range.latest !== undefined) {
    let to = bucketStart(range.latest, span, offset);
    if (to >= range.latest) to = 'seconds' in span ? to - span.seconds : bucketStart(to - 1, span, offset);
    out.to = to;
  }
  if (out.from !== undefined && out.to !== undefined && out.to < out.from) delete out.to;
  return out;
}

/**
 * The split values to make columns of, from the discovery's answer: the first `limit` values by
 * total (a leading null means some rows had no value), and whether more values were left out.
 */
function splitColumns(answer: DiscoveredValue[], spec: PivotSpec): { values: string[]; hasNull: boolean; hasOther: boolean } {
  const hasNull = answer[0] === null;
  const all = answer.filter((v): v is string => v !== null);
  const values = spec.limit > 0 ? all.slice(0, spec.limit) : all;
  // Columns read left to right in value order, as Splunk lays them out.
  values.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return { values, hasNull: hasNull && spec.useNull, hasOther: all.length > values.length && spec.useOther };
}

/**
 * Names for the split columns. Split values are data, and any text can be one: an empty value, a
 * value spelled like the row field, `_time`, a hidden `__` name, the NULL or OTHER column, or
 * another column would have no column of its own (a crash, or one column silently taking
 * another's place). Such a value is shown quoted (`""`, `"_time"`), then numbered if even that is
 * taken. Names differing only in case are apart already (print/duckdb.ts columnName).
 */
function columnNamer(spec: PivotSpec): (agg: number, value: string, label: boolean) => string {
  const taken = new Set<string>(['_time', '__seq']);
  if (spec.row) taken.add(spec.row.name);
  const several = spec.aggs.length > 1;
  return (agg, value, label) => {
    const named = (v: string) => (several ? seriesName(spec.aggs[agg]!.name, v, spec.naming) : v);
    let name = named(value);
    const unusable = (n: string) => n.replace(/\u0000/g, '') === '' || n.startsWith('__') || taken.has(n);
    if (!label && unusable(name)) name = named(JSON.stringify(value));
    for (let n = 2, base = name; unusable(name); n++) name = `${base} (${n})`;
    taken.add(name);
    return name;
  };
}

/** A column's name with several aggregations: format= ($AGG$, $VALUE$), else aggregation, sep=, value. */
function seriesName(agg: string, value: string, naming: PivotSpec['naming']): string {
  if (naming?.format !== undefined) return naming.format.replace(/\$AGG\$/g, () => agg).replace(/\$VALUE\$/g, () => value);
  return `${agg}${naming?.sep ?? ': '}${value}`;
}

/** sep= and format= (Splunk's names for the columns of several aggregations split by a field). */
export function namingOptions(args: Args): PivotSpec['naming'] {
  const sep = args.option('sep');
  const format = args.option('format');
  return sep === undefined && format === undefined ? undefined : { ...(sep !== undefined ? { sep } : {}), ...(format !== undefined ? { format } : {}) };
}

export function pivot(rel: Relation, b: Builder, spec: PivotSpec): Relation {
  // 1. Row and split keys as hidden columns; a multivalue split counts once per value.
  const keys: Column[] = [];
  if (spec.row) keys.push({ name: '__row', expr: spec.row.c });
  if (spec.split) keys.push({ name: '__split', expr: spec.split.c.type === 'mv' ? call('unnest', [spec.split.c], 'string') : toString(spec.split.c) });
  const keyFields = withFields(rel, keys.map((k): [string, FieldInfo] => [k.name, HIDDEN]));
  const input = keys.length ? b.step({ kind: 'extend', input: rel.id, columns: keys, ...(spec.row?.note ? { note: spec.row.note } : {}) } as StepBody, { fields: keyFields, raw: rel.raw, removed: rel.removed }) : rel;

  // 2. One row per (row key, split value), the aggregates as __a0, __a1...
  const aggs = spec.aggs.map((a) => compileAggregate(a, input, b));
  const groups = [...(spec.row ? [{ name: '__row', expr: ROW }] : []), ...(spec.split ? [{ name: '__split', expr: SPLIT }] : [])];
  const aggregates = aggs.map((c, i) => ({ name: `__a${i}`, expr: c }));
  const groupedFields = new Map<string, FieldInfo>([...groups.map((g): [string, FieldInfo] => [g.name, HIDDEN]), ...aggregates.map((a): [string, FieldInfo] => [a.name, { type: fieldType(a.expr.type), origin: INTERNAL }])]);
  // Rows without a split value stay (usenull=f only drops their column): they still span buckets.
  const rows = spec.row ? b.step({ kind: 'filter', input: input.id, condition: call('is_not_null', [ROW], 'bool') }) : input;
  const grouped = b.step({ kind: 'aggregate', input: rows.id, groups, aggregates }, { fields: groupedFields, raw: false, removed: new Set() });

  // 3. The output columns: one per aggregation, or one per (aggregation, split value).
  const cells: Column[] = [];
  let placeholder: string | undefined;
  const cell = (i: number, filter: Expr | undefined, name: string, summed = false) => {
    const a = column(`__a${i}`, aggs[i]!.type);
    const countLike = COUNT_LIKE.test(spec.aggs[i]!.func);
    let value = aggregate(summed ? 'sum' : 'any_value', [summed ? toNumber(a) : a], summed ? 'number' : fieldType(a.type), filter ? { filter } : {});
    if (countLike) value = call('coalesce', [value, int(0)], 'number');
    cells.push({ name, expr: value });
  };
  if (!spec.split) {
    spec.aggs.forEach((a, i) => cell(i, undefined, a.name));
  } else {
    // Asked of the data: each split value's total of the first aggregation, the missing value
    // first (it becomes the NULL column), then the largest (or smallest, bottom) totals.
    const v = column('v', 'string');
    const totals = b.step({ kind: 'aggregate', input: grouped.id, groups: [{ name: 'v', expr: SPLIT }], aggregates: [{ name: 't', expr: aggregate('sum', [toNumber(column('__a0', aggs[0]!.type))], 'number') }] });
    const order: SortKey[] = [
      { expr: call('is_null', [v], 'bool'), desc: true, nulls: 'last' },
      { expr: column('t', 'number'), desc: !spec.bottom, nulls: 'last' },
      { expr: v, desc: false, nulls: 'last' },
    ];
    const ranked = b.step({ kind: 'extend', input: totals.id, columns: [{ name: '__seq', expr: rowNumber(order) }] });
    const top = spec.limit > 0 ? b.step({ kind: 'limit', input: ranked.id, count: spec.limit + 2 }) : ranked;
    const answer = b.ask(top, ['v'], `the values of ${spec.split.name}, ranked by ${spec.aggs[0]!.name}`, true);
    if (!answer) {
      placeholder = `one column per value of ${spec.split.name} (top ${spec.limit || 'all'} by total, then NULL and OTHER): discovered when the search runs`;
    } else {
      const { values, hasNull, hasOther } = splitColumns(answer, spec);
      const name = columnNamer(spec);
      spec.aggs.forEach((_a, i) => {
        // NULL and OTHER first: a value spelled like them is the one shown quoted.
        const nullName = hasNull ? name(i, spec.nullStr, true) : '';
        const otherName = hasOther ? name(i, spec.otherStr, true) : '';
        for (const v of values) cell(i, call('eq', [SPLIT, lit(v)], 'bool'), name(i, v, false));
        if (hasNull) cell(i, call('is_null', [SPLIT], 'bool'), nullName);
        if (hasOther) {
          const listed = values.length ? [call('not_in', [SPLIT, ...values.map((v) => lit(v))], 'bool')] : [];
          cell(i, all([call('is_not_null', [SPLIT], 'bool'), ...listed]), otherName, true);
        }
      });
    }
  }

  // 4. One row per row key (every bucket, for timechart), in Splunk's order.
  const fields = new Map<string, FieldInfo>();
  const outGroups: Column[] = [];
  let from = grouped;
  let order: SortKey[] = [];
  if (spec.row) {
    const rowType = spec.row.c.type === 'mv' ? 'string' : fieldType(spec.row.c.type);
    // The row field keeps the origin of the field it is (a time bucket is computed).
    fields.set(spec.row.name, made(rowType, originOf(spec.row.c, rel)));
    outGroups.push({ name: spec.row.name, expr: ROW });
    if (spec.fill) {
      const all = series(grouped, spec.fill, b);
      const right = [...groupedFields.keys()].filter((n) => n !== '__row').map((n) => ({ name: n, expr: sideColumn('r', n, groupedFields.get(n)!.type) }));
      const on = call('eq', [sideColumn('l', '__row', 'number'), sideColumn('r', '__row', 'number')], 'bool');
      from = b.step({ kind: 'join', left: all.id, right: grouped.id, type: 'left', on, columns: right, leftAll: true, leftDrop: [] }, { fields: groupedFields, raw: false, removed: new Set() });
    }
    order = spec.row.order === 'time' ? [{ expr: ROW, desc: false, nulls: 'last' }] : sortTerms(column('__row', rowType), false);
  }
  const outCells: Column[] = [];
  for (const c of cells) {
    fields.set(c.name, made(fieldType(c.expr.type)));
    outCells.push(c);
  }
  outCells.push({ name: '__seq', expr: rowNumber(order) });
  fields.set('__seq', SEQ_INFO);
  return b.step({ kind: 'aggregate', input: from.id, groups: outGroups, aggregates: outCells, ...(placeholder ? { note: placeholder } : {}) } as StepBody, { fields, raw: false, removed: new Set() });
}

// ---- arguments shared by chart and timechart ------------------------------------------------

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
 * timechart's span: span= when given (bins= is then ignored, as Splunk documents); otherwise the
 * smallest of Splunk's spans giving at most bins= (default 100) buckets over the search's time
 * range, or the data's when the search has none, and at least minspan=.
 */
function timechartSpan(args: Args, rel: Relation, time: Expr, b: Builder): { span: TimeSpan; note?: string } {
  const spanOpt = args.options.get('span');
  if (spanOpt) {
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

/** bins=: at least 1 (Splunk's default 100). */
export function binsOption(args: Args, b: Builder): number {
  const o = args.options.get('bins');
  const n = args.int('bins', DEFAULT_BINS);
  if (n < 1) throw b.err('bad-argument', `bins= must be at least 1, not ${n}`, o!.span);
  return n;
}

/** minspan= in seconds (0 when not given). */
export function minspanOption(args: Args, b: Builder): number {
  const o = args.options.get('minspan');
  if (!o) return 0;
  const n = parseMinspan(o.value);
  if (n === null) throw b.err('bad-argument', `cannot read minspan=${o.value}`, o.span, ['examples: minspan=5m, minspan=1h, minspan=10']);
  return n;
}

/** aligntime= as the epoch second bins count from (0 when not given). */
export function alignOffset(args: Args, b: Builder): number {
  const o = args.options.get('aligntime');
  if (!o) return 0;
  const t = parseAligntime(o.value, { now: b.options.now, earliest: b.range.earliest, latest: b.range.latest });
  if (t === 'needs-range') throw b.err('bad-argument', `aligntime=${o.value} needs the search's time range (--earliest and --latest, or :time in the REPL)`, o.span);
  if (t === null) throw b.err('bad-argument', `cannot read aligntime=${o.value}: give earliest, latest, epoch seconds or a relative time such as @d+3h`, o.span);
  return t;
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
