// streamstats time_window=: each result's statistics cover the results before it in the stream
// (and itself unless current=f) whose _time is within the window of its own, per by-group. Splunk
// requires the results in time order, ascending or descending ("To use the time_window argument,
// the events must be sorted in either ascending or descending time order",
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats);
// results out of time order are an error here rather than a window over the wrong events.
//
// In time order, those results are the last k before the current one, so the window is a ROWS
// frame whose length is computed per row: the stream position of the earliest result in the
// window (a RANGE window over _time gives it, whichever way the stream runs) subtracted from the
// current one's. Results with the same _time count only when they came earlier in the stream.
import { withFields, type Builder } from '../builder.js';
import { toNumber } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, caseOf, column, int, lit, type Expr, type Window } from '../ir/expr.js';
import type { FieldInfo, Relation } from '../types.js';
import { rowNumber, SEQ } from './relation.js';
import { INTERNAL } from '../ir/origin.js';

const HIDDEN: FieldInfo = { type: 'number', origin: INTERNAL };
const IN_ORDER = [{ expr: SEQ, desc: false, nulls: 'last' as const }];

/**
 * Adds `__back`, how many rows before each one its window reaches (capped by window=), and
 * returns the frame start to use; the caller drops `TIME_WINDOW_COLUMNS` after its aggregates.
 */
export function timeWindow(rel: Relation, b: Builder, partition: Expr[], seconds: number, current: boolean, maxRows: number): { rel: Relation; start: Expr } {
  const time = toNumber(fieldRef('_time', { rel, b }));
  const pos = column('__tpos', 'number');
  const prev = column('__tprev', 'number');
  const placed = b.step(
    { kind: 'extend', input: rel.id, columns: [
      { name: '__tpos', expr: rowNumber(IN_ORDER, partition) },
      { name: '__tprev', expr: aggregate('lag', [time], 'number', { over: { partition: [], order: IN_ORDER } }) },
    ] },
    { fields: withFields(rel, [['__tpos', HIDDEN], ['__tprev', HIDDEN]]), raw: rel.raw, removed: rel.removed },
  );
  const byTime = (start: number, end: number): Window => ({ partition, order: [{ expr: time, desc: false, nulls: 'last' }], frame: { start, end, range: true } });
  const steps = (cmp: 'gt' | 'lt') => aggregate('count', [], 'number', { filter: call(cmp, [time, prev], 'bool'), over: { partition: [], order: [] } });
  const bounded = b.step(
    { kind: 'extend', input: placed.id, columns: [
      { name: '__tfrom_up', expr: aggregate('min', [pos], 'number', { over: byTime(-seconds, 0) }) },
      { name: '__tfrom_down', expr: aggregate('min', [pos], 'number', { over: byTime(0, seconds) }) },
      { name: '__tups', expr: steps('gt') },
      { name: '__tdowns', expr: steps('lt') },
    ] },
    { fields: withFields(placed, ['__tfrom_up', '__tfrom_down', '__tups', '__tdowns'].map((n): [string, FieldInfo] => [n, HIDDEN])), raw: rel.raw, removed: rel.removed },
  );
  const ups = column('__tups', 'number');
  const downs = column('__tdowns', 'number');
  const unsorted = call('and', [call('gt', [ups, int(0)], 'bool'), call('gt', [downs, int(0)], 'bool')], 'bool');
  const message = lit('streamstats time_window= needs the results in time order (ascending or descending): sort by _time first');
  const from = caseOf([{ when: call('gt', [downs, int(0)], 'bool'), then: column('__tfrom_down', 'number') }], column('__tfrom_up', 'number'), 'number');
  let back: Expr = call('sub', [pos, from], 'number');
  if (maxRows > 0) back = call('least', [back, int(current ? maxRows - 1 : maxRows)], 'number');
  const checked = caseOf([{ when: unsorted, then: call('error', [message], 'number') }], call('coalesce', [back, int(0)], 'number'), 'number');
  const out = b.step(
    { kind: 'extend', input: bounded.id, columns: [{ name: '__back', expr: call('to_bigint', [checked], 'int') }], drop: ['__tpos', '__tprev', '__tfrom_up', '__tfrom_down', '__tups', '__tdowns'] },
    { fields: withFields(rel, [['__back', HIDDEN]]), raw: rel.raw, removed: rel.removed },
  );
  return { rel: out, start: column('__back', 'int') };
}

const POSITION = '__gpos';

/**
 * Adds `__gpos`, each result's position in the stream, 1.. without gaps (`__seq` has gaps after a
 * filter). A RANGE frame over it, partitioned by the by-fields, holds the results of the current
 * one's group among the last N of the stream: Splunk's window=N with by-fields and global=true
 * ("a single window", where global=false gives "separate windows based on the by clause",
 * https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats).
 * The caller drops `drop` after its aggregates.
 */
export function streamPosition(rel: Relation, b: Builder): { rel: Relation; position: Expr; drop: string } {
  const out = b.step(
    { kind: 'extend', input: rel.id, columns: [{ name: POSITION, expr: rowNumber(IN_ORDER) }] },
    { fields: withFields(rel, [[POSITION, HIDDEN]]), raw: rel.raw, removed: rel.removed },
  );
  return { rel: out, position: column(POSITION, 'number'), drop: POSITION };
}
