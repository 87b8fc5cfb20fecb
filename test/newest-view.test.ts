// Over a cache of 200,000 events or more, a search's newest-rows question and its bounded rows read
// a second view over the newest files only (cache-view.ts applyNewest): the rows, their order
// (equal times across files included) and the sidebar's counts must be exactly those of the same
// search over every event, here the same files loaded into memory.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { RunOptions } from '../src/engine/engine.js';
import type { Row } from '../src/engine/types.js';

const NOW = Date.parse('2026-12-01T00:00:00Z') / 1000;
const NAMES = ['GetObject', 'PutObject', 'ListBuckets', 'AssumeRole'];

/** 240 files of 1,000 events over 24 days, many at the same second in several files of a day. */
function writeTree(root: string): void {
  let n = 0;
  for (let f = 0; f < 240; f++) {
    const day = String((f % 24) + 1).padStart(2, '0');
    const dir = path.join(root, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '11', day);
    mkdirSync(dir, { recursive: true });
    const events = Array.from({ length: 1000 }, (_, i) => {
      n++;
      const s = i % 600;
      // Three rare calls, one in the newest day; a few eventIDs twice (the copies --dedup-events drops).
      const eventName = n % 80_000 === 7 ? 'CreateUser' : NAMES[i % NAMES.length];
      const id = n % 50_000 === 3 ? 'twice' : `id-${n}`;
      return `{"eventVersion":"1.08","eventTime":"2026-11-${day}T10:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}Z","eventSource":"s3.amazonaws.com","eventName":"${eventName}","eventID":"${id}","recipientAccountId":"111122223333"}`;
    });
    writeFileSync(path.join(dir, `111122223333_CloudTrail_us-east-1_202611${day}T1000Z_${String(f).padStart(3, '0')}.json`), `{"Records":[${events.join(',')}]}`);
  }
}

const SEARCHES: [spl: string, opts: RunOptions, narrowed: boolean][] = [
  ['eventName=GetObject | head 10', {}, true],
  ['search * | table _time eventName eventID source | head 25', {}, true],
  ['search * | table _time eventID source', { maxRows: 40 }, true],
  // Too rare among the newest events: asked over every event, as before.
  ['eventName=CreateUser | table _time eventID | head 3', {}, false],
  ['eventName=PutObject | stats count by eventName', {}, false],
  ['search * | table _time eventID source | head 15', { earliest: Date.parse('2026-11-05T00:00:00Z') / 1000 }, true],
];

describe('the newest view', () => {
  let root: string;
  let memory: Engine;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'spelunk-newest-'));
    writeTree(path.join(root, 'data'));
    memory = await Engine.open({});
    await memory.load([path.join(root, 'data')]);
  }, 120_000);
  afterAll(() => {
    memory?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const compare = async (engine: Engine, reference: Engine): Promise<void> => {
    for (const [spl, opts, narrowed] of SEARCHES) {
      const got = await engine.run(spl, { now: NOW, ...opts });
      expect(got.rows, spl).toEqual((await reference.run(spl, { now: NOW, ...opts })).rows);
      expect(got.rows.length, spl).toBeGreaterThan(0);
      expect(got.sql.includes('__spelunk_newest'), spl).toBe(narrowed);
    }
  };

  it('gives the rows of every event, in order, on the first load and on a warm start', async () => {
    const cacheDir = path.join(root, 'cache');
    for (const start of ['first', 'warm']) {
      const engine = await Engine.open({ cacheDir });
      try {
        await engine.load([path.join(root, 'data')]);
        await compare(engine, memory);
        // The sidebar's counts over the first rows run on a connection of their own, which must have the view too.
        const fields = ['eventName', 'eventID', 'source'];
        const spl = 'eventName=GetObject';
        expect(await engine.summarizeAhead(spl, { now: NOW, first: 10 }, fields), start).toEqual(await memory.summarizeAhead(spl, { now: NOW, first: 10 }, fields));
      } finally {
        engine.close();
      }
    }
  }, 180_000);

  it('a newest file appended in place is seen by the next warm start, in the REPL\'s order and in `spelunk run`\'s', async () => {
    const data = path.join(root, 'data-changed');
    cpSync(path.join(root, 'data'), data, { recursive: true });
    const cacheDir = path.join(root, 'cache-changed');
    const first = await Engine.open({ cacheDir });
    await first.load([data]);
    first.close();
    // Its name, folder and the folder's names unchanged: only its own stat tells.
    const file = path.join(data, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '11', '24', '111122223333_CloudTrail_us-east-1_20261124T1000Z_239.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text.slice(0, -2)},{"eventVersion":"1.08","eventTime":"2026-11-24T23:59:59Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"appended","recipientAccountId":"111122223333"}]}`);
    const reference = await Engine.open({});
    await reference.load([data]);
    const spl = 'eventName=GetObject | table _time eventID source | head 10';
    const expected = (await reference.run(spl, { now: NOW })).rows;
    reference.close();
    expect(expected[0]).toMatchObject({ eventID: 'appended' });
    const repl = await Engine.open({ cacheDir });
    try {
      await repl.load([data]);
      const got = await repl.run(spl, { now: NOW });
      expect(got.rows).toEqual(expected);
      expect(got.sql).toContain('__spelunk_newest');
    } finally {
      repl.close();
    }
    // Then the appended event gone and one of the newest second's events changed, the file as long as before.
    writeFileSync(file, text.replace('"eventID":"id-239600"', '"eventID":"idb-23960"'));
    const run = await Engine.open({ cacheDir });
    try {
      const rows: Row[] = [];
      const done = await run.loadAndStream([data], {}, { search: 'search * | table _time eventID | head 1000', opts: { now: NOW }, onRows: (r) => void rows.push(...r) });
      expect(done.warm).not.toBe('confirmed');
      expect(rows.filter((r) => String(r['eventID']).startsWith('idb-'))).toHaveLength(1);
      expect(rows.some((r) => r['eventID'] === 'appended')).toBe(false);
    } finally {
      run.close();
    }
  }, 180_000);

  it('drops the copies of an eventID as every event does (--dedup-events)', async () => {
    const reference = await Engine.open({ dedupEvents: true });
    const engine = await Engine.open({ cacheDir: path.join(root, 'cache-dedup'), dedupEvents: true });
    try {
      await reference.load([path.join(root, 'data')]);
      await engine.load([path.join(root, 'data')]);
      await compare(engine, reference);
    } finally {
      engine.close();
      reference.close();
    }
  }, 180_000);
});
