// makecontinuous: bin a field (by default _time) and add a row for every empty bin between the
// first and the last, so a gap in the data shows as a row with no values instead of no row.
// https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/makecontinuous
import { Args } from '../args.js';
import { all, toNumber } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, column, int, lit, type Expr } from '../ir/expr.js';
import { parseSpan } from '../time.js';
import type { FieldInfo, Relation } from '../types.js';
import { capped } from './time-buckets.js';
import { generic, rowNumber, SEQ } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { COMPUTED, INTERNAL } from '../ir/origin.js';

const MAKECONTINUOUS_OPTIONS: Options = {
  span: 'text',
  start: 'text',
  end: 'text',
  bins: { unsupported: 'give span= (e.g. span=1h)' },
  minspan: { unsupported: 'give span= (e.g. span=1h)' },
  aligntime: { unsupported: 'bins align to multiples of the span' },
};

const makecontinuous: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, MAKECONTINUOUS_OPTIONS);
  const words = args.words();
  if (words.length > 1) throw b.err('bad-argument', 'makecontinuous takes one field', words[1]!.span);
  const field = words[0]?.value ?? '_time';
  const spanText = args.option('span');
  if (!spanText) throw b.err('bad-argument', 'makecontinuous needs span= (e.g. span=1h, or span=10 for a number)', cmd.span);
  const span = parseSpan(spanText);
  if (!span || !span.seconds) {
    throw b.err('bad-argument', `makecontinuous cannot use span=${spanText}: give seconds, minutes, hours, days or a number`, args.options.get('span')!.span);
  }
  const bound = (key: 'start' | 'end'): number | undefined => {
    const o = args.options.get(key);
    if (!o) return undefined;
    const n = Number(o.value);
    if (!Number.isFinite(n)) throw b.err('bad-argument', `${key}= must be a number, not ${JSON.stringify(o.value)}`, o.span);
    return n;
  };
  const start = bound('start');
  const end = bound('end');
  const step = int(span.seconds);
  const value = toNumber(fieldRef(field, { rel, b }));
  const bucket = (x: Expr) => call('mul', [call('floor', [call('div', [x, step], 'number')], 'number'), step], 'number');
  const out = column(field, 'number');
  // Existing rows get their value binned; rows outside [start, end] are dropped, as Splunk does.
  const keep = [
    ...(start === undefined ? [] : [call('ge', [value, lit(start, 'number')], 'bool')]),
    ...(end === undefined ? [] : [call('le', [value, lit(end, 'number')], 'bool')]),
  ];
  const kept = keep.length ? b.step({ kind: 'filter', input: rel.id, condition: all(keep) }) : rel;
  const binned = b.step({ kind: 'extend', input: kept.id, columns: [{ name: field, expr: bucket(value) }] }, { fields: binnedFields(rel, field), raw: rel.raw, removed: rel.removed });
  // The bins between the first and the last (or start= and end=) that no row has.
  const fixed = (n: number) => lit(Math.floor(n / span.seconds!) * span.seconds!, 'number');
  const bounds = b.step(
    { kind: 'aggregate', input: binned.id, groups: [], aggregates: [{ name: 'lo', expr: start === undefined ? aggregate('min', [out], 'number') : fixed(start) }, { name: 'hi', expr: end === undefined ? aggregate('max', [out], 'number') : fixed(end) }] },
    { fields: new Map([['lo', NUMBER], ['hi', NUMBER]]), raw: false, removed: new Set() },
  );
  const lo = column('lo', 'number');
  const hi = column('hi', 'number');
  const known = b.step({ kind: 'filter', input: bounds.id, condition: all([call('is_not_null', [lo], 'bool'), call('is_not_null', [hi], 'bool')]) });
  const count = call('add', [call('to_bigint', [call('round', [call('div', [call('sub', [hi, lo], 'number'), step], 'number')], 'number')], 'int'), int(1)], 'int');
  // The same cap as timechart: a span far smaller than the data's range would build millions of rows.
  const capAt = start === undefined && end === undefined ? 'buckets from the first value to the last' : 'buckets between start= and end=';
  const every = call('add', [call('mul', [call('unnest', [call('range', [int(0), capped(count, 'makecontinuous', capAt)], 'list')], 'int'), step], 'number'), lo], 'number');
  const bins = b.step({ kind: 'project', input: known.id, columns: [{ name: field, expr: every }] });
  const taken: Expr = { kind: 'in_rows', values: [out], step: binned.id, select: [out], where: call('is_not_null', [out], 'bool'), type: 'bool' };
  const empty = b.step({ kind: 'filter', input: bins.id, condition: call('not', [taken], 'bool') });
  const filled = b.step({ kind: 'union', left: binned.id, right: empty.id }, { fields: binned.fields, raw: rel.raw, removed: binned.removed });
  // Empty bins sort after the rows of their bin's neighbours by value: the result is ordered by
  // the field, as chart and timechart expect.
  return b.step({ kind: 'extend', input: filled.id, columns: [{ name: '__seq', expr: rowNumber([{ expr: out, desc: false, nulls: 'last' }, { expr: SEQ, desc: false, nulls: 'last' }]) }] });
};

const NUMBER: FieldInfo = { type: 'number', origin: INTERNAL };

export const MAKECONTINUOUS: CommandSpec[] = [
  {
    name: 'makecontinuous',
    options: MAKECONTINUOUS_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Fields and values', summary: 'Bins a field (default `_time`) by `span=` and adds a row for every empty bin between the first and the last (`start=`/`end=` bound it)', example: '| tstats count where eventName=RunInstances by _time span=1h | makecontinuous _time span=1h' },
    build: makecontinuous,
  },
];

/** The relation's fields with `field` a number, in its place if it was there already. */
function binnedFields(rel: Relation, field: string): Map<string, FieldInfo> {
  const fields = new Map(rel.fields);
  fields.set(field, { type: 'number', origin: COMPUTED });
  return fields;
}
