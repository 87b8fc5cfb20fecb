// Drives the Ink app like a person: keys into stdin, the screen read back with lastFrame().
import { render } from 'ink-testing-library';
import type { Engine } from '../../src/engine/engine.js';
import { App } from '../../src/repl/components/app.js';
import { History } from '../../src/repl/history.js';
import { createRepl } from '../../src/repl/interactive.js';
import { Session, type SessionOptions } from '../../src/repl/session.js';
import { SAMPLE_NOW } from '../helpers.js';

export const KEY = { up: '\x1b[A', down: '\x1b[B', left: '\x1b[D', right: '\x1b[C', pgdn: '\x1b[6~', pgup: '\x1b[5~', end: '\x1b[F', home: '\x1b[H', tab: '\t', enter: '\r', esc: '\x1b', ctrlC: '\x03', ctrlD: '\x04', ctrlR: '\x12', backspace: '\x7f', shiftRight: '\x1b[1;2C', shiftLeft: '\x1b[1;2D' };

/** The screen as text: colours removed, trailing blanks (the cursor at the end) trimmed. */
export const strip = (s: string | undefined) => (s ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trimEnd()).join('\n');

export async function waitFor(read: () => string, test: (screen: string) => boolean, what: string, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const screen = read();
    if (test(screen)) return screen;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startRepl(engine: Engine, opts: { history?: History; height?: number; width?: number; session?: SessionOptions } = {}) {
  const session = new Session(engine, { now: SAMPLE_NOW, ...opts.session });
  const history = opts.history ?? new History();
  let exited = false;
  const repl = createRepl(session, history, { width: () => opts.width ?? 100, height: () => opts.height ?? 24 });
  repl.setOnExit(() => (exited = true));
  const ui = render(<App controller={repl.controller} output={repl.output} />);
  const screen = () => strip(ui.lastFrame());
  // The data is loaded already; start() still prints the summary and opens the prompt.
  await repl.controller.start([], null).catch(() => undefined);
  await waitFor(screen, (s) => s.includes('spl ['), 'the prompt');
  const type = async (text: string) => {
    ui.stdin.write(text);
    await new Promise((r) => setTimeout(r, 15));
  };
  /** Type a line, press Enter, and wait for the prompt to come back. */
  const run = async (line: string, until: (s: string) => boolean = () => true) => {
    await type(line);
    await type(KEY.enter);
    return waitFor(screen, (s) => repl.controller.mode !== 'running' && until(s), `the end of ${line}`);
  };
  return { ui, screen, type, run, session, controller: repl.controller, exited: () => exited };
}
