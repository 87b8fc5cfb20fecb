// Subsearches: inside `search` (rows become `(f=v AND ...) OR ...`, as Splunk's format does),
// and under join, append and return.
import type { Pipeline, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import { made, visibleFields, type Builder } from '../builder.js';
import { all, coalesceFalse, coerce, fieldType, toString, unify } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { call, column, int, lit, sideColumn, type Expr, type Vars } from '../ir/expr.js';
import type { Compiled, FieldInfo, Relation } from '../types.js';
import { assign, generic, hasColumn, project, rowNumber, SEQ } from './relation.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec, type Options } from './spec.js';
import { unionRelations } from './union.js';
import { INTERNAL } from '../ir/origin.js';

/** Splunk's default cap on subsearch results. */
const SUBSEARCH_MAX = 10000;

/** Splunk's default cap on the rows join, append and appendcols take from a subsearch. */
const SUBSEARCH_ROWS_MAX = 50000;

/**
 * The rows join, append and appendcols take from their subsearch: Splunk's join page ("a maximum
 * of 50,000 rows in the right-side dataset can be joined") and the maxout= of append and
 * appendcols (default 50000) cut the subsearch there; so does spelunk, saying so when it cut.
 * https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/join
 * https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/appendcols
 */
export function cappedSubsearch(sub: Relation, b: Builder, command: string, args: Args | null): Relation {
  const max = args?.options.has('maxout') ? args.int('maxout', SUBSEARCH_ROWS_MAX) : SUBSEARCH_ROWS_MAX;
  if (max < 1) throw b.err('bad-argument', 'maxout= must be at least 1', args!.options.get('maxout')!.span);
  const first = b.step({ kind: 'limit', input: sub.id, count: max });
  const n = max.toLocaleString('en-US');
  const limit = args ? 'maxout' : 'limit';
  b.cap(sub, first, max, {
    note: `${command}'s subsearch gave more than ${n} rows: only the first ${n} were used, as Splunk's ${command} ${limit} does${args ? ' (maxout= sets it)' : ''}`,
    rule: `${command} uses its subsearch's first ${n} rows, as Splunk's ${command} ${limit} does`,
  });
  return first;
}

function subsearchFields(sub: Relation, b: Builder, span: Span): string[] {
  const names = visibleFields(sub);
  if (names.length === 0) {
    throw b.err('bad-argument', 'this subsearch returns whole events; end it with table, fields, stats or return to choose the fields to match', span);
  }
  return names;
}

/** A search-style match of an outer field against a subsearch value, either side multivalue. */
function wildMatch(outer: Compiled, inner: Compiled, vars: Vars): Expr {
  const one = (o: Expr): Expr => (inner.type === 'mv'
    ? call('list_bool_or', [call('list_transform', [inner, vars.lambda('string', (w) => call('wildmatch', [o, w], 'bool'))], 'list')], 'bool')
    : call('wildmatch', [o, inner], 'bool'));
  if (outer.type === 'mv') return call('list_bool_or', [call('list_transform', [outer, vars.lambda('string', one)], 'list')], 'bool');
  if (outer.type === 'unknown') return lit(false);
  return one(toString(outer));
}


export function subsearchCondition(pipeline: Pipeline, outer: Relation, span: Span, b: Builder): Expr {
  const sub = b.compileSub(pipeline, b);
  const names = subsearchFields(sub, b, span);
  // Renamed columns keep the correlated references to the outer row unambiguous.
  const first = b.step({ kind: 'limit', input: sub.id, count: SUBSEARCH_MAX });
  // Splunk warns that it truncated a subsearch to maxout (Search Manual, "About subsearches": at
  // most 10,000 results by default); so does spelunk.
  const n = SUBSEARCH_MAX.toLocaleString('en-US');
  b.cap(sub, first, SUBSEARCH_MAX, {
    note: `a subsearch gave more than ${n} rows: only the first ${n} were used, as Splunk's subsearch maxout does`,
    rule: `a subsearch's first ${n} rows are used, as Splunk's subsearch maxout does`,
  });
  const cols = names.map((n, i) => ({ name: `__sub${i}`, expr: column(n, sub.fields.get(n)!.type) }));
  const limited = b.step({ kind: 'project', input: first.id, columns: cols });
  const fast = exactRowsCondition(names, sub, limited, outer, b);
  if (fast) return fast;
  const conditions = names.map((n, i) => {
    const inner = sideColumn(limited.id, `__sub${i}`, sub.fields.get(n)!.type);
    if (n === 'search' || n === 'query') {
      const anywhere = call('concat', [call('concat', [lit('*'), toString(inner)], 'string'), lit('*')], 'string');
      return call('or', [call('is_null', [inner], 'bool'), coalesceFalse(call('wildmatch', [column('_raw', 'string'), anywhere], 'bool'))], 'bool');
    }
    return call('or', [call('is_null', [inner], 'bool'), coalesceFalse(wildMatch(fieldRef(n, { rel: outer, b }), inner, b.vars))], 'bool');
  });
  return { kind: 'exists', step: limited.id, where: all(conditions), type: 'bool' };
}

/**
 * Scalar fields only (`[search ... | fields user]`, `| fields user src`, `return src`): rows whose
 * values all hold no `*` are tested with `(lower(f1), ...) IN (...)`, which DuckDB runs as a
 * hash join; only rows with a wildcard or an empty value go through the row-by-row test. The
 * general EXISTS below compares every event with every subsearch row: on 1M events against a
 * few hundred users it ran for minutes; this takes 1.3 s.
 */
function exactRowsCondition(names: string[], sub: Relation, limited: Relation, outer: Relation, b: Builder): Expr | null {
  if (names.some((n) => n === 'search' || n === 'query')) return null;
  const inner = names.map((n) => sub.fields.get(n)!.type);
  const fields = names.map((n) => fieldRef(n, { rel: outer, b }));
  if (inner.includes('mv') || fields.some((f) => f.type === 'mv' || f.type === 'unknown')) return null;
  const v = names.map((_n, i) => toString(column(`__sub${i}`, inner[i]!)));
  const o = fields.map((f) => toString(f));
  const lower = (x: Expr) => call('lower', [x], 'string');
  const plain = all(v.map((x) => call('and', [call('is_not_null', [x], 'bool'), call('not', [call('contains', [x, lit('*')], 'bool')], 'bool')], 'bool')));
  const exact: Expr = { kind: 'in_rows', values: o.map(lower), step: limited.id, select: v.map(lower), where: plain, type: 'bool' };
  const others = b.step({ kind: 'filter', input: limited.id, condition: call('not', [plain], 'bool') });
  const restCols = names.map((_n, i) => ({ name: `__sub${i}`, expr: v[i]! }));
  const rest = b.step({ kind: 'project', input: others.id, columns: restCols });
  const each = names.map((_n, i) => {
    const value = sideColumn(rest.id, `__sub${i}`, 'string');
    return call('or', [call('is_null', [value], 'bool'), coalesceFalse(call('wildmatch', [o[i]!, value], 'bool'))], 'bool');
  });
  return call('or', [coalesceFalse(exact), { kind: 'exists', step: rest.id, where: all(each), type: 'bool' }], 'bool');
}

function onlySubsearch(args: Args, b: Builder, span: Span): Pipeline {
  const subs = args.items.filter((a) => a.kind === 'subsearch');
  if (subs.length !== 1) throw b.err('bad-argument', 'expected one subsearch in [brackets]', span);
  return (subs[0] as { pipeline: Pipeline }).pipeline;
}

const JOIN_OPTIONS: Options = {
  type: 'text',
  max: 'int',
  overwrite: 'bool',
  usetime: { unsupported: 'matches are not limited by time' },
  earlier: { unsupported: 'matches are not limited by time' },
};
const APPEND_OPTIONS: Options = {
  extendtimerange: { ignored: 'the subsearch has its own time range' },
  maxtime: { ignored: 'searches run to completion' },
  timeout: { ignored: 'searches run to completion' },
  maxout: 'int',
};

const join: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, JOIN_OPTIONS);
  const pipeline = onlySubsearch(args, b, cmd.span);
  const type = (args.option('type') ?? 'inner').toLowerCase();
  if (!['inner', 'left', 'outer'].includes(type)) throw b.err('bad-argument', `join type=${type} is not one of inner, left, outer`, args.options.get('type')!.span);
  const keys = args.items.filter((a) => a.kind !== 'subsearch').map((a) => {
    if (a.kind !== 'word') throw b.err('bad-argument', `expected a field to join on, found ${describe(a)}`, a.span);
    return a.value;
  });
  const max = args.int('max', 1);
  const overwrite = args.bool('overwrite', true);
  const sub = cappedSubsearch(b.compileSub(pipeline, b), b, 'join', null);
  const subNames = [...sub.fields.keys()].filter((n) => !n.startsWith('__'));
  if (keys.length === 0) keys.push(...subNames.filter((n) => hasColumn(rel, n) || rel.fields.has(n)));
  if (keys.length === 0) throw b.err('bad-argument', 'join needs fields to join on', cmd.span);
  const extra = subNames.filter((n) => !keys.includes(n) && (overwrite || !hasColumn(rel, n)));
  // A field both sides have keeps its own value where the subsearch has none (a row without a
  // match, or a match without the field): the join page's overwrite replaces values, not
  // fields. Keys and these become real columns so the join reads them like with like.
  const shared = extra.filter((n) => hasColumn(rel, n));
  const left = assign(rel, b, [...keys, ...shared].map((k) => [k, fieldRef(k, { rel, b })]));
  const right0 = project(sub, b, [...new Set([...keys, ...subNames])].map((n) => [n, fieldRef(n, { rel: sub, b })]));
  const partition = keys.map((k) => column(k, right0.fields.get(k)?.type ?? 'string'));
  const firstRows = call('le', [rowNumber([{ expr: SEQ, desc: false, nulls: 'last' }], partition), int(max)], 'bool');
  const right = max > 0 ? b.step({ kind: 'filter', input: right0.id, condition: firstRows }) : right0;
  const on = all(keys.map((k) => joinKey(k, left, right)));
  const fields = new Map<string, FieldInfo>(left.fields);
  const columns = extra.map((n) => {
    const r = sideColumn('r', n, right.fields.get(n)?.type ?? 'string');
    if (!shared.includes(n)) return { name: n, expr: r };
    const l = sideColumn('l', n, left.fields.get(n)?.type ?? 'string');
    const type = unify([l, r]);
    return { name: n, expr: call('coalesce', [coerce(r, type), coerce(l, type)], type === 'unknown' ? 'string' : type) };
  });
  for (const c of columns) fields.set(c.name, made(fieldType(c.expr.type)));
  if (max === 1) {
    return b.step(
      { kind: 'join', left: left.id, right: right.id, type: type === 'inner' ? 'inner' : 'left', on, columns, leftAll: true, leftDrop: extra },
      { fields, raw: left.raw, removed: left.removed },
    );
  }
  // Several matches of one row follow each other in the subsearch's order (they came in whatever
  // order the hash join gave, the second match first on the sample).
  const joined = b.step(
    { kind: 'join', left: left.id, right: right.id, type: type === 'inner' ? 'inner' : 'left', on, columns: [...columns, { name: '__jseq', expr: sideColumn('r', '__seq', 'number') }], leftAll: true, leftDrop: extra },
    { fields: new Map([...fields, ['__jseq', { type: 'number', origin: INTERNAL }]]), raw: left.raw, removed: left.removed },
  );
  const order = [{ expr: SEQ, desc: false, nulls: 'last' as const }, { expr: column('__jseq', 'number'), desc: false, nulls: 'last' as const }];
  return b.step({ kind: 'extend', input: joined.id, columns: [{ name: '__seq', expr: rowNumber(order) }], drop: ['__jseq'] }, { fields, raw: left.raw, removed: left.removed });
};

/**
 * Whether a row's `key` equals the subsearch row's. Values match as the text Splunk shows: with a
 * number on one side and text on the other, DuckDB read the text as a number, so 12345678901
 * matched the account "012345678901" and 5 matched "5.0" (which `lookup` does not match), or the
 * search failed on text that is no number.
 */
function joinKey(key: string, left: Relation, right: Relation): Expr {
  const l = sideColumn('l', key, left.fields.get(key)?.type ?? 'string');
  const r = sideColumn('r', key, right.fields.get(key)?.type ?? 'string');
  const numeric = (e: Expr) => e.type === 'number' || e.type === 'int';
  const mixed = (numeric(l) && r.type === 'string') || (numeric(r) && l.type === 'string');
  return call('eq', mixed ? [toString(l), toString(r)] : [l, r], 'bool');
}

const append: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, APPEND_OPTIONS);
  const sub = cappedSubsearch(b.compileSub(onlySubsearch(args, b, cmd.span), b), b, 'append', args);
  return unionRelations(b, rel, sub, rel.raw || sub.raw);
};

/** `return [N] f alias=f $f`: the first N rows as the fields a subsearch hands back. */
const returnCommand: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  let n = 1;
  const values: [string, Compiled][] = [];
  const texts: Compiled[] = [];
  g.args.forEach((a, i) => {
    if (a.kind === 'comma') return;
    if (i === 0 && a.kind === 'word' && /^\d+$/.test(a.value)) {
      n = Number(a.value);
    } else if (a.kind === 'word' && a.value.startsWith('$')) {
      texts.push(fieldRef(a.value.slice(1), { rel, b }));
    } else if (a.kind === 'word') {
      values.push([a.value, fieldRef(a.value, { rel, b })]);
    } else if (a.kind === 'option' && a.op === '=' && a.value.kind === 'word') {
      values.push([a.key, fieldRef(a.value.value, { rel, b })]);
    } else {
      throw b.err('bad-argument', `return takes fields, alias=field or $field, not ${describe(a)}`, a.span);
    }
  });
  if (texts.length) values.push(['search', call('concat_ws', [lit(' '), ...texts.map(toString)], 'string')]);
  const limited = b.step({ kind: 'limit', input: rel.id, count: n });
  return project(limited, b, values);
};

export const SUBSEARCH: CommandSpec[] = [
  {
    name: 'join',
    options: JOIN_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Joins a subsearch\'s results on fields (`type=inner` or `left`); the subsearch\'s first 50,000 rows, as Splunk, with a note when that cut any', example: '* eventName=CreateAccessKey | join user [search eventName=ConsoleLogin | stats latest(src) as login_src by user]' },
    build: join,
  },
  {
    name: 'append',
    options: APPEND_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Adds a subsearch\'s results after the current ones: its first `maxout` (50,000) rows, as Splunk, with a note when that cut any', example: '* | stats count by user | append [search * | stats count as total]' },
    build: append,
  },
  {
    name: 'return',
    options: NO_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'In a subsearch: hands fields back as a search condition', example: '* [search eventName=ConsoleLogin action=failure | return 5 user]' },
    build: returnCommand,
  },
];
