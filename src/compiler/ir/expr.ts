// The expression IR: what an SPL expression means, as plain serialisable data, before any SQL
// dialect is chosen. Every node carries its type and, where it came from the user's search, its
// span. Functions are called by their id in the function library (library/), which holds a
// template per dialect; lambdas and lets bind numbered variables, which the printer names.
import type { Span } from '../../../grammar/ast.js';
import type { Origin } from './origin.js';

/**
 * What the compiler knows of a field's type. Splunk has strings, numbers and multivalue fields;
 * `bool` comes from comparisons; `unknown` is a null of no particular type.
 */
export type FieldType = 'string' | 'number' | 'bool' | 'mv' | 'unknown';

/**
 * Types of values inside the compiler: SPL's, plus what SQL needs on the way (a whole number for
 * an index, a list of numbers, a JSON object, a timestamp, a struct, a lambda's body).
 */
export type Type = FieldType | 'int' | 'list' | 'json' | 'timestamp' | 'struct' | 'any';

export interface SortKey {
  expr: Expr;
  desc: boolean;
  nulls: 'first' | 'last';
}

/** A window: `OVER (PARTITION BY ... ORDER BY ... ROWS BETWEEN ...)`. */
export interface Window {
  partition: Expr[];
  order: SortKey[];
  /**
   * Rows relative to the current one: `start` null = unbounded preceding; 0 = current row; an
   * expression, how many rows back for each row (streamstats time_window). With `range`, the
   * offsets are in the (single) order key's units and `end` may be positive (following).
   */
  frame?: { start: number | null | Expr; end: number; range?: boolean };
}

/**
 * An expression node. `origin`: set by field resolution on the node it returns (a raw path, an
 * add-on field, a lookup's column), so the schema of a step that copies it knows where the values
 * come from (ir/schema.ts); a node without it is computed, or a column whose origin is its input's.
 */
export type Expr = { origin?: Origin } & (
  /**
   * A column of the relation the expression is evaluated over (a field, or a hidden column);
   * in a join, `side` names the relation ('l' or 'r'); in a subquery, the step it reads.
   */
  | { kind: 'column'; name: string; type: Type; side?: 'l' | 'r' | number; span?: Span }
  /** True when `step` has a row where `where` holds (`where` may read the outer row). */
  | { kind: 'exists'; step: number; where: Expr; type: Type; span?: Span }
  /** True when the values are a row of `select` over the rows of `step` where `where` holds. */
  | { kind: 'in_rows'; values: Expr[]; step: number; select: Expr[]; where: Expr; type: Type; span?: Span }
  /**
   * A path into a nested JSON column (`userIdentity.arn`, `resources{}.ARN`): each dialect maps
   * it. `event` is true while the column still holds the event's own object (so a dialect may
   * read a copy the loader kept of a common path). A path through an array (`{}`) is the list
   * of the elements' values that exist, null when no element has the key (Splunk has no empty
   * multivalue field).
   */
  | { kind: 'path'; column: string; segments: string[]; event: boolean; type: Type; span?: Span }
  /**
   * `missing`: this null stands for a field name that resolves to nothing at all (no event, add-on
   * or pipeline field of that name), so the compiler can say so instead of answering silently.
   */
  | { kind: 'literal'; value: string | number | boolean | null; type: Type; span?: Span; missing?: MissingField }
  /** A call of a library function by id. */
  | { kind: 'call'; fn: string; args: Expr[]; type: Type; span?: Span }
  | { kind: 'case'; whens: { when: Expr; then: Expr }[]; else: Expr | null; type: Type; span?: Span }
  /** A function value for list functions; `params` are variable ids bound in `body`. */
  | { kind: 'lambda'; params: number[]; body: Expr; type: Type; span?: Span }
  | { kind: 'var'; id: number; type: Type; span?: Span }
  /** `body` with variable `id` standing for `value`: a shared subexpression, printed once. */
  | { kind: 'let'; id: number; value: Expr; body: Expr; type: Type; span?: Span }
  /** An aggregate or window function (library kind 'aggregate' or 'window'). */
  | {
      kind: 'aggregate';
      fn: string;
      args: Expr[];
      distinct?: boolean;
      filter?: Expr;
      order?: SortKey[];
      over?: Window;
      type: Type;
      span?: Span;
    }
);

// ---- constructors ----------------------------------------------------------------------

/** The node with its origin marked (a copy: nodes are shared). */
export function withOrigin(e: Expr, origin: Origin): Expr {
  return { ...e, origin };
}

export function column(name: string, type: Type, span?: Span): Expr {
  return { kind: 'column', name, type, ...(span ? { span } : {}) };
}

/** A column of one side of a join. */
export function sideColumn(side: 'l' | 'r' | number, name: string, type: Type): Expr {
  return { kind: 'column', name, type, side };
}

export function lit(value: string | number | boolean | null, type?: Type): Expr {
  const t: Type = type ?? (value === null ? 'unknown' : typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'bool');
  return { kind: 'literal', value, type: t };
}

/** A whole number (an index, a count, a bound) rather than an SPL number. */
export function int(value: number): Expr {
  return { kind: 'literal', value, type: 'int' };
}

/** A field name that resolves to nothing, with the known names closest to it. */
export interface MissingField {
  name: string;
  near: string[];
  /** True when the search had already replaced the events by its own rows (after stats, table...). */
  afterReshape: boolean;
}

/** Null, for a field name that resolves to nothing (see MissingField). */
export function missingField(missing: MissingField): Expr {
  return { kind: 'literal', value: null, type: 'unknown', missing };
}

export function nullOf(type: Type): Expr {
  return { kind: 'literal', value: null, type };
}

export function call(fn: string, args: Expr[], type: Type, span?: Span): Expr {
  return { kind: 'call', fn, args, type, ...(span ? { span } : {}) };
}

export function caseOf(whens: { when: Expr; then: Expr }[], otherwise: Expr | null, type: Type): Expr {
  return { kind: 'case', whens, else: otherwise, type };
}

export function aggregate(fn: string, args: Expr[], type: Type, more: Partial<Extract<Expr, { kind: 'aggregate' }>> = {}): Expr {
  return { kind: 'aggregate', fn, args, type, ...more };
}

/** Hands out variable ids: one counter per compilation, so no two binders share an id. */
export class Vars {
  private next = 0;

  fresh(): number {
    return this.next++;
  }

  /** A lambda of one variable: `body` receives the variable's node. */
  lambda(type: Type, body: (v: Expr) => Expr): Expr {
    const id = this.fresh();
    const b = body({ kind: 'var', id, type });
    return { kind: 'lambda', params: [id], body: b, type: b.type };
  }

  /** A lambda of two variables (a list element and its 1-based index). */
  lambda2(types: [Type, Type], body: (a: Expr, b: Expr) => Expr): Expr {
    const [x, y] = [this.fresh(), this.fresh()];
    const b = body({ kind: 'var', id: x, type: types[0] }, { kind: 'var', id: y, type: types[1] });
    return { kind: 'lambda', params: [x, y], body: b, type: b.type };
  }

  /**
   * `body` over a value used more than once. A value that costs nothing to repeat (a column, a
   * literal, a variable) is used as it is; anything else is bound once with a let, so nesting
   * helpers never repeats their arguments' text (sixteen nested mvappend made 15 MB of SQL).
   */
  share(value: Expr, body: (v: Expr) => Expr): Expr {
    if (isAtomic(value)) return body(value);
    const id = this.fresh();
    const b = body({ kind: 'var', id, type: value.type });
    return { kind: 'let', id, value, body: b, type: b.type };
  }
}

/** Costs nothing to repeat: a name, a literal, or a function of literals only (a cast of one). */
function isAtomic(e: Expr): boolean {
  if (e.kind === 'column' || e.kind === 'literal' || e.kind === 'var') return true;
  return e.kind === 'call' && e.args.every((a) => a.kind === 'literal') && !VOLATILE.has(e.fn);
}

/** Functions whose every call gives a new value: never repeated in place of a shared one. */
export const VOLATILE = new Set(['random', 'now_timestamp']);

/** A window's per-row frame start, when it is an expression. */
export function frameRows(w: Window): Expr[] {
  const start = w.frame?.start;
  return start !== undefined && start !== null && typeof start === 'object' ? [start] : [];
}

/** The expressions directly inside a node. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'call': return e.args;
    case 'aggregate': return [...e.args, ...(e.filter ? [e.filter] : []), ...(e.order ?? []).map((k) => k.expr), ...(e.over ? [...e.over.partition, ...e.over.order.map((k) => k.expr), ...frameRows(e.over)] : [])];
    case 'case': return [...e.whens.flatMap((w) => [w.when, w.then]), ...(e.else ? [e.else] : [])];
    case 'let': return [e.value, e.body];
    case 'lambda': return [e.body];
    case 'exists': return [e.where];
    case 'in_rows': return [...e.values, ...e.select, e.where];
    default: return [];
  }
}

/** True when a node of the expression (itself included) satisfies `test`. */
export function someNode(e: Expr, test: (node: Expr) => boolean): boolean {
  return test(e) || children(e).some((c) => someNode(c, test));
}

/** True when the expression holds a window function (a filter on it runs after the windows). */
export function hasWindow(e: Expr): boolean {
  return someNode(e, (n) => n.kind === 'aggregate' && n.over !== undefined);
}

/** True when the expression reads the column (the newest-rows bound asks whether a search reads `_raw`). */
export function readsColumn(e: Expr, name: string): boolean {
  return someNode(e, (n) => n.kind === 'column' && n.name === name);
}

/** True when the expression reads the rows of another step (a subsearch's). */
export function readsStep(e: Expr): boolean {
  return someNode(e, (n) => n.kind === 'exists' || n.kind === 'in_rows');
}

/** The CTE name of a plan step (a subquery names the step it reads). */
export function stepName(id: number): string {
  return `s${id}`;
}


/**
 * The expression with nodes replaced: `f` is asked top-down and gives a node's replacement, or
 * undefined to keep the node and look inside it. Unchanged subtrees are returned as they are.
 */
export function mapExpr(e: Expr, f: (node: Expr) => Expr | undefined): Expr {
  const r = f(e);
  if (r) return r;
  const m = (x: Expr) => mapExpr(x, f);
  const keys = (ks: SortKey[]) => ks.map((k) => ({ ...k, expr: m(k.expr) }));
  switch (e.kind) {
    case 'call': return { ...e, args: e.args.map(m) };
    case 'case': return { ...e, whens: e.whens.map((w) => ({ when: m(w.when), then: m(w.then) })), else: e.else ? m(e.else) : null };
    case 'let': return { ...e, value: m(e.value), body: m(e.body) };
    case 'lambda': return { ...e, body: m(e.body) };
    case 'exists': return { ...e, where: m(e.where) };
    case 'in_rows': return { ...e, values: e.values.map(m), select: e.select.map(m), where: m(e.where) };
    case 'aggregate': {
      const f0 = e.over?.frame;
      const frame = f0 && { ...f0, start: typeof f0.start === 'object' && f0.start !== null ? m(f0.start) : f0.start };
      return {
        ...e,
        args: e.args.map(m),
        ...(e.filter ? { filter: m(e.filter) } : {}),
        ...(e.order ? { order: keys(e.order) } : {}),
        ...(e.over ? { over: { partition: e.over.partition.map(m), order: keys(e.over.order), ...(frame ? { frame } : {}) } } : {}),
      };
    }
    default: return e;
  }
}
