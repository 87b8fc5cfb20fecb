// The REPL's opening summary of what is loaded, remembered with the cache (issue 13: its four
// searches over every event took 1.4-1.5 CPU-s at 5M, before the prompt): served from the cache
// folder in the next session over the same files, never once anything that decides it differs (a
// changed or added file, the copies dropped), never without a cache, and counted again when the
// file is damaged. Every figure is checked by hand.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { SUMMARY_FILE, type LoadedSummary } from '../src/engine/loaded-summary.js';
import { Session } from '../src/repl/session.js';
import { s3Call, writeRecords } from './helpers.js';

const NOW = Date.parse('2026-11-28T00:00:00Z') / 1000;
const DAY = (d: number, s: number) => Date.parse(`2026-11-${d}T10:00:${String(s).padStart(2, '0')}Z`) / 1000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-loaded-summary-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open: Engine[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});
async function engineOver(cacheDir: string | undefined, logs: string[], opts: { dedupEvents?: boolean } = {}): Promise<Engine> {
  const engine = await Engine.open({ cacheDir, ...opts });
  open.push(engine);
  await engine.load(logs);
  return engine;
}

function logsOf(name: string, files: Record<string, object[]>): string {
  const logs = path.join(dir, name);
  mkdirSync(logs, { recursive: true });
  for (const [file, events] of Object.entries(files)) writeRecords(path.join(logs, file), events);
  return logs;
}

/** The summary, and whether it was counted (its searches run) rather than read back. */
async function summary(engine: Engine): Promise<{ s: LoadedSummary; counted: boolean }> {
  const run = engine.run.bind(engine);
  let counted = false;
  engine.run = (spl, opts) => {
    counted = true;
    return run(spl, opts);
  };
  try {
    return { s: await engine.loadedSummary(NOW), counted };
  } finally {
    engine.run = run;
  }
}

/** s3Call's events with their times (s3Call numbers its seconds by a counter of its own). */
function calls(...made: [string, number, string?][]): { events: object[]; times: number[] } {
  const events = made.map(([name, day, user]) => s3Call(name, day, {}, user));
  const times = events.map((e) => {
    const t = (e as { eventTime: string }).eventTime;
    return Date.parse(t) / 1000;
  });
  return { events, times };
}

describe('the opening summary remembered with the cache', () => {
  it('counts once: the next session over the same files reads it, the same figures', async () => {
    const cacheDir = path.join(dir, 'cache-again');
    const { events, times } = calls(['GetObject', 20], ['GetObject', 20, 'bob'], ['GetObject', 21], ['DeleteBucket', 22, 'bob']);
    const logs = logsOf('again', { 'a.json': events });
    const engine = await engineOver(cacheDir, [logs]);
    const first = await summary(engine);
    expect(first.counted).toBe(true);
    // By hand: four events of one account and region, three GetObject.
    expect(first.s).toEqual({
      events: 4, earliest: Math.min(...times), latest: Math.max(...times),
      accounts: [{ value: '111122223333', count: 4 }], regions: [{ value: 'us-east-1', count: 4 }],
      eventNames: [{ value: 'GetObject', count: 3 }, { value: 'DeleteBucket', count: 1 }],
    });
    expect(await summary(engine)).toEqual({ s: first.s, counted: false });
    engine.close();
    open.splice(0);
    const next = await engineOver(cacheDir, [logs]);
    expect(await summary(next)).toEqual({ s: first.s, counted: false });
    // The session's time range does not narrow it: the summary is of everything loaded.
    const session = new Session(next, { now: NOW, earliest: String(DAY(22, 0)) });
    const shown = await session.summary();
    expect(shown[0]!.text).toMatch(/^4 events, /);
  });

  it('never serves the summary of other events: a changed file, another file, the copies dropped', async () => {
    const cacheDir = path.join(dir, 'cache-change');
    const twice = s3Call('GetObject', 20);
    const logs = logsOf('change', { 'a.json': [twice, s3Call('GetObject', 21)] });
    const engine = await engineOver(cacheDir, [logs]);
    expect((await summary(engine)).s.events).toBe(2);
    // The file changed and loaded again.
    writeRecords(path.join(logs, 'a.json'), [twice, s3Call('GetObject', 21), s3Call('DeleteBucket', 21)]);
    await engine.load([logs]);
    const changed = await summary(engine);
    expect(changed.counted).toBe(true);
    expect(changed.s.eventNames).toEqual([{ value: 'GetObject', count: 2 }, { value: 'DeleteBucket', count: 1 }]);
    // A file beside it, holding a copy of an event: loaded in a new session (with every copy, then once).
    writeRecords(path.join(logs, 'b.json'), [twice, s3Call('PutObject', 22, {}, 'carol')]);
    const every = await engineOver(cacheDir, [logs]);
    const added = await summary(every);
    expect(added.counted).toBe(true);
    expect(added.s.events).toBe(5);
    // top's ties in reverse lexicographic order, as Splunk's.
    expect(added.s.eventNames).toEqual([{ value: 'GetObject', count: 3 }, { value: 'PutObject', count: 1 }, { value: 'DeleteBucket', count: 1 }]);
    const once = await engineOver(cacheDir, [logs], { dedupEvents: true });
    const dropped = await summary(once);
    expect(dropped.counted).toBe(true);
    expect(dropped.s.events).toBe(4);
    expect(dropped.s.eventNames).toEqual([{ value: 'GetObject', count: 2 }, { value: 'PutObject', count: 1 }, { value: 'DeleteBucket', count: 1 }]);
    expect(await summary(every)).toEqual({ s: added.s, counted: false });
    expect(await summary(once)).toEqual({ s: dropped.s, counted: false });
  });

  it('remembers nothing without a cache, and counts again when the file is damaged, with the same figures', async () => {
    const logs = logsOf('damaged', { 'a.json': [s3Call('GetObject', 20), s3Call('DeleteBucket', 21, {}, 'bob')] });
    const memory = await engineOver(undefined, [logs]);
    expect((await summary(memory)).counted).toBe(true);
    expect((await summary(memory)).counted).toBe(true);
    const cacheDir = path.join(dir, 'cache-damaged');
    const engine = await engineOver(cacheDir, [logs]);
    const first = await summary(engine);
    expect(first.s.events).toBe(2);
    const file = path.join(cacheDir, SUMMARY_FILE);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { entries: [string, { events: unknown }][] };
    kept.entries[0]![1].events = '2';
    writeFileSync(file, JSON.stringify(kept));
    expect(await summary(engine)).toEqual({ s: first.s, counted: true });
    writeFileSync(file, '{"version":1,"entr');
    expect(await summary(engine)).toEqual({ s: first.s, counted: true });
    expect(await summary(engine)).toEqual({ s: first.s, counted: false });
  });
});
