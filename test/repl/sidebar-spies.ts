// Spies on the engine's sidebar counting shared by the tests of the counting ahead
// (fields-ahead.test.tsx) and of the idle summary (idle-summary.test.tsx).
import type { Engine } from '../../src/engine/engine.js';
import { cancelledSearch } from '../../src/engine/engine-error.js';
import type { FieldEntry, FieldStats } from '../../src/repl/field-stats.js';

const byName = (fields: FieldEntry[]) => [...fields].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
/** A sidebar's figures, whatever order its passes merged them in. */
export const figures = (s: FieldStats) => ({ rows: s.rows, first: s.first, fields: byName(s.fields), stopped: s.stopped });

/**
 * Lets the first `through` calls of engine.summarizeAhead run and holds the later ones until
 * `release` (stopAhead() fails them as interrupted). `calls` holds each call's arguments.
 */
export function gateAhead(e: Engine, through = 0) {
  const original = e.summarizeAhead;
  const stop = e.stopAhead.bind(e);
  let opened = false;
  const waiting = new Set<{ go: () => void; fail: (err: unknown) => void }>();
  const calls: Parameters<Engine['summarizeAhead']>[] = [];
  let stops = 0;
  e.summarizeAhead = (...args: Parameters<Engine['summarizeAhead']>) => {
    calls.push(args);
    if (opened || calls.length <= through) return original(...args);
    return new Promise<void>((go, fail) => waiting.add({ go, fail })).then(() => original(...args));
  };
  e.stopAhead = () => {
    stops++;
    for (const w of waiting) w.fail(cancelledSearch(''));
    waiting.clear();
    stop();
  };
  const release = () => {
    opened = true;
    for (const w of waiting) w.go();
    waiting.clear();
  };
  return { release, calls, held: () => waiting.size, stops: () => stops, restore: () => ((e.summarizeAhead = original), (e.stopAhead = stop)) };
}

/** Records the passes a sidebar counts itself (not ahead): over the first rows or over every row. */
export function spyCounts(e: Engine) {
  const original = e.summarizeFields;
  const passes: ('first' | 'every')[] = [];
  e.summarizeFields = (...args: Parameters<Engine['summarizeFields']>) => (passes.push(args[1].first === undefined ? 'every' : 'first'), original(...args));
  return { passes, restore: () => (e.summarizeFields = original) };
}
