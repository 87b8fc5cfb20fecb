// Issue 13: each set of paths loaded has its own manifest (a tree and a folder of newly arrived
// files is a new set), and none was ever removed. Collection now keeps the 8 most recently used
// (and any used within the grace period), none unused for 30 days; a removed one costs a later
// first load of its paths the packs' read, never an answer.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadIntoCache } from '../src/engine/cache.js';
import { layoutFolder } from '../src/engine/cache-files.js';
import { KEPT_MANIFESTS, unusedManifests } from '../src/engine/cache-manifests.js';
import { lookUpCache, manifestOf } from '../src/engine/cache-lookup.js';
import { Engine } from '../src/engine/engine.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'spelunk-manifests-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DAY_MS = 86_400_000;
const setUsed = (file: string, ms: number) => utimesSync(file, ms / 1000, ms / 1000);
const manifests = (cacheDir: string) => readdirSync(layoutFolder(cacheDir)).filter((n) => /^list-.*\.json$/.test(n)).sort();
const sources = (cacheDir: string) => readdirSync(layoutFolder(cacheDir)).filter((n) => /^sources-/.test(n));

/** The sample's account folders, each day folder a set of paths of its own. */
function days(data: string): string[][] {
  const region = path.join(data, 'AWSLogs', '222233334444', 'CloudTrail', 'us-west-2', '2026', '11');
  return readdirSync(region).sort().map((d) => [path.join(region, d)]);
}

it('keeps the most recently used manifests; a removed one costs a first load of its paths, never an answer', async () => {
  const data = path.join(root, 'data');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  const cacheDir = path.join(root, 'cache');
  const day = days(data);
  const sets = [[data], [path.join(data, 'AWSLogs')], ...day, [...day[0]!, ...day[1]!], [...day[1]!, ...day[2]!]];
  expect(sets.length).toBeGreaterThan(KEPT_MANIFESTS + 1);
  // Each set loaded once, through the engine (its sources table saved too), an hour apart.
  const hour = Date.now() - sets.length * 3_600_000;
  for (const [i, paths] of sets.entries()) {
    const engine = await Engine.open({ cacheDir });
    await engine.load(paths);
    await engine.run('* | head 1', { now: SAMPLE_NOW });
    engine.close();
    setUsed(manifestOf(paths, cacheDir).manifest, hour + i * 3_600_000);
  }
  expect(manifests(cacheDir)).toHaveLength(sets.length);
  // The whole tree used again (a warm start that changes nothing): marked used now, beside its manifest (whose mtime stays its write's).
  await loadIntoCache([data], { dir: cacheDir });
  const tree = manifestOf([data], cacheDir).manifest;
  expect(Date.now() - statSync(tree.replace(/\.json$/, '.used')).mtimeMs).toBeLessThan(60_000);
  expect(statSync(tree).mtimeMs).toBeCloseTo(hour, -1);
  // A load that changes the cache collects (the last collection, and every sources table, an hour old).
  setUsed(path.join(layoutFolder(cacheDir), '.collected'), Date.now() - 3_600_000);
  for (const f of sources(cacheDir)) setUsed(path.join(layoutFolder(cacheDir), f), Date.now() - 3_600_000);
  const sourcesBefore = sources(cacheDir).length;
  writeFileSync(path.join(data, 'arrived.json'), JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: '2026-11-27T12:00:00Z', eventName: 'ListBuckets', eventID: 'arrived-1' }] }));
  const loaded = await loadIntoCache([data], { dir: cacheDir, gcGraceMs: 60_000 });
  const kept = manifests(cacheDir);
  expect(kept).toHaveLength(KEPT_MANIFESTS);
  // The tree (used last) and the most recent day folders stay; the oldest day folders went, with their sources tables.
  const keptSets = sets.filter((p) => existsSync(manifestOf(p, cacheDir).manifest));
  expect(keptSets).toEqual([[data], ...sets.slice(sets.length - (KEPT_MANIFESTS - 1))]);
  expect(loaded.collected.filter((f) => /list-.*\.json$/.test(f))).toHaveLength(sets.length - KEPT_MANIFESTS);
  expect(sourcesBefore).toBeGreaterThan(KEPT_MANIFESTS);
  expect(sources(cacheDir).length).toBeLessThanOrEqual(KEPT_MANIFESTS);
  // The first day's paths again: read from the packs (no manifest), the same answer.
  const first = sets[2]!;
  const engine = await Engine.open({ cacheDir });
  try {
    const again = await engine.load(first);
    const plain = await Engine.open();
    try {
      const expected = await plain.load(first);
      expect(again.eventsLoaded).toBe(expected.eventsLoaded);
      const search = '* | stats count by eventName | sort eventName';
      expect((await engine.run(search, { now: SAMPLE_NOW })).rows).toEqual((await plain.run(search, { now: SAMPLE_NOW })).rows);
    } finally {
      plain.close();
    }
  } finally {
    engine.close();
  }
  expect(existsSync(manifestOf(first, cacheDir).manifest)).toBe(true);
});

it('removes a manifest unused for 30 days, never one used within the grace period', async () => {
  const folder = mkdtempSync(path.join(root, 'folder-'));
  const now = Date.now();
  const name = (i: number) => `list-${String(i).padStart(32, '0')}.json`;
  for (let i = 0; i < 12; i++) {
    writeFileSync(path.join(folder, name(i)), 'x');
    // 0-9 within the grace (a burst of loads), 10 a day ago, 11 31 days ago.
    setUsed(path.join(folder, name(i)), i < 10 ? now - i * 1000 : i === 10 ? now - DAY_MS : now - 31 * DAY_MS);
  }
  writeFileSync(path.join(folder, 'pack-00.json'), '{}');
  const names = readdirSync(folder);
  // Within the grace all stay, whatever the count; beyond the count the older go; 31 days unused goes whatever the count.
  expect((await unusedManifests(folder, names, now, 600_000)).map((f) => path.basename(f))).toEqual([name(10), name(11)]);
  expect((await unusedManifests(folder, names.filter((n) => n !== name(0) && n !== name(1) && n !== name(2) && n !== name(3) && n !== name(4)), now, 1)).map((f) => path.basename(f))).toEqual([name(11)]);
  // A manifest that went meanwhile is left out.
  expect(await unusedManifests(folder, [...names, name(99)], now, 600_000)).toHaveLength(2);
  // A mark of use makes an old manifest recent; a mark whose manifest went goes once past the grace, with it the marks of those removed.
  const mark = (i: number) => name(i).replace(/\.json$/, '.used');
  writeFileSync(path.join(folder, mark(11)), '');
  writeFileSync(path.join(folder, mark(10)), '');
  writeFileSync(path.join(folder, mark(98)), '');
  setUsed(path.join(folder, mark(10)), now - 31 * DAY_MS);
  setUsed(path.join(folder, mark(98)), now - DAY_MS);
  expect((await unusedManifests(folder, readdirSync(folder), now, 600_000)).map((f) => path.basename(f)).sort()).toEqual([name(10), mark(10), mark(98)].sort());
});

it('a file its manifest does not list is found in the packs written since the manifest was; one only in an older pack is converted again', async () => {
  const data = path.join(root, 'packs-data');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  const cacheDir = path.join(root, 'packs-cache');
  await loadIntoCache([data], { dir: cacheDir });
  const arrive = (name: string) => {
    const folder = path.join(data, name);
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'x.json'), JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: '2026-11-27T12:00:00Z', eventName: 'ListBuckets', eventID: name }] }));
    return folder;
  };
  // Converted by a load of its own folder (another set of paths), after the tree's manifest.
  const fresh = arrive('fresh');
  expect((await loadIntoCache([fresh], { dir: cacheDir })).converted).toHaveLength(1);
  expect((await loadIntoCache([data], { dir: cacheDir })).converted).toEqual([]);
  // The same, its pack written three days before the tree's manifest was: converted again.
  const old = arrive('old');
  await loadIntoCache([old], { dir: cacheDir });
  const packs = readdirSync(layoutFolder(cacheDir)).filter((n) => /^pack-/.test(n)).map((n) => path.join(layoutFolder(cacheDir), n));
  const newest = packs.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
  setUsed(newest, Date.now() - 3 * DAY_MS);
  const again = await loadIntoCache([data], { dir: cacheDir });
  expect(again.converted).toEqual([path.join(old, 'x.json')]);
  const engine = await Engine.open({ cacheDir });
  try {
    await engine.load([data]);
    expect((await engine.run('eventID=old OR eventID=fresh | stats count by eventID | sort eventID', { now: SAMPLE_NOW })).rows).toEqual([{ eventID: 'fresh', count: 1 }, { eventID: 'old', count: 1 }]);
  } finally {
    engine.close();
  }
});

it("a load's converted files take their walk places among the hits: the manifest is written in the walk's order", async () => {
  const data = path.join(root, 'order-data');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  const cacheDir = path.join(root, 'order-cache');
  await loadIntoCache([data], { dir: cacheDir });
  const record = (id: string) => JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: '2026-11-27T12:00:00Z', eventName: 'ListBuckets', eventID: id }] });
  // New files before, among and after the cached ones in the walk.
  for (const folder of ['AWSLogs/000000000000', 'AWSLogs/222233334444/CloudTrail/us-west-2/2026/11/25', 'zz-last']) {
    mkdirSync(path.join(data, folder), { recursive: true });
    writeFileSync(path.join(data, folder, 'new.json'), record(folder));
  }
  const loaded = await loadIntoCache([data], { dir: cacheDir });
  expect(loaded.converted).toHaveLength(3);
  const look = await lookUpCache([data], cacheDir);
  expect(look.misses).toEqual([]);
  expect(look.inOrder).toBe(true);
  expect(look.entries.map((e) => e.path)).toEqual(look.walked);
  expect(loaded.entries.map((e) => e.path)).toEqual(look.walked);
});
