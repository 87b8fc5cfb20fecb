// The command line around the REPL: issue 14's items 9, 10, 14 and 15.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const spelunk = (...args: string[]) => spawnSync('node', ['bin/spelunk.js', ...args], { encoding: 'utf8', timeout: 60_000 });
const NOW = '2026-11-28T00:00:00Z';

describe('spelunk on the command line', () => {
  it('9. --data naming nothing that exists is a usage error for run and hunt', () => {
    for (const args of [['run', 'eventName=CreateRole | stats count'], ['hunt']]) {
      const r = spelunk(...args, '--data', 'no/such/folder', '--no-cache');
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--data: no such file or folder: no/such/folder');
      expect(r.stdout).toBe('');
    }
    const glob = spelunk('run', '* | stats count', '--data', 'no/such/*.json.gz', '--no-cache');
    expect(glob.status).toBe(2);
    expect(glob.stderr).toContain('matches no files');
  });

  it('9. a folder with no logs is a warning, and fails hunt --fail-on-hits', () => {
    const empty = mkdtempSync(join(tmpdir(), 'spelunk-empty-'));
    const run = spelunk('run', '* | stats count', '--data', empty, '--no-cache');
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`warning: no events were loaded from ${empty}`);
    const hunt = spelunk('hunt', '--data', empty, '--no-cache', '--fail-on-hits', '--now', NOW);
    expect(hunt.status).toBe(1);
    expect(hunt.stderr).toContain('--fail-on-hits: no events were loaded');
  });

  it('10. --earliest and --latest take relative times, counted from --now', () => {
    const count = (...range: string[]) => spelunk('run', '* | stats count', '--data', 'fixtures/sample', '--no-cache', '--now', NOW, ...range, '--format', 'csv');
    const relative = count('--earliest', '-1d', '--latest', '-30m');
    expect(relative.status).toBe(0);
    expect(relative.stdout).toBe(count('--earliest', '2026-11-27T00:00:00Z', '--latest', '2026-11-27T23:30:00Z').stdout);
    expect(relative.stdout).toBe('count\n83\n');
    const bad = spelunk('run', '* | stats count', '--data', 'fixtures/sample', '--earliest', 'yesterday-ish');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--earliest must be an ISO-8601 time such as 2026-11-28T00:00:00Z, not "yesterday-ish" (epoch seconds and relative times such as -4d or -24h@h work too)');
  });

  it('14. --help mentions the REPL and --version prints the version', () => {
    const help = spelunk('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/spelunk \[--data PATH\.\.\.\] +the interactive REPL/);
    const version = spelunk('--version');
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`spelunk ${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  });

  it('15. names the loaded indexes when a search names one that holds nothing', () => {
    const r = spelunk('run', 'index=aws eventName=CreateRole', '--data', 'fixtures/sample', '--no-cache', '--now', NOW);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('note: no loaded events are in index aws; the indexes loaded: main (515 events)');
  });
});
