// mvcombine: results identical except in one field become one result whose field holds every
// value, in result order (Splunk Search Reference, mvcombine). delim= is the separator a nomv
// right after it joins the values with (the Search Reference: "use the nomv command immediately
// after"); without it nomv joins with newlines.
import { Args } from '../args.js';
import { made, outputColumns } from '../builder.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, column } from '../ir/expr.js';
import type { FieldInfo } from '../types.js';
import { generic, project } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { INTERNAL } from '../ir/origin.js';

const OPTIONS: Options = { delim: 'text' };

/** The separator mvcombine delim= chose for a field of a relation, for the nomv right after. */
export const COMBINED_WITH = new WeakMap<object, Map<string, string>>();

const mvcombine: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'mvcombine takes one field', words[1]?.span ?? cmd.span);
  const name = words[0]!.value;
  const others = outputColumns(rel).filter((n) => n !== name);
  const value = fieldRef(name, { rel, b });
  const flat = project(rel, b, [...others.map((n): [string, ReturnType<typeof fieldRef>] => [n, fieldRef(n, { rel, b })]), [name, value]]);
  const SEQ = column('__seq', 'number');
  const v = column(name, value.type);
  const inOrder = { order: [{ expr: SEQ, desc: false, nulls: 'last' as const }], filter: call('is_not_null', [v], 'bool') };
  const values = value.type === 'mv' ? call('flatten', [aggregate('list_agg', [v], 'mv', inOrder)], 'mv') : aggregate('list_agg', [v], 'mv', inOrder);
  const fields = new Map<string, FieldInfo>();
  for (const n of others) fields.set(n, flat.fields.get(n) ?? made('string'));
  fields.set(name, made('mv'));
  const groups = others.map((n) => ({ name: n, expr: column(n, fields.get(n)!.type) }));
  const grouped = b.step({ kind: 'aggregate', input: flat.id, groups, aggregates: [{ name, expr: call('null_if_empty', [values], 'mv') }, { name: '__first', expr: aggregate('min', [SEQ], 'number') }] });
  const order = [{ expr: column('__first', 'number'), desc: false, nulls: 'last' as const }];
  const out = b.step({ kind: 'extend', input: grouped.id, columns: [{ name: '__seq', expr: aggregate('row_number', [], 'number', { over: { partition: [], order } }) }] },
    { fields: new Map([...fields, ['__seq', { type: 'number', origin: INTERNAL }]]), raw: false, removed: new Set() });
  const delim = args.option('delim');
  if (delim !== undefined) COMBINED_WITH.set(out.fields, new Map([[name, delim]]));
  return out;
};

export const MVCOMBINE: CommandSpec[] = [
  {
    name: 'mvcombine',
    options: OPTIONS,
    rowPreserving: false,
    transforming: true,
    reference: { section: 'Fields and values', summary: 'Merges results identical except in one field into one, that field multivalue', example: '* | stats count by user, eventName | fields user eventName | mvcombine eventName' },
    build: mvcombine,
  },
];
