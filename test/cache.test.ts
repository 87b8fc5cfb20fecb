import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { Engine } from '../src/engine/engine.js';
import { loadIntoCache } from '../src/engine/cache.js';
import { dayOf, layoutFolder, type CacheEntry } from '../src/engine/cache-files.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

const tmpRoot = mkdtempSync(path.join(tmpdir(), 'spelunk-cache-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;
const tmp = (): string => path.join(tmpRoot, String(n++));

/** A private copy of the sample, so files can be changed, added and removed. */
function sampleCopy(): string {
  const dir = tmp();
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(dir, 'AWSLogs'), { recursive: true });
  return dir;
}

async function cachedEngine(cacheDir: string, paths: string[]): Promise<{ engine: Engine; converted: number }> {
  const engine = await Engine.open({ cacheDir });
  const { converted } = await loadIntoCache(paths, { dir: cacheDir });
  await engine.load(paths);
  return { engine, converted: converted.length };
}

function segmentsIn(cacheDir: string): string[] {
  return readdirSync(layoutFolder(cacheDir)).filter((n) => /^seg-.*\.parquet$/.test(n));
}

/** Rows in all the segments of the cache folder (of one source when given). */
async function segmentRows(cacheDir: string, source?: string): Promise<number> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const where = source === undefined ? '' : ` WHERE __src = '${source.replace(/'/g, "''")}'`;
  const glob = path.join(layoutFolder(cacheDir), 'seg-*.parquet').replace(/'/g, "''");
  const rows = (await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${glob}')${where}`)).getRowObjectsJS();
  db.closeSync();
  return Number(rows[0]!['n']);
}

function viewOf(engine: Engine): (range: object) => string {
  const cached = (engine as unknown as { store: { cached: { viewSql(r: object): string } } }).store.cached;
  return (range) => cached.viewSql(range);
}

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('exit', () => resolve(child.pid!));
  });
}

async function all(engine: Engine, spl: string, opts = {}): Promise<unknown[]> {
  return (await engine.run(spl, { now: SAMPLE_NOW, ...opts })).rows;
}

const SEARCHES = [
  'search * | head 7 | table _time eventName source eventID',
  'search * | tail 3 | table _time eventID',
  'search eventName=AssumeRole | stats count by recipientAccountId userIdentity.arn',
  'search accessdenied | table _time eventID errorCode',
  'search * | dedup eventName | table eventName eventID',
  'search * | streamstats count as n | where n <= 3 | table n eventID',
  'search * | stats count by index sourcetype',
];

describe('cache', () => {
  it('gives the same rows, in the same order, as loading into a table', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const table = await Engine.open();
    await table.load([data]);
    const { engine } = await cachedEngine(tmp(), [data]);
    for (const spl of SEARCHES) expect(await all(engine, spl), spl).toEqual(await all(table, spl));
    table.close();
    engine.close();
  });

  it('reads no JSON on a hit; a file rewritten with the same size and mtime is read again', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const file = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1547Z_WvJ2lxDh3o69gW6n.json.gz');
    utimesSync(file, 1_800_000_000, 1_800_000_000);
    const first = await cachedEngine(cacheDir, [data]);
    expect(first.converted).toBeGreaterThan(0);
    const before = await all(first.engine, 'search * | stats count by eventName | sort eventName');
    first.engine.close();
    const again = await cachedEngine(cacheDir, [data]);
    expect(again.converted).toBe(0);
    expect(await all(again.engine, 'search * | stats count by eventName | sort eventName')).toEqual(before);
    again.engine.close();
    // Same size and mtime, other content: the write moved the file's ctime, so it is a miss.
    writeFileSync(file, Buffer.alloc(statSync(file).size, 0x20));
    utimesSync(file, 1_800_000_000, 1_800_000_000);
    const second = await cachedEngine(cacheDir, [data]);
    expect(second.converted).toBe(1);
    expect(await all(second.engine, 'search * | stats count by eventName | sort eventName')).not.toEqual(before);
    second.engine.close();
  });

  it('re-reads only a changed file, adds new files and drops removed ones', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const first = await cachedEngine(cacheDir, [data]);
    const total = Number((await all(first.engine, 'search * | stats count'))[0]!['count' as never]);
    first.engine.close();
    const file = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1547Z_WvJ2lxDh3o69gW6n.json.gz');
    const records = (JSON.parse(gunzipSync(readFileSync(file)).toString()) as { Records: Record<string, unknown>[] }).Records;
    // Changed: one event fewer. Added: a new file with one event. Removed: another file.
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records.slice(1) })));
    const added = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/added.json');
    writeFileSync(added, JSON.stringify({ Records: [{ ...records[0], eventID: 'added-1' }] }));
    const removed = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/23/111122223333_CloudTrail_eu-west-1_20261123T1537Z_n3J7akcEIzdbZJoV.json.gz');
    const removedCount = (JSON.parse(gunzipSync(readFileSync(removed)).toString()) as { Records: unknown[] }).Records.length;
    unlinkSync(removed);
    const second = await cachedEngine(cacheDir, [data]);
    expect(second.converted).toBe(2);
    expect(await all(second.engine, 'search * | stats count')).toEqual([{ count: total - 1 + 1 - removedCount }]);
    expect(await all(second.engine, 'search eventID=added-1 | table eventID')).toEqual([{ eventID: 'added-1' }]);
    second.engine.close();
  });

  it('finds the files of another load (a subfolder, one file) without a manifest of its own, the changed one newest', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const first = await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
    expect(first.converted.length).toBeGreaterThan(1);
    const day = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20');
    const file = path.join(day, '111122223333_CloudTrail_eu-west-1_20261120T1547Z_WvJ2lxDh3o69gW6n.json.gz');
    const sub = await loadIntoCache([day], { dir: cacheDir, gcGraceMs: 0 });
    expect(sub.converted).toEqual([]);
    expect(sub.report.eventsLoaded).toBe(first.entries.filter((e) => e.path.startsWith(day + path.sep)).reduce((n, e) => n + e.rows, 0));
    // Changed, then loaded alone: the pack written for it holds the entry that now counts, for
    // every set of paths, and the first load's entry for it is dropped from its pack.
    const records = (JSON.parse(gunzipSync(readFileSync(file)).toString()) as { Records: Record<string, unknown>[] }).Records;
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records.slice(1) })));
    const alone = await loadIntoCache([file], { dir: cacheDir, gcGraceMs: 0 });
    expect(alone.converted).toEqual([file]);
    expect(alone.report.eventsLoaded).toBe(records.length - 1);
    const again = await loadIntoCache([day], { dir: cacheDir, gcGraceMs: 0 });
    expect(again.converted).toEqual([]);
    expect(again.entries.find((e) => e.path === file)!.rows).toBe(records.length - 1);
    const folder = layoutFolder(cacheDir);
    const recorded = readdirSync(folder)
      .filter((n) => n.startsWith('pack-'))
      .flatMap((n) => (JSON.parse(readFileSync(path.join(folder, n), 'utf8')) as { entries: { path: string; rows: number }[] }).entries);
    expect(recorded.filter((e) => e.path === file)).toEqual([expect.objectContaining({ rows: records.length - 1 })]);
    const whole = await loadIntoCache([data], { dir: cacheDir });
    expect(whole.converted).toEqual([]);
    expect(whole.report.eventsLoaded).toBe(first.report.eventsLoaded - 1);
  });

  it('writes the files of a day into one shared segment, read once by the view', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const first = await loadIntoCache([data], { dir: cacheDir });
    const withEvents = first.entries.filter((e) => e.parquet !== null);
    const days = new Set(withEvents.map(dayOf));
    // The sample is one conversion chunk: one segment per day, shared by all that day's files.
    expect(days.size).toBe(8);
    expect(new Set(withEvents.map((e) => e.parquet)).size).toBe(days.size);
    for (const day of days) expect(new Set(withEvents.filter((e) => dayOf(e) === day).map((e) => e.parquet)).size).toBe(1);
    expect(segmentsIn(cacheDir)).toHaveLength(days.size);
    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    const view = viewOf(engine)({});
    // Each segment is read once, joined with each of its sources once.
    for (const seg of new Set(withEvents.map((e) => e.parquet!))) expect(view.split(seg).length - 1).toBe(1);
    for (const e of withEvents) expect(view.split(`'${e.path}'`).length - 1).toBe(1);
    expect(await all(engine, 'search * | stats count')).toEqual([{ count: 515 }]);
    engine.close();
  });

  it('re-reads a changed file alone, rewrites its day without the old rows and deletes them', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const first = await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
    const file = path.join(data, 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0645Z_dLFN34Mg9Gi6d4ba.json.gz');
    const old = first.entries.find((e) => e.path === file)!;
    const neighbours = first.entries.filter((e) => e.parquet === old.parquet && e.path !== file);
    expect(neighbours.length).toBeGreaterThan(0);
    const records = (JSON.parse(gunzipSync(readFileSync(file)).toString()) as { Records: Record<string, unknown>[] }).Records;
    expect(records.length).toBeGreaterThan(1);
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records.slice(1) })));
    const second = await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
    expect(second.converted).toEqual([file]);
    expect(second.rewritten).toEqual([dayOf(old)]);
    // The day is one segment again, holding the neighbours and the file's new rows only.
    const now = second.entries.filter((e) => dayOf(e) === dayOf(old) && e.parquet !== null);
    expect(new Set(now.map((e) => e.parquet)).size).toBe(1);
    expect(now.map((e) => e.path).sort()).toEqual([file, ...neighbours.map((e) => e.path)].sort());
    expect(second.collected).toContain(old.parquet);
    // Nothing else in the folder still holds the old rows: the segments hold exactly the events.
    expect(await segmentRows(cacheDir)).toBe(514);
    expect(segmentsIn(cacheDir)).toHaveLength(8);

    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    const table = await Engine.open();
    await table.load([data]);
    const bySource = 'search * | stats count by source | sort source';
    expect(await all(engine, bySource)).toEqual(await all(table, bySource));
    for (const spl of SEARCHES) expect(await all(engine, spl), spl).toEqual(await all(table, spl));
    engine.close();
    table.close();
  });

  it('forgets a removed file: not counted, its entry and rows deleted from the folder', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
    const removed = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/23/111122223333_CloudTrail_eu-west-1_20261123T1537Z_n3J7akcEIzdbZJoV.json.gz');
    const removedCount = (JSON.parse(gunzipSync(readFileSync(removed)).toString()) as { Records: unknown[] }).Records.length;
    unlinkSync(removed);
    const second = await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
    expect(second.converted).toEqual([]);
    expect(second.report.eventsLoaded).toBe(515 - removedCount);
    expect(await segmentRows(cacheDir)).toBe(515 - removedCount);
    expect(await segmentRows(cacheDir, removed)).toBe(0);
    const folder = layoutFolder(cacheDir);
    const packs = readdirSync(folder).filter((n) => /^pack-[0-9a-f]+\.json$/.test(n));
    const recorded = packs.flatMap((n) => (JSON.parse(readFileSync(path.join(folder, n), 'utf8')) as { entries: { path: string }[] }).entries.map((e) => e.path));
    expect(recorded).not.toContain(removed);
    // Each of the other files is recorded once, in the packs the first load wrote a chunk at a time.
    expect(recorded.length).toBe(new Set(recorded).size);
    expect(packs.length).toBeLessThan(recorded.length);
    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    expect(await all(engine, 'search * | stats count')).toEqual([{ count: 515 - removedCount }]);
    engine.close();
  });

  it('a cache folder copied or moved reads its own segments: every file a hit, the same answers', async () => {
    const data = sampleCopy();
    const original = tmp();
    const spl = 'search * | stats count by eventName, recipientAccountId | sort eventName, recipientAccountId';
    const first = await cachedEngine(original, [data]);
    const before = await all(first.engine, spl);
    first.engine.close();
    const copy = tmp();
    cpSync(original, copy, { recursive: true });
    // Entries name their segment by file name alone, so nothing in the copy points at the original.
    const folder = layoutFolder(copy);
    const listing = readdirSync(folder).filter((n) => n.endsWith('.json')).map((n) => readFileSync(path.join(folder, n), 'utf8'));
    expect(listing.join('\n')).not.toContain(original);
    rmSync(original, { recursive: true, force: true });
    const copied = await cachedEngine(copy, [data]);
    expect(copied.converted).toBe(0);
    expect(await all(copied.engine, spl)).toEqual(before);
    copied.engine.close();
    // Entries an older version wrote held absolute paths (here, the removed original's).
    for (const name of readdirSync(folder).filter((n) => /^(pack|load)-.*\.json$/.test(n))) {
      const file = path.join(folder, name);
      const text = readFileSync(file, 'utf8').replace(/"parquet":"(seg-[0-9a-f]+\.parquet)"/g, (_, seg: string) => `"parquet":${JSON.stringify(path.join(layoutFolder(original), seg))}`);
      writeFileSync(file, text);
    }
    const moved = tmp();
    renameSync(copy, moved);
    const kept = segmentsIn(moved);
    const again = await cachedEngine(moved, [data]);
    expect(again.converted).toBe(0);
    expect(await all(again.engine, spl)).toEqual(before);
    again.engine.close();
    // Collection counts the moved folder's own segments as referenced.
    await loadIntoCache([data], { dir: moved, gcGraceMs: 0 });
    expect(segmentsIn(moved)).toEqual(kept);
  });

  it('collects only what no process can still be writing: live temps and young files stay', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const folder = layoutFolder(cacheDir);
    // Folders of older layouts, and of the same layout before the event columns changed.
    const oldLayouts = ['v1', 'v3-00000000'].map((name) => path.join(cacheDir, name));
    for (const dir of oldLayouts) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'abc.parquet'), 'old layout');
    }
    const dead = await deadPid();
    mkdirSync(folder, { recursive: true });
    const mine = path.join(folder, `seg-aa.parquet.${process.pid}.x1.tmp`);
    const orphan = path.join(folder, `seg-bb.parquet.${dead}.x2.tmp`);
    const stray = path.join(folder, 'seg-cc.parquet');
    for (const f of [mine, orphan, stray]) writeFileSync(f, 'x');
    // A young unreferenced segment may be one another process is about to point entries at.
    await loadIntoCache([data], { dir: cacheDir });
    expect([mine, orphan, stray].map(existsSync)).toEqual([true, true, true]);
    expect(oldLayouts.map(existsSync)).toEqual([true, true]);
    unlinkSync(path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/23/111122223333_CloudTrail_eu-west-1_20261123T1537Z_n3J7akcEIzdbZJoV.json.gz'));
    const second = await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
    expect([mine, orphan, stray].map(existsSync)).toEqual([true, false, false]);
    expect(oldLayouts.map(existsSync)).toEqual([false, false]);
    expect(existsSync(folder)).toBe(true);
    expect(second.collected).toEqual(expect.arrayContaining([orphan, stray, ...oldLayouts]));
  });

  it('collects at most once per grace period: a load of newly arrived files does not read every pack and manifest again', async () => {
    // At 5M events with 14 manifests, collection was 2 of the 4.3 s a load of 50 arrived files took.
    const data = sampleCopy();
    const cacheDir = tmp();
    const folder = layoutFolder(cacheDir);
    const dayDir = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20');
    const arrive = (i: number) => writeFileSync(path.join(dayDir, `arrived-${i}.json`), JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: '2026-11-20T12:00:00Z', eventName: 'ListBuckets', eventID: `arrived-${i}` }] }));
    const hour = Date.now() / 1000 - 3600;
    const stray = (name: string) => {
      const file = path.join(folder, name);
      writeFileSync(file, 'x');
      utimesSync(file, hour, hour);
      return file;
    };
    await loadIntoCache([data], { dir: cacheDir });
    const first = stray('seg-dd.parquet');
    arrive(1);
    const soon = await loadIntoCache([data], { dir: cacheDir });
    expect(soon.converted).toHaveLength(1);
    expect(soon.collected).toEqual([]);
    expect(existsSync(first)).toBe(true);
    // Once the grace period has passed since the last collection, the next load that changes the cache collects.
    utimesSync(path.join(folder, '.collected'), hour, hour);
    arrive(2);
    const later = await loadIntoCache([data], { dir: cacheDir });
    expect(later.collected).toContain(first);
    expect(existsSync(first)).toBe(false);
    // Without a grace period (tests, and what collection does not wait for), every such load collects.
    const second = stray('seg-ee.parquet');
    arrive(3);
    expect((await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 })).collected).toContain(second);
  });

  it('rewrites a day as one segment once loads of new files have spread it over too many', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
    const dayDir = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20');
    const source = path.join(dayDir, '111122223333_CloudTrail_eu-west-1_20261120T1547Z_WvJ2lxDh3o69gW6n.json.gz');
    const records = (JSON.parse(gunzipSync(readFileSync(source)).toString()) as { Records: Record<string, unknown>[] }).Records;
    const day = dayOf({ minTime: Date.parse(String(records[0]!['eventTime'])) / 1000 });
    const segmentsOfDay = (entries: CacheEntry[]): number => new Set(entries.filter((e) => dayOf(e) === day).map((e) => e.parquet)).size;
    let last: Awaited<ReturnType<typeof loadIntoCache>> | undefined;
    // Past eight segments (MAX_DAY_SEGMENTS in cache.ts), the day is one again.
    for (let i = 1; i <= 8; i++) {
      writeFileSync(path.join(dayDir, `arrived-${i}.json`), JSON.stringify({ Records: [{ ...records[0], eventID: `arrived-${i}` }] }));
      last = await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 0 });
      expect(last.converted).toHaveLength(1);
      expect(segmentsOfDay(last.entries)).toBe(i === 8 ? 1 : i + 1);
      expect(last.rewritten).toEqual(i === 8 ? [day] : []);
    }
    expect(await segmentRows(cacheDir)).toBe(523);
    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    expect(await all(engine, 'search eventID=arrived-* | stats count')).toEqual([{ count: 8 }]);
    engine.close();
  });

  it('keeps a late-delivered file in the day of its first event, apart from the files around it', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    // Delivered on the 21st at 05:00 (between that day's files), its events are from the 20th.
    const source = path.join(data, 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T0645Z_dLFN34Mg9Gi6d4ba.json.gz');
    const records = (JSON.parse(gunzipSync(readFileSync(source)).toString()) as { Records: Record<string, unknown>[] }).Records;
    const late = path.join(data, 'AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/21/111122223333_CloudTrail_us-east-1_20261121T0500Z_late0000000000.json.gz');
    writeFileSync(late, gzipSync(JSON.stringify({ Records: records.slice(0, 2).map((r, i) => ({ ...r, eventID: `late-${i}` })) })));
    const { entries } = await loadIntoCache([data], { dir: cacheDir });
    const lateEntry = entries.find((e) => e.path === late)!;
    expect(dayOf(lateEntry)).toBe(dayOf({ minTime: Date.parse('2026-11-20T12:00:00Z') / 1000 }));
    expect(lateEntry.parquet).toBe(entries.find((e) => e.path === source)!.parquet);
    expect(await segmentRows(cacheDir)).toBe(517);
    expect(await segmentRows(cacheDir, late)).toBe(2);
    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    const table = await Engine.open();
    await table.load([data]);
    for (const spl of [...SEARCHES, 'search * | table _time eventID source']) expect(await all(engine, spl), spl).toEqual(await all(table, spl));
    engine.close();
    table.close();
  });

  it('reads only the segments of files overlapping a time range', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const { entries } = await loadIntoCache([data], { dir: cacheDir });
    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    const range = { earliest: Date.parse('2026-11-23T00:00:00Z') / 1000, latest: Date.parse('2026-11-24T00:00:00Z') / 1000 };
    const view = viewOf(engine)(range);
    const wanted = entries.filter((e) => e.parquet !== null && e.maxTime! >= range.earliest && e.minTime! < range.latest);
    expect(wanted.length).toBeGreaterThan(0);
    for (const e of entries.filter((e) => e.parquet !== null)) {
      expect(view.includes(`'${e.path}'`), e.path).toBe(wanted.includes(e));
      expect(view.includes(e.parquet!), e.parquet!).toBe(wanted.some((w) => w.parquet === e.parquet));
    }
    engine.close();
  });

  it('prunes files outside the global time range and gives the same rows as no pruning', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const { engine } = await cachedEngine(tmp(), [data]);
    const range = { earliest: Date.parse('2026-11-23T00:00:00Z') / 1000, latest: Date.parse('2026-11-25T12:00:00Z') / 1000 };
    const spl = 'search * | table _time eventID source';
    const pruned = await all(engine, spl, range);
    const sql = (engine as unknown as { store: { cached: { select(r: object): unknown[] } } }).store.cached;
    expect(sql.select(range).length).toBeLessThan(sql.select({}).length);
    const table = await Engine.open();
    await table.load([data]);
    expect(pruned).toEqual(await all(table, spl, range));
    expect(pruned.length).toBeGreaterThan(0);
    table.close();
    engine.close();
  });

  it('load --out writes Parquet that --data reads back exactly', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const { engine } = await cachedEngine(tmp(), [data]);
    await engine.load([data], { index: 'ct' });
    const out = path.join(tmp(), 'export.parquet');
    const written = await engine.exportEvents(out);
    const cols = 'search * | table _time _raw source sourcetype index eventName userIdentity.arn requestParameters.roleArn';
    const original = await all(engine, cols);
    expect(written).toBe(original.length);
    engine.close();
    for (const cacheDir of [undefined, tmp()]) {
      const back = await Engine.open({ cacheDir });
      await back.load([out]);
      expect(await all(back, cols)).toEqual(original);
      back.close();
    }
  });
});

describe('cache: events parsed as they are written (loadValues, writeValuesChunk)', () => {
  const ev = (id: string, time: string | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    eventVersion: '1.08', eventSource: 'iam.amazonaws.com', eventName: 'GetUser', awsRegion: 'us-east-1', eventID: id,
    ...(time === undefined ? {} : { eventTime: time }), userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::1:user/${id}` }, ...extra,
  });
  /** Files of every reader: small delivery files (Node), a large one (DuckDB's reader), JSON lines. */
  function tree(extraFiles: Record<string, string | Buffer> = {}): string {
    const dir = path.join(tmp(), 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '11', '23');
    mkdirSync(dir, { recursive: true });
    // Equal times within a file: only the place in the file orders them.
    const same = (prefix: string, k: number, time: string): Record<string, unknown>[] => Array.from({ length: k }, (_, i) => ev(`${prefix}${i}`, time));
    writeFileSync(path.join(dir, 'a_20261123T0005Z_x.json.gz'), gzipSync(JSON.stringify({ Records: same('a', 30, '2026-11-23T00:01:00Z') })));
    writeFileSync(path.join(dir, 'b_20261123T2359Z_x.json.gz'), gzipSync(JSON.stringify({ Records: [...same('b', 5, '2026-11-22T23:59:59Z'), ...same('c', 5, '2026-11-23T00:00:00Z')] })));
    // Over the 256 KB of JSON that Node inflates: read by DuckDB's reader.
    const big = Array.from({ length: 900 }, (_, i) => ev(`d${i}`, '2026-11-24T10:00:00Z', { requestParameters: { pad: 'p'.repeat(300) } }));
    writeFileSync(path.join(dir, 'd_20261124T1000Z_x.json.gz'), gzipSync(JSON.stringify({ Records: big })));
    writeFileSync(path.join(dir, 'e.jsonl'), [ev('e1', '2026-11-25T01:00:00Z'), ev('e2', '2026-11-25T01:00:00Z'), ev('e3', undefined)].map((e) => JSON.stringify(e)).join('\n') + '\n');
    for (const [name, text] of Object.entries(extraFiles)) writeFileSync(path.join(dir, name), text);
    return path.dirname(path.dirname(path.dirname(path.dirname(path.dirname(dir)))));
  }
  const searches = [
    'search * | table _time eventID source',
    'search * | stats count by source',
    'search * | eval n=len(_raw) | stats sum(n) as bytes max(n) as longest',
    'search userIdentity.type=IAMUser | stats dc(userIdentity.arn) as users',
  ];

  /** Loads `data` into a new cache and in memory: the same report, and the same rows for every search. */
  async function sameAsInMemory(data: string, more: string[] = [], chunkBytes?: number) {
    const table = await Engine.open();
    const expected = await table.load([data]);
    const cacheDir = tmp();
    const { report, entries } = await loadIntoCache([data], { dir: cacheDir, chunkBytes });
    expect(report.warnings).toEqual(expected.warnings);
    expect(report.eventsLoaded).toBe(expected.eventsLoaded);
    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    for (const spl of [...searches, ...more]) expect(await all(engine, spl), spl).toEqual(await all(table, spl));
    return { engine, table, entries, cacheDir };
  }

  it('gives the rows of the in-memory load, ties in file order, one segment a day, without reading a chunk twice', async () => {
    const { entries, cacheDir } = await sameAsInMemory(tree());
    // One segment per day of the files' first events (22nd, 23rd, 24th, 25th).
    expect(new Set(entries.map((e) => e.parquet)).size).toBe(4);
    expect(segmentsIn(cacheDir)).toHaveLength(4);
    expect(new Set(entries.map((e) => dayOf(e))).size).toBe(4);
  });

  it('unwraps a chunk a slice of values at a time, and gives the rows of the in-memory load', async () => {
    // Three files of about 2 MB of JSON each, read by DuckDB's reader: the chunk's values are
    // unwrapped (stageTexts) in more than one statement, and each file's events, all at one
    // time, are still in their order in the file.
    const pad = { requestParameters: { pad: 'p'.repeat(500) } };
    const big = (prefix: string, time: string): string => JSON.stringify({ Records: Array.from({ length: 3000 }, (_, i) => ev(`${prefix}${i}`, time, pad)) });
    const data = tree({
      'g1_20261126T0500Z_x.json': big('g1', '2026-11-26T05:00:00Z'),
      'g2_20261126T0600Z_x.json': big('g2', '2026-11-26T05:00:00Z'),
      'g3_20261127T0500Z_x.json': big('g3', '2026-11-27T05:00:00Z'),
    });
    const { engine, table, entries } = await sameAsInMemory(data, ['search eventID=g* | head 5000 | table eventID', 'search eventID=g* | tail 5000 | table eventID']);
    expect(new Set(entries.map((e) => e.parquet)).size).toBe(6);
    engine.close();
    table.close();
  });

  it('converts many chunks, damaged files among them, and gives the rows and notes of the in-memory load', async () => {
    // Delivery files of a few events over four days, a few hundred bytes each: chunks of about
    // 1 KB hold two or three, so each chunk is read while the one before is written.
    const extra: Record<string, string | Buffer> = {};
    for (let i = 0; i < 40; i++) {
      const day = 23 + Math.floor(i / 10);
      const stamp = `202611${day}T${String(i % 10).padStart(2, '0')}00Z`;
      const events = Array.from({ length: 1 + (i % 4) }, (_, k) => ev(`h${i}-${k}`, `2026-11-${day}T0${i % 10}:00:0${k}Z`));
      extra[`h${i}_${stamp}_x.json.gz`] = gzipSync(JSON.stringify({ Records: events }));
    }
    // Damaged: gzip cut short, and JSON that does not parse; each named as the in-memory load names
    // it (their names sort as they were delivered: the cache's notes come in delivery order).
    extra['h_a_cut_20261124T0350Z_x.json.gz'] = gzipSync(JSON.stringify({ Records: [ev('cut', '2026-11-24T03:50:00Z')] })).subarray(0, 40);
    extra['h_b_bad_20261125T0550Z_x.json.gz'] = gzipSync('{"Records":[{"eventName":"x",]}');
    const data = tree(extra);
    const { engine, table, entries, cacheDir } = await sameAsInMemory(data, ['search eventID=h* | table eventID source'], 1024);
    expect(entries.filter((e) => e.path.includes('/h')).length).toBeGreaterThanOrEqual(40);
    expect(readdirSync(layoutFolder(cacheDir)).filter((n) => n.startsWith('pack-')).length).toBeGreaterThan(10);
    engine.close();
    table.close();
  });

  it('counts and drops records that are not CloudTrail, and reads a chunk again, the slower way, when a day does not match', async () => {
    const odd = (time: string): string => JSON.stringify({ Records: [{ eventTime: time, note: 'not an event' }, ev('f1', '2026-11-26T05:00:00Z'), ev('f2', '2026-11-26T05:00:00Z')] });
    // A record that is not an event, on the day of the file's events: counted, left out.
    const data = tree({ 'f_20261126T0500Z_x.json': odd('2026-11-26T04:00:00Z') });
    const table = await Engine.open();
    const expected = await table.load([data]);
    const cacheDir = tmp();
    const first = await loadIntoCache([data], { dir: cacheDir });
    expect(first.report.warnings).toEqual(expected.warnings);
    expect(first.report.eventsSkipped).toBe(1);
    expect(await segmentRows(cacheDir)).toBe(expected.eventsLoaded);
    // The same record a day earlier than the events: the file's day is not the one its first
    // record gave, so its chunk is read again through the events table, and a note says so.
    const data2 = tree({ 'f_20261126T0500Z_x.json': odd('2026-11-20T04:00:00Z') });
    const table2 = await Engine.open();
    const expected2 = await table2.load([data2]);
    const cacheDir2 = tmp();
    const second = await loadIntoCache([data2], { dir: cacheDir2 });
    expect(second.report.warnings.filter((w) => !/second time/.test(w.reason))).toEqual(expected2.warnings);
    expect(second.report.warnings.filter((w) => /second time, the slower way/.test(w.reason))).toHaveLength(1);
    expect(await segmentRows(cacheDir2)).toBe(expected2.eventsLoaded);
    const engine = await Engine.open({ cacheDir: cacheDir2 });
    await engine.load([data2]);
    for (const spl of searches) expect(await all(engine, spl), spl).toEqual(await all(table2, spl));
  });
});

describe('cache: a day rewritten whole', () => {
  it('is written in row groups of at most 32,768 rows, so that a busy day stays within the memory limit', async () => {
    // A day of 166k events rewritten into one segment failed the whole load with "Out of Memory"
    // at the 715 MB limit while its row groups were DuckDB's 122,880 rows.
    const data = tmp();
    mkdirSync(data, { recursive: true });
    const ev = (i: number) => ({
      eventVersion: '1.08',
      eventTime: `2026-11-01T${String(Math.floor(i / 3600) % 24).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      eventID: `e${i}`,
      awsRegion: 'us-east-1',
    });
    writeFileSync(path.join(data, 'busy.json.gz'), gzipSync(JSON.stringify({ Records: Array.from({ length: 40_000 }, (_, i) => ev(i)) })));
    const changing = path.join(data, 'changing.json');
    writeFileSync(changing, JSON.stringify({ Records: [ev(40_000)] }));
    const cacheDir = tmp();
    await loadIntoCache([data], { dir: cacheDir });
    // A changed file's day is rewritten as one segment without the file's old rows.
    writeFileSync(changing, JSON.stringify({ Records: [ev(40_000), ev(40_001)] }));
    const again = await loadIntoCache([data], { dir: cacheDir });
    expect(again.report.eventsLoaded).toBe(40_002);
    const segments = [...new Set(again.entries.map((e) => e.parquet!))];
    expect(segments).toHaveLength(1);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const file = path.resolve(layoutFolder(cacheDir), segments[0]!);
      const groups = (await conn.runAndReadAll(`SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${file.replace(/'/g, "''")}') ORDER BY row_group_id`)).getRowObjectsJS();
      const rows = groups.map((g) => Number(g['row_group_num_rows']));
      // DuckDB's parallel writer takes the size as a target (34,815 and 5,187 here): what counts
      // is that a day is not one row group of up to 122,880 rows.
      expect(rows.length).toBeGreaterThan(1);
      expect(Math.max(...rows)).toBeLessThan(40_000);
      expect(rows.reduce((a, b) => a + b, 0)).toBe(40_002);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
});

describe('cache shared by processes', () => {
  it('several spelunk processes filling one cache at once all get every event', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'spelunk-shared-cache-'));
    const runs = Array.from({ length: 4 }, () => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/spelunk.js', 'run', 'index=* | stats count', '--data', 'fixtures/sample', '--cache', cache, '--format', 'csv'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    }));
    for (const r of await Promise.all(runs)) {
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe('count\n515\n');
    }
  }, 60_000);
});
