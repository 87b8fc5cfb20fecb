// Commands that turn a table around: xyseries (rows to a grid), untable (a grid back to rows) and
// transpose (fields become rows).
// xyseries: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/xyseries
//   ("stats n by x,y | xyseries x y n" simulates "chart n by x,y": the Search Manual's "Build a
//   chart of multiple data series", https://docs.splunk.com/Documentation/Splunk/9.3.0/Search/Chartmultipledataseries)
// untable: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/untable
// transpose: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/transpose
import { Args } from '../args.js';
import { made, visibleFields, type Builder } from '../builder.js';
import { toList, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, column, int, lit, type Expr } from '../ir/expr.js';
import type { FieldInfo, Relation } from '../types.js';
import { namingOptions, pivot } from './pivot.js';
import { generic, rowNumber, same, SEQ } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { INTERNAL } from '../ir/origin.js';

const HIDDEN: FieldInfo = { type: 'number', origin: INTERNAL };

const XYSERIES_OPTIONS: Options = {
  grouped: { ignored: 'a hint that the input is grouped by the x-field; the answer is the same' },
  sep: 'text',
  format: 'text',
};

const xyseries: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, XYSERIES_OPTIONS);
  const words = args.words().filter((w) => w.value !== ',');
  if (words.length < 3) throw b.err('bad-argument', 'xyseries takes the x-field, the field whose values name the columns, and one or more data fields', cmd.span);
  const [x, y, ...data] = words.map((w) => w.value);
  // One cell per (x, y): the first data value in result order, as a pivot of chart's.
  return pivot(rel, b, {
    row: { name: x!, c: fieldRef(x!, { rel, b }), order: 'stats' },
    split: { name: y!, c: fieldRef(y!, { rel, b }) },
    aggs: data.map((d, i) => ({ func: 'first', field: d, name: d, span: words[i + 2]!.span })),
    limit: 0,
    bottom: false,
    useOther: false,
    useNull: false,
    otherStr: 'OTHER',
    nullStr: 'NULL',
    naming: namingOptions(args),
  });
};

/**
 * The visible fields' values as one list per row, and the type of a value: a number when every
 * field is one, a multivalue field when one is (each value kept whole, the others one-value
 * lists), else text.
 */
function valuesOf(rel: Relation, b: Builder, names: string[]): { list: Expr; type: 'number' | 'mv' | 'string' } {
  const refs = names.map((n) => fieldRef(n, { rel, b }));
  if (refs.length > 0 && refs.every((r) => r.type === 'number' || r.type === 'int')) return { list: call('list', refs.map((r) => call('to_double', [r], 'number')), 'list'), type: 'number' };
  if (refs.some((r) => r.type === 'mv')) return { list: call('list', refs.map((r) => toList(r)), 'list'), type: 'mv' };
  return { list: call('list', refs.map((r) => toString(r)), 'list'), type: 'string' };
}

const untable: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, {});
  const words = args.words().filter((w) => w.value !== ',');
  if (words.length !== 3) throw b.err('bad-argument', 'untable takes three fields: the x-field, the name for the field names, the name for the values', cmd.span);
  const [x, yName, zName] = words.map((w) => w.value) as [string, string, string];
  const others = visibleFields(rel).filter((n) => n !== x);
  const { list, type } = valuesOf(rel, b, others);
  const keyed = b.step({ kind: 'extend', input: rel.id, columns: [{ name: '__ux', expr: fieldRef(x, { rel, b }) }, { name: '__uvals', expr: list }, { name: '__useq', expr: SEQ }] },
    { fields: new Map([...rel.fields, ['__ux', made('string')], ['__uvals', HIDDEN], ['__useq', HIDDEN]]), raw: rel.raw, removed: rel.removed });
  const each = b.step({ kind: 'unnest', input: keyed.id, column: '__uval', list: column('__uvals', 'list'), ordinal: '__ui' },
    { fields: new Map([...keyed.fields, ['__uval', HIDDEN], ['__ui', HIDDEN]]), raw: false, removed: new Set() });
  // A field with no value in a row gives no row, as a stats result would not have it.
  const present = b.step({ kind: 'filter', input: each.id, condition: call('is_not_null', [column('__uval', type)], 'bool') }, same(each));
  const nameOf = call('list_get', [call('list', others.map((n) => lit(n)), 'list'), column('__ui', 'int')], 'string');
  const xType = rel.fields.get(x)?.type ?? 'string';
  const fields = new Map<string, FieldInfo>([[x, made(xType === 'mv' ? 'mv' : xType)], [yName, made('string')], [zName, made(type)], ['__seq', HIDDEN]]);
  return b.step({ kind: 'project', input: present.id, columns: [
    { name: x, expr: column('__ux', xType) },
    { name: yName, expr: nameOf },
    { name: zName, expr: column('__uval', type) },
    { name: '__seq', expr: rowNumber([{ expr: column('__useq', 'number'), desc: false, nulls: 'last' }, { expr: column('__ui', 'number'), desc: false, nulls: 'last' }]) },
  ] }, { fields, raw: false, removed: new Set() });
};

const TRANSPOSE_ALL = 1000;

const TRANSPOSE_OPTIONS: Options = { column_name: 'text', header_field: 'text', include_empty: 'bool' };

const transpose: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, TRANSPOSE_OPTIONS);
  const words = args.words();
  if (words.length > 1 || (words[0] && !/^\d+$/.test(words[0].value))) throw b.err('bad-argument', 'transpose takes the number of rows to turn into columns (default 5)', words[0]?.span ?? cmd.span);
  // 0 turns every row into a column (the transpose page); a column per row is SQL text, so a
  // bound stands where Splunk has none, and is said rather than cut.
  const all = words[0] !== undefined && Number(words[0].value) === 0;
  const n = all ? TRANSPOSE_ALL + 1 : words[0] ? Number(words[0].value) : 5;
  const columnName = args.option('column_name') ?? 'column';
  const header = args.option('header_field');
  const names = visibleFields(rel).filter((f) => f !== header && !f.startsWith('__'));
  if (rel.raw && !names.includes('_time')) names.unshift('_time');
  const first = b.step({ kind: 'limit', input: rel.id, count: n }, same(rel));
  // A column per row there is (asked of the data): "row 1".., or header_field='s values.
  const h = header === undefined ? lit('') : toString(fieldRef(header, { rel: first, b }));
  const headed = b.step({ kind: 'extend', input: first.id, columns: [{ name: '__th', expr: h }] });
  const answer = b.ask(headed, ['__th'], header === undefined ? 'how many results transpose turns into columns' : `the values of ${header} (transpose's column names)`, true);
  if (all && answer && answer.length > TRANSPOSE_ALL) throw b.err('bad-argument', `transpose 0: more than ${TRANSPOSE_ALL} results, each a column; spelunk transposes at most ${TRANSPOSE_ALL} (give the number, or reduce the results first)`, words[0]!.span);
  let headers = Array.from({ length: answer ? answer.length : all ? 0 : n }, (_v, i) => `row ${i + 1}`);
  if (answer && header !== undefined) headers = headers.map((d, i) => answer[i] ?? d);
  if (!answer) b.notes.push('transpose: the columns are known when the search runs (one per result, at most the count given)');
  // A multivalue field keeps its values in its cells (each other cell a one-value list), not its first.
  const refs = names.map((f) => fieldRef(f, { rel: first, b }));
  const cellType = refs.some((r) => r.type === 'mv') ? 'mv' : 'string';
  const stringList = call('list', refs.map((r) => (cellType === 'mv' ? toList(r) : toString(r))), 'list');
  const ranked = b.step({ kind: 'extend', input: first.id, columns: [{ name: '__trank', expr: rowNumber([{ expr: SEQ, desc: false, nulls: 'last' }]) }, { name: '__tvals', expr: stringList }] },
    { fields: new Map([...first.fields, ['__trank', HIDDEN], ['__tvals', HIDDEN]]), raw: first.raw, removed: first.removed });
  const each = b.step({ kind: 'unnest', input: ranked.id, column: '__tval', list: column('__tvals', 'list'), ordinal: '__ti' },
    { fields: new Map([...ranked.fields, ['__tval', made(cellType)], ['__ti', HIDDEN]]), raw: false, removed: new Set() });
  const cell = (i: number) => aggregate('any_value', [column('__tval', cellType)], cellType, { filter: call('eq', [column('__trank', 'number'), int(i + 1)], 'bool') });
  const fields = new Map<string, FieldInfo>([[columnName, made('string')], ...headers.map((h): [string, FieldInfo] => [h, made(cellType)]), ['__seq', HIDDEN], ['__tany', HIDDEN]]);
  const grouped = b.step({ kind: 'aggregate', input: each.id, groups: [{ name: '__seq', expr: column('__ti', 'number') }], aggregates: [
    { name: columnName, expr: aggregate('any_value', [call('list_get', [call('list', names.map((f) => lit(f)), 'list'), column('__ti', 'int')], 'string')], 'string') },
    ...headers.map((h, i) => ({ name: h, expr: cell(i) })),
    { name: '__tany', expr: aggregate('count', [column('__tval', cellType)], 'number') },
  ] }, { fields, raw: false, removed: new Set() });
  // include_empty=f leaves out the fields with no value in any of the rows.
  if (args.bool('include_empty', true)) return grouped;
  return b.step({ kind: 'filter', input: grouped.id, condition: call('gt', [column('__tany', 'number'), int(0)], 'bool') }, same(grouped));
};

export const RESHAPE: CommandSpec[] = [
  {
    name: 'xyseries',
    options: XYSERIES_OPTIONS,
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'One row per x value, one column per value of the second field, the third field in the cells (`stats n by x,y | xyseries x y n` is `chart n over x by y`)', example: '* | stats count by userIdentity.type, eventSource | xyseries userIdentity.type eventSource count' },
    build: xyseries,
  },
  {
    name: 'untable',
    options: {},
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'The opposite of xyseries: one row per (x, field) with the field\'s name and value', example: '* | chart count over eventName by userIdentity.type | untable eventName type count' },
    build: untable,
  },
  {
    name: 'transpose',
    options: TRANSPOSE_OPTIONS,
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Statistics', summary: 'The first N results (default 5; 0: all, up to 1000) as columns `row 1`..: one row per field (`column_name=`, `header_field=`, `include_empty=`)', example: '* | stats count by eventName | sort - count | transpose 3' },
    build: transpose,
  },
];
