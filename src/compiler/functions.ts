// eval functions: one table from SPL name to a template over compiled arguments.
import type { Expr } from '../../grammar/ast.js';
import { parse } from '../../grammar/parser.js';
import { asBool, asList, asNumber, asString, coerce, compare, compileExpr, fieldsOf, unify, type ExprScope } from './expr.js';
import { pathSegments } from './fields.js';
import { translateRegex, RegexError } from './regex.js';
import { likeMatch } from './patterns.js';
import { compileSearchExpr } from './search.js';
import { dbl, jsonPath, str } from './sql.js';
import { applyRelative, parseRelative, relativeSql, timestampSql } from './time.js';
import type { Compiled } from './types.js';
import { nearest } from './suggest.js';

type Call = Extract<Expr, { kind: 'call' }>;

interface FunctionDef {
  min: number;
  max: number;
  compile: (call: Call, scope: ExprScope, args: () => Compiled[]) => Compiled;
}

const s = (sql: string): Compiled => ({ sql, type: 'string' });
const n = (sql: string): Compiled => ({ sql, type: 'number' });
const b = (sql: string): Compiled => ({ sql, type: 'bool' });
const mv = (sql: string): Compiled => ({ sql, type: 'mv' });

/** A regex argument: literals are translated and checked here; others are used as they are. */
function regexArg(e: Expr, scope: ExprScope): string {
  if (e.kind === 'str') {
    try {
      return str(translateRegex(e.value).pattern);
    } catch (err) {
      throw scope.b.err('bad-regex', `invalid regular expression: ${(err as RegexError).message}`, e.span);
    }
  }
  return asString(compileExpr(e, scope));
}

function literalString(e: Expr | undefined): string | undefined {
  return e && e.kind === 'str' ? e.value : undefined;
}

/** Splunk strftime/strptime directives that DuckDB spells differently. */
function timeFormat(fmt: string): string {
  return fmt
    .replace(/%F/g, '%Y-%m-%d')
    .replace(/%T/g, '%H:%M:%S')
    .replace(/%3N|%Q/g, '%g')
    .replace(/%6N/g, '%f')
    .replace(/%9N|%N/g, '%n')
    .replace(/%k/g, '%-H')
    .replace(/%s/g, '%s');
}

function formatArg(e: Expr, scope: ExprScope): string {
  const lit = literalString(e);
  return lit !== undefined ? str(timeFormat(lit)) : asString(compileExpr(e, scope));
}

function nullIfEmptyList(sql: string): string {
  return `CASE WHEN len(${sql}) = 0 THEN NULL ELSE ${sql} END`;
}

const FUNCTIONS: Record<string, FunctionDef> = {
  if: {
    min: 3, max: 3,
    compile: (c, scope) => {
      const [cond, a, bb] = c.args.map((x) => compileExpr(x, scope)) as [Compiled, Compiled, Compiled];
      const type = unify([a, bb]);
      return { sql: `CASE WHEN ${asBool(cond)} THEN ${coerce(a, type)} ELSE ${coerce(bb, type)} END`, type };
    },
  },
  case: {
    min: 2, max: 200,
    compile: (c, scope) => {
      if (c.args.length % 2 !== 0) throw scope.b.err('bad-argument', 'case() takes condition, value pairs', c.span);
      const pairs: [Compiled, Compiled][] = [];
      for (let i = 0; i < c.args.length; i += 2) pairs.push([compileExpr(c.args[i]!, scope), compileExpr(c.args[i + 1]!, scope)]);
      const type = unify(pairs.map((p) => p[1]));
      return { sql: `CASE ${pairs.map(([cond, v]) => `WHEN ${asBool(cond)} THEN ${coerce(v, type)}`).join(' ')} END`, type };
    },
  },
  coalesce: {
    min: 1, max: 100,
    compile: (_c, _scope, args) => {
      const items = args();
      const type = unify(items);
      return { sql: `coalesce(${items.map((i) => coerce(i, type)).join(', ')})`, type };
    },
  },
  nullif: { min: 2, max: 2, compile: (_c, scope, args) => { const [a, bb] = args() as [Compiled, Compiled]; return { sql: `CASE WHEN ${compare('=', a, bb, scope.b)} THEN NULL ELSE ${a.sql} END`, type: a.type }; } },
  null: { min: 0, max: 0, compile: () => ({ sql: 'NULL', type: 'unknown' }) },
  true: { min: 0, max: 0, compile: () => b('true') },
  false: { min: 0, max: 0, compile: () => b('false') },
  isnull: { min: 1, max: 1, compile: (_c, _s, args) => b(`(${args()[0]!.sql} IS NULL)`) },
  isnotnull: { min: 1, max: 1, compile: (_c, _s, args) => b(`(${args()[0]!.sql} IS NOT NULL)`) },
  isnum: { min: 1, max: 1, compile: (_c, _s, args) => b(`(${asNumber(args()[0]!)} IS NOT NULL)`) },
  isint: { min: 1, max: 1, compile: (_c, _s, args) => { const x = asNumber(args()[0]!); return b(`coalesce(${x} = trunc(${x}), false)`); } },
  isstr: {
    min: 1, max: 1,
    compile: (_c, _s, args) => {
      const a = args()[0]!;
      if (a.type === 'string') return b(`(${a.sql} IS NOT NULL AND TRY_CAST(${a.sql} AS DOUBLE) IS NULL)`);
      return b('false');
    },
  },
  isbool: { min: 1, max: 1, compile: (_c, _s, args) => b(args()[0]!.type === 'bool' ? 'true' : 'false') },
  typeof: {
    min: 1, max: 1,
    compile: (_c, _s, args) => {
      const a = args()[0]!;
      switch (a.type) {
        case 'number': return s(`CASE WHEN ${a.sql} IS NULL THEN 'Invalid' ELSE 'Number' END`);
        case 'bool': return s(`CASE WHEN ${a.sql} IS NULL THEN 'Invalid' ELSE 'Boolean' END`);
        case 'mv': return s(`CASE WHEN ${a.sql} IS NULL THEN 'Invalid' ELSE 'Multivalue' END`);
        case 'string': return s(`CASE WHEN ${a.sql} IS NULL THEN 'Invalid' WHEN TRY_CAST(${a.sql} AS DOUBLE) IS NOT NULL THEN 'Number' ELSE 'String' END`);
        default: return s(`'Invalid'`);
      }
    },
  },
  like: { min: 2, max: 2, compile: (c, scope) => b(likeMatch(asString(compileExpr(c.args[0]!, scope)), asString(compileExpr(c.args[1]!, scope)), literalString(c.args[1]))) },
  match: {
    min: 2, max: 2,
    compile: (c, scope) => {
      const subject = compileExpr(c.args[0]!, scope);
      const re = regexArg(c.args[1]!, scope);
      if (subject.type === 'mv') { const v = scope.b.lambdaVar(); return b(`list_bool_or(list_transform(${subject.sql}, ${v} -> regexp_matches(${v}, ${re})))`); }
      return b(`regexp_matches(${asString(subject)}, ${re})`);
    },
  },
  searchmatch: {
    min: 1, max: 1,
    compile: (c, scope) => {
      const text = literalString(c.args[0]);
      if (text === undefined) throw scope.b.err('bad-argument', 'searchmatch() needs a quoted search string', c.span);
      const parsed = parse(text);
      const command = parsed.pipeline?.commands[0];
      if (!parsed.pipeline || parsed.pipeline.commands.length !== 1 || command?.kind !== 'search') {
        throw scope.b.err('bad-argument', `searchmatch() could not read ${JSON.stringify(text)} as a search`, c.args[0]!.span);
      }
      return b(command.expr ? compileSearchExpr(command.expr, scope.rel, scope.b, scope.locals) : 'true');
    },
  },
  lower: { min: 1, max: 1, compile: (_c, scope, args) => mapString(scope, args()[0]!, (x) => `lower(${x})`) },
  upper: { min: 1, max: 1, compile: (_c, scope, args) => mapString(scope, args()[0]!, (x) => `upper(${x})`) },
  len: { min: 1, max: 1, compile: (_c, _s, args) => n(`length(${asString(args()[0]!)})`) },
  substr: {
    min: 2, max: 3,
    compile: (_c, _s, args) => {
      const [x, start, len] = args() as [Compiled, Compiled, Compiled?];
      const st = `CAST(${asNumber(start)} AS BIGINT)`;
      // Splunk counts from 1; a negative start counts back from the end.
      const startSql = `CASE WHEN ${st} < 0 THEN length(${asString(x)}) + ${st} + 1 WHEN ${st} = 0 THEN 1 ELSE ${st} END`;
      return s(len ? `substring(${asString(x)}, ${startSql}, CAST(${asNumber(len)} AS BIGINT))` : `substring(${asString(x)}, ${startSql})`);
    },
  },
  replace: {
    min: 3, max: 3,
    compile: (c, scope) => {
      const x = compileExpr(c.args[0]!, scope);
      const re = regexArg(c.args[1]!, scope);
      const repl = asString(compileExpr(c.args[2]!, scope));
      return mapString(scope, x, (v) => `regexp_replace(${v}, ${re}, ${repl}, 'g')`);
    },
  },
  trim: { min: 1, max: 2, compile: (_c, _s, args) => trimLike('trim', args()) },
  ltrim: { min: 1, max: 2, compile: (_c, _s, args) => trimLike('ltrim', args()) },
  rtrim: { min: 1, max: 2, compile: (_c, _s, args) => trimLike('rtrim', args()) },
  split: {
    min: 2, max: 2,
    compile: (_c, _s, args) => {
      const [x, d] = args() as [Compiled, Compiled];
      return mv(`CASE WHEN ${asString(d)} = '' THEN string_split(${asString(x)}, '') ELSE string_split(${asString(x)}, ${asString(d)}) END`);
    },
  },
  mvindex: {
    min: 2, max: 3,
    compile: (_c, _s, args) => {
      const [x, start, end] = args() as [Compiled, Compiled, Compiled?];
      const list = asList(x);
      const idx = (e: Compiled) => `(CASE WHEN CAST(${asNumber(e)} AS BIGINT) < 0 THEN CAST(${asNumber(e)} AS BIGINT) ELSE CAST(${asNumber(e)} AS BIGINT) + 1 END)`;
      if (!end) return s(`(${list})[${idx(start)}]`);
      return mv(nullIfEmptyList(`list_slice(${list}, ${idx(start)}, ${idx(end)})`));
    },
  },
  mvcount: { min: 1, max: 1, compile: (_c, _s, args) => n(`len(${asList(args()[0]!)})`) },
  mvjoin: { min: 2, max: 2, compile: (_c, _s, args) => { const [x, d] = args() as [Compiled, Compiled]; return s(`array_to_string(${asList(x)}, ${asString(d)})`); } },
  mvappend: {
    min: 1, max: 100,
    compile: (_c, _s, args) => {
      const lists = args().map((a) => `coalesce(${asList(a)}, [])`);
      return mv(nullIfEmptyList(`flatten([${lists.join(', ')}])`));
    },
  },
  mvdedup: {
    min: 1, max: 1,
    compile: (_c, scope, args) => {
      const l = asList(args()[0]!);
      const [v, i] = [scope.b.lambdaVar(), scope.b.lambdaVar()];
      return mv(`list_filter(${l}, (${v}, ${i}) -> list_position(${l}, ${v}) = ${i})`);
    },
  },
  mvsort: { min: 1, max: 1, compile: (_c, _s, args) => mv(`list_sort(${asList(args()[0]!)})`) },
  mvfind: {
    min: 2, max: 2,
    compile: (c, scope) => {
      const l = asList(compileExpr(c.args[0]!, scope));
      const re = regexArg(c.args[1]!, scope);
      const v = scope.b.lambdaVar();
      return n(`(list_position(list_transform(${l}, ${v} -> regexp_matches(${v}, ${re})), true) - 1)`);
    },
  },
  mvfilter: {
    min: 1, max: 1,
    compile: (c, scope) => {
      const names = [...new Set(fieldsOf(c.args[0]!))];
      if (names.length !== 1) throw scope.b.err('bad-argument', 'mvfilter() must refer to exactly one field', c.span);
      const field = compileExpr({ kind: 'field', name: names[0]!, span: c.span }, scope);
      const locals = new Map(scope.locals ?? []);
      const v = scope.b.lambdaVar();
      locals.set(names[0]!, { sql: v, type: 'string' });
      const cond = asBool(compileExpr(c.args[0]!, { ...scope, locals }));
      return mv(nullIfEmptyList(`list_filter(${asList(field)}, ${v} -> coalesce(${cond}, false))`));
    },
  },
  // Splunk's mvmap: the first argument (a field) names each value in turn inside the expression;
  // null results are dropped, which makes it the idiom for filtering by another field.
  mvmap: {
    min: 2, max: 2,
    compile: (c, scope) => {
      const target = c.args[0]!;
      if (target.kind !== 'field') throw scope.b.err('bad-argument', 'mvmap() takes a field as its first argument', target.span);
      const field = compileExpr(target, scope);
      const locals = new Map(scope.locals ?? []);
      const v = scope.b.lambdaVar();
      locals.set(target.name, { sql: v, type: 'string' });
      const value = compileExpr(c.args[1]!, { ...scope, locals });
      // A multivalue result contributes all its values, not only its first.
      const mapped = value.type === 'mv'
        ? `flatten(list_transform(${asList(field)}, ${v} -> coalesce(${value.sql}, [])))`
        : `list_transform(${asList(field)}, ${v} -> ${asString(value)})`;
      const m = scope.b.lambdaVar();
      return mv(nullIfEmptyList(`list_filter(${mapped}, ${m} -> ${m} IS NOT NULL)`));
    },
  },
  mvzip: {
    min: 2, max: 3,
    compile: (_c, scope, args) => {
      const [x, y, d] = args() as [Compiled, Compiled, Compiled?];
      const lx = asList(x);
      const ly = asList(y);
      const delim = d ? asString(d) : "','";
      const i = scope.b.lambdaVar();
      return mv(`list_transform(range(1, least(len(${lx}), len(${ly})) + 1), ${i} -> ${lx}[${i}] || ${delim} || ${ly}[${i}])`);
    },
  },
  mvrange: {
    min: 2, max: 3,
    compile: (_c, _s, args) => {
      const [start, end, step] = args() as [Compiled, Compiled, Compiled?];
      return mv(`list_transform(range(CAST(${asNumber(start)} AS BIGINT), CAST(${asNumber(end)} AS BIGINT), CAST(${step ? asNumber(step) : '1'} AS BIGINT)), __v -> CAST(__v AS VARCHAR))`);
    },
  },
  tostring: {
    min: 1, max: 2,
    compile: (c, scope) => {
      const x = compileExpr(c.args[0]!, scope);
      const fmt = literalString(c.args[1]);
      if (fmt === 'hex') return s(`'0x' || lower(hex(CAST(${asNumber(x)} AS BIGINT)))`);
      if (fmt === 'commas') return s(`format('{:,}', round(${asNumber(x)}, 2))`);
      if (fmt === 'duration') {
        const secs = `CAST(${asNumber(x)} AS BIGINT)`;
        return s(`CASE WHEN ${secs} IS NULL THEN NULL ELSE printf('%02d:%02d:%02d', ${secs} // 3600, (${secs} % 3600) // 60, ${secs} % 60) END`);
      }
      return s(asString(x));
    },
  },
  tonumber: {
    min: 1, max: 2,
    compile: (c, scope) => {
      const x = compileExpr(c.args[0]!, scope);
      const base = c.args[1] && c.args[1].kind === 'num' ? c.args[1].value : 10;
      if (base === 16) return n(`TRY_CAST(('0x' || regexp_replace(${asString(x)}, '^0[xX]', '')) AS BIGINT)::DOUBLE`);
      if (base === 2) return n(`TRY_CAST(('0b' || ${asString(x)}) AS BIGINT)::DOUBLE`);
      return n(asNumber(x));
    },
  },
  round: {
    min: 1, max: 2,
    compile: (_c, _s, args) => {
      const [x, d] = args() as [Compiled, Compiled?];
      return n(`round(${asNumber(x)}, ${d ? `CAST(${asNumber(d)} AS INTEGER)` : '0'})`);
    },
  },
  floor: { min: 1, max: 1, compile: (_c, _s, args) => n(`floor(${asNumber(args()[0]!)})`) },
  ceil: { min: 1, max: 1, compile: (_c, _s, args) => n(`ceil(${asNumber(args()[0]!)})`) },
  ceiling: { min: 1, max: 1, compile: (_c, _s, args) => n(`ceil(${asNumber(args()[0]!)})`) },
  abs: { min: 1, max: 1, compile: (_c, _s, args) => n(`abs(${asNumber(args()[0]!)})`) },
  pow: { min: 2, max: 2, compile: (_c, _s, args) => n(`pow(${asNumber(args()[0]!)}, ${asNumber(args()[1]!)})`) },
  sqrt: { min: 1, max: 1, compile: (_c, _s, args) => n(`CASE WHEN ${asNumber(args()[0]!)} >= 0 THEN sqrt(${asNumber(args()[0]!)}) END`) },
  exp: { min: 1, max: 1, compile: (_c, _s, args) => n(`exp(${asNumber(args()[0]!)})`) },
  ln: { min: 1, max: 1, compile: (_c, _s, args) => n(`CASE WHEN ${asNumber(args()[0]!)} > 0 THEN ln(${asNumber(args()[0]!)}) END`) },
  log: {
    min: 1, max: 2,
    compile: (_c, _s, args) => {
      const [x, base] = args() as [Compiled, Compiled?];
      return n(`CASE WHEN ${asNumber(x)} > 0 THEN ln(${asNumber(x)}) / ln(${base ? asNumber(base) : '10'}) END`);
    },
  },
  min: { min: 1, max: 100, compile: (_c, _s, args) => extreme('least', args()) },
  max: { min: 1, max: 100, compile: (_c, _s, args) => extreme('greatest', args()) },
  random: { min: 0, max: 0, compile: () => n(`floor(random() * 2147483647)`) },
  pi: { min: 0, max: 0, compile: () => n('pi()') },
  now: { min: 0, max: 0, compile: (_c, scope) => n(dbl(scope.b.options.now)) },
  time: { min: 0, max: 0, compile: () => n(`epoch(current_timestamp)`) },
  relative_time: {
    min: 2, max: 2,
    compile: (c, scope) => {
      const mod = literalString(c.args[1]);
      const base = compileExpr(c.args[0]!, scope);
      if (mod === undefined) throw scope.b.err('bad-argument', 'relative_time() needs a quoted time modifier such as "-24h@h"', c.args[1]!.span);
      const steps = parseRelative(mod);
      if (!steps) throw scope.b.err('bad-time', `not a relative time modifier: ${JSON.stringify(mod)}`, c.args[1]!.span, ['examples: "-24h", "-24h@h", "@d", "-7d@w0", "+1d@d"']);
      if (c.args[0]!.kind === 'call' && c.args[0]!.name === 'now') return n(dbl(applyRelative(scope.b.options.now, steps)));
      return n(relativeSql(asNumber(base), steps));
    },
  },
  strftime: {
    min: 2, max: 2,
    compile: (c, scope) => {
      const t = asNumber(compileExpr(c.args[0]!, scope));
      return s(`strftime(${timestampSql(t)}, ${formatArg(c.args[1]!, scope)})`);
    },
  },
  strptime: {
    min: 2, max: 2,
    compile: (c, scope) => {
      const x = asString(compileExpr(c.args[0]!, scope));
      return n(`epoch(try_strptime(${x}, ${formatArg(c.args[1]!, scope)}))`);
    },
  },
  cidrmatch: {
    min: 2, max: 2,
    compile: (_c, scope, args) => {
      const [cidr, ip] = args() as [Compiled, Compiled];
      if (ip.type === 'mv') { const v = scope.b.lambdaVar(); return b(`list_bool_or(list_transform(${ip.sql}, ${v} -> spl_cidrmatch(${asString(cidr)}, ${v})))`); }
      return b(`spl_cidrmatch(${asString(cidr)}, ${asString(ip)})`);
    },
  },
  urldecode: { min: 1, max: 1, compile: (_c, _s, args) => s(`url_decode(${asString(args()[0]!)})`) },
  md5: { min: 1, max: 1, compile: (_c, _s, args) => s(`md5(${asString(args()[0]!)})`) },
  sha1: { min: 1, max: 1, compile: (_c, _s, args) => s(`sha1(${asString(args()[0]!)})`) },
  sha256: { min: 1, max: 1, compile: (_c, _s, args) => s(`sha256(${asString(args()[0]!)})`) },
  in: {
    min: 2, max: 1000,
    compile: (_c, scope, args) => {
      const [x, ...values] = args() as [Compiled, ...Compiled[]];
      return b(`(${values.map((v) => compare('=', x, v, scope.b)).join(' OR ')})`);
    },
  },
  json_extract: {
    min: 1, max: 100,
    compile: (c, scope) => {
      const json = asString(compileExpr(c.args[0]!, scope));
      if (c.args.length === 1) return s(json);
      const path = literalString(c.args[1]);
      if (path === undefined) throw scope.b.err('bad-argument', 'json_extract() needs a quoted path', c.args[1]!.span);
      return extractPath(json, path);
    },
  },
  spath: {
    min: 2, max: 2,
    compile: (c, scope) => {
      const json = asString(compileExpr(c.args[0]!, scope));
      const path = literalString(c.args[1]);
      if (path === undefined) throw scope.b.err('bad-argument', 'spath() needs a quoted path', c.args[1]!.span);
      return extractPath(json, path);
    },
  },
  printf: {
    min: 1, max: 100,
    compile: (_c, _s, args) => {
      const [fmt, ...rest] = args() as [Compiled, ...Compiled[]];
      return s(`printf(${asString(fmt)}${rest.map((r) => `, ${r.type === 'number' ? r.sql : asString(r)}`).join('')})`);
    },
  },
  exact: { min: 1, max: 1, compile: (_c, _s, args) => args()[0]! },
};

/** A Splunk spath path (`a.b{}.c`, `a{0}.b`) applied to JSON text. */
export function extractPath(json: string, path: string): Compiled {
  const segments = pathSegments(path.replace(/\{(\d+)\}/g, '.__idx$1'));
  const fixed = segments.map((seg) => (seg.startsWith('__idx') ? `[${seg.slice(5)}]` : seg));
  let p = '$';
  for (const seg of fixed) {
    if (seg.startsWith('[')) p += seg;
    else p = jsonPath([seg]).replace('$', p);
  }
  return { sql: `json_extract_string(${json}, ${str(p)})`, type: segments.includes('{}') ? 'mv' : 'string' };
}

function mapString(scope: ExprScope, x: Compiled, f: (v: string) => string): Compiled {
  if (x.type === 'mv') { const v = scope.b.lambdaVar(); return mv(`list_transform(${x.sql}, ${v} -> ${f(v)})`); }
  return s(f(asString(x)));
}

function trimLike(fn: string, args: Compiled[]): Compiled {
  const [x, chars] = args as [Compiled, Compiled?];
  return s(chars ? `${fn}(${asString(x)}, ${asString(chars)})` : `${fn}(${asString(x)})`);
}

function extreme(fn: 'least' | 'greatest', args: Compiled[]): Compiled {
  if (args.every((a) => a.type === 'number')) return n(`${fn}(${args.map((a) => a.sql).join(', ')})`);
  // Numbers compare as numbers and strings are greater than numbers (Splunk's eval min/max):
  // min is the smallest number if there is one, max the greatest non-numeric string if there is
  // one. Text that reads as a number (a field value "10") counts as a number. DuckDB's
  // least/greatest skip NULLs.
  const nums = args.map(asNumber);
  const words = args.map((a) => { const t = asString(a); return `CASE WHEN TRY_CAST(${t} AS DOUBLE) IS NULL THEN ${t} END`; });
  const number = `spl_num2str(${fn}(${nums.join(', ')}))`;
  const word = `${fn}(${words.join(', ')})`;
  return s(fn === 'least' ? `coalesce(${number}, ${word})` : `coalesce(${word}, ${number})`);
}

export const FUNCTION_NAMES = Object.keys(FUNCTIONS);

export function callFunction(c: Call, scope: ExprScope): Compiled {
  const def = FUNCTIONS[c.name];
  if (!def) {
    const hints = nearest(c.name, FUNCTION_NAMES);
    throw scope.b.err('unknown-function', `unknown eval function ${c.name}()`, c.nameSpan, hints.length ? [`did you mean ${hints.map((h) => h + '()').join(', ')}?`] : undefined);
  }
  if (c.args.length < def.min || c.args.length > def.max) {
    const want = def.min === def.max ? `${def.min}` : def.max >= 100 ? `at least ${def.min}` : `${def.min} to ${def.max}`;
    throw scope.b.err('bad-argument', `${c.name}() takes ${want} argument${want === '1' ? '' : 's'}, not ${c.args.length}`, c.span);
  }
  return def.compile(c, scope, () => c.args.map((a) => compileExpr(a, scope)));
}
