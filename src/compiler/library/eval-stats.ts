// Splunk's statistical eval functions (min, max, avg, sum): any number of arguments, each a value
// or a multivalue field whose every value takes part. min and max compare numbers as numbers and
// put text above numbers; a quoted literal is text even when it reads as a number.
import { caseOf, isNull, isStringLiteral, toNumber, toString } from '../build/coerce.js';
import { call, nullOf, type Expr } from '../ir/expr.js';
import type { EvalCall, EvalFunction } from './eval-call.js';

const isNumber = (t: Expr['type']) => t === 'number' || t === 'int';

/** Every argument that can hold a value, each bound once (a path is extracted once), then `body`. */
function bindArgs(c: EvalCall, body: (args: Expr[]) => Expr): Expr {
  const args = c.args().filter((a) => a.type !== 'unknown').map((a) => (isNumber(a.type) || a.type === 'mv' ? a : toString(a)));
  const bind = (i: number, done: Expr[]): Expr => (i === args.length ? body(done) : c.vars.share(args[i]!, (v) => bind(i + 1, [...done, v])));
  return bind(0, []);
}

const tryNumber = (v: Expr): Expr => call('try_double', [v], 'number');

/** The numbers of a multivalue field's values (text that is not a number dropped). */
function listNumbers(c: EvalCall, l: Expr): Expr {
  return call('list_filter', [call('list_transform', [l, c.vars.lambda('string', tryNumber)], 'list'), c.vars.lambda('number', (n) => call('is_not_null', [n], 'bool'))], 'list');
}

function extreme(fn: 'least' | 'greatest', c: EvalCall): Expr {
  const original = c.args();
  if (original.every((a) => isNumber(a.type))) return original.length === 1 ? toNumber(original[0]!) : call(fn, original.map(toNumber), 'number');
  const listFn = fn === 'least' ? 'list_min' : 'list_max';
  return bindArgs(c, (args) => {
    const numbers: Expr[] = [];
    const words: Expr[] = [];
    for (const a of args) {
      if (isNumber(a.type)) numbers.push(toNumber(a));
      else if (isStringLiteral(a)) words.push(a);
      else if (a.type === 'mv') {
        numbers.push(call(listFn, [listNumbers(c, a)], 'number'));
        words.push(call(listFn, [call('list_filter', [a, c.vars.lambda('string', (v) => isNull(tryNumber(v)))], 'mv')], 'string'));
      } else {
        // A field's text that reads as a number is a number (Splunk reads field values so).
        numbers.push(tryNumber(a));
        words.push(caseOf([{ when: isNull(tryNumber(a)), then: a }], null, 'string'));
      }
    }
    const pick = (items: Expr[], type: Expr['type']): Expr => (items.length === 0 ? nullOf(type) : items.length === 1 ? items[0]! : call(fn, items, type));
    const number = call('num2str', [pick(numbers, 'number')], 'string');
    const word = pick(words, 'string');
    // min: the smallest number if there is one; max: the greatest text if there is one.
    return call('coalesce', fn === 'least' ? [number, word] : [word, number], 'string');
  });
}

/** The numbers of every argument as one list: values that are not numbers are left out. */
function allNumbers(c: EvalCall, args: Expr[]): Expr {
  const scalars = args.filter((a) => a.type !== 'mv').map(toNumber);
  const lists = args.filter((a) => a.type === 'mv').map((a) => call('coalesce', [listNumbers(c, a), call('empty_number_list', [], 'list')], 'list'));
  const all = lists.length === 0 ? call('list', scalars, 'list') : call('flatten', [call('list', [...(scalars.length ? [call('list', scalars, 'list')] : []), ...lists], 'list')], 'list');
  return call('list_filter', [all, c.vars.lambda('number', (n) => call('is_not_null', [n], 'bool'))], 'list');
}

export const STATISTICAL_FUNCTIONS: EvalFunction[] = [
  { name: 'min', min: 1, max: 100, args: 'value, ...', returns: 'number or string', build: (c) => extreme('least', c) },
  { name: 'max', min: 1, max: 100, args: 'value, ...', returns: 'number or string', build: (c) => extreme('greatest', c) },
  {
    // Arguments that are missing or not numbers are ignored; null when no number is left.
    name: 'sum', min: 1, max: 100, args: 'value, ...', returns: 'number',
    build: (c) => bindArgs(c, (args) => call('list_sum', [allNumbers(c, args)], 'number')),
  },
  {
    name: 'avg', min: 1, max: 100, args: 'value, ...', returns: 'number',
    build: (c) => bindArgs(c, (args) => call('list_avg', [allNumbers(c, args)], 'number')),
  },
];
