// What a load counts when files are reached by several names (symbolic links, hard links, loops,
// a folder given twice), when spelunk's own cache or exports sit inside the evidence, when file
// names hold glob characters, and when files or folders cannot be read. Every real file counts
// once, and only evidence counts.
import { spawnSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { LoadReport } from '../../src/engine/types.js';
import { expectRows, putFile } from '../helpers.js';

let dir: string;

function event(id: string): Record<string, unknown> {
  return { eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, awsRegion: 'us-east-1' };
}
const records = (...ids: string[]): string => JSON.stringify({ Records: ids.map((id) => event(id)) });

const put = (rel: string, data: string | Buffer): string => putFile(dir, rel, data);

/** The load's warnings as "kind: reason" per file, paths relative to the test folder. */
function reasons(report: LoadReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of report.warnings) {
    const key = path.relative(dir, path.resolve(w.file));
    const text = `${w.kind}: ${w.reason.split(dir + path.sep).join('')}`;
    out[key] = out[key] ? `${out[key]} | ${text}` : text;
  }
  return out;
}

type Mode = 'memory' | 'cache';
const MODES: Mode[] = ['memory', 'cache'];

async function withEngine<T>(mode: Mode, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, `cache-${Math.random().toString(36).slice(2)}`) : undefined });
  try {
    return await fn(engine);
  } finally {
    engine.close();
  }
}

/** Count by eventID and the file each event was read from (relative to the test folder). */
const BY_ID = 'search * | stats count by eventID source | eval source=replace(source, "^.*/hostile-paths-[^/]+/", "") | sort eventID source';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostile-paths-'));
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(path.resolve(import.meta.dirname, '..', '..'));
  rmSync(dir, { recursive: true, force: true });
});

describe('one file, several names', () => {
  beforeAll(() => {
    put('links/real/a.json', records('a1', 'a2'));
    put('links/real/deeper/b.json', records('b1'));
    symlinkSync('..', path.join(dir, 'links/real/up')); // a loop
    mkdirSync(path.join(dir, 'links/sib'));
    symlinkSync('../real', path.join(dir, 'links/sib/link')); // a second name of a sibling folder
    symlinkSync('real/a.json', path.join(dir, 'links/soft.json'));
    linkSync(path.join(dir, 'links/real/deeper/b.json'), path.join(dir, 'links/hard.json'));
    symlinkSync('links', path.join(dir, 'links-again'));
    mkdirSync(path.join(dir, 'outside'));
    put('outside/o.json', records('o1'));
    symlinkSync('../outside', path.join(dir, 'links/ext'));
  });

  for (const mode of MODES) {
    it(`walks each real file once and reports the loop (${mode})`, async () => {
      await withEngine(mode, async (engine) => {
        const report = await engine.load(['links', 'links-again', 'links/real/a.json']);
        expect(report).toMatchObject({ filesRead: 3, filesSkipped: 0, eventsLoaded: 4 });
        expect(reasons(report)).toEqual({
          'links/real/up': 'note: symbolic link loop: leads back to links, a folder above it; not followed',
          'links/sib/link': 'note: another name of a folder already read (links/real); not read twice',
          'links/soft.json': 'note: the same file as links/real/a.json: read once',
          'links/real/deeper/b.json': 'note: the same file as links/hard.json: read once',
          'links-again': 'note: the same folder as links: read once',
        });
        // Files keep the name they have in the folder, not the name of a link to them.
        await expectRows(engine, BY_ID, [
          { eventID: 'a1', source: 'links/real/a.json', count: 1 },
          { eventID: 'a2', source: 'links/real/a.json', count: 1 },
          { eventID: 'b1', source: 'links/hard.json', count: 1 },
          { eventID: 'o1', source: 'links/ext/o.json', count: 1 },
        ]);
      });
    });
  }

  it('a hard-linked copy of a whole folder counts once, with one note', async () => {
    for (let i = 0; i < 5; i++) {
      put(`copies/orig/f${i}.json`, records(`h${i}`));
      mkdirSync(path.join(dir, 'copies/backup'), { recursive: true });
      linkSync(path.join(dir, `copies/orig/f${i}.json`), path.join(dir, `copies/backup/f${i}.json`));
    }
    await withEngine('memory', async (engine) => {
      const report = await engine.load(['copies/orig', 'copies/backup']);
      expect(report).toMatchObject({ filesRead: 5, eventsLoaded: 5 });
      expect(reasons(report)).toEqual({
        'copies/backup': 'note: 5 files here are files already read under other names (e.g. copies/backup/f0.json is copies/orig/f0.json): each read once',
      });
    });
  });

  it('the same arguments give the same names every time', async () => {
    const names = await withEngine('memory', async (engine) => {
      const runs: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        await engine.load(['links']);
        runs.push((await engine.run('search * | stats values(source) as s')).rows);
      }
      return runs;
    });
    expect(names[1]).toEqual(names[0]);
    expect(names[2]).toEqual(names[0]);
  });
});

describe("spelunk's own files inside the evidence", () => {
  for (const mode of MODES) {
    it(`a cache folder and an export in the data folder are not evidence; named, an export loads (${mode})`, async () => {
      const data = path.join(dir, `own-${mode}`);
      put(`own-${mode}/logs/a.json`, records('c1', 'c2'));
      const cache = path.join(data, 'cache');
      for (let run = 0; run < 3; run++) {
        const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? cache : undefined });
        try {
          const report = await engine.load([data]);
          // Counts never grow from one run to the next.
          expect(report.eventsLoaded, `run ${run}`).toBe(2);
          if (run === 0) await engine.exportEvents(path.join(data, 'export.parquet'));
          if (run === 2) {
            expect(reasons(report)).toMatchObject({
              [`own-${mode}/export.parquet`]: 'note: a spelunk export (events already read from their own files), found in a folder: not read; name the file itself to load it',
            });
          }
        } finally {
          engine.close();
        }
      }
      await withEngine(mode, async (engine) => {
        // A cache made by an older spelunk (no CACHEDIR.TAG) is recognised by its layout.
        mkdirSync(path.join(data, 'copy'));
        if (mode === 'cache') {
          const layout = readdirSync(cache).filter((n) => n.startsWith('v'));
          expect(layout).toHaveLength(1);
          spawnSync('cp', ['-r', path.join(cache, layout[0]!), path.join(data, 'copy')]);
        }
        const report = await engine.load([data]);
        expect(report.eventsLoaded).toBe(2);
        const named = await engine.load([path.join(data, 'export.parquet')]);
        expect(named.eventsLoaded).toBe(2);
      });
    });
  }
});

describe('file names holding glob characters', () => {
  beforeAll(() => {
    put('globs/a[1].json', records('bracket'));
    put('globs/a1.json', records('plain'));
    put('globs/b*.json', records('star'));
    put('globs/b?.json', records('question'));
    put('globs/bx.json', records('bx'));
    put('globs/[ab].jsonl', JSON.stringify(event('class')) + '\n');
    put('globs/a.jsonl', JSON.stringify(event('a-lines')) + '\n');
  });

  for (const mode of MODES) {
    it(`each file is read as itself, once (${mode})`, async () => {
      await withEngine(mode, async (engine) => {
        const report = await engine.load(['globs', 'globs/a[1].json', 'globs//b*.json']);
        expect(report).toMatchObject({ filesRead: 7, eventsLoaded: 7, warnings: [] });
        await expectRows(engine, BY_ID, [
          { eventID: 'a-lines', source: 'globs/a.jsonl', count: 1 },
          { eventID: 'bracket', source: 'globs/a[1].json', count: 1 },
          { eventID: 'bx', source: 'globs/bx.json', count: 1 },
          { eventID: 'class', source: 'globs/[ab].jsonl', count: 1 },
          { eventID: 'plain', source: 'globs/a1.json', count: 1 },
          { eventID: 'question', source: 'globs/b?.json', count: 1 },
          { eventID: 'star', source: 'globs/b*.json', count: 1 },
        ]);
      });
    });
  }

  it('a cache folder and a state folder whose names hold glob characters work', async () => {
    const engine = await Engine.open({ stateDir: path.join(dir, 'state[1]'), cacheDir: path.join(dir, 'cache[*]') });
    try {
      await engine.load(['globs/a[1].json']);
      await expectRows(engine, 'search * | stats count by eventID | outputlookup "ids[1].csv"', [{ eventID: 'bracket', count: 1 }]);
      // What the name would match as a pattern: the lookup must not be read from these.
      put('state[1]/lookups/ids1.csv', 'eventID,count\nwrong,9\n');
      put('state1/lookups/ids[1].csv', 'eventID,count\nwrong,8\n');
      await expectRows(engine, '| inputlookup "ids[1].csv"', [{ eventID: 'bracket', count: '1' }]);
    } finally {
      engine.close();
    }
  });
});

// As root, chmod does not stop a read: the CLI then runs without the capability that lets root
// ignore permissions.
const asUser = process.getuid?.() === 0 ? ['capsh', '--drop=cap_dac_override,cap_dac_read_search', '--'] : [];
const hasCapsh = asUser.length === 0 || spawnSync(asUser[0]!, [...asUser.slice(1), '-c', 'true']).status === 0;

describe.skipIf(!hasCapsh)('files and folders that cannot be read', () => {
  it('each is named, the rest loads', () => {
    put('perm/ok/a.json', records('ok1'));
    put('perm/ok/locked.json', records('no1'));
    put('perm/closed/b.json', records('no2'));
    chmodSync(path.join(dir, 'perm/ok/locked.json'), 0);
    chmodSync(path.join(dir, 'perm/closed'), 0);
    try {
      const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'spelunk.js');
      const args = [bin, 'run', 'search * | stats count by eventID', '--data', 'perm', '--format', 'csv'];
      for (const cache of [['--no-cache'], ['--cache', path.join(dir, 'perm-cache')]]) {
        const command = asUser.length ? [...asUser, '-c', [process.execPath, ...args, ...cache].map((a) => `'${a}'`).join(' ')] : [process.execPath, ...args, ...cache];
        const r = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', cwd: dir });
        expect(r.stdout, r.stderr).toBe('eventID,count\nok1,1\n');
        // Evidence that could not be read is an error: the answer is incomplete, and run exits 1.
        expect(r.stderr).toContain('error: perm/closed: folder not read: permission denied');
        expect(r.stderr).toMatch(/error: (.*\/)?perm\/ok\/locked\.json: permission denied/);
        expect(r.status).toBe(1);
      }
    } finally {
      chmodSync(path.join(dir, 'perm/closed'), 0o755);
    }
  });
});
