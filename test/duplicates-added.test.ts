// Issue 13: new log files arriving during an incident. When files were only added since the last
// count, the duplicate count checks the new files' eventIDs against the others' instead of
// counting every eventID again (cache-duplicates.ts); anything else counts again. Each figure is
// checked against count(DISTINCT) by hand over what is loaded.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addedFiles } from '../src/engine/cache-duplicates.js';
import type { CacheEntry } from '../src/engine/cache-files.js';
import { Engine } from '../src/engine/engine.js';

const event = (id: string | null, minute: number, day = '27') => ({
  eventVersion: '1.09', eventTime: `2026-11-${day}T02:${String(minute).padStart(2, '0')}:00Z`, eventSource: 'iam.amazonaws.com',
  eventName: 'CreateUser', awsRegion: 'us-east-1', eventType: 'AwsApiCall', recipientAccountId: '111122223333', ...(id === null ? {} : { eventID: id }),
});

function write(dir: string, name: string, ids: (string | null)[], day = '27'): string {
  const folder = join(dir, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '11', day);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, name);
  writeFileSync(file, JSON.stringify({ Records: ids.map((id, i) => event(id, i % 60, day)) }));
  return file;
}

/** Old files: copies inside one (o1 twice) and between them (o2), events without an eventID. */
function oldFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spelunk-dup-added-'));
  write(dir, 'a.json', ['o1', 'o1', 'o2', 'o3', null]);
  write(dir, 'b.json', ['o2', 'o4', null], '26');
  return dir;
}

/** Added files: copies inside the new ones (n1), between new and old (o1, o3, o4), between two new files (n2), and new alone (n3). */
function arrive(dir: string): void {
  write(dir, 'c.json', ['n1', 'n1', 'o1', 'n2', null]);
  write(dir, 'd.json', ['n2', 'o3', 'o4', 'o4', 'n3'], '26');
}

async function byHand(engine: Engine): Promise<number> {
  const rows = (await engine.connection.runAndReadAll('SELECT count("eventID") - count(DISTINCT "eventID") FROM events')).getRowsJS();
  return Number(rows[0]![0]);
}

/** The statements the engine's connection ran during `work`. */
async function statements(engine: Engine, work: () => Promise<unknown>): Promise<string[]> {
  const sql: string[] = [];
  const conn = engine.connection;
  const original = conn.runAndReadAll.bind(conn);
  const spy = vi.spyOn(conn, 'runAndReadAll').mockImplementation((text: string, ...rest: never[]) => {
    sql.push(text);
    return original(text, ...rest);
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return sql;
}
const incremental = (sql: string[]) => sql.some((s) => s.startsWith('-- duplicates'));
const whole = (sql: string[]) => sql.some((s) => s.includes('count(DISTINCT "eventID")'));

/** Loads `paths`, expecting the copies counted over the new files only (not every eventID again). */
async function loadedIncrementally(engine: Engine, paths: string[]): Promise<Awaited<ReturnType<Engine['load']>>> {
  let report: Awaited<ReturnType<Engine['load']>> | undefined;
  const sql = await statements(engine, async () => (report = await engine.load(paths)));
  expect(incremental(sql)).toBe(true);
  expect(whole(sql)).toBe(false);
  return report!;
}

const open: Engine[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});
const engineFor = async (cacheDir: string) => {
  const engine = await Engine.open({ cacheDir });
  open.push(engine);
  return engine;
};

describe('the duplicate count after files were added', () => {
  it('a second load of the same paths checks only the new files, and agrees with count(DISTINCT)', async () => {
    const dir = oldFiles();
    const engine = await engineFor(mkdtempSync(join(tmpdir(), 'spelunk-dup-added-cache-')));
    const first = await engine.load([dir]);
    expect(first.duplicates).toEqual({ events: 2, dropped: false });
    expect(await byHand(engine)).toBe(2);
    arrive(dir);
    const report = await loadedIncrementally(engine, [dir]);
    // o1 x3, o2 x2, o3 x2, o4 x3, n1 x2, n2 x2: 2 + 1 + 1 + 2 + 1 + 1.
    expect(report.duplicates).toEqual({ events: 8, dropped: false });
    expect(await byHand(engine)).toBe(8);
    // Loaded again with nothing new: the count stands.
    expect((await engine.load([dir])).duplicates).toEqual({ events: 8, dropped: false });
  });

  it('a new process over the same paths (a warm start that finds new files) checks only the new files', async () => {
    const dir = oldFiles();
    const cacheDir = mkdtempSync(join(tmpdir(), 'spelunk-dup-added-cache-'));
    await (await engineFor(cacheDir)).load([dir]);
    arrive(dir);
    const engine = await engineFor(cacheDir);
    const report = await loadedIncrementally(engine, [dir]);
    expect(report.duplicates).toEqual({ events: 8, dropped: false });
    expect(await byHand(engine)).toBe(8);
  });

  it('a changed or removed file counts every eventID again', async () => {
    const dir = oldFiles();
    const cacheDir = mkdtempSync(join(tmpdir(), 'spelunk-dup-added-cache-'));
    const engine = await engineFor(cacheDir);
    await engine.load([dir]);
    arrive(dir);
    // b.json changed (o2 and o4 no longer there) beside the new files: o1 x3, o3, o4, n1, n2 x2.
    const b = write(dir, 'b.json', ['o5', null], '26');
    let sql = await statements(engine, async () => expect((await engine.load([dir])).duplicates).toEqual({ events: 6, dropped: false }));
    expect(whole(sql)).toBe(true);
    expect(incremental(sql)).toBe(false);
    expect(await byHand(engine)).toBe(6);
    // A new process (the REPL's view keeps what earlier loads read), over the manifest that lists b.json.
    rmSync(b);
    const next = await engineFor(cacheDir);
    sql = await statements(next, async () => expect((await next.load([dir])).duplicates).toEqual({ events: 6, dropped: false }));
    expect(whole(sql)).toBe(true);
    expect(incremental(sql)).toBe(false);
    expect(await byHand(next)).toBe(6);
  });

  it('a file added under another path loaded beside the first (a folder of new files) is checked alone', async () => {
    const dir = oldFiles();
    const extra = mkdtempSync(join(tmpdir(), 'spelunk-dup-added-new-'));
    const engine = await engineFor(mkdtempSync(join(tmpdir(), 'spelunk-dup-added-cache-')));
    await engine.load([dir]);
    arrive(extra);
    const sql = await statements(engine, async () => expect((await engine.load([dir, extra])).duplicates).toEqual({ events: 8, dropped: false }));
    expect(incremental(sql)).toBe(true);
    expect(await byHand(engine)).toBe(8);
  });
});

describe('the duplicate count after files were added, over segments shared with files not loaded', () => {
  it('counts only the rows of loaded files, as the view reads them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-dup-added-shared-'));
    const a = write(dir, 'a.json', ['o1', 'o3']);
    write(dir, 'b.json', ['o2', 'o2']);
    const cacheDir = mkdtempSync(join(tmpdir(), 'spelunk-dup-added-cache-'));
    // a.json and b.json converted together: one segment of their day holds both.
    await (await engineFor(cacheDir)).load([dir]);
    const engine = await engineFor(cacheDir);
    expect((await engine.load([a])).duplicates).toEqual({ events: 0, dropped: false });
    // c.json repeats b.json's eventID (b.json is not loaded: its rows in the shared segment are not the view's) and a.json's.
    const c = write(mkdtempSync(join(tmpdir(), 'spelunk-dup-added-c-')), 'c.json', ['o2', 'o3']);
    const sql = await statements(engine, async () => expect((await engine.load([a, c])).duplicates).toEqual({ events: 1, dropped: false }));
    expect(incremental(sql)).toBe(true);
    expect(await byHand(engine)).toBe(1);
  });
});

describe('addedFiles', () => {
  const entry = (path: string, size = 10): { entry: CacheEntry } => ({ entry: { path, size, mtimeMs: 1, ctimeMs: 1, ino: 1, rows: 1, minTime: 0, maxTime: 0, warnings: [], eventsSkipped: 0, parquet: 'x', parquetBytes: 1 } });
  it('gives the files only the second list has, when every file of the first is there as it was', () => {
    expect(addedFiles([entry('/b'), entry('/d')], [entry('/a'), entry('/b'), entry('/c'), entry('/d'), entry('/e')])!.map((e) => e.path)).toEqual(['/a', '/c', '/e']);
    expect(addedFiles([entry('/b')], [entry('/b')])).toEqual([]);
  });
  it('gives nothing when a file went or changed, or when a list is out of path order', () => {
    expect(addedFiles([entry('/b'), entry('/d')], [entry('/b'), entry('/c')])).toBeUndefined();
    expect(addedFiles([entry('/b'), entry('/d')], [entry('/a'), entry('/d')])).toBeUndefined();
    expect(addedFiles([entry('/b')], [entry('/b', 11)])).toBeUndefined();
    expect(addedFiles([entry('/b')], [entry('/c'), entry('/b')])).toBeUndefined();
    expect(addedFiles([entry('/d'), entry('/b')], [entry('/b'), entry('/d')])).toBeUndefined();
  });
});
