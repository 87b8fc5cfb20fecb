// eval functions on any value: conditions, null tests, types, and numbers.
import type { Expr as Ast } from '../../../grammar/ast.js';
import { caseOf, coerce, compare, inList, isNotNull, isNull, isStringLiteral, toBool, toNumber, unify } from '../build/coerce.js';
import { call, int, lit, nullOf, type Expr } from '../ir/expr.js';
import type { EvalCall, EvalFunction } from './eval-call.js';

const numeric = (id: string) => (c: EvalCall) => call(id, [toNumber(c.args()[0]!)], 'number');

/** `body` when the number is in the function's domain, else null (sqrt of -1 is null in Splunk). */
function guarded(c: EvalCall, test: string, body: (v: Expr) => Expr): Expr {
  return c.vars.share(toNumber(c.args()[0]!), (v) => caseOf([{ when: call(test, [v, int(0)], 'bool'), then: body(v) }], null, 'number'));
}

export const GENERAL: EvalFunction[] = [
  {
    name: 'if', min: 3, max: 3, args: 'condition, then, else', returns: 'the branches\' type',
    build: (c) => {
      const [cond, a, b] = c.args() as [Expr, Expr, Expr];
      const type = unify([a, b]);
      return caseOf([{ when: toBool(cond), then: coerce(a, type) }], coerce(b, type), type);
    },
  },
  {
    name: 'case', min: 2, max: 200, args: 'condition, value, ...', returns: 'the values\' type',
    build: (c) => {
      if (c.nodes.length % 2 !== 0) throw c.err('bad-argument', 'case() takes condition, value pairs', c.span);
      const args = c.args();
      const pairs: [Expr, Expr][] = [];
      for (let i = 0; i < args.length; i += 2) pairs.push([args[i]!, args[i + 1]!]);
      const type = unify(pairs.map((p) => p[1]));
      return caseOf(pairs.map(([when, then]) => ({ when: toBool(when), then: coerce(then, type) })), null, type);
    },
  },
  {
    // The message of the first condition that does not hold (null counts as not holding).
    name: 'validate', min: 2, max: 200, args: 'condition, message, ...', returns: 'the messages\' type',
    build: (c) => {
      if (c.nodes.length % 2 !== 0) throw c.err('bad-argument', 'validate() takes condition, message pairs', c.span);
      const args = c.args();
      const pairs: [Expr, Expr][] = [];
      for (let i = 0; i < args.length; i += 2) pairs.push([args[i]!, args[i + 1]!]);
      const type = unify(pairs.map((p) => p[1]));
      return caseOf(pairs.map(([when, then]) => ({ when: call('not', [call('coalesce', [toBool(when), lit(false)], 'bool')], 'bool'), then: coerce(then, type) })), null, type);
    },
  },
  {
    name: 'coalesce', min: 1, max: 100, args: 'value, ...', returns: 'the values\' type',
    build: (c) => {
      const items = c.args();
      const type = unify(items);
      return call('coalesce', items.map((i) => coerce(i, type)), type);
    },
  },
  {
    name: 'nullif', min: 2, max: 2, args: 'a, b', returns: 'a\'s type',
    build: (c) => {
      const [a, b] = c.args() as [Expr, Expr];
      return c.vars.share(a, (x) => caseOf([{ when: compare('=', x, b, c.vars), then: nullOf(x.type) }], x, x.type));
    },
  },
  { name: 'null', min: 0, max: 0, args: '', returns: 'null', build: () => nullOf('unknown') },
  { name: 'true', min: 0, max: 0, args: '', returns: 'boolean', build: () => lit(true) },
  { name: 'false', min: 0, max: 0, args: '', returns: 'boolean', build: () => lit(false) },
  { name: 'isnull', min: 1, max: 1, args: 'value', returns: 'boolean', build: (c) => isNull(c.args()[0]!) },
  { name: 'isnotnull', min: 1, max: 1, args: 'value', returns: 'boolean', build: (c) => isNotNull(c.args()[0]!) },
  {
    name: 'isnum', min: 1, max: 1, args: 'value', returns: 'boolean',
    build: (c) => (isStringLiteral(c.args()[0]!) ? lit(false) : isNotNull(toNumber(c.args()[0]!))),
  },
  {
    name: 'isint', min: 1, max: 1, args: 'value', returns: 'boolean',
    build: (c) => {
      if (isStringLiteral(c.args()[0]!)) return lit(false);
      return c.vars.share(toNumber(c.args()[0]!), (x) => call('coalesce', [call('eq', [x, call('trunc', [x], 'number')], 'bool'), lit(false)], 'bool'));
    },
  },
  {
    name: 'isstr', min: 1, max: 1, args: 'value', returns: 'boolean',
    build: (c) => {
      const a = c.args()[0]!;
      if (isStringLiteral(a)) return lit(true);
      if (a.type !== 'string') return lit(false);
      return c.vars.share(a, (x) => call('and', [isNotNull(x), isNull(call('try_double', [x], 'number'))], 'bool'));
    },
  },
  { name: 'isbool', min: 1, max: 1, args: 'value', returns: 'boolean', build: (c) => lit(c.args()[0]!.type === 'bool') },
  {
    name: 'typeof', min: 1, max: 1, args: 'value', returns: 'string',
    build: (c) => {
      const a = c.args()[0]!;
      if (isStringLiteral(a)) return lit('String');
      const invalid = (x: Expr) => ({ when: isNull(x), then: lit('Invalid') });
      // A field's text that reads as a number is a number, as Splunk reads field values.
      const text = (x: Expr) => caseOf([{ when: isNotNull(call('try_double', [x], 'number')), then: lit('Number') }], lit('String'), 'string');
      switch (a.type) {
        case 'number': case 'int': return c.vars.share(a, (x) => caseOf([invalid(x)], lit('Number'), 'string'));
        case 'bool': return c.vars.share(a, (x) => caseOf([invalid(x)], lit('Boolean'), 'string'));
        // One value is not a multivalue field: it has the type of that value.
        case 'mv': return c.vars.share(a, (x) => caseOf([invalid(x), { when: call('eq', [call('len', [x], 'int'), int(1)], 'bool'), then: text(call('list_get', [x, int(1)], 'string')) }], lit('Multivalue'), 'string'));
        case 'string': return c.vars.share(a, (x) => caseOf([invalid(x)], text(x), 'string'));
        default: return lit('Invalid');
      }
    },
  },
  {
    name: 'in', min: 2, max: Infinity, args: 'value, candidate, ...', returns: 'boolean',
    build: (c) => {
      const [x, ...values] = c.args() as [Expr, ...Expr[]];
      return inList(x, values, c.vars);
    },
  },
  { name: 'exact', min: 1, max: 1, args: 'expression', returns: 'its type', build: (c) => c.args()[0]! },
];

/** A whole number written in the search (`2`, `-1`), else undefined. */
function wholeLiteral(node: Ast | undefined): number | undefined {
  if (node?.kind === 'num' && Number.isInteger(node.value)) return node.value;
  if (node?.kind === 'unary' && node.op === '-' && node.arg.kind === 'num' && Number.isInteger(node.arg.value)) return -node.arg.value;
  return undefined;
}

/**
 * y rounded half up, toward +infinity, as Splunk rounds: round(-4.5) is -4, round(-4.51) is -5
 * (https://qiita.com/frozencatpisces/items/3e0eaa1efcca9e242df8, Splunk 8.2.2). SQL's round takes a
 * half away from zero (DuckDB) or up (Java's Math.round): whichever it does, a half it took down is
 * put back up, so both dialects give the same answer.
 */
function roundHalfUp(c: EvalCall, y: Expr): Expr {
  return c.vars.share(y, (v) => c.vars.share(call('round', [v, int(0)], 'number'), (r) =>
    caseOf([{ when: call('eq', [call('sub', [v, r], 'number'), lit(0.5)], 'bool'), then: call('add', [r, int(1)], 'number') }], r, 'number')));
}

/**
 * round(x, d): x scaled by 10^d (divided by 10^-d for negative d), rounded half up, scaled back.
 * Splunk rounds the binary number, not its decimal text: round(16.275, 2) is 16.27 (16.275 is
 * 16.27499...) and round(10.275, 2) is 10.28, as a Splunk Answers thread ("Eval round gives
 * inconsistent half-rounding results") records for 10.275..22.275; 2.675 * 100 is 267.5, so
 * round(2.675, 2) is 2.68.
 */
function round(c: EvalCall): Expr {
  const [x, d] = c.args() as [Expr, Expr?];
  const digits = d === undefined ? 0 : wholeLiteral(c.nodes[1]);
  if (digits === 0) return roundHalfUp(c, toNumber(x));
  // Once x * 10^d reaches 2^52 it is whole and rounding changes nothing: x is given back, also
  // where 10^d is past a double's range (round(1.5, 400)), which x * 10^d / 10^d made NaN. The same
  // way x under half of 10^-d rounds to 0 (round(1.5, -400)) rather than 0 * infinity.
  const up = (v: Expr, scale: Expr) => caseOf([{ when: call('ge', [call('abs', [v], 'number'), call('div', [lit(2 ** 52), scale], 'number')], 'bool'), then: v }],
    call('div', [roundHalfUp(c, call('mul', [v, scale], 'number')), scale], 'number'), 'number');
  const down = (v: Expr, scale: Expr) => caseOf([{ when: call('lt', [call('abs', [v], 'number'), call('div', [scale, int(2)], 'number')], 'bool'), then: lit(0) }],
    call('mul', [roundHalfUp(c, call('div', [v, scale], 'number')), scale], 'number'), 'number');
  if (digits !== undefined) {
    const scale = Math.abs(digits) <= 15 ? int(10 ** Math.abs(digits)) : call('pow', [int(10), int(Math.abs(digits))], 'number');
    return c.vars.share(toNumber(x), (v) => (digits > 0 ? up(v, scale) : down(v, scale)));
  }
  // Digits past any double's (10^400 has none) are read as 400 or -400 before the cast to an
  // integer, which failed the whole search for d=1e10.
  const clamped = c.vars.share(toNumber(d!), (dd) => caseOf([
    { when: call('gt', [dd, int(400)], 'bool'), then: int(400) },
    { when: call('lt', [dd, int(-400)], 'bool'), then: int(-400) },
  ], dd, 'number'));
  return c.vars.share(toNumber(x), (v) => c.vars.share(call('to_integer', [clamped], 'int'), (n) => c.vars.share(call('pow', [int(10), call('abs', [n], 'int')], 'number'), (scale) =>
    caseOf([{ when: call('ge', [n, int(0)], 'bool'), then: up(v, scale) }], down(v, scale), 'number'))));
}

export const MATH: EvalFunction[] = [
  { name: 'round', min: 1, max: 2, args: 'number, digits', returns: 'number', build: round },
  { name: 'floor', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('floor') },
  { name: 'ceil', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('ceil') },
  { name: 'ceiling', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('ceil') },
  { name: 'abs', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('abs') },
  { name: 'exp', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('exp') },
  { name: 'pow', min: 2, max: 2, args: 'base, exponent', returns: 'number', build: (c) => call('pow', c.args().map(toNumber), 'number') },
  { name: 'sqrt', min: 1, max: 1, args: 'number', returns: 'number', build: (c) => guarded(c, 'ge', (v) => call('sqrt', [v], 'number')) },
  { name: 'ln', min: 1, max: 1, args: 'number', returns: 'number', build: (c) => guarded(c, 'gt', (v) => call('ln', [v], 'number')) },
  {
    name: 'log', min: 1, max: 2, args: 'number, base', returns: 'number',
    build: (c) => {
      const base = c.args()[1];
      return guarded(c, 'gt', (v) => call('div', [call('ln', [v], 'number'), call('ln', [base ? toNumber(base) : int(10)], 'number')], 'number'));
    },
  },
  { name: 'random', min: 0, max: 0, args: '', returns: 'number', build: () => call('floor', [call('mul', [call('random', [], 'number'), int(2147483647)], 'number')], 'number') },
  { name: 'pi', min: 0, max: 0, args: '', returns: 'number', build: () => call('pi', [], 'number') },
];

