import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { loadIntoCache } from '../src/engine/cache.js';
import { layoutFolder, type CacheEntry } from '../src/engine/cache-files.js';
import { lookUpCache } from '../src/engine/cache-lookup.js';
import { manifestBytes, manifestFiles, readManifestBytes } from '../src/engine/cache-manifest.js';
import { SAMPLE_DIR } from './helpers.js';

/** A manifest's entries, or undefined when its bytes are none. */
const parseManifest = (bytes: Buffer | string) => readManifestBytes(Buffer.from(bytes))?.entries;
const readManifestText = (text: string) => readManifestBytes(Buffer.from(text));

const MAGIC = '\x00spelunk-list-4\n';
const COLUMNS = ['size', 'mtimeMs', 'ctimeMs', 'ino', 'rows', 'minTime', 'maxTime', 'eventsSkipped', 'segment'];

/** A v4 manifest's parts: its header, its columns of numbers, its names. */
function decode(bytes: Buffer): { header: Record<string, unknown> & { n: number }; columns: Record<string, number[]>; names: string } {
  expect(bytes.subarray(0, MAGIC.length).toString('latin1')).toBe(MAGIC);
  const headLength = bytes.readUInt32LE(MAGIC.length);
  const header = JSON.parse(bytes.toString('utf8', MAGIC.length + 8, MAGIC.length + 8 + headLength)) as Record<string, unknown> & { n: number };
  const at = Math.ceil((MAGIC.length + 8 + headLength) / 8) * 8;
  const n = header.n;
  const columns = Object.fromEntries(COLUMNS.map((c, k) => [c, Array.from({ length: n }, (_, i) => bytes.readDoubleLE(at + 8 * (k * n + i)))]));
  return { header, columns, names: bytes.toString('utf8', at + 8 * COLUMNS.length * n) };
}

/** The bytes of a v4 manifest of these parts (see decode), as the format lays them out. */
function encode(header: Record<string, unknown>, columns: Record<string, number[]>, names: string): Buffer {
  const head = Buffer.from(JSON.stringify(header));
  const at = Math.ceil((MAGIC.length + 8 + head.length) / 8) * 8;
  const n = columns['size']!.length;
  const text = Buffer.from(names);
  const out = Buffer.alloc(at + 8 * COLUMNS.length * n + text.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.length, MAGIC.length);
  out.writeUInt32LE(text.length, MAGIC.length + 4);
  head.copy(out, MAGIC.length + 8);
  COLUMNS.forEach((c, k) => columns[c]!.forEach((x, i) => out.writeDoubleLE(x, at + 8 * (k * n + i))));
  text.copy(out, at + 8 * COLUMNS.length * n);
  return out;
}

/** The v3 manifest (JSON, written before v4) of the same entries. */
function v3Text(bytes: Buffer): string {
  const { header, columns, names } = decode(bytes);
  const { n: _n, le: _le, ...lists } = header;
  return JSON.stringify({ ...lists, v: 3, names, ...columns });
}
const manifestText = (entries: CacheEntry[]) => v3Text(manifestBytes(entries));

const tmpRoot = mkdtempSync(path.join(tmpdir(), 'spelunk-manifest-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const entry = (p: string, over: Partial<CacheEntry> = {}): CacheEntry => ({
  path: p,
  size: 2311,
  mtimeMs: 1796521837393.6045,
  ctimeMs: 1796521837401.25,
  ino: 2277650,
  rows: 8,
  minTime: 1793232000,
  maxTime: 1793232262.5,
  warnings: [],
  eventsSkipped: 0,
  parquet: '/cache/v5-x/seg-a.parquet',
  parquetBytes: 11358586,
  ...over,
});

describe('load manifest', () => {
  it('gives back every entry exactly, in order', () => {
    const entries = [
      entry('/logs/a/1.json.gz'),
      entry('/logs/a/2.json.gz', { rows: 0, minTime: null, maxTime: null, parquet: null, parquetBytes: null }),
      entry('/logs/b/1.json.gz', { parquet: '/cache/v5-x/seg-b.parquet', parquetBytes: 5, ino: 7 }),
      // The same segment with another size is another segment (a different write).
      entry('/logs/a/3.json.gz', { parquetBytes: 12, eventsSkipped: 2, warnings: [{ file: '/logs/a/3.json.gz', reason: '2 events skipped', kind: 'partial', eventsSkipped: 2 }] }),
      entry('relative/x.json', { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0 }),
      entry('/top.json', { minTime: -86400.25 }),
      // Never written by a load (both times come from one aggregate), but kept as it is.
      entry('/odd/1.json', { minTime: null }),
      entry('/odd/2.json', { maxTime: null, minTime: 0 }),
    ];
    const bytes = manifestBytes(entries);
    expect(parseManifest(bytes)).toEqual(entries);
    // Each folder's path and each segment's is written once per run of entries, not per entry.
    expect(bytes.toString('latin1').split('"/logs/a/"').length - 1).toBe(2);
    expect(bytes.toString('latin1').split('seg-a.parquet').length - 1).toBe(2);
    // As the earlier format (v3, JSON) the same entries read back alike, and say they are of it.
    expect(readManifestText(manifestText(entries))).toMatchObject({ entries, earlier: true });
  });

  it('writes each number of the entries as a column of doubles, times of entries without events apart', () => {
    const { header, columns, names } = decode(manifestBytes([entry('/logs/a/1.json.gz'), entry('/logs/a/2.json.gz', { minTime: null, maxTime: null }), entry('/logs/b/3.json.gz', { minTime: 0, maxTime: 0 })]));
    expect(header).toMatchObject({ v: 4, n: 3, le: true, folders: [['/logs/a/', 2], ['/logs/b/', 1]], nullMin: [1], nullMax: [1] });
    expect(columns).toMatchObject({ minTime: [1793232000, 0, 0], size: [2311, 2311, 2311], mtimeMs: [1796521837393.6045, 1796521837393.6045, 1796521837393.6045], segment: [0, 0, 0] });
    expect(names).toBe('1.json.gz/2.json.gz/3.json.gz');
    expect(parseManifest(manifestBytes([]))).toEqual([]);
    expect(parseManifest(manifestBytes([entry('/x/')]))).toEqual([entry('/x/')]);
    // Read from a buffer that does not start at a multiple of 8 bytes (a slice of a larger one).
    const bytes = manifestBytes([entry('/logs/a/1.json.gz'), entry('/logs/b/2.json.gz')]);
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(parseManifest(shifted.subarray(3))).toEqual([entry('/logs/a/1.json.gz'), entry('/logs/b/2.json.gz')]);
  });

  it('gives a worker walk the files it lists (runs of one folder, names, size, mtime, ctime and inode columns), and nothing of what is not a whole v4 manifest', () => {
    const entries = [entry('/logs/a/1.json.gz'), entry('/logs/a/2.json.gz', { size: 7, ino: 9 }), entry('/logs/b/3.json.gz', { mtimeMs: 1.5, ctimeMs: 2.5 })];
    const bytes = manifestBytes(entries);
    const files = manifestFiles(bytes)!;
    expect(files.runs).toEqual([['/logs/a/', 2], ['/logs/b/', 1]]);
    expect(files.names).toBe('1.json.gz/2.json.gz/3.json.gz');
    expect([...files.numbers]).toEqual([...entries.map((e) => e.size), ...entries.map((e) => e.mtimeMs), ...entries.map((e) => e.ctimeMs), ...entries.map((e) => e.ino)]);
    // From a buffer that does not start at a multiple of 8 bytes, as the entries are read.
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(manifestFiles(shifted.subarray(3))).toEqual(files);
    const { header, columns, names } = decode(bytes);
    expect(manifestFiles(encode({ ...header, n: -1 }, columns, names))).toBeUndefined();
    expect(manifestFiles(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    expect(manifestFiles(Buffer.from(JSON.stringify(entries)))).toBeUndefined();
    expect(manifestFiles(Buffer.alloc(0))).toBeUndefined();
  });

  it('reads the manifests written before (an array of entries; an array per entry), and says they are', () => {
    const entries = [entry('/logs/a/1.json.gz'), entry('/logs/a/2.json.gz', { parquet: null, parquetBytes: null, minTime: null, maxTime: null }), entry('/logs/b/1.json.gz', { warnings: [{ file: '/logs/b/1.json.gz', reason: 'r', kind: 'note' }] })];
    expect(readManifestText(JSON.stringify(entries))).toEqual({ entries, earlier: true });
    const row = (e: CacheEntry, segment: number) => [e.path.slice(e.path.lastIndexOf('/') + 1), e.size, e.mtimeMs, e.ctimeMs, e.ino, e.rows, e.minTime, e.maxTime, e.eventsSkipped, segment];
    const v2 = { v: 2, segments: [['/cache/v5-x/seg-a.parquet', 11358586]], folders: [['/logs/a/', [row(entries[0]!, 0), row(entries[1]!, -1)]], ['/logs/b/', [row(entries[2]!, 0)]]], warnings: [[2, entries[2]!.warnings]] };
    expect(readManifestText(JSON.stringify(v2))).toEqual({ entries, earlier: true });
    const places = { folders: ['/logs/a/', '/logs/b/'], folderOf: new Uint32Array([0, 0, 1]), names: ['1.json.gz', '2.json.gz', '1.json.gz'] };
    expect(readManifestText(manifestText(entries))).toEqual({ entries, earlier: true, inPathOrder: true, places });
    expect(readManifestBytes(manifestBytes(entries))).toEqual({ entries, earlier: false, inPathOrder: true, places });
  });

  it("gives each entry's folder and name apart, and says whether the entries are in the order of their paths", () => {
    const order = (...paths: string[]) => readManifestBytes(manifestBytes(paths.map((p) => entry(p))))!;
    const read = order('/logs/a/1.json.gz', '/logs/a/b/2.json.gz', '/logs/c/3.json.gz');
    read.entries.forEach((e, i) => expect(read.places!.folders[read.places!.folderOf[i]!]! + read.places!.names[i]!).toBe(e.path));
    expect(read.inPathOrder).toBe(true);
    // A folder's files before its subfolders' (the walk's order within one folder) is not path order.
    expect(order('/logs/a/z.json', '/logs/a/b/1.json').inPathOrder).toBe(false);
    expect(order('/logs/a/b/1.json', '/logs/a/z.json').inPathOrder).toBe(true);
    expect(order('/logs/a/2.json', '/logs/a/1.json').inPathOrder).toBe(false);
    expect(order('/logs/b/1.json', '/logs/a/2.json').inPathOrder).toBe(false);
    expect(order().inPathOrder).toBeUndefined();
  });

  it('takes a damaged manifest for none', () => {
    const bytes = manifestBytes([entry('/logs/a/1.json.gz'), entry('/logs/b/2.json.gz')]);
    const { header, columns, names } = decode(bytes);
    expect(parseManifest(encode(header, columns, names))).toHaveLength(2);
    expect(parseManifest(bytes.subarray(0, -5))).toBeUndefined();
    expect(parseManifest(bytes.subarray(0, 20))).toBeUndefined();
    expect(parseManifest(Buffer.concat([bytes, Buffer.from('x')]))).toBeUndefined();
    expect(parseManifest(encode({ ...header, v: 5 }, columns, names))).toBeUndefined();
    // Numbers of the other byte order are not read as these.
    expect(parseManifest(encode({ ...header, le: false }, columns, names))).toBeUndefined();
    expect(parseManifest(encode({ ...header, n: 1 }, columns, names))).toBeUndefined();
    expect(parseManifest(encode({ ...header, segments: [] }, columns, names))).toBeUndefined();
    expect(parseManifest(encode(header, columns, '1.json.gz'))).toBeUndefined();
    expect(parseManifest(encode({ ...header, folders: [['/logs/a/', 3]] }, columns, names))).toBeUndefined();
    expect(parseManifest(encode({ ...header, folders: [['/logs/a/', 0], ['/logs/b/', 2]] }, columns, names))).toBeUndefined();
    expect(parseManifest(encode(header, { ...columns, size: [2311, NaN] }, names))).toBeUndefined();
    expect(parseManifest(encode(header, { ...columns, maxTime: [1, Infinity] }, names))).toBeUndefined();
    expect(parseManifest(encode(header, { ...columns, segment: [0, 5] }, names))).toBeUndefined();
    expect(parseManifest(encode(header, { ...columns, segment: [0, 0.5] }, names))).toBeUndefined();
    expect(parseManifest(encode({ ...header, nullMin: [2] }, columns, names))).toBeUndefined();
    expect(parseManifest(encode({ ...header, nullMax: undefined }, columns, names))).toBeUndefined();
    expect(parseManifest(encode({ ...header, warnings: [[5, []]] }, columns, names))).toBeUndefined();
    const text = manifestText([entry('/logs/a/1.json.gz'), entry('/logs/b/2.json.gz')]);
    const parsed = JSON.parse(text) as Record<string, unknown> & { folders: [string, number][]; size: unknown[] };
    expect(parseManifest(text)).toHaveLength(2);
    expect(parseManifest(text.slice(0, -5))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, v: 4 }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, segments: [] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, names: '1.json.gz' }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, folders: [['/logs/a/', 3]] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, folders: [['/logs/a/', 0], ['/logs/b/', 2]] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, size: [2311] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, size: [2311, '2311'] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, maxTime: [1, null] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, nullMin: [2] }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, nullMax: undefined }))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, segment: [0, 5] }))).toBeUndefined();
    expect(parseManifest(text.replace('"size":[2311,2311]', '"size":[2311,1e999]'))).toBeUndefined();
    expect(parseManifest(JSON.stringify({ ...parsed, warnings: [[5, []]] }))).toBeUndefined();
    expect(parseManifest('null')).toBeUndefined();
    expect(parseManifest('[1, 2]')).toBeUndefined();
  });

  it('settles a warm start from the manifest, and a damaged one from the packs with the same rows', async () => {
    const data = path.join(tmpRoot, 'data');
    cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
    const cacheDir = path.join(tmpRoot, 'cache');
    const first = await loadIntoCache([data], { dir: cacheDir });
    expect(first.converted.length).toBeGreaterThan(1);
    const manifest = readdirSync(layoutFolder(cacheDir)).find((n) => n.startsWith('list-'))!;
    const file = path.join(layoutFolder(cacheDir), manifest);
    const legacy = path.join(layoutFolder(cacheDir), manifest.replace('list-', 'load-'));
    const isV4 = (): boolean => readFileSync(file).subarray(0, MAGIC.length).toString('latin1') === MAGIC;
    expect(isV4()).toBe(true);
    // Segments by file name only: a copied or moved cache folder reads its own.
    expect(readFileSync(file, 'latin1')).not.toContain(layoutFolder(cacheDir));
    const warm = await lookUpCache([data], cacheDir);
    expect(warm.misses).toEqual([]);
    expect(warm.fromManifest).toBe(first.entries.length);
    expect([...warm.entries].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([...first.entries].sort((a, b) => (a.path < b.path ? -1 : 1)));

    // A manifest of the earlier format (an array of entries, under the earlier name; earlier
    // versions read only that one) is used, and written again in this one.
    rmSync(file);
    writeFileSync(legacy, JSON.stringify(first.entries));
    const old = await lookUpCache([data], cacheDir);
    expect(old.fromManifest).toBe(first.entries.length);
    expect(old.oldManifest).toBe(true);
    const again = await loadIntoCache([data], { dir: cacheDir });
    expect(again.converted).toEqual([]);
    expect(isV4()).toBe(true);
    expect(JSON.parse(readFileSync(legacy, 'utf8'))).toEqual(first.entries);
    expect((await lookUpCache([data], cacheDir)).oldManifest).toBe(false);
    // A v3 manifest (JSON columns) under this name: read, and written again as v4.
    const v4 = readFileSync(file);
    writeFileSync(file, v3Text(v4));
    const fromV3 = await lookUpCache([data], cacheDir);
    expect([fromV3.fromManifest, fromV3.oldManifest]).toEqual([first.entries.length, true]);
    await loadIntoCache([data], { dir: cacheDir });
    expect(readFileSync(file)).toEqual(v4);
    // A v2 manifest (an array per entry) under this name: read, and written again as v4.
    const v3 = JSON.parse(v3Text(v4)) as { segments: unknown[]; folders: [string, number][]; names: string; nullMin: number[]; nullMax: number[]; warnings: unknown[] } & Record<string, number[]>;
    const names = v3.names.split('/');
    let at = 0;
    const folders = v3.folders.map(([folder, count]) => [folder, names.slice(at, (at += count)).map((name, k) => {
      const i = at - count + k;
      return [name, v3['size']![i], v3['mtimeMs']![i], v3['ctimeMs']![i], v3['ino']![i], v3['rows']![i], v3.nullMin.includes(i) ? null : v3['minTime']![i], v3.nullMax.includes(i) ? null : v3['maxTime']![i], v3['eventsSkipped']![i], v3['segment']![i]];
    })]);
    writeFileSync(file, JSON.stringify({ v: 2, segments: v3.segments, folders, warnings: v3.warnings }));
    const v2 = await lookUpCache([data], cacheDir);
    expect(v2.fromManifest).toBe(first.entries.length);
    expect(v2.oldManifest).toBe(true);
    await loadIntoCache([data], { dir: cacheDir });
    expect(isV4()).toBe(true);
    expect((await lookUpCache([data], cacheDir)).oldManifest).toBe(false);

    const count = async (dir: string | undefined = cacheDir): Promise<unknown[]> => {
      const engine = await Engine.open({ cacheDir: dir });
      try {
        await engine.load([data]);
        return (await engine.run('search * | stats count by eventName | sort eventName')).rows;
      } finally {
        engine.close();
      }
    };
    const before = await count();
    expect(before).toEqual(await count(undefined));
    expect(before.length).toBeGreaterThan(3);
    writeFileSync(file, readFileSync(file).subarray(0, 200));
    // With the earlier one beside it, that one is read; without, the packs.
    expect((await lookUpCache([data], cacheDir)).fromManifest).toBe(first.entries.length);
    rmSync(legacy);
    const damaged = await lookUpCache([data], cacheDir);
    expect(damaged.fromManifest).toBe(0);
    expect(damaged.misses).toEqual([]);
    expect(await count()).toEqual(before);
    // That load wrote the manifest again, whole.
    expect(parseManifest(readFileSync(file))?.length).toBe(first.entries.length);
  });

  it('matches its entries to the files found in any order, and after files added or gone', async () => {
    const data = path.join(tmpRoot, 'order');
    cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
    const cacheDir = path.join(tmpRoot, 'order-cache');
    const first = await loadIntoCache([data], { dir: cacheDir });
    const files = first.entries.map((e) => e.path);
    expect(files.length).toBeGreaterThan(4);
    const file = path.join(layoutFolder(cacheDir), readdirSync(layoutFolder(cacheDir)).find((n) => n.startsWith('list-'))!);
    // Listed backwards: every file still found in the manifest.
    writeFileSync(file, manifestBytes([...parseManifest(readFileSync(file))!].reverse()));
    const reversed = await lookUpCache([data], cacheDir);
    expect(reversed.fromManifest).toBe(files.length);
    expect(reversed.misses).toEqual([]);
    // One file gone from the middle and one added before it: the others by place again after them.
    const gone = [...files].sort()[2]!;
    const goneEntry = first.entries.find((e) => e.path === gone)!;
    writeFileSync(file, manifestBytes(first.entries));
    const added = gone.replace(/\.json(\.gz)?$/, '-new$&');
    cpSync(gone, added);
    rmSync(gone);
    const after = await lookUpCache([data], cacheDir);
    expect(after.misses.map((m) => m.abs)).toEqual([added]);
    expect(after.fromManifest).toBe(files.length - 1);
    expect(after.entries.map((e) => e.path).sort()).toEqual(files.filter((f) => f !== gone).sort());
    if (goneEntry.parquet) expect(after.dirty.size).toBe(1);
  });

  it("lists a load's files in the walk's order, and writes again a manifest listed in another", async () => {
    const data = path.join(tmpRoot, 'walk-order');
    cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
    const cacheDir = path.join(tmpRoot, 'walk-order-cache');
    // Converted in delivery order (by the minute in each name), not in the walk's.
    const first = await loadIntoCache([data], { dir: cacheDir });
    const walked = first.entries.map((e) => e.path);
    expect(walked).toEqual([...walked].sort());
    const file = path.join(layoutFolder(cacheDir), readdirSync(layoutFolder(cacheDir)).find((n) => n.startsWith('list-'))!);
    expect(parseManifest(readFileSync(file))!.map((e) => e.path)).toEqual(walked);
    expect((await lookUpCache([data], cacheDir)).inOrder).toBe(true);
    // A manifest in another order (as earlier versions wrote them) settles every file, and is
    // written again in the walk's order, once.
    writeFileSync(file, manifestBytes([...parseManifest(readFileSync(file))!].reverse()));
    const reversed = await lookUpCache([data], cacheDir);
    expect([reversed.inOrder, reversed.fromManifest]).toEqual([false, walked.length]);
    const again = await loadIntoCache([data], { dir: cacheDir });
    expect(again.converted).toEqual([]);
    expect(parseManifest(readFileSync(file))!.map((e) => e.path)).toEqual(walked);
    expect((await lookUpCache([data], cacheDir)).inOrder).toBe(true);
  });
});
