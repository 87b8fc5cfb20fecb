// The newest-rows bound, a rewrite of the plan. When only the newest N matching events can reach
// the output (`search ... | head N`, or a display cap with nothing but row-preserving commands
// after the search), they are the N first in event order, so every one has `_time` >= the N-th's.
// The engine finds that time with a narrow query (no wide columns) and the events step gets it as
// a condition, which the cache turns into reading the newest files only: the wide `_raw` of every
// matching event was read to keep 10 (1M events: 0.41 s -> 0.03 s). The rows are the same with
// or without the bound.
//
// Over a large cache the question itself read a column of every event (5M events: 0.2 s of a
// 1.5 s warm start). When the engine knows times after which a share of the events lie
// (`recentSince`), the question is first asked over the events since each: if at least N match
// there, the N-th of them is the N-th of all (every event older than the time comes later in
// event order), and the newest files alone are read.
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
  for (const since of b.options.recentSince ?? []) {
    const answer = askNth(b, events, cap, since);
    // Asked: compiled again once it is answered.
    if (answer === undefined) return;
    // Order is by time to the microsecond first: an N-th a millisecond or more after `since` is
    // ahead of every older event, so it is the N-th of all. Otherwise fewer than N match since
    // then (or the N-th is too close to tell): a wider time, or all events, is asked next.
    if (answer !== null && answer >= since + 0.001) return bound(events, answer);
  }
  const t = askNth(b, events, cap);
  // Fewer events than the cap, or the N-th has no time (events without one come last): no bound.
  if (t === undefined || t === null) return;
  bound(events, t);
}

/**
 * The time of the N-th matching event (since `since`, when given), newest first: undefined until
 * answered, null when there is none or it has no time.
 */
function askNth(b: Builder, events: Extract<Step, { kind: 'events' }>, cap: number, since?: number): number | null | undefined {
  // Asked as steps of their own: the events again (the question reads nothing else), the N-th.
  const where = since === undefined ? [...events.where] : [...events.where, atLeast(since)];
  const matching = b.step({ kind: 'events', where });
  const nth = b.step({ kind: 'limit', input: matching.id, count: 1, offset: cap - 1 });
  const what = `the time of matching event number ${cap}, newest first${since === undefined ? '' : `, among events since ${since}`}`;
  const answer = b.ask(nth, ['_time'], what, false);
  if (answer === undefined) return undefined;
  const t = answer[0];
  return t === undefined || t === null || !Number.isFinite(Number(t)) ? null : Number(t);
}

const atLeast = (t: number) => call('ge', [column('_time', 'number'), int(t)], 'bool');

function bound(events: Extract<Step, { kind: 'events' }>, t: number): void {
  events.where.push(atLeast(t));
}
