// concurrency: how many events were in progress when each one started, itself included
// (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/concurrency:
// "X is concurrent with Y if X.start is between Y.start and (Y.start + Y.duration)").
// Here Y is in progress at t when Y.start <= t < Y.start + Y.duration; an event with no duration
// (or zero) counts only itself at its start.
//
// One sorted pass, never a join of every pair: each event gives a +1 at its start and a -1 at its
// end; the running sum, read at each start (ends at that instant first, then starts), is the
// number in progress.
import { Args } from '../args.js';
import { made } from '../builder.js';
import { all, toNumber } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, caseOf, column, int, nullOf, sideColumn, type Expr } from '../ir/expr.js';
import type { FieldInfo, Relation } from '../types.js';
import { generic, same, SEQ } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { INTERNAL } from '../ir/origin.js';

const OPTIONS: Options = { duration: 'text', start: 'text', output: 'text' };
const HIDDEN: FieldInfo = { type: 'number', origin: INTERNAL };
const START = column('__cs', 'number');
const END = column('__ce', 'number');

const concurrency: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, OPTIONS);
  if (args.words().length) throw b.err('bad-argument', 'concurrency takes only options: duration=<field> [start=<field>] [output=<field>]', args.words()[0]!.span);
  const durationField = args.option('duration');
  if (!durationField) throw b.err('bad-argument', 'concurrency needs duration=<field> (a span in the start field\'s units, seconds for _time)', cmd.span);
  const output = args.option('output') ?? 'concurrency';
  const start = toNumber(fieldRef(args.option('start') ?? '_time', { rel, b }));
  const duration = toNumber(fieldRef(durationField, { rel, b }));
  const base = b.step({ kind: 'extend', input: rel.id, columns: [{ name: '__cs', expr: start }, { name: '__ce', expr: call('add', [start, duration], 'number') }] },
    { fields: new Map([...rel.fields, ['__cs', HIDDEN], ['__ce', HIDDEN]]), raw: rel.raw, removed: rel.removed });
  // The marks: kind 0 an end (-1), 1 a start (+1), 2 a reading at an event's start.
  const mark = (value: Expr, kind: number, delta: number, where: Expr): Relation => {
    const kept = b.step({ kind: 'filter', input: base.id, condition: where }, same(base));
    const fields = new Map<string, FieldInfo>([['__cv', HIDDEN], ['__ck', HIDDEN], ['__cd', HIDDEN], ['__cseq', HIDDEN], ['__seq', HIDDEN]]);
    return b.step({ kind: 'project', input: kept.id, columns: [
      { name: '__cv', expr: value }, { name: '__ck', expr: int(kind) }, { name: '__cd', expr: int(delta) },
      { name: '__cseq', expr: kind === 2 ? SEQ : nullOf('number') }, { name: '__seq', expr: SEQ },
    ] }, { fields, raw: false, removed: new Set() });
  };
  const spans = all([call('is_not_null', [START], 'bool'), call('gt', [END, START], 'bool')]);
  const ends = mark(END, 0, -1, spans);
  const starts = mark(START, 1, 1, spans);
  const readings = mark(START, 2, 0, call('is_not_null', [START], 'bool'));
  const marks = b.step({ kind: 'union', left: b.step({ kind: 'union', left: ends.id, right: starts.id }, same(ends)).id, right: readings.id }, same(ends));
  const running = aggregate('sum', [column('__cd', 'number')], 'number', {
    over: { partition: [], order: [{ expr: column('__cv', 'number'), desc: false, nulls: 'last' }, { expr: column('__ck', 'number'), desc: false, nulls: 'last' }, { expr: SEQ, desc: false, nulls: 'last' }], frame: { start: null, end: 0 } },
  });
  const summed = b.step({ kind: 'extend', input: marks.id, columns: [{ name: '__cn', expr: running }] }, { fields: new Map([...marks.fields, ['__cn', HIDDEN]]), raw: false, removed: new Set() });
  const read = b.step({ kind: 'filter', input: summed.id, condition: call('eq', [column('__ck', 'number'), int(2)], 'bool') }, same(summed));
  const on = call('eq', [sideColumn('l', '__seq', 'number'), sideColumn('r', '__cseq', 'number')], 'bool');
  // An event without a span of its own is not in the running sum: it counts itself.
  const own = caseOf([{ when: call('coalesce', [call('gt', [sideColumn('l', '__ce', 'number'), sideColumn('l', '__cs', 'number')], 'bool'), { kind: 'literal', value: false, type: 'bool' }], 'bool'), then: int(0) }], int(1), 'number');
  const value = call('to_bigint', [call('add', [sideColumn('r', '__cn', 'number'), own], 'number')], 'int');
  const fields = new Map(rel.fields);
  fields.delete(output);
  fields.set(output, made('number'));
  return b.step({ kind: 'join', left: base.id, right: read.id, type: 'left', on, columns: [{ name: output, expr: value }], leftAll: true, leftDrop: ['__cs', '__ce', output] },
    { fields, raw: rel.raw, removed: rel.removed });
};

export const CONCURRENCY: CommandSpec[] = [
  {
    name: 'concurrency',
    options: OPTIONS,
    // Each result's count reads results after it in the stream too: no newest-rows bound through it.
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'How many events were in progress at each event\'s start, itself included (`duration=` field, `start=` default `_time`, `output=` default `concurrency`)', example: '* | transaction userIdentity.arn maxpause=1h | concurrency duration=duration' },
    build: concurrency,
  },
];
