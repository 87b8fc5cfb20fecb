// A warm start's manifest read and walk begun while DuckDB starts (EngineOptions.firstLoad,
// warm-start.ts beginWarm): the first load of exactly those paths takes that walk instead of
// walking again, and answers as without it; any other load walks for itself, so a change it
// could miss is never answered from the cache's word.
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, expect, it, vi } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { EngineOptions } from '../src/engine/engine-options.js';
import type { Row } from '../src/engine/types.js';
import { SAMPLE_DIR } from './helpers.js';

/** The paths of every walk and lookup made (lookUpCache), in order. */
let walks: string[][] = [];

vi.mock('../src/engine/cache-lookup.js', async (original) => {
  const actual = await original<typeof import('../src/engine/cache-lookup.js')>();
  return {
    ...actual,
    lookUpCache: (...args: Parameters<typeof actual.lookUpCache>) => {
      walks.push(args[0]);
      return actual.lookUpCache(...args);
    },
  };
});

const root = mkdtempSync(path.join(tmpdir(), 'spelunk-warm-early-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let data: string;
let cacheDir: string;
let n = 0;
beforeEach(() => {
  n++;
  data = path.join(root, `data-${n}`);
  cacheDir = path.join(root, `cache-${n}`);
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  walks = [];
});

const SEARCH = 'search eventName=ConsoleLogin | head 3 | table _time eventID';

/** `spelunk run`'s order: open (naming the first load's paths when `firstLoad`), then the load and the search together. */
async function run(opts: EngineOptions, paths = [data], between?: () => void) {
  const engine = await Engine.open(opts);
  try {
    between?.();
    const rows: Row[] = [];
    const result = await engine.loadAndStream(paths, {}, { search: SEARCH, opts: {}, onRows: (r) => void rows.push(...r) });
    return { rows, report: result.report, warm: 'warm' in result ? result.warm : undefined };
  } finally {
    engine.close();
  }
}

/** A log file of one ConsoleLogin event newer than every event of the sample. */
function newestLogin(eventID: string): Buffer {
  const event = {
    eventVersion: '1.08',
    eventTime: '2026-11-27T23:59:00Z',
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userIdentity: { type: 'IAMUser', accountId: '111122223333', userName: 'late' },
    responseElements: { ConsoleLogin: 'Success' },
    eventID,
    eventType: 'AwsConsoleSignIn',
    recipientAccountId: '111122223333',
  };
  return gzipSync(JSON.stringify({ Records: [event] }));
}

/** The first file of the sample, in path order. */
function firstFile(): string {
  let dir = data;
  for (;;) {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    const next = entries[0]!;
    dir = path.join(dir, next.name);
    if (!next.isDirectory()) return dir;
  }
}

const ids = (rows: Row[]): unknown[] => rows.map((row) => row['eventID']);

it('answers a first load named at open as the same warm start without it, walking the files once', async () => {
  await run({ cacheDir });
  walks = [];
  const plain = await run({ cacheDir });
  expect(plain.warm).toBe('confirmed');
  expect(walks).toHaveLength(1);
  walks = [];
  const early = await run({ cacheDir, firstLoad: [data] });
  expect(early.warm).toBe('confirmed');
  expect(walks).toEqual([[data]]);
  expect(early.rows).toEqual(plain.rows);
  expect({ ...early.report, elapsedMs: 0 }).toEqual({ ...plain.report, elapsedMs: 0 });
  expect(early.rows).toEqual((await run({})).rows);
});

it('gives the new answer when a file changed before the engine opened', async () => {
  await run({ cacheDir });
  writeFileSync(firstFile(), newestLogin('before-open-1'));
  const early = await run({ cacheDir, firstLoad: [data] });
  expect(early.warm).toBe('discarded');
  expect(ids(early.rows)[0]).toBe('before-open-1');
  expect(early.rows).toEqual((await run({})).rows);
});

it('walks again for a first load of other paths than those named at open, and sees a change made after it opened', async () => {
  await run({ cacheDir });
  // The same folder named otherwise: another list of paths, another manifest.
  const other = [data + path.sep];
  await run({ cacheDir }, other);
  walks = [];
  const early = await run({ cacheDir, firstLoad: [data] }, other, () => writeFileSync(firstFile(), newestLogin('after-open-1')));
  expect(ids(early.rows)[0]).toBe('after-open-1');
  // The walk begun at open, then the load's own.
  expect(walks).toEqual([[data], other]);
});

it('takes the walk made at open for the first load only: a later load of the same paths walks again', async () => {
  await run({ cacheDir });
  /** The REPL's `:load` of the same folder after a file changed: the walks made, and the newest event found. */
  const twice = async (opts: EngineOptions) => {
    walks = [];
    const engine = await Engine.open(opts);
    try {
      await engine.load([data]);
      const first = walks.length;
      writeFileSync(firstFile(), newestLogin(`second-load-${walks.length}-${opts.firstLoad?.length ?? 0}`));
      await engine.load([data]);
      return { first, walks: walks.length, newest: ids((await engine.run(SEARCH)).rows)[0] };
    } finally {
      engine.close();
    }
  };
  const plain = await twice({ cacheDir });
  const early = await twice({ cacheDir, firstLoad: [data] });
  expect(early.first).toBe(1);
  expect(early.walks).toBe(plain.walks);
  expect(plain.newest).toBe('second-load-1-0');
  expect(early.newest).toBe('second-load-1-1');
});

it('begins nothing without a cache, or when the copies of each event are dropped', async () => {
  const memory = await run({ firstLoad: [data] });
  expect(walks).toHaveLength(0);
  await run({ cacheDir });
  walks = [];
  const dedup = await run({ cacheDir, firstLoad: [data], dedupEvents: true });
  expect(walks).toEqual([[data]]);
  expect(dedup.rows).toEqual(memory.rows);
});
