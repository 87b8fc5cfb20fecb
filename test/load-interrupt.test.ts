// engine.interrupt() (Ctrl-C in the REPL) during a load must stop it wherever the load is: in a
// DuckDB statement, or in Node reading and inflating small files (load-inflate.ts) or streaming a
// large one (load-stream.ts), where there is no statement for DuckDB's interrupt to reach. The
// loaded events stay as they were, and the cache stays consistent: the next load counts the same.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';

const root = mkdtempSync(path.join(tmpdir(), 'spelunk-interrupt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FILES = 1500;
const event = (i: number, j: number): Record<string, unknown> => ({
  eventVersion: '1.08',
  eventTime: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:${String(j % 60).padStart(2, '0')}Z`,
  eventSource: 'sts.amazonaws.com',
  eventName: 'GetCallerIdentity',
  awsRegion: 'us-east-1',
  eventID: `e${i}-${j}`,
});
let small: string;
let first: string;
let lines: string;
beforeAll(() => {
  // Delivery-sized files: every one goes through Node (load-inflate.ts).
  small = path.join(root, 'small');
  mkdirSync(small);
  for (let i = 0; i < FILES; i++) {
    writeFileSync(path.join(small, `f${String(i).padStart(4, '0')}.json.gz`), gzipSync(JSON.stringify({ Records: [event(i, 0), event(i, 1)] })));
  }
  first = path.join(root, 'first');
  mkdirSync(first);
  writeFileSync(path.join(first, 'a.json'), JSON.stringify({ Records: [event(0, 59)] }));
  // JSON lines read in parts through Node (load-stream.ts) once over the streamBytes given below.
  lines = path.join(root, 'lines.jsonl');
  writeFileSync(lines, Array.from({ length: 5000 }, (_, j) => JSON.stringify(event(j, j))).join('\n') + '\n');
});

async function count(engine: Engine): Promise<number> {
  return Number((await engine.run('search * | stats count')).rows[0]!['count']);
}

/** Loads `paths`, interrupting at the first progress report: after sniffing, before any file is read. */
async function interrupted(engine: Engine, paths: string[], streamBytes?: number): Promise<unknown> {
  let asked = false;
  return engine
    .load(paths, {
      streamBytes,
      onProgress: () => {
        if (!asked) engine.interrupt();
        asked = true;
      },
    })
    .then(() => 'loaded', (err: unknown) => err);
}

for (const cached of [false, true]) {
  describe(cached ? 'into the cache' : 'into memory', () => {
    it('stops while Node reads many small files; the events stay as they were and the next load is whole', async () => {
      const cacheDir = cached ? path.join(root, 'cache-small') : undefined;
      const engine = await Engine.open({ cacheDir });
      try {
        await engine.load([first]);
        expect(await count(engine)).toBe(1);
        const err = await interrupted(engine, [small]);
        expect(String(err)).toMatch(/INTERRUPT/i);
        expect(await count(engine)).toBe(1);
        const report = await engine.load([small]);
        expect(report.eventsLoaded).toBe(FILES * 2);
        expect(await count(engine)).toBe(1 + FILES * 2);
      } finally {
        engine.close();
      }
      if (cacheDir) {
        // A fresh process over the same cache: every file, every event, once.
        const again = await Engine.open({ cacheDir });
        try {
          expect((await again.load([small])).eventsLoaded).toBe(FILES * 2);
          expect(await count(again)).toBe(FILES * 2);
        } finally {
          again.close();
        }
      }
    });

    it('stops while Node streams a large file', async () => {
      const engine = await Engine.open({ cacheDir: cached ? path.join(root, 'cache-lines') : undefined });
      try {
        await engine.load([first]);
        const err = await interrupted(engine, [lines], 1000);
        expect(String(err)).toMatch(/INTERRUPT/i);
        expect(await count(engine)).toBe(1);
        expect((await engine.load([lines], { streamBytes: 1000 })).eventsLoaded).toBe(5000);
        expect(await count(engine)).toBe(5001);
      } finally {
        engine.close();
      }
    });
  });
}

// An interrupt that comes before the load reads its first file: while the field paths of the
// events before are stopped, the cache's manifest read, the walk looks the files up, or the
// in-memory table's sources are listed, no AbortController existed yet and interrupt() reached
// nothing: the load went on to the end.
describe('an interrupt before the load reads any file', () => {
  /** Loads `paths`, interrupting after `turns` turns of the event loop (0: at once, before any await). */
  async function interruptedAfter(engine: Engine, paths: string[], turns: number): Promise<unknown> {
    const loading = engine.load(paths).then(() => 'loaded', (err: unknown) => err);
    for (let i = 0; i < turns; i++) await new Promise(setImmediate);
    engine.interrupt();
    return loading;
  }

  for (const turns of [0, 1, 3]) {
    it(`stops the load, into memory or the cache, cold or warm (after ${turns} turn(s))`, async () => {
      for (const mode of ['memory', 'cold cache', 'warm cache'] as const) {
        const cacheDir = mode === 'memory' ? undefined : path.join(root, `cache-early-${turns}-${mode === 'warm cache' ? 'warm' : Math.random().toString(36).slice(2)}`);
        if (mode === 'warm cache') {
          const fill = await Engine.open({ cacheDir });
          await fill.load([small]);
          fill.close();
        }
        const engine = await Engine.open({ cacheDir });
        try {
          const outcome = String(await interruptedAfter(engine, [small], turns));
          // A warm start whose files all proved unchanged has nothing left to stop: it stands, whole.
          if (mode === 'warm cache' && outcome === 'loaded') expect(await count(engine), mode).toBe(FILES * 2);
          else {
            expect(outcome, mode).toMatch(/INTERRUPT/i);
            expect(await count(engine), mode).toBe(0);
          }
          // The next load is whole.
          expect((await engine.load([small])).eventsLoaded, mode).toBe(FILES * 2);
          expect(await count(engine), mode).toBe(FILES * 2);
        } finally {
          engine.close();
        }
      }
    }, 180_000);
  }
});
