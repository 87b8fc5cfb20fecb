// Answer first, cache after (issue 13): a first load with every file a cache miss answers from
// memory, and the cache is written from that table after the first search. The answers must be
// the ones the cache and --no-cache give, and the cache left behind the one a load into the cache
// leaves (every file a hit next time).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIntoCache } from '../src/engine/cache.js';
import { newestTime } from '../src/engine/cache-after.js';
import { layoutFolder, type CacheEntry } from '../src/engine/cache-files.js';
import { Engine } from '../src/engine/engine.js';
import { finishCache } from '../src/repl/finish-cache.js';
import { Session } from '../src/repl/session.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-cache-after-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `d${n++}`);

const SEARCHES = [
  'index=* | stats count by eventName | sort - count, eventName',
  'index=* | head 7 | table _time eventName source index',
  'index=* | tail 3 | table _time eventID',
  'index=* AccessDenied | stats count',
];

async function answers(paths: string[], opts: { cacheDir?: string; answerFirst?: boolean; index?: string }): Promise<{ rows: unknown[][]; engine: Engine; report: Awaited<ReturnType<Engine['load']>> }> {
  const engine = await Engine.open(opts.cacheDir ? { cacheDir: opts.cacheDir } : {});
  const report = await engine.load(paths, { answerFirst: opts.answerFirst, index: opts.index });
  const rows: unknown[][] = [];
  for (const spl of SEARCHES) rows.push((await engine.run(spl, { now: SAMPLE_NOW })).rows);
  return { rows, engine, report };
}

/** Tables of the session's own database: the in-memory events of an answer-first load live there. */
async function memoryTables(engine: Engine): Promise<unknown[]> {
  return (await engine.connection.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE database_name = 'memory' AND NOT temporary")).getRows().flat();
}

/** A folder of one event, for a load after the first. */
function laterEvent(eventID: string): string {
  const more = fresh();
  mkdirSync(more, { recursive: true });
  const ev = { eventVersion: '1.08', eventTime: '2026-11-03T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID, awsRegion: 'us-east-1' };
  writeFileSync(path.join(more, 'later.json'), JSON.stringify({ Records: [ev] }));
  return more;
}

describe('answer first, cache after', () => {
  it('answers as --no-cache does, then leaves a cache every file hits, which answers the same', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const memory = await answers([data], {});
    memory.engine.close();
    const cacheDir = fresh();
    const first = await answers([data], { cacheDir, answerFirst: true });
    expect(first.rows).toEqual(memory.rows);
    expect(first.report.eventsLoaded).toBe(memory.report.eventsLoaded);
    expect(first.report.duplicates).toEqual(memory.report.duplicates);
    await first.engine.cacheSettled();
    expect(first.engine.cacheError).toBeUndefined();
    first.engine.close();
    // Every file is now a hit: nothing is read again.
    const again = await loadIntoCache([data], { dir: cacheDir });
    expect(again.converted).toEqual([]);
    expect(again.report.eventsLoaded).toBe(memory.report.eventsLoaded);
    const warm = await answers([data], { cacheDir, answerFirst: true });
    expect(warm.rows).toEqual(memory.rows);
    warm.engine.close();
  });

  it('stores no index: a later load into another index shows that index', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const cacheDir = fresh();
    const first = await answers([data], { cacheDir, answerFirst: true, index: 'first' });
    await first.engine.cacheSettled();
    first.engine.close();
    const engine = await Engine.open({ cacheDir });
    try {
      await engine.load([data], { index: 'second' });
      expect((await engine.run('index=* | stats count by index', { now: SAMPLE_NOW })).rows).toEqual([{ index: 'second', count: first.report.eventsLoaded }]);
    } finally {
      engine.close();
    }
  });

  it('close() waits for the cache write; files the load skipped are not cached, empty ones are', async () => {
    const data = fresh();
    const cacheDir = fresh();
    mkdirSync(data, { recursive: true });
    const ev = (id: string, t: string) => ({ eventVersion: '1.08', eventTime: t, eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, awsRegion: 'us-east-1' });
    writeFileSync(path.join(data, 'a.json.gz'), gzipSync(JSON.stringify({ Records: [ev('a1', '2026-11-01T10:00:00Z'), ev('a2', '2026-11-02T10:00:00Z')] })));
    writeFileSync(path.join(data, 'b.json'), JSON.stringify({ Records: [ev('b1', '2026-11-03T10:00:00Z')] }));
    writeFileSync(path.join(data, 'empty.json'), JSON.stringify({ Records: [] }));
    // A name DuckDB's readers would take as a pattern: its rows must still be found as its own.
    writeFileSync(path.join(data, 'c[1]*.json'), JSON.stringify({ Records: [ev('c1', '2026-11-03T11:00:00Z')] }));
    writeFileSync(path.join(data, 'bad.json.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    const engine = await Engine.open({ cacheDir });
    const report = await engine.load([data], { answerFirst: true });
    expect(report.filesSkipped).toBe(1);
    // Nothing is written before the first search has answered.
    expect(readdirSync(layoutFolder(cacheDir)).filter((f) => f.startsWith('seg-') || f.startsWith('pack-'))).toEqual([]);
    expect((await engine.run('index=* | stats count', { now: SAMPLE_NOW })).rows).toEqual([{ count: 4 }]);
    engine.close();
    // close() returns at once; the write goes on until done and then DuckDB closes.
    await engine.cacheSettled();
    const again = await loadIntoCache([data], { dir: cacheDir });
    expect(again.converted).toEqual([path.join(data, 'bad.json.gz')]);
    expect(again.report.eventsLoaded).toBe(4);
    // One segment per day of each file's first event.
    expect(readdirSync(layoutFolder(cacheDir)).filter((f) => f.startsWith('seg-'))).toHaveLength(2);
  });

  it('files of two days read in alternation go each into its day, with every row once', async () => {
    const data = fresh();
    const cacheDir = fresh();
    mkdirSync(data, { recursive: true });
    const ev = (id: string, t: string) => ({ eventVersion: '1.08', eventTime: t, eventSource: 's3.amazonaws.com', eventName: `E${id}`, eventID: id, awsRegion: 'us-east-1' });
    for (let f = 0; f < 12; f++) {
      const day = f % 2 === 0 ? '01' : '02';
      const events = [0, 1, 2].map((i) => ev(`f${f}e${i}`, `2026-11-${day}T0${i}:00:00Z`));
      writeFileSync(path.join(data, `f${String(f).padStart(2, '0')}.json.gz`), gzipSync(JSON.stringify({ Records: events })));
    }
    const spl = 'index=* | table _time eventID source';
    const memory = await Engine.open();
    await memory.load([data]);
    const expected = (await memory.run(spl, { now: SAMPLE_NOW })).rows;
    memory.close();
    const first = await Engine.open({ cacheDir });
    await first.load([data], { answerFirst: true });
    expect((await first.run(spl, { now: SAMPLE_NOW })).rows).toEqual(expected);
    await first.cacheSettled();
    expect(first.cacheError).toBeUndefined();
    first.close();
    expect(readdirSync(layoutFolder(cacheDir)).filter((f) => f.startsWith('seg-'))).toHaveLength(2);
    const warm = await Engine.open({ cacheDir });
    try {
      await warm.load([data]);
      expect((await warm.run(spl, { now: SAMPLE_NOW })).rows).toEqual(expected);
    } finally {
      warm.close();
    }
  });

  it('a load with some files already cached reads the cache as before (the cache stays the session store)', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const cacheDir = fresh();
    await loadIntoCache([data], { dir: cacheDir });
    const engine = await Engine.open({ cacheDir });
    try {
      await engine.load([data], { answerFirst: true });
      const sql = (await engine.prepareWithData('index=* | stats count', { now: SAMPLE_NOW })).compiled.sql;
      expect(sql).toContain('events');
      const view = (await engine.connection.runAndReadAll("SELECT sql FROM duckdb_views() WHERE view_name = 'events'")).getRows();
      expect(String(view[0]?.[0])).toContain('read_parquet');
    } finally {
      engine.close();
    }
  });
  it("the REPL's first load answers first; a later :load still reads its files", async () => {
    const data = path.resolve(SAMPLE_DIR);
    const memory = await answers([data], {});
    memory.engine.close();
    const more = laterEvent('later-1');
    const cacheDir = fresh();
    const engine = await Engine.open({ cacheDir });
    try {
      const session = new Session(engine, { now: SAMPLE_NOW });
      await session.load([data]);
      // Nothing is written before the first search has answered.
      expect(readdirSync(layoutFolder(cacheDir)).filter((f) => f.startsWith('seg-') || f.startsWith('pack-'))).toEqual([]);
      await session.execute(SEARCHES[0]!);
      expect(session.last!.rows).toEqual(memory.rows[0]);
      await engine.cacheSettled();
      expect(engine.cacheError).toBeUndefined();
      expect((await loadIntoCache([data], { dir: cacheDir })).converted).toEqual([]);
      await session.load([more]);
      await session.execute('index=* | stats count');
      expect(session.last!.rows).toEqual([{ count: memory.report.eventsLoaded + 1 }]);
      // The later load went into the cache (it used to go into memory, uncached, for good), and
      // the session reads the first load from the cache too: the in-memory table is gone.
      expect((await loadIntoCache([more], { dir: cacheDir })).converted).toEqual([]);
      expect(await memoryTables(engine)).toEqual([]);
      await session.execute(SEARCHES[3]!);
      expect(session.last!.rows).toEqual(memory.rows[3]);
    } finally {
      engine.close();
    }
  });

  it('a second load before any search finishes the owed cache first and goes into the cache', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const memory = await answers([data], {});
    memory.engine.close();
    const more = laterEvent('later-2');
    const cacheDir = fresh();
    const engine = await Engine.open({ cacheDir });
    try {
      await engine.load([data], { answerFirst: true, index: 'first' });
      await engine.load([more], { answerFirst: true, index: 'second' });
      expect(engine.cacheOwed()).toBeUndefined();
      expect(await memoryTables(engine)).toEqual([]);
      expect((await loadIntoCache([data, more], { dir: cacheDir })).converted).toEqual([]);
      expect((await engine.run('index=* | stats count by index | sort index', { now: SAMPLE_NOW })).rows).toEqual([
        { index: 'first', count: memory.report.eventsLoaded },
        { index: 'second', count: 1 },
      ]);
      expect((await engine.run(SEARCHES[1]!.replace('index=*', 'index=first'), { now: SAMPLE_NOW })).rows).toEqual(memory.rows[1]!.map((r) => ({ ...(r as object), index: 'first' })));
    } finally {
      engine.close();
    }
  });

  it('leaving before the cache is written says so and waits for it; once written, nothing is said', async () => {
    const cacheDir = fresh();
    const engine = await Engine.open({ cacheDir });
    try {
      await engine.load([path.resolve(SAMPLE_DIR)], { answerFirst: true });
      const said: string[] = [];
      await finishCache(engine, (t) => said.push(t));
      expect(said).toEqual([`finishing the cache in ${cacheDir}… (Ctrl-C skips it: the days written so far stay cached)\n`]);
      expect(engine.cacheOwed()).toBeUndefined();
      const again = await loadIntoCache([path.resolve(SAMPLE_DIR)], { dir: cacheDir });
      expect(again.converted).toEqual([]);
      said.length = 0;
      await finishCache(engine, (t) => said.push(t));
      expect(said).toEqual([]);
    } finally {
      engine.close();
    }
  });
});

describe('the newest day of an answer-first load (its segment in small row groups)', () => {
  it('is found over any number of files, and is none when no file has an event time', () => {
    const entry = (maxTime: number | null) => ({ entry: { maxTime } as CacheEntry });
    // 200,000 files: as arguments to Math.max they overflowed V8's stack (RangeError).
    const many = Array.from({ length: 200_000 }, (_, i) => entry(1_700_000_000 + (i % 977)));
    expect(newestTime([many.slice(0, 100_000), many.slice(100_000), [entry(null)]])).toBe(1_700_000_976);
    expect(newestTime([[entry(null)], []])).toBe(-Infinity);
  });
});
