// The field sidebar's counts over every row, remembered with the cache (issue 14: the sidebar of
// a million events under 2 s): the same search over the same loaded events is served from the
// cache folder, in the same session and the next, and never once anything that decides the counts
// differs (a changed or added file, the time range, the copies dropped, the fields asked), nor
// for a search whose rows are not made from one event each by commands reading that event alone.
// Every figure is checked by hand.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { SIDEBAR_FILE } from '../src/engine/engine-sidebar.js';
import type { FieldSummary } from '../src/engine/field-summary.js';
import type { FieldStats } from '../src/repl/field-stats.js';
import { Session } from '../src/repl/session.js';
import { s3Call, writeRecords } from './helpers.js';

const NOW = Date.parse('2026-11-28T00:00:00Z') / 1000;
const FIELDS = ['eventName', 'user', 'action', 'eventtype'];
const IDS = ['eventID'];


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-sidebar-memory-'));
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

/** A folder of logs: `files` by name. */
function logsOf(name: string, files: Record<string, object[]>): string {
  const logs = path.join(dir, name);
  mkdirSync(logs, { recursive: true });
  for (const [file, events] of Object.entries(files)) writeRecords(path.join(logs, file), events);
  return logs;
}

/** Whether `work` counted (ran the sidebar's aggregate) rather than read remembered counts. */
async function counted(engine: Engine, work: () => Promise<unknown>): Promise<boolean> {
  const conn = engine.connection;
  const read = conn.runAndReadAll.bind(conn);
  let ran = false;
  conn.runAndReadAll = ((sql: string, ...rest: unknown[]) => {
    if (/GROUPING SETS/.test(sql)) ran = true;
    return (read as (...a: unknown[]) => ReturnType<typeof read>)(sql, ...rest);
  }) as typeof conn.runAndReadAll;
  try {
    await work();
  } finally {
    conn.runAndReadAll = read;
  }
  return ran;
}

const summary = (engine: Engine, spl = '*', opts: { earliest?: number } = {}) => engine.summarizeFields(spl, { now: NOW, ...opts }, FIELDS, IDS);
const remembered = (engine: Engine, spl = '*', opts: { earliest?: number } = {}) => engine.rememberedFields(spl, { now: NOW, ...opts }, FIELDS, IDS);
const field = (fields: FieldSummary[], name: string) => fields.find((f) => f.field === name);

describe('the sidebar remembered with the cache', () => {
  it('counts every row once: the next sidebar of the search, in this session or the next, reads the counts', async () => {
    const cacheDir = path.join(dir, 'cache-again');
    const logs = logsOf('again', { 'a.json': [s3Call('GetObject', 20), s3Call('GetObject', 20, {}, 'bob'), s3Call('GetObject', 21), s3Call('DeleteBucket', 21, {}, 'bob')] });
    const engine = await engineOver(cacheDir, [logs]);
    let first: Awaited<ReturnType<typeof summary>> | undefined;
    expect(await remembered(engine)).toBeUndefined();
    expect(await counted(engine, async () => (first = await summary(engine)))).toBe(true);
    // By hand: four events, three GetObject, alice's three and bob's one... of the user field.
    expect(first!.rows).toBe(4);
    expect(field(first!.fields, 'eventName')).toEqual({ field: 'eventName', present: 4, distinct: 2, top: [{ value: 'GetObject', count: 3 }, { value: 'DeleteBucket', count: 1 }] });
    expect(field(first!.fields, 'user')).toEqual({ field: 'user', present: 4, distinct: 2, top: [{ value: 'alice', count: 2 }, { value: 'bob', count: 2 }] });
    expect(field(first!.fields, 'action')).toEqual({ field: 'action', present: 1, distinct: 1, top: [{ value: 'deleted', count: 1 }] });
    expect(field(first!.fields, 'eventID')).toMatchObject({ present: 4, distinct: 4, estimated: true });
    expect(await counted(engine, async () => expect(await summary(engine)).toEqual(first))).toBe(false);
    engine.close();
    open.splice(0);
    // The next session over the same cache.
    const next = await engineOver(cacheDir, [logs]);
    expect(await remembered(next)).toEqual(first);
    expect(await counted(next, async () => expect(await summary(next)).toEqual(first))).toBe(false);
    // Other fields asked are counted.
    expect(await next.rememberedFields('*', { now: NOW }, ['eventName'], IDS)).toBeUndefined();
    expect(await counted(next, () => next.summarizeFields('*', { now: NOW }, ['eventName'], IDS))).toBe(true);
  });

  it('never serves the counts of other events: a changed file, another file, another time range, the copies dropped', async () => {
    const cacheDir = path.join(dir, 'cache-change');
    const logs = logsOf('change', { 'a.json': [s3Call('GetObject', 20), s3Call('GetObject', 21)] });
    const engine = await engineOver(cacheDir, [logs]);
    expect((await summary(engine)).rows).toBe(2);
    // The file changed and loaded again.
    writeRecords(path.join(logs, 'a.json'), [s3Call('GetObject', 20), s3Call('GetObject', 21), s3Call('DeleteBucket', 21)]);
    await engine.load([logs]);
    expect(await remembered(engine)).toBeUndefined();
    const changed = await summary(engine);
    expect(changed.rows).toBe(3);
    expect(field(changed.fields, 'eventName')?.top).toEqual([{ value: 'GetObject', count: 2 }, { value: 'DeleteBucket', count: 1 }]);
    // Another folder loaded beside it.
    const more = logsOf('change-more', { 'b.json': [s3Call('PutObject', 22, {}, 'carol')] });
    await engine.load([more]);
    expect(await remembered(engine)).toBeUndefined();
    const added = await summary(engine);
    expect(added.rows).toBe(4);
    expect(field(added.fields, 'user')?.top).toEqual([{ value: 'alice', count: 3 }, { value: 'carol', count: 1 }]);
    // Another time range: the events from the 21st only.
    const earliest = Date.parse('2026-11-21T00:00:00Z') / 1000;
    expect(await remembered(engine, '*', { earliest })).toBeUndefined();
    expect((await summary(engine, '*', { earliest })).rows).toBe(3);
    expect((await remembered(engine, '*', { earliest }))?.rows).toBe(3);
    expect((await remembered(engine))?.rows).toBe(4);
  });

  it('never serves the counts with every copy once the copies are dropped, nor the reverse', async () => {
    const cacheDir = path.join(dir, 'cache-copies');
    const twice = s3Call('GetObject', 20);
    const logs = logsOf('copies', { 'a.json': [twice, s3Call('DeleteBucket', 20)], 'b.json': [twice] });
    const every = await engineOver(cacheDir, [logs]);
    expect(field((await summary(every)).fields, 'eventName')?.top).toEqual([{ value: 'GetObject', count: 2 }, { value: 'DeleteBucket', count: 1 }]);
    const once = await engineOver(cacheDir, [logs], { dedupEvents: true });
    expect(await remembered(once)).toBeUndefined();
    expect(field((await summary(once)).fields, 'eventName')?.top).toEqual([{ value: 'DeleteBucket', count: 1 }, { value: 'GetObject', count: 1 }]);
    expect((await remembered(every))?.rows).toBe(3);
    expect((await remembered(once))?.rows).toBe(2);
  });

  it('remembers nothing for a search whose rows are not made from one event each by commands reading it alone, nor without a cache', async () => {
    const cacheDir = path.join(dir, 'cache-not');
    const logs = logsOf('not', { 'a.json': [s3Call('GetObject', 20), s3Call('DeleteBucket', 21), s3Call('GetObject', 21, {}, 'bob')] });
    const engine = await engineOver(cacheDir, [logs]);
    const not = ['* | head 1', '* | dedup eventName', '* | eval eventName=if(random() % 2 = 0, "a", "b")', '* | eval eventName=if(time() > 0, eventName, "x")',
      '* | streamstats count AS n', '* | eventstats count AS n', '* | iplocation sourceIPAddress', '* [search eventName=DeleteBucket | fields eventName]', '* | stats count by eventName'];
    for (const spl of not) {
      await summary(engine, spl);
      expect(await remembered(engine, spl), spl).toBeUndefined();
    }
    const file = path.join(cacheDir, SIDEBAR_FILE);
    expect(() => readFileSync(file)).toThrow();
    // Some events, and rows made from one event each by eval, rex, where, fields: remembered.
    for (const [spl, rows] of [['eventName=GetObject', 2], ['* | eval x=1', 3], ['* | rex field=eventName "(?<verb>[A-Z][a-z]+)"', 3], ['* | where user="bob"', 1], ['* | fields eventName user', 3]] as const) {
      await summary(engine, spl);
      expect((await remembered(engine, spl))?.rows, spl).toBe(rows);
    }
    // What the commands made is what is remembered, as counted.
    const lowered = await summary(engine, '* | eval eventName=lower(eventName)');
    expect(field(lowered.fields, 'eventName')?.top).toEqual([{ value: 'getobject', count: 2 }, { value: 'deletebucket', count: 1 }]);
    expect(await remembered(engine, '* | eval eventName=lower(eventName)')).toEqual(lowered);
    const memory = await engineOver(undefined, [logs]);
    await summary(memory);
    expect(await remembered(memory)).toBeUndefined();
  });

  it('counts again when the file is damaged, with the same figures', async () => {
    const cacheDir = path.join(dir, 'cache-damaged');
    const logs = logsOf('damaged', { 'a.json': [s3Call('GetObject', 20), s3Call('DeleteBucket', 21, {}, 'bob')] });
    const engine = await engineOver(cacheDir, [logs]);
    const first = await summary(engine);
    const file = path.join(cacheDir, SIDEBAR_FILE);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { entries: [string, { fields: { present: unknown }[] }][] };
    kept.entries[0]![1].fields[0]!.present = '2';
    writeFileSync(file, JSON.stringify(kept));
    expect(await remembered(engine)).toBeUndefined();
    expect(await counted(engine, async () => expect(await summary(engine)).toEqual(first))).toBe(true);
    writeFileSync(file, '{"version":1,"entr');
    expect(await counted(engine, async () => expect(await summary(engine)).toEqual(first))).toBe(true);
    expect(await remembered(engine)).toEqual(first);
  });

  it('gives a capped result\'s sidebar its exact counts at once, with no first-rows pass, when every row\'s are remembered', async () => {
    const cacheDir = path.join(dir, 'cache-capped');
    const logs = logsOf('capped', { 'a.json': [s3Call('GetObject', 20), s3Call('GetObject', 20, {}, 'bob'), s3Call('PutObject', 21), s3Call('DeleteBucket', 22, {}, 'bob')] });
    const run = async (): Promise<{ stages: string[]; stats: FieldStats }> => {
      const engine = await engineOver(cacheDir, [logs]);
      const session = new Session(engine, { now: NOW, maxRows: 2 });
      await session.execute('*');
      expect(session.last!.truncated).toBe(true);
      const stages: string[] = [];
      const stats = await session.fieldStats('auto', (u) => void (u.stage && stages.push(u.stage)));
      return { stages, stats };
    };
    const counting = await run();
    expect(counting.stages).toEqual(['counting the first 2 results', 'counting the first 2 results: the add-on fields', 'counting every result: the event fields', 'counting every result: the add-on fields']);
    const again = await run();
    expect(again.stages).toEqual([]);
    // The same figures as counted, in the first-rows passes' absence (a field no row has stays as the first rows left it there).
    const shown = (stats: FieldStats) => stats.fields.filter((f) => f.present > 0).sort((a, b) => (a.field < b.field ? -1 : 1));
    expect(shown(again.stats)).toEqual(shown(counting.stats));
    expect({ ...again.stats, fields: [] }).toEqual({ ...counting.stats, fields: [] });
    expect(again.stats.rows).toBe(4);
    // Exact but for the nested paths, read from the rows held (and the aliases of them).
    expect(again.stats.fields.filter((f) => f.firstRows !== undefined).every((f) => f.kind === 'nested' || f.field === 'temp_access_key' || f.field === 'image_id' || f.field === 'instance_type')).toBe(true);
    expect(again.stats.fields.find((f) => f.field === 'eventName')).toEqual({ field: 'eventName', present: 4, distinct: 3, top: [{ value: 'GetObject', count: 2 }, { value: 'DeleteBucket', count: 1 }, { value: 'PutObject', count: 1 }], kind: 'event' });
  });
});
