// When `dedup eventID` has nothing to drop. If no two loaded events share an eventID (the engine
// counts the copies at every load: CompileOptions.eventIdsUnique) and the rows reaching the dedup
// are loaded events, each at most once, with the eventID they were loaded with, then every
// eventID names one row and the dedup keeps them all. Its GROUP BY, the join back and the rows
// kept in between for it were a quarter of DuckDB's time in the investigation searches (1M
// events). Only steps known to keep that true are passed through; anything else keeps the dedup.
import type { Expr } from './ir/expr.js';
import type { Step } from './ir/plan.js';

const KEY = 'eventID';

/** A plain reference to column `name` of the step's (left) input. */
function isColumn(e: Expr | undefined, name: string, side?: 'l' | 'r'): boolean {
  return e?.kind === 'column' && e.name === name && e.side === side;
}

/**
 * True when the rows of step `id` are loaded events, each at most once, whose `eventID` column
 * is the loaded one: `key` must be that column as read from those rows.
 */
export function rowsAreDistinctEvents(steps: readonly Step[], id: number, key: Expr): boolean {
  if (!isColumn(key, KEY)) return false;
  const byId = new Map(steps.map((s) => [s.id, s]));
  for (let s = byId.get(id); s; ) {
    switch (s.kind) {
      case 'events':
        return true;
      case 'filter':
      case 'limit':
        s = byId.get(s.input);
        break;
      case 'extend':
      case 'project':
        if (!handsOn(s, KEY)) return false;
        s = byId.get(s.input);
        break;
      case 'join': {
        // Each left row matched with at most one right row (iplocation's located addresses).
        if (s.type === 'full' || !s.leftAll || s.leftDrop.includes(KEY) || s.columns.some((c) => c.name === KEY)) return false;
        const key = rightKey(s.on);
        if (key === undefined || !uniqueOn(byId, s.right, key)) return false;
        s = byId.get(s.left);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

/** An extend or project whose column `name` is its input's, unchanged. */
function handsOn(s: Extract<Step, { kind: 'extend' | 'project' }>, name: string): boolean {
  if (s.kind === 'extend') return !s.columns.some((c) => c.name === name) && !s.drop?.includes(name);
  return s.columns.some((c) => c.name === name && isColumn(c.expr, name));
}

/** The right side's column of a join on `r.x = l.y`. */
function rightKey(on: Expr): string | undefined {
  if (on.kind !== 'call' || on.fn !== 'eq' || on.args.length !== 2) return undefined;
  const [a, b] = on.args;
  if (a?.kind !== 'column' || b?.kind !== 'column') return undefined;
  if (a.side === 'r' && b.side === 'l') return a.name;
  if (a.side === 'l' && b.side === 'r') return b.name;
  return undefined;
}

/** No two rows of step `id` have the same non-null `name`. */
function uniqueOn(byId: Map<number, Step>, id: number, name: string): boolean {
  for (let s = byId.get(id); s; ) {
    switch (s.kind) {
      case 'distinct': {
        const input = byId.get(s.input);
        // DISTINCT over rows of that one column only.
        return input !== undefined && !input.schema.raw && [...input.schema.fields.keys()].join('\u0000') === name;
      }
      case 'aggregate':
        return s.groups.length === 1 && s.groups[0]!.name === name;
      case 'filter':
        s = byId.get(s.input);
        break;
      case 'extend':
      case 'project':
        if (!handsOn(s, name)) return false;
        s = byId.get(s.input);
        break;
      default:
        return false;
    }
  }
  return false;
}
