// A run over files the cache already holds (`spelunk run`'s loadAndStream): the files are walked
// and looked up once. The first search's candidates path looked them up to see whether it could
// answer first, and the load then looked them up again: two walks of 53,819 files at 5M.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { lookUpCache } from '../src/engine/cache-lookup.js';
import type { Row } from '../src/engine/types.js';
import { SAMPLE_DIR } from './helpers.js';

vi.mock('../src/engine/cache-lookup.js', async (original) => {
  const actual = await original<typeof import('../src/engine/cache-lookup.js')>();
  return { ...actual, lookUpCache: vi.fn(actual.lookUpCache) };
});

const root = mkdtempSync(path.join(tmpdir(), 'spelunk-warm-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('walks the files once on a cold and on a warm run, with the rows of an ordinary load', async () => {
  const data = path.join(root, 'data');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  const cacheDir = path.join(root, 'cache');
  const search = 'search eventName=ConsoleLogin | head 3';
  const run = async (dir: string | undefined): Promise<{ rows: Row[]; filesRead: number }> => {
    const engine = await Engine.open({ cacheDir: dir });
    try {
      const rows: Row[] = [];
      const { report } = await engine.loadAndStream([data], {}, { search, opts: {}, onRows: (r) => void rows.push(...r) });
      return { rows, filesRead: report.filesRead };
    } finally {
      engine.close();
    }
  };
  const looked = vi.mocked(lookUpCache);
  looked.mockClear();
  const cold = await run(cacheDir);
  // A first run, with no manifest to start from: one walk too, whichever way the search is answered.
  expect(looked).toHaveBeenCalledTimes(1);
  looked.mockClear();
  const warm = await run(cacheDir);
  expect(looked).toHaveBeenCalledTimes(1);
  expect(warm).toEqual(cold);
  expect(warm).toEqual(await run(undefined));
  expect(warm.rows.length).toBe(3);
});

it('walks the files once on a first run of a search with nothing to pick its candidates by', async () => {
  const data = path.join(root, 'data-plain');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  const engine = await Engine.open({ cacheDir: path.join(root, 'cache-plain') });
  try {
    const looked = vi.mocked(lookUpCache);
    looked.mockClear();
    const rows: Row[] = [];
    await engine.loadAndStream([data], {}, { search: '| stats count', opts: {}, onRows: (r) => void rows.push(...r) });
    expect(looked).toHaveBeenCalledTimes(1);
    expect(rows.length).toBe(1);
  } finally {
    engine.close();
  }
});
