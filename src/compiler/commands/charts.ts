// Pivoting commands: timechart and chart. Both aggregate by a row key (a `_time` bucket, or the
// `over` field) and optionally a split field whose values become columns. Those columns depend on
// the data, so the compiler asks for them (`Builder.discover`) and, until the engine has answered,
// leaves a placeholder in the SQL. Aggregations come from the stats table (stats.ts).
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import { made, type Builder } from '../builder.js';
import { fieldType, toNumber, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { column, raw } from '../ir/expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { ident, num, str } from '../sql.js';
import { parseSpan } from '../time.js';
import type { Compiled, DiscoveredValue, FieldInfo, FieldType, Relation } from '../types.js';
import { generic, sortTerms } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { compileAggregate, parseAggregations, type Aggregation } from './stats.js';

/** A time span: fixed seconds, or calendar months. */
export type TimeSpan = { seconds: number } | { months: number };

/** Aggregates that count: an empty cell is 0 rather than null, as in Splunk's charts. */
const COUNT_LIKE = /^(c|count|dc|distinct_count|estdc)$/i;

interface PivotSpec {
  /** Output name and SQL of the row key; null for a single row (`chart count`). */
  row: { name: string; c: Compiled; order: 'time' | 'stats' } | null;
  split: { name: string; c: Compiled } | null;
  aggs: Aggregation[];
  limit: number;
  /** Rank series by the smallest totals instead of the largest (`limit=bottomN`). */
  bottom: boolean;
  useOther: boolean;
  useNull: boolean;
  otherStr: string;
  nullStr: string;
  /** timechart: one row per bucket from the first to the last, empty ones included. */
  fill?: TimeSpan;
}

const SEQ: FieldInfo = { type: 'number', origin: 'event' };
const q = (name: string) => ident(name);

/** SQL for the start of the `_time` bucket holding `t` (epoch seconds), in UTC. */
export function bucketSql(t: string, span: TimeSpan): string {
  if ('seconds' in span) return `(floor(${t} / ${num(span.seconds)}) * ${num(span.seconds)})`;
  const months = `((year(to_timestamp(${t})) - 1970) * 12 + month(to_timestamp(${t})) - 1)`;
  const start = `(floor(${months} / ${span.months}) * ${span.months})::BIGINT`;
  return `epoch(make_timestamp(1970 + ${start} // 12, ${start} % 12 + 1, 1, 0, 0, 0))`;
}

/** One row per bucket from the first to the last bucket of `source`'s `__row` (none when empty). */
function seriesSql(source: string, span: TimeSpan): string {
  if ('seconds' in span) {
    const step = num(span.seconds);
    return `SELECT lo + unnest(range(0, CAST(round((hi - lo) / ${step}) AS BIGINT) + 1)) * ${step} AS "__row"\n    FROM (SELECT min("__row") AS lo, max("__row") AS hi FROM ${source})`;
  }
  const ts = (x: string) => `make_timestamp(CAST(${x} * 1000000 AS BIGINT))`;
  return `SELECT epoch(unnest(range(${ts('lo')}, ${ts('hi')} + INTERVAL 1 SECOND, to_months(${span.months})))) AS "__row"\n    FROM (SELECT min("__row") AS lo, max("__row") AS hi FROM ${source})`;
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
    const named = (v: string) => (several ? `${spec.aggs[agg]!.name}: ${v}` : v);
    let name = named(value);
    const unusable = (n: string) => n.replace(/\u0000/g, '') === '' || n.startsWith('__') || taken.has(n);
    if (!label && unusable(name)) name = named(JSON.stringify(value));
    for (let n = 2, base = name; unusable(name); n++) name = `${base} (${n})`;
    taken.add(name);
    return name;
  };
}

export function pivot(rel: Relation, b: Builder, spec: PivotSpec): Relation {
  // 1. Row and split keys as hidden columns; a multivalue split counts once per value.
  const keys: string[] = [];
  if (spec.row) keys.push(`${sql(spec.row.c)} AS "__row"`);
  if (spec.split) keys.push(spec.split.c.type === 'mv' ? `unnest(${sql(spec.split.c)}) AS "__split"` : `${sql(toString(spec.split.c))} AS "__split"`);
  const input = keys.length ? b.add(`SELECT *, ${keys.join(', ')} FROM ${rel.name}`, rel.fields, rel.raw, rel.removed) : rel;

  // 2. One row per (row key, split value), the aggregates as __a0, __a1...
  const aggs = spec.aggs.map((a) => compileAggregate(a, input, b));
  const groupCols = [spec.row ? '"__row"' : null, spec.split ? '"__split"' : null].filter((x): x is string => x !== null);
  // Rows without a split value stay (usenull=f only drops their column): they still span buckets.
  const grouped = b.add(
    `SELECT ${[...groupCols, ...aggs.map((c, i) => `${sql(c)} AS "__a${i}"`)].join(', ')} FROM ${input.name}` +
      `${spec.row ? ' WHERE "__row" IS NOT NULL' : ''}${groupCols.length ? `\n  GROUP BY ${groupCols.join(', ')}` : ''}`,
    new Map(),
    false,
  );

  // 3. The output columns: one per aggregation, or one per (aggregation, split value).
  const cells: { name: string; value: string; type: FieldType }[] = [];
  let placeholder = '';
  const cell = (i: number, filter: string, name: string, summed = false) => {
    const a = aggs[i]!;
    const countLike = COUNT_LIKE.test(spec.aggs[i]!.func);
    let value = summed ? `sum(${sql(toNumber(column(`__a${i}`, a.type)))})` : `any_value("__a${i}")`;
    if (filter) value += ` FILTER (WHERE ${filter})`;
    if (countLike) value = `coalesce(${value}, 0)`;
    cells.push({ name, value, type: summed || countLike ? 'number' : fieldType(a.type) });
  };
  if (!spec.split) {
    spec.aggs.forEach((a, i) => cell(i, '', a.name));
  } else {
    const total = sql(toNumber(column('__a0', aggs[0]!.type)));
    const limit = spec.limit > 0 ? `\nLIMIT ${spec.limit + 2}` : '';
    const answer = b.discover(
      `SELECT v FROM (SELECT "__split" AS v, sum(${total}) AS t FROM ${grouped.name} GROUP BY "__split")\n` +
        `ORDER BY v IS NULL DESC, t ${spec.bottom ? 'ASC' : 'DESC'} NULLS LAST, v${limit}`,
      `the values of ${spec.split.name}, ranked by ${spec.aggs[0]!.name}`,
    );
    if (!answer) {
      placeholder = `/* one column per value of ${spec.split.name.replace(/\*\//g, '* /')} (top ${spec.limit || 'all'} by total, then NULL and OTHER): discovered when the search runs */`;
    } else {
      const { values, hasNull, hasOther } = splitColumns(answer, spec);
      const name = columnNamer(spec);
      spec.aggs.forEach((_a, i) => {
        // NULL and OTHER first: a value spelled like them is the one shown quoted.
        const nullName = hasNull ? name(i, spec.nullStr, true) : '';
        const otherName = hasOther ? name(i, spec.otherStr, true) : '';
        for (const v of values) cell(i, `"__split" = ${str(v)}`, name(i, v, false));
        if (hasNull) cell(i, '"__split" IS NULL', nullName);
        if (hasOther) {
          const listed = values.length ? ` AND "__split" NOT IN (${values.map(str).join(', ')})` : '';
          cell(i, `"__split" IS NOT NULL${listed}`, otherName, true);
        }
      });
    }
  }

  // 4. One row per row key (every bucket, for timechart), in Splunk's order.
  const fields = new Map<string, FieldInfo>();
  const select: string[] = [];
  let from = grouped.name;
  let order = '';
  if (spec.row) {
    fields.set(spec.row.name, made(spec.row.c.type === 'mv' ? 'string' : fieldType(spec.row.c.type)));
    select.push(`"__row" AS ${q(spec.row.name)}`);
    if (spec.fill) from = `(${seriesSql(grouped.name, spec.fill)}) LEFT JOIN ${grouped.name} USING ("__row")`;
    order = spec.row.order === 'time' ? '"__row"' : sortTerms(column('__row', spec.row.c.type === 'mv' ? 'string' : spec.row.c.type), false).join(', ');
  }
  for (const c of cells) {
    fields.set(c.name, made(c.type));
    select.push(`${c.value} AS ${q(c.name)}`);
  }
  select.push(`${placeholder ? `${placeholder}\n    ` : ''}row_number() OVER (${order ? `ORDER BY ${order}` : ''}) AS "__seq"`);
  fields.set('__seq', SEQ);
  const groupBy = spec.row ? `\n  GROUP BY "__row"` : '';
  const query = `SELECT ${select.join(',\n    ')}\n  FROM ${from}${groupBy}`;
  return b.add(query, fields, false);
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
  format: { unsupported: 'columns are named after the split values (several aggregations: "agg: value")' },
  sep: { unsupported: 'columns are named after the split values (several aggregations: "agg: value")' },
  bins: { unsupported: 'give span=' },
  minspan: { unsupported: 'give span=' },
  aligntime: { unsupported: 'time buckets align to UTC multiples of the span' },
};
const CHART_OPTIONS: Options = {
  ...PIVOT_OPTIONS,
  span: { unsupported: 'bin the over-field first: | bin _time span=1h | chart count over _time by user' },
  cont: { unsupported: 'chart has no time buckets to fill' },
};
const TIMECHART_OPTIONS: Options = {
  ...PIVOT_OPTIONS,
  cont: 'bool',
  partial: { unsupported: 'every bucket is kept, partial or not' },
  fixedrange: { unsupported: 'buckets run from the first to the last event' },
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

/**
 * Splunk's automatic timechart span: the smallest of these that cuts the time range into at most
 * 100 buckets (15 minutes -> 10s, an hour -> 1m, 4 hours -> 5m, a day -> 30m, a week -> 1d).
 */
const AUTO_SPANS: TimeSpan[] = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 86400].map((seconds) => ({ seconds }));

export function autoSpan(rangeSeconds: number): TimeSpan {
  return AUTO_SPANS.find((s) => 'seconds' in s && rangeSeconds / s.seconds <= 100) ?? { months: 1 };
}

const timechart: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, TIMECHART_OPTIONS);
  const byAt = keywordAt(args.items, 'by');
  const aggs = aggregationsOf(byAt < 0 ? args.items : args.items.slice(0, byAt), cmd, b);
  let split: string | null = null;
  if (byAt >= 0) {
    const rest = args.items.slice(byAt + 1);
    split = fieldWord(rest[0], b, 'by', args.items[byAt]!.span);
    if (rest.length > 1) throw b.err('bad-argument', `timechart splits by one field; found ${describe(rest[1]!)}`, rest[1]!.span);
  }
  const time = fieldRef('_time', { rel, b });
  let span: TimeSpan;
  let spanNote = '';
  const spanOpt = args.options.get('span');
  if (spanOpt) {
    const parsed = parseSpan(spanOpt.value);
    if (!parsed) throw b.err('bad-argument', `cannot read span=${spanOpt.value}`, spanOpt.span, ['examples: span=1h, span=30m, span=1d, span=1mon']);
    span = parsed.months ? { months: parsed.months } : { seconds: parsed.seconds! };
  } else if (b.options.earliest !== undefined && b.options.latest !== undefined) {
    span = autoSpan(b.options.latest - b.options.earliest);
  } else {
    const t = sql(toNumber(time));
    const answer = b.discover(`SELECT max(${t}) - min(${t}) FROM ${rel.name}`, 'the time range of the events (for the span)');
    span = autoSpan(answer?.[0] ? Number(answer[0]) : 3600 * 100);
    if (!answer) spanNote = '/* span picked from the data\'s time range when the search runs; 1h shown */ ';
  }
  const row = { name: '_time', c: raw(spanNote + bucketSql(sql(toNumber(time)), span), 'number'), order: 'time' as const };
  return pivot(rel, b, {
    row,
    split: split === null ? null : { name: split, c: fieldRef(split, { rel, b }) },
    aggs,
    ...pivotOptions(args, b),
    fill: args.bool('cont', true) ? span : undefined,
  });
};

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
