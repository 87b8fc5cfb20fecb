// A random sample of the events (CompileOptions.sample): what the REPL's field sidebar estimates
// the costly add-on fields over before it counts them exactly (issue 14, "Field sidebar").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import type { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sampleEngine, sqlOf } from './helpers.js';

describe('the sample in the SQL', () => {
  it('samples the events step of a search that keeps each row as it is', () => {
    const compiled = compile('eventName=AssumeRole | eval x=1 | table eventName x', { now: SAMPLE_NOW, sample: 12.5 });
    expect(compiled.sampled).toBe(12.5);
    expect(compiled.sql).toMatch(/FROM "events" TABLESAMPLE 12\.5% \(bernoulli, 20261206\)\s+WHERE coalesce\("eventName" ILIKE 'AssumeRole', false\)/);
  });

  it('does not sample a search whose commands change the rows (a sample of its input is not one of its output)', () => {
    for (const spl of ['* | dedup eventName', '* | head 5', '* | stats count by eventName', '* | where x=1 | streamstats count']) {
      const compiled = compile(spl, { now: SAMPLE_NOW, sample: 5 });
      expect(compiled.sampled, spl).toBeUndefined();
      expect(compiled.sql, spl).not.toContain('TABLESAMPLE');
    }
  });

  it('samples only the main search, never a subsearch (its answer would change)', () => {
    const sql = sqlOf('* [search eventName=CreateRole | fields userIdentity.arn] | table eventName', { sample: 5 });
    expect(sql.match(/TABLESAMPLE/g)).toHaveLength(1);
  });

  it('is not there without the option, nor for 0 or 100 percent', () => {
    for (const sample of [undefined, 0, 100]) expect(sqlOf('eventName=AssumeRole', { sample })).not.toContain('TABLESAMPLE');
  });
});

describe('counting over the sample', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await sampleEngine();
  });
  afterAll(() => engine.close());

  it('counts fewer rows than the search returns, and says it sampled', async () => {
    const all = await engine.summarizeFields('*', { now: SAMPLE_NOW }, ['eventName']);
    const some = await engine.summarizeFields('*', { now: SAMPLE_NOW, sample: 30 }, ['eventName']);
    expect(all.rows).toBe(515);
    expect(all.sampled).toBeUndefined();
    expect(some.sampled).toBe(30);
    // Bernoulli at 30% of 515: far outside 60..250 only with a broken sample.
    expect(some.rows).toBeGreaterThan(60);
    expect(some.rows).toBeLessThan(250);
    // Every value it saw is a real one, counted no more often than in the whole.
    const counts = (await engine.run('* | stats count by eventName', { now: SAMPLE_NOW })).rows;
    const whole = new Map(counts.map((r) => [r.eventName, Number(r.count)]));
    for (const t of some.fields[0]!.top) expect(t.count).toBeLessThanOrEqual(whole.get(t.value) ?? 0);
  });

  it('counts every row of a search that changes rows, and says it did not sample', async () => {
    const some = await engine.summarizeFields('* | dedup eventName', { now: SAMPLE_NOW, sample: 30 }, ['eventName']);
    const all = await engine.summarizeFields('* | dedup eventName', { now: SAMPLE_NOW }, ['eventName']);
    expect(some.sampled).toBeUndefined();
    expect(some).toEqual(all);
  });
});
