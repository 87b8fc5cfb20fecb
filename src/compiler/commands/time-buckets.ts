// Time buckets: the start of the bucket holding a time (in SQL and in JS), the cap on how many
// buckets a command fills, and the span options bin and timechart share.
import type { Args } from '../args.js';
import type { Builder } from '../builder.js';
import { call, caseOf, int, lit, type Expr, type Vars } from '../ir/expr.js';
import { DEFAULT_BINS, floorTo, parseAligntime, parseMinspan, type TimeSpan } from './bins.js';

export type { TimeSpan } from './bins.js';

/**
 * The start of the `_time` bucket holding `t` (epoch seconds), in UTC; a span under a day counts
 * from `offset` (aligntime=) instead of epoch 0, a span with an origin from that.
 */
export function bucket(t: Expr, span: TimeSpan, vars: Vars, offset = 0): Expr {
  if ('seconds' in span) return floorTo(t, span.seconds, span.origin ?? (span.seconds < 86400 ? offset : 0));
  return vars.share(call('to_timestamp', [t], 'timestamp'), (ts) => {
    const months = call('add', [call('mul', [call('sub', [call('year', [ts], 'int'), int(1970)], 'int'), int(12)], 'int'), call('sub', [call('month', [ts], 'int'), int(1)], 'int')], 'int');
    const start = call('to_bigint', [call('mul', [call('floor', [call('div', [months, int(span.months)], 'number')], 'number'), int(span.months)], 'number')], 'int');
    return vars.share(start, (st) => {
      const year = call('add', [int(1970), call('int_div', [st, int(12)], 'int')], 'int');
      const month = call('add', [call('int_mod', [st, int(12)], 'int'), int(1)], 'int');
      return call('epoch', [call('make_timestamp', [year, month, int(1), int(0), int(0), int(0)], 'timestamp')], 'number');
    });
  });
}

/**
 * The most buckets timechart fills, Splunk's own limit ("The specified span would result in too
 * many (>50000) rows"): without it, span=1h over events in 2026 and 2150 builds a million rows.
 */
const MAX_BUCKETS = 50_000;

/**
 * A bucket count, or an error naming the limit when it is past it (timechart and makecontinuous,
 * which fill every bucket between the first and the last).
 */
export function capped(count: Expr, command = 'timechart', between = 'time buckets from the first event to the last'): Expr {
  const message = call('concat', [call('concat', [lit(`${command}: the span would make `), call('to_varchar', [count], 'string')], 'string'),
    lit(` ${between}, more than ${MAX_BUCKETS}: give a larger span=`)], 'string');
  return caseOf([{ when: call('gt', [count, int(MAX_BUCKETS)], 'bool'), then: call('error', [message], 'int') }], count, 'int');
}

/** The start of the bucket holding `t` (epoch seconds), as bucket() computes it in SQL. */
function bucketStart(t: number, span: TimeSpan, offset = 0): number {
  if ('seconds' in span) {
    const o = span.origin ?? (span.seconds < 86400 ? offset : 0);
    return Math.floor((t - o) / span.seconds) * span.seconds + o;
  }
  const d = new Date(t * 1000);
  const months = Math.floor(((d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth()) / span.months) * span.months;
  return Date.UTC(1970 + Math.floor(months / 12), ((months % 12) + 12) % 12, 1) / 1000;
}

/**
 * The buckets of a search time range [earliest, latest): from the bucket holding `earliest` to
 * the one holding the last moment before `latest` (a latest on a bucket's start adds no bucket).
 */
export function rangeBuckets(range: { earliest?: number; latest?: number }, span: TimeSpan, offset = 0): { from?: number; to?: number } {
  const out: { from?: number; to?: number } = {};
  if (range.earliest !== undefined) out.from = bucketStart(range.earliest, span, offset);
  if (range.latest !== undefined) {
    let to = bucketStart(range.latest, span, offset);
    if (to >= range.latest) to = 'seconds' in span ? to - span.seconds : bucketStart(to - 1, span, offset);
    out.to = to;
  }
  if (out.from !== undefined && out.to !== undefined && out.to < out.from) delete out.to;
  return out;
}

/** bins=: at least 1 (Splunk's default 100). */
export function binsOption(args: Args, b: Builder): number {
  const o = args.options.get('bins');
  const n = args.int('bins', DEFAULT_BINS);
  if (n < 1) throw b.err('bad-argument', `bins= must be at least 1, not ${n}`, o!.span);
  return n;
}

/** minspan= in seconds (0 when not given). */
export function minspanOption(args: Args, b: Builder): number {
  const o = args.options.get('minspan');
  if (!o) return 0;
  const n = parseMinspan(o.value);
  if (n === null) throw b.err('bad-argument', `cannot read minspan=${o.value}`, o.span, ['examples: minspan=5m, minspan=1h, minspan=10']);
  return n;
}

/**
 * aligntime= with a span it cannot move: said, never dropped silently. Bins of a day or more start
 * at 00:00 UTC, and a snap-to span (w@w1) at its weekday (Search Reference, bin: aligntime is
 * "Ignored if span is in days, months, or years").
 */
export function noteUnalignable(args: Args, b: Builder, span: TimeSpan, command: string): void {
  const o = args.options.get('aligntime');
  if (!o || ('seconds' in span && span.seconds < 86400 && span.origin === undefined)) return;
  const note = `${command}: aligntime=${o.value} is ignored with a span of a day or more, as in Splunk: the bins start at 00:00 UTC (weeks on Thursday); for weeks from Monday use relative_time(_time, "@w1") or timechart span=w@w1`;
  if (!b.notes.includes(note)) b.notes.push(note);
}

/** aligntime= as the epoch second bins count from (0 when not given). */
export function alignOffset(args: Args, b: Builder): number {
  const o = args.options.get('aligntime');
  if (!o) return 0;
  const t = parseAligntime(o.value, { now: b.options.now, earliest: b.range.earliest, latest: b.range.latest });
  if (t === 'needs-range') throw b.err('bad-argument', `aligntime=${o.value} needs the search's time range (--earliest and --latest, or :time in the REPL)`, o.span);
  if (t === null) throw b.err('bad-argument', `cannot read aligntime=${o.value}: give earliest, latest, epoch seconds or a relative time such as @d+3h`, o.span);
  return t;
}
