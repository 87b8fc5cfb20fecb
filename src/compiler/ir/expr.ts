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
  /** True when it is read from each event's text instead (fields.ts `missing`). */
  fromRaw?: boolean;
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
  // SQL has no CASE without a WHEN (rangemap with no ranges gave DuckDB a parser error).
  if (whens.length === 0) return otherwise ?? nullOf(type);
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

  /** How many ids were handed out so far (the next one's id). */
  get used(): number {
    return this.next;
  }

  /** `n` consecutive ids at once (a cached expression's binders renumbered); returns the first. */
  reserve(n: number): number {
    const first = this.next;
    this.next += n;
    return first;
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
const VOLATILE = new Set(['random', 'now_timestamp']);

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
function someNode(e: Expr, test: (node: Expr) => boolean): boolean {
  return test(e) || children(e).some((c) => someNode(c, test));
}

// What a subtree holds, as bits: the rewrites and the printer ask these of every step's
// expressions several times. The answer is remembered only for the add-on rules' shared IR
// (frozen, addon-ir.ts: large trees met by every search that reads the field); remembering the
// answer for any other node cost more than walking it again (a WeakMap entry per node).
const WINDOW = 1;
const SUBQUERY = 2;
const STEP_COLUMN = 4;
const AGGREGATE = 8;
const VOLATILE_CALL = 16;
const factsOf = new WeakMap<Expr, number>();

function facts(e: Expr): number {
  if (!Object.isFrozen(e)) return walkFacts(e);
  let f = factsOf.get(e);
  if (f === undefined) factsOf.set(e, (f = walkFacts(e)));
  return f;
}

function walkFacts(e: Expr): number {
  let f = 0;
  switch (e.kind) {
    case 'column': return typeof e.side === 'number' ? STEP_COLUMN : 0;
    case 'literal': case 'var': case 'path': return 0;
    case 'call':
      if (VOLATILE.has(e.fn)) f = VOLATILE_CALL;
      for (const a of e.args) f |= innerFacts(a);
      return f;
    case 'case':
      for (const w of e.whens) f |= innerFacts(w.when) | innerFacts(w.then);
      return e.else ? f | innerFacts(e.else) : f;
    case 'exists': case 'in_rows':
      f = SUBQUERY;
      break;
    case 'aggregate':
      f = e.over ? AGGREGATE | WINDOW : AGGREGATE;
      if (VOLATILE.has(e.fn)) f |= VOLATILE_CALL;
      break;
    default:
      break;
  }
  for (const c of children(e)) f |= innerFacts(c);
  return f;
}

function innerFacts(e: Expr): number {
  if (e.kind === 'column' || e.kind === 'literal' || e.kind === 'var' || e.kind === 'path') return walkFacts(e);
  return facts(e);
}

/** True when the expression holds a window function (a filter on it runs after the windows). */
export function hasWindow(e: Expr): boolean {
  return (facts(e) & WINDOW) !== 0;
}

/** True when the expression holds an aggregate or window function. */
export function hasAggregate(e: Expr): boolean {
  return (facts(e) & AGGREGATE) !== 0;
}

/** True when the expression calls a function whose every call gives a new value (VOLATILE). */
export function isVolatile(e: Expr): boolean {
  return (facts(e) & VOLATILE_CALL) !== 0;
}

/** True when the expression reads a column (the newest-rows bound asks whether a search reads `_raw`). */
export function readsColumn(e: Expr, name: string): boolean {
  return someNode(e, (n) => n.kind === 'column' && n.name === name);
}

/** True when the expression reads the rows of another step (a subsearch's). */
export function readsStep(e: Expr): boolean {
  return (facts(e) & SUBQUERY) !== 0;
}

/** True when the expression names another step: reads its rows, or a column of it (a join's side). */
export function namesStep(e: Expr): boolean {
  return (facts(e) & (SUBQUERY | STEP_COLUMN)) !== 0;
}

/** Calls `f` with each step the expression names (see namesStep). */
export function forEachStepNamed(e: Expr, f: (step: number) => void): void {
  if (!namesStep(e)) return;
  const visit = (n: Expr): void => {
    if (n.kind === 'exists' || n.kind === 'in_rows') f(n.step);
    if (n.kind === 'column' && typeof n.side === 'number') f(n.side);
    for (const c of children(n)) visit(c);
  };
  visit(e);
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
  switch (e.kind) {
    case 'call': {
      const args = mapList(e.args, m);
      return args === e.args ? e : { ...e, args };
    }
    case 'case': {
      let changed = false;
      const whens = e.whens.map((w) => {
        const when = m(w.when);
        const then = m(w.then);
        if (when === w.when && then === w.then) return w;
        changed = true;
        return { when, then };
      });
      const otherwise = e.else ? m(e.else) : null;
      return changed || otherwise !== e.else ? { ...e, whens, else: otherwise } : e;
    }
    case 'let': {
      const value = m(e.value);
      const body = m(e.body);
      return value === e.value && body === e.body ? e : { ...e, value, body };
    }
    case 'lambda': {
      const body = m(e.body);
      return body === e.body ? e : { ...e, body };
    }
    case 'exists': {
      const where = m(e.where);
      return where === e.where ? e : { ...e, where };
    }
    case 'in_rows': {
      const values = mapList(e.values, m);
      const select = mapList(e.select, m);
      const where = m(e.where);
      return values === e.values && select === e.select && where === e.where ? e : { ...e, values, select, where };
    }
    case 'aggregate': {
      const keys = (ks: SortKey[]) => {
        const exprs = mapList(ks.map((k) => k.expr), m);
        return exprs.every((x, i) => x === ks[i]!.expr) ? ks : ks.map((k, i) => ({ ...k, expr: exprs[i]! }));
      };
      const args = mapList(e.args, m);
      const filter = e.filter ? m(e.filter) : undefined;
      const order = e.order ? keys(e.order) : undefined;
      const w = e.over;
      const f0 = w?.frame;
      const start = f0 && typeof f0.start === 'object' && f0.start !== null ? m(f0.start) : f0?.start;
      const partition = w ? mapList(w.partition, m) : undefined;
      const wOrder = w ? keys(w.order) : undefined;
      const sameOver = !w || (partition === w.partition && wOrder === w.order && start === f0?.start);
      if (args === e.args && filter === e.filter && order === e.order && sameOver) return e;
      return {
        ...e,
        args,
        ...(e.filter ? { filter } : {}),
        ...(e.order ? { order } : {}),
        ...(w ? { over: { partition: partition!, order: wOrder!, ...(f0 ? { frame: { ...f0, start: start! } } : {}) } } : {}),
      };
    }
    default: return e;
  }
}

/** The list mapped, or the list itself when every element maps to itself. */
function mapList(xs: Expr[], m: (x: Expr) => Expr): Expr[] {
  let out: Expr[] | undefined;
  for (let i = 0; i < xs.length; i++) {
    const y = m(xs[i]!);
    if (out) out.push(y);
    else if (y !== xs[i]) {
      out = xs.slice(0, i);
      out.push(y);
    }
  }
  return out ?? xs;
}
