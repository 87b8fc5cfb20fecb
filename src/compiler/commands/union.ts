// Stacking two relations (append, inputlookup append=t). DuckDB's UNION ALL BY NAME gives a column
// that is a number on one side and text on the other the type VARCHAR, which the compiler did not
// know; so a field whose types differ is converted on both sides first, the way eval branches
// unify (a number becomes its Splunk text, "5" not "5.0"; with a multivalue side, a list).
import { ident } from '../sql.js';
import { coerce, unify } from '../build/coerce.js';
import { column } from '../ir/expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import type { Builder } from '../builder.js';
import type { FieldInfo, Relation } from '../types.js';

export function unionRelations(b: Builder, left: Relation, right: Relation, raw: boolean, removed: Set<string> = new Set()): Relation {
  const fields = new Map<string, FieldInfo>(left.fields);
  const replaceLeft: string[] = [];
  const replaceRight: string[] = [];
  for (const [name, r] of right.fields) {
    const l = left.fields.get(name);
    if (!l) {
      fields.set(name, r);
      continue;
    }
    if (l.type === r.type || name.startsWith('__')) continue;
    const type = unify([l, r]);
    fields.set(name, { ...l, type });
    if (l.type !== type) replaceLeft.push(`${sql(coerce(column(name, l.type), type))} AS ${ident(name)}`);
    if (r.type !== type) replaceRight.push(`${sql(coerce(column(name, r.type), type))} AS ${ident(name)}`);
  }
  const side = (rel: Relation, replace: string[], part: number) =>
    `SELECT *${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}, ${part} AS "__part" FROM ${rel.name}`;
  const union = b.add(`${side(left, replaceLeft, 0)}\n  UNION ALL BY NAME\n  ${side(right, replaceRight, 1)}`, fields, raw, removed);
  return b.add(`SELECT * EXCLUDE ("__part") REPLACE (row_number() OVER (ORDER BY "__part", "__seq") AS "__seq") FROM ${union.name}`, fields, raw, removed);
}
