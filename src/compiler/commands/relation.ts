// What the commands share: a relation's columns, adding or keeping columns, field names with
// wildcards, sort keys, and regular expressions checked with a caret.
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { describe } from '../args.js';
import { withFields, type Builder } from '../builder.js';
import { eventColumn } from '../cloudtrail-schema.js';
import { toNumber, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { translateRegex, type RegexError } from '../regex.js';
export { carriesEvents, expandNames, matchingFields, wildcardRegex } from './wildcards.js';
import { aggregate, call, column, int, type Expr, type SortKey } from '../ir/expr.js';
import type { Column, Schema } from '../ir/plan.js';
import { fieldOf } from '../ir/schema.js';
import type { Compiled, FieldInfo, Relation } from '../types.js';
import { EVENT, INTERNAL } from '../ir/origin.js';

type Generic = Extract<Command, { kind: 'generic' }>;

export function generic(cmd: Command, b: Builder): Generic {
  if (cmd.kind !== 'generic') throw b.err('syntax', `unexpected use of ${cmd.name}`, cmd.span);
  return cmd;
}

/**
 * True when a column of this name physically exists in the relation. An event column renamed
 * away or removed with `fields -` was excluded from it (a later `eval` of that name adds it).
 */
export function hasColumn(rel: Relation, name: string): boolean {
  return rel.fields.has(name) || (rel.raw && !rel.removed.has(name) && eventColumn(name) !== undefined);
}

/**
 * Add or replace columns (the event fields overwritten keep their originals: Builder.step).
 * `unread`: see the extend step's (ir/plan.ts).
 */
export function assign(rel: Relation, b: Builder, values: [string, Compiled][], unread?: 'droppable'): Relation {
  const columns: Column[] = [];
  const seen = new Set<string>();
  const fields: [string, FieldInfo][] = [];
  for (const [name, c] of values) {
    if (seen.has(name)) continue;
    seen.add(name);
    columns.push({ name, expr: c });
    fields.push([name, fieldOf(name, c, rel)]);
  }
  const removed = new Set([...rel.removed].filter((r) => !seen.has(r)));
  return b.step({ kind: 'extend', input: rel.id, columns, ...(unread ? { unread } : {}) }, { fields: withFields(rel, fields), raw: rel.raw, removed });
}

/** Keep only the given expressions (and `__seq`): the relation loses the raw event columns. */
export function project(rel: Relation, b: Builder, values: [string, Compiled, FieldInfo?][], keepRaw: string[] = []): Relation {
  const columns: Column[] = [];
  const fields = new Map<string, FieldInfo>();
  for (const [name, c, info] of values) {
    if (fields.has(name)) continue;
    columns.push({ name, expr: c });
    fields.set(name, info ?? fieldOf(name, c, rel));
  }
  for (const name of keepRaw) {
    if (fields.has(name) || !hasColumn(rel, name)) continue;
    const info: FieldInfo = { type: name === '_time' ? 'number' : 'string', origin: EVENT };
    columns.push({ name, expr: column(name, info.type) });
    fields.set(name, info);
  }
  columns.push({ name: '__seq', expr: column('__seq', 'number') });
  fields.set('__seq', { type: 'number', origin: INTERNAL });
  return b.step({ kind: 'project', input: rel.id, columns }, { fields, raw: false, removed: new Set() });
}


/**
 * Sort keys for Splunk's sort. `value`: numbers numerically before strings, strings lexically
 * (the order of grouped results). `auto` (the sort command's default) also puts IPv4 addresses in
 * address order, after the numbers and before other text, as Splunk's sort does; `ip` sorts
 * addresses as addresses and other text after them; `num` and `str` force one type.
 */
export function sortTerms(c: Compiled, desc: boolean, mode: SortMode = 'value', mayBeMissing = false): SortKey[] {
  if (mode === 'num' || (c.type === 'number' && mode !== 'ip')) return [{ expr: toNumber(c), desc, nulls: 'last' }];
  const s = toString(c);
  if (mode === 'str') return [{ expr: s, desc, nulls: 'last' }];
  // Numbers before strings ascending, after them descending. Events without the field go last
  // in both directions (Splunk: "smallest possible value if descending, largest if
  // ascending"), which the numeric key alone would get wrong when descending.
  const missing: SortKey[] = mayBeMissing && desc ? [{ expr: call('is_null', [s], 'bool'), desc: false, nulls: 'last' }] : [];
  const others = desc ? 'first' as const : 'last' as const;
  const address: SortKey = { expr: call('ip4', [s], 'number'), desc, nulls: others };
  if (mode === 'ip') return [...missing, address, { expr: s, desc, nulls: 'last' }];
  const number: SortKey = { expr: call('try_double', [s], 'number'), desc, nulls: others };
  return [...missing, number, ...(mode === 'auto' ? [address] : []), { expr: s, desc, nulls: 'last' }];
}

export type SortMode = 'value' | 'auto' | 'num' | 'str' | 'ip';

export function sortKeys(items: Arg[], rel: Relation, b: Builder): SortKey[] {
  const terms: SortKey[] = [];
  let pendingSign: string | null = null;
  // A trailing `d`/`desc` reverses every key.
  const last = items[items.length - 1];
  const reverseAll = items.length > 1 && last?.kind === 'word' && !last.quoted && /^(desc|d)$/i.test(last.value);
  (reverseAll ? items.slice(0, -1) : items).forEach((a) => {
    if (a.kind === 'word' && !a.quoted && (a.value === '-' || a.value === '+')) {
      pendingSign = a.value;
      return;
    }
    let name: string;
    let mode: SortMode = 'auto';
    let sign = pendingSign ?? '+';
    pendingSign = null;
    const typed = a.kind === 'call' ? /^([-+]?)(num|str|auto|ip)$/i.exec(a.name) : null;
    if (a.kind === 'call' && typed && a.args.length === 1 && a.args[0]!.kind === 'word') {
      // `-str(url)`, as Splunk's own example writes it: the sign comes with the function name.
      if (typed[1]) sign = typed[1];
      mode = typed[2]!.toLowerCase() as SortMode;
      name = (a.args[0] as { value: string }).value;
    } else if (a.kind === 'word') {
      name = a.value;
    } else {
      throw b.err('bad-argument', `expected a field to sort by, found ${describe(a)}`, a.span);
    }
    if (!(a.kind === 'word' && a.quoted) && (name.startsWith('-') || name.startsWith('+'))) {
      sign = name[0]!;
      name = name.slice(1);
    }
    terms.push(...sortTerms(fieldRef(name, { rel, b }), (sign === '-') !== reverseAll, mode, true));
  });
  return terms;
}

export const SEQ = column('__seq', 'number');

/** The rows numbered by these keys (then their old order), the first `limit` kept (0: all). */
export function sortRelation(rel: Relation, b: Builder, terms: SortKey[], limit: number): Relation {
  const order: SortKey[] = [...terms, { expr: SEQ, desc: false, nulls: 'last' }];
  const numbered = b.step({ kind: 'extend', input: rel.id, columns: [{ name: '__seq', expr: rowNumber(order) }] });
  return limit > 0 ? b.step({ kind: 'filter', input: numbered.id, condition: call('le', [SEQ, int(limit)], 'bool') }) : numbered;
}

/** `row_number() OVER (...)`. */
export function rowNumber(order: SortKey[], partition: Expr[] = []): Expr {
  return aggregate('row_number', [], 'number', { over: { partition, order } });
}

/** The same schema as a relation's (a step that keeps its columns). */
export function same(rel: Relation): Schema {
  return { fields: rel.fields, raw: rel.raw, removed: rel.removed };
}

export function regexOrFail(b: Builder, pattern: string, span: Span) {
  try {
    return translateRegex(pattern);
  } catch (err) {
    throw b.err('bad-regex', `invalid regular expression: ${(err as RegexError).message}`, span);
  }
}
