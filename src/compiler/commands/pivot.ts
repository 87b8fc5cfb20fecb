// The pivot that chart and timechart end in: one row per row key (a `_time` bucket, or the `over`
// field), one column per aggregation and split value. The split values depend on the data: the
// compiler asks for them (Builder.ask) and, until the engine has answered, leaves a placeholder.
import type { Args } from '../args.js';
import { made, withFields, type Builder, type StepBody } from '../builder.js';
import { all, fieldType, toNumber, toString } from '../build/coerce.js';
import { aggregate, call, caseOf, column, int, lit, nullOf, sideColumn, type Expr, type SortKey } from '../ir/expr.js';
import { INTERNAL } from '../ir/origin.js';
import type { Column } from '../ir/plan.js';
import { originOf } from '../ir/schema.js';
import type { Compiled, DiscoveredValue, FieldInfo, Relation } from '../types.js';
import { rowNumber, sortTerms } from './relation.js';
import { compileAggregate, splitLists, type Aggregation } from './stats.js';
import { capped, type TimeSpan } from './time-buckets.js';

/** Aggregates that count: an empty cell is 0 rather than null, as in Splunk's charts. */
const COUNT_LIKE = /^(c|count|dc|distinct_count|estdc)$/i;

export interface PivotSpec {
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
   * or format= with `$AGG$` and `$VAL$` in it.
   */
  naming?: { sep?: string; format?: string };
}

const SEQ_INFO: FieldInfo = { type: 'number', origin: INTERNAL };

const HIDDEN: FieldInfo = { type: 'string', origin: INTERNAL };

const ROW = column('__row', 'number');

const SPLIT = column('__split', 'string');

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

/**
 * A column's name with several aggregations: format= ($AGG$, $VAL$), else aggregation, sep=, value.
 * $VAL$ is Splunk's (chart, timechart and xyseries pages); only $VALUE$ was read, so Splunk's
 * format="$AGG$:$VAL$" named every column "count:$VAL$" (made unique with (2), (3)). $VALUE$ is
 * still read, as spelunk documented it.
 */
function seriesName(agg: string, value: string, naming: PivotSpec['naming']): string {
  if (naming?.format !== undefined) return naming.format.replace(/\$(AGG|VALUE|VAL)\$/g, (_, k: string) => (k === 'AGG' ? agg : value));
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
  if (spec.split) keys.push({ name: '__split', expr: spec.split.c.type === 'mv' ? spec.split.c : toString(spec.split.c) });
  const keyFields = withFields(rel, keys.map((k): [string, FieldInfo] => [k.name, HIDDEN]));
  const keyed = keys.length ? b.step({ kind: 'extend', input: rel.id, columns: keys, ...(spec.row?.note ? { note: spec.row.note } : {}) } as StepBody, { fields: keyFields, raw: rel.raw, removed: rel.removed }) : rel;
  // A multivalue row or split field counts once per value (each pair of values when both are).
  const input = splitLists(keyed, b, keys.filter((k) => k.expr.type === 'mv').map((k) => k.name));

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
    const answer = b.ask(top, ['v'], `the values of ${spec.split.name}, ranked by ${spec.aggs[0]!.name}`, true, true);
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
