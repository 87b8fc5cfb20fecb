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
import { SCALAR_COLUMNS } from '../cloudtrail-schema.js';
import { toBool, toString } from '../build/coerce.js';
import { compileExpr, fieldRef } from '../expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { compileSearchExpr } from '../search.js';
import { dbl, ident } from '../sql.js';
import { parseSpan } from '../time.js';
import type { FieldInfo, Relation } from '../types.js';
import { generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

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
function boundary(g: Generic, key: string, rel: Relation, b: Builder): string | undefined {
  const arg = g.args.find((a): a is Extract<Arg, { kind: 'option' }> => a.kind === 'option' && a.key.toLowerCase() === key);
  if (!arg) return undefined;
  const v = arg.value;
  const source = b.options.source;
  if (v.kind === 'call' && v.name.toLowerCase() === 'eval' && source !== undefined) {
    const inner = source.slice(source.indexOf('(', v.span.start) + 1, v.span.end - 1);
    const parsed = parse(`| where ${inner}`);
    const where = parsed.pipeline?.commands[0];
    if (parsed.diagnostics.length || !where || where.kind !== 'where') throw b.err('bad-argument', `${key}=eval(...) needs an expression`, v.span);
    return sql(toBool(compileExpr(where.expr, { rel, b })));
  }
  if (v.kind !== 'word') throw b.err('bad-argument', `${key}= takes a search condition in quotes ("eventName=ConsoleLogin") or eval(expression)`, v.span);
  const parsed = parse(v.value);
  const first = parsed.pipeline?.commands[0];
  if (parsed.diagnostics.length || !first || first.kind !== 'search' || !first.expr || parsed.pipeline!.commands.length !== 1) {
    throw b.err('bad-argument', `${key}= takes a search condition such as "eventName=ConsoleLogin"`, v.span);
  }
  return sql(compileSearchExpr(first.expr, rel, b));
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
  const keyCols = keys.map(([k]) => ident(k));
  const partition = keyCols.length ? `PARTITION BY ${keyCols.join(', ')} ` : '';
  const inOrder = `${partition}ORDER BY "_time" ASC NULLS FIRST, "__seq" DESC`;
  const cols = [...keys.map(([k, e]) => `${sql(e)} AS ${ident(k)}`), `coalesce(${start ?? 'false'}, false) AS "__tsw"`, `coalesce(${end ?? 'false'}, false) AS "__tew"`];
  const where = keys.map(([, e]) => `${sql(e)} IS NOT NULL`);
  const marked = b.add(`SELECT *, ${cols.join(', ')} FROM ${rel.name}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`, rel.fields, rel.raw, rel.removed);
  // 2. A new piece at a long pause, a start, or after an end (oldest first).
  const gap = maxpause === undefined ? 'false' : `"_time" - lag("_time") OVER (${inOrder}) > ${dbl(maxpause)}`;
  const breaks = b.add(`SELECT *, CASE WHEN lag("__seq") OVER (${inOrder}) IS NULL OR ${gap} OR "__tsw" OR lag("__tew") OVER (${inOrder}) THEN 1 ELSE 0 END AS "__tnew" FROM ${marked.name}`, rel.fields, rel.raw, rel.removed);
  const pieces = b.add(`SELECT *, sum("__tnew") OVER (${inOrder} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS "__tpiece" FROM ${breaks.name}`, rel.fields, rel.raw, rel.removed);
  // 3. maxspan and maxevents, cut newest first: one pass over each piece's times (a fold).
  const group = [...keyCols, '"__tpiece"'].join(', ');
  // DuckDB folds a list into a value of its element's type: each time rides in a state record.
  const span = maxspan === undefined ? 'false' : `x.anchor < acc.anchor - ${dbl(maxspan)}`;
  const state = (anchor: string, n: string, id: string) => `{'anchor': ${anchor}, 'n': ${n}, 'id': ${id}, 'ids': list_append(acc.ids, ${id})}`;
  const step = `CASE WHEN acc.n = 0 THEN ${state('x.anchor', '1', 'acc.id')} WHEN ${span} OR acc.n >= ${maxevents} THEN ${state('x.anchor', '1', 'acc.id + 1')} ELSE ${state('acc.anchor', 'acc.n + 1', 'acc.id')} END`;
  const records = `list_transform(ts, t -> {'anchor': t, 'n': 0, 'id': 0, 'ids': []::INTEGER[]})`;
  const fold = `list_reduce(${records}, (acc, x) -> ${step}, {'anchor': 0::DOUBLE, 'n': 0, 'id': 0, 'ids': []::INTEGER[]}).ids`;
  const lists = `SELECT list("__seq" ORDER BY "_time" DESC NULLS LAST, "__seq") AS seqs, list(coalesce("_time", 0)::DOUBLE ORDER BY "_time" DESC NULLS LAST, "__seq") AS ts FROM ${pieces.name} GROUP BY ${group}`;
  const chunks = b.add(`SELECT unnest(seqs) AS "__tseq", unnest(${fold}) AS "__tchunk" FROM (${lists})`, new Map(), false);
  const numbered = b.add(`SELECT p.*, c."__tchunk" FROM ${pieces.name} p JOIN ${chunks.name} c ON p."__seq" = c."__tseq"`, rel.fields, rel.raw, rel.removed);
  // 4. One result per transaction.
  const byNames = new Set(fields);
  const merged = visibleFields(rel).filter((n) => !byNames.has(n) && n !== '_time' && n !== '_raw');
  const eventCols = rel.raw ? SCALAR_COLUMNS.map((c) => c.name).filter((n) => !byNames.has(n) && !rel.fields.get(n)?.origin.startsWith('made')) : [];
  const mergeOf = (n: string) => {
    const c = rel.fields.get(n)?.type === 'mv' ? `flatten(list(${ident(n)}))` : `list(${sql(toString(fieldRef(n, { rel, b })))})`;
    const vals = mvlist ? `list_filter(${c.replace(/\)+$/, (m) => ` ORDER BY "_time", "__seq" DESC${m}`)}, v -> v IS NOT NULL)` : `list_sort(list_distinct(${c}))`;
    return `CASE WHEN len(${vals}) = 0 THEN NULL ELSE ${vals} END AS ${ident(n)}`;
  };
  const out: string[] = [
    `min("_time") AS "_time"`,
    ...fields.map((f, i) => `any_value(${ident(`__tk${i}`)}) AS ${ident(f)}`),
    `max("_time") - min("_time") AS "duration"`,
    `count(*) AS "eventcount"`,
    ...[...merged, ...eventCols].map(mergeOf),
    `string_agg(${rel.raw || rel.fields.has('_raw') ? '"_raw"' : 'NULL'}, chr(10) ORDER BY "_time", "__seq" DESC) AS "_raw"`,
  ];
  const closed = [start ? 'arg_min("__tsw", ("_time", -"__seq"))' : 'true', end ? 'arg_max("__tew", ("_time", -"__seq"))' : 'true'].join(' AND ');
  out.push(`${closed} AS "__tclosed"`);
  const grouped = b.add(`SELECT ${out.join(', ')} FROM ${numbered.name} GROUP BY ${[...keyCols, '"__tpiece"', '"__tchunk"'].join(', ')}`, new Map(), false);
  const fieldsAfter = new Map<string, FieldInfo>([['_time', made('number')]]);
  for (const f of fields) fieldsAfter.set(f, made(fieldRef(f, { rel, b }).type === 'number' ? 'number' : 'string'));
  fieldsAfter.set('duration', made('number'));
  fieldsAfter.set('eventcount', made('number'));
  for (const n of merged) fieldsAfter.set(n, made('mv'));
  for (const n of eventCols) fieldsAfter.set(n, { type: 'mv', origin: 'event' });
  if (keepEvicted) fieldsAfter.set('closed_txn', made('number'));
  fieldsAfter.set('_raw', { type: 'string', origin: 'event' });
  fieldsAfter.set('__seq', { type: 'number', origin: 'event' });
  const kept = keepEvicted ? `*, CASE WHEN "__tclosed" THEN 1 ELSE 0 END AS "closed_txn"` : '*';
  return b.add(`SELECT ${kept}, row_number() OVER (ORDER BY "_time" DESC, "duration" DESC) AS "__seq" FROM ${grouped.name}${keepEvicted ? '' : ' WHERE "__tclosed"'}`, fieldsAfter, false);
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
