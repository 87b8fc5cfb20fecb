// Long IN lists (the add-on's event-name lists, dozens of them in one data model search) must not
// each become a join with a hash table of its own: over the 60 events of the stratus fixture one
// `tstats ... from datamodel=Change` peaked at 1.48 GB of DuckDB buffer memory and failed about
// half its runs with "out of memory" at the default limit (seen as a flaky `:hunt --content`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';

const SEARCH = '| tstats count from datamodel=Change where All_Changes.action=created by All_Changes.user All_Changes.object | sort - count All_Changes.object';
let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'in-clause-'));
  engine = await Engine.open({ cacheDir: dir });
  await engine.load([path.resolve(import.meta.dirname, '..', 'fixtures', 'public', 'stratus-red-team')]);
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a data model search over a few events', () => {
  it('needs little memory (DuckDB reports its own peak)', async () => {
    const { compiled } = await engine.prepareWithData(SEARCH, {});
    const plan = (await engine.connection.runAndReadAll(`EXPLAIN ANALYZE ${compiled.sql}`)).getRows()[0]![1] as string;
    const peak = (JSON.parse(plan.slice(plan.indexOf('{'))) as { system_peak_buffer_memory: number }).system_peak_buffer_memory;
    expect(peak).toBeLessThan(256e6);
  });

  it('answers every time', async () => {
    for (let i = 0; i < 4; i++) {
      expect((await engine.run(SEARCH)).rows).toEqual([
        { 'All_Changes.user': 'malicious-iam-user', 'All_Changes.object': 'malicious-iam-user', count: 1 },
        { 'All_Changes.user': 'christophe', 'All_Changes.object': 'unknown', count: 1 },
      ]);
    }
  });
});
