// DuckDB's share of spelunk's resident-memory target (issue 13: peak RSS under 1.5 GB at 1M and
// 5M events), and how much an answer-first load may read before the cache is written.
import { statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

  it('lets an answer-first load read what spills into half the scratch disk (~20x its gzip size)', () => {
    // The scratch folder does not exist until DuckDB spills: its file system is its parent's.
    const folder = path.join(tmpdir(), `spelunk-not-made-${process.pid}`, 'deeper');
    const s = statfsSync(tmpdir());
    const expected = (s.bavail * s.bsize) / 40;
    expect(answerFirstBytes(folder)).toBeGreaterThan(0);
    // Free space moves as other processes write: within 1%.
    expect(Math.abs(answerFirstBytes(folder) - expected) / expected).toBeLessThan(0.01);
  });
});
