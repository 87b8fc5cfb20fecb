// Lookup names cannot leave the state folder, and outputlookup never leaves a lookup half
// written: not when its process is killed mid-write, not when several processes write the same
// lookup at once (real processes, through the built command line).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplError } from '../../grammar/diagnostics.js';
import { Engine, EngineError } from '../../src/engine/engine.js';
import { parseCsv } from '../../src/engine/lookups.js';
import { SAMPLE_NOW } from '../helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let root: string;
let state: string;
let lookups: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'spelunk-lookups-'));
  state = path.join(root, 'state');
  lookups = path.join(state, 'lookups');
  mkdirSync(lookups, { recursive: true });
  writeFileSync(path.join(root, 'outside.csv'), 'secret\nhunter2\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under a folder, relative to it. */
function tree(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tree(full).map((f) => path.join(entry.name, f)));
    else out.push(entry.name);
  }
  return out.sort();
}

async function outcome(engine: Engine, spl: string): Promise<string> {
  try {
    const r = await engine.run(spl, { now: SAMPLE_NOW });
    return `ok ${JSON.stringify(r.rows)}`;
  } catch (err) {
    if (err instanceof SplError || err instanceof EngineError) return `error ${err.message}`;
    throw err;
  }
}

describe('lookup names stay in the lookups folder', () => {
  const BAD_NAMES = [
    '../../x', '../x.csv', '..', '.', '/etc/passwd', '/tmp/x.csv', 'a/../../x', 'a/b', 'a\\..\\..\\x', '..\\x',
    '.hidden', '.', 'x\u0000y', '~/x', `${'../'.repeat(20)}tmp/x`,
  ];

  it('outputlookup and inputlookup refuse names with folders, dots or NUL, and write nothing outside', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      const before = tree(root);
      for (const name of BAD_NAMES) {
        const quoted = `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
        expect(await outcome(engine, `| makeresults | eval a=1 | outputlookup ${quoted}`), name).toMatch(/^error .*(invalid lookup name|lookup)/);
        expect(await outcome(engine, `| inputlookup ${quoted}`), name).toMatch(/^error /);
        expect(await outcome(engine, `| makeresults | eval a=1 | lookup ${quoted} a OUTPUT b`), name).toMatch(/^error /);
      }
      expect(tree(root)).toEqual(before);
    } finally {
      engine.close();
    }
  });

  it('a symlink in the lookups folder pointing outside is refused for reading and writing', async () => {
    symlinkSync(path.join(root, 'outside.csv'), path.join(lookups, 'link.csv'));
    symlinkSync(root, path.join(lookups, 'dirlink'));
    const engine = await Engine.open({ stateDir: state });
    try {
      expect(await outcome(engine, '| inputlookup link.csv')).toMatch(/^error .*symbolic link to .*outside the lookups folder/);
      expect(await outcome(engine, '| makeresults | eval a=1 | outputlookup link.csv')).toMatch(/^error .*outside the lookups folder/);
      expect(await outcome(engine, '| inputlookup dirlink/outside.csv')).toMatch(/^error .*invalid lookup name/);
      expect(readFileSync(path.join(root, 'outside.csv'), 'utf8')).toBe('secret\nhunter2\n');
    } finally {
      engine.close();
      rmSync(path.join(lookups, 'link.csv'));
      rmSync(path.join(lookups, 'dirlink'));
    }
  });

  it('odd but plain names are files in the folder, written and read back as given', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      for (const name of ["it's", 'semi;colon', 'full\uff0e\uff0ewidth', 'sp ace', "x'); DROP TABLE events; --"]) {
        const quoted = `"${name.replace(/"/g, '\\"')}"`;
        expect(await outcome(engine, `| makeresults | eval v=${quoted} | outputlookup ${quoted}`)).toMatch(/^ok/);
        expect(await outcome(engine, `| inputlookup ${quoted} | table v`)).toBe(`ok ${JSON.stringify([{ v: name }])}`);
        expect(existsSync(path.join(lookups, `${name}.csv`))).toBe(true);
      }
    } finally {
      engine.close();
    }
  });

  it('a folder or a named pipe planted under a lookup name is an error, not a hang', async () => {
    mkdirSync(path.join(lookups, 'folder.csv'));
    execFileSync('mkfifo', [path.join(lookups, 'pipe.csv')]);
    const engine = await Engine.open({ stateDir: state });
    try {
      for (const [name, what] of [['folder', 'a folder'], ['pipe', 'a pipe, socket or device']]) {
        const message = `lookup "${name}" is not a regular file (${what})`;
        expect(await outcome(engine, `| inputlookup ${name}`)).toContain(message);
        expect(await outcome(engine, `| makeresults | eval a=1 | lookup ${name} a OUTPUT b`)).toContain(message);
        expect(await outcome(engine, `| makeresults | eval a=1 | outputlookup ${name}`)).toContain(message);
      }
    } finally {
      engine.close();
      rmSync(path.join(lookups, 'folder.csv'), { recursive: true });
      rmSync(path.join(lookups, 'pipe.csv'));
    }
  });

  it('an outputlookup cancelled while its rows stream keeps the old lookup and leaves no temp file', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      await engine.run('| makeresults count=2 | eval v="old" | table v | outputlookup cancelled.csv', { now: SAMPLE_NOW });
      const before = readFileSync(path.join(lookups, 'cancelled.csv'), 'utf8');
      let chunks = 0;
      const long = engine.stream('| makeresults count=50000000 | eval v="new" | table v | outputlookup cancelled.csv', { now: SAMPLE_NOW, maxRows: 10 }, () => {
        if (++chunks === 1) engine.interrupt();
      });
      const err = await long.then(() => undefined, (e: unknown) => e);
      expect((err as Error).message).toBe('search cancelled');
      expect(readFileSync(path.join(lookups, 'cancelled.csv'), 'utf8')).toBe(before);
      expect(readdirSync(lookups).filter((f) => f.includes('cancelled'))).toEqual(['cancelled.csv']);
    } finally {
      engine.close();
    }
  });

  it('a name too long for the file system is a clear error', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      expect(await outcome(engine, `| makeresults | eval a=1 | outputlookup ${'n'.repeat(300)}`)).toMatch(/^error cannot write lookup/);
    } finally {
      engine.close();
    }
  });
});

function spelunk(args: string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, [path.join(ROOT, 'bin', 'spelunk.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exit(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
}

/** The lookup file as rows; throws if it is not one whole CSV write. */
function readLookup(file: string): { header: string[]; rows: string[][] } {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const [header, ...rows] = parseCsv(text).records;
  for (const row of rows) expect(row.length).toBe(header!.length);
  return { header: header!, rows };
}

describe('outputlookup with real processes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spelunk-writers-'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('four processes writing the same lookup at once leave one complete write', async () => {
    const rows = 20_000;
    const writers = [1, 2, 3, 4].map((w) =>
      exit(spelunk(['run', `| makeresults count=${rows} | eval writer=${w}, pad="${'x'.repeat(40)}-${w}" | streamstats count as n | table writer n pad | outputlookup same.csv`, '--state', dir, '--quiet'])),
    );
    const results = await Promise.all(writers);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const { header, rows: written } = readLookup(path.join(dir, 'lookups', 'same.csv'));
    expect(header).toEqual(['writer', 'n', 'pad']);
    expect(written).toHaveLength(rows);
    const writer = written[0]![0]!;
    expect(new Set(written.map((r) => r[0]))).toEqual(new Set([writer]));
    expect(written.map((r) => Number(r[1]))).toEqual(Array.from({ length: rows }, (_, i) => i + 1));
    // No temp file is left behind by a writer that finished.
    expect(readdirSync(path.join(dir, 'lookups'))).toEqual(['same.csv']);
  }, 120_000);

  it('a writer killed mid-write leaves the old lookup whole', async () => {
    const file = path.join(dir, 'lookups', 'keep.csv');
    const first = await exit(spelunk(['run', '| makeresults count=3 | streamstats count as n | eval v="old" | table n v | outputlookup keep.csv', '--state', dir, '--quiet']));
    expect(first.code, first.stderr).toBe(0);
    const before = readFileSync(file, 'utf8');

    // A big write, killed as soon as its temp file appears (or, on a fast machine, at once).
    const child = spelunk(['run', `| makeresults count=1000000 | streamstats count as n | eval v="new-${'y'.repeat(60)}" | table n v | outputlookup keep.csv`, '--state', dir, '--quiet']);
    const done = exit(child);
    const lookupsDir = path.join(dir, 'lookups');
    const started = Date.now();
    let seen = false;
    while (!(seen = readdirSync(lookupsDir).some((f) => f.endsWith('.tmp'))) && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    expect(seen, 'the temp file of the write was seen before the kill').toBe(true);
    const result = await done;
    expect(result.signal).toBe('SIGKILL');
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(readLookup(file).rows).toEqual([['1', 'old'], ['2', 'old'], ['3', 'old']]);
    // The killed writer's temp file is hidden: it is not a lookup and the next write still works.
    const engine = await Engine.open({ stateDir: dir });
    try {
      expect(await outcome(engine, '| inputlookup keep.csv | stats count')).toBe('ok [{"count":3}]');
      expect(engine.lookups.names()).not.toContainEqual(expect.stringMatching(/tmp/));
    } finally {
      engine.close();
    }
  }, 120_000);
});
