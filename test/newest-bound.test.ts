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

  it('with times from the cache, asks over the events since each first, and bounds by an N-th clearly after it', () => {
    const spl = 'eventName=AssumeRole | head 5';
    const opts = { now: SAMPLE_NOW, recentSince: [1764000000, 1763000000] };
    const [first] = compile(spl, opts).discoveries!;
    expect(first!.what).toBe('the time of matching event number 5, newest first, among events since 1764000000');
    expect(first!.sql).toContain(`WHERE coalesce("eventName" ILIKE 'AssumeRole', false)\n      AND "_time" >= 1764000000\n),`);
    // Five match since then: the bound is the fifth's time, and nothing more is asked.
    const found = compile(spl, { ...opts, discovered: { [first!.key]: ['1764000100'] } });
    expect(found.discoveries ?? []).toHaveLength(0);
    expect(found.sql).toContain('AND "_time" >= 1764000100');
    // Fewer than five since then, or a fifth less than a millisecond after it (an older event
    // could share its microsecond): the next time is asked, then all events.
    for (const answer of [[], ['1764000000.0005'], [null]]) {
      const [second] = compile(spl, { ...opts, discovered: { [first!.key]: answer } }).discoveries!;
      expect(second!.what, JSON.stringify(answer)).toBe('the time of matching event number 5, newest first, among events since 1763000000');
      const [third] = compile(spl, { ...opts, discovered: { [first!.key]: answer, [second!.key]: [] } }).discoveries!;
      expect(third!.sql).toBe(BOUND_QUESTION);
      const all = compile(spl, { ...opts, discovered: { [first!.key]: answer, [second!.key]: [], [third!.key]: ['1762000000'] } });
      expect(all.discoveries ?? []).toHaveLength(0);
      expect(all.sql).toContain('AND "_time" >= 1762000000');
    }
  });

  it('reads the newest view (newestView) in a statement that keeps only events at or after its start, events elsewhere', () => {
    const spl = 'eventName=AssumeRole | head 5';
    const opts = { now: SAMPLE_NOW, recentSince: [1764000000, 1763000000], newestView: { table: '__spelunk_newest', since: 1764000000 } };
    const [first] = compile(spl, opts).discoveries!;
    expect(first!.sql).toContain('SELECT * FROM "__spelunk_newest"\n    WHERE coalesce("eventName" ILIKE \'AssumeRole\', false)\n      AND "_time" >= 1764000000\n');
    expect(first!.sql).not.toContain('"events"');
    // Bounded at the fifth's time, after the view's start: the rows are read from it too.
    const found = compile(spl, { ...opts, discovered: { [first!.key]: ['1764000100.5'] } });
    expect(found.sql).toContain('FROM "__spelunk_newest"');
    expect(found.sql).not.toContain('"events"');
    // The next time is before the view's start, and all events have no bound: both read events.
    const [second] = compile(spl, { ...opts, discovered: { [first!.key]: [] } }).discoveries!;
    expect(second!.sql).toContain('SELECT * FROM "events"');
    expect(second!.sql).not.toContain('__spelunk_newest');
    const [third] = compile(spl, { ...opts, discovered: { [first!.key]: [], [second!.key]: [] } }).discoveries!;
    expect(third!.sql).toBe(BOUND_QUESTION);
    const unbounded = compile(spl, { ...opts, discovered: { [first!.key]: [], [second!.key]: [], [third!.key]: [] } });
    expect(unbounded.sql).not.toContain('__spelunk_newest');
    // Searches with no bound of their own read events, whatever they say of _time.
    for (const other of ['eventName=AssumeRole _time>=1763999999 | stats count', 'eventName=AssumeRole | stats count', 'eventName=AssumeRole OR _time>=1764000001 | stats count']) {
      expect(compile(other, opts).sql, other).not.toContain('__spelunk_newest');
    }
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
      // With times from the cache, whichever share of the events they leave: the same rows.
      const times = (await engine.connection.runAndReadAll('SELECT DISTINCT floor(_time) FROM events WHERE _time IS NOT NULL ORDER BY 1 DESC')).getRowsJS().map((r) => Number(r[0]));
      for (const spl of ['eventName=AssumeRole | head 7', 'search * | table _time eventName user | head 33', 'eventSource=iam.amazonaws.com | head 1000']) {
        const plain = await engine.connection.runAndReadAll(compile(spl.replace(' |', ' | where true() |'), { now: SAMPLE_NOW }).sql);
        for (const recentSince of [[times[0]!], [times[3]!, times[Math.floor(times.length / 2)]!], [times[times.length - 1]!], [times[0]! + 1]]) {
          let discovered: Record<string, (string | null)[]> = {};
          let compiled = compile(spl, { now: SAMPLE_NOW, recentSince, discovered });
          while (compiled.discoveries?.length) {
            for (const d of compiled.discoveries) discovered = { ...discovered, [d.key]: (await engine.connection.runAndReadAll(d.sql)).getRowsJS().map((r) => (r[0] === null ? null : String(r[0]))) };
            compiled = compile(spl, { now: SAMPLE_NOW, recentSince, discovered });
          }
          expect((await engine.connection.runAndReadAll(compiled.sql)).getRowsJS(), `${spl} ${recentSince}`).toEqual(plain.getRowsJS());
        }
      }
      const capped = await engine.run('search *', { now: SAMPLE_NOW, maxRows: 25 });
      expect(capped.sql).toContain('"_time" >=');
      expect(capped.truncated).toBe(true);
      expect(capped.rows).toEqual((await engine.run('search * | where true() | head 25', { now: SAMPLE_NOW })).rows);
    });
  });
});
