// reverse: the results in the opposite order (Splunk Search Reference, reverse).
import { column } from '../ir/expr.js';
import { generic, assign } from './relation.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec } from './spec.js';
import { renumber } from './window.js';

const reverse: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const extra = g.args[0];
  if (extra) throw b.err('bad-argument', 'reverse takes no arguments', extra.span);
  return assign(rel, b, [['__seq', renumber([{ expr: column('__seq', 'number'), desc: true, nulls: 'last' }])]]);
};

export const REVERSE: CommandSpec[] = [
  {
    name: 'reverse',
    options: NO_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'The results in the opposite order (oldest event first)', example: '* eventName=ConsoleLogin | reverse | head 5' },
    build: reverse,
  },
];
