// eval/where expressions -> SQL. Splunk's rules: names are fields (case-sensitive), a missing
// field is null and null propagates through arithmetic and concatenation, comparisons are
// numeric when both sides are numbers, and a multivalue field compares true if any value does.
import type { Expr } from '../../grammar/ast.js';
import type { Builder } from './builder.js';
import { addonExpr, NULL, resolveColumn } from './fields.js';
import { callFunction } from './functions.js';
import { likeMatch } from './patterns.js';
import { dbl, ident, str } from './sql.js';
import type { Compiled, FieldType, Relation } from './types.js';

export interface ExprScope {
  rel: Relation;
  b: Builder;
  /** Fields assigned earlier in the same eval, or lambda variables, by name. */
  locals?: Map<string, Compiled>;
}

export function fieldRef(name: string, scope: ExprScope): Compiled {
  const local = scope.locals?.get(name);
  if (local) return local;
  const column = resolveColumn(name, scope.rel);
  if (column) return column;
  // An add-on field: compiled from the original event fields, as the add-on computes them.
  const expr = addonExpr(name);
  if (!expr) return NULL;
  const eventOnly: Relation = { ...scope.rel, fields: new Map([...scope.rel.fields].filter(([, f]) => f.origin === 'event')), removed: new Set() };
  return compileExpr(expr, { rel: eventOnly, b: scope.b });
}

// ---- coercions -------------------------------------------------------------------------

export function asNumber(c: Compiled): string {
  switch (c.type) {
    case 'number': return c.sql;
    case 'string': return `TRY_CAST(${c.sql} AS DOUBLE)`;
    case 'bool': return `CAST(${c.sql} AS DOUBLE)`;
    case 'mv': return `TRY_CAST((${c.sql})[1] AS DOUBLE)`;
    default: return 'CAST(NULL AS DOUBLE)';
  }
}

export function asString(c: Compiled): string {
  switch (c.type) {
    case 'string': return c.sql;
    case 'number': return `spl_num2str(${c.sql})`;
    case 'bool': return `CASE WHEN ${c.sql} THEN 'true' WHEN NOT ${c.sql} THEN 'false' END`;
    case 'mv': return `(${c.sql})[1]`;
    default: return 'CAST(NULL AS VARCHAR)';
  }
}

export function asBool(c: Compiled): string {
  switch (c.type) {
    case 'bool': return c.sql;
    case 'number': return `(${c.sql} <> 0)`;
    case 'string': return `(${c.sql} IS NOT NULL AND ${c.sql} NOT IN ('', 'false', '0'))`;
    case 'mv': return `(len(${c.sql}) > 0)`;
    default: return 'CAST(NULL AS BOOLEAN)';
  }
}

/** A multivalue list; a scalar becomes a one-element list, null stays null. */
export function asList(c: Compiled): string {
  if (c.type === 'mv') return c.sql;
  if (c.type === 'unknown') return 'CAST(NULL AS VARCHAR[])';
  const s = asString(c);
  return `CASE WHEN ${s} IS NULL THEN NULL ELSE [${s}] END`;
}

/** A value of `type`, converting as needed (for CASE branches that must agree). */
export function coerce(c: Compiled, type: FieldType): string {
  switch (type) {
    case 'number': return asNumber(c);
    case 'string': return asString(c);
    case 'bool': return asBool(c);
    case 'mv': return asList(c);
    default: return c.sql;
  }
}

/** The type several branches unify to: equal types stay, nulls take the other, else string. */
export function unify(items: Compiled[]): FieldType {
  const types = new Set(items.map((i) => i.type).filter((t) => t !== 'unknown'));
  if (types.size === 0) return 'unknown';
  if (types.size === 1) return [...types][0]!;
  if (types.has('mv')) return 'mv';
  return 'string';
}

// ---- comparisons -----------------------------------------------------------------------

const SQL_OP: Record<string, string> = { '=': '=', '==': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** A scalar comparison with Splunk's typing: numeric if either side is known to be a number. */
function compareScalars(op: string, a: Compiled, b: Compiled): string {
  const sqlOp = SQL_OP[op]!;
  if (a.type === 'unknown' || b.type === 'unknown') return 'CAST(NULL AS BOOLEAN)';
  if (a.type === 'number' || b.type === 'number') {
    if (a.type === 'string' && b.type === 'number') {
      return `coalesce(TRY_CAST(${a.sql} AS DOUBLE) ${sqlOp} ${b.sql}, ${a.sql} ${sqlOp} spl_num2str(${b.sql}))`;
    }
    if (b.type === 'string' && a.type === 'number') {
      return `coalesce(${a.sql} ${sqlOp} TRY_CAST(${b.sql} AS DOUBLE), spl_num2str(${a.sql}) ${sqlOp} ${b.sql})`;
    }
    return `(${asNumber(a)} ${sqlOp} ${asNumber(b)})`;
  }
  if (a.type === 'bool' || b.type === 'bool') return `(${asBool(a)} ${sqlOp} ${asBool(b)})`;
  // Two strings: numeric when both hold numbers, as Splunk compares them.
  if (sqlOp === '=' || sqlOp === '<>') return `(${a.sql} ${sqlOp} ${b.sql})`;
  return `coalesce(TRY_CAST(${a.sql} AS DOUBLE) ${sqlOp} TRY_CAST(${b.sql} AS DOUBLE), ${a.sql} ${sqlOp} ${b.sql})`;
}

export function compare(op: string, a: Compiled, b: Compiled, builder: Builder): string {
  if (a.type === 'mv' || b.type === 'mv') {
    const [list, other, flipped] = a.type === 'mv' ? [a, b, false] : [b, a, true];
    const x = builder.lambdaVar();
    const v: Compiled = { sql: x, type: 'string' };
    const inner = flipped ? compareScalars(op, other.type === 'mv' ? { sql: `(${other.sql})[1]`, type: 'string' } : other, v) : compareScalars(op, v, other.type === 'mv' ? { sql: `(${other.sql})[1]`, type: 'string' } : other);
    return `list_bool_or(list_transform(${list.sql}, ${x} -> coalesce(${inner}, false)))`;
  }
  return compareScalars(op, a, b);
}

// ---- expressions -----------------------------------------------------------------------

export function compileExpr(e: Expr, scope: ExprScope): Compiled {
  switch (e.kind) {
    case 'num':
      return { sql: dbl(e.value), type: 'number' };
    case 'str':
      return { sql: str(e.value), type: 'string' };
    case 'field':
      return fieldRef(e.name, scope);
    case 'call':
      return callFunction(e, scope);
    case 'unary': {
      const arg = compileExpr(e.arg, scope);
      if (e.op === 'NOT') return { sql: `(NOT ${asBool(arg)})`, type: 'bool' };
      return { sql: `(- ${asNumber(arg)})`, type: 'number' };
    }
    case 'in': {
      const arg = compileExpr(e.arg, scope);
      const checks = e.values.map((v) => compare('=', arg, compileExpr(v, scope), scope.b));
      const any = checks.length ? `(${checks.join(' OR ')})` : 'false';
      return { sql: e.negated ? `(NOT ${any})` : any, type: 'bool' };
    }
    case 'binary':
      return compileBinary(e, scope);
  }
}

function compileBinary(e: Extract<Expr, { kind: 'binary' }>, scope: ExprScope): Compiled {
  const a = compileExpr(e.left, scope);
  const b = compileExpr(e.right, scope);
  switch (e.op) {
    case 'AND':
      return { sql: `(${asBool(a)} AND ${asBool(b)})`, type: 'bool' };
    case 'OR':
      return { sql: `(${asBool(a)} OR ${asBool(b)})`, type: 'bool' };
    case 'XOR':
      return { sql: `(${asBool(a)} <> ${asBool(b)})`, type: 'bool' };
    case 'LIKE':
      return { sql: likeMatch(asString(a), asString(b), e.right.kind === 'str' ? e.right.value : undefined), type: 'bool' };
    case '.':
      return { sql: `(${asString(a)} || ${asString(b)})`, type: 'string' };
    case '+':
      // `+` concatenates when a side is a string literal; fields holding numbers add.
      if (e.left.kind === 'str' || e.right.kind === 'str') return { sql: `(${asString(a)} || ${asString(b)})`, type: 'string' };
      return { sql: `(${asNumber(a)} + ${asNumber(b)})`, type: 'number' };
    case '-':
      return { sql: `(${asNumber(a)} - ${asNumber(b)})`, type: 'number' };
    case '*':
      return { sql: `(${asNumber(a)} * ${asNumber(b)})`, type: 'number' };
    case '/':
      return { sql: `(${asNumber(a)} / nullif(${asNumber(b)}, 0))`, type: 'number' };
    case '%':
      return { sql: `fmod(${asNumber(a)}, nullif(${asNumber(b)}, 0))`, type: 'number' };
    default:
      return { sql: compare(e.op, a, b, scope.b), type: 'bool' };
  }
}

/** Fields an expression reads (for mvfilter and friends). */
export function fieldsOf(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case 'field': out.push(e.name); break;
    case 'call': e.args.forEach((a) => fieldsOf(a, out)); break;
    case 'unary': fieldsOf(e.arg, out); break;
    case 'binary': fieldsOf(e.left, out); fieldsOf(e.right, out); break;
    case 'in': fieldsOf(e.arg, out); e.values.forEach((v) => fieldsOf(v, out)); break;
    default: break;
  }
  return out;
}

export { ident };
