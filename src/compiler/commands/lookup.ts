// CSV lookups and IP geolocation: lookup (a left join on match fields), inputlookup (a
// lookup's rows as results), outputlookup (results written as a lookup, by the engine, after the
// query ran) and iplocation (the engine's `spl_iplocation` over the distinct addresses only).
// Lookup rows reach SQL only as tables the engine loaded; no file path ever appears here.
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { Args, describe, fieldList } from '../args.js';
import { made, outputColumns, withFields, type Builder } from '../builder.js';
import { all, coerce, fieldType, toString, unify } from '../build/coerce.js';
import { fieldRef, priorValue } from '../expr.js';
import { aggregate, call, caseOf, column, int, lit, nullOf, sideColumn, type Expr } from '../ir/expr.js';
import { ident } from '../sql.js';
import type { Column } from '../ir/plan.js';
import { compileSearchExpr } from '../search.js';
import { nearest } from '../suggest.js';
import type { Compiled, FieldInfo, FieldType, LookupTable, Relation } from '../types.js';
import { generic, hasColumn, SEQ } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { unionRelations } from './union.js';
import { INTERNAL } from '../ir/origin.js';

/** Splunk keeps at most this many values when a row matches several lookup rows. */
const MAX_MATCH_VALUES = 1000;

function nameArg(a: Arg | undefined, b: Builder, cmd: Command, what: string): { value: string; span: Span } {
  if (!a || a.kind !== 'word') throw b.err('bad-argument', `${cmd.name} needs the name of a ${what}`, a?.span ?? cmd.span);
  return { value: a.value, span: a.span };
}

/** The lookup's table, or a `bad-lookup` error naming it and the folder searched. */
function resolveLookup(b: Builder, name: string, span: Span, missingOk = false, named: string[] = []): LookupTable | undefined {
  const resolver = b.options.lookups;
  let table: LookupTable | undefined;
  try {
    table = resolver?.resolve(name);
  } catch (err) {
    throw b.err('bad-lookup', err instanceof Error ? err.message : String(err), span);
  }
  if (table || missingOk) return table;
  // explain shows the SQL of a search whose lookups are elsewhere: an empty stand-in with the
  // columns the search names, said so in a note.
  if (b.options.placeholderLookups) {
    b.notes.push(`lookup ${JSON.stringify(name)} not found: an empty placeholder with the columns the search names stands in for it`);
    const columns = [...new Set(named)];
    const cols = [...columns.map((c) => `CAST(NULL AS VARCHAR) AS ${ident(c)}`), 'CAST(0 AS BIGINT) AS "__row"'].join(', ');
    return { sql: `(SELECT ${cols} WHERE false) AS ${ident(`placeholder for lookup ${name}`)}`, columns };
  }
  const where = resolver?.folder ? ` in ${resolver.folder}` : '';
  const near = resolver ? nearest(name.replace(/\.csv$/i, ''), resolver.names()) : [];
  throw b.err('bad-lookup', `lookup ${JSON.stringify(name)} not found${where}`, span, [
    ...(near.length ? [`did you mean ${near.join(', ')}?`] : []),
    'a lookup is a CSV file with a header row; create one with | outputlookup <name>',
  ]);
}

function columnType(table: LookupTable, column: string): FieldType {
  return table.types?.[column] ?? 'string';
}

function checkColumn(b: Builder, table: LookupTable, lookupName: string, column: string, span: Span): void {
  if (table.columns.includes(column)) return;
  const near = nearest(column, table.columns);
  throw b.err('bad-lookup', `lookup ${JSON.stringify(lookupName)} has no column ${JSON.stringify(column)}`, span, [
    near.length ? `did you mean ${near.join(', ')}?` : `its columns: ${table.columns.join(', ') || '(none)'}`,
  ]);
}

const HIDDEN: FieldInfo = { type: 'string', origin: INTERNAL };
const ROW = column('__row', 'number');

/** A lookup's rows as the engine loaded them: its columns and `__row`, the row's place in the file. */
function tableRows(b: Builder, table: LookupTable, name: string): Relation {
  const fields = new Map<string, FieldInfo>(table.columns.map((c) => [c, made(columnType(table, c), { kind: 'lookup', lookup: name, column: c })]));
  fields.set('__row', { type: 'number', origin: INTERNAL });
  return b.step({ kind: 'table', relation: table.sql }, { fields, raw: false, removed: new Set() });
}

/**
 * One row per combination of match values: `lead` columns, then `__k0, __k1...` as strings, a
 * multivalue value unnested in a step of its own (so two multivalue keys give every pair).
 */
function keyRows(b: Builder, from: Relation, lead: Column[], values: Compiled[], prefix: string): Relation {
  const keys = values.map((v, i) => ({ name: `${prefix}${i}`, expr: v.type === 'mv' ? v : v.type === 'unknown' ? nullOf('string') : toString(v) }));
  const columns = [...lead, ...keys];
  let rel = b.step({ kind: 'project', input: from.id, columns });
  values.forEach((v, i) => {
    if (v.type !== 'mv') return;
    const name = `${prefix}${i}`;
    rel = b.step({ kind: 'extend', input: rel.id, columns: [{ name, expr: call('unnest', [column(name, 'mv')], 'string') }] }, { fields: withFields(rel, [[name, HIDDEN]]), raw: false, removed: new Set() });
  });
  return rel;
}

const LOOKUP_OPTIONS: Options = {
  local: { ignored: 'one machine' },
  update: { ignored: 'lookups are read when the search starts' },
  event_time_field: { unsupported: 'time-based lookups are not supported' },
};
const INPUTLOOKUP_OPTIONS: Options = { append: 'bool', start: 'int', max: 'int' };
const OUTPUTLOOKUP_OPTIONS: Options = {
  append: 'bool',
  create_empty: 'bool',
  override_if_empty: 'bool',
  max: 'int',
  createinapp: { ignored: 'lookups live in the state folder' },
  create_context: { ignored: 'lookups live in the state folder' },
  output_format: 'text',
  key_field: { unsupported: 'KV store lookups are not supported' },
  allow_updates: { unsupported: 'KV store lookups are not supported' },
};
const IPLOCATION_OPTIONS: Options = { prefix: 'text', allfields: 'bool', lang: 'text' };

const lookup: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const args = new Args(g, b, LOOKUP_OPTIONS);
  const at = args.items.findIndex((a) => a.kind === 'word' && !a.quoted && /^output(new)?$/i.test(a.value));
  const head = at < 0 ? args.items : args.items.slice(0, at);
  const outItems = at < 0 ? null : args.items.slice(at + 1);
  const outputNew = at >= 0 && (args.items[at] as { value: string }).value.toLowerCase() === 'outputnew';
  const name = nameArg(head[0], b, cmd, 'lookup (lookup <name> <field> [AS <event field>] ... [OUTPUT <field> ...])');
  const named = [...fieldList(head.slice(1), b, 'lookup').map((m) => m.name), ...(outItems ? fieldList(outItems, b, 'lookup output').map((o) => o.name) : [])];
  const table = resolveLookup(b, name.value, name.span, false, named)!;
  const matches = fieldList(head.slice(1), b, 'lookup').map((m) => ({ column: m.name, field: m.as ?? m.name, span: m.span }));
  if (matches.length === 0) throw b.err('bad-argument', `lookup needs at least one field to match, e.g. lookup ${name.value} ${table.columns[0] ?? 'field'}`, cmd.span);
  for (const m of matches) checkColumn(b, table, name.value, m.column, m.span);
  let outputs: { column: string; field: string }[];
  if (outItems) {
    if (outItems.length === 0) throw b.err('bad-argument', `${outputNew ? 'OUTPUTNEW' : 'OUTPUT'} needs at least one lookup field`, args.items[at]!.span);
    outputs = fieldList(outItems, b, 'lookup output').map((o) => {
      checkColumn(b, table, name.value, o.name, o.span);
      return { column: o.name, field: o.as ?? o.name };
    });
  } else {
    const matched = new Set(matches.map((m) => m.column));
    outputs = table.columns.filter((c) => !matched.has(c)).map((c) => ({ column: c, field: c }));
  }
  if (outputs.length === 0) return rel;

  // Event side and lookup side: one row per match value, multivalue fields unnested.
  const eventValues = matches.map((m) => fieldRef(m.field, { rel, b }));
  const keys = keyRows(b, rel, [{ name: '__seq', expr: SEQ }], eventValues, '__k');
  const outCols = outputs.map((o, i) => ({ name: `__o${i}`, expr: column(o.column, columnType(table, o.column)) }));
  const side = keyRows(b, tableRows(b, table, name.value), [{ name: '__row', expr: ROW }, ...outCols], matches.map((m) => column(m.column, columnType(table, m.column))), '__m');
  const on = all(matches.map((_m, i) => call('eq', [sideColumn('l', `__k${i}`, 'string'), sideColumn('r', `__m${i}`, 'string')], 'bool')));
  const joinedCols = [{ name: '__seq', expr: sideColumn('l', '__seq', 'number') }, { name: '__row', expr: sideColumn('r', '__row', 'number') }, ...outCols.map((o) => ({ name: o.name, expr: sideColumn('r', o.name, o.expr.type) }))];
  const joinedFields = new Map<string, FieldInfo>(joinedCols.map((c) => [c.name, { type: fieldType(c.expr.type), origin: INTERNAL }]));
  const joined = b.step({ kind: 'join', left: keys.id, right: side.id, type: 'inner', on, columns: joinedCols, leftAll: false, leftDrop: [] }, { fields: joinedFields, raw: false, removed: new Set() });

  // One value per event when no event can match two lookup rows: a scalar event key on a lookup
  // column whose values are distinct. Otherwise the distinct values in file order, as Splunk does.
  const single = matches.some((m, i) => eventValues[i]!.type !== 'mv' && columnType(table, m.column) === 'string' && (table.unique ?? []).includes(m.column));
  const outTypes = outputs.map((o): FieldType => (single ? columnType(table, o.column) : 'mv'));
  const byRow = [{ expr: ROW, desc: false, nulls: 'last' as const }];
  const aggs = outputs.map((o, i) => {
    const name = `__o${i}`;
    const v = column(name, columnType(table, o.column));
    if (single) return { name, expr: aggregate('first', [v], v.type, { order: byRow }) };
    const list = aggregate('list_agg', [v], 'mv', { order: byRow, filter: call('is_not_null', [v], 'bool') });
    return { name, expr: columnType(table, o.column) === 'mv' ? call('flatten', [list], 'mv') : list };
  });
  let agg = b.step({ kind: 'aggregate', input: joined.id, groups: [{ name: '__seq', expr: SEQ }], aggregates: aggs });
  if (!single) {
    const distinct = outputs.map((_o, i) => {
      const name = `__o${i}`;
      const v = column(name, 'mv');
      const firstOfEach = b.vars.lambda2(['string', 'int'], (x, k) => call('eq', [call('list_position', [v, x], 'int'), k], 'bool'));
      const values = call('list_slice', [call('list_filter', [v, firstOfEach], 'mv'), int(1), int(MAX_MATCH_VALUES)], 'mv');
      return { name, expr: caseOf([{ when: call('gt', [call('len', [v], 'int'), int(0)], 'bool'), then: values }], null, 'mv') };
    });
    agg = b.step({ kind: 'project', input: agg.id, columns: [{ name: '__seq', expr: SEQ }, ...distinct] });
  }

  // Back onto every event: OUTPUT replaces a field on a match, OUTPUTNEW only fills nulls, and an
  // event that matched nothing keeps what it had.
  const values: Column[] = [];
  const valueColumns: string[] = [];
  outputs.forEach((o, i) => {
    if (values.some((v) => v.name === o.field)) return;
    valueColumns.push(o.column);
    const found = sideColumn('r', `__o${i}`, outTypes[i]!);
    const old = priorValue(o.field, { rel, b });
    if (old.type === 'unknown') return values.push({ name: o.field, expr: found });
    const type = unify([old, found]);
    const value = outputNew
      ? call('coalesce', [coerce(old, type), coerce(found, type)], type)
      : caseOf([{ when: call('is_null', [sideColumn('r', '__seq', 'number')], 'bool'), then: coerce(old, type) }], coerce(found, type), type);
    values.push({ name: o.field, expr: value });
  });
  const fields = withFields(rel, values.map((v, i): [string, FieldInfo] => [v.name, made(fieldType(v.expr.type), { kind: 'lookup', lookup: name.value, column: valueColumns[i]! })]));
  const removed = new Set([...rel.removed].filter((n) => !values.some((v) => v.name === n)));
  const matched = call('eq', [sideColumn('r', '__seq', 'number'), sideColumn('l', '__seq', 'number')], 'bool');
  return b.step({ kind: 'join', left: rel.id, right: agg.id, type: 'left', on: matched, columns: values, leftAll: true, leftDrop: values.map((v) => v.name) }, { fields, raw: rel.raw, removed });
};

/** `where <search condition>` after inputlookup (the parser gives it as a search expression). */
function whereCondition(clause: Extract<Arg, { kind: 'clause' }>, rel: Relation, b: Builder): Expr {
  if (!clause.expr) throw b.err('bad-argument', 'inputlookup where needs a search condition, e.g. where user=alice', clause.keywordSpan);
  return compileSearchExpr(clause.expr, rel, b);
}

const inputlookup: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const args = new Args(g, b, INPUTLOOKUP_OPTIONS);
  const append = args.bool('append', false);
  const first = rel.name === 'none';
  if (!first && !append) throw b.err('bad-argument', 'inputlookup must start the search (| inputlookup <name>); append=t adds its rows to the current results instead', cmd.nameSpan);
  const whereAt = args.items.findIndex((a) => a.kind === 'clause');
  const before = whereAt < 0 ? args.items : args.items.slice(0, whereAt);
  const name = nameArg(before[0], b, cmd, 'lookup (inputlookup <name> [where <condition>])');
  if (before.length > 1) throw b.err('bad-argument', `unexpected ${describe(before[1]!)} after the lookup name (a condition starts with "where")`, before[1]!.span);
  // With append=t a missing lookup reads as empty, so the first run of a baseline search (which
  // appends the stored baseline to fresh results) works before the file exists.
  const table = resolveLookup(b, name.value, name.span, append || b.options.placeholderLookups);
  const start = args.int('start', 0);
  const max = args.options.has('max') ? args.int('max', 0) : undefined;
  const columns = table?.columns ?? [];
  const fields = new Map<string, FieldInfo>(columns.map((c) => [c, made(columnType(table!, c), { kind: 'lookup', lookup: name.value, column: c })]));
  fields.set('__seq', { type: 'number', origin: INTERNAL });
  let rows: Relation;
  if (table) {
    const all = tableRows(b, table, name.value);
    const range = [call('gt', [ROW, int(start)], 'bool'), ...(max !== undefined ? [call('le', [ROW, int(start + max)], 'bool')] : [])];
    const kept = b.step({ kind: 'filter', input: all.id, condition: range.reduce((x, y) => call('and', [x, y], 'bool')) });
    const cols = [...columns.map((c) => ({ name: c, expr: column(c, columnType(table, c)) })), { name: '__seq', expr: ROW }];
    rows = b.step({ kind: 'project', input: kept.id, columns: cols });
  } else {
    rows = b.step({ kind: 'none' }, { fields, raw: false, removed: new Set() });
  }
  const clause = args.items[whereAt];
  if (clause?.kind === 'clause') rows = b.step({ kind: 'filter', input: rows.id, condition: whereCondition(clause, rows, b) });
  if (first) return rows;
  return unionRelations(b, rel, rows, rel.raw, rel.removed);
};

const outputlookup: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  const args = new Args(g, b, OUTPUTLOOKUP_OPTIONS);
  const words = args.words();
  const name = nameArg(g.args.find((a) => a.kind === 'word'), b, cmd, 'lookup to write (outputlookup <name>)');
  if (words.length > 1) throw b.err('bad-argument', 'outputlookup writes one lookup', words[1]!.span);
  if (/\.(csv\.)?gz$/i.test(name.value)) throw b.err('bad-lookup', 'compressed lookups (.csv.gz) are not supported yet: name a .csv lookup', name.span);
  const format = args.option('output_format');
  if (format && format.toLowerCase() !== 'splunk_sv_csv') throw b.err('bad-argument', `output_format=${format} is not supported (lookups are CSV)`, args.options.get('output_format')!.span);
  // Refuses names that would leave the lookups folder, with a caret, before anything runs.
  resolveLookup(b, name.value, name.span, true);
  // Splunk writes the rows and passes them on (Search Reference, outputlookup): anywhere in the
  // pipeline, subsearches included. The engine writes each from its own query before the search
  // runs; the one that ends the main search is written as the result streams (compile.ts).
  const columns = outputColumns(rel);
  // Printed when asked: the outputlookup that ends the main search is written from the search's
  // own rows, and a second print of the whole plan was a fifth of such a search's compile time.
  let sql: string | undefined;
  b.writes.push({
    kind: 'outputlookup',
    get sql() {
      return (sql ??= b.rowsQuery(rel, columns));
    },
    columns,
    name: name.value,
    append: args.bool('append', false),
    span: name.span,
    createEmpty: args.bool('create_empty', true),
    overrideIfEmpty: args.bool('override_if_empty', true),
    max: args.options.has('max') ? args.int('max', 0) : undefined,
  });
  return rel;
};

// ---- iplocation --------------------------------------------------------------------------

const GEO_FIELDS: [string, string, FieldType][] = [
  ['City', 'city', 'string'],
  ['Country', 'country', 'string'],
  ['Region', 'region', 'string'],
  ['lat', 'lat', 'number'],
  ['lon', 'lon', 'number'],
];
const GEO_ALL_FIELDS: [string, string, FieldType][] = [
  ['Continent', 'continent', 'string'],
  ['Timezone', 'timezone', 'string'],
];

const iplocation: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, IPLOCATION_OPTIONS);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'iplocation takes one field holding IP addresses, e.g. iplocation sourceIPAddress', words[1]?.span ?? cmd.span);
  const lang = args.option('lang') ?? 'en';
  try {
    if (Intl.getCanonicalLocales(lang).length !== 1) throw new RangeError(lang);
  } catch {
    throw b.err('bad-argument', `lang=${lang} is not a language code (e.g. en, de, fr)`, args.options.get('lang')!.span);
  }
  const prefix = args.option('prefix') ?? '';
  const geo = args.bool('allfields', false) ? [...GEO_FIELDS, ...GEO_ALL_FIELDS] : GEO_FIELDS;
  // A multivalue field is located by its first value, as Splunk does.
  const ip = toString(fieldRef(words[0]!.value, { rel, b }));
  const IP = column('__ip', 'string');
  // Read twice (the addresses alone, then every row): computed again rather than kept, when cheap.
  const withIp = b.step({ kind: 'extend', input: rel.id, columns: [{ name: '__ip', expr: ip }], recompute: true });
  // Addresses repeat a lot (1M events, a few hundred addresses): locate each distinct one once.
  const known = b.step({ kind: 'filter', input: withIp.id, condition: call('is_not_null', [IP], 'bool') });
  const ips = b.step({ kind: 'project', input: known.id, columns: [{ name: '__ip', expr: IP }] });
  const distinct = b.step({ kind: 'distinct', input: ips.id });
  const located = b.step(
    { kind: 'project', input: distinct.id, columns: [{ name: '__ip', expr: IP }, { name: '__loc', expr: call('iplocation', [IP, lit(lang)], 'struct') }] });
  const targets = geo.map(([name, key, type]): [string, string, FieldType] => [prefix + name, key, type]);
  const loc = sideColumn('r', '__loc', 'struct');
  const columns = targets.map(([t, key, type]) => {
    const found = call('struct_extract', [loc, lit(key)], type);
    const before = rel.fields.get(t);
    if (!before || !hasColumn(rel, t)) return { name: t, expr: found };
    // An address with no location adds no fields (iplocation page), so a field of that name keeps
    // its value (`iplocation src | iplocation dst`: a private dst emptied src's City).
    return { name: t, expr: caseOf([{ when: call('is_null', [loc], 'bool'), then: coerce(sideColumn('l', t, before.type), type) }], found, type) };
  });
  const fields = withFields(rel, targets.map(([t, , type]): [string, FieldInfo] => [t, made(type)]));
  const removed = new Set([...rel.removed].filter((n) => !targets.some(([t]) => t === n)));
  const on = call('eq', [sideColumn('r', '__ip', 'string'), sideColumn('l', '__ip', 'string')], 'bool');
  return b.step({ kind: 'join', left: withIp.id, right: located.id, type: 'left', on, columns, leftAll: true, leftDrop: ['__ip', ...targets.map(([t]) => t)] }, { fields, raw: rel.raw, removed });
};

export const LOOKUP: CommandSpec[] = [
  {
    name: 'lookup',
    options: LOOKUP_OPTIONS,
    keywords: ['as', 'output', 'outputnew'],
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Adds fields from a CSV lookup (see "Lookups and IP location")', example: '* | lookup accounts account_id AS recipientAccountId OUTPUT account_name' },
    build: lookup,
  },
  {
    name: 'inputlookup',
    options: INPUTLOOKUP_OPTIONS,
    keywords: ['where'],
    generating: true,
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Reads a lookup\'s rows', example: '| inputlookup known_pairs' },
    build: inputlookup,
  },
  {
    name: 'outputlookup',
    options: OUTPUTLOOKUP_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Writes the results as a lookup', example: '* | stats count by user | outputlookup users' },
    build: outputlookup,
  },
  {
    name: 'iplocation',
    options: IPLOCATION_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'Adds City, Country, Region, lat, lon for an IP field', example: '* | stats count by src_ip | iplocation src_ip' },
    build: iplocation,
  },
];
