// The REPL shows planted escape sequences instead of sending them (issue 18, item 16): in the
// result table, the result browser, a row's detail, and a value completed into the prompt.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { KEY, startRepl, waitFor } from '../repl/harness.js';

const AGENT = 'curl\x1b[2J\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x07\x9b2J\u202eevil';
/** What the data would make a terminal do; Ink's own colour codes (ESC [ ... m) are allowed. */
const PLANTED = /\x1b\[2J|\x1b\]|\x07|\x9b|\u202e/;

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-terminal-repl-'));
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, JSON.stringify({
    eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject',
    awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.7', eventID: 'e1', userAgent: AGENT,
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/x\x1b]0;PWNED\x07`, userName: `x\x1b]0;PWNED\x07` },
  }) + '\n');
  engine = await Engine.open({ stateDir: dir });
  await engine.load([file]);
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('REPL views show control characters', () => {
  it('the result table, the browser, a row, a completed value in the prompt', async () => {
    const { ui, screen, run, type } = await startRepl(engine, { width: 160 });
    await run('search * | table eventID userAgent user', (s) => s.includes('1 result'));
    expect(ui.lastFrame()).not.toMatch(PLANTED);
    expect(screen()).toContain('curl\\x1b[2J\\x1b]0;PWNED\\x07');

    await type(KEY.pgdn);
    await waitFor(screen, (s) => /rows 1-1 of 1/.test(s), 'the browser');
    expect(ui.lastFrame()).not.toMatch(PLANTED);
    await type(KEY.enter);
    await new Promise((r) => setTimeout(r, 100));
    expect(ui.lastFrame()).not.toMatch(PLANTED);
    await type(KEY.esc);
    await type(KEY.esc);
    await waitFor(screen, (s) => s.endsWith('>'), 'the prompt');

    await type('userAgent=cu');
    await waitFor(screen, (s) => s.includes('> userAgent=cu'), 'the typed search');
    await type(KEY.tab);
    await waitFor(screen, (s) => s.includes('userAgent="curl'), 'the completed value');
    // The completed value is in the search being typed, shown escaped.
    expect(screen()).toContain('userAgent="curl\\x1b[2J\\x1b]0;PWNED\\x07');
    expect(ui.lastFrame()).not.toMatch(PLANTED);
    ui.unmount();
  });
});
