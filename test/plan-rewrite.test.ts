// Rewrites of a complete plan (src/compiler/rewrite/): what they drop or change, and that the
// rows stay the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { Engine } from '../src/engine/engine.js';
import { expectRows, SAMPLE_NOW, sampleEngine } from './helpers.js';

const kinds = (spl: string) => compile(spl, { now: SAMPLE_NOW }).plan!.steps.map((s) => s.step.kind);

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

describe('useless steps are dropped', () => {
  it('a `search *` (an empty filter macro) is no step, wherever it is', async () => {
    expect(kinds('| makeresults count=3 | search * | eval a=1')).toEqual(['generate', 'extend']);
    expect(compile('| makeresults count=3 | eval a=1 | search *', { now: SAMPLE_NOW }).sql).not.toMatch(/WHERE true/);
    await expectRows(engine, '| makeresults count=3 | search * | eval a=1 | search * | stats count by a', [{ a: 1, count: 3 }]);
  });

  it('a subsearch that reads a dropped step reads its input', async () => {
    const spl = '| makeresults count=2 | streamstats count as a | search [| makeresults | eval a=2 | search * | fields a] | search *';
    expect(compile(spl, { now: SAMPLE_NOW }).sql).not.toMatch(/WHERE true/);
    await expectRows(engine, `${spl} | table a`, [{ a: 2 }]);
  });
});
