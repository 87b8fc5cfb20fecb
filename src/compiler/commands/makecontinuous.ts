// makecontinuous: bin a field (by default _time) and add a row for every empty bin between the
// first and the last, so a gap in the data shows as a row with no values instead of no row.
// https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/makecontinuous
import { Args } from '../args.js';
import { toNumber } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { dbl, ident, num } from '../sql.js';
import { parseSpan } from '../time.js';
import type { FieldInfo, Relation } from '../types.js';
import { generic, hasColumn } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

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
  const step = num(span.seconds);
  const value = sql(toNumber(fieldRef(field, { rel, b })));
  const bucket = (x: string) => `(floor(${x} / ${step}) * ${step})`;
  const out = ident(field);
  // Existing rows get their value binned; rows outside [start, end] are dropped, as Splunk does.
  const keep = [start === undefined ? '' : `${value} >= ${dbl(start)}`, end === undefined ? '' : `${value} <= ${dbl(end)}`].filter(Boolean);
  const where = keep.length ? ` WHERE ${keep.join(' AND ')}` : '';
  const select = hasColumn(rel, field) ? `* REPLACE (${bucket(value)} AS ${out})` : `*, ${bucket(value)} AS ${out}`;
  const binned: Relation = b.add(`SELECT ${select} FROM ${rel.name}${where}`, binnedFields(rel, field), rel.raw, rel.removed);
  const lo = start === undefined ? `min(${out})` : dbl(Math.floor(start / span.seconds) * span.seconds);
  const hi = end === undefined ? `max(${out})` : dbl(Math.floor(end / span.seconds) * span.seconds);
  // Empty bins sort after the rows of their bin's neighbours by value: the result is ordered by
  // the field, as chart and timechart expect.
  const filled = b.add(
    `SELECT * FROM ${binned.name}\n` +
      `UNION ALL BY NAME\n` +
      `SELECT g.v AS ${out} FROM (SELECT unnest(range(0, CAST(round((hi - lo) / ${step}) AS BIGINT) + 1)) * ${step} + lo AS v FROM (SELECT ${lo} AS lo, ${hi} AS hi FROM ${binned.name}) WHERE lo IS NOT NULL AND hi IS NOT NULL) g\n` +
      `WHERE g.v NOT IN (SELECT ${out} FROM ${binned.name} WHERE ${out} IS NOT NULL)`,
    binned.fields,
    rel.raw,
    binned.removed,
  );
  return b.add(`SELECT * REPLACE (row_number() OVER (ORDER BY ${out}, "__seq" NULLS LAST) AS "__seq") FROM ${filled.name}`, filled.fields, rel.raw, filled.removed);
};

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
  fields.set(field, { type: 'number', origin: 'made' });
  return fields;
}
