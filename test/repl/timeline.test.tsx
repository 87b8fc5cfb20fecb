// The timeline above event searches, :zoom, and the bars beside a timechart: issue 14's "Timeline".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { bar } from '../../src/repl/result-view.js';
import { Session } from '../../src/repl/session.js';
import { bucketRange, chooseSpan, countInto, emptyTimeline, histogram, timelineLines } from '../../src/repl/timeline.js';
import { SAMPLE_NOW, sampleEngine } from '../helpers.js';
import { KEY, startRepl, waitFor } from './harness.js';

const T = (iso: string) => Date.parse(iso) / 1000;

describe('timeline', () => {
  it('chooses the bucket from the span so the line fits', () => {
    expect(chooseSpan(T('2026-11-27T00:00:00Z'), T('2026-11-28T00:00:00Z'), 100, true)).toBe(1800);
    expect(chooseSpan(T('2026-11-20T00:08:49Z'), T('2026-11-27T18:57:24Z'), 100)).toBe(3 * 3600);
    expect(chooseSpan(T('2026-11-27T02:00:00Z'), T('2026-11-27T02:00:40Z'), 100)).toBe(1);
    expect(chooseSpan(T('2020-01-01T00:00:00Z'), T('2026-01-01T00:00:00Z'), 100)).toBe(30 * 86400);
  });
  it('shows empty buckets, and heights up to the busiest', () => {
    const t = countInto(emptyTimeline(0, 600, 60, true), [0, 10, 20, 30, 130, 599]);
    expect(t.counts).toEqual([4, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(histogram(t.counts)).toBe('█·▁······▁');
  });
  it('names the range, the bucket and the busiest bucket; the year only when the range crosses one', () => {
    const t = countInto(emptyTimeline(T('2026-11-27T00:00:00Z'), T('2026-11-28T00:00:00Z'), 3600, true), [T('2026-11-27T02:09:12Z'), T('2026-11-27T02:31:05Z'), T('2026-11-27T14:12:00Z')]);
    expect(timelineLines(t)[1]).toBe('2026-11-27 00:00 .. 11-28 00:00 UTC · 1 bar = 1 hour · 3 events, busiest 11-27 02:00 (2) · :zoom narrows');
    const y = emptyTimeline(T('2025-12-31T20:00:00Z'), T('2026-01-01T04:00:00Z'), 3600, true);
    expect(timelineLines(y)[1]).toMatch(/^2025-12-31 20:00 \.\. 2026-01-01 04:00 UTC · 1 bar = 1 hour · 0 events, busiest 2025-12-31 20:00 \(0\)/);
  });
  it('turns a run of buckets back into a time range', () => {
    const t = emptyTimeline(T('2026-11-27T00:00:00Z'), T('2026-11-28T00:00:00Z'), 3600, true);
    expect(bucketRange(t, 4, 2)).toEqual({ earliest: T('2026-11-27T02:00:00Z'), latest: T('2026-11-27T05:00:00Z') });
  });
  it('draws bars in eighths of a character', () => {
    expect(bar(10, 10, 4)).toBe('████');
    expect(bar(5, 10, 3)).toBe('█▌');
    expect(bar(0, 10, 4)).toBe('');
  });
});

describe('the timeline in the REPL', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await sampleEngine();
  });
  afterAll(() => engine.close());

  it('goes above an event search, counting every matching event even when the rows are capped', async () => {
    const { ui, run } = await startRepl(engine, { height: 40, session: { maxRows: 20 } });
    const s = (await run('eventName=AssumeRole', (x) => x.includes('20 results'))).split('> eventName=AssumeRole\n')[1]!;
    const [line, label] = s.split('\n');
    expect(line).toMatch(/^[·▁▂▃▄▅▆▇█]{50,100}$/);
    expect(label).toBe('2026-11-20 00:00 .. 11-27 21:00 UTC · 1 bar = 3 hours · 101 events, busiest 11-20 06:00 (6) · :zoom narrows');
    const stats = await run('eventName=AssumeRole | stats count', (x) => x.includes('1 result in'));
    expect(stats.split('> eventName=AssumeRole | stats count\n')[1]).toMatch(/^count\n/);
    ui.unmount();
  });

  it('counts a capped result\'s buckets as the whole result\'s rows count them: an hour or more from one query of hours, shorter spans by a second', async () => {
    const run = engine.run.bind(engine);
    const asked: string[] = [];
    engine.run = (spl, opts) => {
      asked.push(String(spl));
      return run(spl, opts);
    };
    try {
      for (const [spl, earliest] of [['eventName=AssumeRole', undefined], ['*', undefined], ['eventSource=s3.amazonaws.com', undefined], ['*', '-24h']] as const) {
        // 100 buckets over the sample's week: 3 hours; 1,000: 10 minutes; over a day: 30 minutes, 3 minutes... (what chooseSpan picks).
        for (const buckets of [8, 100, 1000]) {
          const whole = new Session(engine, { now: SAMPLE_NOW, maxRows: 100_000, ...(earliest ? { earliest } : {}) });
          await whole.search(spl, { timelineBuckets: buckets });
          expect(whole.last!.truncated).toBe(false);
          const capped = new Session(engine, { now: SAMPLE_NOW, maxRows: 5, ...(earliest ? { earliest } : {}) });
          asked.length = 0;
          await capped.search(spl, { timelineBuckets: buckets });
          expect(capped.last!.truncated).toBe(true);
          const timeline = capped.last!.timeline!;
          expect(timeline, `${spl} over ${buckets}`).toEqual(whole.last!.timeline);
          expect(asked, `${spl} over ${buckets}`).toHaveLength(timeline.span % 3600 === 0 ? 1 : 2);
        }
      }
    } finally {
      engine.run = run;
    }
  });

  it('spans the :time range with its empty buckets, and :zoom narrows it and searches again', async () => {
    const { ui, screen, run, type, session } = await startRepl(engine, { height: 40 });
    await run(':time -24h', (s) => s.includes('time range'));
    const s = (await run('eventName=*Role*', (x) => x.includes('results in'))).split('> eventName=*Role*\n')[1]!;
    expect(s.split('\n')[1]).toMatch(/^2026-11-27 00:00 \.\. 11-28 00:00 UTC · 1 bar = 30 minutes · 21 events, busiest 11-27 06:00 \(\d+\)/);
    expect(s.split('\n')[0]).toMatch(/·$/);
    await type(':zoom');
    await type(KEY.enter);
    await waitFor(screen, (x) => x.includes('Enter zoom in'), 'the picker');
    expect(screen()).toMatch(/buckets 13-13: 2026-11-27 06:00 \.\. 11-27 06:30 UTC, \d+ events/);
    await type(KEY.left);
    await type(KEY.shiftRight);
    await type(KEY.shiftRight);
    expect(screen()).toContain('buckets 12-14: 2026-11-27 05:30 .. 11-27 07:00 UTC');
    await type(KEY.enter);
    await waitFor(screen, (x) => /> :zoom 12 14\ntime range: 2026-11-27T05:30:00Z \.\. 2026-11-27T07:00:00Z/.test(x) && x.split('> :zoom 12 14')[1]!.includes('results in'), 'the zoomed search');
    expect(session.last!.rows.every((r) => (r._time as number) >= T('2026-11-27T05:30:00Z') && (r._time as number) < T('2026-11-27T07:00:00Z'))).toBe(true);
    await run(':zoom out', (x) => x.split('> :zoom out')[1]?.includes('results in') ?? false);
    expect(session.timeLabel()).toBe('-24h..now');
    expect(session.last!.rows).toHaveLength(21);
    ui.unmount();
  });

  // A search's own earliest= replaces :time (Splunk's "Time modifiers"), and :zoom sets :time: the
  // zoom looked done while its rows stayed all 21. The analyst zooms to see those buckets' events,
  // as selecting bars in Splunk's timeline shows them: the search zoomed from is narrowed to them.
  it(':zoom into a search with its own earliest= narrows its rows to the buckets, with a note; :zoom out gives them back', async () => {
    const { ui, screen, run, session } = await startRepl(engine, { height: 40 });
    await run(':time -1h', (s) => s.includes('time range'));
    const spl = 'eventName=*Role* earliest=-24h';
    const s = (await run(spl, (x) => x.includes('results in'))).split(`> ${spl}\n`)[1]!;
    expect(s.split('\n')[1]).toMatch(/^2026-11-27 00:00 \.\. 11-28 00:00 UTC · 1 bar = 30 minutes · 21 events/);
    expect(session.last!.rows).toHaveLength(21);
    await run(':zoom 12 14', (x) => x.split('> :zoom 12 14')[1]?.includes('results in') ?? false);
    const zoomed = await engine.run('eventName=*Role* earliest=2026-11-27T05:30:00Z latest=2026-11-27T07:00:00Z', { now: SAMPLE_NOW });
    expect(zoomed.rows.length).toBeGreaterThan(0);
    expect(zoomed.rows.length).toBeLessThan(21);
    expect(session.last!.rows).toEqual(zoomed.rows.map((r) => ({ _time: r._time, _raw: r._raw })));
    expect(session.last!.notes).toEqual(['earliest=/latest= in the search replace the time range given (--earliest/--latest, :time), as in Splunk, and the zoom narrows them: it reads 2026-11-27T05:30:00Z .. 2026-11-27T07:00:00Z']);
    expect(screen().split('> :zoom 12 14')[1]).toContain('the zoom narrows them');
    await run(':zoom out', (x) => x.split('> :zoom out')[1]?.includes('results in') ?? false);
    expect(session.timeLabel()).toBe('-1h..now');
    expect(session.last!.rows).toHaveLength(21);
    // Another search with its own range is not narrowed by the zoom's :time.
    await run(':zoom 12 14', (x) => x.split('> :zoom 12 14')[2]?.includes('results in') ?? false);
    expect(session.last!.rows).toHaveLength(zoomed.rows.length);
    await run('eventName=*Role* earliest=-24h | stats count', (x) => x.split('> eventName=*Role* earliest=-24h | stats count')[1]?.includes('result in') ?? false);
    expect(session.last!.rows).toEqual([{ count: 21 }]);
    ui.unmount();
  });

  it('draws a bar beside each row of a timechart and a sparkline per series', async () => {
    const { ui, run } = await startRepl(engine, { width: 120, height: 40 });
    const s = (await run('* | timechart span=1d count by eventSource limit=2', (x) => x.includes('8 results'))).split('limit=2\n')[1]!;
    const lines = s.split('\n');
    expect(lines[0]).toMatch(/^_time +s3\.amazonaws\.com +sts\.amazonaws\.com +OTHER +bar$/);
    expect(lines[2]).toMatch(/^2026-11-20 00:00:00 +20 +17 +39 +█+[▏▎▍▌▋▊▉]?$/);
    expect(lines.find((l) => l.startsWith('OTHER'))).toMatch(/^OTHER +[▁▂▃▄▅▆▇█]{8}  max \d+ at 2026-11-2\d 00:00:00$/);
    ui.unmount();
  });
});
