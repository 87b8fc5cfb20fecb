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
import { column } from '../ir/expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { dbl, ident } from '../sql.js';
import type { FieldInfo, Relation } from '../types.js';
import { generic, hasColumn } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

export const OUTLIER_OPTIONS: Options = {
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
  const n = (i: number) => `"__ol_n${i}"`;
  const q1 = (i: number) => `"__ol_q1_${i}"`;
  const q3 = (i: number) => `"__ol_q3_${i}"`;
  const numbers = b.add(
    `SELECT *, ${s.fields.map((f, i) => `${sql(toNumber(fieldRef(f, { rel, b })))} AS ${n(i)}`).join(', ')} FROM ${rel.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const quartiles = b.add(
    `SELECT *, ${s.fields.map((_f, i) => `quantile_cont(${n(i)}, 0.25) OVER () AS ${q1(i)}, quantile_cont(${n(i)}, 0.75) OVER () AS ${q3(i)}`).join(', ')} FROM ${numbers.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const p = dbl(s.param);
  const bounds = b.add(
    `SELECT *, ${s.fields.map((_f, i) => `${q3(i)} + ${p} * (${q3(i)} - ${q1(i)}) AS "__ol_hi${i}", ${q1(i)} - ${p} * (${q3(i)} - ${q1(i)}) AS "__ol_lo${i}"`).join(', ')} FROM ${quartiles.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const hi = (i: number) => `__ol_hi${i}`;
  const lo = (i: number) => `__ol_lo${i}`;
  const internal = s.fields.flatMap((_f, i) => [`__ol_n${i}`, `__ol_q1_${i}`, `__ol_q3_${i}`, hi(i), lo(i)]);
  const drop = ` EXCLUDE (${internal.map(ident).join(', ')})`;
  if (s.remove) {
    const outlying = s.fields.map((_f, i) => `coalesce(${n(i)} > ${ident(hi(i))}${s.uselower ? ` OR ${n(i)} < ${ident(lo(i))}` : ''}, false)`);
    return b.add(`SELECT *${drop} FROM ${bounds.name} WHERE NOT (${outlying.join(' OR ')})`, rel.fields, rel.raw, rel.removed);
  }
  const replace: string[] = [];
  const add: string[] = [];
  const fields: [string, FieldInfo][] = [];
  s.fields.forEach((f, i) => {
    const original = fieldRef(f, { rel, b });
    // With mark the values become text ("000" before a truncated one); otherwise a number stays
    // a number and text stays text.
    const asText = s.mark || original.type !== 'number';
    const shown = (x: string) => (asText ? `${s.mark ? `'000' || ` : ''}${sql(toString(column(x, 'number')))}` : ident(x));
    const keep = asText ? sql(toString(original)) : sql(original);
    const value = `CASE WHEN ${n(i)} > ${ident(hi(i))} THEN ${shown(hi(i))}${s.uselower ? ` WHEN ${n(i)} < ${ident(lo(i))} THEN ${shown(lo(i))}` : ''} ELSE ${keep} END`;
    (hasColumn(rel, f) ? replace : add).push(`${value} AS ${ident(f)}`);
    fields.push([f, made(asText ? 'string' : 'number')]);
  });
  const select = `*${drop}${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}${add.length ? `, ${add.join(', ')}` : ''}`;
  return b.add(`SELECT ${select} FROM ${bounds.name}`, withFields(rel, fields), rel.raw, rel.removed);
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
