// cluster: groups results whose field (default _raw) reads alike, and labels each group.
// https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/cluster
// https://help.splunk.com/splunk-enterprise/search/search-manual/10.0/advanced-statistics/detecting-patterns
// Splunk documents the options and the output (labels 1..n, one result per cluster unless
// labelonly=t, cluster_count with showcount=t), not its algorithm. spelunk's rule, exact and
// deterministic (docs/reference.md says the same):
// - a value is cut into terms at the delimiters (by default every character but 0-9, A-Z, a-z
//   and _); a missing value has no terms;
// - similarity: termlist, the share of positions holding the same term (over the longer list);
//   termset, the terms both have over the terms either has (Jaccard); ngramset, the same over
//   the sets of 3-character pieces of the value;
// - the distinct patterns, in the order results first show them, each join the first cluster
//   whose first pattern is at least t similar, or start the next cluster.
// The patterns are asked of the data before the search runs (at most MAX_PATTERNS of them).
import { Args } from '../args.js';
import { made, withFields, type Builder } from '../builder.js';
import { toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, column, int, lit, type Expr } from '../ir/expr.js';
import { regexLiteral } from '../sql.js';
import type { Relation } from '../types.js';
import { generic, SEQ } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { INTERNAL } from '../ir/origin.js';

const CLUSTER_OPTIONS: Options = {
  t: 'text',
  delims: 'text',
  showcount: 'bool',
  countfield: 'text',
  labelfield: 'text',
  field: 'text',
  labelonly: 'bool',
  match: ['termlist', 'termset', 'ngramset'],
};

/** The most distinct patterns cluster compares (each against every cluster's first). */
const MAX_PATTERNS = 5000;

/** Joins the terms of a pattern: a character no term holds. */
const SEP = '\u0001';

type Match = 'termlist' | 'termset' | 'ngramset';

/** The pattern of a value that cluster compares: its terms in order, its set of terms, or the value. */
function patternOf(value: Expr, match: Match, delims: string | undefined): Expr {
  const text = call('coalesce', [value, lit('')], 'string');
  if (match === 'ngramset') return text;
  const term = delims === undefined ? '[0-9A-Za-z_]+' : `[^${[...delims].map((c) => regexLiteral(c).replace(/\]/g, '\\]')).join('')}]+`;
  let terms = call('regexp_extract_all', [text, lit(term), int(0)], 'mv');
  if (match === 'termset') terms = call('list_sort', [call('list_distinct', [terms], 'mv')], 'mv');
  return call('array_to_string', [terms, lit(SEP)], 'string');
}

function grams(text: string): Set<string> {
  if (text.length < 3) return new Set([text]);
  const out = new Set<string>();
  for (let i = 0; i + 3 <= text.length; i++) out.add(text.slice(i, i + 3));
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
}

/** The similarity of two patterns, 0 to 1 (see the header). */
export function similarity(a: string, b: string, match: Match): number {
  if (match === 'ngramset') return jaccard(grams(a), grams(b));
  const ta = a === '' ? [] : a.split(SEP);
  const tb = b === '' ? [] : b.split(SEP);
  if (match === 'termset') return jaccard(new Set(ta), new Set(tb));
  const longer = Math.max(ta.length, tb.length);
  if (longer === 0) return 1;
  let same = 0;
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) if (ta[i] === tb[i]) same++;
  return same / longer;
}

/** The cluster (1-based) of each pattern, patterns in order of first appearance. */
export function clusterPatterns(patterns: string[], match: Match, t: number): number[] {
  const leaders: string[] = [];
  return patterns.map((p) => {
    const i = leaders.findIndex((l) => similarity(l, p, match) >= t);
    if (i >= 0) return i + 1;
    leaders.push(p);
    return leaders.length;
  });
}

function threshold(args: Args, b: Builder): number {
  const o = args.options.get('t');
  if (!o) return 0.8;
  const t = Number(o.value);
  if (!(t > 0 && t < 1)) throw b.err('bad-argument', `t= must be a number greater than 0 and less than 1, not ${JSON.stringify(o.value)}`, o.span);
  return t;
}

const cluster: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, CLUSTER_OPTIONS);
  const extra = args.items[0];
  if (extra) throw b.err('bad-argument', 'cluster takes options only (field=, t=, match=, showcount=, labelonly=...)', extra.span);
  const t = threshold(args, b);
  const match = (args.option('match')?.toLowerCase() ?? 'termlist') as Match;
  const delims = args.option('delims');
  if (delims === '') throw b.err('bad-argument', 'delims= needs at least one character', args.options.get('delims')!.span);
  const field = args.option('field') ?? '_raw';
  const labelField = args.option('labelfield') ?? 'cluster_label';
  const countField = args.option('countfield') ?? 'cluster_count';
  const showCount = args.bool('showcount', false);
  const labelOnly = args.bool('labelonly', false);

  const source = field === '_raw' && rel.raw ? column('_raw', 'string') : fieldRef(field, { rel, b });
  const pattern = column('__cpattern', 'string');
  const patterned = b.step({ kind: 'extend', input: rel.id, columns: [{ name: '__cpattern', expr: patternOf(toString(source), match, delims) }] },
    { fields: withFields(rel, [['__cpattern', { type: 'string', origin: INTERNAL }]]), raw: rel.raw, removed: rel.removed });
  // Each pattern once, in the order it first appears (one more than the most compared, to tell).
  const firsts = b.step({ kind: 'aggregate', input: patterned.id, groups: [{ name: '__cpattern', expr: pattern }], aggregates: [{ name: '__seq', expr: aggregate('min', [column('__seq', 'number')], 'number') }] });
  const few = b.step({ kind: 'limit', input: firsts.id, count: MAX_PATTERNS + 1 });
  const answer = b.ask(few, ['__cpattern'], `the distinct patterns of ${field} (cluster)`, true);
  let label: Expr;
  if (!answer) {
    b.notes.push(`cluster: the clusters are worked out from the data's patterns of ${field} when the search runs; the labels shown are placeholders`);
    label = lit(1, 'number');
  } else {
    if (answer.length > MAX_PATTERNS) {
      throw b.err('too-complex', `cluster compares at most ${MAX_PATTERNS} distinct patterns of ${field}; these results have more`, cmd.nameSpan,
        ['cluster a shorter field (field=eventName, field=errorMessage) or filter the results first']);
    }
    const patterns = answer.map((p) => p ?? '');
    const labels = clusterPatterns(patterns, match, t);
    const at = call('list_position', [call('list', patterns.map((p) => lit(p)), 'mv'), pattern], 'int');
    label = call('to_double', [call('list_get', [call('list', labels.map((l) => int(l)), 'list'), at], 'int')], 'number');
  }
  const labelled = b.step({ kind: 'extend', input: patterned.id, columns: [{ name: labelField, expr: label }], drop: ['__cpattern'] },
    { fields: withFields(rel, [[labelField, made('number')]]), raw: rel.raw, removed: rel.removed });
  let out: Relation = labelled;
  const byLabel = [column(labelField, 'number')];
  if (showCount) {
    out = b.step({ kind: 'extend', input: out.id, columns: [{ name: countField, expr: aggregate('count_star', [], 'number', { over: { partition: byLabel, order: [] } }) }] },
      { fields: withFields(out, [[countField, made('number')]]), raw: out.raw, removed: out.removed });
  }
  if (!labelOnly) {
    // One result per cluster: its first, in result order.
    const first = aggregate('row_number', [], 'number', { over: { partition: byLabel, order: [{ expr: SEQ, desc: false, nulls: 'last' }] } });
    out = b.step({ kind: 'filter', input: out.id, condition: call('eq', [first, int(1)], 'bool') });
  }
  return out;
};

export const CLUSTER: CommandSpec[] = [
  {
    name: 'cluster',
    options: CLUSTER_OPTIONS,
    rowPreserving: false,
    reference: {
      section: 'Statistics',
      summary: 'Groups results whose field (default `_raw`) reads alike: `cluster_label` 1..n, one result per cluster unless `labelonly=t`, `cluster_count` with `showcount=t` (spelunk\'s own documented rule, see below)',
      example: '* | cluster field=errorMessage showcount=t labelonly=t | table cluster_label cluster_count errorMessage',
    },
    build: cluster,
  },
];
