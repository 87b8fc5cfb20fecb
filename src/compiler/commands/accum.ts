// accum: a running total of a numeric field (Splunk Search Reference, accum: "for each event
// where field is a number"); on the other events the target keeps what it had.
import { Args, fieldList } from '../args.js';
import { toNumber, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { caseOf, call } from '../ir/expr.js';
import { assign, generic } from './relation.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec } from './spec.js';
import { running } from './window.js';

const accum: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, NO_OPTIONS);
  const list = fieldList(args.items, b, 'accum');
  if (list.length !== 1) throw b.err('bad-argument', 'accum takes one field (optionally "as new_name")', cmd.span);
  const { name, as } = list[0]!;
  const target = as ?? name;
  const field = fieldRef(name, { rel, b });
  const value = toNumber(field);
  const sum = running('sum', value, 'number');
  const numeric = call('is_not_null', [value], 'bool');
  // In place, a value that is not a number stays as it was (so a text field stays text).
  const total = as || field.type === 'number'
    ? caseOf([{ when: numeric, then: sum }], as ? null : field, 'number')
    : caseOf([{ when: numeric, then: toString(sum) }], toString(field), 'string');
  return assign(rel, b, [[target, total]]);
};

export const ACCUM: CommandSpec[] = [
  {
    name: 'accum',
    options: NO_OPTIONS,
    keywords: ['as'],
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'A running total of a numeric field, in result order', example: '* | timechart span=1h count | accum count as running' },
    build: accum,
  },
];
