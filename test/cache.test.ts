import { cpSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
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
  const { loadIntoCache } = await import('../src/engine/cache.js');
  const { converted } = await loadIntoCache(paths, { dir: cacheDir });
  await engine.load(paths);
  return { engine, converted: converted.length };
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

  it('reads no JSON on a hit: the rows come back after the source files are emptied', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const file = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1547Z_WvJ2lxDh3o69gW6n.json.gz');
    utimesSync(file, 1_800_000_000, 1_800_000_000);
    const first = await cachedEngine(cacheDir, [data]);
    expect(first.converted).toBeGreaterThan(0);
    const before = await all(first.engine, 'search * | stats count by eventName | sort eventName');
    first.engine.close();
    // Same size and mtime, garbage content: only a reader of the JSON could notice.
    writeFileSync(file, Buffer.alloc(statSync(file).size, 0x20));
    utimesSync(file, 1_800_000_000, 1_800_000_000);
    const second = await cachedEngine(cacheDir, [data]);
    expect(second.converted).toBe(0);
    expect(await all(second.engine, 'search * | stats count by eventName | sort eventName')).toEqual(before);
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

  it('reads a day of files as one consolidated file, and rewrites only the day a changed file is in', async () => {
    const data = sampleCopy();
    const cacheDir = tmp();
    const { loadIntoCache } = await import('../src/engine/cache.js');
    const first = await loadIntoCache([data], { dir: cacheDir });
    expect(first.groups.length).toBeGreaterThan(1);
    const engine = await Engine.open({ cacheDir });
    await engine.load([data]);
    const view = (engine as unknown as { cached: { viewSql(r: object): string } }).cached.viewSql({});
    for (const g of first.groups) expect(view).toContain(g.parquet);
    // Files a group holds are not also read one by one (their events would count twice).
    const grouped = first.groups.flatMap((g) => g.members.map((m) => m.path));
    for (const e of first.entries.filter((e) => grouped.includes(e.path))) expect(view).not.toContain(e.parquet!);
    engine.close();
    const file = path.join(data, 'AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/111122223333_CloudTrail_eu-west-1_20261120T1547Z_WvJ2lxDh3o69gW6n.json.gz');
    const records = (JSON.parse(gunzipSync(readFileSync(file)).toString()) as { Records: Record<string, unknown>[] }).Records;
    writeFileSync(file, gzipSync(JSON.stringify({ Records: records.slice(1) })));
    const second = await loadIntoCache([data], { dir: cacheDir });
    const changed = second.groups.filter((g) => !first.groups.some((f) => f.parquet === g.parquet));
    // The file held one event: its day is rewritten without it, and no other day is.
    const before = first.groups.find((g) => g.members.some((m) => m.path === file))!;
    expect(changed.map((g) => g.members.map((m) => m.path))).toEqual([before.members.map((m) => m.path).filter((p) => p !== file)]);
    expect(second.groups.length).toBe(first.groups.length);
  });

  it('prunes files outside the global time range and gives the same rows as no pruning', async () => {
    const data = path.resolve(SAMPLE_DIR);
    const { engine } = await cachedEngine(tmp(), [data]);
    const range = { earliest: Date.parse('2026-11-23T00:00:00Z') / 1000, latest: Date.parse('2026-11-25T12:00:00Z') / 1000 };
    const spl = 'search * | table _time eventID source';
    const pruned = await all(engine, spl, range);
    const sql = (engine as unknown as { cached: { select(r: object): unknown[] } }).cached;
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
