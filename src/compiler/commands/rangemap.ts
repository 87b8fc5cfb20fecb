// rangemap: the names of the numeric ranges a field's value falls in, as the field `range`
// (Splunk Search Reference, rangemap): ranges are inclusive; a value in several overlapping
// ranges gets every name (multivalue); none, or not a number: default= (default "None").
import { Args } from '../args.js';
import { toNumber } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { call, caseOf, lit, type Expr } from '../ir/expr.js';
import { assign, generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

const OPTIONS: Options = { field: 'text', default: 'text' };
const RANGE = /^(-?\d+(?:\.\d+)?)-(-?\d+(?:\.\d+)?)$/;

const rangemap: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  const field = args.option('field');
  if (!field) throw b.err('bad-argument', 'rangemap needs field=<name>', cmd.span);
  const ranges: { name: string; lo: number; hi: number }[] = [];
  for (const item of args.items) {
    if (item.kind !== 'option' || item.op !== '=' || item.value.kind !== 'word') throw b.err('bad-argument', 'rangemap takes name=low-high ranges (e.g. low=0-10)', item.span);
    const m = RANGE.exec(item.value.value);
    if (!m || Number(m[1]) > Number(m[2])) throw b.err('bad-argument', `${item.key}= takes a range low-high with low <= high (e.g. 0-10, -5--1), not ${JSON.stringify(item.value.value)}`, item.value.span);
    ranges.push({ name: item.key, lo: Number(m[1]), hi: Number(m[2]) });
  }
  const fallback = lit(args.option('default') ?? 'None');
  const value = toNumber(fieldRef(field, { rel, b }));
  const inRange = (r: { lo: number; hi: number }): Expr =>
    call('and', [call('ge', [value, lit(r.lo)], 'bool'), call('le', [value, lit(r.hi)], 'bool')], 'bool');
  const overlap = ranges.some((r, i) => ranges.some((s, j) => i < j && r.lo <= s.hi && s.lo <= r.hi));
  if (!overlap) {
    return assign(rel, b, [['range', caseOf(ranges.map((r) => ({ when: inRange(r), then: lit(r.name) })), fallback, 'string')]]);
  }
  // Every matching name, in the order given; the default when none matches.
  const names = ranges.map((r) => caseOf([{ when: inRange(r), then: call('to_list', [lit(r.name)], 'mv') }], call('empty_list', [], 'mv'), 'mv'));
  const all = names.reduce((x, y) => call('list_concat', [x, y], 'mv'));
  const one = b.vars.share(all, (list) => caseOf([{ when: call('eq', [call('len', [list], 'int'), lit(0)], 'bool'), then: call('to_list', [fallback], 'mv') }], list, 'mv'));
  return assign(rel, b, [['range', one]]);
};

export const RANGEMAP: CommandSpec[] = [
  {
    name: 'rangemap',
    options: OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Names the numeric range a field falls in, as `range` (overlapping ranges: every name)', example: '* | stats count by user | rangemap field=count low=0-9 high=10-1000 default=none' },
    build: rangemap,
  },
];
