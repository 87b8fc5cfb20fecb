// A search that spills to disk fills a private scratch folder (hundreds of MB). Ctrl-C or a kill
// must not leave it behind, and folders left by a process that died anyway (kill -9) are collected
// by the next spelunk.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStaleScratch, scratchRoot } from '../../src/engine/scratch.js';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'spelunk.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostile-scratch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scratchFolders = (root: string): string[] => readdirSync(root).filter((n) => n.startsWith('spelunk-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a signal during a spilling search', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} removes the scratch folder and still ends the process by that signal`, async () => {
      const root = path.join(dir, signal);
      mkdirSync(root);
      const child = spawn(process.execPath, [BIN, 'run', '| makeresults count=50000000 | eval x=random(), y=md5(tostring(x)) | sort x | head 1', '--memory-limit', '100MB', '--no-cache'], {
        env: { ...process.env, TMPDIR: root },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, sig) => resolve(sig ?? code)));
      let spilled = false;
      for (let i = 0; i < 600 && child.exitCode === null && !spilled; i++) {
        await sleep(100);
        spilled = scratchFolders(root).some((f) => readdirSync(path.join(root, f)).length > 0);
      }
      expect(spilled, 'the search spilled before it ended').toBe(true);
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(scratchFolders(root)).toEqual([]);
    }, 90_000);
  }
});

describe('stale scratch folders', () => {
  it('removes those of dead processes once untouched for ten minutes; keeps live, young and foreign ones', () => {
    const root = path.join(dir, 'stale');
    mkdirSync(root);
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    const folder = (name: string, ageMs: number): string => {
      const full = path.join(root, name);
      mkdirSync(full);
      writeFileSync(path.join(full, 'duckdb_temp_storage-0.tmp'), 'x');
      const t = (Date.now() - ageMs) / 1000;
      utimesSync(path.join(full, 'duckdb_temp_storage-0.tmp'), t, t);
      utimesSync(full, t, t);
      return full;
    };
    const old = folder(`spelunk-${dead}-0123456789ab`, 60 * 60_000);
    const young = folder(`spelunk-${dead}-0123456789ac`, 60_000);
    const mine = folder(`spelunk-${process.pid}-0123456789ad`, 60 * 60_000);
    const other = folder(`spelunk-${dead}-notours`, 60 * 60_000);
    expect(collectStaleScratch(root)).toEqual([old]);
    expect(existsSync(old)).toBe(false);
    for (const kept of [young, mine, other]) expect(existsSync(kept)).toBe(true);
  });

  it('the CLI collects them when it starts', () => {
    const root = path.join(dir, 'cli');
    mkdirSync(root);
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    const stale = path.join(root, `spelunk-${dead}-0123456789ab`);
    mkdirSync(stale);
    const t = (Date.now() - 3600_000) / 1000;
    utimesSync(stale, t, t);
    const r = spawnSync(process.execPath, [BIN, 'run', '| makeresults', '--no-cache', '--quiet'], { env: { ...process.env, TMPDIR: root }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(scratchFolders(root)).toEqual([]);
  });
});

describe('where scratch goes', () => {
  it('the temp folder on disk; beside the cache where the temp folder is held in memory (tmpfs)', () => {
    const onDisk = path.join(dir, 'beside-cache', 'scratch');
    expect(scratchRoot(dir, onDisk)).toBe(dir);
    expect(existsSync(onDisk)).toBe(false);
    // /dev/shm is tmpfs on Linux: a spill there would hold memory the limit meant to free.
    const shm = '/dev/shm';
    let inMemory = false;
    try {
      inMemory = statfsSync(shm).type === 0x01021994;
    } catch {
      // No /dev/shm here: nothing to check.
    }
    if (!inMemory) return;
    expect(scratchRoot(shm, onDisk)).toBe(onDisk);
    expect(existsSync(onDisk)).toBe(true);
  });
});
