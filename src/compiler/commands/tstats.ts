// tstats: statistics over a CIM data model (datamodels.ts) computed from the loaded CloudTrail.
// Splunk answers tstats from accelerated summaries; here every search reads the events, so
// summariesonly and allow_old_summaries change nothing. The where clause is search language: the
// parser gives it as a search expression (grammar/clauses.ts). As in Splunk, a name that is not a
// field of the data model is null (so `by` on it gives no rows).
import type { Arg, Command, SearchExpr, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import type { Builder } from '../builder.js';
import { eventsRelation } from '../events.js';
import { qualifiedName, type DataModel, type Dataset, type ModelField } from '../datamodels.js';
import { NULL } from '../fields.js';
import { toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { call, lit, type Expr as IrExpr } from '../ir/expr.js';
import { compileSearchExpr } from '../search.js';
import { parseSpan } from '../time.js';
import { conjuncts, rangeModifiers } from '../search-range.js';
import type { Relation } from '../types.js';
import { assign, generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { bucket } from './time-buckets.js';
import { datasetEvents, fieldValue, resolveTarget, unmappedModel } from './model-dataset.js';
import { byFields, groupBy, parseAggregations, type Aggregation } from './stats.js';

const OPTIONS: Options = {
  summariesonly: { ignored: 'every search reads the events; there are no summaries' },
  allow_old_summaries: { ignored: 'every search reads the events; there are no summaries' },
  fillnull_value: 'text',
  span: 'text',
  datamodel: 'text',
  nodename: 'text',
  prestats: { unsupported: 'tstats gives its final results' },
  local: { ignored: 'one machine' },
  append: { unsupported: 'tstats makes its own results: start the search with it' },
  chunk_size: { ignored: 'one machine' },
  include_reduced_buckets: { ignored: 'every search reads the events' },
};

/** Fields tstats has whatever the data model: index-time fields. */
const INDEXED = new Set(['_time', 'index', 'source', 'sourcetype', 'host', 'splunk_server']);

/** Field names a search expression reads, with their spans. */
function searchFields(e: SearchExpr, out: { name: string; span: Span }[]): void {
  if (e.kind === 'and' || e.kind === 'or') e.items.forEach((i) => searchFields(i, out));
  else if (e.kind === 'not') searchFields(e.item, out);
  else if (e.kind === 'compare' || e.kind === 'in') out.push({ name: e.field, span: e.fieldSpan });
}

/** Splunk's time modifiers in a where clause are not fields. */
const TIME_TERMS = new Set(['earliest', 'latest', '_index_earliest', '_index_latest']);

/**
 * The clause without the earliest=/latest= that set the search's range: the events read are
 * bounded by it already (compile.ts, search-range.ts), as a search's own are.
 */
function withoutRange(condition: SearchExpr, b: Builder): SearchExpr | null {
  const items = conjuncts(condition);
  const range = new Set<SearchExpr>(rangeModifiers(items, b.options.now).map((m) => m.term));
  if (!range.size) return condition;
  const rest = items.filter((e) => !range.has(e));
  return rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'and', items: rest, span: condition.span };
}

/** Every field of the model by its tstats name, with the dataset that defines it. */
function modelFields(model: DataModel): Map<string, { dataset: Dataset; field: ModelField }> {
  const out = new Map<string, { dataset: Dataset; field: ModelField }>();
  for (const d of model.datasets) for (const f of d.fields) out.set(qualifiedName(model, d, f), { dataset: d, field: f });
  return out;
}

/**
 * Options written inside the where clause (Splunk's syntax has `from datamodel=X where
 * nodename=X.Y`) are options; the rest of the clause is the condition.
 */
function splitClause(g: Extract<Command, { kind: 'generic' }>): Extract<Command, { kind: 'generic' }> {
  const args = g.args.flatMap((a): Arg[] => {
    if (a.kind !== 'clause' || !a.expr) return [a];
    const items = a.expr.kind === 'and' ? a.expr.items : [a.expr];
    const isOption = (e: SearchExpr) => e.kind === 'compare' && e.op === '=' && Object.hasOwn(OPTIONS, e.field.toLowerCase());
    const options = items.filter(isOption).map((e): Arg => {
      const c = e as Extract<SearchExpr, { kind: 'compare' }>;
      return { kind: 'option', key: c.field, op: '=', value: { kind: 'word', value: c.value.value, quoted: c.value.quoted, span: c.value.span }, span: c.span };
    });
    const rest = items.filter((e) => !isOption(e));
    const expr: SearchExpr | null = rest.length === 0 ? null : rest.length === 1 ? rest[0]! : { kind: 'and', items: rest, span: { start: rest[0]!.span.start, end: rest[rest.length - 1]!.span.end } };
    return [{ ...a, expr }, ...options];
  });
  return { ...g, args };
}

const tstats: CommandCompiler = (cmd, rel, b) => {
  const g = splitClause(generic(cmd, b));
  if (rel.name !== 'none') throw b.err('bad-argument', 'tstats makes its own results: start the search with it (| tstats ...)', cmd.nameSpan);
  const args = new Args(g, b, OPTIONS);

  const at = (word: string) => args.items.findIndex((a) => a.kind === 'word' && !a.quoted && a.value.toLowerCase() === word);
  const fromAt = at('from');
  const whereAt = args.items.findIndex((a) => a.kind === 'clause');
  const byAt = at('by');
  const marks = [fromAt, whereAt, byAt].filter((i) => i >= 0);
  const aggItems = args.items.slice(0, marks.length ? Math.min(...marks) : args.items.length);
  const aggs = parseAggregations(aggItems, b);
  if (aggs.length === 0) throw b.err('bad-argument', 'tstats needs at least one function, such as count', cmd.span);
  // Splunk's tstats aggregates indexed fields only: no eval expressions.
  const withEval = aggs.find((a) => a.expr);
  if (withEval) throw b.err('bad-argument', 'tstats functions take data model fields, not eval(...): use stats for eval expressions', withEval.span);
  if (whereAt >= 0 && byAt >= 0 && byAt < whereAt) throw b.err('bad-argument', 'write tstats ... where <condition> before by <fields>', args.items[whereAt]!.span);
  if (fromAt >= 0) {
    const next = args.items[fromAt + 1];
    if (next && fromAt + 1 !== whereAt && fromAt + 1 !== byAt) throw b.err('bad-argument', `expected datamodel=<Model> after "from", found ${describe(next)}`, next.span);
    if (!args.options.has('datamodel')) throw b.err('bad-argument', 'expected datamodel=<Model> after "from"', args.items[fromAt]!.span);
  }

  const dm = args.options.get('datamodel');
  const nodename = args.options.get('nodename');
  // A CIM model Splunk defines that spelunk does not map to CloudTrail has no events here: no rows
  // (a count of 0), with a note, as a Splunk search over a model with no events gives.
  const unmapped = dm ? unmappedModel(dm.value, b) : undefined;
  const target = dm && !unmapped ? resolveTarget(dm.value, dm.span, b, nodename) : null;

  const clause = whereAt >= 0 ? args.items[whereAt]! : undefined;
  if (clause?.kind === 'clause' && !clause.expr && !g.args.some((a) => a.kind === 'option' && a.span.start > clause.span.start && a.key.toLowerCase() === 'nodename')) {
    throw b.err('bad-argument', 'expected a search condition after "where"', clause.keywordSpan, ['| tstats count from datamodel=Authentication where Authentication.action=failure']);
  }
  const condition = clause?.kind === 'clause' ? clause.expr : null;
  const by = byAt >= 0 ? byFields(args.items.slice(byAt + 1), b) : [];
  const bySpans = byAt >= 0 ? args.items.slice(byAt + 1).map((a) => a.span) : [];

  const used: { name: string; span: Span }[] = [];
  if (condition) searchFields(condition, used);
  by.forEach((name, i) => used.push({ name, span: bySpans[i]! }));
  aggs.forEach((a: Aggregation) => a.field !== null && used.push({ name: a.field, span: a.span }));

  // The events of the dataset, with the model's fields the search uses (null for names the model lacks).
  let base: Relation;
  if (target) {
    base = datasetEvents(target, b);
    const fields = modelFields(target.model);
    const wanted = [...new Set(used.map((u) => u.name))].filter((n) => !INDEXED.has(n) && !TIME_TERMS.has(n));
    const values: [string, IrExpr][] = wanted.map((n) => {
      const entry = fields.get(n);
      return [n, entry ? fieldValue(target, entry, base, b) : NULL];
    });
    if (values.length) base = assign(base, b, values);
  } else if (unmapped) {
    base = eventsRelation(b, lit(false));
    const wanted = [...new Set(used.map((u) => u.name))].filter((n) => !INDEXED.has(n) && !TIME_TERMS.has(n));
    if (wanted.length) base = assign(base, b, wanted.map((n) => [n, NULL]));
  } else {
    base = eventsRelation(b);
  }
  const filter = condition && withoutRange(condition, b);
  if (filter) base = b.step({ kind: 'filter', input: base.id, condition: compileSearchExpr(filter, base, b) });

  // span= buckets _time when it is a by-field; fillnull_value keeps rows whose by-field is null.
  const span = args.options.get('span');
  const prepared: [string, IrExpr][] = [];
  if (span) {
    const parsed = parseSpan(span.value);
    if (!parsed) throw b.err('bad-argument', `cannot read span=${span.value}`, span.span, ['examples: span=1h, span=30m, span=1d']);
    if (by.includes('_time')) {
      const time = fieldRef('_time', { rel: base, b });
      prepared.push(['_time', bucket(time, parsed.months ? { months: parsed.months } : { seconds: parsed.seconds! }, b.vars)]);
    }
  }
  const fill = args.option('fillnull_value');
  if (fill !== undefined) {
    for (const f of by) {
      if (f === '_time') continue;
      const c = fieldRef(f, { rel: base, b });
      prepared.push([f, c.type === 'mv' ? call('coalesce', [c, call('list', [lit(fill)], 'mv')], 'mv') : call('coalesce', [toString(c), lit(fill)], 'string')]);
    }
  }
  if (prepared.length) base = assign(base, b, prepared);
  return groupBy(base, b, aggs, by);
};

export const TSTATS: CommandSpec[] = [
  {
    name: 'tstats',
    options: OPTIONS,
    keywords: ['from', 'where', 'by', 'as'],
    generating: true,
    transforming: true,
    aggregations: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'Aggregates over a CIM data model (Authentication, Change); see [datamodels.md](datamodels.md)', example: '| tstats count from datamodel=Authentication where Authentication.action=failure by Authentication.user' },
    build: tstats,
  },
];
