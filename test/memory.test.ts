// DuckDB's share of spelunk's resident-memory target (issue 13: peak RSS under 1.5 GB at 1M and
// 5M events), and how much an answer-first load may read before the cache is written.
import { describe, expect, it } from 'vitest';
import { answerFirstBytes, defaultMemoryLimit, RESIDENT_TARGET } from '../src/engine/memory.js';

const GiB = 2 ** 30;
const mb = (limit: string): number => Number(/^(\d+)MB$/.exec(limit)![1]) * 2 ** 20;

describe('memory', () => {
  it("gives DuckDB the target's share on a large machine, 75% of a small one", () => {
    // What DuckDB's limit does not cover (Node, batches, the allocator) keeps ~0.75 GB apart.
    expect(defaultMemoryLimit(24 * GiB)).toBe('715MB');
    expect(mb(defaultMemoryLimit(64 * GiB))).toBeLessThan(RESIDENT_TARGET - 0.7e9);
    expect(defaultMemoryLimit(512 * 2 ** 20)).toBe('384MB');
  });

  it('answers first only while the table fits in half the limit (a spilled table answered later than the chunked path)', () => {
    // ~20x the gzip size as a table: 715 MB leaves 1M events (160 MB of files) to the chunked path.
    expect(answerFirstBytes('715MB')).toBe((715 * 2 ** 20) / 40);
    expect(answerFirstBytes('18GB')).toBeGreaterThan(160e6);
    expect(answerFirstBytes()).toBe(mb(defaultMemoryLimit()) / 40);
  });
});
