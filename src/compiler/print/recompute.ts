// Which steps DuckDB may compute again for each of their readers rather than hold whole. DuckDB
// materialises a CTE that several steps read (and that holds a join: the `events` view is one),
// keeping every row and column of it in memory: a location search's events before iplocation
// (1M rows and twenty columns at 1M events, 3.5-4.4 GB at 5M), dedup's input. A chain of scan,
// filters and column expressions gives the same rows every time it runs, and its readers mostly
// need few of its columns (iplocation's distinct addresses, dedup's keys), so running it again is
// cheaper than holding it. Windows, aggregates, joins, samples, subsearch conditions and
// volatile functions keep the CTE materialised: recomputed, they could cost more or, for a
// window with ties or random(), give other rows.
import { someNode, VOLATILE, type Expr } from '../ir/expr.js';
import { stepExprs } from '../ir/plan.js';
import type { PrintStep } from './merge.js';

/** Expressions that give the same value each time and cost no more than a row's own columns. */
function repeatable(e: Expr): boolean {
  return !someNode(e, (n) =>
    n.kind === 'aggregate' || n.kind === 'exists' || n.kind === 'in_rows' || (n.kind === 'column' && n.side !== undefined) ||
    (n.kind === 'call' && VOLATILE.has(n.fn)));
}

/** The ids of steps read by two or more printed steps whose rows a recomputation gives unchanged. */
export function recomputed(steps: PrintStep[]): Set<number> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const readers = new Map<number, number>();
  const read = (id: number) => readers.set(id, (readers.get(id) ?? 0) + 1);
  for (const s of steps) {
    if ('input' in s) read(s.input);
    if (s.kind === 'join' || s.kind === 'union') {
      read(s.left);
      read(s.right);
    }
    for (const e of [...stepExprs(s), ...(s.pre ?? [])]) {
      someNode(e, (n) => {
        if (n.kind === 'exists' || n.kind === 'in_rows') read(n.step);
        return false;
      });
    }
  }
  const known = new Map<number, boolean>();
  const ok = (id: number): boolean => {
    const cached = known.get(id);
    if (cached !== undefined) return cached;
    const s = byId.get(id);
    let result = false;
    if (s?.kind === 'events') result = !s.sample && s.where.every(repeatable);
    else if (s && (s.kind === 'filter' || s.kind === 'extend' || s.kind === 'project')) {
      result = [...stepExprs(s), ...(s.pre ?? [])].every(repeatable) && ok(s.input);
    }
    known.set(id, result);
    return result;
  };
  return new Set([...readers].filter(([id, n]) => n > 1 && ok(id)).map(([id]) => id));
}
