// Expression IR -> SQL text in one dialect. The printer names every lambda variable afresh (no two
// binders in one statement share a name, so an inner lambda never captures an outer one's
// value), prints a shared subexpression (let) once, and adds parentheses only where precedence
// needs them.
import { frameRows, stepName, type Expr, type SortKey, type Window } from '../ir/expr.js';
import { PREC, sqlFunction, type SqlFunction, type Template } from '../library/sql-functions.js';
import type { Span } from '../../../grammar/ast.js';
import { DialectArgumentError, type Dialect } from './dialect.js';

/** Precedence of what a printed fragment is, so an operator around it knows to parenthesise. */
const ATOM = 100;

interface Printed {
  text: string;
  prec: number;
  /** The library function when the fragment is an operator (for associativity). */
  op?: string;
}

export class ExprPrinter {
  private names = new Map<number, string>();
  private counts: Map<number, number> | null = null;
  private next = 0;

  constructor(
    readonly dialect: Dialect,
    /** SQL name of a column (the plan printer maps field names to unique SQL names). */
    readonly columnName: (name: string) => string = (n) => n,
    /** SQL for a path into a nested event column (dialects map raw paths differently). */
    readonly path: (e: Extract<Expr, { kind: 'path' }>, p: ExprPrinter) => string = defaultPath,
  ) {}

  print(e: Expr): string {
    return this.printed(e).text;
  }

  /**
   * Conditions that must all hold, one a line after the first (`sep`), each parenthesised where
   * it binds looser than AND: `a OR b` beside a time bound is `(a OR b)`.
   */
  conjunction(es: Expr[], sep = ' AND '): string {
    return es.map((e) => {
      const p = this.printed(e);
      return p.prec < PREC.and ? `(${p.text})` : p.text;
    }).join(sep);
  }

  private printed(e: Expr): Printed {
    if (this.counts === null) {
      this.counts = new Map();
      countVars(e, this.counts);
      const p = this.node(e);
      this.counts = null;
      return p;
    }
    return this.node(e);
  }

  /** A fresh lambda variable name; never reused within this printer. */
  private fresh(): string {
    return `__v${this.next++}`;
  }

  /** The innermost node with a source span, for an error about what cannot be printed. */
  private spans: Span[] = [];

  private node(e: Expr): Printed {
    if (!e.span) return this.nodeAt(e);
    this.spans.push(e.span);
    try {
      return this.nodeAt(e);
    } catch (err) {
      if (err instanceof NoDialectForm && !err.span) err.span = e.span;
      throw err;
    } finally {
      this.spans.pop();
    }
  }

  private nodeAt(e: Expr): Printed {
    const d = this.dialect;
    switch (e.kind) {
      case 'column': {
        const side = e.side === undefined ? '' : typeof e.side === 'number' ? `${stepName(e.side)}.` : `${e.side}.`;
        return { text: `${side}${d.ident(this.columnName(e.name))}`, prec: ATOM };
      }
      case 'exists':
        return { text: `EXISTS (SELECT 1 FROM ${stepName(e.step)} WHERE ${this.node(e.where).text})`, prec: ATOM };
      case 'in_rows': {
        const tuple = (xs: Expr[]) => (xs.length === 1 ? this.node(xs[0]!).text : `(${xs.map((x) => this.node(x).text).join(', ')})`);
        const select = e.select.map((x) => this.node(x).text).join(', ');
        return { text: `${tuple(e.values)} IN (SELECT ${select} FROM ${stepName(e.step)} WHERE ${this.node(e.where).text})`, prec: PREC.like };
      }
      case 'path':
        return { text: this.path(e, this), prec: ATOM };
      case 'literal':
        return { text: this.literal(e), prec: ATOM };
      case 'var': {
        const name = this.names.get(e.id);
        if (name === undefined) throw new Error(`internal: variable ${e.id} printed outside its binder`);
        return { text: name, prec: ATOM };
      }
      case 'call':
        return this.call(sqlFunction(e.fn), e.args, e.fn);
      case 'case': {
        const whens = e.whens.map((w) => `WHEN ${this.node(w.when).text} THEN ${this.node(w.then).text}`);
        const otherwise = e.else ? ` ELSE ${this.node(e.else).text}` : '';
        return { text: `CASE ${whens.join(' ')}${otherwise} END`, prec: ATOM };
      }
      case 'lambda': {
        const params = e.params.map((id) => this.bind(id));
        const body = this.node(e.body).text;
        e.params.forEach((id) => this.names.delete(id));
        return { text: d.lambda(params, body), prec: 0 };
      }
      case 'let': {
        const n = this.counts?.get(e.id) ?? 2;
        const value = this.node(e.value);
        if (n <= 1 || isCheap(value)) {
          // Used once, or as cheap as a name: the value stands where the variable is.
          this.names.set(e.id, value.prec === ATOM ? value.text : `(${value.text})`);
          const body = this.node(e.body);
          this.names.delete(e.id);
          return body;
        }
        const name = this.bind(e.id);
        const body = this.node(e.body).text;
        this.names.delete(e.id);
        return { text: d.let(name, value.text, body), prec: ATOM };
      }
      case 'aggregate':
        return this.aggregate(e);
    }
  }

  private bind(id: number): string {
    const name = this.fresh();
    this.names.set(id, name);
    return name;
  }

  private literal(e: Extract<Expr, { kind: 'literal' }>): string {
    const d = this.dialect;
    if (e.value === null) return d.null(e.type);
    if (typeof e.value === 'string') return d.string(e.value);
    if (typeof e.value === 'boolean') return d.bool(e.value);
    return e.type === 'int' ? d.int(e.value) : d.number(e.value);
  }

  private template(f: SqlFunction, id: string, args: Expr[]): Template {
    const template = this.dialect.template ? this.dialect.template(id, f, args) : f[this.dialect.name];
    if (template === undefined) throw new NoDialectForm(id, this.dialect.name);
    if (typeof template === 'object') throw new NoDialectForm(id, this.dialect.name, template.none);
    return template;
  }

  private call(f: SqlFunction, args: Expr[], id: string): Printed {
    const template = this.template(f, id, args);
    const prec = f.prec ?? ATOM;
    const printed = args.map((a) => this.node(a));
    const slots = printed.map((p) => (prec !== ATOM && needsParens(p, prec, id, f.assoc) ? `(${p.text})` : p.text));
    // An argument the template writes twice is bound once, unless it is as cheap as a name.
    const lets: [string, string][] = [];
    const repeats = repeatedSlots(template);
    for (const i of repeats.length || f.repeats?.length ? new Set([...repeats, ...(f.repeats ?? [])]) : repeats) {
      const p = printed[i];
      if (!p || isCheap(p)) continue;
      const name = this.fresh();
      lets.push([name, p.text]);
      slots[i] = name;
    }
    let text = this.apply(template, slots, id);
    if (lets.length === 0) return { text, prec, op: id };
    for (const [name, value] of lets.reverse()) text = this.dialect.let(name, value, text);
    return { text, prec: ATOM };
  }

  private aggregate(e: Extract<Expr, { kind: 'aggregate' }>): Printed {
    const f = sqlFunction(e.fn);
    const template = this.template(f, e.fn, e.args);
    let args = e.args.map((a) => this.node(a).text);
    if (e.distinct) args = args.length ? [`DISTINCT ${args[0]}`, ...args.slice(1)] : args;
    if (e.order?.length) {
      // The ORDER BY goes inside the call, after the last argument.
      const order = ` ORDER BY ${this.sortKeys(e.order)}`;
      args = args.length ? [...args.slice(0, -1), args[args.length - 1] + order] : args;
    }
    let text = this.apply(template, args, e.fn);
    if (e.filter) text += ` FILTER (WHERE ${this.node(e.filter).text})`;
    if (e.over) text += ` OVER (${this.window(e.over)})`;
    return { text, prec: ATOM };
  }

  /** A dialect's form may refuse particular arguments (a regex known only per row). */
  private apply(template: Template, args: string[], id: string): string {
    try {
      return applyTemplate(template, args);
    } catch (err) {
      if (err instanceof DialectArgumentError) throw new NoDialectForm(id, this.dialect.name, err.message, this.spans[this.spans.length - 1]);
      throw err;
    }
  }

  sortKeys(keys: SortKey[]): string {
    // Ascending with nulls last is the default order in SQL dialects spelunk prints for.
    return keys.map((k) => `${this.node(k.expr).text}${k.desc || k.nulls === 'first' ? ` ${k.desc ? 'DESC' : 'ASC'} NULLS ${k.nulls === 'first' ? 'FIRST' : 'LAST'}` : ''}`).join(', ');
  }

  window(w: Window): string {
    const parts: string[] = [];
    if (w.partition.length) parts.push(`PARTITION BY ${w.partition.map((p) => this.node(p).text).join(', ')}`);
    if (w.order.length) parts.push(`ORDER BY ${this.sortKeys(w.order)}`);
    if (w.frame) {
      const s = w.frame.start;
      const e = w.frame.end;
      const start = s === null ? 'UNBOUNDED PRECEDING' : typeof s === 'object' ? `${this.node(s).text} PRECEDING` : s === 0 ? 'CURRENT ROW' : `${-s} PRECEDING`;
      const end = e === 0 ? 'CURRENT ROW' : e > 0 ? `${e} FOLLOWING` : `${-e} PRECEDING`;
      parts.push(`${w.frame.range ? 'RANGE' : 'ROWS'} BETWEEN ${start} AND ${end}`);
    }
    return parts.join(' ');
  }
}

/**
 * A library function with no template for the dialect, or a form that refuses these arguments:
 * the search cannot be printed for it. `span` is the innermost part of the search being printed.
 */
export class NoDialectForm extends Error {
  constructor(readonly fn: string, readonly dialect: string, readonly reason?: string, public span?: Span) {
    super(reason ?? `${fn} has no ${dialect} form`);
    this.name = 'NoDialectForm';
  }
}

/**
 * Parentheses around an operand: none for atoms; none for a tighter arithmetic operand or for an
 * operand of AND/OR that binds tighter; none for the same associative operator; else yes (SQL
 * dialects differ in the finer points of precedence, so the printer does not rely on them).
 */
function needsParens(arg: Printed, prec: number, op: string, assoc?: boolean): boolean {
  if (arg.prec === ATOM) return false;
  if (arg.op === op && assoc) return false;
  if (arg.prec > prec && (arg.prec >= 60 || prec <= 20)) return false;
  return true;
}

/**
 * Fill a template: `{0}`, `{1}` are arguments, `{*}` all of them and `{1*}` those from the second
 * on, joined by commas. A bare name is a function call over all arguments.
 */
function applyTemplate(template: Template, args: string[]): string {
  if (typeof template === 'function') return template(args);
  if (/^[A-Za-z_][\w.]*$/.test(template)) return `${template}(${args.join(', ')})`;
  return template.replace(/\{(\d*)(\*?)\}/g, (_m, index: string, rest: string) => {
    const i = index === '' ? 0 : Number(index);
    if (rest) return args.slice(i).join(', ');
    const a = args[i];
    if (a === undefined) throw new Error(`internal: template ${template} needs argument ${i}`);
    return a;
  });
}

/** A printed value as cheap to repeat as a name: a column, a variable, a literal. */
function isCheap(p: Printed): boolean {
  return p.prec === ATOM && /^(?:[\w."]+|'(?:[^']|'')*'|-?[\d.]+(?:::DOUBLE)?)$/.test(p.text);
}

const repeated = new Map<string, number[]>();

/** Indexes of the arguments a template writes more than once. */
function repeatedSlots(template: Template): number[] {
  if (typeof template !== 'string') return [];
  let found = repeated.get(template);
  if (!found) {
    const counts = new Map<number, number>();
    for (const m of template.matchAll(/\{(\d*)\}/g)) {
      const i = m[1] === '' ? 0 : Number(m[1]);
      counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    found = [...counts].filter(([, n]) => n > 1).map(([i]) => i);
    repeated.set(template, found);
  }
  return found;
}

function countVars(e: Expr, out: Map<number, number>): void {
  switch (e.kind) {
    case 'var': out.set(e.id, (out.get(e.id) ?? 0) + 1); return;
    case 'call': for (const a of e.args) countVars(a, out); return;
    case 'case':
      for (const w of e.whens) { countVars(w.when, out); countVars(w.then, out); }
      if (e.else) countVars(e.else, out);
      return;
    case 'lambda': countVars(e.body, out); return;
    case 'let': countVars(e.value, out); countVars(e.body, out); return;
    case 'exists': countVars(e.where, out); return;
    case 'in_rows': for (const x of [...e.values, ...e.select, e.where]) countVars(x, out); return;
    case 'aggregate':
      for (const a of e.args) countVars(a, out);
      if (e.filter) countVars(e.filter, out);
      for (const k of e.order ?? []) countVars(k.expr, out);
      for (const p of e.over?.partition ?? []) countVars(p, out);
      for (const k of e.over?.order ?? []) countVars(k.expr, out);
      for (const r of e.over ? frameRows(e.over) : []) countVars(r, out);
      return;
    default: return;
  }
}

function defaultPath(e: Extract<Expr, { kind: 'path' }>, p: ExprPrinter): string {
  throw new NoDialectForm(`path ${[e.column, ...e.segments].join('.')}`, p.dialect.name);
}
