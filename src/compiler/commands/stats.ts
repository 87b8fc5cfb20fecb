// Aggregating commands: stats, eventstats, streamstats, top, rare. One table maps each SPL
// aggregate to its DuckDB form; Splunk's output names (`count(user)`, `values(src)`) are kept.
import { fieldsOf, type Arg, type Command, type Expr, type Span } from '../../../grammar/ast.js';
import { parseExpression } from '../../../grammar/parser.js';
import { Args, describe } from '../args.js';
import { made, withFields, type Builder } from '../builder.js';
import { all, fieldType, toBool, toString } from '../build/coerce.js';
import { compileExpr, fieldRef } from '../expr.js';
import { aggregate, call, caseOf, column, int, lit, nullOf, sideColumn, type Expr as IrExpr, type Window } from '../ir/expr.js';
import type { Column } from '../ir/plan.js';
import { AGGREGATE_NAMES, evalAggregateInput, statsFunction, type StatsFunction } from '../library/aggregates.js';
import { nearest } from '../suggest.js';
import type { Compiled, FieldInfo, Relation } from '../types.js';
import { parseSpan } from '../time.js';
import { generic, rowNumber, same, SEQ, sortTerms } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { streamPosition, timeWindow } from './streamstats-time.js';
import { expandAggregations } from './wildcards.js';
import { INTERNAL } from '../ir/origin.js';
import { originOf } from '../ir/schema.js';

export interface Aggregation {
  func: string;
  field: string | null;
  /** `count(eval(...))`: the expression aggregated instead of a field. */
  expr?: Expr;
  /** Output column name: the `as` name or Splunk's default such as `count(user)`. */
  name: string;
  span: Span;
}

function aggregateDef(func: string, span: Span, b: Builder): { def: StatsFunction; param?: number } {
  const found = statsFunction(func);
  if (!found) {
    const hints = nearest(func.toLowerCase(), AGGREGATE_NAMES);
    throw b.err('unknown-function', `unknown stats function ${func}`, span, hints.length ? [`did you mean ${hints.join(', ')}?`] : undefined);
  }
  return found;
}

/** Read `count, values(x) as y, dc(z)`: aggregations until `by`. */
export function parseAggregations(items: Arg[], b: Builder): Aggregation[] {
  const out: Aggregation[] = [];
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    let func: string;
    let field: string | null = null;
    let expr: Expr | undefined;
    if (a.kind === 'word' && !a.quoted) {
      func = a.value;
    } else if (a.kind === 'call' && a.name) {
      func = a.name;
      const inner = a.args.filter((x) => x.kind !== 'comma');
      const only = inner.length === 1 ? inner[0]! : undefined;
      if (only?.kind === 'call' && only.name.toLowerCase() === 'eval') expr = evalArgument(only, b);
      else if (only?.kind !== 'word') throw b.err('bad-argument', `${a.name}() takes one field or eval(expression)`, a.span);
      else field = only.value;
    } else {
      throw b.err('bad-argument', `expected a stats function such as count or values(field), found ${describe(a)}`, a.span);
    }
    const { def } = aggregateDef(func, a.span, b);
    if (field === null && !expr && def.needsField) throw b.err('bad-argument', `${func} needs a field: ${func}(field)`, a.span);
    let name = field === null ? func : `${func}(${field})`;
    const next = items[i + 1];
    if (next && next.kind === 'word' && !next.quoted && next.value.toLowerCase() === 'as') {
      const target = items[i + 2];
      if (!target || target.kind !== 'word') throw b.err('bad-argument', 'expected a name after "as"', next.span);
      name = target.value;
      i += 2;
    } else if (expr) {
      // As in Splunk, an eval expression's result must be named.
      throw b.err('bad-argument', `name the result of ${func}(eval(...)) with "as": ${func}(eval(...)) as <name>`, a.span);
    }
    out.push({ func, field, name, span: a.span, ...(expr ? { expr } : {}) });
  }
  return out;
}

export function byFields(items: Arg[] | null, b: Builder, at?: Span): string[] {
  if (!items) return [];
  if (items.length === 0 && at) throw b.err('bad-argument', 'expected a field after "by"', { start: at.end, end: at.end + 1 }, ['stats count by user']);
  return items.map((a) => {
    if (a.kind !== 'word') throw b.err('bad-argument', `expected a field after "by", found ${describe(a)}`, a.span);
    return a.value;
  });
}

/** The expression of `eval(...)` inside a stats function (the parser reads it as an expression). */
function evalArgument(call: Extract<Arg, { kind: 'call' }>, b: Builder): Expr {
  const inner = call.args[0];
  if (call.args.length !== 1 || inner?.kind !== 'expr') throw b.err('bad-argument', 'eval(...) takes one expression', call.span);
  return inner.expr;
}

/** An aggregation over a relation's rows: grouped, or over a window (streamstats). */
export function compileAggregate(agg: Aggregation, rel: Relation, b: Builder, over?: Window, firstSeen?: IrExpr): Compiled {
  const { def, param } = aggregateDef(agg.func, agg.span, b);
  return def.build({ value: aggregateInput(agg, rel, b), time: fieldRef('_time', { rel, b }), over, param, ...(firstSeen ? { firstSeen } : {}) });
}

/** What an aggregation reads: its field, its eval expression, or nothing (`count`). */
function aggregateInput(agg: Aggregation, rel: Relation, b: Builder): IrExpr | null {
  return agg.expr ? evalAggregateInput(compileExpr(agg.expr, { rel, b })) : agg.field === null ? null : fieldRef(agg.field, { rel, b });
}

/** Running statistics that count distinct values: one ordered pass with a first-seen mark. */
const DISTINCT_RUNNING = /^(dc|distinct_count|estdc|values)$/i;

/**
 * For each running distinct aggregation, a hidden column true where the row's value first
 * appears in its partition (row_number over partition and value: n log n, never quadratic).
 */
function firstSeenMarks(aggs: Aggregation[], rel: Relation, b: Builder, over: Window): { rel: Relation; marks: Map<number, IrExpr> } {
  const columns: Column[] = [];
  const marks = new Map<number, IrExpr>();
  aggs.forEach((a, i) => {
    if (!DISTINCT_RUNNING.test(a.func)) return;
    const v = aggregateInput(a, rel, b);
    if (!v || v.type === 'mv') return;
    const first = call('eq', [rowNumber(over.order, [...over.partition, v]), int(1)], 'bool');
    columns.push({ name: `__first${i}`, expr: call('and', [call('is_not_null', [v], 'bool'), first], 'bool') });
    marks.set(i, column(`__first${i}`, 'bool'));
  });
  if (!columns.length) return { rel, marks };
  return { rel: b.step({ kind: 'extend', input: rel.id, columns }, same(rel)), marks };
}

/** Hidden columns holding the by-fields' values (a multivalue one unnested when `unnest`). */
function withKeys(rel: Relation, b: Builder, by: string[], unnest: boolean, distinct = false): { input: Relation; keyCols: string[]; keys: Compiled[] } {
  const keys = by.map((f) => fieldRef(f, { rel, b }));
  const keyCols = by.map((_f, i) => `__by${i}`);
  if (keys.length === 0) return { input: rel, keyCols, keys };
  const columns = keys.map((k, i) => ({ name: keyCols[i]!, expr: k }));
  const fields = withFields(rel, keyCols.map((k): [string, FieldInfo] => [k, { type: 'string', origin: INTERNAL }]));
  const input = b.step({ kind: 'extend', input: rel.id, columns }, { fields, raw: rel.raw, removed: rel.removed });
  return { input: unnest ? splitLists(input, b, keyCols.filter((_k, i) => keys[i]!.type === 'mv'), distinct) : input, keyCols, keys };
}

/**
 * One row per value of each list column, every combination of them, as Splunk puts a result in
 * the group of each value of each multivalue by-field. A step per column: two unnests in one
 * SELECT pair the lists' values up instead.
 */
export function splitLists(rel: Relation, b: Builder, names: string[], distinct = false): Relation {
  return names.reduce((r, name) => {
    const list = column(name, 'mv');
    return b.step({ kind: 'unnest', input: r.id, column: name, list: distinct ? call('list_distinct', [list], 'mv') : list }, same(r));
  }, rel);
}

/**
 * Group rows by fields (rows missing a by-field are left out, as in Splunk) and aggregate. A
 * multivalue by-field puts the row in each value's group, once per value (a value held twice
 * counts twice) unless `dedupSplit` (stats' dedup_splitvals=true).
 */
export function groupBy(rel: Relation, b: Builder, aggs: Aggregation[], by: string[], dedupSplit = false): Relation {
  const { input, keyCols, keys } = withKeys(rel, b, by, true, dedupSplit);
  const fields = new Map<string, FieldInfo>();
  const groups: Column[] = [];
  by.forEach((f, i) => {
    groups.push({ name: f, expr: column(keyCols[i]!, 'string') });
    // A by-field keeps the origin of the field it groups by (the values of a multivalue one, each on its own).
    fields.set(f, made(keys[i]!.type === 'mv' ? 'string' : fieldType(keys[i]!.type), originOf(keys[i]!, rel)));
  });
  const aggregates: Column[] = [];
  for (const a of aggs) {
    const c = compileAggregate(a, input, b);
    if (fields.has(a.name)) continue;
    aggregates.push({ name: a.name, expr: c });
    fields.set(a.name, made(fieldType(c.type)));
  }
  let rows = input;
  if (keyCols.length) rows = b.step({ kind: 'filter', input: input.id, condition: all(keyCols.map((k) => call('is_not_null', [column(k, 'string')], 'bool'))) });
  const grouped = b.step({ kind: 'aggregate', input: rows.id, groups, aggregates }, { fields, raw: false, removed: new Set() });
  // Splunk returns groups sorted by the by-fields.
  const order = by.flatMap((f) => sortTerms(column(f, fields.get(f)!.type), false));
  return b.step({ kind: 'extend', input: grouped.id, columns: [{ name: '__seq', expr: rowNumber(order) }] });
}

const STATS_OPTIONS: Options = {
  allnum: { unsupported: 'numeric statistics are computed over the values that are numbers' },
  delim: { ignored: 'multivalue results are lists, not delimited text' },
  partitions: { ignored: 'one machine' },
  dedup_splitvals: { unsupported: 'only stats takes it (a multivalue by-field\'s repeated values counted once per event)' },
};
// stats page: dedup_splitvals removes duplicate values of a multivalue by-field (default false).
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/stats
const STATS_ONLY_OPTIONS: Options = { ...STATS_OPTIONS, dedup_splitvals: 'bool' };
const STREAMSTATS_OPTIONS: Options = {
  ...STATS_OPTIONS,
  current: 'bool',
  window: 'int',
  global: 'bool',
  reset_on_change: 'bool',
  time_window: 'text',
  reset_before: 'text',
  reset_after: 'text',
};
const TOP_OPTIONS: Options = {
  limit: 'int',
  countfield: 'text',
  percentfield: 'text',
  showcount: 'bool',
  showperc: 'bool',
  useother: { unsupported: 'values past the limit are left out, not summed into an OTHER row' },
  otherstr: { unsupported: 'values past the limit are left out, not summed into an OTHER row' },
};

function statsArgs(cmd: Command, b: Builder, rel: Relation) {
  const args = new Args(generic(cmd, b), b, cmd.name === 'streamstats' ? STREAMSTATS_OPTIONS : cmd.name === 'stats' ? STATS_ONLY_OPTIONS : STATS_OPTIONS);
  const [left, right] = args.splitAt('by');
  const last = left[left.length - 1];
  if (right && last && last.kind === 'word' && !last.quoted && /^(group|order)$/i.test(last.value)) {
    throw b.err('bad-argument', `"${last.value} by" is SQL; in SPL the fields to group by follow "by" alone`, last.span, [`${cmd.name} count by user (no GROUP); to order the result: | sort - count`]);
  }
  const parsed = parseAggregations(left, b);
  if (parsed.length === 0) throw b.err('bad-argument', `${cmd.name} needs at least one function, such as count`, cmd.span);
  const aggs = expandAggregations(parsed, rel, b);
  return { args, aggs, by: byFields(right, b, cmd.span) };
}

const stats: CommandCompiler = (cmd, rel, b) => {
  const { args, aggs, by } = statsArgs(cmd, b, rel);
  return groupBy(rel, b, aggs, by, args.bool('dedup_splitvals', false));
};

const eventstats: CommandCompiler = (cmd, rel, b) => {
  const { aggs, by } = statsArgs(cmd, b, rel);
  const { input: keyed, keyCols, keys } = withKeys(rel, b, by, false);
  const lists = keyCols.filter((_k, i) => keys[i]!.type === 'mv'); // in each value's group, as stats puts it
  if (lists.length) b.notes.push('eventstats by a multivalue field: a result holding several of its values gets no statistics here (each value\'s group still counts it)');
  const one = (k: string): IrExpr => caseOf([{ when: call('eq', [call('len', [column(k, 'mv')], 'int'), int(1)], 'bool'), then: call('list_get', [column(k, 'mv'), int(1)], 'string') }], null, 'string');
  const input = lists.length ? b.step({ kind: 'extend', input: keyed.id, columns: lists.map((k) => ({ name: k, expr: one(k) })) }, same(keyed)) : keyed;
  const split = splitLists(keyed, b, lists);
  const aggCols = aggs.map((a) => ({ name: a.name, expr: compileAggregate(a, split, b) }));
  const grouped = b.step({ kind: 'aggregate', input: split.id, groups: keyCols.map((k) => ({ name: k, expr: column(k, 'string') })), aggregates: aggCols });
  const on = all(keyCols.map((k) => call('eq', [sideColumn('l', k, 'string'), sideColumn('r', k, 'string')], 'bool')));
  const columns = aggCols.map((a) => ({ name: a.name, expr: sideColumn('r', a.name, a.expr.type) }));
  const fields = withFields(rel, aggCols.map(({ name, expr }) => [name, made(fieldType(expr.type))]));
  const join = { kind: 'join' as const, left: input.id, right: grouped.id, type: 'left' as const, on, columns, leftAll: true, leftDrop: [...aggCols.map((a) => a.name), ...keyCols] };
  return b.step(join, { fields, raw: rel.raw, removed: rel.removed });
};

const RESET = column('__reset', 'number');
const hasAll = (keys: IrExpr[]): IrExpr => all(keys.map((k) => call('is_not_null', [k], 'bool')));
const oneIf = (cond: IrExpr): IrExpr => caseOf([{ when: call('coalesce', [cond, lit(false)], 'bool'), then: int(1) }], int(0), 'int');
const runningSum = (v: IrExpr, end: number): IrExpr => aggregate('sum', [v], 'number', { over: { partition: [], order: [{ expr: SEQ, desc: false, nulls: 'last' }], frame: { start: null, end } } });

/**
 * streamstats' resets as a segment number per row: every statistic restarts where it grows.
 * reset_on_change: where a by-field's value differs from the previous result's; reset_before:
 * at a result where the condition holds; reset_after: at the result after one where it holds.
 */
function resetSegments(args: Args, by: string[], aggs: Aggregation[], rel: Relation, b: Builder): Relation | null {
  const marks: IrExpr[] = [];
  if (args.bool('reset_on_change', false) && by.length) {
    // Only a result with every by-field resets, against the last such one (the page: others are ignored).
    const keys = by.map((f) => fieldRef(f, { rel, b }));
    const whole = hasAll(keys);
    const prev = (k: IrExpr) => aggregate('lag', [k], k.type, { over: { partition: [whole], order: [{ expr: SEQ, desc: false, nulls: 'last' }] } });
    marks.push(oneIf(call('and', [whole, keys.map((k) => call('is_distinct', [k, prev(k)], 'bool')).reduce((x, y) => call('or', [x, y], 'bool'))], 'bool')));
  }
  const condition = (key: 'reset_before' | 'reset_after'): IrExpr | null => {
    const o = args.options.get(key);
    if (!o) return null;
    const parsed = parseExpression(o.value);
    const first = parsed.diagnostics[0];
    if (first || !parsed.expr) throw b.err('bad-argument', `cannot read ${key}=${JSON.stringify(o.value)}: ${first?.message ?? 'no expression'}`, o.span);
    // Splunk tests reset_after after the event's statistics: a condition on them needs each
    // reset to feed the next, which one pass of window functions cannot do.
    const own = [...fieldsOf(parsed.expr)].find((f) => aggs.some((a) => a.name === f));
    if (own !== undefined) throw b.err('bad-argument', `${key} on ${own}, a statistic this streamstats computes, is not supported yet: the condition may read the events' own fields`, o.span);
    return oneIf(toBool(compileExpr(parsed.expr, { rel, b })));
  };
  const before = condition('reset_before');
  if (before) marks.push(before);
  const after = condition('reset_after');
  if (!marks.length && !after) return null;
  // The marks first (lag is a window function, which cannot sit inside the running sum).
  const markColumns: Column[] = [];
  if (marks.length) markColumns.push({ name: '__mark', expr: marks.reduce((x, y) => call('add', [x, y], 'int')) });
  if (after) markColumns.push({ name: '__mark_after', expr: after });
  const marked = b.step({ kind: 'extend', input: rel.id, columns: markColumns }, same(rel));
  const parts: IrExpr[] = [];
  if (marks.length) parts.push(runningSum(column('__mark', 'int'), 0));
  if (after) parts.push(call('coalesce', [runningSum(column('__mark_after', 'int'), -1), int(0)], 'number'));
  const segment = parts.reduce((x, y) => call('add', [x, y], 'number'));
  return b.step({ kind: 'extend', input: marked.id, columns: [{ name: '__reset', expr: segment }], drop: markColumns.map((c) => c.name) }, same(rel));
}

const streamstats: CommandCompiler = (cmd, rel, b) => {
  const { args, aggs, by } = statsArgs(cmd, b, rel);
  const [current, window] = [args.bool('current', true), args.int('window', 0)];
  const segmented = resetSegments(args, by, aggs, rel, b);
  if (segmented) rel = segmented;
  const partition = [...(segmented ? [RESET] : []), ...by.map((f) => fieldRef(f, { rel, b }))];
  if (partition.some((k) => k.type === 'mv')) b.notes.push('streamstats by a multivalue field: the values a result holds are one group here, not a group per value as stats makes');
  const seconds = timeWindowSeconds(args, b);
  // Splunk's default global=true: with by-fields, window=N is the last N results of the stream
  // (each result's statistics over those of them in its group), not N results per group.
  const shared = window > 0 && by.length > 0 && args.bool('global', true);
  if (shared && seconds !== undefined) {
    throw b.err('bad-argument', 'streamstats with time_window=, window= and by-fields is supported with global=false only (a window per group)', cmd.span);
  }
  const timed = seconds === undefined ? undefined : timeWindow(rel, b, partition, seconds, current, window);
  if (timed) rel = timed.rel;
  const stream = shared ? streamPosition(rel, b) : undefined;
  if (stream) rel = stream.rel;
  const over: Window = {
    partition,
    order: [{ expr: stream ? stream.position : SEQ, desc: false, nulls: 'last' }],
    frame: { start: timed ? timed.start : window > 0 ? -(current ? window - 1 : window) : null, end: current ? 0 : -1, ...(stream ? { range: true } : {}) },
  };
  const running = window === 0 && !timed ? firstSeenMarks(aggs, rel, b, over) : { rel, marks: new Map<number, IrExpr>() };
  // A result missing a by-field gets no statistics, as stats and eventstats leave it out.
  const whole = by.length ? hasAll(by.map((f) => fieldRef(f, { rel: running.rel, b }))) : null;
  const columns = aggs.map((a, i) => ({ name: a.name, expr: compileAggregate(a, running.rel, b, over, running.marks.get(i)) }))
    .map((c) => (whole ? { ...c, expr: caseOf([{ when: whole, then: c.expr }], nullOf(c.expr.type), c.expr.type) } : c));
  const drop = [...(segmented ? ['__reset'] : []), ...(timed ? ['__back'] : []), ...(stream ? [stream.drop] : []), ...[...running.marks.keys()].map((i) => `__first${i}`)];
  return b.step({ kind: 'extend', input: running.rel.id, columns, ...(drop.length ? { drop } : {}) });
};

/** time_window= in seconds (a span under a month), if given. */
function timeWindowSeconds(args: Args, b: Builder): number | undefined {
  const o = args.options.get('time_window');
  if (!o) return undefined;
  const span = parseSpan(o.value);
  if (!span?.seconds) throw b.err('bad-argument', `cannot use time_window=${o.value}: give seconds, minutes, hours, days or weeks (e.g. time_window=5m)`, o.span);
  return span.seconds;
}

function topRare(direction: 'DESC' | 'ASC'): CommandCompiler {
  return (cmd, rel, b) => {
    const args = new Args(generic(cmd, b), b, TOP_OPTIONS);
    let [left, right] = args.splitAt('by');
    let limit = args.int('limit', 10);
    const first = left[0];
    if (first && first.kind === 'word' && /^\d+$/.test(first.value)) {
      limit = Number(first.value);
      left = left.slice(1);
    }
    const fields = byFields(left, b);
    if (fields.length === 0) throw b.err('bad-argument', `${cmd.name} needs at least one field`, cmd.span);
    const by = byFields(right, b, cmd.span);
    const countField = args.option('countfield') ?? 'count';
    const percentField = args.option('percentfield') ?? 'percent';
    const grouped = groupBy(rel, b, [{ func: 'count', field: null, name: countField, span: cmd.span }], [...by, ...fields]);
    const col = (f: string) => column(f, grouped.fields.get(f)?.type ?? 'number');
    const count = col(countField);
    const partition = by.map(col);
    const asc = (f: string) => ({ expr: col(f), desc: false, nulls: 'last' as const });
    const byCount = { expr: count, desc: direction === 'DESC', nulls: 'last' as const };
    // Values with the same count: top takes the lexicographically last first (top page: with a
    // limit, of tied values only the last in lexicographic order is kept), rare the first.
    const tie = (f: string) => ({ expr: toString(col(f)), desc: direction === 'DESC', nulls: 'last' as const });
    const columns: Column[] = [...by, ...fields].map((f) => ({ name: f, expr: col(f) }));
    if (args.bool('showcount', true)) columns.push({ name: countField, expr: count });
    if (args.bool('showperc', true)) {
      const total = aggregate('sum', [count], 'number', { over: { partition, order: [] } });
      columns.push({ name: percentField, expr: call('round', [call('div', [call('mul', [count, lit(100, 'number')], 'number'), total], 'number'), int(6)], 'number') });
    }
    const outFields = new Map<string, FieldInfo>();
    for (const f of [...by, ...fields]) outFields.set(f, grouped.fields.get(f)!);
    if (args.bool('showcount', true)) outFields.set(countField, made('number'));
    if (args.bool('showperc', true)) outFields.set(percentField, made('number'));
    outFields.set('__seq', { type: 'number', origin: INTERNAL });
    columns.push({ name: '__seq', expr: rowNumber([...by.map(asc), byCount, ...fields.map(tie)]) });
    if (limit === 0) return b.step({ kind: 'project', input: grouped.id, columns }, { fields: outFields, raw: false, removed: new Set() });
    // The percent is of every value, so the values past the limit are dropped after it.
    columns.push({ name: '__rank', expr: rowNumber([byCount, ...fields.map(tie)], partition) });
    const ranked = b.step({ kind: 'project', input: grouped.id, columns });
    return b.step({ kind: 'filter', input: ranked.id, condition: call('le', [column('__rank', 'number'), int(limit)], 'bool') });
  };
}

export const STATS: CommandSpec[] = [
  {
    name: 'stats',
    options: STATS_ONLY_OPTIONS,
    keywords: ['by', 'as'],
    transforming: true,
    aggregations: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'Aggregates, one row per combination of the by-fields (rows missing a by-field are left out)', example: '* | stats count dc(src) as sources by user' },
    build: stats,
  },
  {
    name: 'eventstats',
    options: STATS_OPTIONS,
    keywords: ['by', 'as'],
    aggregations: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'Adds aggregates to every result without grouping them away', example: '* | eventstats count as user_calls by user' },
    build: eventstats,
  },
  {
    name: 'streamstats',
    options: STREAMSTATS_OPTIONS,
    keywords: ['by', 'as'],
    aggregations: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'Running aggregates in result order (`window`: the last N results, with by-fields one window for all groups unless `global=false`; `time_window` over results in time order, `current`, `reset_on_change`, `reset_before`, `reset_after`)', example: '* | streamstats count as n by user' },
    build: streamstats,
  },
  {
    name: 'top',
    options: TOP_OPTIONS,
    keywords: ['by'],
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'Most common values with count and percent (`limit`, `countfield`, `showperc`)', example: '* | top limit=5 eventName' },
    build: topRare('DESC'),
  },
  {
    name: 'rare',
    options: TOP_OPTIONS,
    keywords: ['by'],
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'Least common values', example: '* | rare eventSource' },
    build: topRare('ASC'),
  },
];

