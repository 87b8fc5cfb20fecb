// A search that compiles can still fail while DuckDB runs it. The error keeps DuckDB's message
// and points at the command of the user's search that failed (issue 11), found by running the
// plan's steps in order.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EngineError, type Engine } from '../src/engine/engine.js';
import { main } from '../src/cli/main.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

async function failure(spl: string): Promise<EngineError> {
  const err = await engine.run(spl, { now: SAMPLE_NOW }).then(() => null, (e: unknown) => e);
  expect(err, spl).toBeInstanceOf(EngineError);
  return err as EngineError;
}

const TOO_LONG = 'Invalid Input Error: mvrange(0, 20000000, 1) would make 20000000 values, more than the 10000 one multivalue field may hold';

describe('a run-time error points at the command that failed', () => {
  it('the failing eval, not the commands around it; DuckDB\'s message kept', async () => {
    // The failing value must be used (a value nothing reads is never computed).
    const spl = '| makeresults count=2 | eval a=1 | eval x=mvrange(0, 20000000) | eval n=mvcount(x) | stats count by n';
    const err = await failure(spl);
    expect(err.message).toBe(TOO_LONG);
    expect(err.at).toBeDefined();
    expect(spl.slice(err.at!.span.start, err.at!.span.end)).toBe('eval x=mvrange(0, 20000000)');
  });

  it('a failure inside a subsearch points into the subsearch', async () => {
    const spl = 'eventName=AssumeRole [| makeresults | eval x=mvrange(0, 20000000) | eval eventName=if(mvcount(x) > 0, "AssumeRole", "") | fields eventName] | head 1';
    const err = await failure(spl);
    expect(err.message).toBe(TOO_LONG);
    expect(spl.slice(err.at!.span.start, err.at!.span.end)).toBe('eval x=mvrange(0, 20000000)');
  });

  it('the text is the search after its macros, so the span is read against what ran', async () => {
    const err = await failure('| makeresults | eval x=mvrange(0, 20000000)');
    expect(err.at!.text).toBe('| makeresults | eval x=mvrange(0, 20000000)');
  });

  it('the command line shows DuckDB\'s message and a caret under the command', async () => {
    const errors: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (errors.push(String(chunk)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const status = await main(['run', '| makeresults | eval a=1 | eval x=mvrange(0, 20000000) | table x', '--no-cache', '--quiet']);
    vi.restoreAllMocks();
    expect(status).toBe(1);
    expect(errors.join('')).toBe(
      `spelunk: search failed: ${TOO_LONG}\n` +
        'in this command (line 1, column 28)\n' +
        '  | makeresults | eval a=1 | eval x=mvrange(0, 20000000) | table x\n' +
        '                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^\n',
    );
  });
});

describe('in the REPL', () => {
  it('shows the caret under the failing command, as the CLI does', async () => {
    const { Session } = await import('../src/repl/session.js');
    const session = new Session(engine, { now: SAMPLE_NOW });
    const spl = '| makeresults count=2 | eval a=1 | eval x=mvrange(0, 20000000) | eval n=mvcount(x) | stats count by n';
    const outcomes = await session.execute(spl);
    const text = outcomes.flatMap((o) => (o.kind === 'lines' ? o.lines.map((l) => l.text) : [])).join('\n');
    expect(text).toContain(`search failed: ${TOO_LONG}`);
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes(spl));
    expect(at).toBeGreaterThan(0);
    // The caret line under the search marks `eval x=mvrange(0, 20000000)`.
    const caret = lines[at + 1]!;
    const column = lines[at]!.indexOf(spl) + spl.indexOf('eval x=mvrange');
    expect(caret.indexOf('^')).toBe(column);
    expect(caret.trim()).toMatch(/^\^+/);
    expect(caret.trim().match(/^\^+/)![0].length).toBe('eval x=mvrange(0, 20000000)'.length);
  });
});
