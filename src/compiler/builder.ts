// Collects the CTEs of one compiled search (subsearches included) and hands out relations.
import type { Pipeline, SearchExpr, Span } from '../../grammar/ast.js';
import { splError } from '../../grammar/diagnostics.js';
import { Vars, type Expr } from './ir/expr.js';
import { ident } from './sql.js';
import type { CompileOptions, DiscoveredValue, Discovery, FieldInfo, FieldType, OutputAction, Relation } from './types.js';

export class Builder {
  readonly ctes: { name: string; sql: string }[] = [];
  output?: OutputAction;
  /** outputlookup before the end of the search or in a subsearch: written before it runs. */
  readonly writes: OutputAction[] = [];
  /** What the user should know about the answer (shown beside the results and in explain). */
  readonly notes: string[] = [];
  readonly discoveries: Discovery[] = [];
  private counter = 0;
  /** Variable ids of lambdas and lets: one counter for the whole compilation. */
  readonly vars = new Vars();

  constructor(
    readonly options: CompileOptions,
    /** Compiles a nested pipeline (subsearch) into this builder's CTEs. */
    readonly compileSub: (pipeline: Pipeline, b: Builder) => Relation,
    /** The condition a subsearch in `search` becomes (its rows OR'ed, as Splunk's format does). */
    readonly subsearchCondition: (pipeline: Pipeline, outer: Relation, span: Span) => string,
    /** A search-language condition over a relation (searchmatch() inside eval). */
    readonly compileSearch: (e: SearchExpr, rel: Relation, locals?: Map<string, Expr>) => Expr,
  ) {}

  /** Add a CTE and return the relation it defines. */
  add(sql: string, fields: Map<string, FieldInfo>, raw: boolean, removed: Set<string> = new Set()): Relation {
    const name = `s${this.counter++}`;
    this.ctes.push({ name, sql });
    return { name, fields, raw, removed };
  }

  /**
   * Ask the data a question: `select` runs after the CTEs built so far (it may read any of them).
   * Returns the answer (first column of each row) when the engine has supplied it, otherwise
   * records the question and returns undefined: the caller then emits a placeholder. The key is
   * the query itself, so an answer never serves a different question.
   */
  discover(select: string, what: string): DiscoveredValue[] | undefined {
    const sql = this.ctes.length ? `WITH ${renderCtes(this.ctes)}\n${select}` : select;
    const answer = this.options.discovered?.[sql];
    if (answer) return answer;
    if (!this.discoveries.some((d) => d.key === sql)) this.discoveries.push({ key: sql, sql, what });
    return undefined;
  }

  /** The query of a relation's visible rows, in order, over the CTEs built so far. */
  snapshot(select: string): string {
    return this.ctes.length ? `WITH ${renderCtes(this.ctes)}\n${select}` : select;
  }

  /** An error about the user's search, to be thrown: `throw b.err(...)`. */
  err(code: Parameters<typeof splError>[0], message: string, span: Span, hints?: string[]) {
    return splError(code, message, span, hints);
  }
}

export function renderCtes(ctes: { name: string; sql: string }[]): string {
  return ctes.map((c) => `${c.name} AS (\n  ${indent(c.sql)}\n)`).join(',\n');
}

/** Indents a CTE body. A line break inside a quoted value or name is data: it is left as it is. */
function indent(sql: string): string {
  let out = '';
  let quote = '';
  for (const ch of sql) {
    // A doubled quote inside a literal closes and reopens it, which leaves the state right.
    if (quote) quote = ch === quote ? '' : quote;
    else if (ch === "'" || ch === '"') quote = ch;
    out += ch === '\n' && !quote ? '\n  ' : ch;
  }
  return out;
}

export function made(type: FieldType): FieldInfo {
  return { type, origin: 'made' };
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

/** `SELECT * EXCLUDE (...)` list for hidden or replaced columns that exist in the relation. */
export function exclude(names: string[]): string {
  return names.length ? ` EXCLUDE (${names.map(ident).join(', ')})` : '';
}

/** Visible field names of a relation in order (hidden `__` columns and event columns left out). */
export function visibleFields(rel: Relation): string[] {
  return [...rel.fields].filter(([name, info]) => !name.startsWith('__') && info.origin === 'made').map(([name]) => name);
}

/** Output columns: for events, `_time`, the fields the pipeline made, and `_raw`. */
export function outputColumns(rel: Relation): string[] {
  const visible = visibleFields(rel);
  if (!rel.raw) return visible;
  return ['_time', ...visible.filter((f) => f !== '_time' && f !== '_raw'), '_raw'];
}

