// Lookups never lose rows silently (issue 18, items 11 and 12, and the lookup errors): a
// malformed CSV is an error naming the lookup, its file and the line, and is never rewritten;
// outputlookup append=t from several processes at once keeps every process's rows; odd but
// valid lookups (1,000 columns, a 50 MB cell) load whole.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, EngineError } from '../../src/engine/engine.js';
import { CsvError, parseCsv } from '../../src/engine/lookup-csv.js';
import { lock, LockBusyError } from '../../src/engine/lookup-lock.js';
import { expectRows, SAMPLE_NOW } from '../helpers.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
let state: string;
let folder: string;
let engine: Engine;

beforeAll(async () => {
  state = mkdtempSync(path.join(tmpdir(), 'spelunk-lookup-integrity-'));
  folder = path.join(state, 'lookups');
  mkdirSync(folder);
  engine = await Engine.open({ stateDir: state });
});
afterAll(() => {
  engine?.close();
  rmSync(state, { recursive: true, force: true });
});

function put(name: string, text: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return file;
}

async function failure(spl: string): Promise<string> {
  try {
    await engine.run(spl, { now: SAMPLE_NOW });
  } catch (err) {
    if (err instanceof EngineError) return err.message;
    throw err;
  }
  throw new Error(`no error from ${spl}`);
}

describe('a malformed lookup is an error naming the lookup, its file and the line', () => {
  it('a stray opening quote: no rows dropped in silence, for inputlookup and lookup', async () => {
    const file = put('stray.csv', 'user,team\nana,ops\nbob,"infra\ncarol,ci\ndave,build\n');
    const message = (name: string) => `cannot load lookup: lookup "${name}" (${file}), line 3: a quoted cell opened on this line is never closed (a stray " ?)`;
    expect(await failure('| inputlookup stray.csv')).toBe(message('stray.csv'));
    expect(await failure('| makeresults | eval user="ana" | lookup stray user OUTPUT team')).toBe(message('stray'));
  });

  it('a stray quote that a later quote closes: the text after it is an error, not merged rows', async () => {
    const file = put('closed.csv', 'user,team\nana,ops\nbob,"infra\ncarol,ci\ndave,"build\nerin,sec\n');
    expect(await failure('| inputlookup closed.csv')).toBe(
      `cannot load lookup: lookup "closed.csv" (${file}), line 5: text after the closing quote of a quoted cell (the quote opened on line 3; a stray " ?)`,
    );
  });

  it('outputlookup append=t never rewrites a lookup that does not parse', async () => {
    const text = 'user,team\nana,ops\nbob,"infra\ncarol,ci\ndave,build\n';
    const file = put('keep.csv', text);
    expect(await failure('| makeresults | eval user="erin", team="sec" | table user team | outputlookup append=t keep.csv')).toBe(
      `cannot write lookup "keep.csv": lookup "keep.csv" (${file}), line 3: a quoted cell opened on this line is never closed (a stray " ?)`,
    );
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(readdirSync(folder).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a record with more fields than the header', async () => {
    const file = put('extra.csv', 'a,b\n1,2\n3,4,5\n');
    expect(await failure('| inputlookup extra.csv')).toBe(`cannot load lookup: lookup "extra.csv" (${file}), line 3: 3 fields, but the header names 2 columns`);
  });

  it('header names that differ only in case', async () => {
    put('twins.csv', 'IP,ip\n1,2\n');
    expect(await failure('| inputlookup twins.csv')).toBe(
      'cannot load lookup: lookup "twins.csv": columns "IP" and "ip" differ only in case, which spelunk cannot keep apart in a lookup yet; rename one',
    );
  });

  it('valid quoting still reads as written: quoted commas, doubled quotes, line breaks (multivalue), CRLF, short rows', async () => {
    put('valid.csv', '\uFEFFuser,note,team\r\n"a,b","say ""hi""",x\r\n"multi\r\nline",,y\r\nshort\r\n\r\n');
    await expectRows(engine, '| inputlookup valid.csv', [
      { user: ['a,b'], note: 'say "hi"', team: 'x' },
      { user: ['multi', 'line'], note: null, team: 'y' },
      { user: ['short'], note: null, team: null },
    ]);
  });
});

describe('the CSV reader', () => {
  it('counts lines across quoted line breaks and both line endings', () => {
    expect(() => parseCsv('a\r\n"x\ny"\r\nb,"c')).toThrow(new CsvError(4, 'a quoted cell opened on this line is never closed (a stray " ?)'));
    expect(parseCsv('a,b\n\n"",\n').records).toEqual([['a', 'b'], ['', '']]);
  });

  it('reads records split anywhere across chunks the same as whole', async () => {
    const { CsvReader } = await import('../../src/engine/lookup-csv.js');
    const text = '\uFEFFa,b\r\n"x,""1""\r\n2",y\r\nz,\r\n';
    const whole = parseCsv(text).records;
    for (let cut = 0; cut <= text.length; cut++) {
      const records: string[][] = [];
      const reader = new CsvReader((cells) => records.push(cells));
      reader.feed(text.slice(0, cut));
      reader.feed(text.slice(cut));
      reader.end();
      expect(records, `cut at ${cut}`).toEqual(whole);
    }
  });
});

describe('odd but valid lookups load whole', () => {
  it('1,000 columns', async () => {
    const columns = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const rows = Array.from({ length: 20 }, (_, r) => columns.map((_c, i) => `v${r}_${i}`).join(','));
    put('wide.csv', [columns.join(','), ...rows].join('\n') + '\n');
    await expectRows(engine, '| inputlookup wide.csv | stats count, values(c999) AS last', [{ count: 20, last: Array.from({ length: 20 }, (_, r) => `v${r}_999`).sort() }]);
    await expectRows(engine, '| makeresults | eval c0="v7_0" | lookup wide.csv c0 OUTPUT c500 | table c500', [{ c500: 'v7_500' }]);
  });

  it('a 50 MB cell', async () => {
    put('big-cell.csv', `key,blob\nk,${'x'.repeat(50 * 1024 * 1024)}\nj,small\n`);
    await expectRows(engine, '| inputlookup big-cell.csv | eval n=len(blob) | table key n', [{ key: 'k', n: 50 * 1024 * 1024 }, { key: 'j', n: 5 }]);
  });
});

describe('writers of one lookup take turns', () => {
  function spelunk(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'spelunk.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  }

  it('four processes appending at once keep every row', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-appenders-'));
    try {
      const first = await spelunk(['run', '| makeresults | eval writer=0, n=1 | table writer n | outputlookup shared.csv', '--state', dir, '--quiet']);
      expect(first.code, first.stderr).toBe(0);
      const rows = 5000;
      const results = await Promise.all([1, 2, 3, 4].map((w) =>
        spelunk(['run', `| makeresults count=${rows} | streamstats count as n | eval writer=${w} | table writer n | outputlookup append=t shared.csv`, '--state', dir, '--quiet'])));
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const [header, ...written] = parseCsv(readFileSync(path.join(dir, 'lookups', 'shared.csv'), 'utf8')).records;
      expect(header).toEqual(['writer', 'n']);
      const per = new Map<string, number>();
      for (const [w] of written) per.set(w!, (per.get(w!) ?? 0) + 1);
      expect(Object.fromEntries(per)).toEqual({ 0: 1, 1: rows, 2: rows, 3: rows, 4: rows });
      expect(readdirSync(path.join(dir, 'lookups'))).toEqual(['shared.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('a lock left by a dead process is taken over; one held by a live process is waited for, then named', async () => {
    const file = path.join(folder, '.held.csv.lock');
    // A pid no process has: far above the kernel's pid_max.
    writeFileSync(file, '2147483646\n');
    const release = await lock(file, 'lookup "held"', 1000);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    await expect(lock(file, 'lookup "held"', 50)).rejects.toThrow(new LockBusyError(
      `lookup "held" is being written by process ${process.pid} (lock file ${file}); try again when it is done, or remove the lock file if no spelunk is running`,
    ));
    release();
    release();
    const again = await lock(file, 'lookup "held"', 50);
    again();
    expect(readdirSync(folder).filter((f) => f.includes('held'))).toEqual([]);
  });
});
