// Collects the plan of one search (subsearches included): its steps, each with its schema, and
// hands out relations (a step's id and schema) to the commands.
import type { Expr as AstExpr, Command, Pipeline, SearchExpr, Span } from '../../grammar/ast.js';
import { splError } from '../../grammar/diagnostics.js';
import { column, stepName, Vars, type Expr, type MissingField } from './ir/expr.js';
import { originalName, preserveOriginals } from './fields.js';
import type { Schema, Step } from './ir/plan.js';
import { COMPUTED, isMade, type Origin } from './ir/origin.js';
import { deriveSchema, type StepBody } from './ir/schema.js';
import { dropUselessSteps } from './rewrite/clean.js';
import { compact } from './rewrite/renumber.js';
import { duckdbPrinter, DUCKDB } from './print/duckdb.js';
import { PlanPrinter } from './print/plan.js';
import type { CapCheck, CompileOptions, DiscoveredValue, Discovery, FieldInfo, FieldType, OutputAction, Relation } from './types.js';

export type { StepBody };

export class Builder {
  readonly steps: Step[] = [];
  output?: OutputAction;
  /** outputlookup before the end of the search or in a subsearch: written before it runs. */
  readonly writes: OutputAction[] = [];
  /** What the user should know about the answer (shown beside the results and in explain). */
  readonly notes: string[] = [];
  /** Field names the search reads that nothing defines, by name (noted by compile.ts). */
  readonly missing = new Map<string, MissingField>();
  /**
   * fieldformat's display formats, applied to the search's final rows only (a subsearch's are
   * dropped when it ends): later commands see the values unformatted, as in Splunk.
   */
  readonly formats: { field: string; expr: AstExpr }[] = [];
  readonly discoveries: Discovery[] = [];
  /** Splunk's silent caps met by the search, with the step whose rows they cut (see `cap`). */
  readonly caps: { check: CapCheck; step: number }[] = [];
  /** The plan depends on CompileOptions.eventIdsUnique (a dedup left out or kept by it). */
  readsEventIdsUnique = false;
  private counter = 0;
  /** Variable ids of lambdas and lets: one counter for the whole compilation. */
  readonly vars = new Vars();

  constructor(
    readonly options: CompileOptions,
    /** Compiles a nested pipeline (subsearch) into this builder's CTEs. */
    readonly compileSub: (pipeline: Pipeline, b: Builder) => Relation,
    /** The condition a subsearch in `search` becomes (its rows OR'ed, as Splunk's format does). */
    readonly subsearchCondition: (pipeline: Pipeline, outer: Relation, span: Span) => Expr,
    /** A search-language condition over a relation (searchmatch() inside eval). */
    readonly compileSearch: (e: SearchExpr, rel: Relation, locals?: Map<string, Expr>) => Expr,
    /** Commands applied to a relation in turn (foreach's filled-in template). */
    readonly compileCommands: (commands: Command[], rel: Relation) => Relation,
  ) {}

  /** The span of the command being compiled: each step it adds carries it (run-time errors point there). */
  span?: Span;

  /**
   * The time range of the search being compiled (a subsearch has its own): the global range
   * (`--earliest`/`--latest`, `:time`) narrowed by `earliest=`/`latest=` in its first search.
   * Epoch seconds; a bound that is absent (or `earliest=0`, all time) is undefined.
   */
  range: { earliest?: number; latest?: number } = {};

  /**
   * Add a step and return the relation it defines. Its schema is derived from the step (see
   * ir/schema.ts); a command states it only where the step cannot say it.
   */
  step(body: StepBody, given?: Schema): Relation {
    const kept = this.keepOriginals(body, given);
    if (kept) ({ body, given } = kept);
    const schema = given ?? deriveSchema(body, (id) => this.schemaOf(id));
    if (!schema) throw new Error(`internal: a ${body.kind} step needs its schema stated`);
    // DuckDB has no empty name (nor one of NULs only): the command that made it is named instead.
    if (this.span && stepColumns(body).some((n) => n === '' || (n.includes('\u0000') && n.replace(/\u0000/g, '') === ''))) throw this.err('bad-argument', 'a field name cannot be empty ("")', this.span);
    const id = this.counter++;
    this.steps.push({ ...(this.span ? { span: this.span } : {}), ...body, id, schema } as Step);
    return { name: stepName(id), id, ...schema };
  }

  /**
   * Before a step overwrites or drops event fields, a step keeping their original values: add-on
   * fields read the event as it was (Splunk computes them before the pipeline runs), whichever
   * command replaced the field (eval, streamstats, eventstats, concurrency, a lookup's OUTPUT...).
   * Without it an add-on field read the new value: `streamstats last(eventSource) as eventName`
   * emptied `action`, `streamstats count as eventName` failed on a type. Undefined when nothing
   * needs keeping.
   */
  private keepOriginals(body: StepBody, given?: Schema): { body: StepBody; given?: Schema } | undefined {
    if (body.kind !== 'extend' && !(body.kind === 'join' && body.leftAll)) return undefined;
    const inputId = body.kind === 'extend' ? body.input : body.left;
    const input: Relation = { name: stepName(inputId), id: inputId, ...this.schemaOf(inputId) };
    if (!input.raw) return undefined;
    const names = [...body.columns.map((c) => c.name), ...(body.kind === 'extend' ? (body.drop ?? []) : body.leftDrop)];
    const keep = preserveOriginals(input, names);
    if (keep.length === 0) return undefined;
    const originals: [string, FieldInfo][] = keep.map(([n, info]) => [originalName(n), info]);
    const before = this.step(
      { kind: 'extend', input: inputId, columns: keep.map(([n, info]) => ({ name: originalName(n), expr: column(n, info.type) })) },
      { fields: withFields(input, originals), raw: input.raw, removed: input.removed },
    );
    const moved: StepBody = body.kind === 'extend' ? { ...body, input: before.id } : { ...body, left: before.id };
    if (!given) return { body: moved };
    const fields = new Map(given.fields);
    for (const [n, info] of originals) if (!fields.has(n)) fields.set(n, info);
    return { body: moved, given: { ...given, fields } };
  }

  schemaOf(id: number): Schema {
    const s = this.steps[id];
    if (!s || s.id !== id) throw new Error(`internal: no step ${id}`);
    return s.schema;
  }

  /**
   * The steps so far (or the given ones, a rewrite of them) as CTEs, one per step; given the
   * step whose rows are the result, adjacent steps are merged where the meaning allows.
   */
  ctes(steps: Step[] = this.steps, output?: number): string {
    return new PlanPrinter(DUCKDB, duckdbPrinter, steps, this.options.newestView).ctes(steps, output);
  }

  /**
   * Ask the data a question stated as plan steps: the command adds steps that compute the answer
   * (they read the search's steps; nothing of the search reads them, so the clean-up rewrite
   * leaves them out of its SQL) and asks for the values of `columns` of the rows of `rel`, row by
   * row in `__seq` order when `ordered`. The printer writes the question's SQL as it writes the
   * search's, from the steps it reads alone, numbered from 0: the same question asks the same
   * SQL whatever the search does around it.
   *
   * Returns the answer (one value per row and column) when the engine has supplied it, otherwise
   * records the question and returns undefined: the caller then emits a placeholder. The key is
   * the query itself, so an answer never serves a different question. `remote`: the question may
   * be printed for the engine a search runs on (trino-compile.ts), its answer checked to be the same.
   */
  ask(rel: Relation, columns: string[], what: string, ordered: boolean, remote = false): DiscoveredValue[] | undefined {
    const sql = this.rowsQuery(rel, columns, { unordered: !ordered, asRows: true });
    const answer = this.options.discovered?.[sql];
    if (answer) return answer;
    if (!this.discoveries.some((d) => d.key === sql)) this.discoveries.push({ key: sql, sql, what, ...(remote ? { rows: { output: rel.id, columns, ordered } } : {}) });
    return undefined;
  }

  /**
   * Splunk cuts `rel`'s rows to `count` here without saying so; the search does the same (its
   * `capped` step keeps the first `count`), and the engine asks afterwards whether any were cut.
   */
  cap(rel: Relation, capped: Relation, count: number, said: { note: string; rule: string }): void {
    let sql: string | undefined;
    // No column read: the rows are only counted.
    const query = (): string => `SELECT count(*) AS n FROM (SELECT 1 FROM (${this.rowsQuery(rel, [], { unordered: true })}) LIMIT ${count + 1})`;
    this.caps.push({ check: { ...said, count, get sql() { return (sql ??= query()); } }, step: capped.id });
  }

  /** The query of the rows of `rel` (its `columns`, in `__seq` order unless `unordered`), from the steps it reads alone. */
  rowsQuery(rel: Relation, columns: string[], opts: { unordered?: boolean; asRows?: boolean } = {}): string {
    const read = dropUselessSteps(this.steps, rel.id);
    const { steps, id } = compact(read.steps);
    return this.query(steps, id(read.output), columns, opts);
  }

  /** The query of step `output`'s rows, printed as DuckDB SQL (see PlanPrinter.query). */
  query(steps: Step[], output: number, columns: string[], opts: { unordered?: boolean; asRows?: boolean; stepwise?: boolean } = {}): string {
    return new PlanPrinter(DUCKDB, duckdbPrinter, steps, this.options.newestView).query(steps, output, columns, opts);
  }

  /** query(), and the same rows unordered with their `__seq` (see PlanPrinter.queries). */
  queries(steps: Step[], output: number, columns: string[], opts: { unordered?: boolean; stepwise?: boolean } = {}): { sql: string; keyed?: string } {
    return new PlanPrinter(DUCKDB, duckdbPrinter, steps, this.options.newestView).queries(steps, output, columns, opts);
  }

  /** An error about the user's search, to be thrown: `throw b.err(...)`. */
  err(code: Parameters<typeof splError>[0], message: string, span: Span, hints?: string[]) {
    return splError(code, message, span, hints);
  }
}

/** A field the pipeline made: computed unless it copies a field whose origin it keeps. */
export function made(type: FieldType, origin: Origin = COMPUTED): FieldInfo {
  return { type, origin };
}

/** The fields of a relation plus or minus some, as a new map (relations are never mutated). */
export function withFields(rel: Relation, add: [string, FieldInfo][] = [], drop: string[] = []): Map<string, FieldInfo> {
  const fields = new Map(rel.fields);
  for (const name of drop) fields.delete(name);
  for (const [name, info] of add) {
    fields.delete(name);
    fields.set(name, info);
  }
  return fields;
}

/** Visible field names of a relation in order (hidden `__` columns and event columns left out). */
export function visibleFields(rel: Relation): string[] {
  return [...rel.fields].filter(([name, info]) => !name.startsWith('__') && isMade(info.origin)).map(([name]) => name);
}

/** Output columns: for events, `_time`, the fields the pipeline made, and `_raw`. */
export function outputColumns(rel: Relation): string[] {
  const visible = visibleFields(rel);
  if (!rel.raw) return visible;
  return ['_time', ...visible.filter((f) => f !== '_time' && f !== '_raw'), '_raw'];
}

/** Names of the columns a step makes. */
function stepColumns(body: StepBody): string[] {
  switch (body.kind) {
    case 'extend': case 'project': case 'join': return body.columns.map((c) => c.name);
    case 'aggregate': return [...body.groups, ...body.aggregates].map((c) => c.name);
    case 'unnest': return [body.column];
    default: return [];
  }
}
