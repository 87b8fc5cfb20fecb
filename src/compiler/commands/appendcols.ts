// appendcols: the subsearch's results as columns beside the results, row by row in order
// (Splunk Search Reference, appendcols): the first subsearch row with the first result, and so on;
// extra subsearch rows become rows of their own. A field both have keeps the main search's value
// unless override=t (a missing value takes the other side's).
import type { Pipeline } from '../../../grammar/ast.js';
import { Args } from '../args.js';
import { exclude, made, visibleFields } from '../builder.js';
import { ident } from '../sql.js';
import type { FieldInfo } from '../types.js';
import { fieldRef } from '../expr.js';
import { generic, hasColumn, project } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

const OPTIONS: Options = {
  override: 'bool',
  extendtimerange: { ignored: 'the subsearch has its own time range' },
  maxtime: { ignored: 'searches run to completion' },
  maxout: { unsupported: 'every subsearch row is used' },
  timeout: { ignored: 'searches run to completion' },
};

const appendcols: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  const subs = args.items.filter((a) => a.kind === 'subsearch');
  if (subs.length !== 1 || args.items.length !== 1) throw b.err('bad-argument', 'appendcols takes one subsearch in [brackets]', cmd.span);
  const override = args.bool('override', false);
  const sub0 = b.compileSub((subs[0] as { pipeline: Pipeline }).pipeline, b);
  const names = visibleFields(sub0);
  const sub = project(sub0, b, names.map((n) => [n, fieldRef(n, { rel: sub0, b })]));
  const main = b.add(`SELECT *, row_number() OVER (ORDER BY "__seq") AS "__arn" FROM ${rel.name}`, rel.fields, rel.raw, rel.removed);
  const right = b.add(`SELECT * EXCLUDE ("__seq"), row_number() OVER (ORDER BY "__seq") AS "__brn" FROM ${sub.name}`, sub.fields, false);
  const both = names.filter((n) => hasColumn(rel, n));
  const fields = new Map<string, FieldInfo>(rel.fields);
  const select = [`m.*${exclude([...both, '__seq', '__arn'])}`];
  for (const n of names) {
    const type = sub.fields.get(n)?.type ?? 'string';
    if (both.includes(n)) {
      const mine = rel.fields.get(n)?.type ?? 'string';
      // Both sides as text unless they agree, so a number and a string never meet in coalesce.
      const [l, r] = mine === type ? [`m.${ident(n)}`, `r.${ident(n)}`] : [`CAST(m.${ident(n)} AS VARCHAR)`, `CAST(r.${ident(n)} AS VARCHAR)`];
      select.push(`coalesce(${override ? `${r}, ${l}` : `${l}, ${r}`}) AS ${ident(n)}`);
      fields.set(n, made(mine === type ? type : 'string'));
    } else {
      select.push(`r.${ident(n)}`);
      fields.set(n, made(type));
    }
  }
  select.push('coalesce(m."__arn", r."__brn") AS "__seq"');
  return b.add(`SELECT ${select.join(', ')}\n  FROM ${main.name} m FULL JOIN ${right.name} r ON m."__arn" = r."__brn"`, fields, rel.raw, rel.removed);
};

export const APPENDCOLS: CommandSpec[] = [
  {
    name: 'appendcols',
    options: OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Adds the subsearch\'s results as columns, row by row (`override=t`: its values win)', example: '* | stats count | appendcols [search errorCode=* | stats count as errors]' },
    build: appendcols,
  },
];
