// A warm start's walk judged on a worker (walk-verdict.ts): "every file as the manifest lists it,
// nothing else" only when the walk here would say so with no warning; any change, and any tree the
// worker cannot judge exactly, is a no (the main thread walks, as before).
import { appendFileSync, cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadIntoCache } from '../src/engine/cache.js';
import { layoutFolder, readLoadManifest } from '../src/engine/cache-files.js';
import { lookUpCache } from '../src/engine/cache-lookup.js';
import { judgeWalk } from '../src/engine/walk-verdict.js';
import { WarmStart } from '../src/engine/warm-start.js';
import { SAMPLE_DIR } from './helpers.js';

const tmpRoot = mkdtempSync(path.join(tmpdir(), 'walk-verdict-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

let data: string;
let cacheDir: string;
let run = 0;

beforeEach(async () => {
  run++;
  data = path.join(tmpRoot, `data${run}`);
  cacheDir = path.join(tmpRoot, `cache${run}`);
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  await loadIntoCache([data], { dir: cacheDir });
});

/** The manifest the load wrote, as read. */
async function manifest() {
  const folder = layoutFolder(cacheDir);
  const name = readdirSync(folder).find((n) => n.startsWith('list-'))!;
  return (await readLoadManifest(folder, path.join(folder, name)))!;
}

/** Some data file of the sample, and its folder. */
function someFile(): string {
  const walk = (dir: string): string => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        const inside = walk(full);
        if (inside) return inside;
      } else if (/\.json(\.gz)?$/.test(e.name)) return full;
    }
    return '';
  };
  return walk(data);
}

describe("the worker's verdict on a warm start's walk", () => {
  it("yes for the files as listed, and the lookup it gives is the walk's", async () => {
    const read = await manifest();
    expect(read.entries.length).toBeGreaterThan(1);
    expect(await judgeWalk(data, read.text)).toBe(true);
    const judged = await lookUpCache([data], cacheDir, Promise.resolve(read), Promise.resolve(true));
    const walked = await lookUpCache([data], cacheDir, Promise.resolve(read));
    expect(judged).toEqual(walked);
    expect(judged.entries.every((e, i) => e === read.entries[i])).toBe(true);
    // Hidden entries and empty folders the walk passes over silently: still yes.
    writeFileSync(path.join(data, '.DS_Store'), 'x');
    mkdirSync(path.join(data, 'AWSLogs', 'empty'));
    expect(await judgeWalk(data, read.text)).toBe(true);
  });

  const warmStart = (judgeFrom: number) => WarmStart.start([data], { dir: cacheDir, index: 'main', judgeFrom }, {}, async () => ({ events: 0, dropped: false }));
  const changes: [string, () => void][] = [
    ['a file changed', () => appendFileSync(someFile(), ' ')],
    ['a file added', () => writeFileSync(path.join(path.dirname(someFile()), 'new.json'), '{"Records":[]}')],
    ['a file gone', () => rmSync(someFile())],
  ];
  for (const [what, change] of changes) {
    it(`no after ${what}; the lookup then walks and sees it`, async () => {
      const read = await manifest();
      change();
      expect(await judgeWalk(data, read.text)).toBe(false);
      const warm = await warmStart(0);
      expect(warm).toBeInstanceOf(WarmStart);
      expect(await (warm as WarmStart).outcome).toBeUndefined();
    });
  }

  const unjudged: [string, () => void][] = [
    ['a file the walk ignores (and names in a note)', () => writeFileSync(path.join(data, 'README'), 'x')],
    ['a link to a file', () => symlinkSync(someFile(), path.join(data, 'link.json'))],
    ['a link to a folder', () => symlinkSync(path.join(data, 'AWSLogs'), path.join(data, 'again'))],
    ['a Parquet file (maybe an export)', () => writeFileSync(path.join(data, 'x.parquet'), 'PAR1')],
    ['a hard link', () => linkSync(someFile(), path.join(data, 'hard.json'))],
    ['a folder named like a cache layout', () => mkdirSync(path.join(data, 'v5'))],
    ['a name with glob characters', () => writeFileSync(path.join(data, 'a*b.json'), '{"Records":[]}')],
  ];
  for (const [what, change] of unjudged) {
    it(`no with ${what}; the warm start is then what the walk here makes of it`, async () => {
      const read = await manifest();
      change();
      expect(await judgeWalk(data, read.text)).toBe(false);
      const outcome = async (judgeFrom: number) => {
        const report = await ((await warmStart(judgeFrom)) as WarmStart).outcome;
        return report && { ...report, elapsedMs: 0 };
      };
      expect(await outcome(0)).toEqual(await outcome(Infinity));
    });
  }

  it('a warm start over the files as listed is confirmed on the verdict', async () => {
    const report = await ((await warmStart(0)) as WarmStart).outcome;
    expect(report).toMatchObject({ filesRead: (await manifest()).entries.length, warnings: [] });
  });

  it('no for a manifest of the earlier format, a damaged one, another folder', async () => {
    const read = await manifest();
    const v3 = JSON.parse(read.text) as Record<string, unknown>;
    expect(await judgeWalk(data, JSON.stringify({ ...v3, v: 2 }))).toBe(false);
    expect(await judgeWalk(data, read.text.slice(0, 100))).toBe(false);
    expect(await judgeWalk(data, JSON.stringify({ ...v3, folders: [['/x/', 1e9]] }))).toBe(false);
    // The manifest lists absolute paths: a folder holding only some of them is a no.
    expect(await judgeWalk(path.dirname(someFile()), read.text)).toBe(false);
    expect(await judgeWalk(path.join(tmpRoot, 'none'), read.text)).toBe(false);
  });

  it("its file patterns are the walk's", () => {
    const verdict = readFileSync(path.resolve(import.meta.dirname, '../src/engine/walk-verdict.ts'), 'utf8');
    const paths = readFileSync(path.resolve(import.meta.dirname, '../src/engine/load-paths.ts'), 'utf8');
    for (const [name, local] of [['DATA_FILE', 'data'], ['CACHE_LAYOUT', 'layout']]) {
      const there = new RegExp(`const ${name} = (/.+/[a-z]*);`).exec(paths)?.[1];
      expect(there).toBeTruthy();
      expect(verdict).toContain(`const ${local} = ${there};`);
    }
  });
});
