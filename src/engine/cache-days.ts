// The segments each day of a load's entries is in (cache.ts): a day held in too many segments, or
// holding rows of files that changed, is rewritten as one.
import { DAY, dayOf, type CacheEntry } from './cache-files.js';

/**
 * Each day's segments, by dayOf's name, in the order the days first come. A day's entries come
 * together, mostly of one segment: the day and the segment of the entry before are not looked up
 * again (a day's name, a map's lookup and a list per entry were 26-38 CPU ms of a warm start at
 * 5M, where nothing is rewritten).
 */
export function segmentsByDay(entries: CacheEntry[]): Map<string, Set<string>> {
  // NaN for no time: one key of a map, never equal to the day before (looked up each time).
  const byDay = new Map<number, Set<string>>();
  let last: { day: number; segments: Set<string>; segment?: string } | undefined;
  for (const e of entries) {
    if (e.parquet === null) continue;
    const day = e.minTime === null ? NaN : Math.floor(e.minTime / DAY);
    if (last?.day !== day) last = { day, segments: byDay.get(day) ?? byDay.set(day, new Set()).get(day)! };
    if (last.segment !== e.parquet) last.segments.add((last.segment = e.parquet));
  }
  const named = new Map<string, Set<string>>();
  for (const [day, segments] of byDay) named.set(dayOf({ minTime: Number.isNaN(day) ? null : day * DAY }), segments);
  return named;
}
