// Subsearches: inside `search` (rows become `(f=v AND ...) OR ...`, as Splunk's format does),
// and under join, append and return.
import type { Pipeline, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import { exclude, made, visibleFields, type Builder } from '../builder.js';
import { toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { call, lit, raw } from '../ir/expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { ident } from '../sql.js';
import type { Compiled, FieldInfo, Relation } from '../types.js';
import { assign, generic, hasColumn, project } from './relation.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec, type Options } from './spec.js';
import { unionRelations } from './union.js';

/** Splunk's default cap on subsearch results. */
const SUBSEARCH_MAX = 10000;

function subsearchFields(sub: Relation, b: Builder, span: Span): string[] {
  const names = visibleFields(sub);
  if (names.length === 0) {
    throw b.err('bad-argument', 'this subsearch returns whole events; end it with table, fields, stats or return to choose the fields to match', span);
  }
  return names;
}

function wildMatch(outer: Compiled, inner: Compiled): string {
  const one = (o: string) => (inner.type === 'mv' ? `list_bool_or(list_transform(${sql(inner)}, __w -> spl_wildmatch(${o}, __w)))` : `spl_wildmatch(${o}, ${sql(inner)})`);
  if (outer.type === 'mv') return `list_bool_or(list_transform(${sql(outer)}, __o -> ${one('__o')}))`;
  if (outer.type === 'unknown') return 'false';
  return one(sql(toString(outer)));
}

export function subsearchCondition(pipeline: Pipeline, outer: Relation, span: Span, b: Builder): string {
  const sub = b.compileSub(pipeline, b);
  const names = subsearchFields(sub, b, span);
  // Renamed columns keep the correlated references to the outer row unambiguous.
  const cols = names.map((n, i) => `${ident(n)} AS "__sub${i}"`);
  const limited = b.add(`SELECT ${cols.join(', ')} FROM ${sub.name} ORDER BY "__seq" LIMIT ${SUBSEARCH_MAX}`, new Map(), false);
  const fast = exactRowsCondition(names, sub, limited, outer, b);
  if (fast) return fast;
  const conditions = names.map((n, i) => {
    const inner: Compiled = raw(`${limited.name}."__sub${i}"`, sub.fields.get(n)!.type);
    if (n === 'search' || n === 'query') {
      return `(${sql(inner)} IS NULL OR coalesce(spl_wildmatch("_raw", '*' || ${sql(toString(inner))} || '*'), false))`;
    }
    return `(${sql(inner)} IS NULL OR coalesce(${wildMatch(fieldRef(n, { rel: outer, b }), inner)}, false))`;
  });
  return `EXISTS (SELECT 1 FROM ${limited.name} WHERE ${conditions.join(' AND ')})`;
}

/**
 * Scalar fields only (`[search ... | fields user]`, `| fields user src`, `return src`): rows whose
 * values all hold no `*` are tested with `(lower(f1), ...) IN (...)`, which DuckDB runs as a
 * hash join; only rows with a wildcard or an empty value go through the row-by-row test. The
 * general EXISTS below compares every event with every subsearch row: on 1M events against a
 * few hundred users it ran for minutes; this takes 1.3 s.
 */
function exactRowsCondition(names: string[], sub: Relation, limited: Relation, outer: Relation, b: Builder): string | null {
  if (names.some((n) => n === 'search' || n === 'query')) return null;
  const inner = names.map((n) => sub.fields.get(n)!.type);
  const fields = names.map((n) => fieldRef(n, { rel: outer, b }));
  if (inner.includes('mv') || fields.some((f) => f.type === 'mv' || f.type === 'unknown')) return null;
  const v = names.map((_n, i) => sql(toString(raw(`"__sub${i}"`, inner[i]!))));
  const o = fields.map((f) => sql(toString(f)));
  const plain = v.map((x) => `${x} IS NOT NULL AND NOT contains(${x}, '*')`).join(' AND ');
  const tuple = (xs: string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join(', ')})`);
  const exact = `${tuple(o.map((x) => `lower(${x})`))} IN (SELECT ${v.map((x) => `lower(${x})`).join(', ')} FROM ${limited.name} WHERE ${plain})`;
  const rest = b.add(`SELECT ${v.map((x, i) => `${x} AS "__sub${i}"`).join(', ')} FROM ${limited.name} WHERE NOT (${plain})`, new Map(), false);
  const each = names.map((_n, i) => `(${rest.name}."__sub${i}" IS NULL OR coalesce(spl_wildmatch(${o[i]}, ${rest.name}."__sub${i}"), false))`);
  return `(coalesce(${exact}, false) OR EXISTS (SELECT 1 FROM ${rest.name} WHERE ${each.join(' AND ')}))`;
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
  maxout: { unsupported: 'every row of the subsearch is appended' },
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
  const sub = b.compileSub(pipeline, b);
  const subNames = [...sub.fields.keys()].filter((n) => !n.startsWith('__'));
  if (keys.length === 0) keys.push(...subNames.filter((n) => hasColumn(rel, n) || rel.fields.has(n)));
  if (keys.length === 0) throw b.err('bad-argument', 'join needs fields to join on', cmd.span);
  // Keys become real columns on both sides so the join condition compares like with like.
  const left = assign(rel, b, keys.map((k) => [k, fieldRef(k, { rel, b })]));
  const right0 = project(sub, b, [...new Set([...keys, ...subNames])].map((n) => [n, fieldRef(n, { rel: sub, b })]));
  const partition = keys.map(ident).join(', ');
  const right = max > 0 ? b.add(`SELECT * FROM ${right0.name} QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY "__seq") <= ${max}`, right0.fields, false) : right0;
  const extra = subNames.filter((n) => !keys.includes(n) && (overwrite || !left.fields.has(n)));
  const dropLeft = extra.filter((n) => hasColumn(left, n));
  const on = keys.map((k) => `l.${ident(k)} = r.${ident(k)}`).join(' AND ');
  const fields = new Map<string, FieldInfo>(left.fields);
  for (const n of extra) fields.set(n, made(right.fields.get(n)?.type ?? 'string'));
  const select = [`l.*${exclude(dropLeft)}`, ...extra.map((n) => `r.${ident(n)}`)].join(', ');
  const kind = type === 'inner' ? 'JOIN' : 'LEFT JOIN';
  return b.add(`SELECT ${select}\n  FROM ${left.name} l ${kind} ${right.name} r ON ${on}`, fields, left.raw, left.removed);
};

const append: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, APPEND_OPTIONS);
  const sub = b.compileSub(onlySubsearch(args, b, cmd.span), b);
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
  const limited = b.add(`SELECT * FROM ${rel.name} ORDER BY "__seq" LIMIT ${n}`, rel.fields, rel.raw, rel.removed);
  return project(limited, b, values);
};

export const SUBSEARCH: CommandSpec[] = [
  {
    name: 'join',
    options: JOIN_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Joins a subsearch\'s results on fields (`type=inner` or `left`)', example: '* eventName=CreateAccessKey | join user [search eventName=ConsoleLogin | stats latest(src) as login_src by user]' },
    build: join,
  },
  {
    name: 'append',
    options: APPEND_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Adds a subsearch\'s results after the current ones', example: '* | stats count by user | append [search * | stats count as total]' },
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
