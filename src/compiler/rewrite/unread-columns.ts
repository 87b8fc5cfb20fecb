// Columns that nothing reads, left out of the plan before it is printed. A transaction merges
// every field its events had (the event columns, some sixty add-on fields, the nested objects), as
// Splunk does, though a search reads a few of them. DuckDB prunes the unread aggregates itself,
// but parsing and binding their SQL (190 KB for `transaction eventID`) cost 0.15 CPU-s a search.
// fillnull with no field list fills every field (hundreds of JSON paths over events): DuckDB does
// not prune those, as one parse of each event's JSON feeds them all (json-once.ts). Only columns no
// reader can see are dropped: an aggregate's hidden or event columns, or an extend step's marked
// `unread: 'droppable'`, which no later step names (reads, writes or excludes) and the result does
// not list; and none at all when a DISTINCT later compares whole rows. Schemas are left as they
// are: only the SQL changes.
import { children, type Expr } from '../ir/expr.js';
import { isMade } from '../ir/origin.js';
import { stepExprs, type Step } from '../ir/plan.js';

/** Every name a step mentions: columns and JSON columns read, columns written or excluded. */
function namesOf(s: Step, out: Set<string>): void {
  const visit = (e: Expr): void => {
    if (e.kind === 'column') out.add(e.name);
    else if (e.kind === 'path') out.add(e.column);
    for (const c of children(e)) visit(c);
  };
  for (const e of stepExprs(s)) visit(e);
  switch (s.kind) {
    case 'extend': s.columns.forEach((c) => out.add(c.name)); s.drop?.forEach((n) => out.add(n)); break;
    case 'project': s.columns.forEach((c) => out.add(c.name)); break;
    case 'aggregate': [...s.groups, ...s.aggregates].forEach((c) => out.add(c.name)); break;
    case 'unnest': out.add(s.column); if (s.ordinal) out.add(s.ordinal); break;
    case 'join': s.columns.forEach((c) => out.add(c.name)); s.leftDrop.forEach((n) => out.add(n)); break;
    default: break;
  }
}

/** The steps with the columns no reader sees left out (see above); `columns`: the result's. */
export function dropUnreadColumns(steps: Step[], columns: string[]): Step[] {
  const droppable = (s: Step, name: string): boolean => !isMade(s.schema.fields.get(name)?.origin);
  const candidate = (s: Step): boolean =>
    (s.kind === 'aggregate' && s.aggregates.some((c) => droppable(s, c.name))) || (s.kind === 'extend' && s.unread === 'droppable');
  const candidates = steps.map((s, i) => (candidate(s) ? i : -1)).filter((i) => i >= 0);
  if (candidates.length === 0 || steps.some((s) => s.kind === 'distinct')) return steps;
  // Names mentioned by the steps after each candidate (steps come after the steps they read).
  const after = new Map<number, Set<string>>();
  // The printer orders rows by `__seq` wherever it is (limit, union, the result) without naming it in a step.
  const seen = new Set([...columns, '__seq', '_time']);
  for (let i = steps.length - 1; i >= candidates[0]!; i--) {
    if (candidates.includes(i)) after.set(i, new Set(seen));
    namesOf(steps[i]!, seen);
  }
  const out = [...steps];
  for (const i of candidates) {
    const s = steps[i]!;
    const read = after.get(i)!;
    if (s.kind === 'aggregate') {
      const aggregates = s.aggregates.filter((c) => read.has(c.name) || !droppable(s, c.name));
      if (aggregates.length < s.aggregates.length) out[i] = { ...s, aggregates };
    } else if (s.kind === 'extend') {
      const kept = s.columns.filter((c) => read.has(c.name));
      if (kept.length < s.columns.length) out[i] = { ...s, columns: kept };
    }
  }
  return out;
}
