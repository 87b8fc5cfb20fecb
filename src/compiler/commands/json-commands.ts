// tojson and fromjson: results to a JSON object in one field, and a JSON object's top-level keys
// back to fields.
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tojson
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/fromjson
import type { Arg } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import type { Builder } from '../builder.js';
import { toList, toNumber, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, caseOf, column, lit, nullOf, type Expr } from '../ir/expr.js';
import { INTERNAL } from '../ir/origin.js';
import { jsonPath } from '../print/duckdb.js';
import type { Compiled, Relation } from '../types.js';
import { assign, generic, rowNumber } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { matchingFields } from './wildcards.js';

const DATATYPES = ['auto', 'bool', 'json', 'none', 'num', 'str'] as const;
type Datatype = (typeof DATATYPES)[number];

const TOJSON_OPTIONS: Options = {
  default_type: DATATYPES,
  fill_null: 'bool',
  include_internal: 'bool',
  output_field: 'text',
};

const FROMJSON_OPTIONS: Options = { prefix: 'text' };

const TRUE_WORDS = ['true', 't', 'yes', 'y', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', '0'];

/** A number as JSON text (Splunk's text: no `.0` on whole numbers); null when not finite. */
function numberJson(n: Expr, b: Builder): Expr {
  return b.vars.share(n, (x) => caseOf([{ when: call('is_finite', [x], 'bool'), then: call('num2str', [x], 'string') }], null, 'string'));
}

/** One value (a string, or a number field's number) as JSON text for the datatype; null skips it. */
function valueJson(v: Expr, type: Datatype, b: Builder): Expr {
  const text = toString(v);
  const string = call('to_json_text', [text], 'string');
  switch (type) {
    case 'str':
      return string;
    case 'num':
      return numberJson(toNumber(v), b);
    case 'bool':
      return b.vars.share(call('lower', [text], 'string'), (t) => caseOf([
        { when: call('in', [t, ...TRUE_WORDS.map((w) => lit(w))], 'bool'), then: lit('true') },
        { when: call('in', [t, ...FALSE_WORDS.map((w) => lit(w))], 'bool'), then: lit('false') },
      ], null, 'string'));
    case 'json':
      return b.vars.share(text, (t) => caseOf([{ when: call('json_valid', [t], 'bool'), then: call('json_text', [t], 'string') }], null, 'string'));
    case 'none':
      return v.type === 'number' || v.type === 'int' ? numberJson(v, b) : string;
    case 'auto':
      if (v.type === 'number' || v.type === 'int') return numberJson(v, b);
      return b.vars.share(text, (t) => caseOf([
        { when: call('is_not_null', [call('try_double', [t], 'number')], 'bool'), then: numberJson(call('try_double', [t], 'number'), b) },
        { when: call('in', [t, lit('true'), lit('false')], 'bool'), then: t },
        { when: call('eq', [t, lit('null')], 'bool'), then: lit('null') },
      ], string, 'string'));
  }
}

/** A field's JSON: a multivalue field as an array of its values' JSON (skipped values left out). */
function fieldJson(v: Expr, type: Datatype, b: Builder): Expr {
  if (v.type !== 'mv') return valueJson(v, type, b);
  return b.vars.share(v, (list) => {
    const each = b.vars.lambda('string', (x) => valueJson(x, type, b));
    const kept = call('list_filter', [call('list_transform', [list, each], 'mv'), b.vars.lambda('string', (x) => call('is_not_null', [x], 'bool'))], 'mv');
    const array = call('concat', [call('concat', [lit('['), call('array_to_string', [kept, lit(',')], 'string')], 'string'), lit(']')], 'string');
    return caseOf([{ when: call('is_null', [list], 'bool'), then: nullOf('string') }], array, 'string');
  });
}

/** The fields and datatypes tojson writes, in order: functions and plain names, wildcards expanded. */
function tojsonFields(args: Args, rel: Relation, b: Builder, fallback: Datatype, internal: boolean): { name: string; type: Datatype }[] {
  const out = new Map<string, Datatype>();
  const add = (pattern: string, type: Datatype) => {
    const names = pattern.includes('*') ? matchingFields(rel, pattern, true, b) : [pattern];
    for (const n of names) {
      if (n.startsWith('__') || (!internal && n.startsWith('_') && n !== pattern)) continue;
      out.set(n, type);
    }
  };
  const items: Arg[] = args.items;
  if (items.length === 0) add('*', fallback);
  for (const a of items) {
    if (a.kind === 'word') {
      add(a.value, fallback);
    } else if (a.kind === 'call' && (DATATYPES as readonly string[]).includes(a.name.toLowerCase())) {
      const inner = a.args.filter((x) => x.kind !== 'comma');
      if (inner.length === 0) throw b.err('bad-argument', `${a.name}() needs a field or wildcard, e.g. ${a.name}(*)`, a.span);
      for (const x of inner) {
        if (x.kind !== 'word') throw b.err('bad-argument', `expected a field or wildcard in ${a.name}(), found ${describe(x)}`, x.span);
        add(x.value, a.name.toLowerCase() as Datatype);
      }
    } else if (a.kind === 'call') {
      throw b.err('bad-argument', `unknown tojson datatype ${JSON.stringify(a.name)}: use ${DATATYPES.join(', ')}`, a.span);
    } else {
      throw b.err('bad-argument', `unexpected ${describe(a)} in tojson`, a.span);
    }
  }
  return [...out].map(([name, type]) => ({ name, type }));
}

const tojson: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, TOJSON_OPTIONS);
  const fallback = (args.option('default_type')?.toLowerCase() ?? 'none') as Datatype;
  const fillNull = args.bool('fill_null', false);
  const internal = args.bool('include_internal', false);
  const output = args.option('output_field') ?? '_raw';
  const pairs = tojsonFields(args, rel, b, fallback, internal).map(({ name, type }) => {
    const json = fieldJson(fieldRef(name, { rel, b }), type, b);
    const key = lit(`${JSON.stringify(name)}:`);
    // A skipped value (null, or invalid for its datatype) is left out, or null with fill_null=t.
    return call('concat', [key, fillNull ? call('coalesce', [json, lit('null')], 'string') : json], 'string');
  });
  const body = pairs.length ? call('array_to_string', [call('list_filter', [call('list', pairs, 'mv'), b.vars.lambda('string', (x) => call('is_not_null', [x], 'bool'))], 'mv'), lit(',')], 'string') : lit('');
  const object = call('concat', [call('concat', [lit('{'), body], 'string'), lit('}')], 'string');
  return assign(rel, b, [[output, object]]);
};

/**
 * fromjson: each top-level key of the field's JSON object becomes a field (prefix= before its
 * name). The keys are the data's, asked of it before the search runs; a string is its text, a
 * number its text as Splunk keeps it, true/false their words, an array a multivalue field of its
 * elements (objects inside as JSON text), an object its JSON text, a JSON null no value.
 */
/**
 * The question fromjson asks, as steps: each top-level key of the objects, in key order, with the
 * JSON types its values have (`key<TAB>ARRAY,VARCHAR`).
 */
function keyTypes(object: Expr, rel: Relation, b: Builder): Relation {
  const j = column('__j', 'string');
  const objects = b.step({ kind: 'project', input: rel.id, columns: [{ name: '__j', expr: object }] });
  const only = b.step({ kind: 'filter', input: objects.id, condition: call('eq', [call('json_type', [j], 'string'), lit('OBJECT')], 'bool') });
  const keys = b.step({ kind: 'unnest', input: only.id, column: '__key', list: call('json_keys', [j], 'mv') },
    { fields: new Map([['__j', { type: 'string', origin: INTERNAL }], ['__key', { type: 'string', origin: INTERNAL }]]), raw: false, removed: new Set() });
  const key = column('__key', 'string');
  // A key as a JSON Pointer (`/name`, `~` and `/` escaped): any key, whatever its characters.
  const pointer = call('concat', [lit('/'), call('replace', [call('replace', [key, lit('~'), lit('~0')], 'string'), lit('/'), lit('~1')], 'string')], 'string');
  const typed = b.step({ kind: 'project', input: keys.id, columns: [{ name: '__key', expr: key }, { name: '__type', expr: call('json_type_at', [j, pointer], 'string') }] });
  const type = column('__type', 'string');
  const types = aggregate('string_agg', [type, lit(',')], 'string', { distinct: true, order: [{ expr: type, desc: false, nulls: 'last' }] });
  const grouped = b.step({ kind: 'aggregate', input: typed.id, groups: [{ name: '__key', expr: key }], aggregates: [{ name: '__types', expr: types }] });
  const tab = call('concat', [call('concat', [key, lit('\t')], 'string'), column('__types', 'string')], 'string');
  return b.step({ kind: 'project', input: grouped.id, columns: [{ name: '__kt', expr: tab }, { name: '__seq', expr: rowNumber([{ expr: key, desc: false, nulls: 'last' }]) }] });
}

const fromjson: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, FROMJSON_OPTIONS);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'fromjson takes one field: fromjson <field> [prefix=<text>]', words[1]?.span ?? cmd.span);
  const prefix = args.option('prefix') ?? '';
  const source = toString(fieldRef(words[0]!.value, { rel, b }));
  const object = b.vars.share(source, (s) => caseOf([{ when: call('json_valid', [s], 'bool'), then: s }], null, 'string'));
  const answer = b.ask(keyTypes(object, rel, b), ['__kt'], `the keys of the JSON objects in ${words[0]!.value}`, true);
  if (!answer) {
    b.notes.push(`fromjson: one field per top-level key of ${words[0]!.value}, discovered when the search runs`);
    return rel;
  }
  const values: [string, Compiled][] = [];
  for (const row of answer) {
    if (row === null) continue;
    const [key, types] = row.split('\t') as [string, string];
    const kinds = new Set(types.split(','));
    const path = lit(jsonPath([key]));
    const at = (j: Expr) => call('json_extract_string', [j, path], 'string');
    if (kinds.has('ARRAY')) {
      const all = lit(`${jsonPath([key])}[*]`);
      const list = b.vars.share(object, (j) => caseOf([
        { when: call('eq', [call('json_type_at', [j, path], 'string'), lit('ARRAY')], 'bool'), then: call('null_if_empty', [call('list_filter', [call('json_extract_string', [j, all], 'mv'), b.vars.lambda('string', (x) => call('is_not_null', [x], 'bool'))], 'mv')], 'mv') },
      ], toList(at(j)), 'mv'));
      values.push([prefix + key, list]);
    } else if ([...kinds].every((k) => ['BIGINT', 'UBIGINT', 'DOUBLE', 'NULL'].includes(k)) && !kinds.has('VARCHAR')) {
      values.push([prefix + key, call('try_double', [at(object)], 'number')]);
    } else {
      values.push([prefix + key, at(object)]);
    }
  }
  return values.length ? assign(rel, b, values) : rel;
};

export const JSON_COMMANDS: CommandSpec[] = [
  {
    name: 'tojson',
    options: TOJSON_OPTIONS,
    rowPreserving: true,
    reference: {
      section: 'Fields and values',
      summary: 'Writes each result\'s fields as a JSON object into `_raw` (`output_field=`): every field, or those named, typed by `auto()`, `bool()`, `json()`, `none()`, `num()`, `str()` (see below)',
      example: '* | table eventName user src | tojson str(user) auto(src) output_field=doc',
    },
    build: tojson,
  },
  {
    name: 'fromjson',
    options: FROMJSON_OPTIONS,
    rowPreserving: true,
    reference: {
      section: 'Fields and values',
      summary: 'Makes a field of each top-level key of a JSON object held in a field (`prefix=` before the names); arrays become multivalue fields',
      example: '| makeresults | eval j="{\\"user\\": \\"ana\\", \\"roles\\": [\\"a\\", \\"b\\"]}" | fromjson j prefix=j_',
    },
    build: fromjson,
  },
];
