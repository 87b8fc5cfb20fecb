// Plan -> Trino SQL over the Athena CloudTrail table (docs/athena.md). One CTE per step, as the
// DuckDB printer does, but Trino has no `SELECT * EXCLUDE/REPLACE`, no QUALIFY and no UNION BY
// NAME: every step lists its columns, which are derived here from the steps themselves. The
// events step reads only the partitions the time bounds (and a named account or region) allow.
// Trino folds the case of names, so fields that differ only in case get SQL names of their own.
import { call, column, hasWindow, int, mapExpr, stepName, type Expr, type Type } from '../ir/expr.js';
import type { Column, Plan, Step } from '../ir/plan.js';
import { ExprPrinter, NoDialectForm } from './expr.js';
import { indent, JOINS } from './plan.js';
import { mergeSteps, type PrintStep } from './merge.js';
import { TRINO, trinoEventColumns, trinoIdent, trinoPrinter } from './trino.js';
import { partitionPredicates, type AthenaTable, type PartitionBounds } from './athena-table.js';

const q = trinoIdent;

/** The most values one Trino sequence() makes. */
const SEQUENCE_MAX = 10_000;

export interface TrinoPlanOptions {
  table: AthenaTable;
  /** The main search's bounds (its own earliest=, accounts, regions, and the global range). */
  bounds: PartitionBounds;
}

export class TrinoPlanPrinter {
  private readonly byId = new Map<number, Step>();
  private readonly cols = new Map<number, string[]>();
  private readonly sqlNames = new Map<string, string>();

  /** The events step the result's rows come from (a subsearch's have only the global range). */
  private readonly mainEvents: number | undefined;

  constructor(private readonly plan: Plan, private readonly options: TrinoPlanOptions) {
    for (const s of plan.steps) this.byId.set(s.id, s);
    this.nameColumns();
    let id: number | undefined = plan.output;
    while (id !== undefined && id >= 0) {
      const s = this.byId.get(id);
      if (!s || s.kind === 'events') break;
      id = 'input' in s ? s.input : 'left' in s ? s.left : undefined;
    }
    this.mainEvents = id;
  }

  /** SQL names unique whatever the case: the first spelling keeps its name, others get a suffix. */
  private nameColumns(): void {
    const taken = new Map<string, number>();
    const all = new Set<string>();
    for (const s of this.plan.steps) for (const c of this.columnsOf(s.id)) all.add(c);
    for (const name of all) {
      const folded = name.toLowerCase();
      const n = taken.get(folded) ?? 0;
      taken.set(folded, n + 1);
      this.sqlNames.set(name, n === 0 ? name : `${name}__${n + 1}`);
    }
  }

  private sqlName(name: string): string {
    return this.sqlNames.get(name) ?? name;
  }

  private printer(): ExprPrinter {
    return trinoPrinter((n) => this.sqlName(n));
  }

  private expr(e: Expr): string {
    return this.printer().print(e);
  }

  private id(name: string): string {
    return q(this.sqlName(name));
  }

  private step(id: number): Step {
    const s = this.byId.get(id);
    if (!s) throw new Error(`internal: no step ${id}`);
    return s;
  }

  /** The columns a step's rows physically have, in order. */
  columnsOf(id: number): string[] {
    const known = this.cols.get(id);
    if (known) return known;
    const s = this.step(id);
    let out: string[];
    switch (s.kind) {
      case 'events':
        out = [...trinoEventColumns().map(([name]) => name), '__seq'];
        break;
      case 'generate':
        out = ['_time', '__seq'];
        break;
      case 'table':
      case 'none':
        out = s.kind === 'none' ? ['__seq'] : [...s.schema.fields.keys()];
        break;
      case 'extend': {
        const drop = new Set(s.drop ?? []);
        const input = this.columnsOf(s.input).filter((c) => !drop.has(c));
        out = [...input, ...s.columns.map((c) => c.name).filter((n) => !input.includes(n))];
        break;
      }
      case 'project':
        out = s.columns.map((c) => c.name);
        break;
      case 'filter':
      case 'limit':
      case 'distinct':
        out = this.columnsOf(s.input);
        break;
      case 'aggregate':
        out = [...s.groups, ...s.aggregates].map((c) => c.name);
        break;
      case 'unnest': {
        const input = this.columnsOf(s.input).filter((c) => c !== s.column && c !== s.ordinal);
        out = [...input, s.column, ...(s.ordinal ? [s.ordinal] : [])];
        break;
      }
      case 'join': {
        const drop = new Set(s.leftDrop);
        const left = s.leftAll ? this.columnsOf(s.left).filter((c) => !drop.has(c)) : [];
        out = [...left, ...s.columns.map((c) => c.name).filter((n) => !left.includes(n))];
        break;
      }
      case 'union': {
        const left = this.columnsOf(s.left);
        out = [...left, ...this.columnsOf(s.right).filter((c) => !left.includes(c))];
        break;
      }
    }
    this.cols.set(id, out);
    return out;
  }

  private typeOf(stepId: number, name: string): Type {
    return this.step(stepId).schema.fields.get(name)?.type ?? (name === '__seq' ? 'int' : name === '_time' ? 'number' : 'string');
  }

  private column(c: Column): string {
    const text = this.expr(c.expr);
    const name = this.id(c.name);
    return text === name ? name : `${text} AS ${name}`;
  }

  /** ` WHERE ...` for the conditions a step's input rows must meet first (a filter merged in). */
  private pre(s: PrintStep): string {
    return s.pre?.length ? `\n  WHERE ${this.printer().conjunction(s.pre, '\n    AND ')}` : '';
  }

  /** The SELECT a step is. */
  select(s: PrintStep): string {
    switch (s.kind) {
      case 'none':
        return 'SELECT CAST(NULL AS BIGINT) AS "__seq" WHERE false';
      case 'events':
        return this.events(s);
      case 'generate':
        return `SELECT ${TRINO.number(s.time)} AS "_time", __n AS "__seq" FROM UNNEST(sequence(1, ${s.count})) AS __g(__n)`;
      case 'table':
        return `SELECT * FROM ${s.relation}`;
      case 'extend': {
        const drop = new Set(s.drop ?? []);
        const { columns, from } = this.selectListUnnest(s.columns, stepName(s.input));
        const replaced = new Map(columns.map((c) => [c.name, c]));
        const input = this.columnsOf(s.input).filter((c) => !drop.has(c));
        const list = input.map((name) => (replaced.has(name) ? this.column(replaced.get(name)!) : this.id(name)));
        for (const c of columns) if (!input.includes(c.name)) list.push(this.column(c));
        return `SELECT ${list.join(', ')} FROM ${from}${this.pre(s)}`;
      }
      case 'project': {
        const { columns, from } = this.selectListUnnest(s.columns, stepName(s.input));
        return `SELECT ${columns.map((c) => this.column(c)).join(', ')} FROM ${from}${this.pre(s)}`;
      }
      case 'filter': {
        if (!hasWindow(s.condition)) return `SELECT * FROM ${stepName(s.input)} WHERE ${this.expr(s.condition)}`;
        // No QUALIFY in Trino: the window's condition is a column, filtered one level up.
        const cols = this.columnsOf(s.input).map((c) => this.id(c)).join(', ');
        return `SELECT ${cols} FROM (SELECT *, ${this.expr(s.condition)} AS "__keep" FROM ${stepName(s.input)}) WHERE "__keep"`;
      }
      case 'aggregate': {
        const cols = [...s.groups, ...s.aggregates].map((c) => this.column(c));
        const groups = s.groups.length ? `\n  GROUP BY ${s.groups.map((g) => this.expr(g.expr)).join(', ')}` : '';
        return `SELECT ${cols.join(', ')} FROM ${stepName(s.input)}${this.pre(s)}${groups}`;
      }
      case 'limit': {
        const order = s.order ? this.printer().sortKeys(s.order) : '"__seq"';
        return `SELECT * FROM ${stepName(s.input)} ORDER BY ${order}${s.offset ? ` OFFSET ${s.offset}` : ''} LIMIT ${s.count}`;
      }
      case 'distinct':
        return `SELECT DISTINCT * FROM ${stepName(s.input)}`;
      case 'unnest': {
        const keep = this.columnsOf(s.input).filter((c) => c !== s.column && c !== s.ordinal).map((c) => `${stepName(s.input)}.${this.id(c)}`);
        const list = this.expr(s.list);
        const cols = [...keep, `__u.__value AS ${this.id(s.column)}`, ...(s.ordinal ? [`__u.__ordinal AS ${this.id(s.ordinal)}`] : [])];
        return `SELECT ${cols.join(', ')} FROM ${stepName(s.input)} CROSS JOIN UNNEST(${list}) WITH ORDINALITY AS __u(__value, __ordinal)`;
      }
      case 'join': {
        const drop = new Set(s.leftDrop);
        const left = s.leftAll ? this.columnsOf(s.left).filter((c) => !drop.has(c)).map((c) => `l.${this.id(c)}`) : [];
        const select = [...left, ...s.columns.map((c) => this.column(c))];
        return `SELECT ${select.join(', ')}\n  FROM ${stepName(s.left)} l ${JOINS[s.type]} ${stepName(s.right)} r ON ${this.expr(s.on)}`;
      }
      case 'union': {
        const all = this.columnsOf(s.id).filter((c) => c !== '__seq');
        const side = (id: number, part: number): string => {
          const has = new Set(this.columnsOf(id));
          const cols = all.map((c) => (has.has(c) ? this.id(c) : `${TRINO.null(this.typeOf(s.id, c))} AS ${this.id(c)}`));
          // A side with no order (makecontinuous's empty bins) has none, as DuckDB's UNION BY NAME gives it.
          const seq = has.has('__seq') ? '"__seq"' : 'CAST(NULL AS BIGINT) AS "__seq"';
          return `SELECT ${[...cols, seq, `${part} AS "__part"`].join(', ')} FROM ${stepName(id)}`;
        };
        const cols = all.map((c) => this.id(c)).join(', ');
        return `SELECT ${cols}${cols ? ', ' : ''}row_number() OVER (ORDER BY "__part", "__seq") AS "__seq" FROM (\n  ${side(s.left, 0)}\n  UNION ALL\n  ${side(s.right, 1)}\n)`;
      }
    }
  }

  /**
   * DuckDB's unnest() in a select list (timechart's buckets: lo + unnest(range(0, n)) * span) is
   * Trino's CROSS JOIN UNNEST beside the input, whose element the columns read. One per step:
   * two in one DuckDB select list are zipped, which two joins are not (the function refuses them).
   */
  private selectListUnnest(columns: Column[], input: string): { columns: Column[]; from: string } {
    const found: Expr[] = [];
    for (const c of columns) mapExpr(c.expr, (e) => (e.kind === 'call' && e.fn === 'unnest' ? (found.push(e), e) : undefined));
    const unnest = found[0];
    if (found.length !== 1 || unnest?.kind !== 'call') return { columns, from: input };
    const k = column('__k', 'int');
    const swapped = columns.map((c) => ({ ...c, expr: mapExpr(c.expr, (e) => (e === unnest ? k : undefined)) }));
    return { columns: swapped, from: `${input}\n  CROSS JOIN ${this.unnestOf(unnest.args[0]!)} AS __u("__k")` };
  }

  /**
   * UNNEST of a list. The buckets' range(0, n) with its cap (time-buckets.ts capped) is made in
   * blocks of 10,000, the most one Trino sequence() may hold ("result of sequence function must
   * not have more than 10000 entries", ArraySequenceFunction), and the cap's error, which no
   * documented Trino function raises, is a cast of its message to a number: Trino fails the query
   * with "Cannot cast '<message>' to BIGINT".
   */
  private unnestOf(list: Expr): string {
    const [from, capped] = list.kind === 'call' && list.fn === 'range' ? list.args : [];
    const cap = capped?.kind === 'case' && capped.else ? capped.whens[0] : undefined;
    const max = cap?.when.kind === 'call' && cap.when.fn === 'gt' ? cap.when.args[1] : undefined;
    if (capped?.kind !== 'case' || !capped.else || from?.kind !== 'literal' || from.value !== 0 || cap?.then.kind !== 'call' || cap.then.fn !== 'error'
      || max?.kind !== 'literal' || typeof max.value !== 'number') {
      return `UNNEST(${this.expr(list)})`;
    }
    // The count once, as a column; none (no rows, no buckets) leaves the blocks' sequence null.
    const n = capped.else;
    const count = column('__count', 'int');
    const size = int(SEQUENCE_MAX);
    const block = column('__block', 'int');
    const end = call('least', [count, call('mul', [call('add', [block, int(1)], 'int'), size], 'int')], 'int');
    const failure = `CAST(${this.message(mapExpr(cap.then.args[0]!, (e) => (e === n ? count : undefined)))} AS BIGINT)`;
    const blocks = `CASE WHEN ${this.expr(call('gt', [count, max], 'bool'))} THEN ${failure} WHEN ${this.expr(count)} > 0 THEN ${Math.ceil(max.value / SEQUENCE_MAX) - 1} END`;
    return [
      `UNNEST(ARRAY[${this.expr(n)}]) AS __c("__count")`,
      `CROSS JOIN UNNEST(sequence(0, ${blocks})) AS __b("__block")`,
      `CROSS JOIN UNNEST(${this.expr(call('range', [call('mul', [block, size], 'int'), end], 'list'))})`,
    ].join('\n  ');
  }

  /** The cap's message: its text, with the bucket count written as digits (see raisedMessage). */
  private message(e: Expr): string {
    if (e.kind === 'call' && e.fn === 'concat') return e.args.map((a) => this.message(a)).join(' || ');
    if (e.kind === 'call' && e.fn === 'to_varchar' && e.args[0]!.type === 'int') return `CAST(${this.expr(e.args[0]!)} AS VARCHAR)`;
    return this.expr(e);
  }

  /**
   * The events: the table's rows in the partitions the bounds allow, reshaped to spelunk's
   * columns, the search's conditions, then the order Splunk shows them in (newest first).
   */
  private events(s: Extract<Step, { kind: 'events' }>): string {
    const { table } = this.options;
    const main = this.options.bounds;
    const bounds = s.id === this.mainEvents ? main : { earliest: main.global?.earliest, latest: main.global?.latest };
    const projection = trinoEventColumns().map(([name, sql]) => `${sql} AS ${this.id(name)}`).join(',\n      ');
    const partitions = partitionPredicates(table, bounds);
    const inner = `SELECT ${projection}\n    FROM ${table.sqlName}${partitions.length ? `\n    WHERE ${partitions.join(' AND ')}` : ''}`;
    const where = s.where.length ? [this.printer().conjunction(s.where, '\n    AND ')] : [];
    const cols = trinoEventColumns().map(([name]) => this.id(name)).join(', ');
    return `SELECT ${cols}, row_number() OVER (ORDER BY "_time" DESC NULLS LAST, "source", "eventID") AS "__seq" FROM (\n  ${inner}\n) AS __events${where.length ? `\n  WHERE ${where.join('\n    AND ')}` : ''}`;
  }

  /**
   * The whole statement: the steps as CTEs, then the result's columns in `__seq` order;
   * `jsonLists` gives multivalue columns as JSON text (Athena returns every cell as text).
   */
  statement(opts: { unordered?: boolean; jsonLists?: Record<string, Type> } = {}): string {
    const ctes = mergeSteps(this.plan.steps, this.plan.output).map((s) => `${stepName(s.id)} AS (\n  ${s.note ? `/* ${s.note.replace(/\*\//g, '* /')} */\n  ` : ''}${indent(this.select(s))}\n)`).join(',\n');
    const unordered = opts.unordered ?? false;
    const cols = this.plan.columns.map((c) => `${opts.jsonLists?.[c] === 'mv' ? `json_format(CAST(${this.id(c)} AS JSON))` : this.id(c)} AS ${q(c)}`).join(', ') || '1 AS "_"';
    return `WITH ${ctes}\nSELECT ${cols}\nFROM ${stepName(this.plan.output)}${unordered ? '' : '\nORDER BY "__seq"'}`;
  }
}

/**
 * The message a search raised itself (unnestOf's cap), out of the engine's failure, which wraps
 * it in the failed cast: Trino's "Cannot cast '<message>' to BIGINT" (INVALID_CAST_ARGUMENT,
 * also Athena's reason). Undefined for any other failure. Only the cap's messages are
 * recognised, so a cast failing on the data is never mistaken for one.
 */
export function raisedMessage(failure: string): string | undefined {
  const m = /Cannot cast '(.*?: the span would make \d+ .*?, more than \d+: give a larger span=)' to BIGINT/s.exec(failure);
  return m?.[1];
}

export { NoDialectForm };
