// Adjacent steps printed as one SELECT where the meaning allows (PRQL's anchoring, in spirit): a
// filter joins the SELECT that follows it as its WHERE, and an extend or project joins the
// step that reads it when every column of it the reader uses can stand in the reader's
// expressions. Both dialects' printers print the merged steps, so a search has fewer CTEs (a
// long one reaches DuckDB's nesting limit later) and reads as SQL would be written.
//
// What never merges: a step read by more than one step or by a subsearch's condition, the
// search's result, the events, a filter over a window (it filters after the windows), a filter
// after windows it would then run before, and any value that would be computed twice when it is
// not cheap (a regex, a JSON extraction) or would change if it were (random()).
import { children, forEachStepNamed, hasAggregate, hasWindow, isVolatile, mapExpr, readsStep, type Expr } from '../ir/expr.js';
import { stepExprs as exprsOf, type Column, type Step } from '../ir/plan.js';

/** A step as printed: `pre` holds conditions on its input's rows, applied before it (a filter merged in). */
export type PrintStep = Step & { pre?: Expr[] };

/** Functions cheap enough to compute twice rather than keep a CTE boundary. */
const CHEAP = new Set(['and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'is_distinct', 'is_null', 'is_not_null', 'coalesce', 'least', 'greatest', 'add', 'sub', 'mul', 'neg', 'abs', 'to_double', 'try_double', 'to_bigint']);

/** A small expression of names, literals and cheap operators. */
export function cheap(e: Expr, budget = { nodes: 8 }): boolean {
  if (--budget.nodes < 0) return false;
  switch (e.kind) {
    case 'column': return e.side === undefined;
    case 'literal': return true;
    case 'call': return CHEAP.has(e.fn) && e.args.every((a) => cheap(a, budget));
    case 'case': return e.whens.every((w) => cheap(w.when, budget) && cheap(w.then, budget)) && (!e.else || cheap(e.else, budget));
    default: return false;
  }
}

/**
 * How often expressions read each column of the row they are computed on, which they read inside
 * a lambda (once per element), and the JSON columns paths read.
 */
function reads(es: Expr[]): { count: Map<string, number>; inLambda: Set<string>; paths: Set<string> } {
  const count = new Map<string, number>();
  const inLambda = new Set<string>();
  const paths = new Set<string>();
  const walk = (e: Expr, lambda: boolean): void => {
    if (e.kind === 'column' && e.side === undefined) {
      count.set(e.name, (count.get(e.name) ?? 0) + 1);
      if (lambda) inLambda.add(e.name);
    }
    if (e.kind === 'path') paths.add(e.column);
    for (const c of children(e)) walk(c, lambda || e.kind === 'lambda');
  };
  for (const e of es) walk(e, false);
  return { count, inLambda, paths };
}

/**
 * The reader's expressions with the columns `defs` gives replaced by their definitions, or
 * undefined when one cannot be: `survive` names the definitions that stay in the merged row
 * (repeating one must be cheap); `unknown` the names the reader must not read through. A window
 * or aggregate is never put inside another expression.
 */
function substitute(es: Expr[], defs: Map<string, Expr>, survive: (name: string) => boolean, unknown: (name: string) => boolean): Expr[] | undefined {
  const { count, inLambda, paths } = reads(es);
  // A path into a column the step redefines or removes reads that column, not the input's.
  for (const p of paths) if (defs.has(p) || unknown(p)) return undefined;
  for (const [name, n] of count) {
    const def = defs.get(name);
    if (!def) {
      if (unknown(name)) return undefined;
      continue;
    }
    if (readsStep(def) || hasAggregate(def)) return undefined;
    if (cheap(def)) continue;
    if (isVolatile(def) || survive(name) || n > 1 || inLambda.has(name)) return undefined;
  }
  const sub = (e: Expr) => mapExpr(e, (n) => (n.kind === 'column' && n.side === undefined ? defs.get(n.name) : undefined));
  return es.map(sub);
}

/** The two steps as one, or undefined when they cannot be. `b` reads `a`. */
function merge(a: PrintStep, b: Step): PrintStep | undefined {
  if (exprsOf(a).some(readsStep) || exprsOf(b).some(readsStep)) return undefined;
  const into = { id: b.id, schema: b.schema, ...(b.span ? { span: b.span } : {}), ...(a.note || b.note ? { note: [a.note, b.note].filter(Boolean).join('; ') } : {}), ...(b.recompute ? { recompute: b.recompute } : {}) };
  if (a.kind === 'filter') {
    if (hasWindow(a.condition)) return undefined;
    if (b.kind === 'filter') return hasWindow(b.condition) ? undefined : { ...b, ...into, input: a.input, condition: { kind: 'call', fn: 'and', args: [a.condition, b.condition], type: 'bool' } };
    if (b.kind === 'extend' || b.kind === 'project' || b.kind === 'aggregate') return { ...b, ...into, input: a.input, pre: [a.condition] };
    return undefined;
  }
  if (a.kind !== 'extend' && a.kind !== 'project') return undefined;
  if (new Set(a.columns.map((c) => c.name)).size !== a.columns.length) return undefined;
  const defs = new Map(a.columns.map((c) => [c.name, c.expr]));
  const dropped = new Set(a.kind === 'extend' ? a.drop ?? [] : []);
  // A name the reader uses that `a` neither makes nor passes on: the reader would read it anew.
  const unknown = (name: string) => (a.kind === 'project' ? true : dropped.has(name));
  const windows = a.columns.some((c) => hasWindow(c.expr));
  const pre = a.pre ? { pre: a.pre } : {};
  switch (b.kind) {
    case 'filter': {
      // Moved before `a`'s windows, the condition would change what they count.
      if (windows || hasWindow(b.condition)) return undefined;
      const cond = substitute([b.condition], defs, () => true, unknown);
      return cond && { ...a, ...into, pre: [...(a.pre ?? []), cond[0]!] };
    }
    case 'extend': {
      const mine = new Set(b.columns.map((c) => c.name));
      const gone = new Set(b.drop ?? []);
      const survive = (n: string) => !mine.has(n) && !gone.has(n);
      const exprs = substitute(b.columns.map((c) => c.expr), defs, survive, unknown);
      if (!exprs) return undefined;
      const columns: Column[] = [...a.columns.filter((c) => survive(c.name)), ...b.columns.map((c, i) => ({ name: c.name, expr: exprs[i]! }))];
      if (a.kind === 'project') return { kind: 'project', input: a.input, columns, ...into, ...pre };
      const drop = [...new Set([...(a.drop ?? []), ...gone])];
      return { kind: 'extend', input: a.input, columns, ...(drop.length ? { drop } : {}), ...into, ...pre };
    }
    case 'project': {
      const exprs = substitute(b.columns.map((c) => c.expr), defs, () => false, unknown);
      return exprs && { kind: 'project', input: a.input, columns: b.columns.map((c, i) => ({ name: c.name, expr: exprs[i]! })), ...into, ...pre };
    }
    case 'aggregate': {
      const all = [...b.groups, ...b.aggregates];
      const exprs = substitute(all.map((c) => c.expr), defs, () => false, unknown);
      if (!exprs) return undefined;
      const cols = all.map((c, i) => ({ name: c.name, expr: exprs[i]! }));
      return { kind: 'aggregate', input: a.input, groups: cols.slice(0, b.groups.length), aggregates: cols.slice(b.groups.length), ...into, ...pre };
    }
    default:
      return undefined;
  }
}

/** The steps in the order printed, adjacent ones merged; `output` (the result) stays a CTE of its own name. */
export function mergeSteps(steps: Step[], output: number): PrintStep[] {
  const readers = new Map<number, number>();
  const pinned = new Set<number>([output]);
  const read = (id: number) => readers.set(id, (readers.get(id) ?? 0) + 1);
  for (const s of steps) {
    if ('input' in s) read(s.input);
    if (s.kind === 'join' || s.kind === 'union') {
      read(s.left);
      read(s.right);
    }
    for (const e of exprsOf(s)) forEachStepNamed(e, (id) => pinned.add(id));
  }
  const printed = new Map<number, PrintStep>();
  for (const s of steps) {
    let p: PrintStep = s;
    if ('input' in s) {
      const before = printed.get(s.input);
      if (before && readers.get(s.input) === 1 && !pinned.has(s.input)) {
        const m = merge(before, s);
        if (m) {
          printed.delete(s.input);
          p = m;
        }
      }
    }
    printed.set(s.id, p);
  }
  return [...printed.values()];
}
