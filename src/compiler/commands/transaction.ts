// transaction: events grouped into transactions (Splunk Search Reference, transaction). Events
// with the same values of the fields named, in time order, form one transaction until a pause
// longer than maxpause, a start (startswith) or the event after an end (endswith); Splunk reads
// newest first, so maxspan and maxevents (default 1000) cut from the newest event back. Each
// transaction is one result: `_time` its first event's, `duration` last minus first, `eventcount`,
// `_raw` the events' text oldest first, every other field its distinct values (mvlist=t: every
// value in time order). A transaction without its startswith or endswith event is evicted:
// left out, or with keepevicted=t kept with closed_txn=0. Results: newest transaction first.
import type { Arg, Command } from '../../../grammar/ast.js';
import { parse } from '../../../grammar/parser.js';
import { Args } from '../args.js';
import { made, visibleFields, type Builder } from '../builder.js';
import { eventColumn, JSON_COLUMNS, SCALAR_COLUMNS } from '../cloudtrail-schema.js';
import { addonExpr, addonFieldNames, addonFor, carriedColumn, carriedName } from '../fields.js';
import { toBool, toString } from '../build/coerce.js';
import { compileExpr, fieldRef } from '../expr.js';
import { compileSearchExpr } from '../search.js';
import { parseSpan } from '../time.js';
import { aggregate, call, caseOf, column, lit, nullOf, sideColumn, type Expr, type SortKey } from '../ir/expr.js';
import { isHidden, type Column, type Schema } from '../ir/plan.js';
import type { FieldInfo, FieldType, Relation } from '../types.js';
import { generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { EVENT, INTERNAL, isMade } from '../ir/origin.js';

const OPTIONS: Options = {
  maxspan: 'text',
  maxpause: 'text',
  maxevents: 'int',
  startswith: 'text',
  endswith: 'text',
  keepevicted: 'bool',
  mvlist: 'bool',
  name: { unsupported: 'transaction types (transactiontypes.conf) are Splunk server configuration' },
  connected: 'bool',
  unifyends: { unsupported: 'give startswith and endswith instead' },
  keeporphans: { unsupported: 'events outside every transaction are left out' },
  maxopentxn: { ignored: 'spelunk keeps every open transaction' },
  maxopenevents: { ignored: 'spelunk keeps every open transaction' },
  delim: { unsupported: 'multivalue fields are lists here; mvraw is not supported' },
  mvraw: { unsupported: 'multivalue fields are lists here' },
  nullstr: { unsupported: 'a missing value is left out of the merged values' },
};

type Generic = Extract<Command, { kind: 'generic' }>;

/** A duration option (`30s`, `5m`, `1h`, `2d`) in seconds; -1 or absent: no limit. */
function seconds(args: Args, key: string, b: Builder): number | undefined {
  const o = args.options.get(key);
  if (!o || o.value === '-1') return undefined;
  const span = parseSpan(o.value);
  if (!span?.seconds) throw b.err('bad-argument', `${key}= takes a duration such as 30s, 5m, 1h or 2d, not ${JSON.stringify(o.value)}`, o.span);
  return span.seconds;
}

/** startswith/endswith: a search condition (`"eventName=ConsoleLogin"`) or eval(expression). */
function boundary(g: Generic, key: string, rel: Relation, b: Builder): Expr | undefined {
  const arg = g.args.find((a): a is Extract<Arg, { kind: 'option' }> => a.kind === 'option' && a.key.toLowerCase() === key);
  if (!arg) return undefined;
  const v = arg.value;
  if (v.kind === 'call' && v.name === 'eval') {
    const inner = v.args[0];
    if (v.args.length !== 1 || inner?.kind !== 'expr') throw b.err('bad-argument', `${key}=eval(...) needs an expression`, v.span);
    return toBool(compileExpr(inner.expr, { rel, b }));
  }
  if (v.kind !== 'word') throw b.err('bad-argument', `${key}= takes a search condition in quotes ("eventName=ConsoleLogin") or eval(expression)`, v.span);
  const parsed = parse(v.value);
  const first = parsed.pipeline?.commands[0];
  if (parsed.diagnostics.length || !first || first.kind !== 'search' || !first.expr || parsed.pipeline!.commands.length !== 1) {
    throw b.err('bad-argument', `${key}= takes a search condition such as "eventName=ConsoleLogin"`, v.span);
  }
  return compileSearchExpr(first.expr, rel, b);
}

/** A field every event has before the pipeline: a column it did not make, or an add-on field with a rule. */
function isEventField(name: string, rel: Relation, b: Builder): boolean {
  const def = addonFor(name, rel, b.options.addon);
  if (def) return addonExpr(def) !== null;
  return eventColumn(name) !== undefined && !isMade(rel.fields.get(name)?.origin);
}

const transaction: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const args = new Args(g, b, OPTIONS);
  if (!args.bool('connected', true)) throw b.err('bad-argument', 'transaction connected=f is not supported: events must have every field named', args.options.get('connected')!.span);
  const fields = args.words().map((w) => w.value);
  const maxspan = seconds(args, 'maxspan', b);
  const maxpause = seconds(args, 'maxpause', b);
  const maxevents = args.options.has('maxevents') ? args.int('maxevents', 1000) : 1000;
  if (maxevents < 1) throw b.err('bad-argument', 'maxevents= must be at least 1', args.options.get('maxevents')!.span);
  const start = boundary(g, 'startswith', rel, b);
  const end = boundary(g, 'endswith', rel, b);
  const keepEvicted = args.bool('keepevicted', false);
  const mvlist = args.bool('mvlist', false);

  // 1. Keys, time, boundaries. Events missing a field named are in no transaction.
  const keys = fields.map((f, i) => [`__tk${i}`, fieldRef(f, { rel, b })] as const);
  const keyCol = (k: string) => column(k, 'string');
  const hidden = (rel0: Relation, names: [string, FieldType][]): Schema => ({
    fields: new Map([...rel0.fields, ...names.map(([n, t]): [string, FieldInfo] => [n, { type: t, origin: INTERNAL }])]),
    raw: rel0.raw,
    removed: rel0.removed,
  });
  const flag = (e: Expr | undefined) => call('coalesce', [e ?? lit(false), lit(false)], 'bool');
  const marked = b.step({ kind: 'extend', input: rel.id, columns: [...keys.map(([k, e]) => ({ name: k, expr: toString(e) })), { name: '__tsw', expr: flag(start) }, { name: '__tew', expr: flag(end) }] },
    hidden(rel, [...keys.map(([k]): [string, FieldType] => [k, 'string']), ['__tsw', 'bool'], ['__tew', 'bool']]));
  // Splunk's default connected=t also links an event carrying only some of several fields named
  // to a transaction it agrees with; that is not done here, so such an event is an error rather
  // than an event silently left out (filtering them first gives Splunk's answer too).
  const has = keys.map(([k]) => call('is_not_null', [keyCol(k)], 'bool'));
  const every = has.length ? has.reduce((x, y) => call('and', [x, y], 'bool')) : lit(true);
  let keep = every;
  if (keys.length > 1) {
    const some = has.reduce((x, y) => call('or', [x, y], 'bool'));
    const names = fields.map((f) => `isnotnull('${f.replace(/'/g, "''")}')`).join(' AND ');
    const message = lit(`transaction ${fields.join(' ')}: an event carries some of these fields but not all; Splunk would link it to a matching transaction (connected=t), which spelunk does not do. Keep only events with every field first (| where ${names}) or name fewer fields`);
    keep = caseOf([{ when: call('and', [some, call('not', [every], 'bool')], 'bool'), then: call('error', [message], 'bool') }], every, 'bool');
  }
  const present = keys.length ? b.step({ kind: 'filter', input: marked.id, condition: keep }) : marked;
  // 2. A new piece at a long pause, a start, or after an end (oldest first).
  const TIME = column('_time', 'number');
  const SEQ = column('__seq', 'number');
  const oldestFirst: SortKey[] = [{ expr: TIME, desc: false, nulls: 'first' }, { expr: SEQ, desc: true, nulls: 'last' }];
  const over = { partition: keys.map(([k]) => keyCol(k)), order: oldestFirst };
  const before = (e: Expr) => aggregate('lag', [e], e.type, { over });
  const reasons: Expr[] = [call('is_null', [before(SEQ)], 'bool'), column('__tsw', 'bool'), call('coalesce', [before(column('__tew', 'bool')), lit(false)], 'bool')];
  if (maxpause !== undefined) reasons.push(call('coalesce', [call('gt', [call('sub', [TIME, before(TIME)], 'number'), lit(maxpause)], 'bool'), lit(false)], 'bool'));
  const isNew = caseOf([{ when: reasons.reduce((x, y) => call('or', [x, y], 'bool')), then: lit(1) }], lit(0), 'number');
  const breaks = b.step({ kind: 'extend', input: present.id, columns: [{ name: '__tnew', expr: isNew }] });
  const piece = aggregate('sum', [column('__tnew', 'number')], 'number', { over: { ...over, frame: { start: null, end: 0 } } });
  const pieces = b.step({ kind: 'extend', input: breaks.id, columns: [{ name: '__tpiece', expr: piece }] });
  // 3. maxspan and maxevents, cut newest first: one pass over each piece's times.
  const newestFirst: SortKey[] = [{ expr: TIME, desc: true, nulls: 'last' }, { expr: SEQ, desc: false, nulls: 'last' }];
  const times = aggregate('list_agg', [call('to_double', [call('coalesce', [TIME, lit(0)], 'number')], 'number')], 'mv', { order: newestFirst });
  const ids = call('transaction_cuts', [times, lit(maxspan ?? -1), lit(maxevents)], 'list');
  const groupCols: Column[] = [...keys.map(([k]) => ({ name: k, expr: keyCol(k) })), { name: '__tpiece', expr: column('__tpiece', 'number') }];
  const listed = b.step({ kind: 'aggregate', input: pieces.id, groups: groupCols, aggregates: [{ name: '__tseqs', expr: aggregate('list_agg', [SEQ], 'mv', { order: newestFirst }) }, { name: '__tids', expr: ids }] },
    { fields: new Map([['__tseqs', { type: 'mv', origin: INTERNAL }], ['__tids', { type: 'mv', origin: INTERNAL }]]), raw: false, removed: new Set() });
  const each = b.step({ kind: 'unnest', input: listed.id, column: '__tseq', list: column('__tseqs', 'list'), ordinal: '__ti' }, { fields: new Map([['__tseq', { type: 'number', origin: INTERNAL }]]), raw: false, removed: new Set() });
  const chunk = call('list_get', [column('__tids', 'list'), column('__ti', 'int')], 'number');
  const chunks = b.step({ kind: 'extend', input: each.id, columns: [{ name: '__tchunk', expr: chunk }] });
  const on = call('eq', [sideColumn('l', '__seq', 'number'), sideColumn('r', '__tseq', 'number')], 'bool');
  const numbered = b.step({ kind: 'join', left: pieces.id, right: chunks.id, type: 'inner', on, columns: [{ name: '__tchunk', expr: sideColumn('r', '__tchunk', 'number') }], leftAll: true, leftDrop: [] },
    hidden(pieces, [['__tchunk', 'number']]));
  // 4. One result per transaction.
  const byNames = new Set(fields);
  // A transaction of transactions counts and spans its own members: the inner duration and
  // eventcount are not merged over the outer ones.
  const own = new Set(['_time', '_raw', 'duration', 'eventcount']);
  const merged = visibleFields(rel).filter((n) => !byNames.has(n) && !own.has(n));
  // Splunk extracts the add-on's fields and the nested paths from every event before the
  // pipeline, so a transaction merges them like any other field. The add-on fields are merged here
  // (DuckDB drops the aggregates no later step reads); the nested objects ride as a JSON list
  // each, hidden, which a later path reads (fields.ts carriedPath): the paths are too many to merge.
  // Over an earlier transaction's results, the fields and objects it carried are merged again.
  const eventNames = rel.raw ? [...new Set([...SCALAR_COLUMNS.map((c) => c.name), ...addonFieldNames()])].filter((n) => isEventField(n, rel, b)) : [...rel.fields].filter(([n, f]) => f.origin.kind === 'event' && !isHidden(n)).map(([n]) => n);
  const eventCols = eventNames.filter((n) => !byNames.has(n) && n !== '_time' && n !== '_raw');
  const inTime: SortKey[] = [{ expr: TIME, desc: false, nulls: 'last' }, { expr: SEQ, desc: true, nulls: 'last' }];
  const objects = (n: string): Expr | undefined => {
    if (byNames.has(n) || rel.removed.has(n) || isMade(rel.fields.get(n)?.origin)) return undefined;
    if (rel.raw) return aggregate('list_agg', [column(n, 'json')], 'mv', { order: inTime });
    const from = carriedColumn(n, rel);
    return from === undefined ? undefined : call('flatten', [aggregate('list_agg', [call('json_elements', [column(from, 'json')], 'mv')], 'mv', { order: inTime })], 'mv');
  };
  const carried = JSON_COLUMNS.flatMap((c) => {
    const list = objects(c.name);
    return list ? [{ name: c.name, list }] : [];
  });
  const mergeOf = (n: string): Column => {
    const v = fieldRef(n, { rel: numbered, b });
    const all = v.type === 'mv' ? call('flatten', [aggregate('list_agg', [v], 'mv', mvlist ? { order: inTime } : {})], 'mv') : aggregate('list_agg', [toString(v)], 'mv', mvlist ? { order: inTime, filter: call('is_not_null', [v], 'bool') } : {});
    const vals = mvlist ? all : call('list_sort', [call('list_distinct', [all], 'mv')], 'mv');
    return { name: n, expr: call('null_if_empty', [vals], 'mv') };
  };
  const closedParts: Expr[] = [];
  if (start) closedParts.push(aggregate('arg_min', [column('__tsw', 'bool'), TIME], 'bool'));
  if (end) closedParts.push(aggregate('arg_max', [column('__tew', 'bool'), TIME], 'bool'));
  const rawText = rel.raw || rel.fields.has('_raw') ? aggregate('string_agg', [column('_raw', 'string'), lit('\n')], 'string', { order: inTime }) : nullOf('string');
  const out: Column[] = [
    { name: '_time', expr: aggregate('min', [TIME], 'number') },
    ...fields.map((f, i) => ({ name: f, expr: aggregate('any_value', [keyCol(`__tk${i}`)], 'string') })),
    { name: 'duration', expr: call('sub', [aggregate('max', [TIME], 'number'), aggregate('min', [TIME], 'number')], 'number') },
    { name: 'eventcount', expr: aggregate('count_star', [], 'number') },
    ...[...merged, ...eventCols].map(mergeOf),
    ...carried.map((c) => ({ name: carriedName(c.name, mvlist), expr: call('list_to_json', [c.list], 'json') })),
    { name: '_raw', expr: rawText },
    { name: '__tclosed', expr: closedParts.length ? closedParts.reduce((x, y) => call('and', [x, y], 'bool')) : lit(true) },
  ];
  const fieldsAfter = new Map<string, FieldInfo>([['_time', made('number')]]);
  for (const f of fields) fieldsAfter.set(f, made('string'));
  fieldsAfter.set('duration', made('number'));
  fieldsAfter.set('eventcount', made('number'));
  for (const n of merged) fieldsAfter.set(n, made('mv'));
  for (const n of eventCols) fieldsAfter.set(n, { type: 'mv', origin: EVENT });
  for (const c of carried) fieldsAfter.set(carriedName(c.name, mvlist), { type: 'string', origin: INTERNAL });
  fieldsAfter.set('_raw', { type: 'string', origin: EVENT });
  fieldsAfter.set('__tclosed', { type: 'bool', origin: INTERNAL });
  const groups = [...groupCols, { name: '__tchunk', expr: column('__tchunk', 'number') }];
  let result = b.step({ kind: 'aggregate', input: numbered.id, groups, aggregates: out }, { fields: new Map([...groups.map((g): [string, FieldInfo] => [g.name, { type: 'string', origin: INTERNAL }]), ...fieldsAfter]), raw: false, removed: new Set() });
  if (keepEvicted) {
    result = b.step({ kind: 'extend', input: result.id, columns: [{ name: 'closed_txn', expr: caseOf([{ when: column('__tclosed', 'bool'), then: lit(1) }], lit(0), 'number') }] });
  } else {
    result = b.step({ kind: 'filter', input: result.id, condition: column('__tclosed', 'bool') });
  }
  const order: SortKey[] = [{ expr: TIME, desc: true, nulls: 'last' }, { expr: column('duration', 'number'), desc: true, nulls: 'last' }];
  return b.step({ kind: 'extend', input: result.id, columns: [{ name: '__seq', expr: aggregate('row_number', [], 'number', { over: { partition: [], order } }) }] });
};

export const TRANSACTION: CommandSpec[] = [
  {
    name: 'transaction',
    options: OPTIONS,
    rowPreserving: false,
    transforming: true,
    reference: { section: 'Statistics', summary: 'Groups events into transactions by fields, with `maxspan`, `maxpause`, `maxevents`, `startswith`, `endswith`, `keepevicted`; adds `duration` and `eventcount`', example: '* | transaction user maxpause=1h | table _time user duration eventcount' },
    build: transaction,
  },
];
