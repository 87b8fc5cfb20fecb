// The Splunk Add-on for AWS rules, compiled once and reused. A rule such as `user` or `action` is a
// few kilobytes of SPL whose IR took most of a canned search's compile time when it was compiled
// again for every reference, in every search. A rule's IR depends only on what it reads: the
// rule (its place in the add-on's table, which fixes what the names inside it mean), the add-on
// profile, the events' own columns as the relation holds them (their types and origins, the
// originals kept of overwritten ones: addonScope), and the clock for a rule that reads it. That is
// the cache key; the pipeline's own fields are out of a rule's sight (fields.ts addonScope).
import type { Builder } from './builder.js';
import type { AddonDefinition } from './addon-fields.js';
import { DEFAULT_ADDON } from './addon/profile.js';
import { mapExpr, type Expr } from './ir/expr.js';
import { isMade } from './ir/origin.js';
import type { Relation } from './types.js';

interface Entry {
  expr: Expr;
  /** The first variable id the rule's compilation handed out, and how many. */
  first: number;
  count: number;
}

/** Enough for every rule under both profiles over a few shapes of the events' columns. */
const MAX_ENTRIES = 400;
const cache = new Map<string, Entry>();

/** Rules that read the clock or the search's text would need it in their key; none does today. */
const READS_CONTEXT = /\b(now|relative_time|time|sigfig)\s*\(|earliest|latest/;
const readsContextOf = new Map<number, boolean>();

function readsContext(def: AddonDefinition): boolean {
  let reads = readsContextOf.get(def.position.index);
  if (reads === undefined) readsContextOf.set(def.position.index, (reads = READS_CONTEXT.test(def.field.expr ?? '')));
  return reads;
}

/**
 * The rule's IR over `rel` (a relation holding the events): `compile` compiles it over the
 * relation it is given (the events' own columns only) on a miss. The variable ids the rule binds
 * are handed out by the search's own counter, as a compilation of the rule would hand them out,
 * so a cached rule prints and plans exactly as one compiled afresh.
 */
export function compiledRule(def: AddonDefinition, rel: Relation, b: Builder, compile: (scope: Relation) => Expr): Expr {
  const context = readsContext(def) ? `${b.options.now}\u0000${b.options.source}` : '';
  const key = `${b.options.addon ?? DEFAULT_ADDON}\u0001${def.position.index}\u0001${context}\u0001${eventColumnsKey(rel)}`;
  const hit = cache.get(key);
  if (hit) return hit.count === 0 ? hit.expr : renumber(hit.expr, b.vars.reserve(hit.count) - hit.first);
  const first = b.vars.used;
  const expr = compile(addonScope(rel, def));
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, { expr: deepFreeze(expr), first, count: b.vars.used - first });
  return expr;
}

/**
 * The relation an add-on rule reads: the event as loaded (the pipeline's own fields out of sight,
 * nothing removed), names resolving as at the rule's stage.
 */
export function addonScope(rel: Relation, def: AddonDefinition): Relation {
  return { ...rel, fields: new Map([...rel.fields].filter(([, f]) => !isMade(f.origin))), removed: new Set(), addonFrom: def.position };
}

/** Forget every compiled rule (tests compare a cached compilation with a fresh one). */
export function clearRuleCache(): void {
  cache.clear();
}

/** What a rule can see of `rel`: each column the pipeline did not make, with its type and origin. */
function eventColumnsKey(rel: Relation): string {
  let key = '';
  for (const [name, f] of rel.fields) {
    if (!isMade(f.origin)) key += `${name}\u0000${f.type}\u0000${f.origin.kind}\u0000`;
  }
  return key;
}

/** The expression with every variable id moved by `delta` (a copy; the cached one is frozen). */
function renumber(e: Expr, delta: number): Expr {
  return mapExpr(e, (n) => {
    switch (n.kind) {
      case 'var': return { ...n, id: n.id + delta };
      case 'let': return { ...n, id: n.id + delta, value: renumber(n.value, delta), body: renumber(n.body, delta) };
      case 'lambda': return { ...n, params: n.params.map((p) => p + delta), body: renumber(n.body, delta) };
      default: return undefined;
    }
  });
}

/** Frozen, so that a later stage changing a node in place fails loudly instead of changing other searches' SQL. */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
