// Each day's segments of a load's entries (cache-days.ts), which decide the days a load rewrites:
// the same as grouping every entry by dayOf, whatever the order of days and segments.
import { describe, expect, it } from 'vitest';
import { segmentsByDay } from '../src/engine/cache-days.js';
import { dayOf, type CacheEntry } from '../src/engine/cache-files.js';

const DAY = 86_400;
const entry = (minTime: number | null, parquet: string | null): CacheEntry => ({ path: `/logs/${minTime}-${parquet}`, size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1, rows: 1, minTime, maxTime: minTime, warnings: [], eventsSkipped: 0, parquet, parquetBytes: parquet === null ? null : 10 });

/** Every entry with a segment, grouped by dayOf, days in the order they first come. */
function naive(entries: CacheEntry[]): Map<string, Set<string>> {
  const byDay = new Map<string, Set<string>>();
  for (const e of entries) if (e.parquet !== null) byDay.set(dayOf(e), (byDay.get(dayOf(e)) ?? new Set()).add(e.parquet));
  return byDay;
}

describe('segmentsByDay', () => {
  it('groups as dayOf does: days apart and back again, segments alternating, no time, no segment, days before 1970', () => {
    const entries = [
      entry(5 * DAY + 10, 'a'),
      entry(5 * DAY + 20, 'a'),
      entry(5 * DAY + 30, 'b'),
      entry(6 * DAY, 'c'),
      entry(5 * DAY + 40, 'a'),
      entry(5 * DAY + 50, 'd'),
      entry(null, 'e'),
      entry(null, 'f'),
      entry(6 * DAY - 1, null),
      entry(-1, 'g'),
      entry(0, 'h'),
      entry(null, 'e'),
      entry(6 * DAY + 1, 'b'),
    ];
    const got = segmentsByDay(entries);
    expect([...got].map(([day, s]) => [day, [...s].sort()])).toEqual([...naive(entries)].map(([day, s]) => [day, [...s].sort()]));
    expect([...got.keys()]).toEqual(['5', '6', 'none', '-1', '0']);
  });
});
