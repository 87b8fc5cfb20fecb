// The newest-rows bound, a rewrite of the plan. When only the newest N matching events can reach
// the output (`search ... | head N`, or a display cap with nothing but row-preserving commands
// after the search), they are the N first in event order, so every one has `_time` >= the N-th's.
// The engine finds that time with a narrow query (no wide columns) and the events step gets it as
// a condition, which the cache turns into reading the newest files only: the wide `_raw` of every
// matching event was read to keep 10 (1M events: 0.41 s -> 0.03 s). The rows are the same with
// or without the bound.
import type { Builder } from '../builder.js';
import { commandSpec } from '../commands/registry.js';
import { call, column, int, readsColumn, readsStep } from '../ir/expr.js';
import type { Step } from '../ir/plan.js';

/** Above this many rows the bound would save little: the newest N events span most files. */
const MAX_BOUNDED_ROWS = 100_000;

/** What one command of the search added to the plan, reading the step `input`. */
export interface CommandSteps {
  name: string;
  input: number;
  steps: Step[];
}

/**
 * Bounds the events step `events` of a search whose commands after the first search added
 * `trail`. A `head` is its limit step, however its count was written (`head 5`, `head limit=5`).
 */
export function boundNewestRows(b: Builder, events: Extract<Step, { kind: 'events' }>, trail: CommandSteps[]): void {
  let cap = b.options.rowCap;
  for (const t of trail) {
    const [only, ...more] = t.steps;
    if (only?.kind === 'limit' && more.length === 0 && only.input === t.input && !only.offset && !only.order) {
      cap = only.count;
      break;
    }
    if (!commandSpec(t.name)?.rowPreserving) return;
  }
  if (cap === undefined || cap < 1 || cap > MAX_BOUNDED_ROWS) return;
  // A search that reads the raw text anyway (bare terms) gains nothing from a narrow first pass,
  // and one with a subsearch would run the subsearch twice.
  if (events.where.some((w) => readsColumn(w, '_raw') || readsStep(w))) return;
  // Asked as steps of their own: the events again (the question reads nothing else), the N-th.
  const matching = b.step({ kind: 'events', where: [...events.where] });
  const nth = b.step({ kind: 'limit', input: matching.id, count: 1, offset: cap - 1 });
  const answer = b.ask(nth, ['_time'], `the time of matching event number ${cap}, newest first`, false);
  const t = answer?.[0];
  // Fewer events than the cap, or the N-th has no time (events without one come last): no bound.
  if (t === undefined || t === null || !Number.isFinite(Number(t))) return;
  events.where.push(call('ge', [column('_time', 'number'), int(Number(t))], 'bool'));
}
