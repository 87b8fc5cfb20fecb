// `search ... | head N` and capped displays read only the events at least as new as the N-th
// (compile.ts newestRowsBound): the engine answers a narrow question first, and the rows must be
// exactly those of the search without the bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import type { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';

const questions = (spl: string, rowCap?: number) => compile(spl, { now: SAMPLE_NOW, rowCap }).discoveries ?? [];

describe('the newest-rows bound', () => {
  // Asked as plan steps of its own (the events again, the N-th), printed like the search.
  const BOUND_QUESTION = [
    'WITH s0 AS (',
    '  SELECT * FROM "events"',
    `    WHERE coalesce("eventName" ILIKE 'AssumeRole', false)`,
    '),',
    's1 AS (',
    '  SELECT * FROM s0 ORDER BY "__seq" LIMIT 1 OFFSET 4',
    ')',
    'SELECT "_time"',
    'FROM s1',
  ].join('\n');

  it('asks for the time of the N-th newest matching event, and bounds the search by it', () => {
    const [q] = questions('eventName=AssumeRole | table _time user | head 5');
    expect(q!.sql).toBe(BOUND_QUESTION);
    const sql = compile('eventName=AssumeRole | table _time user | head 5', { now: SAMPLE_NOW, discovered: { [q!.key]: ['1764000000.5'] } }).sql;
    expect(sql).toContain(`WHERE coalesce("eventName" ILIKE 'AssumeRole', false)\n      AND "_time" >= 1764000000.5::DOUBLE\n),`);
    // No such event, or one without a time: no bound.
    expect(compile('eventName=AssumeRole | head 5', { now: SAMPLE_NOW, discovered: { [q!.key]: [] } }).sql).not.toContain('"_time" >=');
  });

  it('reads head from the plan: head limit=5 and head count=5 are bounded like head 5 (issue 11)', () => {
    for (const spl of ['eventName=AssumeRole | head limit=5', 'eventName=AssumeRole | head count=5', 'eventName=AssumeRole | eval x=1 | head limit=5']) {
      const [q] = questions(spl);
      expect(q?.sql, spl).toBe(BOUND_QUESTION);
    }
    // tail keeps the oldest rows: no bound.
    expect(questions('eventName=AssumeRole | tail 5')).toHaveLength(0);
  });

  it('applies a display cap only when nothing after the search drops or reorders rows', () => {
    expect(questions('eventName=AssumeRole', 1001)).toHaveLength(1);
    expect(questions('eventName=AssumeRole | eval x=1 | rename x AS y | fields - y', 1001)).toHaveLength(1);
    expect(questions('eventName=AssumeRole')).toHaveLength(0);
    for (const spl of [
      'eventName=AssumeRole | where isnotnull(errorCode) | head 5',
      'eventName=AssumeRole | dedup user | head 5',
      'eventName=AssumeRole | sort _time | head 5',
      'eventName=AssumeRole | stats count by user',
      'AccessDenied | head 5',
      'eventName=AssumeRole [search eventName=CreateRole | fields recipientAccountId] | head 5',
      'eventName=AssumeRole | head 200000',
      '| makeresults | head 1',
    ]) expect(questions(spl, 1001), spl).toHaveLength(0);
  });

  describe('on the sample', () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await sampleEngine();
    });
    afterAll(() => engine.close());

    it('gives the same rows as the search without the bound', async () => {
      for (const [bounded, plain] of [
        ['eventName=AssumeRole | head 7', 'eventName=AssumeRole | where true() | head 7'],
        ['eventName=AssumeRole | head limit=7', 'eventName=AssumeRole | where true() | head 7'],
        ['search * | table _time eventName user | head 33', 'search * | where true() | table _time eventName user | head 33'],
        ['eventSource=iam.amazonaws.com | eval k=1 | head 20', 'eventSource=iam.amazonaws.com | where true() | eval k=1 | head 20'],
      ]) {
        const a = await engine.run(bounded!, { now: SAMPLE_NOW });
        expect(a.sql, bounded).toContain('"_time" >=');
        expect(a.rows).toEqual((await engine.run(plain!, { now: SAMPLE_NOW })).rows);
      }
      // Fewer matching events than the cap: no bound, every event.
      const few = await engine.run('eventSource=iam.amazonaws.com | head 1000', { now: SAMPLE_NOW });
      expect(few.sql).not.toContain('"_time" >=');
      expect(few.rows).toEqual((await engine.run('eventSource=iam.amazonaws.com', { now: SAMPLE_NOW })).rows);
      const capped = await engine.run('search *', { now: SAMPLE_NOW, maxRows: 25 });
      expect(capped.sql).toContain('"_time" >=');
      expect(capped.truncated).toBe(true);
      expect(capped.rows).toEqual((await engine.run('search * | where true() | head 25', { now: SAMPLE_NOW })).rows);
    });
  });
});
