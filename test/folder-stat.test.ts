// The walk's stat of a folder's entries from inside the folder (folder-stat.ts): the same answers
// as a stat of each whole path, the working folder put back whatever happens, and one folder's
// files told apart as the walk did before (expandPaths' way for files that share an inode).
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statNames } from '../src/engine/folder-stat.js';
import { expandPaths } from '../src/engine/load-paths.js';
import { Engine } from '../src/engine/engine.js';

let dir: string;
const home = process.cwd();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'folder-stat-'));
  mkdirSync(path.join(dir, 'logs/sub'), { recursive: true });
  for (const name of ['a.json', 'b.json', 'c.json']) writeFileSync(path.join(dir, 'logs', name), `{"Records":[]} ${name}`);
  writeFileSync(path.join(dir, 'logs/sub/d.json'), '{"Records":[]}');
  symlinkSync('nowhere.json', path.join(dir, 'logs/dangling.json'));
});
afterAll(() => {
  process.chdir(home);
  rmSync(dir, { recursive: true, force: true });
});

const fingerprint = (s: ReturnType<typeof statSync> | Error) => (s instanceof Error ? (s as NodeJS.ErrnoException).code : [s!.ino, s!.size, s!.mtimeMs, s!.ctimeMs, s!.isDirectory()]);
/** What a stat of a whole path says. */
function wholeStat(file: string) {
  try {
    return fingerprint(statSync(file));
  } catch (err) {
    return fingerprint(err as Error);
  }
}

describe('statNames', () => {
  it('says what a stat of each whole path says, and leaves the working folder as it was', () => {
    const folder = path.join(dir, 'logs');
    const names = readdirSync(folder, { withFileTypes: true });
    unlinkSync(path.join(folder, 'c.json')); // gone between the listing and the stat
    const full = (name: string) => path.join(folder, name);
    const got = statNames(folder, names, full).map(fingerprint);
    expect(got).toEqual(names.map((n) => wholeStat(full(n.name))));
    expect(got).toContain('ENOENT');
    expect(process.cwd()).toBe(home);
    writeFileSync(path.join(folder, 'c.json'), '{"Records":[]} c.json');
  });

  it('a relative folder is found from the working folder', () => {
    process.chdir(dir);
    try {
      const names = readdirSync('logs', { withFileTypes: true });
      const got = statNames('logs', names, (name) => path.join('logs', name)).map(fingerprint);
      expect(got).toEqual(names.map((n) => wholeStat(path.join(dir, 'logs', n.name))));
      expect(process.cwd()).toBe(dir);
    } finally {
      process.chdir(home);
    }
  });

  it('a folder it cannot enter is stat-ed by whole paths', () => {
    const names = readdirSync(path.join(dir, 'logs'), { withFileTypes: true });
    const gone = path.join(dir, 'no-such-folder');
    const asked: string[] = [];
    const got = statNames(gone, names, (name) => (asked.push(name), path.join(gone, name)));
    expect(got.map(fingerprint).every((x) => x === 'ENOENT')).toBe(true);
    expect(asked).toEqual(names.map((n) => n.name));
    expect(process.cwd()).toBe(home);
  });
});

describe('expandPaths over one folder', () => {
  it('lists each real file once, a second name of one in the folder noted, and the working folder unchanged', async () => {
    const folder = path.join(dir, 'hard');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'x.json'), '{"Records":[]}');
    linkSync(path.join(folder, 'x.json'), path.join(folder, 'y.json'));
    writeFileSync(path.join(folder, 'z.json'), '{"Records":[]}');
    const found = await expandPaths([folder]);
    expect(found.files).toEqual([path.join(folder, 'x.json'), path.join(folder, 'z.json')]);
    expect(found.warnings).toEqual([{ file: path.join(folder, 'y.json'), reason: `the same file as ${path.join(folder, 'x.json')}: read once`, kind: 'note' }]);
    expect(process.cwd()).toBe(home);
  });

  it('the files of a folder of distinct files, in path order with their fingerprints', async () => {
    const found = await expandPaths([path.join(dir, 'logs')]);
    const files = ['a.json', 'b.json', 'c.json', 'sub/d.json'].map((n) => path.join(dir, 'logs', n));
    expect(found.files).toEqual(files);
    files.forEach((file, i) => {
      const s = statSync(file);
      expect(found.states.state(i)).toEqual({ size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino });
      expect(found.states.normal(i)).toBe(true);
    });
    expect(found.warnings.map((w) => w.reason)).toEqual(['symbolic link to a missing file']);
  });

  it('leaves nothing the engine reads named relative to the working folder, which a walk changes for a moment', async () => {
    // A warm `run` answers while the walk checks the files: a lookup named from a relative --state
    // (or a content folder given relatively) would be read from inside a log folder.
    process.chdir(dir);
    try {
      writeFileSync('shipped.csv', 'user,team\nalice,red\n');
      const engine = await Engine.open({ stateDir: 'state', contentLookups: new Map([['teams', { path: 'shipped.csv' }]]) });
      try {
        expect(engine.lookups.folder).toBe(path.join(dir, 'state', 'lookups'));
        expect(engine.lookups.path('teams')).toBe(path.join(dir, 'shipped.csv'));
      } finally {
        engine.close();
      }
    } finally {
      process.chdir(home);
    }
  });
});
