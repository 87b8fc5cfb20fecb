// Event values never drive the terminal (issue 18, item 16): ESC and OSC sequences, C1 controls
// and bidirectional overrides planted in a userAgent, a file name or content are shown as
// visible escapes in tables, messages and explain; CSV, JSON and JSON lines keep them byte for
// byte.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/cli/format.js';
import { renderWide } from '../../src/cli/hunt-report.js';
import { visible, visibleLines } from '../../src/cli/terminal-text.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** Clear screen, set the title, write the clipboard (OSC 52), hide text, an 8-bit CSI, RLO. */
export const HOSTILE_AGENT = 'curl\x1b[2J\x1b]0;PWNED\x07\x1b]52;c;cHduZWQ=\x07\x1b[8mhidden\x9b2J\u202eevil';
const SHOWN = 'curl\\x1b[2J\\x1b]0;PWNED\\x07\\x1b]52;c;cHduZWQ=\\x07\\x1b[8mhidden\\x9b2J\\u202eevil';
/** Any byte or character a terminal acts on. */
const ACTS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

let dir: string;
let data: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-terminal-'));
  data = path.join(dir, 'events.jsonl');
  writeFileSync(data, JSON.stringify({
    eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject',
    awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.7', eventID: 'e1', userAgent: HOSTILE_AGENT,
  }) + '\n');
  // A file whose name carries an escape sequence, and which does not parse: named in a warning.
  writeFileSync(path.join(dir, 'bad\x1b]0;PWNED\x07.json'), '{"Records": [');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function spelunk(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'bin', 'spelunk.js'), ...args, '--no-cache', '--state', dir], { cwd: ROOT, encoding: 'utf8' });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('the escaping function', () => {
  it('shows C0, DEL, C1 and bidirectional controls as escapes, and leaves other text alone', () => {
    expect(visible(HOSTILE_AGENT)).toBe(SHOWN);
    expect(visible('a\nb\tc\rd\x00\x7f')).toBe('a\\nb\\tc\\rd\\x00\\x7f');
    expect(visible('ünïcödé → 日本 \u200b')).toBe('ünïcödé → 日本 \u200b');
    expect(visibleLines('one\x1b[2J\ntwo')).toBe('one\\x1b[2J\ntwo');
  });

  it('tables and hunt blocks show the escapes, with widths that fit them', () => {
    const table = renderTable(['userAgent'], [{ userAgent: HOSTILE_AGENT }]);
    expect(table).not.toMatch(ACTS);
    expect(table).toContain(SHOWN.slice(0, 40));
    const wide = renderWide(['userAgent', 'k\x1b[2J'], [{ userAgent: HOSTILE_AGENT, 'k\x1b[2J': 'v' }], 40);
    expect(wide).not.toMatch(ACTS);
    expect(wide).toContain('k\\x1b[2J');
  });
});

describe('spelunk run, explain and load messages', () => {
  it('a table shows the sequences; csv, json and jsonl keep them exactly', async () => {
    const table = await spelunk(['run', 'search * | table eventID userAgent', '--data', data, '--quiet']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).not.toMatch(ACTS);
    expect(table.stdout).toContain('curl\\x1b[2J\\x1b]0;PWNED\\x07');

    const csv = await spelunk(['run', 'search * | table userAgent', '--data', data, '--quiet', '--format', 'csv']);
    expect(csv.stdout).toBe(`userAgent\n${HOSTILE_AGENT}\n`);
    const jsonl = await spelunk(['run', 'search * | table userAgent', '--data', data, '--quiet', '--format', 'jsonl']);
    expect(JSON.parse(jsonl.stdout)).toEqual({ userAgent: HOSTILE_AGENT });
    const json = await spelunk(['run', 'search * | table userAgent', '--data', data, '--quiet', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual([{ userAgent: HOSTILE_AGENT }]);
  });

  it('a warning naming a file with an escape in its name shows it', async () => {
    const r = await spelunk(['run', 'search * | stats count', '--data', dir]);
    expect(r.stderr).toContain('bad\\x1b]0;PWNED\\x07.json');
    expect(r.stderr).not.toMatch(ACTS);
  });

  it('an error quoting the search, and explain printing its SQL, show the escapes', async () => {
    const error = await spelunk(['run', 'search * | eval x=bogus("\x1b]0;PWNED\x07")']);
    expect(error.code).toBe(2);
    expect(error.stderr).toContain('bogus("\\x1b]0;PWNED\\x07")');
    expect(error.stderr).not.toMatch(ACTS);
    const explain = await spelunk(['explain', 'userAgent="\x1b]52;c;cHduZWQ=\x07"']);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('\\x1b]52;c;cHduZWQ=\\x07');
    expect(explain.stdout).not.toMatch(ACTS);
  });
});
