// Everything named relatively, from a working folder of its own: --data (a folder and a glob),
// --state, --cache, --macros, --content, a lookup read and one written (outputlookup, then
// inputlookup), `load --out`, and the REPL's script with :load, :save and :export. The tree has
// enough folders that a warm run's search (its lookups, its cache segments) runs while the walk
// checks the files, and a walk stats each folder's files from inside it (folder-stat.ts): any name
// read relatively meanwhile would be read from inside a log folder, a wrong answer nothing says.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '..', 'bin', 'spelunk.js');
let dir: string;
const DAYS = 30;
const HOURS = 24;
const REGIONS = ['eu-west-1', 'us-east-1'];

function spelunk(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', input: input ?? '' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'relative-run-'));
  let n = 0;
  // 1,440 files in 60 day folders: two events each, CreateUser by alice (two hours in three) or bob.
  for (const region of REGIONS) {
    for (let d = 1; d <= DAYS; d++) {
      const day = String(d).padStart(2, '0');
      const folder = path.join(dir, 'logs', 'AWSLogs', '111122223333', 'CloudTrail', region, '2026', '11', day);
      mkdirSync(folder, { recursive: true });
      for (let h = 0; h < HOURS; h++) {
        const hour = String(h).padStart(2, '0');
        const records = ['ListUsers', 'CreateUser'].map((eventName, i) => ({
          eventVersion: '1.08', eventTime: `2026-11-${day}T${hour}:00:0${i}Z`, eventSource: 'iam.amazonaws.com', eventName,
          eventID: `e${n++}`, awsRegion: region, userIdentity: { type: 'IAMUser', userName: h % 3 ? 'alice' : 'bob' },
        }));
        writeFileSync(path.join(folder, `111122223333_CloudTrail_${region}_2026110${hour}Z_${n}.json`), JSON.stringify({ Records: records }));
      }
    }
  }
  mkdirSync(path.join(dir, 'more', 'x'), { recursive: true });
  mkdirSync(path.join(dir, 'exports'));
  writeFileSync(path.join(dir, 'more', 'x', 'late.json'), JSON.stringify({ Records: [{ eventVersion: '1.08', eventTime: '2026-11-30T23:59:59Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', eventID: 'late', awsRegion: 'us-east-1', userIdentity: { type: 'IAMUser', userName: 'carol' } }] }));
  mkdirSync(path.join(dir, 'state', 'lookups'), { recursive: true });
  writeFileSync(path.join(dir, 'state', 'lookups', 'teams.csv'), 'userName,team\nalice,red\nbob,blue\ncarol,green\n');
  writeFileSync(path.join(dir, 'my.conf'), '[creators]\ndefinition = eventName=CreateUser\n');
  // A Splunk app folder: a lookup defined in transforms.conf, its file in lookups/.
  mkdirSync(path.join(dir, 'app', 'default'), { recursive: true });
  mkdirSync(path.join(dir, 'app', 'lookups'), { recursive: true });
  writeFileSync(path.join(dir, 'app', 'default', 'savedsearches.conf'), '');
  writeFileSync(path.join(dir, 'app', 'default', 'transforms.conf'), '[floors]\nfilename = floors.csv\n');
  writeFileSync(path.join(dir, 'app', 'lookups', 'floors.csv'), 'team,floor\nred,3\nblue,7\ngreen,9\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALL = ['--data', 'logs', 'more/*/*.json', '--state', 'state', '--cache', 'cache', '--macros', 'my.conf', '--content', 'app', '--format', 'csv', '--now', '2026-12-01T00:00:00Z'];
const BY_TEAM = '`creators` | lookup teams userName OUTPUT team | lookup floors team OUTPUT floor | stats count by team floor';
// Per region and day: 16 hours alice (red, floor 3), 8 bob (blue, floor 7); carol once.
const TEAMS = `team,floor,count\nblue,7,${8 * DAYS * 2}\ngreen,9,1\nred,3,${16 * DAYS * 2}\n`;

describe('a run from its own working folder, everything named relatively', () => {
  it('answers the same cold and warm, reading the lookups named (state and content)', () => {
    const cold = spelunk(['run', BY_TEAM, ...ALL]);
    expect(cold.stderr).toContain('loaded 2881 events from 1441 files');
    expect(cold.stdout, cold.stderr).toBe(TEAMS);
    expect(cold.status).toBe(0);
    for (let i = 0; i < 2; i++) {
      const warm = spelunk(['run', BY_TEAM, ...ALL]);
      expect(warm.stdout, warm.stderr).toBe(TEAMS);
      expect(warm.status).toBe(0);
    }
    expect(existsSync(path.join(dir, 'cache'))).toBe(true);
  });

  it('writes outputlookup into the state folder named, and inputlookup reads it back on a warm run', () => {
    const wrote = spelunk(['run', 'search eventName=CreateUser | stats count by userName | outputlookup made.csv', ...ALL]);
    expect(wrote.status, wrote.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'state', 'lookups', 'made.csv'), 'utf8')).toBe(`userName,count\nalice,${16 * DAYS * 2}\nbob,${8 * DAYS * 2}\ncarol,1\n`);
    const read = spelunk(['run', '| inputlookup made.csv | lookup teams userName OUTPUT team | table team count', ...ALL]);
    expect(read.stdout, read.stderr).toBe(`team,count\nred,${16 * DAYS * 2}\nblue,${8 * DAYS * 2}\ngreen,1\n`);
  });

  it('load --out writes the file named, which reads back whole', () => {
    const out = spelunk(['load', 'logs', 'more/*/*.json', '--out', 'out/all.parquet', '--cache', 'cache']);
    expect(out.status, out.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'out', 'all.parquet'))).toBe(true);
    const back = spelunk(['run', 'search eventName=CreateUser | stats count dc(eventID) as ids', '--data', 'out/all.parquet', '--no-cache', '--format', 'csv']);
    expect(back.stdout, back.stderr).toBe(`count,ids\n${24 * DAYS * 2 + 1},${24 * DAYS * 2 + 1}\n`);
  });

  it("the REPL's script: :load, :save and :export name files relatively too", () => {
    const script = [':load more/x/late.json', 'search userName=carol | stats count by eventID', ':export csv exports/carol.csv', ':save carols Carol', ''].join('\n');
    const r = spelunk(['--data', 'logs', '--state', 'state', '--cache', 'cache', '--format', 'csv', '--quiet'], script);
    expect(r.stdout, r.stderr).toContain('loaded 1 events from 1 file');
    expect(r.stdout).toContain('\neventID,count\nlate,1\nwrote 1 rows to exports/carol.csv\n');
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'exports', 'carol.csv'), 'utf8')).toBe('eventID,count\nlate,1\n');
    expect(readFileSync(path.join(dir, 'state', 'queries', 'carols.spl'), 'utf8')).toContain('search userName=carol | stats count by eventID');
  });
});
