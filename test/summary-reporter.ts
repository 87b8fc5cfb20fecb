// Ends the test output with one plain "N passed, N failed, N skipped" line that any CI can read.
// A test file that could not run (it does not parse, an import throws, a hook fails outside any
// test) has no failed test of its own: it is counted as a failure and named, as is an error no
// test caught, so that the line never says "0 failed" of a run that failed.
import path from 'node:path';
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    process.stdout.write(`\n${summaryLine(modules, unhandledErrors)}\n`);
  }
}

export function summaryLine(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): string {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const broken: string[] = [];
  for (const m of modules) {
    let failedHere = 0;
    for (const t of m.children.allTests()) {
      const state = t.result().state;
      if (state === 'passed') passed++;
      else if (state === 'failed') failedHere++;
      else skipped++;
    }
    failed += failedHere;
    if (failedHere === 0 && (m.errors().length > 0 || m.state() === 'failed')) broken.push(path.relative(process.cwd(), m.moduleId));
  }
  const notes: string[] = [];
  if (broken.length) notes.push(`${broken.length} test file${broken.length === 1 ? '' : 's'} failed outside any test: ${broken.join(', ')}`);
  if (unhandledErrors.length) notes.push(`${unhandledErrors.length} error${unhandledErrors.length === 1 ? '' : 's'} no test caught`);
  return `${passed} passed, ${failed + broken.length + unhandledErrors.length} failed, ${skipped} skipped${notes.length ? ` (${notes.join('; ')})` : ''}`;
}
