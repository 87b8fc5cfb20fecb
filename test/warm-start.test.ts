// A warm start's first search runs over the view the cache's manifest gives while the files are
// walked (warm-start.ts, first-search.ts): its rows go out only once the walk found every file as
// the manifest lists it. A file changed, added or removed before or during the walk must give the
// new answer, and the answer made from the manifest must never be seen.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, expect, it, vi } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { layoutFolder } from '../src/engine/cache-files.js';
import type { LoadReport, Row } from '../src/engine/types.js';
import { SAMPLE_DIR } from './helpers.js';

/** Runs before the warm start's walk (see the mock): a change made while the view is being built from the manifest. */
let beforeWalk: (() => Promise<void>) | undefined;

vi.mock('../src/engine/cache-lookup.js', async (original) => {
  const actual = await original<typeof import('../src/engine/cache-lookup.js')>();
  return {
    ...actual,
    lookUpCache: async (...args: Parameters<typeof actual.lookUpCache>) => {
      const hook = beforeWalk;
      beforeWalk = undefined;
      await hook?.();
      return actual.lookUpCache(...args);
    },
  };
});

const root = mkdtempSync(path.join(tmpdir(), 'spelunk-warm-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let data: string;
let cacheDir: string;
let n = 0;
beforeEach(() => {
  n++;
  data = path.join(root, `data-${n}`);
  cacheDir = path.join(root, `cache-${n}`);
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  beforeWalk = undefined;
});

const SEARCH = 'search eventName=ConsoleLogin | head 3 | table _time eventID';

interface Ran {
  rows: Row[];
  /** Everything handed out, in order: the load's lines, the columns, the rows. */
  calls: string[];
  report: LoadReport;
  warm?: string;
}

async function run(dir: string | undefined, search = SEARCH): Promise<Ran> {
  const engine = await Engine.open({ cacheDir: dir });
  try {
    const rows: Row[] = [];
    const calls: string[] = [];
    const result = await engine.loadAndStream([data], {}, {
      search,
      opts: {},
      onLoaded: () => void calls.push('loaded'),
      onStart: () => void calls.push('start'),
      onRows: (r) => {
        calls.push('rows');
        rows.push(...r);
      },
    });
    return { rows, calls, report: result.report, warm: 'warm' in result ? result.warm : undefined };
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

/** The sample's files holding a ConsoleLogin event, by path. */
function loginFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else found.push(full);
    }
  };
  walk(data);
  return found.sort();
}

const ids = (r: Ran): unknown[] => r.rows.map((row) => row['eventID']);

it('answers a warm start from the manifest once the walk confirmed it, as an ordinary load would', async () => {
  const cold = await run(cacheDir);
  expect(cold.warm).toBeUndefined();
  const warm = await run(cacheDir);
  expect(warm.warm).toBe('confirmed');
  expect(warm.rows).toEqual(cold.rows);
  expect(warm.report.filesRead).toBe(cold.report.filesRead);
  expect(warm.report.eventsLoaded).toBe(cold.report.eventsLoaded);
  expect(warm.report.duplicates).toEqual(cold.report.duplicates);
  // The load's lines before the columns and the rows, as without a warm start.
  expect(warm.calls[0]).toBe('loaded');
  expect(warm.calls[1]).toBe('start');
  expect((await run(undefined)).rows).toEqual(warm.rows);
});

it('never shows the manifest\'s answer when a file changed before the walk, and gives the new one', async () => {
  await run(cacheDir);
  const stale = await run(cacheDir);
  const file = loginFiles()[0]!;
  writeFileSync(file, newestLogin('changed-0001'));
  const warm = await run(cacheDir);
  expect(warm.warm).toBe('discarded');
  expect(ids(warm)[0]).toBe('changed-0001');
  expect(warm.rows).not.toEqual(stale.rows);
  expect(warm.rows).toEqual((await run(undefined)).rows);
  // One load's lines, one set of columns, then the new rows only.
  expect(warm.calls.filter((c) => c === 'loaded')).toHaveLength(1);
  expect(warm.calls.filter((c) => c === 'start')).toHaveLength(1);
  expect(warm.rows).toHaveLength(3);
  // The next warm start is confirmed again, over the cache as it now is.
  const again = await run(cacheDir);
  expect(again.warm).toBe('confirmed');
  expect(again.rows).toEqual(warm.rows);
});

it('gives the new answer when a file changes while the view is built from the manifest and its search runs', async () => {
  await run(cacheDir);
  const file = loginFiles()[3]!;
  // The search over the manifest's view has had time to reach its first row when the file changes.
  beforeWalk = async () => {
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(file, newestLogin('during-0001'));
  };
  const warm = await run(cacheDir);
  expect(warm.warm).toBe('discarded');
  expect(ids(warm)[0]).toBe('during-0001');
  expect(warm.rows).toHaveLength(3);
  expect(warm.rows).toEqual((await run(undefined)).rows);
});

it('gives the new answer when a file was added or removed', async () => {
  await run(cacheDir);
  const added = path.join(path.dirname(loginFiles()[0]!), '111122223333_CloudTrail_us-east-1_20261127T2359Z_added.json.gz');
  writeFileSync(added, newestLogin('added-0001'));
  const withAdded = await run(cacheDir);
  expect(withAdded.warm).toBe('discarded');
  expect(ids(withAdded)[0]).toBe('added-0001');
  expect(withAdded.report.filesRead).toBe((await run(undefined)).report.filesRead);
  // Now cached and confirmed; then removed: its event must go.
  expect((await run(cacheDir)).warm).toBe('confirmed');
  rmSync(added);
  const withRemoved = await run(cacheDir);
  expect(withRemoved.warm).toBe('discarded');
  expect(ids(withRemoved)).not.toContain('added-0001');
  expect(withRemoved.rows).toEqual((await run(undefined)).rows);
});

it('does not answer a search that writes a lookup from the manifest', async () => {
  await run(cacheDir);
  const state = path.join(root, `state-${n}`);
  const engine = await Engine.open({ cacheDir, stateDir: state });
  try {
    const result = await engine.loadAndStream([data], {}, { search: `${SEARCH} | outputlookup logins.csv`, opts: {}, onRows: () => undefined });
    expect('warm' in result ? result.warm : undefined).toBeUndefined();
  } finally {
    engine.close();
  }
});

it('repairs a cache whose segments were overwritten behind its back, as an ordinary load does', async () => {
  const cold = await run(cacheDir);
  // Same sizes: the lookup takes them for the segments the manifest names; only reading them tells.
  const folder = layoutFolder(cacheDir);
  for (const name of readdirSync(folder).filter((x) => x.startsWith('seg-'))) {
    const file = path.join(folder, name);
    writeFileSync(file, Buffer.alloc(statSync(file).size, 7));
  }
  // Not remembered: counting the copies reads the damaged segments while the view is the manifest's.
  rmSync(path.join(cacheDir, 'duplicates.json'), { force: true });
  const warm = await run(cacheDir);
  expect(warm.rows).toEqual(cold.rows);
  expect(warm.report.duplicates).toEqual(cold.report.duplicates);
  expect(warm.calls.filter((c) => c === 'loaded')).toHaveLength(1);
});

it('sees a folder renamed, its files keeping their names and fingerprints', async () => {
  const search = 'search eventName=ConsoleLogin | stats count by source | sort source';
  const file = String((await run(cacheDir, search)).rows[0]!['source']);
  // The walk meets the same names in the same places, under another folder.
  const day = path.dirname(file);
  renameSync(day, `${day}x`);
  const warm = await run(cacheDir, search);
  expect(warm.warm).toBe('discarded');
  expect(warm.rows).toEqual((await run(undefined, search)).rows);
  expect(warm.rows.map((r) => r['source'])).toContain(path.join(`${day}x`, path.basename(file)));
  expect(warm.rows.map((r) => r['source'])).not.toContain(file);
});

it('ranks equal times by path when the paths given are not in path order, warm as cold', async () => {
  const event = (id: string) => ({ eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, awsRegion: 'us-east-1' });
  const a = path.join(root, `order-${n}`, 'a');
  const b = path.join(root, `order-${n}`, 'b');
  for (const [dir, ids] of [[a, ['a1', 'a2']], [b, ['b1', 'b2']]] as const) {
    mkdirSync(dir, { recursive: true });
    ids.forEach((id, i) => writeFileSync(path.join(dir, `f${i}.json`), JSON.stringify({ Records: [event(id)] })));
  }
  const rowsOf = async (dir: string | undefined): Promise<Row[]> => {
    const engine = await Engine.open({ cacheDir: dir });
    try {
      await engine.load([b, a]);
      return (await engine.run('search * | table eventID source')).rows;
    } finally {
      engine.close();
    }
  };
  const memory = await rowsOf(undefined);
  expect(memory.map((r) => r['eventID'])).toEqual(['a1', 'a2', 'b1', 'b2']);
  expect(await rowsOf(cacheDir)).toEqual(memory);
  expect(await rowsOf(cacheDir)).toEqual(memory);
  // Without the saved sources table the view ranks the files itself, in the order select gives.
  const folder = layoutFolder(cacheDir);
  for (const name of readdirSync(folder)) if (name.startsWith('sources-')) rmSync(path.join(folder, name));
  expect(await rowsOf(cacheDir)).toEqual(memory);
});
