// nomv: a multivalue field becomes one value, its values joined by newlines (Splunk Search
// Reference, nomv), or by mvcombine's delim= right before it. A field that is not multivalue is
// left as it is.
import { Args } from '../args.js';
import { fieldRef } from '../expr.js';
import { call, lit } from '../ir/expr.js';
import { COMBINED_WITH } from './mvcombine.js';
import { assign, generic } from './relation.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec } from './spec.js';

const nomv: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, NO_OPTIONS);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'nomv takes one field', words[1]?.span ?? cmd.span);
  const name = words[0]!.value;
  const value = fieldRef(name, { rel, b });
  if (value.type !== 'mv') return rel;
  const delim = COMBINED_WITH.get(rel.fields)?.get(name) ?? '\n';
  return assign(rel, b, [[name, call('array_to_string', [value, lit(delim)], 'string')]]);
};

export const NOMV: CommandSpec[] = [
  {
    name: 'nomv',
    options: NO_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Makes a multivalue field one value, its values joined by newlines', example: '* | stats values(eventName) as calls by user | nomv calls' },
    build: nomv,
  },
];
