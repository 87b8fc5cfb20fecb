// Plan -> SQL: one CTE per step, in plan order, each a SELECT over the steps it reads, then the
// result's columns in `__seq` order. Expressions are printed by the dialect's expression printer;
// every name and value is quoted by the dialect.
import { EVENTS_TABLE, eventColumn } from '../cloudtrail-schema.js';
import { hasWindow, stepName, type Expr } from '../ir/expr.js';
import type { Column, Schema, Step } from '../ir/plan.js';
import type { Dialect } from './dialect.js';
import { ExprPrinter } from './expr.js';
import { mergeSteps, type PrintStep } from './merge.js';
import { recomputed } from './recompute.js';

/**
 * A column of this name physically exists in rows of this schema. An event column renamed away
 * or removed with `fields -` was excluded (a later eval of its name adds it anew).
 */
export function present(schema: Schema, name: string): boolean {
  return schema.fields.has(name) || (schema.raw && !schema.removed.has(name) && eventColumn(name) !== undefined);
}


export class PlanPrinter {
  private readonly byId = new Map<number, Step>();

  constructor(
    readonly dialect: Dialect,
    private readonly exprPrinter: () => ExprPrinter,
    steps: Step[],
    /** See CompileOptions.newestView. */
    private readonly newest?: { table: string; since: number },
  ) {
    for (const s of steps) this.byId.set(s.id, s);
  }

  private expr(e: Expr): string {
    return this.exprPrinter().print(e);
  }

  private q(name: string): string {
    return this.dialect.ident(name);
  }

  private schema(id: number): Schema {
    const s = this.byId.get(id);
    if (!s) throw new Error(`internal: no step ${id}`);
    return s.schema;
  }

  /** `expr AS "name"` (`"name"` alone when it is that column, outside REPLACE). */
  private column(c: Column, replacing = false): string {
    const text = this.expr(c.expr);
    const name = this.q(c.name);
    return text === name && !replacing ? name : `${text} AS ${name}`;
  }

  /** ` WHERE ...` for the conditions a step's input rows must meet first (a filter merged in). */
  private pre(s: PrintStep): string {
    return s.pre?.length ? `\n  WHERE ${this.exprPrinter().conjunction(s.pre, '\n    AND ')}` : '';
  }

  /**
   * The newest view when one of an events step's conditions keeps only events at or after its
   * start (`_time >= t`, t >= since: a newest-rows bound, or the question over the newest events),
   * else `events`. Every event the condition keeps is in a file the newest view reads.
   */
  private eventsTable(where: Expr[]): string {
    const newest = this.newest;
    const since = (w: Expr): boolean => {
      if (w.kind !== 'call' || w.fn !== 'ge' || w.args.length !== 2) return false;
      const [col, value] = w.args;
      return col!.kind === 'column' && col!.name === '_time' && col!.side === undefined && value!.kind === 'literal' && typeof value!.value === 'number' && value!.value >= newest!.since;
    };
    return newest !== undefined && where.some(since) ? newest.table : EVENTS_TABLE;
  }

  /** The SELECT a step is. */
  step(s: PrintStep): string {
    switch (s.kind) {
      case 'none':
        return 'SELECT CAST(NULL AS BIGINT) AS "__seq" WHERE false';
      case 'events': {
        const where = s.where.length ? `\n  WHERE ${this.exprPrinter().conjunction(s.where, '\n    AND ')}` : '';
        return `SELECT * FROM ${this.q(this.eventsTable(s.where))}${where}`;
      }
      case 'generate':
        return `SELECT ${this.dialect.number(s.time)} AS "_time", range + 1 AS "__seq" FROM range(${s.count})`;
      case 'table':
        return `SELECT * FROM ${s.relation}`;
      case 'extend': {
        const input = this.schema(s.input);
        const excluded = new Set((s.drop ?? []).filter((n) => present(input, n)));
        const replaced = (c: Column) => present(input, c.name) && !excluded.has(c.name);
        const replace = s.columns.filter(replaced).map((c) => this.column(c, true));
        const add = s.columns.filter((c) => !replaced(c)).map((c) => this.column(c));
        const exclude = excluded.size ? ` EXCLUDE (${[...excluded].map((n) => this.q(n)).join(', ')})` : '';
        const star = `*${exclude}${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}`;
        return `SELECT ${[star, ...add].join(', ')} FROM ${stepName(s.input)}${this.pre(s)}`;
      }
      case 'project':
        return `SELECT ${s.columns.map((c) => this.column(c)).join(', ')} FROM ${stepName(s.input)}${this.pre(s)}`;
      case 'filter': {
        // A condition over a window function filters after the windows are computed.
        const clause = hasWindow(s.condition) ? '\n  QUALIFY' : ' WHERE';
        return `SELECT * FROM ${stepName(s.input)}${clause} ${this.expr(s.condition)}`;
      }
      case 'aggregate': {
        const cols = [...s.groups, ...s.aggregates].map((c) => this.column(c));
        const groups = s.groups.length ? `\n  GROUP BY ${s.groups.map((g) => this.expr(g.expr)).join(', ')}` : '';
        return `SELECT ${cols.join(', ')} FROM ${stepName(s.input)}${this.pre(s)}${groups}`;
      }
      case 'limit': {
        const order = s.order ? this.exprPrinter().sortKeys(s.order) : '"__seq"';
        return `SELECT * FROM ${stepName(s.input)} ORDER BY ${order} LIMIT ${s.count}${s.offset ? ` OFFSET ${s.offset}` : ''}`;
      }
      case 'distinct':
        return `SELECT DISTINCT * FROM ${stepName(s.input)}`;
      case 'unnest': {
        const input = this.schema(s.input);
        const list = this.expr(s.list);
        const replaced = present(input, s.column) ? ` EXCLUDE (${this.q(s.column)})` : '';
        const ordinal = s.ordinal ? `, generate_subscripts(${list}, 1) AS ${this.q(s.ordinal)}` : '';
        return `SELECT *${replaced}, unnest(${list}) AS ${this.q(s.column)}${ordinal} FROM ${stepName(s.input)}`;
      }
      case 'join': {
        const left = this.schema(s.left);
        const drop = s.leftDrop.filter((n) => present(left, n));
        const select = [...(s.leftAll ? [`l.*${drop.length ? ` EXCLUDE (${drop.map((n) => this.q(n)).join(', ')})` : ''}`] : []), ...s.columns.map((c) => this.column(c))];
        return `SELECT ${select.join(', ')}\n  FROM ${stepName(s.left)} l ${JOINS[s.type]} ${stepName(s.right)} r ON ${this.expr(s.on)}`;
      }
      case 'union':
        return [
          `SELECT * EXCLUDE ("__part") REPLACE (row_number() OVER (ORDER BY "__part", "__seq") AS "__seq") FROM (`,
          `  SELECT *, 0 AS "__part" FROM ${stepName(s.left)}`,
          `  UNION ALL BY NAME`,
          `  SELECT *, 1 AS "__part" FROM ${stepName(s.right)}`,
          `)`,
        ].join('\n');
    }
  }

  /**
   * `WITH` clauses for the steps, in plan order: one per step, or, given the step whose rows are
   * the result, adjacent steps merged where the meaning allows (print/merge.ts).
   */
  ctes(steps: Step[], output?: number): string {
    const printed: PrintStep[] = output === undefined ? steps : mergeSteps(steps, output);
    // Stepwise (the inspector materialises every CTE to time it), each step stays a CTE that is kept.
    const again = output !== undefined && this.dialect.name === 'duckdb' ? recomputed(steps) : new Set<number>();
    return printed.map((s) => `${stepName(s.id)} AS ${again.has(s.id) ? 'NOT MATERIALIZED ' : ''}(\n  ${s.note ? `/* ${s.note.replace(/\*\//g, '* /')} */\n  ` : ''}${indent(this.step(s))}\n)`).join(',\n');
  }

  /**
   * The query of step `output`'s rows: `columns` (none: a constant), in `__seq` order unless
   * `unordered`. `asRows`: each row's values as rows of one column (the answer to a question
   * asked of the data, Builder.ask). `stepwise`: one CTE per step, none merged.
   */
  query(steps: Step[], output: number, columns: string[], opts: { unordered?: boolean; asRows?: boolean; stepwise?: boolean } = {}): string {
    return this.queries(steps, output, columns, opts).sql;
  }

  /**
   * query(), and for an ordered result of columns the same rows unordered with their `"__seq"`
   * after the columns (`keyed`): the engine then computes what it reads of each row before the
   * final sort, on every thread, instead of after it on one (CompiledSearch.keyed).
   */
  queries(steps: Step[], output: number, columns: string[], opts: { unordered?: boolean; asRows?: boolean; stepwise?: boolean } = {}): { sql: string; keyed?: string } {
    const cols = columns.map((c) => this.q(c));
    const select = opts.asRows && cols.length > 1 ? `unnest([${cols.join(', ')}])` : cols.join(', ') || '1 AS "_"';
    const head = `WITH ${this.ctes(steps, opts.stepwise ? undefined : output)}\nSELECT ${select}`;
    const from = `\nFROM ${stepName(output)}`;
    const sql = `${head}${from}${opts.unordered ? '' : '\nORDER BY "__seq"'}`;
    return opts.unordered || opts.asRows || cols.length === 0 ? { sql } : { sql, keyed: `${head}, "__seq"${from}` };
  }
}

export const JOINS = { inner: 'JOIN', left: 'LEFT JOIN', full: 'FULL JOIN' } as const;

const [SINGLE, DOUBLE, NEWLINE] = [39, 34, 10];

/** Indents a CTE body. A line break inside a quoted value or name is data: it is left as it is. */
export function indent(sql: string): string {
  if (!sql.includes('\n')) return sql;
  let out = '';
  let from = 0;
  let quote = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql.charCodeAt(i);
    // A doubled quote inside a literal closes and reopens it, which leaves the state right.
    if (quote) {
      if (ch === quote) quote = 0;
    } else if (ch === SINGLE || ch === DOUBLE) {
      quote = ch;
    } else if (ch === NEWLINE) {
      out += sql.slice(from, i + 1) + '  ';
      from = i + 1;
    }
  }
  return out + sql.slice(from);
}
