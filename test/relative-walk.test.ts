// Paths given relatively (`--data logs`, `:load logs`, a glob) while the process's working folder
// may be another for a moment: a walk stats each folder's files from inside it (folder-stat.ts),
// and a second walk, a search or libuv's threads work meanwhile. Every file or folder the walk
// hands to an asynchronous call (libuv's threads) must be named by its whole path: a relative
// one resolved from inside a log folder names another file, or none, and nothing says so (a
// cache folder's CACHEDIR.TAG unread is a cache read as evidence; an export unread is counted twice).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const asked: string[] = [];
vi.mock('node:fs/promises', async (original) => {
  const actual = await original<typeof import('node:fs/promises')>();
  const spy = <F extends (file: never, ...rest: never[]) => unknown>(f: F) => ((file: unknown, ...rest: unknown[]) => (asked.push(String(file)), (f as (...a: unknown[]) => unknown)(file, ...rest))) as unknown as F;
  return { ...actual, default: actual, stat: spy(actual.stat), open: spy(actual.open), readFile: spy(actual.readFile), readdir: spy(actual.readdir) };
});

const { expandPaths } = await import('../src/engine/load-paths.js');

let dir: string;
const home = process.cwd();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'relative-walk-'));
  for (const sub of ['logs/a', 'logs/b', 'logs/cache-like', 'more/x']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'logs/a/1.json'), '{"Records":[]}');
  writeFileSync(path.join(dir, 'logs/b/2.json'), '{"Records":[]}');
  writeFileSync(path.join(dir, 'logs/b/3.parquet'), 'not parquet');
  writeFileSync(path.join(dir, 'logs/cache-like/CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n');
  writeFileSync(path.join(dir, 'logs/cache-like/4.json'), '{"Records":[]}');
  writeFileSync(path.join(dir, 'more/x/5.json'), '{"Records":[]}');
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(home);
  rmSync(dir, { recursive: true, force: true });
});

describe('a load given relative paths', () => {
  it('names every file and folder it asks libuv about by its whole path, lists them whole, and names what it warns of as given', async () => {
    asked.length = 0;
    const found = await expandPaths(['logs', 'more/*/*.json', './more/x/5.json']);
    expect(found.files).toEqual(['logs/a/1.json', 'logs/b/2.json', 'logs/b/3.parquet', 'more/x/5.json'].map((f) => path.join(dir, f)));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((file) => !path.isAbsolute(file))).toEqual([]);
    expect(found.warnings.map((w) => [w.file, w.reason])).toEqual([
      ['logs/cache-like', 'a cache folder (it holds CACHEDIR.TAG), not evidence: not read'],
    ]);
  });
});
