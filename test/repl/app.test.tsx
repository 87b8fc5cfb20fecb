// The Ink app driven like a person: keys into stdin, the screen read back with lastFrame().
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { History } from '../../src/repl/history.js';
import { render } from 'ink-testing-library';
import { emptyLoadReport } from '../../src/engine/types.js';
import { App } from '../../src/repl/components/app.js';
import { createRepl } from '../../src/repl/interactive.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_NOW, sampleEngine } from '../helpers.js';
import { KEY, startRepl, strip, waitFor } from './harness.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const start = (opts: { history?: History; height?: number } = {}) => startRepl(engine, opts);

describe('REPL app', () => {
  it('highlights as you type, runs a search and shows the table with a count', async () => {
    const { screen, type, ui } = await start();
    await type('eventName=CreateRole | table _time eventName user');
    // Commands and fields are coloured as the lexer reads them.
    expect(ui.lastFrame()).toContain('\x1b[36m\x1b[1mtable');
    expect(ui.lastFrame()).toContain('\x1b[96meventName');
    await type(KEY.enter);
    const s = await waitFor(screen, (x) => x.includes('4 results in'), 'the result');
    expect(s).toMatch(/_time +eventName +user/);
    expect(s).toContain('2026-11-27 02:09:12  CreateRole  svc-backup');
    ui.unmount();
  });

  it('edits with readline keys and continues a line ending in a pipe', async () => {
    const { screen, type, ui } = await start();
    await type('eventName=GetObject user=x');
    await type('\x17');
    await type('\x01');
    await type('* ');
    expect(screen()).toContain('> * eventName=GetObject');
    await type('\x05 |');
    await type(KEY.enter);
    expect(screen()).toMatch(/\.\.\.> ?$/m);
    await type('stats count');
    await type(KEY.enter);
    await waitFor(screen, (x) => /count\n-+\n33/.test(x), 'the count');
    ui.unmount();
  });

  it('recalls history with Up/Down and Ctrl-R, and keeps it in the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spelunk-app-')), 'history');
    const { screen, type, ui } = await start({ history: History.load(file) });
    for (const q of ['eventName=ListBuckets | stats count', 'eventName=GetObject | stats count']) {
      await type(q);
      await type(KEY.enter);
      await waitFor(screen, (x) => /> ?$/.test(x.split('\n').pop() ?? ''), 'the prompt back');
    }
    await type(KEY.up);
    expect(screen()).toContain('> eventName=GetObject | stats count');
    await type(KEY.up);
    expect(screen()).toContain('> eventName=ListBuckets | stats count');
    await type(KEY.down);
    await type(KEY.down);
    expect(screen().split('\n').pop()).toMatch(/> ?$/);
    await type(KEY.ctrlR);
    await type('ListB');
    expect(screen()).toContain("(reverse-i-search)'ListB': eventName=ListBuckets | stats count");
    await type(KEY.esc);
    expect(screen()).toContain('> eventName=ListBuckets | stats count');
    expect(readFileSync(file, 'utf8')).toContain('"eventName=GetObject | stats count"');
    ui.unmount();
  });

  it('completes commands, fields and values with Tab', async () => {
    const { screen, type, ui } = await start();
    await type('eventName=AttachRo');
    await type(KEY.tab);
    await waitFor(screen, (x) => x.includes('> eventName=AttachRolePolicy'), 'value completion');
    await type(' | sta');
    await type(KEY.tab);
    await waitFor(screen, (x) => /\| stats ?$/.test(x), 'command completion');
    await type('count by eventS');
    await type(KEY.tab);
    await waitFor(screen, (x) => x.includes('by eventSource'), 'field completion');
    await type('\x15x | st');
    await type(KEY.tab);
    const menu = await waitFor(screen, (x) => x.includes('matches'), 'the menu');
    expect(menu).toMatch(/stats +command/);
    expect(menu).toMatch(/streamstats +command/);
    await type(KEY.tab);
    expect(screen()).toContain('> x | stats');
    expect(screen()).not.toContain('> x | streamstats');
    ui.unmount();
  });

  it('pages a long result without running it again, and scrolls sideways', async () => {
    const { screen, type, ui, session } = await start({ height: 14 });
    await type('* | table _time eventName eventSource awsRegion sourceIPAddress userAgent user_arn');
    await type(KEY.enter);
    const first = await waitFor(screen, (x) => x.includes('515 results'), 'the result');
    expect(first).toContain('PgDn pages through the rest');
    const sql = session.last!.sql;
    await type(KEY.pgdn);
    const browse = await waitFor(screen, (x) => /rows \d+-\d+ of 515/.test(x), 'the browser');
    const from = Number(/rows (\d+)-/.exec(browse)![1]);
    expect(from).toBeGreaterThan(1);
    // Each key is waited for: a busy machine draws a frame or two late.
    await type(KEY.end);
    await waitFor(screen, (x) => /rows \d+-515 of 515/.test(x), 'the last page');
    await type(KEY.home);
    await waitFor(screen, (x) => /rows 1-\d+ of 515/.test(x), 'the first page');
    await type(KEY.right);
    const sideways = await waitFor(screen, (x) => /← 1 column/.test(x), 'the sideways scroll');
    expect(sideways.split('\n').find((l) => l.includes('eventName'))).not.toMatch(/^_time/);
    await type(KEY.esc);
    await waitFor(screen, (x) => !/rows \d+-\d+ of 515/.test(x), 'the prompt');
    expect(session.last!.sql).toBe(sql);
    ui.unmount();
  });

  it('cancels a running search with Ctrl-C and keeps the session', async () => {
    const { screen, type, ui, exited } = await start();
    await type('| makeresults count=30000000 | eval x=md5(tostring(random())) | stats dc(x)');
    await type(KEY.enter);
    await waitFor(screen, (x) => x.includes('running…'), 'the running status');
    await type(KEY.ctrlC);
    await waitFor(screen, (x) => x.includes('search cancelled'), 'the cancel');
    await type('eventName=ListBuckets | stats count');
    await type(KEY.enter);
    await waitFor(screen, (x) => /count\n-+\n\d+/.test(x), 'a search after the cancel');
    expect(exited()).toBe(false);
    ui.unmount();
  });

  it('keeps the next search typed while one runs; Enter, Tab and Ctrl-R wait for the answer', async () => {
    const { screen, type, ui, session, controller } = await start();
    // The search is held until the keys are in, so the test does not race it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const execute = session.execute.bind(session);
    session.execute = async (...args: Parameters<typeof execute>) => {
      await held;
      return execute(...args);
    };
    await type('eventName=CreateRole | stats count');
    await type(KEY.enter);
    await waitFor(screen, (x) => x.includes('running…'), 'the running status');
    await type('eventName=ListB');
    await type(KEY.tab);
    // A key that waits says so.
    expect(screen()).toContain('still running: Tab once the answer is shown (Ctrl-C cancels)');
    await type(KEY.ctrlR);
    expect(screen()).toContain('still running: Ctrl-R once the answer is shown');
    await type('uckets | stats count');
    expect(screen()).toContain('> eventName=ListBuckets | stats count');
    await type(KEY.enter);
    expect(screen()).toContain('still running: Enter once the answer is shown');
    expect(controller.mode).toBe('running');
    release();
    const answered = await waitFor(screen, (x) => controller.mode === 'prompt' && /count\n-+\n4\b/.test(x), 'the first answer');
    expect(answered).not.toContain('still running');
    expect(controller.editor.text).toBe('eventName=ListBuckets | stats count');
    await type(KEY.enter);
    await waitFor(screen, (x) => /count\n-+\n22\b/.test(x), 'the typed-ahead search');
    ui.unmount();
  });

  it('keeps a search typed while the data loads; Ctrl-R and Tab do not leave the loading screen', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    session.load = async () => {
      await held;
      return emptyLoadReport([]);
    };
    const repl = createRepl(session, new History(), { width: () => 100, height: () => 24 });
    const ui = render(<App controller={repl.controller} output={repl.output} />);
    const screen = () => strip(ui.lastFrame());
    const started = repl.controller.start(['/nowhere'], null);
    await waitFor(screen, () => repl.controller.mode === 'loading', 'the loading screen');
    for (const key of ['eventName=Create', KEY.ctrlR, KEY.tab, 'Role | stats count', KEY.enter]) {
      ui.stdin.write(key);
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(repl.controller.mode).toBe('loading');
    expect(screen()).toContain('still loading: Enter once the summary is shown');
    release();
    await started;
    expect(repl.controller.editor.text).toBe('eventName=CreateRole | stats count');
    ui.stdin.write(KEY.enter);
    await waitFor(screen, (x) => /count\n-+\n4\b/.test(x), 'the typed-ahead search');
    ui.unmount();
  });

  it('Ctrl-C while the data loads stops the load, and the session ends once it has stopped', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    let stop!: (err: Error) => void;
    session.load = () => new Promise((_, reject) => (stop = reject));
    let interrupted = 0;
    session.interrupt = () => {
      interrupted++;
      stop(new Error('interrupted'));
    };
    const repl = createRepl(session, new History(), { width: () => 100, height: () => 24 });
    let left = false;
    repl.setOnExit(() => (left = true));
    const ui = render(<App controller={repl.controller} output={repl.output} />);
    const screen = () => strip(ui.lastFrame());
    const started = repl.controller.start(['/nowhere'], null);
    await waitFor(screen, () => repl.controller.mode === 'loading', 'the loading screen');
    ui.stdin.write(KEY.ctrlC);
    await started;
    // Before, the load ran on to its end after the terminal was given back (a minute at 1M events).
    expect(interrupted).toBe(1);
    expect(left).toBe(true);
    expect(repl.controller.mode).toBe('exiting');
    expect(screen()).not.toContain('interrupted');
    ui.unmount();
  });

  it('shows errors with a caret under the problem', async () => {
    const { screen, type, ui } = await start();
    await type('eventName=X | stats cnt(user)');
    await type(KEY.enter);
    const s = await waitFor(screen, (x) => x.includes('unknown stats function'), 'the error');
    expect(s).toContain('error: unknown stats function cnt (line 1, column 21)\n  eventName=X | stats cnt(user)\n                      ^^^^^^^^^\nhint: did you mean c, count?');
    ui.unmount();
  });

  it('runs :sql, :time and :pivot, then leaves on Ctrl-D', async () => {
    const { screen, type, ui, exited } = await start();
    await type(':time -24h');
    await type(KEY.enter);
    await waitFor(screen, (x) => x.includes('time range: -24h .. now'), 'the time range');
    expect(screen()).toContain('spl [-24h..now @2026-11-28T00:00:00Z]>');
    await type('eventName=CreateRole | table _time user user_arn src');
    await type(KEY.enter);
    await waitFor(screen, (x) => x.includes('1 result in'), 'the result in range');
    await type(':sql');
    await type(KEY.enter);
    await waitFor(screen, (x) => x.includes('"_time" >= '), 'the SQL with the time range');
    await type(':pivot 1');
    await type(KEY.enter);
    const menu = await waitFor(screen, (x) => x.includes('pivot from row 1'), 'the pivot menu');
    expect(menu).toContain('aws_investigate_user_arn  arn=arn:aws:iam::111122223333:user/svc-backup (from user_arn)');
    expect(menu).toContain('ip=185.220.101.47 (from src)');
    const line = menu.split('\n').filter((l) => /^\d\. /.test(l)).findIndex((l) => l.includes('aws_activity_from_ip'));
    await type(String(line + 1));
    await waitFor(screen, (x) => x.includes(':run aws_activity_from_ip ip="185.220.101.47"') && /\d+ results? in/.test(x.split(':run aws_activity_from_ip')[1] ?? ''), 'the pivot search');
    await type(KEY.ctrlD);
    expect(exited()).toBe(true);
    ui.unmount();
  });
});
