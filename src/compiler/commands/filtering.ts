// Commands that keep or order rows: search, where, regex, dedup, head, tail, sort.
import { Args, argText, describe } from '../args.js';
import { coalesceFalse, toBool, toString } from '../build/coerce.js';
import { compileExpr, fieldRef } from '../expr.js';
import { call, lit, type Expr } from '../ir/expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { compileSearchExpr } from '../search.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec, type Options } from './spec.js';
import { generic, regexOrFail, sortKeys, sortRelation } from './relation.js';

const HEAD_OPTIONS: Options = {
  limit: 'int',
  count: 'int',
  null: { unsupported: 'head with a condition is not supported: filter with where, then head' },
  keeplast: { unsupported: 'head with a condition is not supported: filter with where, then head' },
};
const TAIL_OPTIONS: Options = { limit: 'int', count: 'int' };
const SORT_OPTIONS: Options = { limit: 'int' };
const DEDUP_OPTIONS: Options = {
  keepempty: 'bool',
  consecutive: 'bool',
  keepevents: { unsupported: 'keepevents=true (keep the duplicates with the fields cleared) is not supported' },
};

const search: CommandCompiler = (cmd, rel, b) => {
  if (cmd.kind !== 'search' || !cmd.expr) return rel;
  return b.add(`SELECT * FROM ${rel.name} WHERE ${sql(compileSearchExpr(cmd.expr, rel, b))}`, rel.fields, rel.raw, rel.removed);
};

const where: CommandCompiler = (cmd, rel, b) => {
  if (cmd.kind !== 'where') return generic(cmd, b) && rel;
  const cond = compileExpr(cmd.expr, { rel, b });
  return b.add(`SELECT * FROM ${rel.name} WHERE ${sql(coalesceFalse(toBool(cond)))}`, rel.fields, rel.raw, rel.removed);
};

const regex: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const arg = g.args.find((a) => a.kind !== 'comma');
  if (!arg) throw b.err('bad-argument', 'regex needs a pattern: regex field="pattern"', cmd.span);
  let field = '_raw';
  let negate = false;
  let pattern: string;
  let span = arg.span;
  if (arg.kind === 'option') {
    field = arg.key;
    negate = arg.op === '!=';
    if (arg.op !== '=' && arg.op !== '!=') throw b.err('bad-argument', 'regex takes field="pattern" or field!="pattern"', arg.span);
    pattern = argText(arg.value);
    span = arg.value.span;
  } else if (arg.kind === 'word') {
    pattern = arg.value;
  } else {
    throw b.err('bad-argument', `regex takes a pattern, not ${describe(arg)}`, arg.span);
  }
  const re = regexOrFail(b, pattern, span);
  const c = fieldRef(field, { rel, b });
  const matches = (v: Expr) => call('regexp_matches', [v, lit(re.pattern)], 'bool');
  const test = c.type === 'mv' ? call('list_bool_or', [call('list_transform', [c, b.vars.lambda('string', matches)], 'list')], 'bool') : matches(toString(c));
  const cond = negate ? call('not', [coalesceFalse(test)], 'bool') : coalesceFalse(test);
  return b.add(`SELECT * FROM ${rel.name} WHERE ${sql(cond)}`, rel.fields, rel.raw, rel.removed);
};

const dedup: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, DEDUP_OPTIONS);
  let items = args.items;
  let n = 1;
  const first = items[0];
  if (first && first.kind === 'word' && /^\d+$/.test(first.value)) {
    n = Number(first.value);
    items = items.slice(1);
  }
  const sortAt = items.findIndex((a) => a.kind === 'word' && !a.quoted && a.value.toLowerCase() === 'sortby');
  const sortItems = sortAt >= 0 ? items.slice(sortAt + 1) : [];
  if (sortAt >= 0) items = items.slice(0, sortAt);
  const names = items.map((a) => {
    if (a.kind !== 'word') throw b.err('bad-argument', `expected a field name, found ${describe(a)}`, a.span);
    return a.value;
  });
  if (names.length === 0) throw b.err('bad-argument', 'dedup needs at least one field', cmd.span);
  const keys = names.map((f) => sql(fieldRef(f, { rel, b })));
  const keepEmpty = args.bool('keepempty', false);
  const anyNull = keys.map((k) => `${k} IS NULL`).join(' OR ');
  const rank = `row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY "__seq") <= ${n}`;
  let select: string;
  if (args.bool('consecutive', false)) {
    const changed = keys.map((k) => `${k} IS DISTINCT FROM lag(${k}) OVER (ORDER BY "__seq")`).join(' OR ');
    select = `SELECT * FROM ${rel.name}${keepEmpty ? '' : ` WHERE NOT (${anyNull})`}\n  QUALIFY ${keepEmpty ? `(${anyNull}) OR ` : ''}${changed} OR row_number() OVER (ORDER BY "__seq") = 1`;
  } else if (keepEmpty) {
    select = `SELECT * FROM ${rel.name}\n  QUALIFY (${anyNull}) OR ${rank}`;
  } else {
    select = `SELECT * FROM ${rel.name} WHERE NOT (${anyNull})\n  QUALIFY ${rank}`;
  }
  const out = b.add(select, rel.fields, rel.raw, rel.removed);
  return sortItems.length ? sortRelation(out, b, sortKeys(sortItems, out, b), 0) : out;
};

function countArg(args: Args, fallback: number, what: string): number {
  const limit = args.options.get('limit') ?? args.options.get('count');
  if (limit) return args.int(args.options.has('limit') ? 'limit' : 'count', fallback);
  const words = args.items;
  if (words.length === 0) return fallback;
  const w = words[0]!;
  if (w.kind !== 'word' || !/^\d+$/.test(w.value)) throw args.b.err('bad-argument', `${what} takes a number of results, not ${describe(w)}`, w.span);
  return Number(w.value);
}

const head: CommandCompiler = (cmd, rel, b) => {
  const n = countArg(new Args(generic(cmd, b), b, HEAD_OPTIONS), 10, 'head');
  return b.add(`SELECT * FROM ${rel.name} ORDER BY "__seq" LIMIT ${n}`, rel.fields, rel.raw, rel.removed);
};

const tail: CommandCompiler = (cmd, rel, b) => {
  const n = countArg(new Args(generic(cmd, b), b, TAIL_OPTIONS), 10, 'tail');
  // tail returns the last results in reverse order: the last n are picked on the input's order
  // inside, and only then is the order negated (an ORDER BY beside the REPLACE would read the
  // negated column and keep the first n).
  return b.add(`SELECT * REPLACE (- "__seq" AS "__seq") FROM (SELECT * FROM ${rel.name} ORDER BY "__seq" DESC LIMIT ${n})`, rel.fields, rel.raw, rel.removed);
};

const sort: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, SORT_OPTIONS);
  let items = args.items;
  let limit = args.int('limit', 10000);
  const first = items[0];
  if (first && first.kind === 'word' && /^\d+$/.test(first.value)) {
    limit = Number(first.value);
    items = items.slice(1);
  }
  if (items.length === 0) throw b.err('bad-argument', 'sort needs at least one field', cmd.span);
  return sortRelation(rel, b, sortKeys(items, rel, b), limit);
};

export const FILTERING: CommandSpec[] = [
  {
    name: 'search',
    options: NO_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'Filters events with search syntax: case-insensitive values, `*` wildcards, `AND`/`OR`/`NOT`, `IN`, bare terms against `_raw`, `earliest=`/`latest=`', example: '* | search eventName=Create* errorCode=success' },
    build: search,
  },
  {
    name: 'where',
    options: NO_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'Keeps results whose eval expression is true', example: '* | where errorCode!="success" AND user_type!="AWSService"' },
    build: where,
  },
  {
    name: 'regex',
    options: NO_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'Keeps (`=`) or drops (`!=`) results whose field matches a regular expression (PCRE translated to RE2)', example: '* | regex sourceIPAddress="^\\d+\\.\\d+\\.\\d+\\.\\d+$"' },
    build: regex,
  },
  {
    name: 'dedup',
    options: DEDUP_OPTIONS,
    keywords: ['sortby'],
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'Keeps the first N results for each combination of values (`keepempty`, `consecutive`, `sortby`)', example: '* | dedup 2 user sortby -_time' },
    build: dedup,
  },
  {
    name: 'head',
    options: HEAD_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'The first N results (default 10). Right after the search (only {rowPreserving} between), the engine first finds the N-th newest matching event\'s time and reads only events at least that new; the REPL\'s display cap does the same', example: '* | head 5' },
    build: head,
  },
  {
    name: 'tail',
    options: TAIL_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'The last N results, last first', example: '* | tail 5' },
    build: tail,
  },
  {
    name: 'sort',
    options: SORT_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'Orders results by fields (`-` descending; `num()`, `str()`, `ip()`, `auto()` to choose the comparison; by default numbers first, then IPv4 addresses in address order, then text); keeps the first 10,000 unless given a count (`sort 0` keeps all)', example: '* | sort 20 - _time, user' },
    build: sort,
  },
];
