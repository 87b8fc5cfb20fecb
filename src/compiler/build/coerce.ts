// Splunk's conversions between strings, numbers, booleans and multivalue fields, and its typed
// comparisons, as IR. A number reads as its Splunk text ("5", not "5.0"), a string as a number
// when it holds one, a multivalue field as its first value.
import { call, caseOf, int, lit, nullOf, type Expr, type FieldType, type Type, type Vars } from '../ir/expr.js';

/**
 * A quoted string literal: text by construction, never read as a number (`isnum("5")` is false,
 * `"10" < "9"` is true), unlike a field's text, which Splunk reads as a number when it is one.
 */
export function isStringLiteral(c: Expr): boolean {
  return c.kind === 'literal' && c.type === 'string' && c.value !== null;
}

export function toNumber(c: Expr): Expr {
  switch (c.type) {
    case 'number': return c;
    case 'int': return call('to_double', [c], 'number');
    case 'string': return call('try_double', [c], 'number');
    case 'bool': return call('to_double', [c], 'number');
    case 'mv': return call('try_double', [call('list_get', [c, int(1)], 'string')], 'number');
    default: return nullOf('number');
  }
}

export function toString(c: Expr): Expr {
  switch (c.type) {
    case 'string': return c;
    case 'number': case 'int': return call('num2str', [c], 'string');
    case 'bool': return call('bool2str', [c], 'string');
    case 'mv': return call('list_get', [c, int(1)], 'string');
    case 'json': return call('to_varchar', [c], 'string');
    default: return nullOf('string');
  }
}

export function toBool(c: Expr): Expr {
  switch (c.type) {
    case 'bool': return c;
    case 'number': case 'int': return call('ne', [c, int(0)], 'bool');
    case 'string': return call('str2bool', [c], 'bool');
    case 'mv': return call('gt', [call('len', [c], 'int'), int(0)], 'bool');
    default: return nullOf('bool');
  }
}

/** A multivalue list; a scalar becomes a one-value list, null stays null. */
export function toList(c: Expr): Expr {
  if (c.type === 'mv') return c;
  if (c.type === 'unknown') return nullOf('mv');
  return call('to_list', [toString(c)], 'mv');
}

/** A value of `type`, converting as needed (for CASE branches that must agree). */
export function coerce(c: Expr, type: Type): Expr {
  switch (type) {
    case 'number': return toNumber(c);
    case 'string': return toString(c);
    case 'bool': return toBool(c);
    case 'mv': return toList(c);
    default: return c;
  }
}

/** The type several branches unify to: equal types stay, nulls take the other, else string. */
export function unify(items: { type: Type }[]): FieldType {
  const types = new Set(items.map((i) => fieldType(i.type)).filter((t) => t !== 'unknown'));
  if (types.size === 0) return 'unknown';
  if (types.size === 1) return [...types][0]!;
  if (types.has('mv')) return 'mv';
  return 'string';
}

/** The SPL type a value shows as. */
export function fieldType(t: Type): FieldType {
  switch (t) {
    case 'string': case 'number': case 'bool': case 'mv': case 'unknown': return t;
    case 'int': return 'number';
    case 'list': return 'mv';
    default: return 'string';
  }
}

export const and = (a: Expr, b: Expr): Expr => call('and', [a, b], 'bool');
export const or = (a: Expr, b: Expr): Expr => call('or', [a, b], 'bool');
export const not = (a: Expr): Expr => call('not', [a], 'bool');
export const coalesceFalse = (a: Expr): Expr => call('coalesce', [a, lit(false)], 'bool');
export const isNull = (a: Expr): Expr => call('is_null', [a], 'bool');
export const isNotNull = (a: Expr): Expr => call('is_not_null', [a], 'bool');

/**
 * `items` joined by a binary operator as a balanced tree: its depth grows with log(n), so a list
 * of 50,000 conditions (an IOC list) does not overflow the stack of whatever walks it.
 */
function balanced(items: Expr[], join: (a: Expr, b: Expr) => Expr): Expr {
  if (items.length === 1) return items[0]!;
  const mid = Math.ceil(items.length / 2);
  return join(balanced(items.slice(0, mid), join), balanced(items.slice(mid), join));
}

/** AND of many conditions (true when there are none). */
export function all(items: Expr[]): Expr {
  if (items.length === 0) return lit(true);
  return balanced(items, and);
}

/** OR of many conditions (false when there are none). */
export function any(items: Expr[]): Expr {
  if (items.length === 0) return lit(false);
  return balanced(items, or);
}

const OPS: Record<string, string> = { '=': 'eq', '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

export function compareOp(op: string): string {
  const id = OPS[op];
  if (!id) throw new Error(`internal: no comparison ${op}`);
  return id;
}

/** A scalar comparison with Splunk's typing: numeric if either side is known to be a number. */
function compareScalars(op: string, a: Expr, b: Expr, vars: Vars): Expr {
  const id = compareOp(op);
  const cmp = (x: Expr, y: Expr): Expr => call(id, [x, y], 'bool');
  if (a.type === 'unknown' || b.type === 'unknown') return nullOf('bool');
  const numeric = (t: Type) => t === 'number' || t === 'int';
  if (numeric(a.type) || numeric(b.type)) {
    // A string against a number: numerically when the string holds a number, else as text.
    if (a.type === 'string' && numeric(b.type)) {
      return vars.share(a, (x) => vars.share(b, (y) => call('coalesce', [cmp(toNumber(x), y), cmp(x, toString(y))], 'bool')));
    }
    if (b.type === 'string' && numeric(a.type)) {
      return vars.share(a, (x) => vars.share(b, (y) => call('coalesce', [cmp(x, toNumber(y)), cmp(toString(x), y)], 'bool')));
    }
    return cmp(toNumber(a), toNumber(b));
  }
  if (a.type === 'bool' || b.type === 'bool') return cmp(toBool(a), toBool(b));
  // Two strings: numeric when both hold numbers, as Splunk compares field values; a quoted
  // literal is text, so `"10" < "9"` compares the characters.
  if (id === 'eq' || id === 'ne' || isStringLiteral(a) || isStringLiteral(b)) return cmp(toString(a), toString(b));
  return vars.share(toString(a), (x) => vars.share(toString(b), (y) => call('coalesce', [cmp(toNumber(x), toNumber(y)), cmp(x, y)], 'bool')));
}

/**
 * `a IN (v1, ..., vN)` as eval means it: each value compared with `=`. Literal values of the
 * argument's own type are one set test (case-sensitive, as `=` is); the others OR'ed.
 */
export function inList(a: Expr, values: Expr[], vars: Vars): Expr {
  if (values.length === 0) return lit(false);
  const numeric = (t: Type): boolean => t === 'number' || t === 'int';
  const same = (v: Expr): boolean => v.kind === 'literal' && v.value !== null && ((a.type === 'string' && v.type === 'string') || (numeric(a.type) && numeric(v.type)));
  const set = values.filter(same);
  if (set.length < 8) return vars.share(a, (x) => any(values.map((v) => compare('=', x, v, vars))));
  const rest = values.filter((v) => !same(v));
  return vars.share(a, (x) => any([call('in', [x, ...set], 'bool'), ...rest.map((v) => compare('=', x, v, vars))]));
}

/** A comparison; a multivalue side compares true if any of its values does. */
export function compare(op: string, a: Expr, b: Expr, vars: Vars): Expr {
  if (a.type === 'mv' || b.type === 'mv') {
    const [list, other, flipped] = a.type === 'mv' ? [a, b, false] : [b, a, true];
    const scalar = other.type === 'mv' ? call('list_get', [other, int(1)], 'string') : other;
    return vars.share(scalar, (s) => {
      const each = vars.lambda('string', (v) => coalesceFalse(flipped ? compareScalars(op, s, v, vars) : compareScalars(op, v, s, vars)));
      return call('list_bool_or', [call('list_transform', [list, each], 'list')], 'bool');
    });
  }
  return compareScalars(op, a, b, vars);
}

export { caseOf };
