// Command-line arguments that used to be taken as something else: an impossible date read as
// another date, an empty folder name read as the working directory, a missing macros file
// ignored, `--out` replacing the evidence it was converting. Each is now a usage error (exit 2)
// naming the argument, or is honoured exactly.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/index.js';
import { parseIso, resolveTime } from '../../src/compiler/time.js';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'spelunk.js');
let dir: string;

function spelunk(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const EVENT = { eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: 'e1' };
const CLOUDTRAIL = JSON.stringify({ Records: [EVENT] });

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostile-args-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('times', () => {
  it('an impossible date is no date: month 13, day 45, February 30, 25 o\'clock, offset +24:00', () => {
    for (const text of ['2023-13-45T00:00:00Z', '2023-02-30T00:00:00Z', '2023-01-01T25:00:00Z', '2023-01-01T00:60:00Z', '2023-01-01T00:00:00+24:00', '2023-00-10']) {
      expect(parseIso(text), text).toBeNull();
      expect(resolveTime(text, 0), text).toBeNull();
    }
    expect(resolveTime('13/45/2023:00:00:00', 0)).toBeNull();
    expect(parseIso('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29) / 1000);
    // Years before 100 are not read as 19xx.
    expect(parseIso('0050-01-01T00:00:00Z')).toBe(-60589296000);
  });

  it('offsets are honoured, in every spelling', () => {
    const utc = Date.UTC(2022, 11, 31, 19, 0, 0) / 1000;
    for (const text of ['2023-01-01T00:00:00+05:00', '2023-01-01T00:00:00+0500', '2023-01-01T00:00:00+05', '2023-01-01 00:00:00 +05:00', '2022-12-31T19:00:00Z']) {
      expect(parseIso(text), text).toBe(utc);
    }
    expect(parseIso('2023-01-01T00:00:00-05:30')).toBe(Date.UTC(2023, 0, 1, 5, 30) / 1000);
  });

  it('--now, --earliest and --latest refuse an impossible date with exit 2, naming the flag', () => {
    for (const flag of ['--now', '--earliest', '--latest']) {
      const r = spelunk(['run', '| makeresults', flag, '2023-13-45T00:00:00Z']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag} must be an ISO-8601 time such as 2026-11-28T00:00:00Z, not "2023-13-45T00:00:00Z"`);
    }
  });

  it('--now with an offset sets the clock to that instant', () => {
    const r = spelunk(['run', '| makeresults | eval t=now() | table t', '--now', '2023-01-01T00:00:00+05:00', '--format', 'csv']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`t\n${Date.UTC(2022, 11, 31, 19) / 1000}\n`);
  });

  it('earliest= and latest= in a search: offsets honoured, impossible dates an error with a caret', () => {
    const sql = compile('earliest="2023-01-01T00:00:00+05:00" latest="2023-01-01T00:00:00-01:00" | stats count', { now: 0 }).sql;
    expect(sql).toContain(`"_time" >= ${Date.UTC(2022, 11, 31, 19) / 1000}`);
    expect(sql).toContain(`"_time" < ${Date.UTC(2023, 0, 1, 1) / 1000}`);
    const r = spelunk(['run', 'earliest="2023-13-45T00:00:00Z" | stats count']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot read "2023-13-45T00:00:00Z" as a time');
    expect(r.stderr).toContain('^');
  });
});

describe('paths', () => {
  it("--cache '' and --state '' are refused instead of meaning the working directory", () => {
    writeFileSync(path.join(dir, 'ct.json'), CLOUDTRAIL);
    for (const flag of ['--cache', '--state']) {
      const r = spelunk(['run', 'search * | stats count', '--data', 'ct.json', flag, '']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${flag} needs a path, not an empty string`);
    }
    expect(readdirSync(dir)).toEqual(['ct.json']);
  });

  it('--macros naming a missing file or a folder is an error, not a search without those macros', () => {
    let r = spelunk(['run', '| makeresults', '--macros', path.join(dir, 'nonexistent.conf')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--macros ${path.join(dir, 'nonexistent.conf')}: no such file or folder`);
    r = spelunk(['run', '| makeresults', '--macros', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not a file');
  });

  it('--out belongs to load only', () => {
    const r = spelunk(['run', '| makeresults', '--out', 'x.parquet']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option --out');
  });
});

describe('load --out never replaces evidence', () => {
  it('refuses a file being loaded, directly or inside a folder, and any file spelunk did not write', () => {
    const folder = path.join(dir, 'out');
    mkdirSync(folder);
    const ct = path.join(folder, 'ct.json');
    writeFileSync(ct, CLOUDTRAIL);
    writeFileSync(path.join(folder, 'notes.txt'), 'case notes\n');
    const cases: [string[], string][] = [
      [['load', 'out/ct.json', '--out', 'out/ct.json'], '--out out/ct.json is one of the files being loaded'],
      [['load', 'out', '--out', 'out/ct.json'], '--out out/ct.json is one of the files being loaded'],
      [['load', 'out/ct.json', '--out', 'out/notes.txt'], '--out out/notes.txt already exists and is not a spelunk export'],
      [['load', 'out/ct.json', '--out', 'out'], '--out out is a folder'],
      // It said "cannot be read (ENOTDIR)" of a file to write.
      [['load', 'out/ct.json', '--out', 'out/notes.txt/x.parquet'], '--out out/notes.txt/x.parquet: a file is in the way of its folder'],
      [['load', 'out/ct.json', '--out', ''], '--out needs a path'],
    ];
    for (const [args, message] of cases) {
      const r = spelunk([...args, '--no-cache']);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(readFileSync(ct, 'utf8')).toBe(CLOUDTRAIL);
    expect(readFileSync(path.join(folder, 'notes.txt'), 'utf8')).toBe('case notes\n');
  });

  it('writes a new file, replaces its own export, and with --force replaces anything', () => {
    const out = path.join(dir, 'export.parquet');
    writeFileSync(path.join(dir, 'in.json'), CLOUDTRAIL);
    expect(spelunk(['load', 'in.json', '--out', 'export.parquet', '--no-cache']).status).toBe(0);
    expect(spelunk(['load', 'in.json', '--out', 'export.parquet', '--no-cache']).status).toBe(0);
    const r = spelunk(['run', 'search * | stats count', '--data', 'export.parquet', '--no-cache', '--format', 'csv']);
    expect(r.stdout).toBe('count\n1\n');
    writeFileSync(path.join(dir, 'other.txt'), 'x');
    expect(spelunk(['load', 'in.json', '--out', 'other.txt', '--no-cache', '--force']).status).toBe(0);
    expect(readFileSync(path.join(dir, 'other.txt')).subarray(0, 4).toString()).toBe('PAR1');
    expect(existsSync(out)).toBe(true);
  });

  // A mount namespace of the test's own gives it a small disk (as in cache-integrity.test.ts).
  const canUnshare = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=1m tmpfs ${tmpdir()}`]).status === 0;
  it.skipIf(!canUnshare)('an export that fails (a full disk) leaves the file it would replace as it was, and no temp file', () => {
    const small = path.join(dir, 'small.json');
    writeFileSync(small, CLOUDTRAIL);
    // 3,000 events of 2,000 random hex characters: far more Parquet than the 1 MB disk holds.
    const big = path.join(dir, 'big.json');
    const records = Array.from({ length: 3000 }, (_, i) => ({ ...EVENT, eventID: `b${i}`, userAgent: randomBytes(1000).toString('hex') }));
    writeFileSync(big, JSON.stringify({ Records: records }));
    const disk = path.join(dir, 'disk');
    mkdirSync(disk);
    const script = `mount -t tmpfs -o size=1m tmpfs ${disk}
      node ${BIN} load ${small} --out ${disk}/case.parquet --no-cache --quiet
      node ${BIN} load ${big} --out ${disk}/case.parquet --no-cache --quiet && exit 9
      node ${BIN} run "search * | stats count" --data ${disk}/case.parquet --no-cache --format csv --quiet
      ls -A ${disk}`;
    const r = spawnSync('unshare', ['-rm', 'sh', '-ec', script], { encoding: 'utf8', cwd: dir });
    expect(r.stderr).toContain(`spelunk: cannot write ${disk}/case.parquet: no space left on device; nothing was replaced`);
    expect(r.stdout).toBe('count\n1\ncase.parquet\n');
    expect(r.status, r.stderr).toBe(0);
  });
});

