// A random sample of the events (CompileOptions.sample), and the field sidebar's counts over the
// first rows of a search (Engine.summarizeFields' `first`, issue 14's "Field sidebar").
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

describe('counting over the first rows', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await sampleEngine();
  });
  afterAll(() => engine.close());

  it('counts the first rows the search returns, as head does, and only them', async () => {
    const first = await engine.summarizeFields('eventName=AssumeRole', { now: SAMPLE_NOW, first: 30 }, ['eventName', 'userName'], ['eventID']);
    const head = await engine.summarizeFields('eventName=AssumeRole | head 30', { now: SAMPLE_NOW }, ['eventName', 'userName'], ['eventID']);
    expect(first.rows).toBe(30);
    expect(first).toEqual(head);
    const all = await engine.summarizeFields('eventName=AssumeRole', { now: SAMPLE_NOW }, ['eventName']);
    expect(all.rows).toBe(101);
    // Fewer rows than asked for: all of them.
    expect((await engine.summarizeFields('eventName=AssumeRole', { now: SAMPLE_NOW, first: 1000 }, ['eventName'])).rows).toBe(101);
  });
});
