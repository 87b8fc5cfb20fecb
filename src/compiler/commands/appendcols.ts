// appendcols: the subsearch's results as columns beside the results, row by row in order
// (Splunk Search Reference, appendcols,
// https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/appendcols):
// the first subsearch result is merged with the first result, the second with the second, and so
// on; subsearch results beyond the last result become results of their own. Internal fields of the
// subsearch (`_time`, `_raw`...) are not appended. A field both have keeps the main result's value
// unless override=t; a value missing on one side takes the other's.
import type { Pipeline } from '../../../grammar/ast.js';
import { Args } from '../args.js';
import { made, visibleFields, withFields } from '../builder.js';
import { coerce, fieldType, unify } from '../build/coerce.js';
import { fieldRef, priorValue } from '../expr.js';
import { call, sideColumn, type Expr } from '../ir/expr.js';
import type { Column } from '../ir/plan.js';
import type { FieldInfo } from '../types.js';
import { generic, hasColumn, project, rowNumber, SEQ } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { cappedSubsearch } from './subsearch.js';

const OPTIONS: Options = {
  override: 'bool',
  extendtimerange: { ignored: 'the subsearch has its own time range' },
  maxtime: { ignored: 'searches run to completion' },
  timeout: { ignored: 'searches run to completion' },
  maxout: 'int',
};

const BY_SEQ = [{ expr: SEQ, desc: false, nulls: 'last' as const }];

const appendcols: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  const subs = args.items.filter((a) => a.kind === 'subsearch');
  if (subs.length !== 1 || args.items.length !== 1) throw b.err('bad-argument', 'appendcols takes one subsearch in [brackets]', cmd.span);
  const override = args.bool('override', false);
  const sub0 = cappedSubsearch(b.compileSub((subs[0] as { pipeline: Pipeline }).pipeline, b), b, 'appendcols', args);
  const names = visibleFields(sub0).filter((n) => !n.startsWith('_'));

  // Each side numbered 1, 2, ... in its own order: the full join pairs equal numbers.
  const main = b.step({ kind: 'extend', input: rel.id, columns: [{ name: '__arn', expr: rowNumber(BY_SEQ) }] });
  const picked = project(sub0, b, names.map((n) => [n, fieldRef(n, { rel: sub0, b })]));
  const right = b.step({ kind: 'extend', input: picked.id, columns: [{ name: '__brn', expr: rowNumber(BY_SEQ) }] });

  const shared = names.filter((n) => hasColumn(rel, n));
  const columns: Column[] = [];
  const added: [string, FieldInfo][] = [];
  for (const n of names) {
    const theirs = sideColumn('r', n, right.fields.get(n)?.type ?? 'string');
    let value: Expr = theirs;
    if (shared.includes(n)) {
      const mine = sideColumn('l', n, priorValue(n, { rel, b }).type);
      const type = unify([mine, theirs]);
      const [first, second] = override ? [theirs, mine] : [mine, theirs];
      value = call('coalesce', [coerce(first, type), coerce(second, type)], type);
    }
    columns.push({ name: n, expr: value });
    added.push([n, made(fieldType(value.type))]);
  }
  columns.push({ name: '__seq', expr: call('coalesce', [sideColumn('l', '__arn', 'number'), sideColumn('r', '__brn', 'number')], 'number') });
  const fields = withFields(rel, added);
  const removed = new Set([...rel.removed].filter((n) => !names.includes(n)));
  return b.step(
    { kind: 'join', left: main.id, right: right.id, type: 'full', on: call('eq', [sideColumn('l', '__arn', 'number'), sideColumn('r', '__brn', 'number')], 'bool'), columns, leftAll: true, leftDrop: [...shared, '__seq', '__arn'] },
    { fields, raw: rel.raw, removed },
  );
};

export const APPENDCOLS: CommandSpec[] = [
  {
    name: 'appendcols',
    options: OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: "Adds the subsearch's results as columns, row by row (`override=t`: its values win)", example: '* | stats count | appendcols [search errorCode=* | stats count as errors]' },
    build: appendcols,
  },
];
