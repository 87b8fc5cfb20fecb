// End to end: the built binary in a pseudo-terminal (util-linux `script`), typed at like a person.
// It types a search, reads the rendered table, runs :sql and :pivot, opens the event views, and
// leaves with Ctrl-D.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b[()][A-Z0-9]/g, '').replace(/\r/g, '');

describe.skipIf(!hasScript)('spelunk in a terminal', () => {
  it('types a search, reads the table, runs :sql and :pivot, exits cleanly', async () => {
    const history = join(mkdtempSync(join(tmpdir(), 'spelunk-pty-')), 'history');
    const cmd = `stty cols 140 rows 40; exec node bin/spelunk.js --now 2026-11-28T00:00:00Z --history ${history}`;
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    let mark = 0;
    const waitFor = async (what: RegExp, ms = 20_000) => {
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
      // As it ran, from its profile: DuckDB's scan of the events, 515 read and 4 kept.
      expect(await waitFor(/DuckDB runs the commands/)).toMatch(/\n1 +eventName=CreateRole +SEQ_SCAN memory\.main\.events, filter .* +515 +4 +\d\.\d{3} s\n/);
      await type('\x04');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  }, 60_000);
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
});
