// A load adds to what is loaded: the REPL's `:load` of a folder again keeps the events of files it
// no longer reads there (deleted, or unreadable now). Before, it kept them in silence: the load
// said "loaded 2 events from 1 file" and every count after it still held the third event.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import type { LoadReport } from '../src/engine/types.js';
import { expectRows } from './helpers.js';

let dir: string;

const event = (id: string, minute: number) => ({ eventVersion: '1.08', eventTime: `2026-11-20T10:${String(minute).padStart(2, '0')}:00Z`, eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, awsRegion: 'us-east-1' });

function put(rel: string, ...ids: string[]): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ Records: ids.map((id, i) => event(id, i)) }));
  return file;
}

const notes = (report: LoadReport) => report.warnings.filter((w) => w.kind === 'note').map((w) => `${path.relative(dir, w.file)}: ${w.reason.split(dir + path.sep).join('')}`);
const BY_SOURCE = 'search * | stats count by source | eval source=replace(source, "^.*/earlier-files-[^/]+/", "") | sort source';

type Mode = 'memory' | 'cache';
async function withEngine(mode: Mode, fn: (engine: Engine) => Promise<void>): Promise<void> {
  const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, 'cache') : undefined });
  try {
    await fn(engine);
  } finally {
    engine.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'earlier-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['memory', 'cache'] as Mode[])('a folder loaded again (%s)', (mode) => {
  const logs = () => path.join(dir, 'logs');

  it('names the files it no longer finds; their events stay loaded, as the note says', async () => {
    put('logs/a.json', 'a1');
    const b = put('logs/b.json', 'b1', 'b2');
    put('other/c.json', 'c1');
    await withEngine(mode, async (engine) => {
      // The REPL's loads: the first answers first (answerFirst), a search locks the engine before the next.
      expect(notes(await engine.load([logs()], { answerFirst: true }))).toEqual([]);
      expect(notes(await engine.load([path.join(dir, 'other')], { answerFirst: true }))).toEqual([]);
      await expectRows(engine, BY_SOURCE, [{ source: 'logs/a.json', count: 1 }, { source: 'logs/b.json', count: 2 }, { source: 'other/c.json', count: 1 }]);
      unlinkSync(b);
      const report = await engine.load([logs()], { answerFirst: true });
      expect(report.eventsLoaded).toBe(1);
      expect(notes(report)).toEqual([
        'logs: 1 file loaded earlier from here was not read by this load (1 gone from disk), e.g. logs/b.json; its 2 events are still loaded and searched (a load adds to what is loaded): start spelunk again with --data to search only what is on disk now',
      ]);
      await expectRows(engine, BY_SOURCE, [{ source: 'logs/a.json', count: 1 }, { source: 'logs/b.json', count: 2 }, { source: 'other/c.json', count: 1 }]);
    });
  });

  it('names a file unreadable now, beside the warning that says why', async () => {
    put('logs/a.json', 'a1');
    const b = put('logs/b.json', 'b1');
    await withEngine(mode, async (engine) => {
      await engine.load([logs()], { answerFirst: true });
      await engine.run('search * | stats count');
      writeFileSync(b, 'garbage');
      const report = await engine.load([logs()], { answerFirst: true });
      expect(report.warnings.map((w) => `${w.kind}: ${path.relative(dir, w.file)}`)).toEqual(['skipped: logs/b.json', 'note: logs']);
      expect(notes(report)[0]).toContain('1 file loaded earlier from here was not read by this load (1 unreadable now, as warned above), e.g. logs/b.json; its 1 event is still loaded');
      await expectRows(engine, 'search * | stats count', [{ count: 2 }]);
    });
  });

  it('says nothing when every file is read again, or when the new path holds none of the earlier files', async () => {
    put('logs/a.json', 'a1');
    put('logs/b.json', 'b1');
    put('more/c.json', 'c1');
    await withEngine(mode, async (engine) => {
      await engine.load([logs()], { answerFirst: true });
      await engine.run('search * | stats count');
      expect(notes(await engine.load([logs()], { answerFirst: true }))).toEqual([]);
      rmSync(path.join(dir, 'logs'), { recursive: true });
      // The earlier files are under logs/, not more/: this load does not speak for them.
      expect(notes(await engine.load([path.join(dir, 'more')], { answerFirst: true }))).toEqual([]);
      await expectRows(engine, 'search * | stats count', [{ count: 3 }]);
    });
  });
});
