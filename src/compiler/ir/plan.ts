// The relational plan: what a search does to rows, as plain data between the SPL AST and SQL.
// Commands append steps (PRQL's RQ transforms, in spirit); each step reads the steps before it
// by id. The schema of every step (its fields, their types and origins) is derived from the
// steps, never carried beside SQL text; optimisations rewrite steps; a printer per dialect
// writes the SQL (print/plan.ts).
import type { Span } from '../../../grammar/ast.js';
import type { Expr, FieldType, SortKey } from './expr.js';
import type { Origin } from './origin.js';

export type { FieldType, Origin };

/** A field of a step's rows: its type and where its values come from (ir/origin.ts). */
export interface FieldInfo {
  type: FieldType;
  origin: Origin;
}

/**
 * What a step's rows hold: its fields in order; `raw` when the events' own columns (the nested
 * JSON objects included) are still there, so raw paths and add-on fields resolve against it;
 * `removed`, names dropped with `fields -` or renamed away while `raw` (they read as null).
 * Each step's schema is derived when the step is made, from its inputs' (see ir/schema.ts).
 */
export interface Schema {
  fields: Map<string, FieldInfo>;
  raw: boolean;
  removed: Set<string>;
}

export interface Column {
  name: string;
  expr: Expr;
}

export type Step = {
  id: number;
  schema: Schema;
  span?: Span;
  /** Printed as a comment with the step: what is not known until the data is asked. */
  note?: string;
  /**
   * Its readers need different columns of the same rows (iplocation: the addresses alone, and
   * every column): computed again for each reader when that is cheap (print/recompute.ts).
   */
  recompute?: true;
} & (
  /** The loaded events, `where` all true (the newest-rows bound, when there is one, is among them). */
  | { kind: 'events'; where: Expr[] }
  /** `count` rows with `_time` = `time` and `__seq` 1..count (makeresults). */
  | { kind: 'generate'; count: number; time: number }
  /** A table the engine loaded (a lookup, with its row number `__row`): `relation` is its quoted SQL name. */
  | { kind: 'table'; relation: string }
  /** Nothing: the input of a generating command at the start of a search. */
  | { kind: 'none' }
  /**
   * Every input column but `drop`, with these added or replaced. `unread`: columns no later step
   * reads and the result does not list may be left out (fillnull over every field: the rewrite
   * unread-columns.ts), as they change nothing anyone sees.
   */
  | { kind: 'extend'; input: number; columns: Column[]; drop?: string[]; unread?: 'droppable' }
  /** Exactly these columns. */
  | { kind: 'project'; input: number; columns: Column[] }
  /** Rows where `condition` is true; a condition over a window function filters after it. */
  | { kind: 'filter'; input: number; condition: Expr }
  /** One row per combination of `groups` (none: one row), with the aggregates. */
  | { kind: 'aggregate'; input: number; groups: Column[]; aggregates: Column[] }
  /** The first `count` rows in `__seq` order, after `offset`. */
  | { kind: 'limit'; input: number; count: number; offset?: number; order?: SortKey[] }
  | { kind: 'distinct'; input: number }
  /** One row per value of `list`, as column `column` (with its 1-based place as `ordinal`). */
  | { kind: 'unnest'; input: number; column: string; list: Expr; ordinal?: string }
  /**
   * Rows of `left` matched with rows of `right` on `on`; column nodes name their side. `full`
   * also keeps the rows of either side that match none (their other side's columns null).
   */
  | { kind: 'join'; left: number; right: number; type: 'inner' | 'left' | 'full'; on: Expr; columns: Column[]; leftAll: boolean; leftDrop: string[] }
  /** The rows of both inputs, matched by column name, `__seq` renumbered left first. */
  | { kind: 'union'; left: number; right: number }
);

/** A whole search: its steps and which one gives the result (what a second dialect's printer takes). */
export interface Plan {
  steps: Step[];
  /** The step whose rows are the result. */
  output: number;
  /** Visible result columns in order. */
  columns: string[];
}

export function isHidden(name: string): boolean {
  return name.startsWith('__');
}

/** The expressions a step evaluates, at its top level (walk them with `children`). */
export function stepExprs(step: Step): Expr[] {
  switch (step.kind) {
    case 'events': return step.where;
    case 'extend': case 'project': return step.columns.map((c) => c.expr);
    case 'filter': return [step.condition];
    case 'aggregate': return [...step.groups, ...step.aggregates].map((c) => c.expr);
    case 'limit': return (step.order ?? []).map((k) => k.expr);
    case 'unnest': return [step.list];
    case 'join': return [step.on, ...step.columns.map((c) => c.expr)];
    default: return [];
  }
}
