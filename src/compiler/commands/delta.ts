// delta: the difference between a numeric field and its value p results before (Splunk Search
// Reference, delta): in result order, written only where both are numbers; default name delta(x).
import { Args, fieldList } from '../args.js';
import { toNumber } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { call } from '../ir/expr.js';
import { assign, generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { previous } from './window.js';

const OPTIONS: Options = { p: 'int' };

const delta: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  const list = fieldList(args.items, b, 'delta');
  if (list.length !== 1) throw b.err('bad-argument', 'delta takes one field (optionally "as new_name")', cmd.span);
  const p = args.int('p', 1);
  if (p < 1) throw b.err('bad-argument', 'p= must be at least 1', args.options.get('p')!.span);
  const { name, as } = list[0]!;
  const value = toNumber(fieldRef(name, { rel, b }));
  // Null when either side is not a number: arithmetic on null is null.
  return assign(rel, b, [[as ?? `delta(${name})`, call('sub', [value, previous(value, p)], 'number')]]);
};

export const DELTA: CommandSpec[] = [
  {
    name: 'delta',
    options: OPTIONS,
    keywords: ['as'],
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'The difference from the value `p` results before (default 1), in result order', example: '* | timechart span=1h count | delta count as change' },
    build: delta,
  },
];
