// Searches started together on one engine (the REPL's event viewer stepped through fast, a pivot
// while a search streams) run one after another: each gets all of its own rows. Before, a second
// statement on the connection ended the first one's rows early, without an error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { sampleEngine } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine?.close());

describe('one engine, several searches at once', () => {
  it('looks up four events by eventID at once and gets each', async () => {
    const ids = (await engine.run('eventName=CreateRole | table eventID')).rows.map((r) => r.eventID as string);
    expect(ids).toHaveLength(4);
    for (let round = 0; round < 3; round++) {
      const found = await Promise.all(ids.map((id) => engine.run(`eventID="${id}" | head 1 | table _raw`, { maxRows: 1 })));
      expect(found.map((r) => JSON.parse(r.rows[0]!._raw as string).eventID)).toEqual(ids);
    }
  });

  it('a search started while another streams to a slow reader waits for it; both get every row', async () => {
    const slow: unknown[] = [];
    const streaming = engine.stream('search * | table eventID', { maxRows: 10_000 }, async (rows) => {
      slow.push(...rows);
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    const [counted, all] = await Promise.all([engine.run('search * | stats count'), streaming]);
    expect(all.rowCount).toBe(515);
    expect(slow).toHaveLength(515);
    expect(counted.rows).toEqual([{ count: 515 }]);
  });

  it('a failing search does not stop the next one', async () => {
    const [bad, good] = await Promise.allSettled([engine.run('| makeresults | eval x='), engine.run('| makeresults | eval x=1 | table x')]);
    expect(bad.status).toBe('rejected');
    expect(good.status === 'fulfilled' && good.value.rows).toEqual([{ x: 1 }]);
  });
});
