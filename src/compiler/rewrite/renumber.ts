// Step ids rewritten, every reference to a step (inputs, subsearch conditions) with them: in plan
// order after a rewrite inserted steps (json-once's lists), so CTE names increase down the SQL;
// or from 0, for the steps of a question asked of the data.
import { mapExpr, type Expr } from '../ir/expr.js';
import type { Step } from '../ir/plan.js';
import { relink } from './clean.js';

/** The steps with ids increasing in plan order (`inserted`: the ids of the steps added out of order), and the new id of each old one. */
export function renumber(steps: Step[], inserted: Set<number>): { steps: Step[]; id: (old: number) => number } {
  // The plan's own steps are in increasing id order already: each keeps its id unless a step
  // inserted before it took that number (then it and the ones after move up as few as needed).
  const ids = new Map<number, number>();
  let last = -1;
  for (const s of steps) {
    last = inserted.has(s.id) ? last + 1 : Math.max(s.id, last + 1);
    ids.set(s.id, last);
  }
  return withIds(steps, ids);
}

/** The steps numbered 0, 1, 2... in plan order: a question asked of the data reads the same whatever ids its steps had in the search. */
export function compact(steps: Step[]): { steps: Step[]; id: (old: number) => number } {
  return withIds(steps, new Map(steps.map((s, i) => [s.id, i])));
}

function withIds(steps: Step[], ids: Map<number, number>): { steps: Step[]; id: (old: number) => number } {
  const id = (old: number) => {
    const n = ids.get(old);
    if (n === undefined) throw new Error(`internal: no step ${old}`);
    return n;
  };
  const expr = (e: Expr): Expr => mapExpr(e, (n) => {
    if (n.kind === 'exists') return { ...n, step: id(n.step), where: expr(n.where) };
    if (n.kind === 'in_rows') return { ...n, step: id(n.step), values: n.values.map(expr), select: n.select.map(expr), where: expr(n.where) };
    if (n.kind === 'column' && typeof n.side === 'number') return { ...n, side: id(n.side) };
    return undefined;
  });
  return { steps: steps.map((s) => ({ ...relink(s, id, expr), id: id(s.id) }) as Step), id };
}
