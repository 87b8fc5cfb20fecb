// The `search` command's language -> a SQL condition that is never NULL. Splunk's rules:
// values match case-insensitively with `*` wildcards, field names are case-sensitive, a
// multivalue field matches when any value does, `f!=x` needs f to exist while `NOT f=x` keeps
// events without f, and bare terms match whole segments of `_raw`.
import type { SearchExpr, SearchValue } from '../../grammar/ast.js';
import type { Builder } from './builder.js';
import { fieldRef } from './expr.js';
import { wildcardMatch } from './patterns.js';
import { ident, num, regexLiteral, str } from './sql.js';
import { resolveTime } from './time.js';
import type { Compiled, Relation } from './types.js';

// Splunk's major and minor breakers; a bare term must be bounded by them (or the text's ends).
const BREAKERS = `\\s\\[\\]<>(){}|!;,'"*&?+/:=@.\\-$#%\\\\_`;
const MAJOR = `\\s\\[\\]<>(){}|!;,'"*&?+`;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** `locals`: fields assigned earlier in the same eval (for searchmatch), which have no column yet. */
export function compileSearchExpr(e: SearchExpr, rel: Relation, b: Builder, locals?: Map<string, Compiled>): string {
  switch (e.kind) {
    case 'and':
      return `(${e.items.map((i) => compileSearchExpr(i, rel, b, locals)).join(' AND ')})`;
    case 'or':
      return `(${e.items.map((i) => compileSearchExpr(i, rel, b, locals)).join(' OR ')})`;
    case 'not':
      return `(NOT ${compileSearchExpr(e.item, rel, b, locals)})`;
    case 'term':
      return termCondition(e.value, rel);
    case 'in': {
      const field = fieldRef(e.field, { rel, b, locals });
      if (e.values.length === 0) return 'false';
      if (field.type === 'mv') {
        // One pass over the list (the JSON path is extracted once, not once per value).
        const v: Compiled = { sql: '__v', type: 'string' };
        return `coalesce(list_bool_or(list_transform(${field.sql}, __v -> ${e.values.map((x) => `coalesce(${matchValue(v, x)}, false)`).join(' OR ')})), false)`;
      }
      return `(${e.values.map((v) => `coalesce(${matchValue(field, v)}, false)`).join(' OR ')})`;
    }
    case 'compare':
      return compareCondition(e, rel, b, locals);
    case 'subsearch':
      return b.subsearchCondition(e.pipeline, rel, e.span);
  }
}

function compareCondition(e: Extract<SearchExpr, { kind: 'compare' }>, rel: Relation, b: Builder, locals?: Map<string, Compiled>): string {
  const name = e.field;
  if (name === 'earliest' || name === 'latest' || name === '_index_earliest' || name === '_index_latest') {
    const t = resolveTime(e.value.value, b.options.now);
    if (t === null) throw b.err('bad-time', `cannot read ${JSON.stringify(e.value.value)} as a time`, e.value.span, ['use a relative time such as -24h@h, @d, -7d@w0, now, epoch seconds, or 11/27/2026:00:00:00']);
    if (name.endsWith('earliest')) return `coalesce("_time" >= ${num(t)}, false)`;
    return `coalesce("_time" < ${num(t)}, false)`;
  }
  if (name.includes('*')) return wildcardFieldCondition(e, rel, b);
  const field = fieldRef(name, { rel, b, locals });
  return fieldCondition(field, e.op, e.value);
}

/**
 * Values a JSON text holds as they are: JSON escapes none of these characters (a `/` may be
 * written `\/`), and the loader's JSON never spells a letter as `\u0041`.
 */
const VERBATIM_IN_JSON = /^[A-Za-z0-9._:@+=-]+$/;

export function fieldCondition(field: Compiled, op: string, value: SearchValue): string {
  if (op === '=' && field.json && VERBATIM_IN_JSON.test(value.value) && !NUMBER.test(value.value)) {
    // Extracting a path parses the row's whole JSON object; a substring test of its text first
    // lets most rows skip that (the value, any case, must appear in the text to be equal).
    return `CASE WHEN contains(lower(CAST(${field.json} AS VARCHAR)), ${str(value.value.toLowerCase())}) THEN coalesce(${matchValue(field, value)}, false) ELSE false END`;
  }
  if (op === '=') return `coalesce(${matchValue(field, value)}, false)`;
  if (op === '!=') return `(${field.sql} IS NOT NULL AND NOT coalesce(${matchValue(field, value)}, false))`;
  return `coalesce(${orderValue(field, op, value.value)}, false)`;
}

/** Field condition for `requestParameters.*=x`: any explicit field matching the pattern. */
function wildcardFieldCondition(e: Extract<SearchExpr, { kind: 'compare' }>, rel: Relation, b: Builder): string {
  const re = new RegExp('^' + e.field.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  const names = [...rel.fields.keys()].filter((f) => !f.startsWith('__') && re.test(f));
  const conditions = names.map((f) => fieldCondition({ sql: ident(f), type: rel.fields.get(f)!.type }, e.op, e.value));
  // Keys inside a nested object cannot be listed ahead of time: match the value in its JSON text.
  const head = e.field.split('.')[0]!;
  if (rel.raw && !head.includes('*') && e.op === '=' && !rel.fields.has(head)) {
    const json = fieldRef(head, { rel, b });
    if (json.type === 'string') {
      conditions.push(e.value.value === '*' ? `(${json.sql} IS NOT NULL)` : `coalesce(${wildcardMatch(json.sql, `*"${e.value.value}"*`)}, false)`);
    }
  }
  void b;
  return conditions.length ? `(${conditions.join(' OR ')})` : 'false';
}

/** Equality with Splunk's search semantics; may be NULL (callers coalesce). */
export function matchValue(field: Compiled, value: SearchValue): string {
  if (field.type === 'unknown') return 'false';
  if (field.type === 'mv') {
    return `list_bool_or(list_transform(${field.sql}, __v -> ${matchValue({ sql: '__v', type: 'string' }, value)}))`;
  }
  const v = value.value;
  const text = field.type === 'string' ? field.sql : field.type === 'number' ? `spl_num2str(${field.sql})` : `CAST(${field.sql} AS VARCHAR)`;
  if (v === '*') return `(${field.sql} IS NOT NULL)`;
  if (CIDR.test(v)) return `spl_cidrmatch(${str(v)}, ${text})`;
  if (v.includes('*')) return wildcardMatch(text, v);
  if (NUMBER.test(v)) {
    if (field.type === 'number') return `(${field.sql} = ${num(Number(v))})`;
    return `(${caseless(text, v)} OR TRY_CAST(${text} AS DOUBLE) = ${num(Number(v))})`;
  }
  return `(${caseless(text, v)})`;
}

/**
 * Case-insensitive equality. `x ILIKE 'v'` with no wildcard runs about twice as fast in DuckDB
 * as `lower(x) = 'v'` (measured: 1M rows, 10-28 ms vs 57-71 ms), but only without an ESCAPE
 * clause, so values holding LIKE's own `%`, `_` or `\` keep the lower() form; so do values
 * holding NUL, which ILIKE never matches.
 */
function caseless(text: string, v: string): string {
  return /[%_\\\u0000]/.test(v) ? `lower(${text}) = lower(${str(v)})` : `${text} ILIKE ${str(v)}`;
}

function orderValue(field: Compiled, op: string, v: string): string {
  if (field.type === 'unknown') return 'false';
  if (field.type === 'mv') return `list_bool_or(list_transform(${field.sql}, __v -> ${orderValue({ sql: '__v', type: 'string' }, op, v)}))`;
  if (NUMBER.test(v)) {
    const x = field.type === 'number' ? field.sql : `TRY_CAST(${field.sql} AS DOUBLE)`;
    return `(${x} ${op} ${num(Number(v))})`;
  }
  const text = field.type === 'number' ? `spl_num2str(${field.sql})` : field.sql;
  return `(${text} ${op} ${str(v)})`;
}

/** A regex matching the term as whole segments, case-insensitively; `*` stays within a segment. */
export function termRegex(term: string): string {
  const body = term
    .split('*')
    .map((part) => regexLiteral(part))
    .join(`[^${MAJOR}]*`);
  return `(?i)(?:^|[${BREAKERS}])${body}(?:$|[${BREAKERS}])`;
}

function termCondition(value: SearchValue, rel: Relation): string {
  const term = value.value;
  if (term === '*' || term === '') return 'true';
  const raw = rel.raw || rel.fields.has('_raw');
  if (raw) {
    // A cheap substring test first, so the regex runs only on rows that can match. Measured on
    // 1M events (`AccessDenied`): coalesce(ILIKE ... ESCAPE AND regex, false) 8.0 s, because the
    // coalesce hides the AND from DuckDB and both sides run on every row; this CASE 2.1 s.
    // contains(lower()) is 3x faster than ILIKE '%x%' and 5x faster with an ESCAPE clause.
    // The result is never NULL (a NULL _raw gives false), which NOT relies on.
    const regex = `regexp_matches("_raw", ${str(termRegex(term))})`;
    const parts = [...new Set(term.split('*').filter((p) => p !== '').map((p) => p.toLowerCase()))];
    if (parts.length === 0) return `coalesce(${regex}, false)`;
    const lowered = parts.map((p) => `contains(lower("_raw"), ${str(p)})`).join(' AND ');
    return `CASE WHEN ${lowered} THEN ${regex} ELSE false END`;
  }
  // Without _raw (after stats, table...), a term matches any field's value.
  const names = [...rel.fields.keys()].filter((f) => !f.startsWith('__'));
  if (names.length === 0) return 'false';
  return `(${names.map((f) => `coalesce(${wildcardMatch(`CAST(${ident(f)} AS VARCHAR)`, `*${term}*`)}, false)`).join(' OR ')})`;
}
