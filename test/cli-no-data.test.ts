// `spelunk run` with no --data searches no events: an empty answer with a note, in memory as in
// the cache. With --no-cache it failed with "Catalog Error: Table with name events does not exist!".
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'spelunk.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('run with no --data', () => {
  for (const mode of [[], ['--no-cache']]) {
    it(`counts nothing and says why${mode.length ? ' (--no-cache)' : ''}`, () => {
      const r = run('run', 'eventName=AssumeRole | stats count', '--format', 'csv', ...mode);
      expect(r.stderr).toContain('note: no --data given, so the search sees no events');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('count\n0\n');
    });
  }
});
