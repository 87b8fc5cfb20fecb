// One `spelunk run` expands macros, parses and compiles its search once (issue 11): the CLI's
// pre-check, the scan for the lookups it names, the first round of questions and the note on
// empty indexes reuse what was prepared. Each further round of questions compiles again, with
// the answers (a chart's columns are the values the data holds).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompileOptions } from '../src/compiler/types.js';
import type { PrepareOptions, PreparedSearch } from '../src/compiler/index.js';

const calls = vi.hoisted(() => ({ prepared: [] as string[], compiled: [] as string[] }));
vi.mock('../src/compiler/index.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/compiler/index.js')>();
  return {
    ...real,
    prepare: (source: string, opts?: PrepareOptions) => {
      calls.prepared.push(source);
      return real.prepare(source, opts);
    },
    compilePrepared: (p: PreparedSearch, opts: CompileOptions) => {
      calls.compiled.push(p.text);
      return real.compilePrepared(p, opts);
    },
  };
});
const { main } = await import('../src/cli/main.js');

/** Runs `spelunk run <spl>` on the sample in this process; returns its stdout and how often the search was prepared and compiled. */
async function run(spl: string) {
  calls.prepared.length = 0;
  calls.compiled.length = 0;
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const status = await main(['run', spl, '--data', 'fixtures/sample', '--no-cache', '--quiet', '--format', 'jsonl', '--now', '2026-11-28T00:00:00Z']);
  vi.restoreAllMocks();
  return { status, out: out.join(''), prepared: calls.prepared.filter((t) => t === spl).length, compiled: calls.compiled.filter((t) => t === spl).length };
}

afterEach(() => vi.restoreAllMocks());

describe('one run prepares its search once', () => {
  it('a search without questions: prepared once, compiled once', async () => {
    const r = await run('eventName=CreateAccessKey | stats count by userIdentity.userName');
    expect(r.status).toBe(0);
    expect(r.out).toBe('{"userIdentity.userName":"ana.ops","count":1}\n{"userIdentity.userName":"dev.sam","count":1}\n{"userIdentity.userName":"svc-backup","count":1}\n');
    expect(r.prepared).toBe(1);
    expect(r.compiled).toBe(1);
  });

  it('a chart whose columns are asked of the data: prepared once, compiled once per round', async () => {
    const r = await run('eventName=CreateAccessKey | chart count over userIdentity.userName by errorCode');
    expect(r.status).toBe(0);
    expect(r.out.split('\n').filter(Boolean)).toHaveLength(3);
    expect(r.prepared).toBe(1);
    expect(r.compiled).toBe(2);
  });

  it('a search with no results, whose index note reads the search again: prepared once', async () => {
    const r = await run('index=aws eventName=NoSuchCall | table eventName');
    expect(r.status).toBe(0);
    expect(r.out).toBe('');
    expect(r.prepared).toBe(1);
    expect(r.compiled).toBe(1);
  });
});
