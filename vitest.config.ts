import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests never read or write the user's own cache, lookups or history.
const home = mkdtempSync(join(tmpdir(), 'spelunk-test-home-'));

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
    reporters: ['default', './test/summary-reporter.ts'],
    env: {
      XDG_CACHE_HOME: join(home, 'cache'),
      XDG_STATE_HOME: join(home, 'state'),
    },
  },
});
