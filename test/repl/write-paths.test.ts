// Files the analyst names for spelunk to write: a missing folder is made, as load --out and
// outputlookup's lookups folder make theirs (spelunk's own writes were already so: the
// REPL's :export alone failed on it, with a bare "ENOENT: no such file or directory, open ...");
// any path that cannot be written is said in words with the path.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_NOW, sampleEngine } from '../helpers.js';

let engine: Engine;
const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-writes-'));
const aFile = path.join(dir, 'a-file');
beforeAll(async () => {
  engine = await sampleEngine();
  writeFileSync(aFile, 'not a folder\n');
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const said = async (session: Session, line: string) => (await session.execute(line)).flatMap((o) => ('lines' in o ? o.lines.map((l) => l.text) : []));

describe(':export', () => {
  it('makes a missing folder, says so, and writes the rows', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.execute('eventName=ConsoleLogin | stats count by eventName');
    const file = path.join(dir, 'case-1234', 'logins', 'counts.csv');
    expect(await said(session, `:export csv ${file}`)).toEqual([`wrote 1 rows to ${file} (made the folder ${path.join(dir, 'case-1234')})`]);
    expect(readFileSync(file, 'utf8')).toBe('eventName,count\nConsoleLogin,7\n');
    // Into a folder that is there: nothing made, nothing said of it.
    expect(await said(session, `:export json ${path.join(dir, 'case-1234', 'again.json')}`)).toEqual([`wrote 1 rows to ${path.join(dir, 'case-1234', 'again.json')}`]);
  });

  it('names the path and the reason when it cannot write it', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.execute('eventName=ConsoleLogin | stats count');
    expect(await said(session, `:export csv ${dir}`)).toEqual([`error: cannot write ${dir}: it is a folder: name a file in it`]);
    expect(await said(session, `:export csv ${path.join(aFile, 'out.csv')}`)).toEqual([`error: cannot write ${path.join(aFile, 'out.csv')}: a file is in the way of its folder`]);
    expect(await said(session, `:export csv ${path.join(aFile, 'deeper', 'out.csv')}`)).toEqual([`error: cannot write ${path.join(aFile, 'deeper', 'out.csv')}: a file is in the way of its folder`]);
    expect(readFileSync(aFile, 'utf8')).toBe('not a folder\n');
  });
});

describe(':save', () => {
  it('names the file and the reason when its folder cannot be made', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW, savedQueriesDir: path.join(aFile, 'queries') });
    await session.execute('eventName=ConsoleLogin');
    expect(await said(session, ':save logins Logins')).toEqual([`cannot save ${path.join(aFile, 'queries', 'logins.spl')}: a file is in the way of its folder`]);
    expect(existsSync(path.join(aFile, 'queries'))).toBe(false);
  });
});
