// eval/where expressions -> expression IR. Splunk's rules: names are fields (case-sensitive), a
// missing field is null and null propagates through arithmetic and concatenation, comparisons are
// numeric when both sides are numbers, and a multivalue field compares true if any value does.
import type { Expr } from '../../grammar/ast.js';
import { parse } from '../../grammar/parser.js';
import type { Builder } from './builder.js';
import { and, compare, inList, not, or, toBool, toNumber, toString } from './build/coerce.js';
import { compiledRule } from './addon-ir.js';
import { addonExpr, addonFor, nearNames, NULL, readFromRaw, resolveColumn } from './fields.js';
import { call, int, lit, withOrigin, type Expr as IrExpr } from './ir/expr.js';
import type { Origin } from './ir/origin.js';
import { likeMatch } from './patterns.js';
import { evalFunction, FUNCTION_NAMES, type EvalCall } from './library/eval-functions.js';
import { isSplunkEvalFunction } from './library/splunk-eval-functions.js';
import { nearest } from './suggest.js';
import type { Relation } from './types.js';

export interface ExprScope {
  rel: Relation;
  b: Builder;
  /** Fields assigned earlier in the same eval, or lambda variables, by name. */
  locals?: Map<string, IrExpr>;
}

/** A field's value: a local, an add-on field, or a column or path; a name nothing defines is a marked null. */
function resolveField(name: string, scope: ExprScope): IrExpr {
  const local = scope.locals?.get(name);
  if (local) return local;
  const def = addonFor(name, scope.rel, scope.b.options.addon);
  if (!def) return resolveColumn(name, scope.rel);
  // An add-on field, computed from the event as recorded (Splunk derives it before the pipeline
  // runs): the pipeline's own fields are out of sight, and names in the rule mean what they meant
  // at the rule's stage.
  const expr = addonExpr(def);
  const origin: Origin = { kind: 'addon', field: name };
  if (!expr) return withOrigin(NULL, origin);
  return withOrigin(compiledRule(def, scope.rel, scope.b, (rel) => compileExpr(expr, { rel, b: scope.b })), origin);
}

export function fieldRef(name: string, scope: ExprScope): IrExpr {
  const resolved = resolveField(name, scope);
  // Recorded now: folding (null = x is null) would drop the mark before the plan is printed.
  if (resolved.kind === 'literal' && resolved.missing) scope.b.missing.set(name, resolved.missing);
  // Once a name: one search can name it 20,000 times, and the closest names are looked for each time.
  else if (readFromRaw(resolved) && !scope.b.missing.has(name)) scope.b.missing.set(name, { name, near: nearNames(name, scope.rel), afterReshape: false, fromRaw: true });
  return resolved;
}

/**
 * The value a field has before a command writes it (rex keeps it where nothing matches, fillnull
 * fills it): a command creating a new field reads nothing the user mistyped, so nothing is noted.
 */
export function priorValue(name: string, scope: ExprScope): IrExpr {
  const resolved = resolveField(name, scope);
  // Nor is each event's text read for a key of that name (a JSON parse a row for every rex group).
  return (resolved.kind === 'literal' && resolved.missing) || readFromRaw(resolved) ? NULL : resolved;
}

export function compileExpr(e: Expr, scope: ExprScope): IrExpr {
  switch (e.kind) {
    case 'num':
      return { ...lit(e.value, 'number'), span: e.span };
    case 'str':
      return { ...lit(e.value, 'string'), span: e.span };
    case 'field':
      return fieldRef(e.name, scope);
    case 'call':
      return callFunction(e, scope);
    case 'unary': {
      const arg = compileExpr(e.arg, scope);
      if (e.op === 'NOT') return not(toBool(arg));
      return call('neg', [toNumber(arg)], 'number', e.span);
    }
    case 'in': {
      const found = inList(compileExpr(e.arg, scope), e.values.map((v) => compileExpr(v, scope)), scope.b.vars);
      return e.negated ? not(found) : found;
    }
    case 'binary':
      return compileBinary(e, scope);
  }
}

function compileBinary(e: Extract<Expr, { kind: 'binary' }>, scope: ExprScope): IrExpr {
  const a = compileExpr(e.left, scope);
  const b = compileExpr(e.right, scope);
  const number = (fn: string, x: IrExpr, y: IrExpr) => call(fn, [toNumber(x), toNumber(y)], 'number', e.span);
  switch (e.op) {
    case 'AND':
      return and(toBool(a), toBool(b));
    case 'OR':
      return or(toBool(a), toBool(b));
    case 'XOR':
      return call('ne', [toBool(a), toBool(b)], 'bool', e.span);
    case 'LIKE':
      return likeMatch(toString(a), toString(b), e.right.kind === 'str' ? e.right.value : undefined);
    case '.':
      return call('concat', [toString(a), toString(b)], 'string', e.span);
    case '+':
      // `+` concatenates when a side is text (a quoted literal, or a function giving text such
      // as tostring()); fields holding numbers add.
      if (isText(e.left) || isText(e.right)) return call('concat', [toString(a), toString(b)], 'string', e.span);
      return number('add', a, b);
    case '-':
      return number('sub', a, b);
    case '*':
      return number('mul', a, b);
    case '/':
      return call('div', [toNumber(a), call('nullif', [toNumber(b), int(0)], 'number')], 'number', e.span);
    case '%':
      return call('fmod', [toNumber(a), call('nullif', [toNumber(b), int(0)], 'number')], 'number', e.span);
    default:
      return compare(e.op, a, b, scope.b.vars);
  }
}

/** An expression whose value is text by construction, never a field that may hold a number. */
function isText(e: Expr): boolean {
  switch (e.kind) {
    case 'str': return true;
    case 'call': return evalFunction(e.name)?.returns === 'string';
    case 'binary': return e.op === '.' || (e.op === '+' && (isText(e.left) || isText(e.right)));
    default: return false;
  }
}

type Call = Extract<Expr, { kind: 'call' }>;

function callFunction(c: Call, scope: ExprScope): IrExpr {
  const def = evalFunction(c.name);
  if (!def && isSplunkEvalFunction(c.name)) {
    throw scope.b.err('unsupported-function', `${c.name}() is a Splunk eval function that spelunk does not support yet`, c.nameSpan);
  }
  if (!def) {
    const hints = nearest(c.name, FUNCTION_NAMES);
    throw scope.b.err('unknown-function', `unknown eval function ${c.name}()`, c.nameSpan, hints.length ? [`did you mean ${hints.map((h) => h + '()').join(', ')}?`] : undefined);
  }
  if (c.args.length < def.min || c.args.length > def.max) {
    const want = def.min === def.max ? `${def.min}` : def.max >= 100 ? `at least ${def.min}` : `${def.min} to ${def.max}`;
    throw scope.b.err('bad-argument', `${c.name}() takes ${want} argument${want === '1' ? '' : 's'}, not ${c.args.length}`, c.span);
  }
  let compiled: IrExpr[] | undefined;
  const ctx: EvalCall = {
    name: c.name,
    nodes: c.args,
    span: c.span,
    args: () => (compiled ??= c.args.map((a) => compileExpr(a, scope))),
    compile: (e, locals) => compileExpr(e, locals ? { ...scope, locals: new Map([...(scope.locals ?? []), ...locals]) } : scope),
    search: (e) => scope.b.compileSearch(e, scope.rel, scope.locals),
    parseSearch: (text) => {
      const parsed = parse(text);
      const command = parsed.pipeline?.commands[0];
      if (!parsed.pipeline || parsed.pipeline.commands.length !== 1 || command?.kind !== 'search') return undefined;
      return command.expr;
    },
    vars: scope.b.vars,
    now: scope.b.options.now,
    sourceText: (span) => scope.b.options.source?.slice(span.start, span.end),
    err: (code, message, span, hints) => scope.b.err(code, message, span, hints),
  };
  const result = def.build(ctx);
  return result.span || result.kind === 'var' ? result : { ...result, span: c.span };
}

