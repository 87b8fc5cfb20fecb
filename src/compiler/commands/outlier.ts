// outlier, and anomalydetection method=iqr which performs like it: a number below
// Q1 - param * IQR (with uselower=true) or above Q3 + param * IQR of its field is an outlier;
// action=transform truncates it to that threshold ("000" before it with mark=true),
// action=remove drops its result.
// https://help.splunk.com/splunk-enterprise/search/spl-search-reference/10.0/search-commands/outlier
// Quartiles interpolate between values, as spelunk's perc does (docs/reference.md).
import type { Span } from '../../../grammar/ast.js';
import { Args } from '../args.js';
import { made, withFields, type Builder } from '../builder.js';
import { toNumber, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, caseOf, column, lit, type Expr } from '../ir/expr.js';
import type { Column } from '../ir/plan.js';
import type { FieldInfo, Relation } from '../types.js';
import { generic, same } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

const OUTLIER_OPTIONS: Options = {
  action: ['remove', 'rm', 'transform', 'tf'],
  mark: 'bool',
  param: 'text',
  uselower: 'bool',
};

export interface OutlierSettings {
  remove: boolean;
  mark: boolean;
  param: number;
  uselower: boolean;
  fields: string[];
}

/** outlier's settings from its arguments: Splunk's defaults are transform, param=2.5, no mark, upper side only. */
export function outlierSettings(args: Args, rel: Relation, b: Builder, span: Span): OutlierSettings {
  const action = (args.option('action') ?? 'transform').toLowerCase();
  const paramOpt = args.options.get('param');
  const param = paramOpt ? Number(paramOpt.value) : 2.5;
  if (!Number.isFinite(param) || param < 0) throw b.err('bad-argument', `param= is a number of interquartile ranges, not ${JSON.stringify(paramOpt!.value)}`, paramOpt!.span);
  const named = args.words().map((w) => w.value);
  let fields = [...new Set(named)];
  if (!fields.length) {
    if (rel.raw) throw b.err('bad-argument', `${args.cmd.name} on events needs its fields named: spelunk does not guess which of an event's fields to use`, span);
    fields = [...rel.fields.keys()].filter((name) => !name.startsWith('_') && !rel.removed.has(name));
  }
  return { remove: action === 'remove' || action === 'rm', mark: args.bool('mark', false), param, uselower: args.bool('uselower', false), fields };
}

/** The plan of outlier with these settings over `rel`. */
export function outlierPlan(rel: Relation, b: Builder, s: OutlierSettings): Relation {
  if (!s.fields.length) return rel;
  const num = (name: string) => column(name, 'number');
  const n = (i: number) => num(`__ol_n${i}`);
  const q1 = (i: number) => num(`__ol_q1_${i}`);
  const q3 = (i: number) => num(`__ol_q3_${i}`);
  const hi = (i: number) => num(`__ol_hi${i}`);
  const lo = (i: number) => num(`__ol_lo${i}`);
  const quantile = (x: Expr, q: number) => aggregate('quantile_cont', [x, lit(q, 'number')], 'number', { over: { partition: [], order: [] } });
  const numbers = extend(b, rel, s.fields.map((f, i) => ({ name: `__ol_n${i}`, expr: toNumber(fieldRef(f, { rel, b })) })));
  const quartiles = extend(b, numbers, s.fields.flatMap((_f, i) => [{ name: `__ol_q1_${i}`, expr: quantile(n(i), 0.25) }, { name: `__ol_q3_${i}`, expr: quantile(n(i), 0.75) }]));
  const p = lit(s.param, 'number');
  const iqr = (i: number) => call('sub', [q3(i), q1(i)], 'number');
  const bounds = extend(
    b,
    quartiles,
    s.fields.flatMap((_f, i) => [
      { name: `__ol_hi${i}`, expr: call('add', [q3(i), call('mul', [p, iqr(i)], 'number')], 'number') },
      { name: `__ol_lo${i}`, expr: call('sub', [q1(i), call('mul', [p, iqr(i)], 'number')], 'number') },
    ]),
  );
  const above = (i: number) => call('gt', [n(i), hi(i)], 'bool');
  const below = (i: number) => call('lt', [n(i), lo(i)], 'bool');
  const internal = s.fields.flatMap((_f, i) => [`__ol_n${i}`, `__ol_q1_${i}`, `__ol_q3_${i}`, `__ol_hi${i}`, `__ol_lo${i}`]);
  if (s.remove) {
    const outlying = s.fields.map((_f, i) => call('coalesce', [s.uselower ? call('or', [above(i), below(i)], 'bool') : above(i), lit(false, 'bool')], 'bool'));
    const kept = b.step({ kind: 'filter', input: bounds.id, condition: call('not', [outlying.reduce((a, x) => call('or', [a, x], 'bool'))], 'bool') });
    return b.step({ kind: 'extend', input: kept.id, columns: [], drop: internal }, same(rel));
  }
  const fields: [string, FieldInfo][] = [];
  const columns = s.fields.map((f, i) => {
    const original = fieldRef(f, { rel, b });
    // With mark the values become text ("000" before a truncated one); otherwise a number stays
    // a number and text stays text.
    const asText = s.mark || original.type !== 'number';
    const shown = (x: Expr) => (asText ? (s.mark ? call('concat', [lit('000', 'string'), toString(x)], 'string') : toString(x)) : x);
    const whens = [{ when: above(i), then: shown(hi(i)) }, ...(s.uselower ? [{ when: below(i), then: shown(lo(i)) }] : [])];
    fields.push([f, made(asText ? 'string' : 'number')]);
    return { name: f, expr: caseOf(whens, asText ? toString(original) : original, asText ? 'string' : 'number') };
  });
  const transformed = b.step({ kind: 'extend', input: bounds.id, columns });
  return b.step({ kind: 'extend', input: transformed.id, columns: [], drop: internal }, { fields: withFields(rel, fields), raw: rel.raw, removed: rel.removed });
}

/**
 * Adds columns, known to the step's schema (so a later step can drop them): hidden `__` ones
 * as the compiler's own, others as fields the pipeline made.
 */
export function extend(b: Builder, input: Relation, columns: Column[]): Relation {
  return b.step({ kind: 'extend', input: input.id, columns });
}

const outlier: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OUTLIER_OPTIONS);
  return outlierPlan(rel, b, outlierSettings(args, rel, b, cmd.span));
};

export const OUTLIER: CommandSpec[] = [
  {
    name: 'outlier',
    options: OUTLIER_OPTIONS,
    rowPreserving: false,
    reference: {
      section: 'Statistics',
      summary: 'Truncates numbers above Q3 + `param` x IQR (default 2.5; below Q1 - `param` x IQR too with `uselower=t`) to that threshold, or drops their results (`action=remove`)',
      example: '* | stats count by user | outlier count',
    },
    build: outlier,
  },
];
