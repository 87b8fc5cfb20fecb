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
import { duckdbSql as sql } from '../print/duckdb.js';
import { dbl, ident, str } from '../sql.js';
import type { FieldInfo, Relation } from '../types.js';
import { outlierPlan, outlierSettings } from './outlier.js';
import { generic, hasColumn } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

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

  // Each field's value as text (categories) and as a number (the histogram).
  const v = (i: number) => `"__ad_v${i}"`;
  const n = (i: number) => `"__ad_n${i}"`;
  const replaced = ANNOTATIONS.filter((a) => hasColumn(rel, a));
  const values = b.add(
    `SELECT *${replaced.length ? ` EXCLUDE (${replaced.map(ident).join(', ')})` : ''}, ${fields
      .map((f, i) => {
        const ref = fieldRef(f, { rel, b });
        return `${sql(toString(ref))} AS ${v(i)}, ${sql(toNumber(ref))} AS ${n(i)}`;
      })
      .join(', ')} FROM ${rel.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const counted = b.add(
    `SELECT *, count(*) OVER () AS "__ad_total", ${fields
      .map((_f, i) =>
        [
          `(count(${n(i)}) OVER () = count(${v(i)}) OVER () AND count(${v(i)}) OVER () > 0) AS "__ad_isnum${i}"`,
          `min(${n(i)}) OVER () AS "__ad_lo${i}"`,
          `max(${n(i)}) OVER () AS "__ad_hi${i}"`,
          `count(*) OVER (PARTITION BY ${v(i)}) AS "__ad_cat${i}"`,
        ].join(', '),
      )
      .join(', ')} FROM ${values.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  // Sturges: ceil(log2(n)) + 1 bins; the largest value falls in the last bin, not one past it.
  const bins = `(ceil(log2("__ad_total")) + 1)`;
  const binned = b.add(
    `SELECT *, ${fields
      .map(
        (_f, i) =>
          `CASE WHEN "__ad_isnum${i}" THEN CASE WHEN "__ad_hi${i}" = "__ad_lo${i}" THEN 0 ELSE least(floor((${n(i)} - "__ad_lo${i}") / ("__ad_hi${i}" - "__ad_lo${i}") * ${bins}), ${bins} - 1) END END AS "__ad_bin${i}"`,
      )
      .join(', ')} FROM ${counted.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const f = (i: number) => `"__ad_f${i}"`;
  const freqs = b.add(
    `SELECT *, ${fields
      .map(
        (_f, i) =>
          `CAST(CASE WHEN ${v(i)} IS NULL THEN NULL WHEN "__ad_isnum${i}" THEN count(*) OVER (PARTITION BY "__ad_bin${i}") ELSE "__ad_cat${i}" END AS DOUBLE) / "__ad_total" AS ${f(i)}`,
      )
      .join(', ')} FROM ${binned.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const all = fields.map((_x, i) => f(i));
  const lowest = `least(${all.join(', ')})`;
  // The probable cause is the field whose value is rarest; a tie goes to the first field named.
  const cause = `CASE ${fields.map((name, i) => `WHEN ${f(i)} = ${lowest} THEN ${str(name)}`).join(' ')} END`;
  const scored = b.add(
    `SELECT *, ${all.map((x) => `coalesce(ln(${x}), 0)`).join(' + ')} AS "log_event_prob", ${cause} AS "probable_cause", ${lowest} AS "probable_cause_freq", greatest(${all.join(', ')}) AS "max_freq" FROM ${freqs.name}`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const threshold = pthresh !== undefined ? dbl(Math.log(pthresh)) : `"__ad_q1" - ${fence} * ("__ad_q3" - "__ad_q1")`;
  const quartiles = b.add(
    `SELECT *, ${threshold} AS "__ad_thresh" FROM (SELECT *, quantile_cont("log_event_prob", 0.25) OVER () AS "__ad_q1", quantile_cont("log_event_prob", 0.75) OVER () AS "__ad_q3" FROM ${scored.name})`,
    rel.fields,
    rel.raw,
    rel.removed,
  );
  const anomalous = `"log_event_prob" < "__ad_thresh"`;
  if (action === 'summary') {
    const select = [
      `count(*) FILTER (WHERE ${anomalous}) AS "num_anomalies"`,
      `exp(any_value("__ad_thresh")) AS "thresh"`,
      `max("log_event_prob") AS "max_logprob"`,
      `min("log_event_prob") AS "min_logprob"`,
      `any_value("__ad_q1") AS "1st_quartile"`,
      `any_value("__ad_q3") AS "3rd_quartile"`,
      `1 AS "__seq"`,
    ];
    const out = new Map<string, FieldInfo>(SUMMARY.map((name) => [name, made('number')]));
    out.set('__seq', { type: 'number', origin: 'event' });
    return b.add(`SELECT ${select.join(', ')} FROM ${quartiles.name}`, out, false);
  }
  const internal = [
    ...fields.flatMap((_x, i) => [`__ad_v${i}`, `__ad_n${i}`, `__ad_isnum${i}`, `__ad_lo${i}`, `__ad_hi${i}`, `__ad_cat${i}`, `__ad_bin${i}`, `__ad_f${i}`]),
    '__ad_total', '__ad_q1', '__ad_q3', '__ad_thresh',
  ];
  const added = ANNOTATIONS.map((a) => [a, made(a === 'probable_cause' ? 'string' : 'number')] as [string, FieldInfo]);
  return b.add(
    `SELECT * EXCLUDE (${internal.map(ident).join(', ')}) FROM ${quartiles.name}${action === 'filter' ? ` WHERE ${anomalous}` : ''}`,
    withFields(rel, added),
    rel.raw,
    new Set([...rel.removed].filter((r) => !(ANNOTATIONS as readonly string[]).includes(r))),
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
