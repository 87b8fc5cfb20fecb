// anomalydetection method=histogram: each event's probability is the product of the frequencies
// of its field values (a categorical value: its count over all events; a number: the count of
// its histogram bin over all events), and events with an unusually small probability are
// anomalous. https://help.splunk.com/splunk-enterprise/search/spl-search-reference/10.0/search-commands/anomalydetection
// What Splunk's page leaves open, spelunk decides and docs/reference.md says:
// - numbers go into Sturges' number of equal-width bins, ceil(log2(n)) + 1, between the field's
//   smallest and largest value (a field is numeric when every value it has is a number);
// - an event without a value for a field leaves that field out of its product;
// - with no field list, every field the results have, except the internal ones (`_time`, `_raw`);
// - the threshold without pthresh is Q1 - 1.5 * IQR of log(event probability) with cutoff=false,
//   and Q1 - 3 * IQR (Tukey's outer fence: fewer anomalies, as the page says) with cutoff=true;
//   the quartiles interpolate between ranks.
import { made, withFields } from '../builder.js';
import { Args } from '../args.js';
import { toNumber, toString } from '../build/coerce.js';
import { fieldRef } from '../expr.js';
import { aggregate, call, caseOf, column, int, lit, type Expr } from '../ir/expr.js';
import type { FieldInfo, Relation } from '../types.js';
import { extend, outlierPlan, outlierSettings } from './outlier.js';
import { generic, hasColumn, same } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { INTERNAL } from '../ir/origin.js';

const ANOMALOUSVALUE = 'anomalydetection method=zscore is not supported: it runs anomalousvalue, which spelunk does not have yet';

const ANOMALYDETECTION_OPTIONS: Options = {
  method: ['histogram', 'zscore', 'iqr'],
  action: ['filter', 'annotate', 'summary', 'remove', 'rm', 'transform', 'tf'],
  pthresh: 'text',
  cutoff: 'bool',
  // anomalousvalue's options (method=zscore), then outlier's (method=iqr).
  minsupcount: { unsupported: ANOMALOUSVALUE },
  maxanofreq: { unsupported: ANOMALOUSVALUE },
  minsupfreq: { unsupported: ANOMALOUSVALUE },
  minnormfreq: { unsupported: ANOMALOUSVALUE },
  mark: 'bool',
  param: 'text',
  uselower: 'bool',
};

/** The fields the histogram method adds to each event, in Splunk's order. */
const ANNOTATIONS = ['log_event_prob', 'probable_cause', 'probable_cause_freq', 'max_freq'] as const;
const SUMMARY = ['num_anomalies', 'thresh', 'max_logprob', 'min_logprob', '1st_quartile', '3rd_quartile'] as const;

const anomalydetection: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, ANOMALYDETECTION_OPTIONS);
  const method = (args.option('method') ?? 'histogram').toLowerCase();
  if (method === 'zscore') throw b.err('bad-argument', ANOMALOUSVALUE, args.options.get('method')!.span);
  if (method === 'iqr') {
    for (const key of ['pthresh', 'cutoff']) {
      const o = args.options.get(key);
      if (o) throw b.err('bad-argument', `${key}= is for method=histogram or zscore, not method=iqr`, o.span);
    }
    return outlierPlan(rel, b, outlierSettings(args, rel, b, cmd.span));
  }
  for (const key of ['mark', 'param', 'uselower']) {
    const o = args.options.get(key);
    if (o) throw b.err('bad-argument', `${key}= is for method=iqr (outlier's options)`, o.span);
  }
  const actionOpt = args.options.get('action');
  const action = (actionOpt?.value ?? 'filter').toLowerCase();
  if (!['filter', 'annotate', 'summary'].includes(action)) {
    throw b.err('bad-argument', `action=${actionOpt!.value} is for method=iqr; method=histogram takes filter, annotate or summary`, actionOpt!.span);
  }
  const pthreshOpt = args.options.get('pthresh');
  let pthresh: number | undefined;
  if (pthreshOpt) {
    pthresh = Number(pthreshOpt.value);
    if (!(pthresh > 0 && pthresh <= 1)) throw b.err('bad-argument', `pthresh= is a probability above 0 and at most 1, not ${JSON.stringify(pthreshOpt.value)}`, pthreshOpt.span);
  }
  const fence = args.bool('cutoff', true) ? 3 : 1.5;
  const fields = fieldNames(args, rel, b, cmd.span);

  const k = fields.length;
  const num = (name: string) => column(name, 'number');
  const all = (name: string) => aggregate(name === 'count' ? 'count_star' : name, [], 'number', { over: { partition: [], order: [] } });
  const over = (fn: string, args: Expr[], partition: Expr[] = []) => aggregate(fn, args, 'number', { over: { partition, order: [] } });
  const v = (i: number) => column(`__ad_v${i}`, 'string');
  const n = (i: number) => num(`__ad_n${i}`);
  const f = (i: number) => num(`__ad_f${i}`);
  // Each field's value as text (categories) and as a number (the histogram); annotations already
  // there are replaced.
  const replaced = ANNOTATIONS.filter((a) => hasColumn(rel, a));
  const keep = { ...same(rel), fields: withFields(rel, [], replaced) };
  const values = extend(
    b,
    replaced.length ? b.step({ kind: 'extend', input: rel.id, columns: [], drop: replaced }, keep) : rel,
    fields.flatMap((name, i) => {
    const ref = fieldRef(name, { rel, b });
    return [{ name: `__ad_v${i}`, expr: toString(ref) }, { name: `__ad_n${i}`, expr: toNumber(ref) }];
    }),
  );
  const counted = extend(
    b,
    values,
    [
      { name: '__ad_total', expr: all('count') },
      ...fields.flatMap((_x, i) => [
        // A field is numeric when every value it has reads as a number.
        { name: `__ad_isnum${i}`, expr: call('and', [call('eq', [over('count', [n(i)]), over('count', [v(i)])], 'bool'), call('gt', [over('count', [v(i)]), int(0)], 'bool')], 'bool') },
        { name: `__ad_lo${i}`, expr: over('min', [n(i)]) },
        { name: `__ad_hi${i}`, expr: over('max', [n(i)]) },
        { name: `__ad_cat${i}`, expr: over('count_star', [], [v(i)]) },
      ]),
    ],
  );
  // Sturges: ceil(log2(n)) + 1 bins (the small margin keeps an exact power of two from rounding
  // up); the largest value falls in the last bin, not one past it.
  const total = num('__ad_total');
  const bins = call('add', [call('ceil', [call('sub', [call('div', [call('ln', [total], 'number'), call('ln', [lit(2, 'number')], 'number')], 'number'), lit(1e-12, 'number')], 'number')], 'number'), int(1)], 'number');
  const binned = extend(
    b,
    counted,
    fields.map((_x, i) => {
      const lo = num(`__ad_lo${i}`);
      const hi = num(`__ad_hi${i}`);
      const place = call('least', [call('floor', [call('mul', [call('div', [call('sub', [n(i), lo], 'number'), call('sub', [hi, lo], 'number')], 'number'), bins], 'number')], 'number'), call('sub', [bins, int(1)], 'number')], 'number');
      return { name: `__ad_bin${i}`, expr: caseOf([{ when: column(`__ad_isnum${i}`, 'bool'), then: caseOf([{ when: call('eq', [hi, lo], 'bool'), then: int(0) }], place, 'number') }], null, 'number') };
    }),
  );
  const freqs = extend(
    b,
    binned,
    fields.map((_x, i) => {
      const count = caseOf([{ when: call('is_null', [v(i)], 'bool'), then: lit(null, 'number') }, { when: column(`__ad_isnum${i}`, 'bool'), then: over('count_star', [], [num(`__ad_bin${i}`)]) }], num(`__ad_cat${i}`), 'number');
      return { name: `__ad_f${i}`, expr: call('div', [call('to_double', [count], 'number'), total], 'number') };
    }),
  );
  const every = fields.map((_x, i) => f(i));
  const lowest = k === 1 ? f(0) : call('least', every, 'number');
  // The probable cause is the field whose value is rarest; a tie goes to the first field named.
  const cause = caseOf(fields.map((name, i) => ({ when: call('eq', [f(i), lowest], 'bool'), then: lit(name, 'string') })), null, 'string');
  const logProb = every.map((x) => call('coalesce', [call('ln', [x], 'number'), int(0)], 'number')).reduce((a, x) => call('add', [a, x], 'number'));
  const scored = extend(
    b,
    freqs,
    [
      { name: 'log_event_prob', expr: logProb },
      { name: 'probable_cause', expr: cause },
      { name: 'probable_cause_freq', expr: lowest },
      { name: 'max_freq', expr: k === 1 ? f(0) : call('greatest', every, 'number') },
    ],
  );
  const lp = num('log_event_prob');
  const quartiles = extend(b, scored, [{ name: '__ad_q1', expr: over('quantile_cont', [lp, lit(0.25, 'number')]) }, { name: '__ad_q3', expr: over('quantile_cont', [lp, lit(0.75, 'number')]) }]);
  const q1 = num('__ad_q1');
  const q3 = num('__ad_q3');
  const threshold = pthresh !== undefined ? lit(Math.log(pthresh), 'number') : call('sub', [q1, call('mul', [lit(fence, 'number'), call('sub', [q3, q1], 'number')], 'number')], 'number');
  const thresholded = extend(b, quartiles, [{ name: '__ad_thresh', expr: threshold }]);
  const anomalous = call('lt', [lp, num('__ad_thresh')], 'bool');
  if (action === 'summary') {
    const first = (x: Expr) => aggregate('any_value', [x], 'number');
    const out = new Map<string, FieldInfo>(SUMMARY.map((name) => [name, made('number')]));
    const summary = b.step(
      {
        kind: 'aggregate',
        input: thresholded.id,
        groups: [],
        aggregates: [
          { name: 'num_anomalies', expr: aggregate('count_star', [], 'number', { filter: anomalous }) },
          { name: 'thresh', expr: call('exp', [first(num('__ad_thresh'))], 'number') },
          { name: 'max_logprob', expr: aggregate('max', [lp], 'number') },
          { name: 'min_logprob', expr: aggregate('min', [lp], 'number') },
          { name: '1st_quartile', expr: first(q1) },
          { name: '3rd_quartile', expr: first(q3) },
        ],
      });
    const withSeq = new Map(out);
    withSeq.set('__seq', { type: 'number', origin: INTERNAL });
    return b.step({ kind: 'extend', input: summary.id, columns: [{ name: '__seq', expr: int(1) }] });
  }
  const internal = [
    ...fields.flatMap((_x, i) => [`__ad_v${i}`, `__ad_n${i}`, `__ad_isnum${i}`, `__ad_lo${i}`, `__ad_hi${i}`, `__ad_cat${i}`, `__ad_bin${i}`, `__ad_f${i}`]),
    '__ad_total', '__ad_q1', '__ad_q3', '__ad_thresh',
  ];
  const kept = action === 'filter' ? b.step({ kind: 'filter', input: thresholded.id, condition: anomalous }) : thresholded;
  const added = ANNOTATIONS.map((a) => [a, made(a === 'probable_cause' ? 'string' : 'number')] as [string, FieldInfo]);
  return b.step(
    { kind: 'extend', input: kept.id, columns: [], drop: internal },
    { fields: withFields(rel, added), raw: rel.raw, removed: new Set([...rel.removed].filter((r) => !(ANNOTATIONS as readonly string[]).includes(r))) },
  );
};

/** The fields named, or with none every field the results have but the internal `_` ones. */
function fieldNames(args: Args, rel: Relation, b: Parameters<CommandCompiler>[2], span: Parameters<typeof b.err>[2]): string[] {
  const named = args.words().map((w) => w.value);
  if (named.length) return [...new Set(named)];
  if (rel.raw) {
    throw b.err('bad-argument', 'anomalydetection on events needs its fields named (e.g. anomalydetection eventName sourceIPAddress): spelunk does not guess which of an event\'s fields to use', span);
  }
  const all = [...rel.fields.keys()].filter((name) => !name.startsWith('_') && !rel.removed.has(name));
  if (!all.length) throw b.err('bad-argument', 'anomalydetection has no fields to use: name them', span);
  return all;
}

export const ANOMALYDETECTION: CommandSpec[] = [
  {
    name: 'anomalydetection',
    options: ANOMALYDETECTION_OPTIONS,
    rowPreserving: false,
    reference: {
      section: 'Statistics',
      summary: 'Scores each result by how rare its field values are together (method=histogram) and keeps the unusually rare ones (`action=annotate` keeps all, `action=summary` describes them)',
      example: '* | stats count by user src | anomalydetection count user src action=annotate',
    },
    build: anomalydetection,
  },
];
