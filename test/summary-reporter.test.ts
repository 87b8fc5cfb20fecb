// The last line of `npm test`: a test file that never ran its tests must not read as "0 failed"
// (a file that did not parse was counted as nothing, and a helper read its run as green).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SerializedError, TestModule } from 'vitest/node';
import { summaryLine } from './summary-reporter.js';

type State = 'passed' | 'failed' | 'skipped';

function module(file: string, tests: State[], opts: { errors?: number; state?: State } = {}): TestModule {
  return {
    moduleId: path.join(process.cwd(), file),
    state: () => opts.state ?? (tests.includes('failed') || opts.errors ? 'failed' : 'passed'),
    errors: () => Array.from({ length: opts.errors ?? 0 }, () => ({ message: 'Transform failed' }) as SerializedError),
    children: { allTests: () => tests.map((state) => ({ result: () => ({ state }) })) },
  } as unknown as TestModule;
}

describe('the summary line', () => {
  it('counts tests', () => {
    expect(summaryLine([module('test/a.test.ts', ['passed', 'passed', 'skipped']), module('test/b.test.ts', ['failed', 'passed'])], [])).toBe('3 passed, 1 failed, 1 skipped');
  });

  it('counts a file that failed outside any test as a failure, and names it', () => {
    const line = summaryLine([module('test/a.test.ts', ['passed']), module('test/eval.test.ts', [], { errors: 1 })], []);
    expect(line).toBe('1 passed, 1 failed, 0 skipped (1 test file failed outside any test: test/eval.test.ts)');
  });

  it('counts a failed hook in a file whose tests passed, and errors no test caught', () => {
    const line = summaryLine([module('test/a.test.ts', ['passed'], { state: 'failed' })], [{ message: 'boom' } as SerializedError]);
    expect(line).toBe('1 passed, 2 failed, 0 skipped (1 test file failed outside any test: test/a.test.ts; 1 error no test caught)');
  });
});
