// append and inputlookup append=t stack relations whose shared fields may differ in type (a
// number from stats, text from a CSV lookup). Before, the compiler kept the left side's type
// while DuckDB made the column VARCHAR: `where` then failed to bind and numbers read "5.0".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { expectRows, sqlOf } from './helpers.js';

let engine: Engine;
let state: string;
beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'spelunk-union-'));
  mkdirSync(join(state, 'lookups'));
  writeFileSync(join(state, 'lookups', 'seen.csv'), 'pair,firstTime\na,100\nb,7\n');
  engine = await Engine.open({ stateDir: state });
});
afterAll(() => {
  engine.close();
  rmSync(state, { recursive: true, force: true });
});

describe('stacking fields of different types', () => {
  it('append: a number meeting text becomes its Splunk text, and compares as a number', async () => {
    await expectRows(engine, '| makeresults | eval v="x" | append [| makeresults | eval v=5] | where v<10 OR v=="x" | table v', [{ v: 'x' }, { v: '5' }]);
  });

  it('append: a multivalue side makes the other a list', async () => {
    await expectRows(engine, '| makeresults | eval v=split("a,b", ",") | append [| makeresults | eval v="c"] | table v', [{ v: ['a', 'b'] }, { v: ['c'] }]);
  });

  it('inputlookup append=t: numbers from the search merge with the lookup\'s text in stats and where', async () => {
    await expectRows(
      engine,
      '| makeresults | eval pair="a", firstTime=50 | inputlookup append=t seen | stats min(firstTime) AS firstTime BY pair | where firstTime<60',
      [{ pair: 'a', firstTime: '50' }, { pair: 'b', firstTime: '7' }],
    );
  });

  it('converts only the side whose type differs', () => {
    const sql = sqlOf('| makeresults | eval v="x" | append [| makeresults | eval v=5]', { stepwise: true });
    expect(sql).toContain('SELECT * REPLACE (spl_num2str("v") AS "v") FROM s4');
    expect(sql).toContain('SELECT *, 0 AS "__part" FROM s1\n    UNION ALL BY NAME\n    SELECT *, 1 AS "__part" FROM s5');
  });
});
