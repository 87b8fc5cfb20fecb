// Plan clean-up, a rewrite run once a search's plan is complete: steps that change nothing are
// dropped and whatever read them reads their input. A canned hunt's empty filter macro
// (`search *`) was a `filter ... where true` CTE of its own; `eval` of nothing, or a `table` that
// lists its input's columns as they are, were steps too. Steps the result does not read (those
// of a question asked of the data, Builder.ask) are dropped as well.
import { forEachStepNamed, mapExpr, namesStep, type Expr } from '../ir/expr.js';
import { stepExprs, type Schema, type Step } from '../ir/plan.js';
import { sameOrigin } from '../ir/origin.js';

/** True for a condition that holds for every row (`true`, `coalesce(true, ...)`, `true AND true`). */
function alwaysTrue(e: Expr): boolean {
  if (e.kind === 'literal') return e.value === true;
  if (e.kind !== 'call') return false;
  if (e.fn === 'coalesce') return e.args[0] !== undefined && alwaysTrue(e.args[0]);
  if (e.fn === 'and') return e.args.every(alwaysTrue);
  return false;
}

/** The same fields, in the same order, of the same types and origins (what a reader of either sees). */
function sameSchema(a: Schema, b: Schema): boolean {
  if (a === b) return true;
  if (a.raw !== b.raw || a.fields.size !== b.fields.size || a.removed.size !== b.removed.size) return false;
  if ([...a.removed].some((n) => !b.removed.has(n))) return false;
  const bs = [...b.fields];
  return [...a.fields].every(([name, info], i) => {
    const [n, other] = bs[i]!;
    return n === name && other.type === info.type && sameOrigin(other.origin, info.origin);
  });
}

/** The step's input when the step gives that input's rows and columns unchanged. */
function uselessInput(s: Step, byId: Map<number, Step>): number | undefined {
  if (!('input' in s)) return undefined;
  const input = byId.get(s.input);
  if (!input || !sameSchema(s.schema, input.schema)) return undefined;
  switch (s.kind) {
    case 'filter':
      return alwaysTrue(s.condition) ? s.input : undefined;
    case 'extend':
      return s.columns.length === 0 && !s.drop?.length ? s.input : undefined;
    case 'project': {
      // Exactly the input's columns, each as it is: only a schema without the events' columns
      // lists every column the rows have.
      if (input.schema.raw) return undefined;
      const names = [...input.schema.fields.keys()];
      const same = s.columns.length === names.length && s.columns.every((c, i) => c.name === names[i] && c.expr.kind === 'column' && c.expr.side === undefined && c.expr.name === c.name);
      return same ? s.input : undefined;
    }
    default:
      return undefined;
  }
}

/** A plan without its useless steps, and the step that now gives its result. */
export function dropUselessSteps(steps: Step[], output: number): { steps: Step[]; output: number } {
  const plan = dropIdentities(steps, output);
  return { steps: reachable(plan.steps, plan.output), output: plan.output };
}

/** The steps the result reads, directly or through others (a subsearch's condition included). */
function reachable(steps: Step[], output: number): Step[] {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const seen = new Set<number>();
  const visit = (id: number): void => {
    const s = byId.get(id);
    if (!s || seen.has(id)) return;
    seen.add(id);
    if ('input' in s) visit(s.input);
    if (s.kind === 'join' || s.kind === 'union') {
      visit(s.left);
      visit(s.right);
    }
    for (const e of stepExprs(s)) forEachStepNamed(e, visit);
  };
  visit(output);
  return seen.size === steps.length ? steps : steps.filter((s) => seen.has(s.id));
}

function dropIdentities(steps: Step[], output: number): { steps: Step[]; output: number } {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const replaced = new Map<number, number>();
  const to = (id: number): number => replaced.get(id) ?? id;
  for (const s of steps) {
    const input = uselessInput(s, byId);
    if (input !== undefined) replaced.set(s.id, to(input));
  }
  if (replaced.size === 0) return { steps, output };
  // An expression that names no step is kept as it is, unwalked.
  const ex = (e: Expr): Expr => !namesStep(e) ? e :
    mapExpr(e, (n) => {
      if (n.kind === 'column' && typeof n.side === 'number' && replaced.has(n.side)) return { ...n, side: to(n.side) };
      if ((n.kind === 'exists' || n.kind === 'in_rows') && replaced.has(n.step)) return ex({ ...n, step: to(n.step) });
      return undefined;
    });
  // A step that reads no dropped step, and whose expressions name none, is kept as it is.
  const reads = (s: Step): boolean => ('input' in s && replaced.has(s.input)) || ((s.kind === 'join' || s.kind === 'union') && (replaced.has(s.left) || replaced.has(s.right)));
  const kept = steps.filter((s) => !replaced.has(s.id)).map((s) => (reads(s) || stepExprs(s).some(namesStep) ? relink(s, to, ex) : s));
  return { steps: kept, output: to(output) };
}

/** The step reading the steps `to` gives, with its expressions mapped by `ex` (its own id unchanged). */
export function relink(s: Step, to: (id: number) => number, ex: (e: Expr) => Expr): Step {
  const cols = (cs: { name: string; expr: Expr }[]) => cs.map((c) => ({ ...c, expr: ex(c.expr) }));
  switch (s.kind) {
    case 'events': return { ...s, where: s.where.map(ex) };
    case 'extend': return { ...s, input: to(s.input), columns: cols(s.columns) };
    case 'project': return { ...s, input: to(s.input), columns: cols(s.columns) };
    case 'filter': return { ...s, input: to(s.input), condition: ex(s.condition) };
    case 'aggregate': return { ...s, input: to(s.input), groups: cols(s.groups), aggregates: cols(s.aggregates) };
    case 'limit': return { ...s, input: to(s.input), ...(s.order ? { order: s.order.map((k) => ({ ...k, expr: ex(k.expr) })) } : {}) };
    case 'distinct': return { ...s, input: to(s.input) };
    case 'unnest': return { ...s, input: to(s.input), list: ex(s.list) };
    case 'join': return { ...s, left: to(s.left), right: to(s.right), on: ex(s.on), columns: cols(s.columns) };
    case 'union': return { ...s, left: to(s.left), right: to(s.right) };
    default: return s;
  }
}
