// Streaming and ordering commands: search, where, eval, table, fields, rename, head, tail,
// sort, dedup, fillnull, regex, rex, spath, mvexpand, makemv, convert, bin, addtotals,
// makeresults.
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { Args, argText, describe, fieldList } from '../args.js';
import { exclude, made, withFields, type Builder } from '../builder.js';
import { eventColumn } from '../cloudtrail-schema.js';
import { coalesceFalse, fieldType, toBool, toNumber, toString } from '../build/coerce.js';
import { compileExpr, fieldRef, fieldsOf } from '../expr.js';
import { originalName, preserveOriginals } from '../fields.js';
import { call, caseOf, column, int, lit, nullOf, type Expr } from '../ir/expr.js';
import { CONVERT_FUNCTIONS, convertFunction, DEFAULT_TIME_FORMAT } from '../library/convert-functions.js';
import { extractPath } from '../library/eval-call.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { translateRegex, type RegexError } from '../regex.js';
import { compileSearchExpr } from '../search.js';
import { dbl, ident, str } from '../sql.js';
import { monthBin, parseSpan } from '../time.js';
import type { Compiled, FieldInfo, Relation } from '../types.js';

type Generic = Extract<Command, { kind: 'generic' }>;
export type CommandCompiler = (cmd: Command, rel: Relation, b: Builder) => Relation;

export function generic(cmd: Command, b: Builder): Generic {
  if (cmd.kind !== 'generic') throw b.err('syntax', `unexpected use of ${cmd.name}`, cmd.span);
  return cmd;
}

/** True when a column of this name physically exists in the relation. */
export function hasColumn(rel: Relation, name: string): boolean {
  return rel.fields.has(name) || (rel.raw && eventColumn(name) !== undefined);
}

/** Add or replace columns: `SELECT * REPLACE (...), new AS x FROM rel`. */
export function assign(rel: Relation, b: Builder, values: [string, Compiled][], opts: { where?: string } = {}): Relation {
  const replace: string[] = [];
  const add: string[] = [];
  const seen = new Set<string>();
  const fields: [string, FieldInfo][] = [];
  for (const [name, info] of preserveOriginals(rel, values.map(([n]) => n))) {
    add.push(`${ident(name)} AS ${ident(originalName(name))}`);
    fields.push([originalName(name), info]);
  }
  for (const [name, c] of values) {
    if (seen.has(name)) continue;
    seen.add(name);
    const column = `${sql(c)} AS ${ident(name)}`;
    if (hasColumn(rel, name)) replace.push(column);
    else add.push(column);
    fields.push([name, made(fieldType(c.type))]);
  }
  const star = `*${replace.length ? ` REPLACE (${replace.join(', ')})` : ''}`;
  const removed = new Set([...rel.removed].filter((r) => !seen.has(r)));
  return b.add(`SELECT ${[star, ...add].join(', ')} FROM ${rel.name}${opts.where ? ` WHERE ${opts.where}` : ''}`, withFields(rel, fields), rel.raw, removed);
}

/** Keep only the given expressions (and `__seq`): the relation loses the raw event columns. */
export function project(rel: Relation, b: Builder, values: [string, Compiled, FieldInfo?][], keepRaw: string[] = []): Relation {
  const select: string[] = [];
  const fields = new Map<string, FieldInfo>();
  for (const [name, c, info] of values) {
    if (fields.has(name)) continue;
    select.push(`${sql(c)} AS ${ident(name)}`);
    fields.set(name, info ?? made(fieldType(c.type)));
  }
  for (const name of keepRaw) {
    if (fields.has(name) || !hasColumn(rel, name)) continue;
    select.push(ident(name));
    fields.set(name, { type: name === '_time' ? 'number' : 'string', origin: 'event' });
  }
  select.push('"__seq"');
  fields.set('__seq', { type: 'number', origin: 'event' });
  return b.add(`SELECT ${select.join(', ')} FROM ${rel.name}`, fields, false);
}

/** Names of the relation's fields matching a Splunk wildcard pattern, in field order. */
export function matchingFields(rel: Relation, pattern: string, includeEvent = true): string[] {
  const re = wildcardRegex(pattern);
  return [...rel.fields]
    .filter(([name, info]) => !name.startsWith('__') && (includeEvent || info.origin === 'made') && re.test(name))
    .map(([name]) => name);
}

export function wildcardRegex(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*)') + '$');
}

const search: CommandCompiler = (cmd, rel, b) => {
  if (cmd.kind !== 'search' || !cmd.expr) return rel;
  return b.add(`SELECT * FROM ${rel.name} WHERE ${sql(compileSearchExpr(cmd.expr, rel, b))}`, rel.fields, rel.raw, rel.removed);
};

const where: CommandCompiler = (cmd, rel, b) => {
  if (cmd.kind !== 'where') return generic(cmd, b) && rel;
  const cond = compileExpr(cmd.expr, { rel, b });
  return b.add(`SELECT * FROM ${rel.name} WHERE ${sql(coalesceFalse(toBool(cond)))}`, rel.fields, rel.raw, rel.removed);
};

const evalCommand: CommandCompiler = (cmd, rel, b) => {
  if (cmd.kind !== 'eval') return generic(cmd, b) && rel;
  let current = rel;
  let locals = new Map<string, Compiled>();
  let values: [string, Compiled][] = [];
  for (const a of cmd.assignments) {
    // Later assignments see earlier ones, as Splunk evaluates them left to right. One that reads
    // a field set earlier in this eval starts a new stage, so each expression is written once
    // instead of being pasted into every later one (which grew the SQL exponentially).
    if (fieldsOf(a.expr).some((f) => locals.has(f))) {
      current = assign(current, b, values);
      locals = new Map();
      values = [];
    }
    const c = compileExpr(a.expr, { rel: current, b, locals });
    locals.set(a.field, c);
    const i = values.findIndex(([n]) => n === a.field);
    if (i >= 0) values.splice(i, 1);
    values.push([a.field, c]);
  }
  return assign(current, b, values);
};

/** Expand `a*`-style names against the relation; plain names pass through. */
function expandNames(rel: Relation, names: string[], includeEvent: boolean): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (n.includes('*')) out.push(...matchingFields(rel, n, includeEvent));
    else out.push(n);
  }
  return [...new Set(out)];
}

const table: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b);
  const names = expandNames(rel, args.words().map((w) => w.value), true);
  return project(rel, b, names.map((n) => [n, fieldRef(n, { rel, b })]));
};

const fields: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const items = g.args.filter((a) => a.kind !== 'comma');
  let mode: '+' | '-' = '+';
  let words = items;
  const first = items[0];
  if (first && first.kind === 'word' && (first.value === '-' || first.value === '+')) {
    mode = first.value;
    words = items.slice(1);
  } else if (first && first.kind === 'word' && /^[-+]\S/.test(first.value) && !first.quoted) {
    mode = first.value[0] as '+' | '-';
    words = [{ ...first, value: first.value.slice(1) }, ...items.slice(1)];
  }
  const names = words.map((w) => {
    if (w.kind !== 'word') throw b.err('bad-argument', `expected a field name, found ${describe(w)}`, w.span);
    return w.value;
  });
  if (mode === '+') {
    const keep = expandNames(rel, names, true);
    return project(rel, b, keep.map((n) => [n, fieldRef(n, { rel, b })]), ['_time', '_raw']);
  }
  const drop = expandNames(rel, names, true);
  const present = drop.filter((n) => hasColumn(rel, n) && n !== '__seq');
  const removed = new Set([...rel.removed, ...drop]);
  const kept = preserveOriginals(rel, present);
  const originals = kept.map(([n]) => `, ${ident(n)} AS ${ident(originalName(n))}`).join('');
  const fieldsAfter = withFields(rel, kept.map(([n, info]) => [originalName(n), info]), drop);
  return b.add(`SELECT *${exclude(present)}${originals} FROM ${rel.name}`, fieldsAfter, rel.raw, removed);
};

/** rename pairs: `a as b`, with wildcards (`userIdentity.* as ui_*`), commas optional. */
/** The field map with `from` renamed to `to` in its place (Splunk keeps a renamed column where it was). */
function renamedFields(fields: Map<string, FieldInfo>, from: string, to: string, info: FieldInfo): Map<string, FieldInfo> {
  if (!fields.has(from)) return new Map([...[...fields].filter(([n]) => n !== to), [to, info]]);
  const out = new Map<string, FieldInfo>();
  for (const [n, f] of fields) {
    if (n === to) continue;
    if (n === from) out.set(to, info);
    else out.set(n, f);
  }
  return out;
}

const rename: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b);
  const pairs = fieldList(args.items, b, 'rename');
  const renames: [string, string][] = [];
  for (const p of pairs) {
    if (!p.as) throw b.err('bad-argument', `rename needs "${p.name} as <new name>"`, p.span);
    if (p.name.includes('*')) {
      const re = wildcardRegex(p.name);
      for (const name of matchingFields(rel, p.name)) {
        const m = re.exec(name)!;
        let i = 1;
        renames.push([name, p.as.replace(/\*/g, () => m[i++] ?? '')]);
      }
    } else {
      renames.push([p.name, p.as]);
    }
  }
  let current = rel;
  for (const [from, to] of renames) {
    if (from === to) continue;
    const value = fieldRef(from, { rel: current, b });
    const drop = [from, to].filter((n) => hasColumn(current, n) && n !== '__seq');
    const kept = preserveOriginals(current, drop);
    const fieldsAfter = renamedFields(current.fields, from, to, made(fieldType(value.type)));
    for (const [n, info] of kept) fieldsAfter.set(originalName(n), info);
    const removed = new Set([...current.removed, from].filter((n) => n !== to));
    const originals = kept.map(([n]) => `, ${ident(n)} AS ${ident(originalName(n))}`).join('');
    current = b.add(`SELECT *${exclude(drop)}${originals}, ${sql(value)} AS ${ident(to)} FROM ${current.name}`, fieldsAfter, current.raw, removed);
  }
  return current;
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
  const n = countArg(new Args(generic(cmd, b), b, ['limit', 'count', 'null', 'keeplast']), 10, 'head');
  return b.add(`SELECT * FROM ${rel.name} ORDER BY "__seq" LIMIT ${n}`, rel.fields, rel.raw, rel.removed);
};

const tail: CommandCompiler = (cmd, rel, b) => {
  const n = countArg(new Args(generic(cmd, b), b, ['limit', 'count']), 10, 'tail');
  // tail returns the last results in reverse order: negating the order does both at once.
  return b.add(`SELECT * REPLACE (- "__seq" AS "__seq") FROM ${rel.name} ORDER BY "__seq" DESC LIMIT ${n}`, rel.fields, rel.raw, rel.removed);
};

/** ORDER BY terms for Splunk's sort: numbers numerically (before strings), strings lexically. */
export function sortTerms(c: Compiled, desc: boolean, mode: 'auto' | 'num' | 'str' = 'auto', mayBeMissing = false): string[] {
  const dir = desc ? 'DESC' : 'ASC';
  if (c.type === 'number' || mode === 'num') return [`${sql(toNumber(c))} ${dir} NULLS LAST`];
  const s = sql(toString(c));
  if (mode === 'str') return [`${s} ${dir} NULLS LAST`];
  // Numbers before strings ascending, after them descending. Events without the field go last
  // in both directions (Splunk: "smallest possible value if descending, largest if
  // ascending"), which the numeric key alone would get wrong when descending.
  const missing = mayBeMissing && desc ? [`(${s} IS NULL)`] : [];
  return [...missing, `TRY_CAST(${s} AS DOUBLE) ${dir} NULLS ${desc ? 'FIRST' : 'LAST'}`, `${s} ${dir} NULLS LAST`];
}

export function sortKeys(items: Arg[], rel: Relation, b: Builder): string[] {
  const terms: string[] = [];
  let pendingSign: string | null = null;
  // A trailing `d`/`desc` reverses every key.
  const last = items[items.length - 1];
  const reverseAll = items.length > 1 && last?.kind === 'word' && !last.quoted && /^(desc|d)$/i.test(last.value);
  (reverseAll ? items.slice(0, -1) : items).forEach((a) => {
    if (a.kind === 'word' && !a.quoted && (a.value === '-' || a.value === '+')) {
      pendingSign = a.value;
      return;
    }
    let name: string;
    let mode: 'auto' | 'num' | 'str' = 'auto';
    let sign = pendingSign ?? '+';
    pendingSign = null;
    if (a.kind === 'call' && /^(num|str|auto|ip)$/i.test(a.name) && a.args.length === 1 && a.args[0]!.kind === 'word') {
      mode = a.name.toLowerCase() === 'num' ? 'num' : a.name.toLowerCase() === 'str' ? 'str' : 'auto';
      name = (a.args[0] as { value: string }).value;
    } else if (a.kind === 'word') {
      name = a.value;
    } else {
      throw b.err('bad-argument', `expected a field to sort by, found ${describe(a)}`, a.span);
    }
    if (!(a.kind === 'word' && a.quoted) && (name.startsWith('-') || name.startsWith('+'))) {
      sign = name[0]!;
      name = name.slice(1);
    }
    terms.push(...sortTerms(fieldRef(name, { rel, b }), (sign === '-') !== reverseAll, mode, true));
  });
  return terms;
}

export function sortRelation(rel: Relation, b: Builder, terms: string[], limit: number): Relation {
  const order = [...terms, '"__seq"'].join(', ');
  const qualify = limit > 0 ? `\n  QUALIFY row_number() OVER (ORDER BY ${order}) <= ${limit}` : '';
  return b.add(`SELECT * REPLACE (row_number() OVER (ORDER BY ${order}) AS "__seq") FROM ${rel.name}${qualify}`, rel.fields, rel.raw, rel.removed);
}

const sort: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['limit']);
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

const dedup: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['keepempty', 'consecutive', 'keepevents']);
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

const fillnull: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['value']);
  const value = args.option('value') ?? '0';
  let names = args.words().map((w) => w.value);
  if (names.length === 0) names = [...rel.fields].filter(([n, f]) => !n.startsWith('__') && f.origin === 'made').map(([n]) => n);
  names = expandNames(rel, names, true);
  const isNumber = /^-?\d+(\.\d+)?$/.test(value);
  return assign(rel, b, names.map((n) => {
    const c = fieldRef(n, { rel, b });
    if (c.type === 'number' && isNumber) return [n, call('coalesce', [c, int(Number(value))], 'number')];
    if (c.type === 'mv') return [n, call('coalesce', [c, call('list', [lit(value)], 'mv')], 'mv')];
    return [n, call('coalesce', [toString(c), lit(value)], 'string')];
  }));
};

function regexOrFail(b: Builder, pattern: string, span: Span) {
  try {
    return translateRegex(pattern);
  } catch (err) {
    throw b.err('bad-regex', `invalid regular expression: ${(err as RegexError).message}`, span);
  }
}

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

const rex: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['field', 'max_match', 'mode', 'offset_field']);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'rex takes one quoted regular expression', words[1]?.span ?? cmd.span);
  const field = args.option('field') ?? '_raw';
  const source = fieldRef(field, { rel, b });
  const text = toString(source);
  if ((args.option('mode') ?? '').toLowerCase() === 'sed') return rexSed(rel, b, field, source, words[0]!.value, words[0]!.span);
  const re = regexOrFail(b, words[0]!.value, words[0]!.span);
  const maxMatch = args.int('max_match', 1);
  const named = re.groups.map((name, i) => [name, i + 1] as const).filter(([name]) => name !== null) as [string, number][];
  if (named.length === 0) throw b.err('bad-argument', 'rex needs at least one named group such as (?<user>[^/]+)', words[0]!.span);
  const pat = lit(re.pattern);
  const values: [string, Compiled][] = named.map(([name, index]) => {
    if (maxMatch === 1) {
      // No match leaves the field as it was, as in Splunk.
      const previous = fieldRef(name, { rel, b });
      const keep = previous.type === 'unknown' ? nullOf('string') : toString(previous);
      return [name, b.vars.share(text, (t) => caseOf([{ when: call('regexp_matches', [t, pat], 'bool'), then: call('regexp_extract', [t, pat, int(index)], 'string') }], keep, 'string'))];
    }
    const all = call('regexp_extract_all', [text, pat, int(index)], 'mv');
    return [name, call('null_if_empty', [maxMatch === 0 ? all : call('list_slice', [all, int(1), int(maxMatch)], 'mv')], 'mv')];
  });
  return assign(rel, b, values);
};

function rexSed(rel: Relation, b: Builder, field: string, source: Compiled, expr: string, span: Span): Relation {
  const m = /^([sy])(.)(.*)$/s.exec(expr);
  if (!m) throw b.err('bad-argument', 'mode=sed takes "s/regex/replacement/flags" or "y/from/to/"', span);
  const [, kind, delim, rest] = m;
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < rest!.length; i++) {
    const ch = rest![i]!;
    if (ch === '\\' && rest![i + 1] === delim) { cur += delim; i++; continue; }
    if (ch === delim) { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  parts.push(cur);
  if (parts.length < 2) throw b.err('bad-argument', `incomplete sed expression ${JSON.stringify(expr)}`, span);
  const text = toString(source);
  if (kind === 'y') return assign(rel, b, [[field, call('translate', [text, lit(parts[0]!), lit(parts[1]!)], 'string')]]);
  const re = regexOrFail(b, parts[0]!, span);
  const flags = parts[2] ?? '';
  const replacement = parts[1]!.replace(/\$(\d)/g, '\\$1');
  const mode = (flags.includes('g') ? 'g' : '') + (flags.includes('i') ? 'i' : '');
  return assign(rel, b, [[field, call('regexp_replace', [text, lit(re.pattern), lit(replacement), lit(mode)], 'string')]]);
}

const spath: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['input', 'output', 'path']);
  const words = args.words();
  const path = args.option('path') ?? words[0]?.value;
  const input = args.option('input') ?? '_raw';
  // Without a path, spath extracts every field; loaded events already expose every path.
  if (!path) return rel;
  const output = args.option('output') ?? path;
  const source = input === '_raw' && rel.raw ? column('_raw', 'string') : fieldRef(input, { rel, b });
  return assign(rel, b, [[output, extractPath(toString(source), path)]]);
};

const mvexpand: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['limit']);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'mvexpand takes one field', cmd.span);
  const name = words[0]!.value;
  const c = fieldRef(name, { rel, b });
  if (c.type !== 'mv') return rel;
  const limit = args.int('limit', 0);
  const list = sql(limit > 0 ? call('list_slice', [c, int(1), int(limit)], 'mv') : c);
  // Each value becomes its own row, in the original row's place.
  const replaced = hasColumn(rel, name) ? ` EXCLUDE (${ident(name)})` : '';
  const expanded = b.add(
    `SELECT *${replaced}, unnest(${list}) AS ${ident(name)}, generate_subscripts(${list}, 1) AS "__sub" FROM ${rel.name}`,
    withFields(rel, [[name, made('string')]]),
    rel.raw,
    rel.removed,
  );
  return b.add(`SELECT * EXCLUDE ("__sub") REPLACE (row_number() OVER (ORDER BY "__seq", "__sub") AS "__seq") FROM ${expanded.name}`, expanded.fields, rel.raw, rel.removed);
};

const makemv: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['delim', 'tokenizer', 'allowempty', 'setsv']);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'makemv takes one field', cmd.span);
  const name = words[0]!.value;
  const text = toString(fieldRef(name, { rel, b }));
  const tokenizer = args.option('tokenizer');
  let list: Expr;
  if (tokenizer) {
    const re = regexOrFail(b, tokenizer, args.options.get('tokenizer')!.span);
    list = call('regexp_extract_all', [text, lit(re.pattern), int(re.groups.length > 0 ? 1 : 0)], 'mv');
  } else {
    list = call('string_split', [text, lit(args.option('delim') ?? ' ')], 'mv');
    if (!args.bool('allowempty', false)) list = call('list_filter', [list, b.vars.lambda('string', (v) => call('ne', [v, lit('')], 'bool'))], 'mv');
  }
  // A null text stays null (string_split would give an empty list).
  return assign(rel, b, [[name, caseOf([{ when: call('is_null', [text], 'bool'), then: nullOf('mv') }], list, 'mv')]]);
};

const convert: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['timeformat']);
  const format = args.option('timeformat') ?? DEFAULT_TIME_FORMAT;
  const values: [string, Compiled][] = [];
  const items = args.items;
  for (let i = 0; i < items.length; i++) {
    const a = items[i]!;
    if (a.kind !== 'call' || a.args.length !== 1 || a.args[0]!.kind !== 'word') throw b.err('bad-argument', `convert takes functions such as ctime(field), found ${describe(a)}`, a.span);
    const field = (a.args[0] as { value: string }).value;
    let target = field;
    const next = items[i + 1];
    if (next && next.kind === 'word' && next.value.toLowerCase() === 'as') {
      const t = items[i + 2];
      if (!t || t.kind !== 'word') throw b.err('bad-argument', 'expected a name after "as"', next.span);
      target = t.value;
      i += 2;
    }
    const fn = a.name.toLowerCase();
    if (fn === 'none') continue;
    const def = convertFunction(fn);
    if (!def) throw b.err('bad-argument', `convert does not support ${fn}() yet (${CONVERT_FUNCTIONS.map((f) => f.name).join(', ')}, none are supported)`, a.span);
    values.push([target, def.build(fieldRef(field, { rel, b }), format, b.vars)]);
  }
  return assign(rel, b, values);
};

const bin: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['span', 'bins', 'minspan', 'start', 'end', 'aligntime']);
  const list = fieldList(args.items, b, 'bin');
  if (list.length !== 1) throw b.err('bad-argument', 'bin takes one field (optionally "as new_name")', cmd.span);
  const { name, as } = list[0]!;
  const c = fieldRef(name, { rel, b });
  const spanText = args.option('span');
  const isTime = name === '_time';
  const floorTo = (seconds: number) => call('mul', [call('floor', [call('div', [toNumber(c), int(seconds)], 'number')], 'number'), int(seconds)], 'number');
  let value: Expr;
  if (spanText) {
    const span = parseSpan(spanText);
    if (!span) throw b.err('bad-argument', `cannot read span=${spanText}`, args.options.get('span')!.span, ['examples: span=1h, span=30m, span=1d, span=10']);
    value = span.months ? monthBin(toNumber(c), span.months, b.vars) : floorTo(span.seconds!);
  } else if (isTime) {
    value = floorTo(3600);
  } else {
    throw b.err('bad-argument', 'bin on a number needs span=', cmd.span);
  }
  return assign(rel, b, [[as ?? name, value]]);
};

const addtotals: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ['row', 'col', 'fieldname', 'labelfield', 'label']);
  let names = args.words().map((w) => w.value);
  if (names.length === 0) names = [...rel.fields].filter(([n, f]) => !n.startsWith('__') && f.origin === 'made').map(([n]) => n);
  names = expandNames(rel, names, false);
  const total = args.option('fieldname') ?? 'Total';
  let out = rel;
  if (args.bool('row', true)) {
    const parts = names.filter((n) => n !== total).map((n) => call('coalesce', [toNumber(fieldRef(n, { rel, b })), int(0)], 'number'));
    const sum = parts.length ? parts.reduce((x, y) => call('add', [x, y], 'number')) : int(0);
    out = assign(rel, b, [[total, { ...sum, type: 'number' }]]);
  }
  if (args.bool('col', false)) {
    const label = args.option('labelfield');
    const sums = [...out.fields].filter(([n]) => !n.startsWith('__')).map(([n, f]) => {
      if (label && n === label) return `${str(args.option('label') ?? 'Total')} AS ${ident(n)}`;
      if (f.origin === 'made' && (f.type === 'number' || names.includes(n) || n === total)) return `sum(${sql(toNumber(column(n, f.type)))}) AS ${ident(n)}`;
      return `NULL AS ${ident(n)}`;
    });
    const last = b.add(`SELECT ${sums.join(', ')}, max("__seq") + 1 AS "__seq" FROM ${out.name}`, out.fields, false);
    const fieldsUnion = new Map(out.fields);
    out = b.add(`SELECT * FROM ${out.name} UNION ALL BY NAME SELECT * FROM ${last.name}`, fieldsUnion, false);
  }
  return out;
};

const makeresults: CommandCompiler = (cmd, _rel, b) => {
  const args = new Args(generic(cmd, b), b, ['count', 'annotate', 'splunk_server', 'splunk_server_group']);
  const n = args.int('count', 1);
  const fields = new Map<string, FieldInfo>([['_time', made('number')], ['__seq', { type: 'number', origin: 'event' }]]);
  return b.add(`SELECT ${dbl(b.options.now)} AS "_time", range + 1 AS "__seq" FROM range(${n})`, fields, false);
};

export const BASIC: Record<string, CommandCompiler> = {
  search,
  where,
  eval: evalCommand,
  table,
  fields,
  rename,
  head,
  tail,
  sort,
  dedup,
  fillnull,
  regex,
  rex,
  spath,
  mvexpand,
  makemv,
  convert,
  bin,
  bucket: bin,
  addtotals,
  makeresults,
};

