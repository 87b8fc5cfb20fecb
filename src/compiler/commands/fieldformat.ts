// fieldformat: how a field is shown, not what it holds
// (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/fieldformat):
// "the underlying value is not changed": later commands (sort, where, stats...) and outputlookup
// see the value itself; the expression is applied to the final results only, as they are shown.
// Here that is the rows the search returns (the table, CSV and JSON output alike).
import { parseExpression } from '../../../grammar/parser.js';
import type { Expr, Span } from '../../../grammar/ast.js';
import { made, type Builder } from '../builder.js';
import { fieldType } from '../build/coerce.js';
import { compileExpr } from '../expr.js';
import type { Relation } from '../types.js';
import { isMade } from '../ir/origin.js';
import { generic } from './relation.js';
import type { CommandCompiler, CommandSpec } from './spec.js';

const fieldformat: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const option = g.args[0];
  if (g.args.length !== 1 || option?.kind !== 'option' || option.op !== '=') throw b.err('bad-argument', 'fieldformat takes one field=expression', cmd.span);
  const source = b.options.source;
  if (source === undefined) throw b.err('syntax', 'fieldformat needs the search text (compile through prepare())', cmd.span);
  // The expression is read again from the text: list-style arguments are not eval expressions.
  const start = option.value.span.start;
  const parsed = parseExpression(source.slice(start, cmd.span.end));
  const first = parsed.diagnostics[0];
  if (first || !parsed.expr) throw b.err('bad-argument', `cannot read the fieldformat expression: ${first?.message ?? 'no expression'}`, first ? shift(first.span, start) : option.value.span);
  // The expression's spans count from parseExpression's own prefix (`| eval __x=`).
  const expr = shiftAll(parsed.expr, start - '| eval __x='.length);
  // Checked here (an unknown function is an error where it is written), applied at the end.
  compileExpr(expr, { rel, b });
  b.formats.push({ field: option.key, expr });
  return rel;
};

function shift(s: Span, by: number): Span {
  return { start: s.start + by, end: s.end + by };
}

/** The expression with its spans moved from the re-read text back to the search's. */
function shiftAll<T>(node: T, by: number): T {
  if (Array.isArray(node)) return node.map((n) => shiftAll(n, by)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) out[k] = (k === 'span' || k === 'nameSpan') && v && typeof v === 'object' ? shift(v as Span, by) : shiftAll(v, by);
  return out as T;
}

/**
 * The search's final rows with every fieldformat applied (the last one given for a field wins),
 * each evaluated over the final values; a field the rows no longer have is not made.
 */
export function applyFormats(rel: Relation, b: Builder): Relation {
  const last = new Map<string, Expr>();
  for (const f of b.formats) last.set(f.field, f.expr);
  const values = [...last].filter(([field]) => isMade(rel.fields.get(field)?.origin) || (rel.raw && rel.fields.has(field)))
    .map(([field, expr]): [string, ReturnType<typeof compileExpr>] => [field, compileExpr(expr, { rel, b })]);
  if (!values.length) return rel;
  // Replaced in place: a formatted field keeps its column.
  const fields = new Map(rel.fields);
  for (const [field, c] of values) fields.set(field, made(fieldType(c.type)));
  return b.step({ kind: 'extend', input: rel.id, columns: values.map(([name, expr]) => ({ name, expr })) }, { fields, raw: rel.raw, removed: rel.removed });
}

export const FIELDFORMAT: CommandSpec[] = [
  {
    name: 'fieldformat',
    options: {},
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'How a field is shown (`x=tostring(x, "commas")`): applied to the results returned; later commands see the value itself', example: '* | stats count by eventName | fieldformat count=tostring(count, "commas")' },
    build: fieldformat,
  },
];
