// Each JSON column parsed once per step, a rewrite of the plan for DuckDB. A step that reads two
// or more paths of one nested column (`table requestParameters.bucketName requestParameters.key`)
// parsed the row's whole object once per path. DuckDB extracts a list of paths in one parse
// (`json_extract_string(col, ['$.a', '$.b'])`, the same value for each path as one extraction
// gives: JSON null and a missing key both null, objects as their JSON text), so a step of its own
// just before computes that list once and the paths read its elements (1M events, six paths of two
// columns: 0.86 -> 0.69 CPU-s).
//
// Only paths read on every row are gathered. DuckDB evaluates a CASE branch, a later coalesce()
// argument or the right side of AND/OR only for the rows that reach it, so a path read there
// costs a parse for those rows alone: the add-on's rules read a hundred paths, each for a few
// event names, and extracting all of them on every row made the field sidebar's projection slower
// (18.6 -> 20.4 CPU-s over 1M events). A path through an array (`{}`) is left alone: DuckDB
// takes no wildcard in a list of paths. A path the loader keeps a column of is that column.
import { promotedColumn } from '../cloudtrail-schema.js';
import { call, column, int, lit, type Expr } from '../ir/expr.js';
import type { Column, Schema, Step } from '../ir/plan.js';
import { deriveSchema } from '../ir/schema.js';
import { jsonPath } from '../print/duckdb.js';
import { renumber } from './renumber.js';

type PathNode = Extract<Expr, { kind: 'path' }>;

/** Calls whose arguments after the first DuckDB evaluates only for some rows. */
const LAZY_AFTER_FIRST = new Set(['coalesce', 'and', 'or']);

/** Fewer paths of a column than this in a step gain nothing from one parse. */
const MIN_PATHS = 2;

/**
 * The steps with each step's paths read on every row extracted once per JSON column, and the
 * step giving the result. A list step goes just before the step it serves and the ids are
 * renumbered to follow plan order (rewrite/renumber.ts), so the CTEs read s3, s4... down the SQL.
 */
export function extractJsonOnce(steps: Step[], output: number): { steps: Step[]; output: number } {
  const byId = new Map(steps.map((s) => [s.id, s]));
  let next = Math.max(-1, ...steps.map((s) => s.id)) + 1;
  const out: Step[] = [];
  const inserted = new Set<number>();
  for (const step of steps) {
    const rewritten = rewriteStep(step, next, (id) => byId.get(id)!.schema);
    if (!rewritten) {
      out.push(step);
      continue;
    }
    inserted.add(next++);
    byId.set(rewritten.lists.id, rewritten.lists);
    out.push(rewritten.lists, rewritten.step);
  }
  if (inserted.size === 0) return { steps: out, output };
  const { steps: numbered, id } = renumber(out, inserted);
  return { steps: numbered, output: id(output) };
}

function rewriteStep(step: Step, id: number, schemaOf: (id: number) => Schema): { lists: Step; step: Step } | undefined {
  if (step.kind !== 'extend' && step.kind !== 'project' && step.kind !== 'aggregate') return undefined;
  const columns = step.kind === 'aggregate' ? [...step.groups, ...step.aggregates] : step.columns;
  // Per JSON column, its paths read on every row, in the order first met.
  const every = new Map<string, string[]>();
  for (const c of columns) gather(c.expr, true, every);
  const batches = [...every].filter(([, paths]) => paths.length >= MIN_PATHS);
  if (batches.length === 0) return undefined;
  const names = new Map(batches.map(([col], i) => [col, `__json${step.id}_${i}`]));
  const listColumns: Column[] = batches.map(([col, paths]) => ({
    name: names.get(col)!,
    expr: call('json_extract_strings', [column(col, 'json'), ...paths.map((p) => lit(p))], 'mv'),
  }));
  const body = { kind: 'extend' as const, input: step.input, columns: listColumns };
  const lists = { ...body, id, schema: deriveSchema(body, schemaOf)!, ...(step.span ? { span: step.span } : {}) } as Step;
  const index = new Map(batches.map(([col, paths]) => [col, new Map(paths.map((p, i) => [p, i + 1]))]));
  const swap = (c: Column): Column => ({ ...c, expr: replacePaths(c.expr, index, names) });
  const hidden = [...names.values()];
  switch (step.kind) {
    case 'extend':
      // The lists go no further than this step.
      return { lists, step: { ...step, input: id, columns: step.columns.map(swap), drop: [...(step.drop ?? []), ...hidden] } };
    case 'project':
      return { lists, step: { ...step, input: id, columns: step.columns.map(swap) } };
    case 'aggregate':
      return { lists, step: { ...step, input: id, groups: step.groups.map(swap), aggregates: step.aggregates.map(swap) } };
  }
}

/** The column and DuckDB path of a path node that parses JSON, or undefined (a promoted path, an array path). */
function jsonRead(e: PathNode): [string, string] | undefined {
  if (e.segments.includes('{}')) return undefined;
  if (e.event && promotedColumn([e.column, ...e.segments].join('.'))) return undefined;
  return [e.column, jsonPath(e.segments)];
}

/** Adds the paths `e` reads on every row (`always`: the node itself is evaluated on every row). */
function gather(e: Expr, always: boolean, out: Map<string, string[]>): void {
  switch (e.kind) {
    case 'path': {
      const read = always ? jsonRead(e) : undefined;
      if (!read) return;
      const paths = out.get(read[0]) ?? [];
      if (!paths.includes(read[1])) paths.push(read[1]);
      out.set(read[0], paths);
      return;
    }
    case 'call':
      e.args.forEach((a, i) => gather(a, always && (i === 0 || !LAZY_AFTER_FIRST.has(e.fn)), out));
      return;
    case 'case':
      e.whens.forEach((w, i) => {
        gather(w.when, always && i === 0, out);
        gather(w.then, false, out);
      });
      if (e.else) gather(e.else, false, out);
      return;
    case 'let':
      gather(e.value, always, out);
      gather(e.body, always, out);
      return;
    case 'aggregate':
      // Arguments, filter and window keys are evaluated on every row of the step's input.
      for (const a of e.args) gather(a, always, out);
      if (e.filter) gather(e.filter, always, out);
      for (const k of e.order ?? []) gather(k.expr, always, out);
      for (const p of e.over?.partition ?? []) gather(p, always, out);
      for (const k of e.over?.order ?? []) gather(k.expr, always, out);
      return;
    // A lambda's body runs once per element (maybe never); a subquery's condition reads another step.
    default:
      return;
  }
}

/** `e` with every path of a batched column read from the step's list instead. */
function replacePaths(e: Expr, index: Map<string, Map<string, number>>, names: Map<string, string>): Expr {
  const r = (x: Expr) => replacePaths(x, index, names);
  switch (e.kind) {
    case 'path': {
      const read = jsonRead(e);
      const i = read && index.get(read[0])?.get(read[1]);
      if (!read || !i) return e;
      return { ...call('list_get', [column(names.get(read[0])!, 'mv'), int(i)], e.type), ...(e.span ? { span: e.span } : {}) };
    }
    case 'call':
      return { ...e, args: e.args.map(r) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: r(w.when), then: r(w.then) })), else: e.else ? r(e.else) : null };
    case 'let':
      return { ...e, value: r(e.value), body: r(e.body) };
    case 'lambda':
      // A lambda may read the row's columns: its paths read the list too (cheaper than a parse).
      return { ...e, body: r(e.body) };
    case 'aggregate':
      return {
        ...e,
        args: e.args.map(r),
        ...(e.filter ? { filter: r(e.filter) } : {}),
        ...(e.order ? { order: e.order.map((k) => ({ ...k, expr: r(k.expr) })) } : {}),
        ...(e.over ? { over: { ...e.over, partition: e.over.partition.map(r), order: e.over.order.map((k) => ({ ...k, expr: r(k.expr) })) } } : {}),
      };
    default:
      return e;
  }
}
