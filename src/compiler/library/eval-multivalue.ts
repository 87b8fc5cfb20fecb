// eval functions on multivalue fields. A multivalue field is a list; Splunk has no empty one, so
// an empty result is null. mvmap and mvfilter name each value by the field's own name inside their
// expression: each gets a variable of its own, so nested ones never capture each other's value.
import { fieldsOf } from '../../../grammar/ast.js';
import { caseOf, isNotNull, toBool, toList, toNumber, toString } from '../build/coerce.js';
import { call, int, lit, nullOf, type Expr } from '../ir/expr.js';
import { parseSpan } from '../time.js';
import { regexArg, type EvalCall, type EvalFunction } from './eval-call.js';

const nullIfEmpty = (list: Expr): Expr => call('null_if_empty', [list], 'mv');
const bigint = (e: Expr): Expr => call('to_bigint', [toNumber(e)], 'int');

/** Splunk's 0-based index (negative from the end) as SQL's 1-based one. */
function index(c: EvalCall, e: Expr): Expr {
  // The add-on's rules index with constants (mvindex(split(arn, "/"), -1)): printed as one number.
  if (e.kind === 'literal' && typeof e.value === 'number' && Number.isInteger(e.value)) return int(e.value < 0 ? e.value : e.value + 1);
  return c.vars.share(bigint(e), (i) => caseOf([{ when: call('lt', [i, int(0)], 'bool'), then: i }], call('add', [i, int(1)], 'int'), 'int'));
}

/**
 * mvappend: the values of every argument in order, nulls left out. Scalars next to each other go
 * into one list filtered once: a one-value list per argument, flattened, cost the add-on's
 * eventtype (fifteen if()s) 3.5 of its 7 CPU-s over a million events.
 */
function mvappend(c: EvalCall, args: Expr[]): Expr {
  const parts: Expr[] = [];
  let scalars: Expr[] = [];
  const flush = () => {
    if (scalars.length) parts.push(call('list_filter', [call('list', scalars, 'mv'), c.vars.lambda('string', (v) => isNotNull(v))], 'mv'));
    scalars = [];
  };
  for (const a of args) {
    // A null of no type (null(), a missing field) adds nothing.
    if (a.type === 'unknown') continue;
    if (a.type === 'mv') {
      flush();
      parts.push(call('coalesce', [a, call('empty_list', [], 'mv')], 'mv'));
    } else scalars.push(toString(a));
  }
  flush();
  if (parts.length === 0) return nullOf('mv');
  return nullIfEmpty(parts.length === 1 ? parts[0]! : call('flatten', [call('list', parts, 'list')], 'mv'));
}

export const MULTIVALUE_FUNCTIONS: EvalFunction[] = [
  {
    name: 'split', min: 2, max: 2, args: 'text, delimiter', returns: 'multivalue',
    // An empty delimiter splits into characters, as string_split does with ''.
    build: (c) => call('string_split', c.args().map(toString), 'mv'),
  },
  {
    name: 'mvindex', min: 2, max: 3, args: 'mv, start, end', returns: 'string or multivalue',
    build: (c) => {
      const [x, start, end] = c.args() as [Expr, Expr, Expr?];
      const list = toList(x);
      if (!end) return call('list_get', [list, index(c, start)], 'string');
      return nullIfEmpty(call('list_slice', [list, index(c, start), index(c, end)], 'mv'));
    },
  },
  { name: 'mvcount', min: 1, max: 1, args: 'mv', returns: 'number', build: (c) => call('len', [toList(c.args()[0]!)], 'number') },
  {
    name: 'mvjoin', min: 2, max: 2, args: 'mv, delimiter', returns: 'string',
    build: (c) => {
      const [x, d] = c.args() as [Expr, Expr];
      return call('array_to_string', [toList(x), toString(d)], 'string');
    },
  },
  {
    name: 'mvappend', min: 1, max: 100, args: 'value, ...', returns: 'multivalue',
    build: (c) => mvappend(c, c.args()),
  },
  {
    name: 'mvdedup', min: 1, max: 1, args: 'mv', returns: 'multivalue',
    build: (c) => c.vars.share(toList(c.args()[0]!), (l) =>
      call('list_filter', [l, c.vars.lambda2(['string', 'int'], (v, i) => call('eq', [call('list_position', [l, v], 'int'), i], 'bool'))], 'mv')),
  },
  { name: 'mvsort', min: 1, max: 1, args: 'mv', returns: 'multivalue', build: (c) => call('list_sort', [toList(c.args()[0]!)], 'mv') },
  {
    name: 'mvfind', min: 2, max: 2, args: 'mv, regex', returns: 'number',
    build: (c) => {
      const l = toList(c.compile(c.nodes[0]!));
      const re = regexArg(c, c.nodes[1]!);
      const matches = call('list_transform', [l, c.vars.lambda('string', (v) => call('regexp_matches', [v, re], 'bool'))], 'list');
      return call('sub', [call('list_position', [matches, lit(true)], 'int'), int(1)], 'number');
    },
  },
  {
    name: 'mvfilter', min: 1, max: 1, args: 'condition on one field', returns: 'multivalue',
    build: (c) => {
      const names = [...fieldsOf(c.nodes[0]!)];
      if (names.length !== 1) throw c.err('bad-argument', 'mvfilter() must refer to exactly one field', c.span);
      const name = names[0]!;
      const field = c.compile({ kind: 'field', name, span: c.span });
      const keep = c.vars.lambda('string', (v) => call('coalesce', [toBool(c.compile(c.nodes[0]!, new Map([[name, v]]))), lit(false)], 'bool'));
      return nullIfEmpty(call('list_filter', [toList(field), keep], 'mv'));
    },
  },
  {
    // Splunk's mvmap: the first argument (a field) names each value in turn inside the expression;
    // null results are dropped, which makes it the idiom for filtering by another field.
    name: 'mvmap', min: 2, max: 2, args: 'field, expression', returns: 'multivalue',
    build: (c) => {
      const target = c.nodes[0]!;
      if (target.kind !== 'field') throw c.err('bad-argument', 'mvmap() takes a field as its first argument', target.span);
      const list = toList(c.compile(target));
      let multivalue = false;
      const each = c.vars.lambda('string', (v) => {
        const value = c.compile(c.nodes[1]!, new Map([[target.name, v]]));
        multivalue = value.type === 'mv';
        // A multivalue result contributes all its values, not only its first.
        return multivalue ? call('coalesce', [value, call('empty_list', [], 'mv')], 'mv') : toString(value);
      });
      const mapped = multivalue ? call('flatten', [call('list_transform', [list, each], 'list')], 'mv') : call('list_transform', [list, each], 'mv');
      return nullIfEmpty(call('list_filter', [mapped, c.vars.lambda('string', (m) => call('is_not_null', [m], 'bool'))], 'mv'));
    },
  },
  {
    name: 'mvzip', min: 2, max: 3, args: 'mv, mv, delimiter', returns: 'multivalue',
    build: (c) => {
      const [x, y, d] = c.args() as [Expr, Expr, Expr?];
      const delim = d ? toString(d) : lit(',');
      return c.vars.share(toList(x), (lx) => c.vars.share(toList(y), (ly) => {
        // Pairs up to the shorter field; a missing field gives no pairs (least() would skip it).
        const n = call('add', [call('least', [call('len', [lx], 'int'), call('len', [ly], 'int')], 'int'), int(1)], 'int');
        const zip = c.vars.lambda('int', (i) => call('concat', [call('concat', [call('list_get', [lx, i], 'string'), delim], 'string'), call('list_get', [ly, i], 'string')], 'string'));
        const missing = call('or', [call('is_null', [lx], 'bool'), call('is_null', [ly], 'bool')], 'bool');
        return caseOf([{ when: missing, then: lit(null, 'mv') }], call('list_transform', [call('range', [int(1), n], 'list'), zip], 'mv'), 'mv');
      }));
    },
  },
  {
    // Numbers from start up to (not including) end; the step may be a time span ("7d").
    name: 'mvrange', min: 2, max: 3, args: 'start, end, step', returns: 'multivalue',
    build: (c) => {
      const [start, end] = c.args() as [Expr, Expr];
      const stepNode = c.nodes[2];
      let step: Expr = int(1);
      if (stepNode) {
        const text = stepNode.kind === 'str' ? stepNode.value : undefined;
        const span = text !== undefined && !/^\s*[-+]?[\d.]+\s*$/.test(text) ? parseSpan(text) : undefined;
        if (span === null || span?.months) throw c.err('bad-argument', `mvrange() step ${JSON.stringify(text)} is not a number or a time span in seconds, minutes, hours, days or weeks`, stepNode.span);
        step = span ? lit(span.seconds!, 'number') : toNumber(c.args()[2]!);
      }
      return c.vars.share(toNumber(start), (from) => c.vars.share(step, (by) => {
        // Past MV_RANGE_MAX values an error before DuckDB builds the list (prelude macro); a zero
        // step never reaches the end: no values.
        const count = call('mvrange_count', [from, toNumber(end), by], 'int');
        const values = call('list_transform', [call('range', [int(0), count], 'list'),
          c.vars.lambda('int', (i) => call('num2str', [call('add', [from, call('mul', [i, by], 'number')], 'number')], 'string'))], 'mv');
        return nullIfEmpty(values);
      }));
    },
  },
];
