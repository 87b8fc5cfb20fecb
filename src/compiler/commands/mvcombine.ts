// mvcombine: results identical except in one field become one result whose field holds every
// value, in result order (Splunk Search Reference, mvcombine). delim= is the separator a nomv
// right after it joins the values with (the Search Reference: "use the nomv command immediately
// after"); without it nomv joins with newlines.
import { Args } from '../args.js';
import { made, outputColumns } from '../builder.js';
import { fieldRef } from '../expr.js';
import { ident } from '../sql.js';
import type { FieldInfo } from '../types.js';
import { generic, project } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

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
  const values = value.type === 'mv'
    ? `flatten(list(${ident(name)} ORDER BY "__seq") FILTER (WHERE ${ident(name)} IS NOT NULL))`
    : `list(${ident(name)} ORDER BY "__seq") FILTER (WHERE ${ident(name)} IS NOT NULL)`;
  const keys = others.map(ident);
  const grouped = b.add(`SELECT ${[...keys, `CASE WHEN len(${values}) > 0 THEN ${values} END AS ${ident(name)}`, 'min("__seq") AS "__first"'].join(', ')} FROM ${flat.name}${keys.length ? ` GROUP BY ${keys.join(', ')}` : ''}`, new Map(), false);
  const fields = new Map<string, FieldInfo>();
  for (const n of others) fields.set(n, flat.fields.get(n) ?? made('string'));
  fields.set(name, made('mv'));
  fields.set('__seq', { type: 'number', origin: 'event' });
  const out = b.add(`SELECT * EXCLUDE ("__first"), row_number() OVER (ORDER BY "__first") AS "__seq" FROM ${grouped.name}`, fields, false);
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
