// The loaded events as the first step of a plan: every search that reads events starts here
// (compile.ts for a search, tstats for a data model's events).
import type { Builder } from './builder.js';
import { eventFields } from './ir/schema.js';
import { call, column, int, lit, type Expr } from './ir/expr.js';
import type { Relation } from './types.js';

export { eventFields };

const TIME = column('_time', 'number');

/**
 * The loaded events, restricted by the search's time range (the picker's, or its own earliest=/
 * latest= in its stead: search-range.ts) and an optional condition.
 */
function eventsWhere(b: Builder, conditions: (Expr | undefined)[], range = b.range): Expr[] {
  const where: Expr[] = [];
  if (range.earliest !== undefined) where.push(call('ge', [TIME, int(range.earliest)], 'bool'));
  if (range.latest !== undefined) where.push(call('lt', [TIME, int(range.latest)], 'bool'));
  // `search *` is no condition at all.
  for (const c of conditions) if (c && !(c.kind === 'literal' && c.value === true)) where.push(c);
  return where;
}

export function eventsRelation(b: Builder, ...conditions: (Expr | undefined)[]): Relation {
  return b.step({ kind: 'events', where: eventsWhere(b, conditions) });
}

/** The events of a search whose own earliest=/latest= (in its conditions) stand for the picker's range. */
export function eventsOwnRange(b: Builder, ...conditions: (Expr | undefined)[]): Relation {
  return b.step({ kind: 'events', where: eventsWhere(b, conditions, {}) });
}

/** Input of a generating command at the start of a search: it reads nothing. */
export const NO_INPUT: Relation = { name: 'none', id: -1, fields: new Map(), raw: false, removed: new Set() };

export function emptyRelation(b: Builder): Relation {
  return b.step({ kind: 'events', where: [lit(false)] });
}

