// The times after which a growing share of the loaded events lie, from the cache's file times
// alone (CompileOptions.recentSince): no DuckDB.

import type { CacheEntry } from './cache-files.js';

/**
 * Times after which about 1/64 and 1/8 of the files' events lie, newest first, from their newest
 * event times: none under 200,000 events, where reading all of them costs little. Made from a
 * histogram of the times (linear: 53,819 files at 5M). Times outside the range are left out.
 */
export function recentTimes(files: { entry: Pick<CacheEntry, 'maxTime' | 'rows'> }[], range: { earliest?: number; latest?: number }): number[] {
  let total = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const { entry } of files) {
    if (entry.maxTime === null) continue;
    total += entry.rows;
    lo = Math.min(lo, entry.maxTime);
    hi = Math.max(hi, entry.maxTime);
  }
  const times: number[] = [];
  if (total >= 200_000 && hi > lo) {
    const buckets = new Float64Array(4096);
    const width = (hi - lo) / buckets.length;
    const bucketOf = (t: number) => Math.min(buckets.length - 1, Math.floor((t - lo) / width));
    for (const { entry } of files) if (entry.maxTime !== null) buckets[bucketOf(entry.maxTime)]! += entry.rows;
    let rows = 0;
    let share = 0;
    const shares = [1 / 64, 1 / 8];
    for (let i = buckets.length - 1; i > 0 && share < shares.length; i--) {
      rows += buckets[i]!;
      if (rows < shares[share]! * total) continue;
      const t = Math.floor(lo + i * width);
      if ((range.earliest === undefined || t > range.earliest) && (range.latest === undefined || t < range.latest) && t !== times[times.length - 1]) times.push(t);
      while (share < shares.length && rows >= shares[share]! * total) share++;
    }
  }
  return times;
}
