// The job inspector from the profile DuckDB recorded while the search ran (not run again).
// DuckDB runs a search as one fused plan: an SPL command has no stage of its own there, and the
// optimiser moves filters between commands. So the figures are DuckDB's operators', each with its
// rows in and out and time, grouped under the command they came from where that is certain from
// the plan's steps (by kind and order, see `attribute`); the rest are listed as not matched.
import { parse } from '../../grammar/parser.js';
import type { Span } from '../../grammar/ast.js';
import { hasWindow } from '../compiler/ir/expr.js';
import { stepExprs, type Step } from '../compiler/ir/plan.js';
import type { CompiledSearch } from '../compiler/types.js';
import type { PlanOperator, RanProfile } from '../engine/profile.js';

/** What an operator or a plan step does, for matching one to the other. */
type Kind = 'scan' | 'aggregate' | 'window' | 'filter' | 'limit' | 'join' | 'unnest' | 'union';

/** A step of the search's plan, as the inspector needs it. */
export interface RanStep {
  kind: Kind | null;
  span?: Span;
}

/** What a search kept for `:inspect`: DuckDB's profile of it, and its plan's steps. */
export interface RanSearch {
  profile: RanProfile | null;
  /** The search text the spans point into (macros expanded, parameters filled). */
  text: string;
  steps: RanStep[];
  /** The events step was bounded to the newest events that could reach the output. */
  bounded: boolean;
  /** Rows the query read at most (the row cap plus one), if capped. */
  toRead?: number;
}

function stepKind(step: Step): Kind | null {
  switch (step.kind) {
    case 'events': return 'scan';
    case 'aggregate': case 'distinct': return 'aggregate';
    case 'extend': case 'project': return stepExprs(step).some(hasWindow) ? 'window' : null;
    case 'filter': return hasWindow(step.condition) ? 'window' : 'filter';
    case 'limit': case 'join': case 'unnest': case 'union': return step.kind;
    default: return null;
  }
}

/** `asked`: the questions the engine answered to compile it (the newest-rows bound is one). */
export function ranSearch(compiled: CompiledSearch, text: string, profile: RanProfile | null, toRead: number | undefined, asked: string[] = []): RanSearch {
  const steps = compiled.plan?.steps ?? [];
  return {
    profile, text, toRead,
    steps: steps.map(({ step, span }) => ({ kind: stepKind(step), ...(span ? { span } : {}) })),
    // The bound's question (rewrite/newest-bound.ts); with no answer (fewer events) it bounds nothing.
    bounded: asked.some((q) => q.startsWith('the time of matching event number')) && /"_time" >= /.test(compiled.sql),
  };
}

const OPERATOR_KINDS: Record<string, Kind> = {
  READ_PARQUET: 'scan', SEQ_SCAN: 'scan', TABLE_SCAN: 'scan',
  HASH_GROUP_BY: 'aggregate', PERFECT_HASH_GROUP_BY: 'aggregate', UNGROUPED_AGGREGATE: 'aggregate', SIMPLE_AGGREGATE: 'aggregate',
  WINDOW: 'window', STREAMING_WINDOW: 'window',
  FILTER: 'filter',
  TOP_N: 'limit', LIMIT: 'limit', STREAMING_LIMIT: 'limit', LIMIT_PERCENT: 'limit',
  HASH_JOIN: 'join', NESTED_LOOP_JOIN: 'join', PIECEWISE_MERGE_JOIN: 'join', BLOCKWISE_NL_JOIN: 'join', CROSS_PRODUCT: 'join', ASOF_JOIN: 'join', IE_JOIN: 'join', POSITIONAL_JOIN: 'join',
  UNNEST: 'unnest', UNION: 'union',
};

const isSources = (op: PlanOperator) => /__spelunk_sources/.test(op.info['Table'] ?? '');
/** The cache's own join of the events to the files they came from (cache-view.ts), not the search's. */
const isCacheJoin = (op: PlanOperator) => op.name === 'HASH_JOIN' && op.children.some(isSources);
const isEventsScan = (op: PlanOperator) => op.name === 'READ_PARQUET' || /(^|\.)"?events"?$/.test(op.info['Table'] ?? '');

export interface Attributed {
  /** Per command of the pipeline, the operators that came from it, in the order they ran. */
  commands: { label: string; ops: PlanOperator[] }[];
  /** The final order and row cap. */
  output: PlanOperator[];
  /** Operators no command could be given with certainty. */
  unmatched: PlanOperator[];
}

/** The operators in the order they run: children (inputs) first. */
function inRunOrder(op: PlanOperator, out: PlanOperator[] = []): PlanOperator[] {
  for (const c of op.children) inRunOrder(c, out);
  out.push(op);
  return out;
}

/**
 * The final SELECT's operators: from the top, the row cap, the order by `__seq` and column
 * choices, each at most once (a `head` below them has its own limit).
 */
function outputOperators(root: PlanOperator, toRead: number | undefined): Set<PlanOperator> {
  const out = new Set<PlanOperator>();
  let limit = toRead === undefined;
  let order = false;
  for (let op: PlanOperator | undefined = root; op && op.children.length <= 1; op = op.children[0]) {
    if (op.name === 'PROJECTION') out.add(op);
    else if (!limit && (op.name === 'STREAMING_LIMIT' || op.name === 'LIMIT')) limit = !!out.add(op);
    else if (!order && op.name === 'ORDER_BY') order = !!out.add(op);
    else if (!limit && !order && op.name === 'TOP_N' && op.info['Top'] === String(toRead)) limit = order = !!out.add(op);
    else break;
  }
  return out;
}

/**
 * Gives each operator to the command whose plan step made it, where that is certain: the scans of
 * the events go to the events step; otherwise, for each kind (aggregate, window, filter...), the
 * operators of that kind are given to the steps of that kind in order only when there are as
 * many of each (DuckDB keeps the order of the steps it does not merge or move). A kind whose
 * counts differ (a filter moved into the scan, a step DuckDB split or duplicated) stays unmatched.
 */
export function attribute(ran: RanSearch, root: PlanOperator): Attributed {
  const pipeline = parse(ran.text).pipeline;
  const commands = (pipeline?.commands ?? []).map((c) => ({ span: c.span, label: ran.text.slice(c.span.start, c.span.end).replace(/\s+/g, ' ').trim(), ops: [] as PlanOperator[] }));
  const commandOf = (span: Span | undefined) => (span ? commands.findIndex((c) => c.span.start <= span.start && span.end <= c.span.end) : -1);
  const output = outputOperators(root, ran.toRead);
  const ops = inRunOrder(root).filter((op) => !output.has(op));
  const owner = new Map<PlanOperator, number>();
  const eventSteps = ran.steps.filter((s) => s.kind === 'scan');
  for (const kind of new Set(Object.values(OPERATOR_KINDS))) {
    let mine = ops.filter((op) => OPERATOR_KINDS[op.name] === kind && !(kind === 'scan' && isSources(op)));
    if (kind === 'scan' && eventSteps.length === 1) {
      // However many times DuckDB reads the events (a self-join, a late read of wide columns),
      // and with the cache's own join of them to their files.
      const at = commandOf(eventSteps[0]!.span);
      if (at >= 0) for (const op of [...mine.filter(isEventsScan), ...ops.filter(isCacheJoin), ...ops.filter(isSources)]) owner.set(op, at);
      continue;
    }
    if (kind === 'join') mine = mine.filter((op) => !isCacheJoin(op));
    const steps = ran.steps.filter((s) => s.kind === kind);
    if (steps.length !== mine.length) continue;
    mine.forEach((op, i) => {
      const at = commandOf(steps[i]!.span);
      if (at >= 0) owner.set(op, at);
    });
  }
  for (const op of ops) {
    const at = owner.get(op);
    if (at !== undefined) commands[at]!.ops.push(op);
  }
  return {
    commands: commands.map(({ label, ops: mine }) => ({ label, ops: mine })),
    output: inRunOrder(root).filter((op) => output.has(op)),
    unmatched: ops.filter((op) => !owner.has(op)),
  };
}

const n = (x: number) => x.toLocaleString('en-US');
const sec = (s: number) => `${s.toFixed(3)} s`;
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** An operator as one line: its name and what DuckDB says it does. */
function describe(op: PlanOperator): string {
  if (isSources(op)) return `${op.name} (the cache's index of files)`;
  if (isCacheJoin(op)) return `${op.name} (events to their files, the cache's)`;
  const info = op.info;
  const detail = op.name === 'READ_PARQUET' ? `the cache's events${info['Filters'] ? `, filter ${info['Filters']}` : ''}`
    : OPERATOR_KINDS[op.name] === 'scan' ? `${info['Table'] ?? ''}${info['Filters'] ? `, filter ${info['Filters']}` : ''}`
      : op.name === 'FILTER' ? info['Expression']
        : op.name === 'TOP_N' ? `${info['Top']} by ${info['Order By']}`
          : op.name === 'ORDER_BY' ? info['Order By']
            : OPERATOR_KINDS[op.name] === 'aggregate' ? [info['Groups'] ? `by ${info['Groups']}` : '', info['Aggregates'] ?? ''].filter(Boolean).join(': ')
              : op.name === 'WINDOW' || op.name === 'STREAMING_WINDOW' ? info['Projections']
                : OPERATOR_KINDS[op.name] === 'join' ? [info['Join Type'], info['Conditions']].filter(Boolean).join(' on ')
                  : undefined;
  return detail ? `${op.name} ${oneLine(detail)}` : op.name;
}

/** Rows an operator took in: its inputs' rows, or a table scan's rows read. */
function rowsIn(op: PlanOperator): string {
  if (op.children.length) return op.children.map((c) => n(c.rows)).join(' + ');
  // A Parquet scan's count is not of rows: the data read line says how many events it could read.
  return op.scanned > 0 && op.name !== 'READ_PARQUET' ? n(op.scanned) : '';
}

/**
 * The inspector's lines for a search from its recorded profile. `truncated`: the result was cut
 * at the row cap; `data`: the data-read line.
 */
export function ranLines(search: string, ran: RanSearch, results: number, truncated: boolean, data: string, width: number): string[] {
  const profile = ran.profile;
  if (!profile) {
    return [
      `job inspector: ${oneLine(search)}`,
      'DuckDB left no profile of this search (it was stopped, or wrote a lookup as it ran): :inspect --rerun runs it again with each command kept apart',
      data,
    ];
  }
  const a = attribute(ran, profile.root);
  const head = ['#', 'command', 'operator', 'rows in', 'rows out', 'time'];
  const rows: string[][] = [];
  const opRow = (num: string, label: string, op: PlanOperator) => [num, label, describe(op), rowsIn(op), n(op.rows), sec(op.seconds)];
  a.commands.forEach((c, i) => {
    if (c.ops.length === 0) rows.push([String(i + 1), c.label, '(no operator matched: fused into the others, or moved)', '', '', '']);
    c.ops.forEach((op, j) => rows.push(opRow(j === 0 ? String(i + 1) : '', j === 0 ? c.label : '', op)));
  });
  // The engine's own projection of each row's text runs below the final sort (rows.ts): listed
  // after it, so the group opens with the sort or the cap.
  const output = [...a.output.filter((op) => op.name !== 'PROJECTION'), ...a.output.filter((op) => op.name === 'PROJECTION')];
  output.forEach((op, j) => rows.push(opRow('', j === 0 ? '(output)' : '', op)));
  const projections = a.unmatched.filter((op) => op.name === 'PROJECTION');
  a.unmatched.filter((op) => op.name !== 'PROJECTION').forEach((op, j) => rows.push(opRow('', j === 0 ? '(not matched to a command)' : '', op)));
  if (projections.length) rows.push(['', '(column choices)', `PROJECTION ×${projections.length}`, '', '', sec(projections.reduce((t, op) => t + op.seconds, 0))]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  // The command and operator columns share what the figures leave.
  const fixed = w[0]! + w[3]! + w[4]! + w[5]! + 10;
  const room = Math.max(24, width - fixed);
  w[1] = Math.max(7, Math.min(w[1]!, Math.floor(room * 0.4)));
  w[2] = Math.max(8, Math.min(w[2]!, room - w[1]!));
  const cut = (t: string, k: number) => (t.length > k ? t.slice(0, k - 1) + '…' : t);
  const line = (r: string[]) => [r[0]!.padStart(w[0]!), cut(r[1]!, w[1]!).padEnd(w[1]!), cut(r[2]!, w[2]!).padEnd(w[2]!), r[3]!.padStart(w[3]!), r[4]!.padStart(w[4]!), r[5]!.padStart(w[5]!)].join('  ').trimEnd();
  const notes: string[] = [];
  if (truncated) {
    const ordered = a.output.some((op) => op.name === 'ORDER_BY' || op.name === 'TOP_N');
    notes.push(ordered
      ? `the result was cut at the row cap (${n(results)} shown); the final order read every row the operators under it gave`
      : `the result was cut at the row cap (${n(results)} shown) and DuckDB stopped reading there: the rows count what was read until then, not every match`);
  }
  if (ran.bounded) notes.push("only the newest events that could reach the result were read (the newest-rows bound): the scan's rows are of those, not of every matching event");
  return [
    `job inspector: ${oneLine(search)}`,
    `profiled as it ran (not run again): ${n(results)} result${results === 1 ? '' : 's'}${truncated ? ' (capped)' : ''}; DuckDB ${sec(profile.latency)} from its start to the last row read, its operators' time summed ${sec(inRunOrder(profile.root).reduce((t, op) => t + op.seconds, 0))}`,
    data,
    ...notes,
    line(head),
    line(w.map((k) => '-'.repeat(k))),
    ...rows.map(line),
    'DuckDB runs the commands as one plan and moves filters between them: the rows are each operator\'s own, under the command it came from where the plan says so; :inspect --rerun runs the search again with each command kept apart',
  ];
}
