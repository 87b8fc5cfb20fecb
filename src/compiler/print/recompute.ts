// Which CTEs DuckDB should compute again for each reader instead of keeping their rows. DuckDB
// keeps (materialises) a CTE read more than once: every row, with every column any reader needs.
// iplocation reads its input twice, once for the distinct addresses and once for the rows to
// locate: kept, 1M events' shown columns were copied in and read out again (1.3 of 3.1 CPU-s of
// the country search at 1M). Computed again, the addresses' pass reads one column, and the rows'
// pass streams from the scan (DuckDB can then also filter the scan by the few located addresses).
// Worth it only when computing the rows again is cheap: a scan with plain comparisons, never a
// text search of _raw, a regex, a JSON extraction, an aggregate or a window, which would then
// run twice. The same for the steps EXISTS reads (a wildcard's question asks 78 of them of the
// events): each stops at its first row, where the events kept were all copied first (20 s
// against 1.8 at 1M).
import { promotedColumn } from '../cloudtrail-schema.js';
import { children, hasWindow, type Expr } from '../ir/expr.js';
import { stepExprs, type Step } from '../ir/plan.js';

/** Functions as cheap to evaluate twice as reading the column again. */
const PLAIN = new Set([
  'and', 'or', 'not', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'is_distinct', 'is_null', 'is_not_null',
  'coalesce', 'like', 'ilike', 'lower', 'upper', 'to_double', 'try_double', 'to_bigint', 'num2str', 'bool2str',
]);

/** An expression of columns (not `_raw`), literals, promoted paths and PLAIN functions. */
function plain(e: Expr): boolean {
  switch (e.kind) {
    case 'column': return e.side === undefined && e.name !== '_raw';
    case 'literal': return true;
    case 'path': return e.event && promotedColumn([e.column, ...e.segments].join('.')) !== undefined;
    case 'call': return PLAIN.has(e.fn) && e.args.every(plain);
    case 'case': return e.whens.every((w) => plain(w.when) && plain(w.then)) && (e.else === null || plain(e.else));
    default: return false;
  }
}

/**
 * Ids of the steps to print NOT MATERIALIZED: each step marked `recompute` or read by EXISTS, and
 * every step it reads back to the events, when all of them are row-by-row steps of plain expressions.
 */
export function recomputed(steps: Step[]): Set<number> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const existsRead = new Set<number>();
  const visit = (e: Expr): void => {
    if (e.kind === 'exists') existsRead.add(e.step);
    children(e).forEach(visit);
  };
  for (const s of steps) stepExprs(s).forEach(visit);
  const out = new Set<number>();
  for (const marked of steps) {
    if (!marked.recompute && !existsRead.has(marked.id)) continue;
    const chain: number[] = [];
    let s: Step | undefined = marked;
    let ok = false;
    while (s) {
      if (!(s.kind === 'events' || s.kind === 'filter' || s.kind === 'extend' || s.kind === 'project')) break;
      const exprs = stepExprs(s);
      if (exprs.some((e) => hasWindow(e) || !plain(e))) break;
      chain.push(s.id);
      if (s.kind === 'events') {
        ok = true;
        break;
      }
      s = byId.get(s.input);
    }
    if (ok) for (const id of chain) out.add(id);
  }
  return out;
}

