// SPL's stats functions: one table from name to meaning, shared by stats, eventstats,
// streamstats, chart, timechart, top and tstats. Each builds an IR aggregate (with a window when
// streamstats runs it over preceding rows); Splunk's output names (`count(user)`) are kept by
// the commands.
import { toNumber, toString } from '../build/coerce.js';
import { aggregate, call, caseOf, column, int, lit, type Expr, type Window } from '../ir/expr.js';

export interface AggregateContext {
  /** The field's value, or null for `count` with no field. */
  value: Expr | null;
  /** The row's `_time`. */
  time: Expr;
  /** A window (streamstats) instead of GROUP BY. */
  over?: Window;
  /** The N of `perc95`. */
  param?: number;
  /**
   * In a running window (streamstats with no window=): true on the row where its value first
   * appears in the partition, so distinct values are counted in one ordered pass instead of a
   * list rebuilt on every row (quadratic: minutes at 30,000 events).
   */
  firstSeen?: Expr;
}

export interface StatsFunction {
  name: string;
  /** Other names Splunk accepts for it. */
  aliases?: string[];
  /** False only for count, which counts rows with no field. */
  needsField: boolean;
  doc: string;
  build(ctx: AggregateContext): Expr;
}

const SEQ = column('__seq', 'number');

/**
 * The value a stats function aggregates for `func(eval(expression))`: the expression's value, and
 * for a condition 1 where it holds and no value where it does not, so `count(eval(x="a"))` counts
 * the rows where it holds (Splunk's idiom) and `sum(eval(...))` adds them.
 */
export function evalAggregateInput(value: Expr): Expr {
  if (value.type !== 'bool') return value;
  return caseOf([{ when: value, then: lit(1, 'number') }], null, 'number');
}

const need = (c: AggregateContext): Expr => c.value!;
const notNull = (v: Expr): Expr => call('is_not_null', [v], 'bool');

/** One aggregate call, in a window when the context has one. */
function agg(c: AggregateContext, fn: string, args: Expr[], type: Expr['type'], more: { filter?: Expr; order?: boolean; distinct?: boolean } = {}): Expr {
  return aggregate(fn, args, type, {
    ...(more.filter ? { filter: more.filter } : {}),
    ...(more.distinct ? { distinct: true } : {}),
    // Rows in result order, in GROUP BY only: a window's frame already orders them.
    ...(more.order && !c.over ? { order: [{ expr: SEQ, desc: false, nulls: 'last' as const }] } : {}),
    ...(c.over ? { over: c.over } : {}),
  });
}

/**
 * Every value of a multivalue field over the rows, as one list: Splunk's stats functions read each
 * value (as count() and values() do here), not the first. `numbers` reads them as numbers.
 */
function allValues(c: AggregateContext, numbers: boolean): Expr {
  const v = need(c);
  return call('flatten', [agg(c, 'list_agg', [numbers ? call('list_numbers', [v], 'list') : v], 'list', { filter: notNull(v) })], 'list');
}

/** A DuckDB aggregate over every value of a multivalue field (list_aggregate skips nulls). */
function overValues(c: AggregateContext, fn: string, numbers: boolean, type: Expr['type'], ...more: Expr[]): Expr {
  return call('list_aggregate', [allValues(c, numbers), lit(fn, 'string'), ...more], type);
}

function numeric(name: string, fn: string, doc: string, aliases?: string[]): StatsFunction {
  return {
    name, aliases, needsField: true, doc,
    build: (c) => (need(c).type === 'mv' ? overValues(c, fn, true, 'number') : agg(c, fn, [toNumber(need(c))], 'number')),
  };
}

function minMax(name: 'min' | 'max'): StatsFunction {
  return {
    name,
    needsField: true,
    doc: `the ${name === 'min' ? 'smallest' : 'largest'} value: numbers as numbers, else text`,
    build: (c) => {
      const v = need(c);
      if (v.type === 'number') return agg(c, name, [v], 'number');
      if (v.type === 'mv') return call('coalesce', [call('num2str', [overValues(c, name, true, 'number')], 'string'), overValues(c, name, false, 'string')], 'string');
      // Numbers win over strings, compared as numbers, as Splunk's min/max do. (The text is
      // written twice: a shared value cannot reach inside two aggregates.)
      const s = toString(v);
      return call('coalesce', [call('num2str', [agg(c, name, [call('try_double', [s], 'number')], 'number')], 'string'), agg(c, name, [s], 'string')], 'string');
    },
  };
}

/** A value at the row where another column is least or greatest, ignoring null values. */
function argExtreme(name: string, fn: 'arg_min' | 'arg_max', by: (c: AggregateContext) => Expr, doc: string): StatsFunction {
  return { name, needsField: true, doc, build: (c) => agg(c, fn, [need(c), by(c)], need(c).type, { filter: notNull(need(c)) }) };
}

export const STATS_FUNCTIONS: readonly StatsFunction[] = [
  {
    name: 'count', aliases: ['c'], needsField: false, doc: 'rows, or values of a field',
    build: (c) => {
      if (!c.value) return agg(c, 'count_star', [], 'number');
      if (c.value.type === 'mv') return call('coalesce', [agg(c, 'sum', [call('len', [c.value], 'int')], 'number'), int(0)], 'number');
      return agg(c, 'count', [c.value], 'number');
    },
  },
  {
    name: 'dc', aliases: ['distinct_count', 'estdc'], needsField: true, doc: 'distinct values',
    build: (c) => {
      const v = need(c);
      if (v.type === 'mv') return call('coalesce', [call('len', [call('list_distinct', [call('flatten', [agg(c, 'list_agg', [v], 'list')], 'mv')], 'mv')], 'int'), int(0)], 'number');
      if (c.over && c.firstSeen) return agg(c, 'sum', [caseOf([{ when: c.firstSeen, then: int(1) }], int(0), 'number')], 'number');
      if (c.over) return call('len', [call('list_distinct', [agg(c, 'list_agg', [v], 'mv')], 'mv')], 'number');
      return agg(c, 'count', [v], 'number', { distinct: true });
    },
  },
  numeric('sum', 'sum', 'total'),
  numeric('avg', 'avg', 'mean', ['mean']),
  minMax('min'),
  minMax('max'),
  {
    name: 'range', needsField: true, doc: 'largest minus smallest',
    build: (c) => (need(c).type === 'mv'
      ? call('sub', [overValues(c, 'max', true, 'number'), overValues(c, 'min', true, 'number')], 'number')
      : call('sub', [agg(c, 'max', [toNumber(need(c))], 'number'), agg(c, 'min', [toNumber(need(c))], 'number')], 'number')),
  },
  numeric('median', 'median', 'middle value'),
  {
    name: 'mode', needsField: true, doc: 'most common value',
    build: (c) => (need(c).type === 'mv' ? overValues(c, 'mode', false, 'string') : agg(c, 'mode', [toString(need(c))], 'string')),
  },
  numeric('stdev', 'stddev_samp', 'sample standard deviation'),
  numeric('stdevp', 'stddev_pop', 'population standard deviation'),
  numeric('var', 'var_samp', 'sample variance'),
  numeric('varp', 'var_pop', 'population variance'),
  {
    name: 'sumsq', needsField: true, doc: 'sum of squares',
    build: (c) => (need(c).type === 'mv'
      ? call('list_sumsq', [allValues(c, true)], 'number')
      : agg(c, 'sum', [call('pow', [toNumber(need(c)), int(2)], 'number')], 'number')),
  },
  {
    name: 'perc', aliases: ['p', 'exactperc', 'upperperc'], needsField: true, doc: 'percentile: perc95(x), p50(x)',
    build: (c) => (need(c).type === 'mv'
      ? overValues(c, 'quantile_cont', true, 'number', lit((c.param ?? 50) / 100, 'number'))
      : agg(c, 'quantile_cont', [toNumber(need(c)), int((c.param ?? 50) / 100)], 'number')),
  },
  argExtreme('earliest', 'arg_min', (c) => c.time, 'value with the smallest _time'),
  argExtreme('latest', 'arg_max', (c) => c.time, 'value with the largest _time'),
  { name: 'earliest_time', needsField: true, doc: 'smallest _time with a value', build: (c) => agg(c, 'min', [c.time], 'number', { filter: notNull(need(c)) }) },
  { name: 'latest_time', needsField: true, doc: 'largest _time with a value', build: (c) => agg(c, 'max', [c.time], 'number', { filter: notNull(need(c)) }) },
  argExtreme('first', 'arg_min', () => SEQ, 'first value in result order'),
  argExtreme('last', 'arg_max', () => SEQ, 'last value in result order'),
  {
    name: 'values', needsField: true, doc: 'distinct values, sorted',
    build: (c) => {
      const v = need(c);
      const items = v.type === 'mv'
        ? call('flatten', [agg(c, 'list_agg', [v], 'list', { filter: notNull(v) })], 'mv')
        : agg(c, 'list_agg', [toString(v)], 'mv', { filter: c.firstSeen ? call('and', [notNull(v), c.firstSeen], 'bool') : notNull(v) });
      return call('list_sort', [call('list_distinct', [items], 'mv')], 'mv');
    },
  },
  {
    name: 'list', needsField: true, doc: 'the first 100 values in result order',
    build: (c) => {
      const v = need(c);
      const items = v.type === 'mv'
        ? call('flatten', [agg(c, 'list_agg', [v], 'list', { filter: notNull(v), order: true })], 'mv')
        : agg(c, 'list_agg', [toString(v)], 'mv', { filter: notNull(v), order: true });
      return call('list_slice', [items, int(1), int(100)], 'mv');
    },
  },
];

const byName = new Map<string, StatsFunction>();
for (const f of STATS_FUNCTIONS) for (const n of [f.name, ...(f.aliases ?? [])]) byName.set(n, f);

/** The stats function a name calls (case-insensitive), with its percentile for `perc95`. */
export function statsFunction(name: string): { def: StatsFunction; param?: number } | undefined {
  const lower = name.toLowerCase();
  const pct = /^(perc|p|exactperc|upperperc)(\d+(?:\.\d+)?)$/.exec(lower);
  if (pct) return { def: byName.get('perc')!, param: Number(pct[2]) };
  const def = byName.get(lower);
  return def ? { def } : undefined;
}

/** Every name stats accepts, for completion and "did you mean" (percentiles as perc95, p95). */
export const AGGREGATE_NAMES = [...byName.keys(), 'perc95', 'p95'];
