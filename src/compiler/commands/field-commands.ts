// Commands that make, change or drop fields: eval, table, fields, rename, fillnull, convert, bin,
// addtotals, makeresults.
import { Args, describe, fieldList } from '../args.js';
import { made, withFields } from '../builder.js';
import { toNumber, toString } from '../build/coerce.js';
import { fieldsOf } from '../../../grammar/ast.js';
import { compileExpr, fieldRef, priorValue } from '../expr.js';
import { aggregate, call, column, int, lit, nullOf, type Expr } from '../ir/expr.js';
import { CONVERT_FUNCTIONS, convertFunction, DEFAULT_TIME_FORMAT } from '../library/convert-functions.js';
import { TimeFormatError } from '../library/time-format.js';
import { monthBin, parseSpan } from '../time.js';
import type { Compiled, FieldInfo } from '../types.js';
import { autoNumberSpan, autoTimeSpan, decimalsOf, discoverRange, floorTo } from './bins.js';
import { alignOffset, binsOption, bucket, minspanOption, noteUnalignable } from './time-buckets.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec, type Options } from './spec.js';
import { assign, carriesEvents, expandNames, generic, hasColumn, matchingFields, project, wildcardRegex } from './relation.js';
import { INTERNAL, isMade } from '../ir/origin.js';
import { fieldOf } from '../ir/schema.js';

const FILLNULL_OPTIONS: Options = { value: 'text' };
const CONVERT_OPTIONS: Options = { timeformat: 'text' };
const BIN_OPTIONS: Options = { span: 'text', bins: 'int', minspan: 'text', start: 'text', end: 'text', aligntime: 'text' };
const ADDTOTALS_OPTIONS: Options = { row: 'bool', col: 'bool', fieldname: 'text', labelfield: 'text', label: 'text' };
const MAKERESULTS_OPTIONS: Options = {
  count: 'int',
  annotate: { unsupported: 'annotate=true adds Splunk server fields spelunk does not have' },
  splunk_server: { ignored: 'one machine' },
  splunk_server_group: { ignored: 'one machine' },
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
    if ([...fieldsOf(a.expr)].some((f) => locals.has(f))) {
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

const table: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b);
  const names = expandNames(rel, args.words().map((w) => w.value), true, b);
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
    const keep = expandNames(rel, names, true, b);
    return project(rel, b, keep.map((n) => [n, fieldRef(n, { rel, b })]), ['_time', '_raw']);
  }
  const drop = expandNames(rel, names, true, b);
  const present = drop.filter((n) => hasColumn(rel, n) && n !== '__seq');
  const removed = new Set([...rel.removed, ...drop]);
  return b.step({ kind: 'extend', input: rel.id, columns: [], drop: present }, { fields: withFields(rel, [], drop), raw: rel.raw, removed });
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
  const sources = new Set<string>();
  for (const p of pairs) {
    if (!p.as) throw b.err('bad-argument', `rename needs "${p.name} as <new name>"`, p.span);
    // The rename page: one field cannot be given two names (A as B, A as C is not valid). The
    // second name was left empty in silence, the field already renamed away.
    if (sources.has(p.name)) throw b.err('bad-argument', `rename cannot give ${p.name} a second name (${p.as}): a field is renamed once; copy it first (eval ${p.as}=${p.name})`, p.span);
    sources.add(p.name);
    if (p.name.includes('*')) {
      const re = wildcardRegex(p.name);
      for (const name of matchingFields(rel, p.name, true, b)) {
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
    const fieldsAfter = renamedFields(current.fields, from, to, fieldOf(to, value, current));
    const removed = new Set([...current.removed, from].filter((n) => n !== to));
    current = b.step({ kind: 'extend', input: current.id, columns: [{ name: to, expr: value }], drop }, { fields: fieldsAfter, raw: current.raw, removed });
  }
  return current;
};

const fillnull: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, FILLNULL_OPTIONS);
  const value = args.option('value') ?? '0';
  let names = args.words().map((w) => w.value);
  // No field list: every field of the results (Splunk's fillnull page: "the value is applied to all
  // fields", those with a value in some result), event fields and add-on fields included, as `*`
  // matches them. Only the fields the search made were filled: `fillnull value=- | stats count by
  // userIdentity.userName` dropped the events without the name.
  // https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/fillnull
  // Every field is hundreds over events (each JSON path, each add-on field): those no later
  // command reads and the result does not show are left out of the SQL (rewrite/unread-columns.ts).
  // Filling them all cost 136 s and ran out of memory at 1M for one `stats count by` field.
  const all = names.length === 0;
  if (all) names = ['*'];
  names = expandNames(rel, names, true, b);
  const isNumber = /^-?\d+(\.\d+)?$/.test(value);
  return assign(rel, b, names.map((n) => {
    const c = priorValue(n, { rel, b });
    if (c.type === 'number' && isNumber) return [n, call('coalesce', [c, int(Number(value))], 'number')];
    if (c.type === 'mv') return [n, call('coalesce', [c, call('list', [lit(value)], 'mv')], 'mv')];
    return [n, call('coalesce', [toString(c), lit(value)], 'string')];
  }), all ? 'droppable' : undefined);
};

const convert: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, CONVERT_OPTIONS);
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
    try {
      values.push([target, def.build(fieldRef(field, { rel, b }), format, b.vars)]);
    } catch (err) {
      if (!(err instanceof TimeFormatError)) throw err;
      throw b.err('bad-argument', `convert timeformat: ${err.message}`, args.options.get('timeformat')?.span ?? a.span);
    }
  }
  return assign(rel, b, values);
};

/**
 * bin (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/bin):
 * with span= the bins are its multiples (from aligntime= for time spans under a day); without,
 * the span is picked from the field's lowest and highest values (bins.ts): at most bins= bins
 * (default 100), none narrower than minspan=, the range widened (never narrowed) to start= and
 * end=, which Splunk uses only when no span is given.
 */
const bin: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, BIN_OPTIONS);
  const list = fieldList(args.items, b, 'bin');
  if (list.length !== 1) throw b.err('bad-argument', 'bin takes one field (optionally "as new_name")', cmd.span);
  const { name, as } = list[0]!;
  const value = toNumber(fieldRef(name, { rel, b }));
  const spanText = args.option('span');
  const isTime = name === '_time';
  const offset = alignOffset(args, b);
  if (offset && !isTime) throw b.err('bad-argument', 'aligntime= applies to _time only', args.options.get('aligntime')!.span);
  const bound = (key: 'start' | 'end'): number | undefined => {
    const o = args.options.get(key);
    if (!o) return undefined;
    const n = Number(o.value);
    if (o.value.trim() === '' || !Number.isFinite(n)) throw b.err('bad-argument', `${key}= must be a number, not ${JSON.stringify(o.value)}`, o.span);
    return n;
  };
  const [start, end] = [bound('start'), bound('end')];
  if (spanText) {
    const span = parseSpan(spanText);
    if (!span) throw b.err('bad-argument', `cannot read span=${spanText}`, args.options.get('span')!.span, ['examples: span=1h, span=30m, span=1d, span=10']);
    if (isTime) noteUnalignable(args, b, span.months ? { months: span.months } : { seconds: span.seconds! }, 'bin');
    let binned: Expr;
    if (span.months) binned = monthBin(value, span.months, b.vars);
    else if (!isTime && /^\s*\d+(\.\d+)?\s*$/.test(spanText)) binned = rangeLabel(floorTo(value, span.seconds!), span.seconds!, 0);
    else binned = floorTo(value, span.seconds!, span.seconds! < 86400 ? offset : 0);
    return assign(rel, b, [[as ?? name, binned]]);
  }
  const bins = binsOption(args, b);
  const minspan = minspanOption(args, b);
  const found = discoverRange(rel, value, b, `the lowest and highest ${name} (for bin's span)`);
  let binned: Expr;
  if (isTime) {
    const [lo, hi] = widen(found ?? [b.options.now - 3600 * bins, b.options.now], start, end);
    const span = autoTimeSpan(lo, hi, bins, minspan);
    noteUnalignable(args, b, span, 'bin');
    binned = bucket(value, span, b.vars, offset);
  } else {
    const [lo, hi] = widen(found ?? [0, 10 * bins], start, end);
    const span = autoNumberSpan(lo, hi, bins, minspan);
    binned = rangeLabel(floorTo(value, span), span, decimalsOf(span));
  }
  const out = assign(rel, b, [[as ?? name, binned]]);
  if (found === undefined) b.notes.push(`bin ${name}: the span is picked from the lowest and highest ${name} when the search runs; a placeholder is shown`);
  return out;
};

/** [lo, hi] widened to start= and end= (which never narrow it). */
function widen([lo, hi]: [number, number], start?: number, end?: number): [number, number] {
  return [start === undefined ? lo : Math.min(lo, start), end === undefined ? hi : Math.max(hi, end)];
}

/**
 * A number's bin as Splunk names it, `10-15` (lower bound, then the next bin's): a plain-number
 * span on any field but `_time`, whose bins stay epoch times.
 */
function rangeLabel(low: Expr, width: number, decimals: number): Expr {
  // A span below 1 leaves float noise (0.30000000000000004): bounds are rounded to its digits.
  const exact = (x: Expr) => (decimals ? call('round', [x, int(decimals)], 'number') : x);
  const high = call('add', [low, lit(width, 'number')], 'number');
  return call('concat', [call('concat', [call('num2str', [exact(low)], 'string'), lit('-')], 'string'), call('num2str', [exact(high)], 'string')], 'string');
}

const addtotals: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ADDTOTALS_OPTIONS);
  let names = args.words().map((w) => w.value);
  // No field list: every numeric field of the result (Splunk's addtotals page: with no list, the
  // sum takes in each numeric field), those whose value is not a number adding nothing. Not the internal
  // fields: `timechart count by f | addtotals` totals the series, not _time with them. Over events,
  // every numeric field is Splunk's own fields too (account IDs, eventVersion, timestartpos,
  // linecount...), a total spelunk cannot give, and summing none of them answered 0: refused.
  // https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/addtotals
  const all = names.length === 0;
  if (all && (rel.raw || carriesEvents(rel))) {
    throw b.err('bad-argument', 'addtotals with no field list sums every numeric field of each event, Splunk\'s own fields too, which spelunk cannot reproduce over events: name the fields to sum (addtotals f1 f2), or use it after stats, chart or timechart', cmd.span);
  }
  if (all) names = [...rel.fields.keys()].filter((n) => !n.startsWith('_'));
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
    // A labelfield no result has is a new field, empty but in the summary row (addtotals page);
    // the label was dropped with it.
    if (label && !hasColumn(out, label)) out = assign(out, b, [[label, nullOf('string')]]);
    const sums = [...out.fields].filter(([n]) => !n.startsWith('__')).map(([n, f]) => {
      if (label && n === label) return { name: n, expr: lit(args.option('label') ?? 'Total') };
      if (isMade(f.origin) && !(all && n.startsWith('_')) && (f.type === 'number' || names.includes(n) || n === total)) return { name: n, expr: aggregate('sum', [toNumber(column(n, f.type))], 'number') };
      return { name: n, expr: nullOf('unknown') };
    });
    const seq = { name: '__seq', expr: call('add', [aggregate('max', [column('__seq', 'number')], 'number'), int(1)], 'number') };
    const last = b.step({ kind: 'aggregate', input: out.id, groups: [], aggregates: [...sums, seq] }, { fields: out.fields, raw: false, removed: new Set() });
    out = b.step({ kind: 'union', left: out.id, right: last.id }, { fields: new Map(out.fields), raw: false, removed: new Set() });
  }
  return out;
};

const makeresults: CommandCompiler = (cmd, _rel, b) => {
  const args = new Args(generic(cmd, b), b, MAKERESULTS_OPTIONS);
  const n = args.int('count', 1);
  const fields = new Map<string, FieldInfo>([['_time', made('number')], ['__seq', { type: 'number', origin: INTERNAL }]]);
  return b.step({ kind: 'generate', count: n, time: b.options.now }, { fields, raw: false, removed: new Set() });
};

export const FIELD_COMMANDS: CommandSpec[] = [
  {
    name: 'eval',
    options: NO_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Computes fields from expressions; later assignments see earlier ones', example: '* | eval who=coalesce(user, "unknown"), failed=if(errorCode=="success", 0, 1)' },
    build: evalCommand,
  },
  {
    name: 'table',
    options: NO_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Keeps only the named fields, in that order (wildcards allowed)', example: '* | table _time user eventName src' },
    build: table,
  },
  {
    name: 'fields',
    options: NO_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Keeps (`fields a b`) or removes (`fields - a b`) fields', example: '* | fields - _raw' },
    build: fields,
  },
  {
    name: 'rename',
    options: NO_OPTIONS,
    keywords: ['as'],
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Renames fields, wildcards included (`a* as b*`)', example: '* | rename userIdentity.arn as arn' },
    build: rename,
  },
  {
    name: 'fillnull',
    options: FILLNULL_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Replaces nulls with a value (default 0) in the named fields, or in all (every field some result has, as `*` matches)', example: '* | stats count by user, result_id | fillnull value=none result_id' },
    build: fillnull,
  },
  {
    name: 'convert',
    options: CONVERT_OPTIONS,
    keywords: ['as'],
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: '`ctime`, `mktime`, `num`, `auto`, `dur2sec` conversions', example: '* | convert ctime(_time) as time' },
    build: convert,
  },
  {
    name: 'bin',
    options: BIN_OPTIONS,
    aliases: ['bucket'],
    keywords: ['as'],
    rowPreserving: false,
    reference: { section: 'Fields and values', summary: 'Rounds `_time` down to a span (`span=1w`: weeks counted from the epoch, so from Thursday 00:00 UTC; `relative_time(_time, "@w1")`, or `timechart span=w@w1`, for weeks from Monday); a number to a range label (`span=5`: `10-15`). Without span=, Splunk\'s automatic span: at most `bins=` (100) bins, at least `minspan=`; `start=`/`end=` widen the range; `aligntime=` for time', example: '* | bin _time span=1h | stats count by _time' },
    build: bin,
  },
  {
    name: 'addtotals',
    options: ADDTOTALS_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Fields and values', summary: 'Adds a row total (and with `col=t` a column-total row); with no field list, of every numeric field but `_`-named ones (`_time`), not over events', example: '* | chart count over user by action | addtotals' },
    build: addtotals,
  },
  {
    name: 'makeresults',
    options: MAKERESULTS_OPTIONS,
    generating: true,
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Makes N empty results with `_time` = now', example: '| makeresults count=3 | eval n=random()' },
    build: makeresults,
  },
];
