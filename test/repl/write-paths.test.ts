// Files the analyst names for spelunk to write: a missing folder is made, as load --out and
// outputlookup's lookups folder make theirs (spelunk's own writes were already so: the
// REPL's :export alone failed on it, with a bare "ENOENT: no such file or directory, open ...");
// any path that cannot be written is said in words with the path.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_NOW, sampleEngine, s3Call, writeRecords } from '../helpers.js';

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

// :export replaced any file it named: a loaded CloudTrail file (the evidence itself), or, written
// inside a loaded folder, a file the next load of that folder read as events beside the events
// the rows came from. As load --out refuses to replace a file being loaded, :export refuses to
// replace one, or a log file in a loaded folder, unless --force says so. A new file in a loaded
// folder is written, and said: JSON is listed in .spelunk-exports and left out by the folder's
// next load, CSV is never read as events. Both were refused, with "the next load of that folder
// would read the rows written as events", which was true of neither (and, of a loaded file, hid
// that it was the evidence itself).
describe(':export next to the evidence', () => {
  it('refuses to write over a loaded file, by its name or another, unless --force; into a loaded folder it writes and says what its next load does', async () => {
    const trail = path.join(dir, 'trail');
    mkdirSync(trail);
    const log = path.join(trail, 'events.json');
    writeRecords(log, [s3Call('GetObject', 20)]);
    const original = readFileSync(log, 'utf8');
    const link = path.join(dir, 'link-to-events.json');
    symlinkSync(log, link);
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.load([trail]);
    await session.execute('eventName=GetObject | dedup eventName | table eventName eventSource');
    for (const target of [log, link]) {
      expect(await said(session, `:export json ${target}`)).toEqual([
        `:export ${target}: it is a log file in ${trail}, which is loaded: writing it would replace evidence read from it. Choose another file (or add --force)`,
      ]);
    }
    expect(readFileSync(log, 'utf8')).toBe(original);
    const inside = path.join(trail, 'sub', 'out.jsonl');
    expect(await said(session, `:export jsonl ${inside}`)).toEqual([
      `wrote 1 rows to ${inside} (made the folder ${path.join(trail, 'sub')})`,
      `it is inside ${trail}, which is loaded: a load of that folder leaves it out, as .spelunk-exports beside it lists it: its rows are not events`,
    ]);
    const csv = path.join(trail, 'hits.csv');
    expect(await said(session, `:export csv ${csv}`)).toEqual([`wrote 1 rows to ${csv}`, `it is inside ${trail}, which is loaded: a load of that folder does not read CSV as events`]);
    // And so it is: the folder's next load counts its one event once.
    expect(await engine.load([trail])).toMatchObject({ filesRead: 1, eventsLoaded: 1 });

    const single = new Session(engine, { now: SAMPLE_NOW });
    await single.load([log]);
    await single.execute('| makeresults | eval n=1 | table n');
    expect(await said(single, `:export csv ${link}`)).toEqual([
      `:export ${link}: it is ${log}, a file being loaded: writing it would replace that evidence. Choose another file (or add --force)`,
    ]);
    expect(readFileSync(log, 'utf8')).toBe(original);
    // Beside the loaded file (not in a loaded folder) is fine, and --force writes where it is told.
    expect(await said(single, `:export csv ${path.join(trail, 'beside.csv')}`)).toEqual([`wrote 1 rows to ${path.join(trail, 'beside.csv')}`]);
    expect(await said(single, `:export csv ${log} --force`)).toEqual([`wrote 1 rows to ${log} (replaced the file that was there, ${original.length} bytes)`]);
    expect(readFileSync(log, 'utf8')).toBe('n\n1\n');
  });
});

// :export replaced any file that was not evidence without a word. Splunk's outputcsv replaces its
// file (https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Outputcsv: append
// defaults to false), but the file an analyst names may be an earlier export of the case, evidence
// of its own: the REPL asks first, as :save does before replacing a saved search, and a replacement
// is said. A script, with nobody to ask, leaves the file alone (script.ts takes the answer no).
describe(':export over a file that is there', () => {
  it('asks before replacing it, leaves it alone on no, and says that it was replaced', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.execute('| makeresults | eval n=2 | table n');
    const earlier = path.join(dir, 'case 7', "analyst's.csv");
    mkdirSync(path.dirname(earlier), { recursive: true });
    writeFileSync(earlier, 'n\n1\n');
    const again = `:export csv '${path.join(dir, 'case 7', 'analyst')}'"'"'s.csv' --force`;
    expect(await session.execute(`:export csv "${earlier}"`)).toEqual([
      { kind: 'confirm', question: `${earlier} exists (4 bytes): replace it? (y/N)`, yes: again, no: `not written: ${earlier} exists (${again} replaces it)` },
    ]);
    expect(readFileSync(earlier, 'utf8')).toBe('n\n1\n');
    // The answer y runs the command it was given: a name with a space and a quote survives it.
    expect(await said(session, again)).toEqual([`wrote 1 rows to ${earlier} (replaced the file that was there, 4 bytes)`]);
    expect(readFileSync(earlier, 'utf8')).toBe('n\n2\n');
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
