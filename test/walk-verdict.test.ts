// A warm start's walk made by a worker and compared there with the manifest (walk-verdict.ts):
// over a plain tree the worker finds exactly what the main walk finds (files, order,
// fingerprints); over a tree holding anything the main walk decides otherwise (links, files that
// are not logs, hidden or cache folders, one file under two names) it gives no answer and the main
// thread walks. A warm start through it never answers from the manifest when a file was added,
// removed, grown or rewritten in place, and walks on the main thread only when the worker had no answer.
import { appendFileSync, cpSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { DATA_FILE, expandPaths, type Expansion } from '../src/engine/load-paths.js';
import { CACHE_LAYOUT } from '../src/engine/not-evidence.js';
import type { Row } from '../src/engine/types.js';
import { walkedExpansion, WalkVerdict } from '../src/engine/walk-verdict.js';
import { walkWorker } from '../src/engine/warm-start.js';
import { SAMPLE_DIR } from './helpers.js';

/** The paths each walk on the main thread was of (expandPaths; a load's conversion of changed files names them too). */
const mainWalks: string[][] = [];
vi.mock('../src/engine/load-paths.js', async (original) => {
  const actual = await original<typeof import('../src/engine/load-paths.js')>();
  return {
    ...actual,
    expandPaths: async (...args: Parameters<typeof actual.expandPaths>) => {
      mainWalks.push(args[0]);
      return actual.expandPaths(...args);
    },
  };
});

const root = mkdtempSync(path.join(tmpdir(), 'spelunk-walk-verdict-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Everything an expansion tells, fingerprints included. */
function told(found: Expansion) {
  const states = found.files.map((_, i) => ({ ...found.states.state(i), dev: found.states.dev(i), link: found.states.viaLink(i), normal: found.states.normal(i), dir: found.states.dirs[i], name: found.states.names[i] }));
  return { files: found.files, warnings: found.warnings, states };
}

/** The worker's answer over `dir`, with no manifest to compare with. */
async function answerOver(dir: string) {
  const worker = WalkVerdict.start(dir, DATA_FILE, CACHE_LAYOUT)!;
  worker.compare(null);
  return worker.answer;
}

describe('the worker walk', () => {
  let n = 0;
  const tree = (files: string[]): string => {
    const dir = path.join(root, `tree-${n++}`);
    for (const f of files) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), `{"Records":[]} ${f}`);
    }
    return dir;
  };

  it('finds what the main walk finds over a plain tree: files, their order and fingerprints', async () => {
    const dir = tree(['AWSLogs/1/us-east-1/2026/11/02/b.json.gz', 'AWSLogs/1/us-east-1/2026/11/02/a.json', 'AWSLogs/1/us-east-1/2026/11/10/c.jsonl', 'AWSLogs/2/x.ndjson', 'AWSLogs/10/y.cloudtrail', 'AWSLogs/1/a-z.gz', 'AWSLogs/1/z/q.json', 'AWSLogs/2/name with space [1]*?.json']);
    const answer = await answerOver(dir);
    expect(answer?.same).toBe(false);
    const found = answer?.same === false ? answer.found : undefined;
    expect(found).toBeDefined();
    expect(told(walkedExpansion(found!))).toEqual(told(await expandPaths([dir])));
    expect(walkedExpansion(found!).files).toHaveLength(8);
  });

  it('gives no answer over a tree the main walk must decide, which then walks as before', async () => {
    const trees: string[] = [];
    const add = (files: string[], then?: (dir: string) => void) => {
      const dir = tree(files);
      then?.(dir);
      trees.push(dir);
    };
    add(['a/x.json', 'README.md']);
    add(['a/x.json', 'a/y.parquet']);
    add(['a/x.json', 'cache/CACHEDIR.TAG', 'cache/z.json']);
    add(['a/x.json', 'v7-0123abcd/z.json']);
    add(['a/x.json'], (dir) => symlinkSync(path.join(dir, 'a/x.json'), path.join(dir, 'to-x.json')));
    add(['a/x.json'], (dir) => symlinkSync(path.join(dir, 'a'), path.join(dir, 'to-a')));
    add(['a/x.json'], (dir) => linkSync(path.join(dir, 'a/x.json'), path.join(dir, 'a/hard.json')));
    add(['x.json', 'a/y.json']);
    add(['notes.txt']);
    add([]);
    // :export's results listed beside them (not-evidence.ts): the main walk leaves them out; the worker counted them as logs.
    add(['a/x.json', 'a/hits.json', 'a/.spelunk-exports']);
    // CloudTrail's digest files: the main walk passes over them with a note; the worker counted them as logs.
    add(['AWSLogs/1/CloudTrail-Digest/us-east-1/1_CloudTrail-Digest_us-east-1_t_us-east-1_20261120T1000Z.json.gz', 'AWSLogs/2/CloudTrail/us-east-1/x.json.gz']);
    add(['AWSLogs/111111111111/CloudTrail/us-east-1/x.json.gz', 'AWSLogs/111111111111/vpcflowlogs/us-east-1/f.log.gz']);
    for (const dir of trees) {
      mkdirSync(dir, { recursive: true });
      const answer = await answerOver(dir);
      expect(answer === undefined || (answer.same === false && answer.found === undefined), dir).toBe(true);
    }
  });

  it('leaves hidden entries out as the main walk does', async () => {
    const dir = tree(['a/x.json', '.hidden/y.json', 'a/.z.json']);
    const answer = await answerOver(dir);
    const found = answer?.same === false ? answer.found : undefined;
    expect(told(walkedExpansion(found!))).toEqual(told(await expandPaths([dir])));
    expect(walkedExpansion(found!).files).toEqual([path.join(dir, 'a/x.json')]);
  });
});

describe('a warm start through the worker', () => {
  let data: string;
  let cacheDir: string;
  let n = 0;
  beforeEach(() => {
    walkWorker.minManifestBytes = 0;
    n++;
    data = path.join(root, `data-${n}`);
    cacheDir = path.join(root, `cache-${n}`);
    cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  });
  afterEach(() => {
    walkWorker.minManifestBytes = 4_000_000;
  });

  const SEARCH = 'search | stats count by eventName | sort eventName';

  async function run(dir: string | undefined): Promise<{ rows: Row[]; warm?: string; walks: number; files: number }> {
    const engine = await Engine.open({ cacheDir: dir });
    const before = mainWalks.length;
    try {
      const rows: Row[] = [];
      const result = await engine.loadAndStream([data], {}, { search: SEARCH, opts: {}, onRows: (r) => void rows.push(...r) });
      return { rows, warm: 'warm' in result ? result.warm : undefined, walks: mainWalks.slice(before).filter((p) => p.length === 1 && p[0] === data).length, files: result.report.filesRead };
    } finally {
      engine.close();
    }
  }

  /** The cache made, and a warm start's manifest written (a first run answered before caching writes one the next run rewrites). */
  async function prime(): Promise<{ rows: Row[] }> {
    await run(cacheDir);
    return run(cacheDir);
  }

  /** Some log file of the copy, by its path. */
  const someLog = (): string => {
    const walk = (dir: string): string => {
      const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) {
          const got = walk(full);
          if (got) return got;
        } else if (DATA_FILE.test(e.name)) return full;
      }
      return '';
    };
    return walk(data);
  };

  it('answers from the manifest once the worker found every file as listed, with no walk on the main thread', async () => {
    const cold = await prime();
    const warm = await run(cacheDir);
    expect(warm.warm).toBe('confirmed');
    expect(warm.walks).toBe(0);
    expect(warm.rows).toEqual(cold.rows);
    expect(warm.rows).toEqual((await run(undefined)).rows);
  });

  const changes: [string, (file: string) => void][] = [
    ['rewritten in place at the same size and time', (file) => {
      const info = statSync(file);
      const text = Buffer.from(JSON.stringify({ Records: [] }).padEnd(info.size, ' '));
      writeFileSync(file, text);
      utimesSync(file, info.atime, info.mtime);
    }],
    ['grown', (file) => appendFileSync(file, '\n')],
    ['removed', (file) => rmSync(file)],
    ['added', (file) => cpSync(file, path.join(path.dirname(file), `zz-${path.basename(file)}`))],
  ];
  for (const [what, change] of changes) {
    it(`gives the new answer when a file was ${what}, without a walk on the main thread`, async () => {
      await prime();
      change(someLog());
      const warm = await run(cacheDir);
      expect(warm.warm).not.toBe('confirmed');
      expect(warm.walks).toBe(0);
      const fresh = await run(undefined);
      expect(warm.rows).toEqual(fresh.rows);
      expect(warm.files).toBe(fresh.files);
    });
  }

  it('walks on the main thread when the tree holds what the worker does not decide, and answers as before', async () => {
    await prime();
    writeFileSync(path.join(data, 'README.md'), 'not a log');
    const warm = await run(cacheDir);
    expect(warm.walks).toBe(1);
    expect(warm.warm).toBe('confirmed');
    expect(warm.rows).toEqual((await run(undefined)).rows);
  });
});
