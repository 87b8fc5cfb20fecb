import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker less than the cores: one on a 2-core CI machine, which ran the
    // suite serially (987 s, over CI's 15 minutes). Most files wait on child processes and DuckDB.
    maxWorkers: Math.max(2, availableParallelism()),
    globalSetup: ['./test/global-setup.ts'],
    setupFiles: ['./test/own-home.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
