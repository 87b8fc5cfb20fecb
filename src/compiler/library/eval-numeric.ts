// eval functions on numbers beyond the basic ones: trigonometry, bitwise operations, significant
// figures, and IPv4 masks.
// https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/mathematical-functions
import type { Expr as Ast } from '../../../grammar/ast.js';
import { caseOf, toNumber, toString } from '../build/coerce.js';
import { call, int, lit, type Expr } from '../ir/expr.js';
import type { EvalCall, EvalFunction } from './eval-call.js';

const numeric = (id: string, arity = 1) => (c: EvalCall) => call(id, c.args().slice(0, arity).map(toNumber), 'number');

/** A function defined on part of the line: null outside it (Splunk gives no value), not NaN. */
function domain(id: string, test: (v: Expr) => Expr): EvalFunction['build'] {
  return (c) => c.vars.share(toNumber(c.args()[0]!), (v) => caseOf([{ when: test(v), then: call(id, [v], 'number') }], null, 'number'));
}
const between = (lo: number, hi: number) => (v: Expr) => call('and', [call('ge', [v, int(lo)], 'bool'), call('le', [v, int(hi)], 'bool')], 'bool');

const whole = (e: Expr): Expr => call('to_bigint', [call('trunc', [toNumber(e)], 'number')], 'int');
const bitwise = (id: string) => (c: EvalCall) => call('to_double', [call(id, c.args().map(whole), 'int')], 'number');

/** Significant figures and decimal places of a number as written (`1.00`: 3 and 2; `1100`: 2 and 0). */
function precisionOf(text: string): { figures: number; decimals: number } | undefined {
  const m = /^[-+]?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return undefined;
  const [intPart, frac] = [m[1] ?? '', m[2]];
  if (frac === undefined) return { figures: Math.max(1, intPart.replace(/^0+/, '').replace(/0+$/, '').length), decimals: 0 };
  return { figures: Math.max(1, (intPart + frac).replace(/^0+/, '').length), decimals: frac.length };
}

/**
 * Splunk's sigfig: the result of a multiplication or division keeps the fewest significant figures
 * of its operands, that of an addition or subtraction the fewest decimal places. The operands'
 * precision is read from how they are written, so they must be numbers in the search text.
 */
function sigfig(c: EvalCall): Expr {
  const node = c.nodes[0]!;
  const value = toNumber(c.args()[0]!);
  if (node.kind === 'num') return value;
  const operands = node.kind === 'binary' && ['*', '/', '+', '-'].includes(node.op) ? [node.left, node.right] : undefined;
  const precisions = operands?.map((o: Ast) => (o.kind === 'num' ? precisionOf(c.sourceText(o.span) ?? String(o.value)) : undefined));
  if (!operands || !precisions || precisions.some((p) => p === undefined)) {
    throw c.err('bad-argument', 'sigfig() of anything but numbers written in the search (such as sigfig(1.00*1111)) is not supported yet', node.span);
  }
  const ps = precisions as { figures: number; decimals: number }[];
  if (node.kind === 'binary' && (node.op === '+' || node.op === '-')) return call('round', [value, int(Math.min(...ps.map((p) => p.decimals)))], 'number');
  const figures = Math.min(...ps.map((p) => p.figures));
  // Round to `figures` significant digits: round(x, figures - 1 - floor(log10(|x|))).
  return c.vars.share(value, (x) => caseOf([{ when: call('eq', [x, int(0)], 'bool'), then: x }],
    call('round', [x, call('to_integer', [call('sub', [int(figures - 1), call('floor', [call('log10', [call('abs', [x], 'number')], 'number')], 'number')], 'number')], 'int')], 'number'), 'number'));
}

/** ipmask(mask, ip): the IPv4 address with each octet ANDed with the mask's; null unless both are addresses. */
function ipmask(c: EvalCall): Expr {
  const [mask, ip] = c.args().map(toString) as [Expr, Expr];
  const valid = (t: Expr) => call('regexp_full_match', [t, lit('(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}')], 'bool');
  return c.vars.share(mask, (m) => c.vars.share(ip, (a) => {
    const octet = (t: Expr, i: number) => call('to_bigint', [call('split_part', [t, lit('.'), int(i)], 'string')], 'int');
    const parts = [1, 2, 3, 4].map((i) => call('to_varchar', [call('bit_and', [octet(a, i), octet(m, i)], 'int')], 'string'));
    const joined = parts.reduce((x, y) => call('concat', [call('concat', [x, lit('.')], 'string'), y], 'string'));
    return caseOf([{ when: call('and', [valid(m), valid(a)], 'bool'), then: joined }], null, 'string');
  }));
}

export const NUMERIC_FUNCTIONS: EvalFunction[] = [
  { name: 'sin', min: 1, max: 1, args: 'radians', returns: 'number', build: numeric('sin') },
  { name: 'cos', min: 1, max: 1, args: 'radians', returns: 'number', build: numeric('cos') },
  { name: 'tan', min: 1, max: 1, args: 'radians', returns: 'number', build: numeric('tan') },
  { name: 'asin', min: 1, max: 1, args: 'number', returns: 'number', build: domain('asin', between(-1, 1)) },
  { name: 'acos', min: 1, max: 1, args: 'number', returns: 'number', build: domain('acos', between(-1, 1)) },
  { name: 'atan', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('atan') },
  { name: 'atan2', min: 2, max: 2, args: 'y, x', returns: 'number', build: numeric('atan2', 2) },
  { name: 'sinh', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('sinh') },
  { name: 'cosh', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('cosh') },
  { name: 'tanh', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('tanh') },
  { name: 'asinh', min: 1, max: 1, args: 'number', returns: 'number', build: numeric('asinh') },
  { name: 'acosh', min: 1, max: 1, args: 'number', returns: 'number', build: domain('acosh', (v) => call('ge', [v, int(1)], 'bool')) },
  { name: 'atanh', min: 1, max: 1, args: 'number', returns: 'number', build: domain('atanh', (v) => call('and', [call('gt', [v, int(-1)], 'bool'), call('lt', [v, int(1)], 'bool')], 'bool')) },
  { name: 'hypot', min: 2, max: 2, args: 'x, y', returns: 'number', build: (c) => call('sqrt', [call('add', c.args().map((a) => call('pow', [toNumber(a), int(2)], 'number')), 'number')], 'number') },
  { name: 'bit_and', min: 2, max: 100, args: 'integer, integer, ...', returns: 'number', build: bitwise('bit_and') },
  { name: 'bit_or', min: 2, max: 100, args: 'integer, integer, ...', returns: 'number', build: bitwise('bit_or') },
  { name: 'bit_xor', min: 2, max: 100, args: 'integer, integer, ...', returns: 'number', build: bitwise('bit_xor') },
  { name: 'bit_not', min: 1, max: 1, args: 'integer', returns: 'number', build: bitwise('bit_not') },
  { name: 'bit_shift_left', min: 2, max: 2, args: 'integer, bits', returns: 'number', build: bitwise('shift_left') },
  { name: 'bit_shift_right', min: 2, max: 2, args: 'integer, bits', returns: 'number', build: bitwise('shift_right') },
  { name: 'sigfig', min: 1, max: 1, args: 'number', returns: 'number', build: sigfig },
  { name: 'ipmask', min: 2, max: 2, args: '"mask", ip', returns: 'string', build: ipmask },
];
