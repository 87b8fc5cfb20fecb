// End to end: the built binary in a pseudo-terminal (util-linux `script`), typed at like a person.
// It types a search, reads the rendered table, runs :sql and :pivot, opens the event views, and
// leaves with Ctrl-D.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeS3Layout } from './s3-layout.js';

const ROOT = join(import.meta.dirname, '..', '..');
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][A-Z0-9]/g, '').replace(/\r/g, '');

/** The built binary in a pseudo-terminal of 140 by 40, typed at like a person. */
function terminal(args: string) {
  const cmd = `stty cols 140 rows 40; exec node bin/spelunk.js ${args}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 80_000);
  let mark = 0;
  /** The output since the last wait, once it matches. */
  const waitFor = async (what: RegExp, ms = 30_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const text = plain(out.slice(mark));
      const m = what.exec(text);
      if (m) {
        mark = out.length;
        return text;
      }
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; output:\n${plain(out).slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const type = async (text: string) => {
    for (const part of text.match(/[^\r]+|\r/g) ?? []) {
      child.stdin.write(part);
      await new Promise((r) => setTimeout(r, 60));
    }
  };
  const stop = () => {
    clearTimeout(killer);
    child.kill('SIGKILL');
  };
  return { waitFor, type, exited, stop };
}

describe.skipIf(!hasScript)('spelunk in a terminal', () => {
  it('types a search, reads the table, runs :sql and :pivot, exits cleanly', async () => {
    const history = join(mkdtempSync(join(tmpdir(), 'spelunk-pty-')), 'history');
    const { waitFor, type, exited, stop } = terminal(`--now 2026-11-28T00:00:00Z --history ${history}`);
    try {
      await waitFor(/Type a search/);
      await type('eventName=CreateRole | table _time user user_arn src\r');
      const table = await waitFor(/4 results in/);
      expect(table).toMatch(/_time +user +user_arn +src/);
      expect(table).toMatch(/2026-11-27 02:09:12 +svc-backup +arn:aws:iam::111122223333:user\/svc-backup +185\.220\.101\.47/);
      await type(':sql\r');
      expect(await waitFor(/ORDER BY "__seq"/)).toContain('SELECT');
      await type(':pivot 1\r');
      const menu = await waitFor(/Enter or 1-9 run/);
      expect(menu).toContain('aws_investigate_user_arn');
      const first = /^1\. (\w+) +(\w+)=(\S+) \(from (\S+)\)/m.exec(menu);
      expect(first, menu).not.toBeNull();
      const [, id, param, value] = first!;
      expect(['svc-backup', '185.220.101.47', 'arn:aws:iam::111122223333:user/svc-backup']).toContain(value);
      await type('1');
      const pivot = await waitFor(/:run \w+ [\s\S]*\d+ results? in/);
      expect(pivot).toContain(`:run ${id} ${param}="${value}"`);
      // The event views: the timeline and summary lines of a bare search, the event viewer, the inspector.
      await type('eventName=CreateRole\r');
      const events = await waitFor(/4 results in/);
      expect(events).toMatch(/· 1 bar = [\w ]+ · 4 events, busiest /);
      expect(events).toMatch(/2026-11-27 02:09:12 +CreateRole +svc-backup \(IAMUser\)/);
      await type(':event 1\r');
      expect(await waitFor(/event 1 of 4/)).toContain('"eventName": "CreateRole"');
      await type('q');
      await type(':inspect\r');
      // As it ran, from its profile: DuckDB's scan of the events kept 4 (of 515 in memory, or read
      // from the cache's segments when an earlier run left the sample cached).
      expect(await waitFor(/DuckDB runs the commands/)).toMatch(
        /\n1 +eventName=CreateRole +(SEQ_SCAN memory\.main\.events, filter .* +515|READ_PARQUET the cache's events, filter .*) +4 +\d\.\d{3} s\n/,
      );
      await type('\x04');
      expect(await exited).toBe(0);
    } finally {
      stop();
    }
  }, 90_000);

  it('walks through the new views on a real S3-layout folder with a cache and two trails', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spelunk-pty-s3-'));
    const tree = writeS3Layout(join(root, 'logs'));
    expect(tree).toEqual({ files: 16, events: 70, duplicates: 10 });
    const { waitFor, type, exited, stop } = terminal(
      `--data ${join(root, 'logs')} --cache ${join(root, 'cache')} --state ${join(root, 'state')} --now 2024-09-01T00:00:00Z --history ${join(root, 'history')}`,
    );
    try {
      const start = await waitFor(/Type a search/);
      expect(start).toMatch(/loaded 70 events from 16 files/);
      expect(start).toMatch(/note: 10 events repeat eventIDs already loaded/);
      // A bare search: the timeline over its span, then each event's time and summary line.
      await type('eventSource=iam.amazonaws.com\r');
      const events = await waitFor(/20 results in/);
      expect(events).toMatch(/· 1 bar = [\w ]+ · 20 events, busiest /);
      expect(events).toMatch(/2024-08-28 09:54:40 +UpdateLoginProfile +christophe/);
      await type(':event 1\r');
      const viewer = await waitFor(/event 1 of 20/);
      expect(viewer).toContain('"eventName": "UpdateLoginProfile"');
      expect(viewer).toContain('"recipientAccountId": "763751499319"');
      await type('q');
      // The sidebar's counts of one field, over the 20 events (each IAM call twice).
      await type(':fields eventName\r');
      const field = await waitFor(/UpdateLoginProfile \(2\)/);
      expect(field).toMatch(/fields of eventSource=iam\.amazonaws\.com: 20 results\neventName: 100\.0% of results, 9 distinct values\n +CreateAccessKey \(4\)\n +AttachRolePolicy \(2\)\n/);
      // The sidebar itself, over the same 20 events.
      await type(':fields\r');
      const sidebar = await waitFor(/ lines · /);
      expect(sidebar).toContain('fields of eventSource=iam.amazonaws.com · 20 results\nfield ');
      // Event fields, add-on fields and their coverage and distinct counts (~: estimated).
      expect(sidebar).toMatch(/\neventName +100% +9\n/);
      expect(sidebar).toMatch(/\nrecipientAccountId +100% +6\n/);
      expect(sidebar).toMatch(/\nsrc_ip +100% +6\n/);
      expect(sidebar).toMatch(/\nsource +100% +12\n/);
      await type('\x1b');
      // The inspector, from the profile kept with the search: 70 events read, 20 kept.
      await type(':inspect\r');
      const inspector = await waitFor(/DuckDB runs the commands/);
      expect(inspector).toMatch(/\n1 +eventSource=iam\.amazonaws\.com +SEQ_SCAN memory\.main\.events, filter .* +70 +20 +\d\.\d{3} s\n/);
      // Answer first: the JSON read into memory, the cache written after the first answer.
      expect(inspector).toMatch(/data read \(all time\): the in-memory table \(the JSON read at load; the cache in \S+ is written after the first answer, for the next run\): 70 events from 16 files over 6 days/);
      await type(':save iam_calls IAM calls of the detonations\r');
      // The message, not the echo of the typed command, says the file is written.
      await waitFor(/saved to \S+iam_calls\.spl: :run iam_calls runs it/);
      const saved = join(root, 'state', 'queries', 'iam_calls.spl');
      expect(readFileSync(saved, 'utf8')).toMatch(/IAM calls of the detonations[\s\S]*\neventSource=iam\.amazonaws\.com\n?$/);
      // The copies the second trail delivered go; every IAM call is then counted once.
      await type(':load --dedup-events\r');
      const dedup = await waitFor(/top events: /);
      expect(dedup).toMatch(/note: dropped 10 duplicate events .*\n60 events, 2024-07-30 21:53:13 \.\. 2024-11-30 08:43:18 UTC\n/);
      await type('eventSource=iam.amazonaws.com | stats count dc(eventID)\r');
      expect(await waitFor(/1 result in/)).toMatch(/\n10 +10\n/);
      await type('\x04');
      expect(await exited).toBe(0);
      // The first load answered from memory; the cache was written for the next run.
      expect(existsSync(join(root, 'cache')) && readdirSync(join(root, 'cache')).some((f) => f.startsWith('v'))).toBe(true);
    } finally {
      stop();
    }
  }, 90_000);

  // The load summary's own searches start the cache write, so on a fast machine it is done before
  // the key arrives and nothing is said; the message itself is tested in cache-after.test.ts.
  it('leaving right after an answer-first load exits cleanly and leaves the cache written', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spelunk-pty-quit-'));
    writeS3Layout(join(root, 'logs'));
    const cache = join(root, 'cache');
    const { waitFor, type, exited, stop } = terminal(`--data ${join(root, 'logs')} --cache ${cache} --history ${join(root, 'history')}`);
    try {
      await waitFor(/Type a search/);
      await type('\x04');
      expect(await exited).toBe(0);
      const segments = readdirSync(cache, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet'));
      // One segment per UTC day of the files' first events: six days.
      expect(segments).toHaveLength(6);
    } finally {
      stop();
    }
  }, 90_000);
});

describe('spelunk reading searches from a pipe', () => {
  const run = (input: string, ...args: string[]) =>
    spawnSync('node', ['bin/spelunk.js', '--now', '2026-11-28T00:00:00Z', ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 });

  it('prints each result in the chosen format, without prompt or colours', () => {
    const r = run('eventName=CreateRole | stats count; eventName=ListBuckets | stats count\n', '--format', 'csv');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('count\n4\ncount\n22\n');
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('exits non-zero when a search fails, after running the others', () => {
    const r = run('eventName=X | stats cnt(user)\neventName=CreateRole | stats count\n', '--format', 'jsonl');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('{"count":4}\n');
    expect(r.stderr).toContain('unknown stats function cnt');
  });
});

const hasTmux = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasTmux)('spelunk in tmux', () => {
  it(':clear clears the screen, and a long search is echoed whole (the terminal wraps it)', async () => {
    const socket = `spelunk-test-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const history = join(mkdtempSync(join(tmpdir(), 'spelunk-tmux-')), 'history');
    tmux('new-session', '-d', '-x', '100', '-y', '30', `cd ${ROOT} && node bin/spelunk.js --now 2026-11-28T00:00:00Z --history ${history}`);
    // -J joins the lines the terminal wrapped: what a copy of the text gives back.
    const pane = () => tmux('capture-pane', '-p', '-J').stdout;
    const waitFor = async (test: (s: string) => boolean, what: string) => {
      const until = Date.now() + 30_000;
      while (!test(pane())) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}:\n${pane()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor((s) => s.includes('Type a search'), 'the prompt');
      const search = `eventName=CreateRole | eval padding="${'p'.repeat(90)}" | table _time user`;
      tmux('send-keys', '-l', search);
      tmux('send-keys', 'Enter');
      await waitFor((s) => s.includes('4 results in'), 'the result');
      expect(pane()).toContain(search);
      tmux('send-keys', '-l', ':clear');
      tmux('send-keys', 'Enter');
      await waitFor((s) => !s.includes('4 results in'), 'the cleared screen');
      expect(pane()).not.toContain('Type a search');
    } finally {
      tmux('kill-server');
    }
  }, 60_000);

  it('a closed terminal ends the REPL by the hang-up, with no error and no crash', async () => {
    const socket = `spelunk-hup-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-hup-'));
    const stderr = join(dir, 'stderr');
    tmux('new-session', '-d', '-x', '100', '-y', '30', `cd ${ROOT} && exec node bin/spelunk.js --now 2026-11-28T00:00:00Z --history ${join(dir, 'history')} 2>${stderr}`);
    const pid = Number(tmux('list-panes', '-F', '#{pane_pid}').stdout.trim());
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      const until = Date.now() + 30_000;
      while (!tmux('capture-pane', '-p').stdout.includes('Type a search')) {
        if (Date.now() > until) throw new Error('timed out waiting for the prompt');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      tmux('kill-server');
    }
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toBe(false);
    // Before: Ink's exit wrote to the dead terminal ("Error: write EIO"), and Node's exit then
    // failed an assertion restoring its settings and dumped core.
    expect(readFileSync(stderr, 'utf8')).toBe('');
  }, 60_000);
});
