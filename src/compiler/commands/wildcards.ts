// Field names with wildcards (`userIdentity.*`, `*Name`, `*`) over events: the names they match
// are the fields the rows at that point have, which only the data knows. Splunk's fields of a
// CloudTrail event are its top-level keys, every dotted path inside its nested objects
// (`resources{}.ARN`), and the add-on's fields; a name that no row has is no field. The compiler
// asks the data (a discovery) and, until answered, matches only the fields it knows.
import { addonFieldNames } from '../addon-fields.js';
import type { Builder } from '../builder.js';
import { JSON_COLUMNS, SCALAR_COLUMNS } from '../cloudtrail-schema.js';
import { priorValue } from '../expr.js';
import { duckdbSql as sql } from '../print/duckdb.js';
import { ident, regexLiteral, str } from '../sql.js';
import type { Relation } from '../types.js';
import { isMade } from '../ir/origin.js';
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
 * Names of the fields of an events relation that match `pattern` and that some row has, sorted
 * (Splunk lists the fields a wildcard matches in name order). Undefined until the data answers.
 */
export function eventFieldsMatching(rel: Relation, pattern: string, b: Builder): string[] | undefined {
  const whole = wildcardRegex(pattern);
  const visible = (name: string) => whole.test(name) && !rel.removed.has(name) && !isMade(rel.fields.get(name)?.origin);
  const parts: string[] = [];
  // Top-level keys, and add-on fields: present when some row has a value.
  const flat = [...SCALAR_COLUMNS.map((c) => c.name), ...addonFieldNames()].filter(visible);
  for (const name of new Set(flat)) {
    parts.push(`SELECT ${str(name)} AS path WHERE EXISTS (SELECT 1 FROM ${rel.name} WHERE ${sql(priorValue(name, { rel, b }))} IS NOT NULL)`);
  }
  // Every leaf path inside the nested objects, arrays written `{}` as Splunk names them.
  for (const c of JSON_COLUMNS) {
    if (rel.removed.has(c.name) || isMade(rel.fields.get(c.name)?.origin) || !mayMatchUnder(c.name, pattern)) continue;
    const path = `${str(c.name)} || regexp_replace(regexp_replace(t.fullkey, '\\[[0-9]+\\]', '{}', 'g'), '^\\$', '')`;
    parts.push(`SELECT DISTINCT ${path} AS path FROM ${rel.name} r, json_tree(r.${ident(c.name)}) t WHERE t.type NOT IN ('OBJECT', 'ARRAY')`);
  }
  if (parts.length === 0) return [];
  // Keys that need quoting in a path (spaces, quotes) are not field names Splunk makes either.
  const select = `SELECT DISTINCT path FROM (\n${parts.join('\nUNION ALL\n')}\n) WHERE regexp_full_match(path, ${str(re2(pattern))}) AND regexp_full_match(path, '[\\w.{}@:-]+') ORDER BY path`;
  const answer = b.discover(select, `the fields matching ${pattern}`);
  return answer?.filter((p): p is string => p !== null).filter((p) => !rel.removed.has(p));
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
  const found = rel.raw && includeEvent && b ? eventFieldsMatching(rel, pattern, b) : undefined;
  if (!found) return known;
  const made = known.filter((n) => isMade(rel.fields.get(n)?.origin));
  return [...new Set([...made, ...found])].sort();
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
