// The loaded events as the first step of a plan: every search that reads events starts here
// (compile.ts for a search, tstats for a data model's events).
import type { Builder } from './builder.js';
import { eventFields } from './ir/schema.js';
import { call, column, int, lit, type Expr } from './ir/expr.js';
import type { Relation } from './types.js';
import type { TimeRange } from './search-range.js';

export { eventFields };

const TIME = column('_time', 'number');

/**
 * The loaded events, restricted by the search's time range (the picker's, or its own earliest=/
 * latest= in its stead: search-range.ts) and an optional condition.
 */
function eventsWhere(b: Builder, conditions: (Expr | undefined)[], range = b.range): Expr[] {
  const where: Expr[] = timeBounds(range);
  // `search *` is no condition at all.
  for (const c of conditions) if (c && !(c.kind === 'literal' && c.value === true)) where.push(c);
  return where;
}

function timeBounds(range: TimeRange): Expr[] {
  return [
    ...(range.earliest !== undefined ? [call('ge', [TIME, int(range.earliest)], 'bool')] : []),
    ...(range.latest !== undefined ? [call('lt', [TIME, int(range.latest)], 'bool')] : []),
  ];
}

export function eventsRelation(b: Builder, ...conditions: (Expr | undefined)[]): Relation {
  return b.step({ kind: 'events', where: eventsWhere(b, conditions) });
}

/**
 * The events of a search whose own earliest=/latest= (in `condition`) stand for the picker's
 * range; `bounds` are what its text does not say (latest=now when it has no latest=, a zoom).
 */
export function eventsOwnRange(b: Builder, condition: Expr | undefined, bounds: TimeRange): Relation {
  return b.step({ kind: 'events', where: eventsWhere(b, [condition, ...timeBounds(bounds)], {}) });
}

/** Input of a generating command at the start of a search: it reads nothing. */
export const NO_INPUT: Relation = { name: 'none', id: -1, fields: new Map(), raw: false, removed: new Set() };

export function emptyRelation(b: Builder): Relation {
  return b.step({ kind: 'events', where: [lit(false)] });
}

