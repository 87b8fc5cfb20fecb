// Stacking two relations (append, inputlookup append=t). DuckDB's UNION ALL BY NAME gives a column
// that is a number on one side and text on the other the type VARCHAR, which the compiler did not
// know; so a field whose types differ is converted on both sides first, the way eval branches
// unify (a number becomes its Splunk text, "5" not "5.0"; with a multivalue side, a list).
import { coerce, unify } from '../build/coerce.js';
import { column } from '../ir/expr.js';
import type { Column } from '../ir/plan.js';
import { COMPUTED, isMade, sameOrigin } from '../ir/origin.js';
import { same } from './relation.js';
import type { Builder } from '../builder.js';
import type { FieldInfo, Relation } from '../types.js';

export function unionRelations(b: Builder, left: Relation, right: Relation, raw: boolean, removed: Set<string> = new Set()): Relation {
  const fields = new Map<string, FieldInfo>(left.fields);
  const replaceLeft: Column[] = [];
  const replaceRight: Column[] = [];
  for (const [name, r] of right.fields) {
    const l = left.fields.get(name);
    if (!l) {
      fields.set(name, r);
      continue;
    }
    if (name.startsWith('__')) continue;
    // Values from two different places are no longer either's: computed (a field of the events on
    // one side stays one, for what is shown).
    const origin = isMade(l.origin) && isMade(r.origin) && !sameOrigin(l.origin, r.origin) ? COMPUTED : l.origin;
    if (l.type === r.type) {
      if (origin !== l.origin) fields.set(name, { ...l, origin });
      continue;
    }
    const type = unify([l, r]);
    fields.set(name, { type, origin });
    if (l.type !== type) replaceLeft.push({ name, expr: coerce(column(name, l.type), type) });
    if (r.type !== type) replaceRight.push({ name, expr: coerce(column(name, r.type), type) });
  }
  const side = (rel: Relation, replace: Column[]) => (replace.length ? b.step({ kind: 'extend', input: rel.id, columns: replace }, same(rel)) : rel);
  return b.step({ kind: 'union', left: side(left, replaceLeft).id, right: side(right, replaceRight).id }, { fields, raw, removed });
}
