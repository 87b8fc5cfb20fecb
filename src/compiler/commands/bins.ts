// Splunk's automatic bin sizes, shared by bin and timechart. Given the lowest and highest value
// and `bins=` (default 100), the span is the smallest "nice" one that cuts [lo, hi] into at most
// that many bins, never below `minspan=`:
// - time: 1s 5s 10s 30s 1m 5m 10m 30m 1h 1d, then months (the thresholds of timechart's page,
//   https://help.splunk.com/splunk-enterprise/search/spl2-search-reference/timechart-command/timechart-command-usage);
// - numbers: a power of ten ("determines the least power of 10 to use for the span", with the
//   example bins=12 over date_hour 0-23 giving 0-10, 10-20, 20-30:
//   https://docs.splunk.com/Documentation/Splunk/8.1.0/Search/Usingbinsandtimespans).
// Bins count from the span's multiples (epoch 0, or `aligntime=`), so the count is of the bins
// [lo, hi] touches, not (hi - lo) / span.
import type { Builder } from '../builder.js';
import { aggregate, call, int, lit, type Expr } from '../ir/expr.js';
import { parseSpan, resolveTime } from '../time.js';
import type { Relation } from '../types.js';

/** A time span: fixed seconds, or calendar months. */
/**
 * A time span: fixed seconds, counted from epoch 0 (or aligntime= under a day), or from `origin`
 * whatever the span (timechart's span=w@w1); or calendar months.
 */
export type TimeSpan = { seconds: number; origin?: number } | { months: number };

/** Splunk's default `bins=` ([discretize] in limits.conf). */
export const DEFAULT_BINS = 100;

const TIME_STEPS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 86400];

/** Bins of width `span` (from `offset`) that [lo, hi] touches. */
function binsTouched(lo: number, hi: number, span: number, offset = 0): number {
  return Math.floor((hi - offset) / span) - Math.floor((lo - offset) / span) + 1;
}

function monthIndex(epoch: number): number {
  const d = new Date(epoch * 1000);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
}

/**
 * The smallest time span from Splunk's thresholds giving at most `bins` bins over [lo, hi] (epoch
 * seconds), at least `minSeconds` long. Past a day, months: 1, then whole years by powers of ten
 * (Splunk's pages stop at a month; a longer range with few bins needs something).
 */
export function autoTimeSpan(lo: number, hi: number, bins = DEFAULT_BINS, minSeconds = 0): TimeSpan {
  for (const s of TIME_STEPS) {
    if (s >= minSeconds && binsTouched(lo, hi, s) <= bins) return { seconds: s };
  }
  const months = monthIndex(hi) - monthIndex(lo);
  for (const m of [1, 12, 120, 1200, 12000]) {
    if (m * 2_592_000 >= minSeconds && Math.floor(monthIndex(hi) / m) - Math.floor((monthIndex(hi) - months) / m) + 1 <= bins) return { months: m };
  }
  return { months: 12000 };
}

/**
 * The smallest power of ten giving at most `bins` bins over [lo, hi], at least `minspan`. A single
 * value (lo = hi) fits any span: 1, or the least power of ten not below `minspan`.
 */
export function autoNumberSpan(lo: number, hi: number, bins = DEFAULT_BINS, minspan = 0): number {
  const floorExp = minspan > 0 ? Math.ceil(Math.log10(minspan) - 1e-9) : -Infinity;
  const range = hi - lo;
  let k = range > 0 ? Math.floor(Math.log10(range / bins)) - 1 : 0;
  if (k < floorExp) k = floorExp;
  for (; ; k++) {
    const span = 10 ** k;
    if (binsTouched(lo, hi, span) <= bins) return span;
  }
}

/** Decimal places that show a power-of-ten span's bin bounds exactly (0.01 -> 2). */
export function decimalsOf(span: number): number {
  return span >= 1 ? 0 : Math.round(-Math.log10(span));
}

/** `minspan=` as seconds (a time span) or a plain number; null when it is neither. */
export function parseMinspan(text: string): number | null {
  const span = parseSpan(text);
  if (!span) return null;
  return span.months ? span.months * 2_592_000 : span.seconds!;
}

/**
 * `aligntime=`: `earliest` or `latest` (the search's time range), or a time: epoch seconds or a
 * relative modifier such as `@d+3h` from now. Null when it cannot be read.
 */
export function parseAligntime(text: string, times: { now?: number; earliest?: number; latest?: number }): number | 'needs-range' | null {
  const t = text.trim().toLowerCase();
  if (t === 'earliest' || t === 'latest') {
    const v = t === 'earliest' ? times.earliest : times.latest;
    return v === undefined ? 'needs-range' : v;
  }
  return resolveTime(text, times.now ?? Date.now() / 1000);
}

/**
 * The lowest and highest value of `value` over `rel`'s rows, asked of the data before the search
 * runs (`Builder.discover`): undefined until the engine has answered, null when there are no values.
 */
export function discoverRange(rel: Relation, value: Expr, b: Builder, what: string): [number, number] | null | undefined {
  const bounds = b.step({ kind: 'aggregate', input: rel.id, groups: [], aggregates: [{ name: 'lo', expr: aggregate('min', [value], 'number') }, { name: 'hi', expr: aggregate('max', [value], 'number') }] });
  const answer = b.ask(bounds, ['lo', 'hi'], what, false);
  if (!answer) return undefined;
  const [lo, hi] = [Number(answer[0]), Number(answer[1])];
  return answer[0] !== null && answer[1] !== null && Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : null;
}

/** `t` rounded down to a multiple of `seconds` counted from `offset` (epoch 0 unless aligntime=). */
export function floorTo(t: Expr, seconds: number, offset = 0): Expr {
  const shifted = offset ? call('sub', [t, lit(offset, 'number')], 'number') : t;
  // A span of 0.1 divides badly (0.3 / 0.1 = 2.9999999999999996): multiply by 10 instead.
  const inverse = 1 / seconds;
  const down = Number.isInteger(seconds)
    ? call('mul', [call('floor', [call('div', [shifted, int(seconds)], 'number')], 'number'), int(seconds)], 'number')
    : Number.isInteger(inverse)
      ? call('div', [call('floor', [call('mul', [shifted, int(inverse)], 'number')], 'number'), int(inverse)], 'number')
      : call('mul', [call('floor', [call('div', [shifted, lit(seconds, 'number')], 'number')], 'number'), lit(seconds, 'number')], 'number');
  return offset ? call('add', [down, lit(offset, 'number')], 'number') : down;
}
