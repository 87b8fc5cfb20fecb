// Field names as a Splunk user writes them, resolved against a relation: a column the pipeline
// made, an event column, a dotted path into the nested JSON (`userIdentity.arn`,
// `resources{}.accountId`), or a Splunk Add-on for AWS alias. Anything else is null, as in Splunk.
import { parseExpression } from '../../grammar/parser.js';
import { addonDefinition, addonFieldNames, type AddonDefinition } from './addon-fields.js';
import { DEFAULT_ADDON } from './addon/profile.js';
import { EVENT_COLUMNS, eventColumn, JSON_COLUMNS } from './cloudtrail-schema.js';
import { DATETIME_FIELDS, datetimeField } from './datetime-fields.js';
import { call, column, missingField, nullOf, withOrigin, type Expr as IrExpr, type FieldType } from './ir/expr.js';
import { isHidden } from './ir/plan.js';
import { copiedOrigin, INTERNAL, isMade, rawPath, type Origin } from './ir/origin.js';
import { nearest } from './suggest.js';
import type { FieldInfo, Relation } from './types.js';
import type { Expr } from '../../grammar/ast.js';

export const NULL: IrExpr = nullOf('unknown');

function columnType(type: string): FieldType {
  return type === 'DOUBLE' || type === 'BIGINT' ? 'number' : 'string';
}

const JSON_NAMES = new Set(JSON_COLUMNS.map((c) => c.name));
const addonExprs = new Map<number, Expr>();

/** Split `a.b{}.c` into ['a', 'b', '{}', 'c']. */
export function pathSegments(name: string): string[] {
  const segments: string[] = [];
  for (const part of name.split('.')) {
    let rest = part;
    const braces: string[] = [];
    while (rest.endsWith('{}')) {
      braces.push('{}');
      rest = rest.slice(0, -2);
    }
    if (rest !== '') segments.push(rest);
    segments.push(...braces);
  }
  return segments;
}

/**
 * A path into one of the nested JSON columns, or null when the name is not such a path. `event`:
 * the column still holds the event's own object.
 */
export function jsonField(name: string, event: boolean): IrExpr | null {
  const segments = pathSegments(name);
  const head = segments[0];
  if (!head || !JSON_NAMES.has(head)) return null;
  const rest = segments.slice(1);
  if (rest.length === 0) return call('to_varchar', [column(head, 'json')], 'string');
  if (!rest.includes('{}')) return { kind: 'path', column: head, segments: rest, event, type: 'string' };
  // An array none of whose elements has the key is no field at all in Splunk, not an empty one
  // (an add-on rule's coalesce() must pass over it).
  return call('null_if_empty', [{ kind: 'path', column: head, segments: rest, event, type: 'mv' }], 'mv');
}

/** A definition's rule, parsed once; null for a rule that never gives a value. */
export function addonExpr(def: AddonDefinition): Expr | null {
  if (def.field.expr === null) return null;
  let expr = addonExprs.get(def.position.index);
  if (!expr) {
    const parsed = parseExpression(def.field.expr);
    if (!parsed.expr) throw new Error(`add-on field ${def.field.name} has an invalid expression: ${parsed.diagnostics[0]?.message}`);
    expr = parsed.expr;
    addonExprs.set(def.position.index, expr);
  }
  return expr;
}

/**
 * The add-on's definition of `name` when it supplies the field in `rel`: the relation still holds
 * the events and the pipeline has not made, removed or renamed a field of that name. An add-on
 * field shadows the event field it replaces (errorCode), as in Splunk.
 */
export function addonFor(name: string, rel: Relation, profile = DEFAULT_ADDON): AddonDefinition | undefined {
  if (!rel.raw || rel.removed.has(name)) return undefined;
  const info = rel.fields.get(name);
  if (isMade(info?.origin)) return undefined;
  return addonDefinition(name, profile, rel.addonFrom);
}

export { addonFieldNames };

/** The hidden column holding an event field's original value once the pipeline changed it. */
export function originalName(name: string): string {
  return `__orig_${name}`;
}

/**
 * Columns that keep the original values of event fields about to be overwritten or dropped, so
 * add-on fields still see the event as it was (Splunk computes them before the pipeline runs).
 */
export function preserveOriginals(rel: Relation, names: string[]): [string, FieldInfo][] {
  if (!rel.raw) return [];
  const out: [string, FieldInfo][] = [];
  for (const name of new Set(names)) {
    const column = eventColumn(name);
    const info = rel.fields.get(name);
    if (!column || column.type === 'JSON' || name.startsWith('_') || isMade(info?.origin)) continue;
    if (rel.fields.has(originalName(name)) || rel.removed.has(name)) continue;
    out.push([name, { type: columnType(column.type), origin: INTERNAL }]);
  }
  return out;
}

/** Resolve a field name to a column or a path into the event, without add-on fields (see expr.ts `fieldRef`). */
export function resolveColumn(name: string, rel: Relation): IrExpr {
  const info = rel.fields.get(name);
  // Marked with where its values come from, for the schema of a step that copies it (ir/schema.ts).
  if (info) return withOrigin(column(name, info.type), carriedAddon(name, info, rel) ?? copiedOrigin(name, info.origin));
  if (rel.removed.has(name)) return NULL;
  if (!rel.raw) return carriedPath(name, rel) ?? missing(name, rel);
  // An event field the pipeline overwrote or dropped keeps its original for add-on fields (which
  // resolve against the event columns only, with nothing removed).
  const original = rel.fields.get(originalName(name));
  if (original) return withOrigin(column(originalName(name), original.type), rawPath(name));
  const event = eventColumn(name);
  if (event && event.type !== 'JSON') return withOrigin(column(name, columnType(event.type)), rawPath(name));
  const datetime = datetimeField(name, resolveColumn('_time', rel) ?? NULL, resolveColumn('eventTime', rel) ?? NULL);
  if (datetime) return datetime;
  const head = pathSegments(name)[0]!;
  const path = jsonField(name, !rel.fields.has(head) && !rel.removed.has(head));
  return path ? withOrigin(path, rawPath(name)) : missing(name, rel);
}

/**
 * The hidden column in which a transaction carries one nested object of its events, as a JSON list
 * in time order; `inOrder`: its paths give every value in that order (mvlist=t), else the
 * distinct values sorted, as the transaction merges every other field.
 */
export function carriedName(column: string, inOrder: boolean): string {
  return `__t${inOrder ? 'list' : 'json'}_${column}`;
}

/** The hidden column holding a transaction's events' objects of one nested column, if it carries them. */
export function carriedColumn(head: string, rel: Relation): string | undefined {
  return [carriedName(head, false), carriedName(head, true)].find((c) => rel.fields.has(c));
}

/** An add-on field a transaction merged from its events (an event column there, so as not to be shown unasked). */
function carriedAddon(name: string, info: FieldInfo, rel: Relation): Origin | undefined {
  if (rel.raw || info.origin.kind !== 'event') return undefined;
  addonNames ??= new Set(addonFieldNames());
  return addonNames.has(name) ? { kind: 'addon', field: name } : undefined;
}

let addonNames: Set<string> | undefined;

/** A nested path over a transaction's carried objects: each event's values, merged. */
function carriedPath(name: string, rel: Relation): IrExpr | null {
  const segments = pathSegments(name);
  const head = segments[0];
  if (!head || !JSON_NAMES.has(head) || rel.fields.has(head) || rel.removed.has(head)) return null;
  const carried = carriedColumn(head, rel);
  if (carried === undefined) return null;
  const values: IrExpr = { kind: 'path', column: carried, segments: ['{}', ...segments.slice(1)], event: false, type: 'mv' };
  const merged = carried === carriedName(head, true) ? values : call('list_sort', [call('list_distinct', [values], 'mv')], 'mv');
  return withOrigin(call('null_if_empty', [merged], 'mv'), rawPath(name));
}

/**
 * A name no column, path or add-on rule defines. Over the events it is read from each event's own
 * text, as Splunk's JSON extraction finds every key: CloudTrail adds top-level keys over time
 * (`addendum`, `eventContext`) that no column holds, and `addendum.reason=UPDATED_DATA` found
 * nothing while the events had it. Marked either way so the compiler notes it (compile.ts): a
 * mistyped name gives a silent zero in Splunk too, and an analyst may close an incident on it.
 */
function missing(name: string, rel: Relation): IrExpr {
  // An add-on rule reads fields CloudTrail may not have: that is the rule's business, not the
  // user's. A `$token$` is a parameter explain was asked to leave unfilled.
  if (rel.addonFrom || name.startsWith('_') || /^\$\w+\$$/.test(name)) return NULL;
  if (rel.raw && !rel.removed.has('_raw') && !isMade(rel.fields.get('_raw')?.origin)) return withOrigin(rawField(name), rawPath(name));
  // One search can name the same missing field 20,000 times (`x=1 OR x=1 ...`): the closest
  // names are looked for once per relation and name.
  let known = missingSeen.get(rel);
  if (!known) missingSeen.set(rel, (known = new Map()));
  let expr = known.get(name);
  if (!expr) {
    expr = missingField({ name, near: nearNames(name, rel), afterReshape: !rel.raw });
    known.set(name, expr);
  }
  return expr;
}

const missingSeen = new WeakMap<Relation, Map<string, IrExpr>>();

/** The value at a field's path in an event's text (`_raw`): one value, or each value under `{}`. */
function rawField(name: string): IrExpr {
  const segments = pathSegments(name);
  if (!segments.includes('{}')) return { kind: 'path', column: '_raw', segments, event: false, type: 'string' };
  return call('null_if_empty', [{ kind: 'path', column: '_raw', segments, event: false, type: 'mv' }], 'mv');
}

/** True for a field read from the events' text because no column, path or add-on rule defines it (see `missing`). */
export function readFromRaw(e: IrExpr): boolean {
  const path = e.kind === 'call' && e.fn === 'null_if_empty' ? e.args[0]! : e;
  return path.kind === 'path' && path.column === '_raw';
}

/** The names closest to `name` a search over `rel` could have meant. */
export function nearNames(name: string, rel: Relation): string[] {
  const names = rel.raw ? [...rel.fields.keys(), ...EVENT_COLUMNS.map((c) => c.name), ...addonFieldNames(), ...DATETIME_FIELDS] : [...rel.fields.keys()];
  return nearest(name, [...new Set(names)].filter((f) => !isHidden(f)));
}
