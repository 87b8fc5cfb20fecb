// Splunk's timeline in one line of a terminal: matching events counted per time bucket, the
// bucket chosen from the time range so the line fits, empty buckets shown, the busiest named.
// Pure: the counts come from the session; `:zoom` turns a run of buckets back into a range.
import { formatTime } from '../cli/format.js';

/** Bucket widths a timeline may use (seconds): each a whole number of the units below it. */
const SPANS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400];

export interface Timeline {
  /** Time of the first bucket's start (epoch seconds, a multiple of `span` from the epoch). */
  start: number;
  span: number;
  counts: number[];
}

/** Index of the last bucket of `span` a range ending at `to` needs (an open end stops before it). */
const lastBucket = (to: number, span: number, open: boolean) => (open ? Math.ceil(to / span) - 1 : Math.floor(to / span));

/** The smallest span that shows the range in at most `buckets` buckets. */
export function chooseSpan(from: number, to: number, buckets: number, open = false): number {
  const fits = (s: number) => lastBucket(to, s, open) - Math.floor(from / s) + 1 <= buckets;
  const found = SPANS.find(fits);
  if (found !== undefined) return found;
  const years = SPANS[SPANS.length - 1]!;
  let n = 2;
  while (!fits(years * n)) n++;
  return years * n;
}

/** Buckets of `span` covering [from, to] ([from, to) when `open`), aligned to the span (days on UTC midnight). */
export function emptyTimeline(from: number, to: number, span: number, open = false): Timeline {
  const first = Math.floor(from / span);
  const count = Math.max(1, lastBucket(to, span, open) - first + 1);
  return { start: first * span, span, counts: new Array(count).fill(0) };
}

/** Counts of times (epoch seconds) into a timeline; times outside it are ignored. */
export function countInto(t: Timeline, times: Iterable<number>): Timeline {
  for (const time of times) {
    const i = Math.floor((time - t.start) / t.span);
    if (i >= 0 && i < t.counts.length) t.counts[i]!++;
  }
  return t;
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
const EMPTY_BUCKET = '·';

/** One character per bucket: `·` for none, then eight heights up to the busiest bucket. */
export function histogram(counts: number[]): string {
  const max = Math.max(0, ...counts);
  return counts.map((c) => (c === 0 ? EMPTY_BUCKET : BARS[Math.min(7, Math.floor(((c - 1) / Math.max(1, max - 1)) * 7.999))]!)).join('');
}

function describeSpan(seconds: number): string {
  const units: [number, string][] = [[365 * 86400, 'year'], [30 * 86400, 'month'], [7 * 86400, 'week'], [86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  for (const [size, name] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return n === 1 ? `1 ${name}` : `${n} ${name}s`;
    }
  }
  return `${seconds} s`;
}

/** A time as the timeline labels it: the year only when the range crosses one; seconds only when the buckets are that fine. */
export function timeLabel(epoch: number, withYear: boolean, span: number): string {
  const iso = formatTime(epoch, 'human');
  const text = span < 60 ? iso : iso.slice(0, 16);
  return withYear ? text : text.slice(5);
}

function crossesYear(t: Timeline): boolean {
  const end = t.start + t.span * t.counts.length - 1;
  return new Date(t.start * 1000).getUTCFullYear() !== new Date(end * 1000).getUTCFullYear();
}

/** The busiest bucket (the first of equals). */
export function busiest(t: Timeline): { index: number; count: number } {
  let index = 0;
  t.counts.forEach((c, i) => {
    if (c > t.counts[index]!) index = i;
  });
  return { index, count: t.counts[index] ?? 0 };
}

/** The histogram line and the line under it (range, bucket, busiest). */
export function timelineLines(t: Timeline): string[] {
  const year = crossesYear(t);
  const end = t.start + t.span * t.counts.length;
  const top = busiest(t);
  const total = t.counts.reduce((a, b) => a + b, 0);
  return [
    histogram(t.counts),
    `${timeLabel(t.start, true, t.span)} .. ${timeLabel(end, year || t.span >= 86400, t.span)} UTC · 1 bar = ${describeSpan(t.span)} · ` +
      `${total.toLocaleString('en-US')} event${total === 1 ? '' : 's'}, busiest ${timeLabel(t.start + top.index * t.span, year, t.span)} (${top.count.toLocaleString('en-US')}) · :zoom narrows`,
  ];
}

/** The time range a run of buckets covers: [start, end). */
export function bucketRange(t: Timeline, first: number, last: number): { earliest: number; latest: number } {
  const a = Math.max(0, Math.min(first, last));
  const b = Math.min(t.counts.length - 1, Math.max(first, last));
  return { earliest: t.start + a * t.span, latest: t.start + (b + 1) * t.span };
}
