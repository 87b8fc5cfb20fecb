// Field names with wildcards over the events of the Athena CloudTrail table (docs/athena.md),
// for a search printed for Trino. Splunk's fields are the names some result has a value for
// (wildcards.ts); on the table they are its columns, known from its DDL (athena-schema.ts): the
// text columns, the leaves of its structs, `resources{}`'s members, and the add-on's fields over
// them. Which of them some event has is asked of the engine the search runs on, in one pass over
// the events. The keys of the one map (webIdFederationData.attributes) are asked there too. The
// keys inside the objects the table keeps as JSON text (requestParameters...) are not: a name
// there is a path at any depth, which Trino has no function to list, so such a pattern is refused
// by name.
import { addonFieldNames } from '../addon-fields.js';
import { JSON_TEXT, RESOURCE, SCALARS, STRUCTS, type Member } from '../athena-schema.js';
import { made, type Builder } from '../builder.js';
import { priorValue } from '../expr.js';
import { aggregate, call, caseOf, column, lit, mapExpr, type Expr } from '../ir/expr.js';
import { INTERNAL, isMade } from '../ir/origin.js';
import { NoDialectForm } from '../print/expr.js';
import { regexLiteral } from '../sql.js';
import type { Relation } from '../types.js';

/** Every leaf of a struct, by CloudTrail's names; the map members apart (their keys are data). */
function leaves(prefix: string, members: readonly Member[], out: { leaves: string[]; maps: string[] }): void {
  for (const m of members) {
    const name = `${prefix}.${m.key}`;
    if (m.map) out.maps.push(name);
    else if (m.members) leaves(name, m.members, out);
    else out.leaves.push(name);
  }
}

function tableFields(): { names: string[]; maps: string[] } {
  const out = { leaves: [] as string[], maps: [] as string[] };
  for (const [column, members] of Object.entries(STRUCTS)) leaves(column, members, out);
  const resources = RESOURCE.map((m) => `resources{}.${m.key}`);
  return { names: [...SCALARS, ...out.leaves, ...resources, ...addonFieldNames()], maps: out.maps };
}

/** A field under `path` may match: the pattern's fixed start agrees with the path's. */
function mayMatchUnder(path: string, pattern: string): boolean {
  const i = pattern.indexOf('*');
  const p = i < 0 ? pattern : pattern.slice(0, i);
  return [`${path}.`, `${path}{}`].some((start) => start.startsWith(p) || p.startsWith(start));
}

/**
 * The names of the fields of the table's events that match `pattern` (`whole`) and that some
 * event has, sorted as Splunk lists them; undefined until the engine answers.
 */
export function athenaFieldsMatching(rel: Relation, pattern: string, whole: RegExp, b: Builder): string[] | undefined {
  const what = `the fields matching ${pattern}`;
  const text = [...JSON_TEXT].find((c) => !rel.removed.has(c) && !isMade(rel.fields.get(c)?.origin) && mayMatchUnder(c, pattern));
  if (text) {
    throw new NoDialectForm(pattern, 'trino', `${what}: the keys inside ${text} (JSON text in the Athena table, at any depth) cannot be listed by Trino; name the fields, or give a pattern that does not reach into ${text}`);
  }
  if (!rel.raw) throw new NoDialectForm(pattern, 'trino', `${what}: the fields of merged events (transaction) are listed from the local data only`);
  const visible = (name: string) => whole.test(name) && !rel.removed.has(name) && !isMade(rel.fields.get(name)?.origin);
  const { names, maps } = tableFields();
  const flat = [...new Set(names)].filter(visible);
  const values = flat.map((name) => priorValue(name, { rel, b }));
  const fromRaw = flat.find((_n, i) => readsRaw(values[i]!));
  if (fromRaw) throw new NoDialectForm(pattern, 'trino', `${what}: ${fromRaw} is found in each event's raw text, which the Athena table does not keep; name the fields instead`);
  const found: string[] = [];
  let answered = true;
  if (flat.length) {
    // One pass over the events: whether each field has a value in some event ('true' > 'false').
    const has = (value: Expr) => aggregate('max', [caseOf([{ when: call('is_not_null', [value], 'bool'), then: lit('true') }], lit('false'), 'string')], 'string');
    const seen = b.step({ kind: 'aggregate', input: rel.id, groups: [], aggregates: values.map((value, i) => ({ name: `__has${i}`, expr: has(value) })) },
      { fields: new Map(flat.map((_n, i) => [`__has${i}`, { type: 'string', origin: INTERNAL }])), raw: false, removed: new Set() });
    const answer = b.ask(seen, flat.map((_n, i) => `__has${i}`), what, false, true);
    if (answer) flat.forEach((name, i) => answer[i] === 'true' && found.push(name));
    else answered = false;
  }
  for (const map of maps.filter((m) => mayMatchUnder(m, pattern))) {
    const keys = mapKeys(rel, map, pattern, b);
    if (keys) found.push(...keys.filter(visible));
    else answered = false;
  }
  return answered ? [...new Set(found)].sort() : undefined;
}

function readsRaw(e: Expr): boolean {
  let found = false;
  mapExpr(e, (x) => (x.kind === 'column' && x.name === '_raw' ? ((found = true), x) : undefined));
  return found;
}

/** `map`'s keys some event has, as field names under it that match `pattern`; undefined until answered. */
function mapKeys(rel: Relation, map: string, pattern: string, b: Builder): string[] | undefined {
  const [col, ...segments] = map.split('.');
  // A path of type struct: the map itself, which only map_keys reads (print/trino.ts).
  const value: Expr = { kind: 'path', column: col!, segments, event: false, type: 'struct' };
  const listed = b.step({ kind: 'project', input: rel.id, columns: [{ name: '__keys', expr: call('json_keys', [value], 'mv') }] },
    { fields: new Map([['__keys', { type: 'mv', origin: INTERNAL }]]), raw: false, removed: new Set() });
  const each = b.step({ kind: 'unnest', input: listed.id, column: '__key', list: column('__keys', 'mv') },
    { fields: new Map([['__keys', { type: 'mv', origin: INTERNAL }], ['__key', { type: 'string', origin: INTERNAL }]]), raw: false, removed: new Set() });
  const path = call('concat', [lit(`${map}.`), column('__key', 'string')], 'string');
  const named = b.step({ kind: 'project', input: each.id, columns: [{ name: 'path', expr: path }] }, { fields: new Map([['path', made('string')]]), raw: false, removed: new Set() });
  const p = column('path', 'string');
  const re = pattern.split('*').map(regexLiteral).join('.*');
  const kept = b.step({ kind: 'filter', input: named.id, condition: call('and', [call('regexp_full_match', [p, lit(re)], 'bool'), call('regexp_full_match', [p, lit('[\\w.{}@:-]+')], 'bool')], 'bool') });
  const answer = b.ask(b.step({ kind: 'distinct', input: kept.id }), ['path'], `the fields matching ${pattern}`, false, true);
  return answer?.filter((v): v is string => v !== null);
}
