// strcat: fields and quoted strings joined into the last field named (Splunk Search Reference,
// strcat): a missing field is empty, unless allrequired=t, when the target is written only if
// every field named exists.
import { Args } from '../args.js';
import { toString } from '../build/coerce.js';
import { fieldRef, priorValue } from '../expr.js';
import { call, caseOf, lit, type Expr } from '../ir/expr.js';
import { assign, generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

const OPTIONS: Options = { allrequired: 'bool' };

const strcat: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  const words = args.words();
  const target = words.pop();
  if (!target || words.length === 0) throw b.err('bad-argument', 'strcat needs the fields or quoted strings to join, then the field to write', cmd.span);
  if (target.quoted) throw b.err('bad-argument', 'the last argument of strcat is the field to write, not a quoted string', target.span);
  const fields: Expr[] = [];
  const parts = words.map((w) => {
    if (w.quoted) return lit(w.value);
    const value = toString(fieldRef(w.value, { rel, b }));
    fields.push(value);
    return call('coalesce', [value, lit('')], 'string');
  });
  const joined = parts.reduce((x, y) => call('concat', [x, y], 'string'));
  if (!args.bool('allrequired', false) || fields.length === 0) return assign(rel, b, [[target.value, joined]]);
  const all = fields.map((f) => call('is_not_null', [f], 'bool')).reduce((x, y) => call('and', [x, y], 'bool'));
  const before = priorValue(target.value, { rel, b });
  return assign(rel, b, [[target.value, caseOf([{ when: all, then: joined }], toString(before), 'string')]]);
};

export const STRCAT: CommandSpec[] = [
  {
    name: 'strcat',
    options: OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Joins fields and quoted strings into a new field (the last one named)', example: '* | strcat eventSource ":" eventName call' },
    build: strcat,
  },
];
