// autoregress: copies of a field's values from earlier results (Splunk Search Reference,
// autoregress): p=N or p=N-M, named x_pN unless one copy is renamed with "as".
import { Args, fieldList } from '../args.js';
import { fieldRef } from '../expr.js';
import { assign, generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { previous } from './window.js';

const OPTIONS: Options = { p: 'text' };

const autoregress: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  const list = fieldList(args.items, b, 'autoregress');
  if (list.length !== 1) throw b.err('bad-argument', 'autoregress takes one field (optionally "as new_name")', cmd.span);
  const { name, as } = list[0]!;
  const pText = args.option('p') ?? '1';
  const m = /^(\d+)(?:-(\d+))?$/.exec(pText);
  const from = m ? Number(m[1]) : NaN;
  const to = m?.[2] !== undefined ? Number(m[2]) : from;
  const pSpan = args.options.get('p')?.span ?? cmd.span;
  if (!m || from < 1 || to < from) throw b.err('bad-argument', `p= takes a number or a range such as 2-4, not ${JSON.stringify(pText)}`, pSpan);
  if (as && to !== from) throw b.err('bad-argument', 'autoregress "as" names one copy: it cannot be used with a range p=', pSpan);
  const value = fieldRef(name, { rel, b });
  const copies: [string, ReturnType<typeof previous>][] = [];
  for (let p = from; p <= to; p++) copies.push([as ?? `${name}_p${p}`, previous(value, p)]);
  return assign(rel, b, copies);
};

export const AUTOREGRESS: CommandSpec[] = [
  {
    name: 'autoregress',
    options: OPTIONS,
    keywords: ['as'],
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Copies a field\'s value from `p` results before (`p=2-4`: several copies `x_p2`..`x_p4`)', example: '* | timechart span=1h count | autoregress count p=1-2' },
    build: autoregress,
  },
];
