// The plan as text a person reads (explain --plan, and the plan snapshots of the tests): one line
// per step with what it does, then the schema of its rows. Expressions are shown as DuckDB
// would print them.
import { stepName, type Expr } from '../ir/expr.js';
import { isHidden, type Column, type Schema, type Step } from '../ir/plan.js';
import { isMade, originText, type Origin } from '../ir/origin.js';
import { duckdbPrinter } from './duckdb.js';

function expr(e: Expr): string {
  return duckdbPrinter().print(e);
}

function columns(cs: Column[]): string {
  return cs.map((c) => `${c.name} = ${expr(c.expr)}`).join('; ');
}

/** What a step does, in one line. */
function describeStep(s: Step): string {
  switch (s.kind) {
    case 'events': return `events${s.where.length ? ` where ${s.where.map(expr).join(' AND ')}` : ''}`;
    case 'generate': return `generate ${s.count} rows at ${s.time}`;
    case 'table': return `table ${s.relation}`;
    case 'none': return 'none';
    case 'extend': return `extend ${stepName(s.input)}: ${columns(s.columns)}${s.drop?.length ? ` drop ${s.drop.join(', ')}` : ''}`;
    case 'project': return `project ${stepName(s.input)}: ${columns(s.columns)}`;
    case 'filter': return `filter ${stepName(s.input)} where ${expr(s.condition)}`;
    case 'aggregate': return `aggregate ${stepName(s.input)}${s.groups.length ? ` by ${columns(s.groups)}` : ''}: ${columns(s.aggregates)}`;
    case 'limit': return `limit ${stepName(s.input)} to ${s.count}${s.offset ? ` after ${s.offset}` : ''}`;
    case 'distinct': return `distinct ${stepName(s.input)}`;
    case 'unnest': return `unnest ${stepName(s.input)}: ${s.column} = ${expr(s.list)}`;
    case 'join': return `${s.type} join ${stepName(s.left)} with ${stepName(s.right)} on ${expr(s.on)}: ${columns(s.columns)}`;
    case 'union': return `union ${stepName(s.left)} then ${stepName(s.right)}`;
  }
}

/**
 * A schema in one line: `events` when the events' own columns are there, the names removed from
 * them (`-name`), the fields the pipeline made with their types (and origins, but for computed
 * ones), then the compiler's own columns.
 */
function schemaText(schema: Schema): string {
  const parts: string[] = [];
  if (schema.raw) parts.push('events');
  for (const r of schema.removed) parts.push(`-${r}`);
  const hidden: string[] = [];
  for (const [name, info] of schema.fields) {
    if (isHidden(name)) hidden.push(name);
    else if (isMade(info.origin)) parts.push(`${name}:${info.type}${info.origin.kind === 'computed' ? '' : ` (${originText(info.origin)})`}`);
    else if (!schema.raw) parts.push(`${name}:${info.type} (event)`);
  }
  if (hidden.length) parts.push(`[${hidden.join(', ')}]`);
  return parts.join(', ') || '(no fields)';
}

export function planText(steps: Step[]): string {
  return steps.map((s) => `${stepName(s.id)} ${describeStep(s)}\n    -> ${schemaText(s.schema)}`).join('\n');
}

/**
 * The result's fields as SQL comment lines (explain, the REPL's `:sql`): each with its type and
 * where its values come from.
 */
export function fieldsText(columns: string[], types: Record<string, string>, origins: Record<string, Origin>): string {
  if (!columns.length) return '';
  const rows = [['field', 'type', 'origin'], ...columns.map((c) => [c, types[c] ?? 'string', origins[c] ? originText(origins[c]) : 'computed'])];
  const width = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `-- ${r[0]!.padEnd(width[0]!)}  ${r[1]!.padEnd(width[1]!)}  ${r[2]}`).join('\n');
}
