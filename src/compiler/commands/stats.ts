// Aggregating commands: stats, eventstats, streamstats, top, rare. One table maps each SPL
// aggregate to its DuckDB form; Splunk's output names (`count(user)`, `values(src)`) are kept.
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import { exclude, made, withFields, type Builder } from '../builder.js';
import { asNumber, asString, fieldRef } from '../expr.js';
import { ident, num } from '../sql.js';
import { nearest } from '../suggest.js';
import type { Compiled, FieldInfo, Relation } from '../types.js';
import { generic, hasColumn, sortTerms, type CommandCompiler } from './basic.js';

export interface Aggregation {
  func: string;
  field: string | null;
  /** Output column name: the `as` name or Splunk's default such as `count(user)`. */
  name: string;
  span: Span;
}

interface AggContext {
  value: Compiled | null;
  time: string;
  /** 'group' for GROUP BY, 'window' for window functions (no ORDER BY inside aggregates). */
  mode: 'group' | 'window';
  /**
   * `OVER (...)` in window mode, '' in group mode. It must follow the aggregate call itself:
   * `list_sort(list(x)) OVER w` is not valid SQL, `list_sort(list(x) OVER w)` is.
   */
  over: string;
}

type AggDef = (ctx: AggContext, param?: number) => Compiled;

const need = (c: AggContext): Compiled => c.value!;
const nonNull = (c: Compiled) => `FILTER (WHERE ${c.sql} IS NOT NULL)`;

function minMax(fn: 'min' | 'max'): AggDef {
  return (ctx) => {
    const v = need(ctx);
    if (v.type === 'number') return { sql: `${fn}(${v.sql})${ctx.over}`, type: 'number' };
    const s = asString(v);
    // Numbers win over strings, compared as numbers, as Splunk's min/max do.
    return { sql: `coalesce(spl_num2str(${fn}(TRY_CAST(${s} AS DOUBLE))${ctx.over}), ${fn}(${s})${ctx.over})`, type: 'string' };
  };
}

function numeric(fn: string): AggDef {
  return (ctx) => ({ sql: `${fn}(${asNumber(need(ctx))})${ctx.over}`, type: 'number' });
}

const AGGREGATES: Record<string, AggDef> = {
  count: (ctx) => {
    if (!ctx.value) return { sql: `count(*)${ctx.over}`, type: 'number' };
    if (ctx.value.type === 'mv') return { sql: `coalesce(sum(len(${ctx.value.sql}))${ctx.over}, 0)`, type: 'number' };
    return { sql: `count(${ctx.value.sql})${ctx.over}`, type: 'number' };
  },
  dc: (ctx) => {
    const v = need(ctx);
    if (v.type === 'mv') return { sql: `coalesce(len(list_distinct(flatten(list(${v.sql})${ctx.over}))), 0)`, type: 'number' };
    if (ctx.over) return { sql: `len(list_distinct(list(${v.sql})${ctx.over}))`, type: 'number' };
    return { sql: `count(DISTINCT ${v.sql})`, type: 'number' };
  },
  sum: numeric('sum'),
  avg: numeric('avg'),
  min: minMax('min'),
  max: minMax('max'),
  range: (ctx) => ({ sql: `(max(${asNumber(need(ctx))})${ctx.over} - min(${asNumber(need(ctx))})${ctx.over})`, type: 'number' }),
  median: numeric('median'),
  mode: (ctx) => ({ sql: `mode(${asString(need(ctx))})${ctx.over}`, type: 'string' }),
  stdev: numeric('stddev_samp'),
  stdevp: numeric('stddev_pop'),
  var: numeric('var_samp'),
  varp: numeric('var_pop'),
  sumsq: (ctx) => ({ sql: `sum(pow(${asNumber(need(ctx))}, 2))${ctx.over}`, type: 'number' }),
  perc: (ctx, p) => ({ sql: `quantile_cont(${asNumber(need(ctx))}, ${num((p ?? 50) / 100)})${ctx.over}`, type: 'number' }),
  earliest: (ctx) => {
    const v = need(ctx);
    return { sql: `arg_min(${v.sql}, ${ctx.time}) ${nonNull(v)}${ctx.over}`, type: v.type };
  },
  latest: (ctx) => {
    const v = need(ctx);
    return { sql: `arg_max(${v.sql}, ${ctx.time}) ${nonNull(v)}${ctx.over}`, type: v.type };
  },
  earliest_time: (ctx) => ({ sql: `min(${ctx.time}) ${nonNull(need(ctx))}${ctx.over}`, type: 'number' }),
  latest_time: (ctx) => ({ sql: `max(${ctx.time}) ${nonNull(need(ctx))}${ctx.over}`, type: 'number' }),
  first: (ctx) => {
    const v = need(ctx);
    return { sql: `arg_min(${v.sql}, "__seq") ${nonNull(v)}${ctx.over}`, type: v.type };
  },
  last: (ctx) => {
    const v = need(ctx);
    return { sql: `arg_max(${v.sql}, "__seq") ${nonNull(v)}${ctx.over}`, type: v.type };
  },
  values: (ctx) => {
    const v = need(ctx);
    const items = v.type === 'mv' ? `flatten(list(${v.sql}) ${nonNull(v)}${ctx.over})` : `list(${asString(v)}) ${nonNull(v)}${ctx.over}`;
    return { sql: `list_sort(list_distinct(${items}))`, type: 'mv' };
  },
  list: (ctx) => {
    const v = need(ctx);
    const order = ctx.mode === 'group' ? ' ORDER BY "__seq"' : '';
    const items = v.type === 'mv' ? `flatten(list(${v.sql}${order}) ${nonNull(v)}${ctx.over})` : `list(${asString(v)}${order}) ${nonNull(v)}${ctx.over}`;
    return { sql: `list_slice(${items}, 1, 100)`, type: 'mv' };
  },
};

const ALIASES: Record<string, string> = {
  c: 'count', distinct_count: 'dc', estdc: 'dc', mean: 'avg', p: 'perc', exactperc: 'perc', upperperc: 'perc',
};

export const AGGREGATE_NAMES = [...Object.keys(AGGREGATES), ...Object.keys(ALIASES), 'perc95', 'p95'];

function aggregateDef(func: string, span: Span, b: Builder): [AggDef, number | undefined] {
  const lower = func.toLowerCase();
  const pct = /^(perc|p|exactperc|upperperc)(\d+(?:\.\d+)?)$/.exec(lower);
  if (pct) return [AGGREGATES.perc!, Number(pct[2])];
  const name = ALIASES[lower] ?? lower;
  const def = AGGREGATES[name];
  if (!def) {
    const hints = nearest(lower, AGGREGATE_NAMES);
    throw b.err('unknown-function', `unknown stats function ${func}`, span, hints.length ? [`did you mean ${hints.join(', ')}?`] : undefined);
  }
  return [def, undefined];
}

/** Read `count, values(x) as y, dc(z)`: aggregations until `by`. */
export function parseAggregations(items: Arg[], b: Builder): Aggregation[] {
  const out: Aggregation[] = [];
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    let func: string;
    let field: string | null = null;
    if (a.kind === 'word' && !a.quoted) {
      func = a.value;
    } else if (a.kind === 'call' && a.name) {
      func = a.name;
      const inner = a.args.filter((x) => x.kind !== 'comma');
      if (inner.length !== 1 || inner[0]!.kind !== 'word') {
        const evalCall = inner[0]?.kind === 'call' && inner[0].name.toLowerCase() === 'eval';
        throw b.err('bad-argument', evalCall ? `${a.name}(eval(...)) is not supported yet: compute the value with eval first` : `${a.name}() takes one field`, a.span);
      }
      field = (inner[0] as { value: string }).value;
    } else {
      throw b.err('bad-argument', `expected a stats function such as count or values(field), found ${describe(a)}`, a.span);
    }
    aggregateDef(func, a.span, b);
    if (field === null && !/^(c|count)$/i.test(func)) throw b.err('bad-argument', `${func} needs a field: ${func}(field)`, a.span);
    let name = field === null ? func : `${func}(${field})`;
    const next = items[i + 1];
    if (next && next.kind === 'word' && !next.quoted && next.value.toLowerCase() === 'as') {
      const target = items[i + 2];
      if (!target || target.kind !== 'word') throw b.err('bad-argument', 'expected a name after "as"', next.span);
      name = target.value;
      i += 2;
    }
    out.push({ func, field, name, span: a.span });
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

function timeOf(rel: Relation, b: Builder): string {
  return fieldRef('_time', { rel, b }).sql;
}

export function compileAggregate(agg: Aggregation, rel: Relation, b: Builder, mode: 'group' | 'window', over = ''): Compiled {
  const [def, param] = aggregateDef(agg.func, agg.span, b);
  const value = agg.field === null ? null : fieldRef(agg.field, { rel, b });
  return def({ value, time: timeOf(rel, b), mode, over: mode === 'window' ? ` ${over}` : '' }, param);
}

/** Group rows by fields (rows missing a by-field are left out, as in Splunk) and aggregate. */
export function groupBy(rel: Relation, b: Builder, aggs: Aggregation[], by: string[]): Relation {
  let input = rel;
  const keys = by.map((f) => fieldRef(f, { rel, b }));
  const keyCols = by.map((_f, i) => `__by${i}`);
  // A multivalue by-field counts each value once, as if each were its own event.
  const select = keys.map((k, i) => (k.type === 'mv' ? `unnest(${k.sql}) AS "${keyCols[i]}"` : `${k.sql} AS "${keyCols[i]}"`));
  if (keys.length > 0) {
    input = b.add(`SELECT *, ${select.join(', ')} FROM ${rel.name}`, rel.fields, rel.raw, rel.removed);
  }
  const aggSql = aggs.map((a) => {
    const c = compileAggregate(a, input, b, 'group');
    return { name: a.name, c };
  });
  const fields = new Map<string, FieldInfo>();
  const cols: string[] = [];
  by.forEach((f, i) => {
    cols.push(`"${keyCols[i]}" AS ${ident(f)}`);
    fields.set(f, made(keys[i]!.type === 'mv' ? 'string' : keys[i]!.type));
  });
  for (const { name, c } of aggSql) {
    if (fields.has(name)) continue;
    cols.push(`${c.sql} AS ${ident(name)}`);
    fields.set(name, made(c.type));
  }
  const notNull = keyCols.map((k) => `"${k}" IS NOT NULL`).join(' AND ');
  const groupClause = keyCols.length ? `\n  GROUP BY ${keyCols.map((k) => `"${k}"`).join(', ')}` : '';
  const grouped = b.add(`SELECT ${cols.join(', ')} FROM ${input.name}${notNull ? ` WHERE ${notNull}` : ''}${groupClause}`, fields, false);
  // Splunk returns groups sorted by the by-fields.
  const order = by.flatMap((f) => sortTerms({ sql: ident(f), type: fields.get(f)!.type }, false));
  const withSeq = new Map(fields);
  withSeq.set('__seq', { type: 'number', origin: 'event' });
  return b.add(`SELECT *, row_number() OVER (${order.length ? `ORDER BY ${order.join(', ')}` : ''}) AS "__seq" FROM ${grouped.name}`, withSeq, false);
}

function statsArgs(cmd: Command, b: Builder) {
  const args = new Args(generic(cmd, b), b, ['allnum', 'delim', 'partitions', 'dedup_splitvals', 'current', 'window', 'global', 'reset_on_change', 'time_window', 'reset_before', 'reset_after']);
  const [left, right] = args.splitAt('by');
  const last = left[left.length - 1];
  if (right && last && last.kind === 'word' && !last.quoted && /^(group|order)$/i.test(last.value)) {
    throw b.err('bad-argument', `"${last.value} by" is SQL; in SPL the fields to group by follow "by" alone`, last.span, [`${cmd.name} count by user (no GROUP); to order the result: | sort - count`]);
  }
  const aggs = parseAggregations(left, b);
  if (aggs.length === 0) throw b.err('bad-argument', `${cmd.name} needs at least one function, such as count`, cmd.span);
  return { args, aggs, by: byFields(right, b, cmd.span) };
}

const stats: CommandCompiler = (cmd, rel, b) => {
  const { aggs, by } = statsArgs(cmd, b);
  return groupBy(rel, b, aggs, by);
};

const eventstats: CommandCompiler = (cmd, rel, b) => {
  const { aggs, by } = statsArgs(cmd, b);
  const keys = by.map((f) => fieldRef(f, { rel, b }));
  const keyCols = by.map((_f, i) => `__by${i}`);
  const input = keys.length ? b.add(`SELECT *, ${keys.map((k, i) => `${k.sql} AS "${keyCols[i]}"`).join(', ')} FROM ${rel.name}`, rel.fields, rel.raw, rel.removed) : rel;
  const aggCols = aggs.map((a) => ({ name: a.name, c: compileAggregate(a, input, b, 'group') }));
  const grouped = b.add(
    `SELECT ${[...keyCols.map((k) => `"${k}"`), ...aggCols.map(({ name, c }) => `${c.sql} AS ${ident(name)}`)].join(', ')} FROM ${input.name}${keyCols.length ? ` GROUP BY ${keyCols.map((k) => `"${k}"`).join(', ')}` : ''}`,
    new Map(),
    false,
  );
  const names = aggCols.map((a) => a.name);
  const drop = [...names.filter((n) => hasColumn(input, n)), ...keyCols];
  const on = keyCols.length ? keyCols.map((k) => `e."${k}" = g."${k}"`).join(' AND ') : 'true';
  const sql = `SELECT e.*${exclude(drop)}, ${names.map((n) => `g.${ident(n)}`).join(', ')}\n  FROM ${input.name} e LEFT JOIN ${grouped.name} g ON ${on}`;
  return b.add(sql, withFields(rel, aggCols.map(({ name, c }) => [name, made(c.type)])), rel.raw, rel.removed);
};

const streamstats: CommandCompiler = (cmd, rel, b) => {
  const { args, aggs, by } = statsArgs(cmd, b);
  const current = args.bool('current', true);
  const window = args.int('window', 0);
  const partition = by.length ? `PARTITION BY ${by.map((f) => fieldRef(f, { rel, b }).sql).join(', ')} ` : '';
  const end = current ? 'CURRENT ROW' : '1 PRECEDING';
  const start = window > 0 ? `${current ? window - 1 : window} PRECEDING` : 'UNBOUNDED PRECEDING';
  const over = `OVER (${partition}ORDER BY "__seq" ROWS BETWEEN ${start} AND ${end})`;
  const values: [string, Compiled][] = aggs.map((a) => {
    const c = compileAggregate(a, rel, b, 'window', over);
    return [a.name, c];
  });
  const fields: [string, FieldInfo][] = values.map(([n, c]) => [n, made(c.type)]);
  const replace = values.filter(([n]) => rel.fields.has(n));
  const add = values.filter(([n]) => !rel.fields.has(n));
  const star = `*${replace.length ? ` REPLACE (${replace.map(([n, c]) => `${c.sql} AS ${ident(n)}`).join(', ')})` : ''}`;
  return b.add(`SELECT ${[star, ...add.map(([n, c]) => `${c.sql} AS ${ident(n)}`)].join(', ')} FROM ${rel.name}`, withFields(rel, fields), rel.raw, rel.removed);
};

function topRare(direction: 'DESC' | 'ASC'): CommandCompiler {
  return (cmd, rel, b) => {
    const args = new Args(generic(cmd, b), b, ['limit', 'countfield', 'percentfield', 'showcount', 'showperc', 'useother', 'otherstr']);
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
    const partition = by.length ? `PARTITION BY ${by.map(ident).join(', ')} ` : '';
    const order = `${by.map((f) => ident(f) + ' ASC').concat([`${ident(countField)} ${direction}`], fields.map((f) => ident(f) + ' ASC')).join(', ')}`;
    const cols = [...by, ...fields].map(ident);
    if (args.bool('showcount', true)) cols.push(ident(countField));
    if (args.bool('showperc', true)) cols.push(`round(${ident(countField)} * 100.0 / sum(${ident(countField)}) OVER (${partition.trim()}), 6) AS ${ident(percentField)}`);
    const outFields = new Map<string, FieldInfo>();
    for (const f of [...by, ...fields]) outFields.set(f, grouped.fields.get(f)!);
    if (args.bool('showcount', true)) outFields.set(countField, made('number'));
    if (args.bool('showperc', true)) outFields.set(percentField, made('number'));
    outFields.set('__seq', { type: 'number', origin: 'event' });
    const limitClause = limit > 0 ? `\n  QUALIFY row_number() OVER (${partition}ORDER BY ${ident(countField)} ${direction}, ${fields.map(ident).join(', ')}) <= ${limit}` : '';
    return b.add(`SELECT ${cols.join(', ')}, row_number() OVER (ORDER BY ${order}) AS "__seq" FROM ${grouped.name}${limitClause}`, outFields, false);
  };
}

export const STATS: Record<string, CommandCompiler> = {
  stats,
  eventstats,
  streamstats,
  top: topRare('DESC'),
  rare: topRare('ASC'),
};

