// Field names with wildcards (`userIdentity.*`, `*Name`, `*`) over events: the names they match
// are the fields the rows at that point have, which only the data knows. Splunk's fields of a
// CloudTrail event are its top-level keys, every dotted path inside its nested objects
// (`resources{}.ARN`), and the add-on's fields; a name that no row has is no field. The compiler
// asks the data (a discovery) and, until answered, matches only the fields it knows.
import { addonFieldNames } from '../addon-fields.js';
import { athenaFieldsMatching } from './athena-wildcards.js';
import { JSON_COLUMNS, SCALAR_COLUMNS } from '../cloudtrail-schema.js';
import { made, type Builder } from '../builder.js';
import { priorValue } from '../expr.js';
import { carriedColumn } from '../fields.js';
import { call, column, lit, type Expr } from '../ir/expr.js';
import { INTERNAL, isMade } from '../ir/origin.js';
import { isHidden } from '../ir/plan.js';
import { regexLiteral } from '../sql.js';
import type { Relation } from '../types.js';
import type { Aggregation } from './stats.js';

/** The pattern as an RE2 regular expression over a whole name. */
function re2(pattern: string): string {
  return pattern.split('*').map(regexLiteral).join('.*');
}

/** Literal text before the first `*`. */
function prefix(pattern: string): string {
  const i = pattern.indexOf('*');
  return i < 0 ? pattern : pattern.slice(0, i);
}

/** A nested column can hold a match: the pattern's fixed start agrees with the column's name. */
function mayMatchUnder(column: string, pattern: string): boolean {
  const p = prefix(pattern);
  return [`${column}.`, `${column}{}`].some((start) => start.startsWith(p) || p.startsWith(start));
}

/**
 * Names of the fields of an events relation, or of a transaction's results (events merged, their
 * nested objects carried: transaction.ts), that match `pattern` and that some row has, sorted
 * (Splunk lists the fields a wildcard matches in name order). Undefined until the data answers.
 * Asked as plan steps: whether some row has each top-level key and add-on field, and, per nested
 * column the pattern may reach, the paths of its leaves.
 */
function eventFieldsMatching(rel: Relation, pattern: string, b: Builder): string[] | undefined {
  const whole = wildcardRegex(pattern);
  if (b.options.athenaTable) return athenaFieldsMatching(rel, pattern, whole, b);
  const what = `the fields matching ${pattern}`;
  const visible = (name: string) => whole.test(name) && !rel.removed.has(name) && !isMade(rel.fields.get(name)?.origin);
  const found: string[] = [];
  let answered = true;
  // Top-level keys, and add-on fields: present when some row has a value.
  const names = rel.raw
    ? [...SCALAR_COLUMNS.map((c) => c.name), ...addonFieldNames()]
    : [...rel.fields].filter(([n, f]) => f.origin.kind === 'event' && !isHidden(n) && n !== '_raw').map(([n]) => n);
  const flat = [...new Set(names.filter(visible))];
  if (flat.length) {
    const one = b.step({ kind: 'generate', count: 1, time: 0 }, { fields: new Map([['_time', made('number')], ['__seq', { type: 'number', origin: INTERNAL }]]), raw: false, removed: new Set() });
    const has = b.step({ kind: 'project', input: one.id, columns: flat.map((name, i) => ({
      name: `__has${i}`,
      expr: { kind: 'exists', step: rel.id, where: call('is_not_null', [priorValue(name, { rel, b })], 'bool'), type: 'bool' },
    })) });
    const answer = b.ask(has, flat.map((_n, i) => `__has${i}`), what, false);
    if (answer) flat.forEach((name, i) => answer[i] === 'true' && found.push(name));
    else answered = false;
  }
  // Every leaf path inside the nested objects, arrays written `{}` as Splunk names them. Keys that
  // need quoting in a path (spaces, quotes) are not field names Splunk makes either.
  for (const c of JSON_COLUMNS) {
    if (rel.removed.has(c.name) || isMade(rel.fields.get(c.name)?.origin) || !mayMatchUnder(c.name, pattern)) continue;
    // A transaction's results hold each event's object in a JSON list: its leaves' paths start
    // with the list's `{}`, which is no part of the field's name; a missing object is a null leaf
    // at the list's top, no field.
    const source = rel.raw ? c.name : carriedColumn(c.name, rel);
    if (source === undefined) continue;
    // The leaves of each distinct shape of the column's values (json_structure): a json_tree of
    // every value took 80 CPU-s for userIdentity over 1M events, its shapes a few. Outside arrays
    // a shape's leaves are its values' leaves, an empty object written "JSON" (it has none: read
    // as `{}`). An array's elements are merged into one shape, which loses leaves where objects
    // or arrays met nulls or other types, and reads `[]` as `["NULL"]`: values whose shape has
    // objects or arrays in an array, or such an array of scalars, are walked themselves.
    const value = column(source, 'json');
    const shapes = b.step({ kind: 'project', input: rel.id, columns: [{ name: '__shape', expr: call('json_shape', [value], 'string') }] });
    const shape = column('__shape', 'string');
    const doubtful = (s: Expr) => call('regexp_matches', [s, lit('\\[[\\[{]|\\["(NULL|JSON)"\\]')], 'bool');
    const emptied = call('regexp_replace', [shape, lit('(^|:)"JSON"'), lit('\\1{}'), lit('g')], 'string');
    const distinct = b.step({ kind: 'aggregate', input: shapes.id, groups: [{ name: '__shape', expr: shape }], aggregates: [] });
    const sure = b.step({ kind: 'filter', input: distinct.id, condition: call('and', [call('is_not_null', [shape], 'bool'), call('not', [doubtful(shape)], 'bool')], 'bool') });
    const fromShapes = askLeaves(b.step({ kind: 'project', input: sure.id, columns: [{ name: '__paths', expr: call('json_leaf_paths', [emptied], 'mv') }] }), c.name, rel, pattern, b);
    const unsure = b.step({ kind: 'filter', input: rel.id, condition: call('coalesce', [doubtful(call('json_shape', [value], 'string')), lit(false)], 'bool') });
    const fromValues = askLeaves(b.step({ kind: 'project', input: unsure.id, columns: [{ name: '__paths', expr: call('json_leaf_paths', [value], 'mv') }] }), c.name, rel, pattern, b);
    if (fromShapes && fromValues) found.push(...fromShapes, ...fromValues);
    else answered = false;
  }
  if (!answered) return undefined;
  return [...new Set(found)].filter((p) => !rel.removed.has(p)).sort();
}

/**
 * The field names of the leaf paths `listed` holds (`__paths`, each under nested column `name`)
 * that match `pattern`, asked of the data; undefined until it answers.
 */
function askLeaves(listed: Relation, name: string, rel: Relation, pattern: string, b: Builder): string[] | undefined {
  const each = b.step({ kind: 'unnest', input: listed.id, column: '__path', list: column('__paths', 'mv') },
    { fields: new Map([['__paths', { type: 'mv', origin: INTERNAL }], ['__path', { type: 'string', origin: INTERNAL }]]), raw: false, removed: new Set() });
  // A transaction's leaves start with its list's `{}`, no part of the field's name (see above).
  const leaf = rel.raw ? column('__path', 'string') : call('regexp_replace', [column('__path', 'string'), lit('^\\{\\}'), lit('')], 'string');
  const path = call('concat', [lit(name), leaf], 'string');
  const named = b.step({ kind: 'project', input: each.id, columns: [{ name: 'path', expr: path }] });
  const p = column('path', 'string');
  const shaped = call('and', [call('regexp_full_match', [p, lit(re2(pattern))], 'bool'), call('regexp_full_match', [p, lit('[\\w.{}@:-]+')], 'bool')], 'bool');
  const kept = b.step({ kind: 'filter', input: named.id, condition: rel.raw ? shaped : call('and', [shaped, call('ne', [p, lit(name)], 'bool')], 'bool') });
  const answer = b.ask(b.step({ kind: 'distinct', input: kept.id }), ['path'], `the fields matching ${pattern}`, false);
  return answer?.filter((v): v is string => v !== null);
}

/**
 * `values(*)`, `max(*Time) as last_*`: one aggregation per field the pattern matches, named as
 * Splunk names it (`values(x)`, or the `as` name with the `*` filled in).
 */
export function expandAggregations(aggs: Aggregation[], rel: Relation, b: Builder): Aggregation[] {
  return aggs.flatMap((agg) => {
    if (agg.field === null || !agg.field.includes('*')) return [agg];
    const named = agg.name !== `${agg.func}(${agg.field})`;
    const re = wildcardRegex(agg.field);
    return matchingFields(rel, agg.field, true, b).map((field) => {
      const parts = re.exec(field)!.slice(1);
      let i = 0;
      const name = named ? agg.name.replace(/\*/g, () => parts[i++] ?? '') : `${agg.func}(${field})`;
      return { ...agg, field, name };
    });
  });
}

/**
 * Names of the relation's fields matching a Splunk wildcard pattern. Over events (with `b`), every
 * field some row has: nested paths and add-on fields included, in name order (wildcards.ts);
 * otherwise the relation's fields in their order.
 */
export function matchingFields(rel: Relation, pattern: string, includeEvent = true, b?: Builder): string[] {
  const re = wildcardRegex(pattern);
  const known = [...rel.fields]
    .filter(([name, info]) => !name.startsWith('__') && (includeEvent || isMade(info.origin)) && re.test(name))
    .map(([name]) => name);
  const found = includeEvent && b && (rel.raw || carriesEvents(rel)) ? eventFieldsMatching(rel, pattern, b) : undefined;
  if (!found) return known;
  const made = known.filter((n) => isMade(rel.fields.get(n)?.origin));
  // `_*` names the internal fields, which no event's JSON holds: _time and _raw (Splunk's fields
  // page: "use _*" for them, `fields - _*` removes them all; a plain `*` leaves them out).
  const internal = pattern.startsWith('_') ? ['_time', '_raw'].filter((n) => re.test(n) && !rel.removed.has(n)) : [];
  return [...new Set([...made, ...internal, ...found])].sort();
}

/** A transaction's results: events merged, each nested object of theirs carried (fields.ts carriedColumn). */
export function carriesEvents(rel: Relation): boolean {
  return JSON_COLUMNS.some((c) => carriedColumn(c.name, rel) !== undefined);
}

export function wildcardRegex(pattern: string): RegExp {
  return new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.*)') + '$');
}

/** Expand `a*`-style names against the relation; plain names pass through. */
export function expandNames(rel: Relation, names: string[], includeEvent: boolean, b?: Builder): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (n.includes('*')) out.push(...matchingFields(rel, n, includeEvent, b));
    else out.push(n);
  }
  return [...new Set(out)];
}
