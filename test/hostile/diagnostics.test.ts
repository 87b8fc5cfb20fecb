// Errors in very long pasted searches stay readable: the line is cut to the part around the caret.
import { describe, expect, it } from 'vitest';
import { renderDiagnostic, SplError } from '../../grammar/diagnostics.js';
import { compile } from '../../src/compiler/index.js';

function rendered(spl: string): string {
  try {
    compile(spl, { now: 0 });
  } catch (err) {
    if (err instanceof SplError) return renderDiagnostic(err.text ?? spl, err.diagnostic);
    throw err;
  }
  throw new Error('compiled');
}

describe('rendering errors in long lines', () => {
  it('shows 120 characters around the caret, marked as cut on both sides', () => {
    const spl = `| makeresults | eval x=${'a'.repeat(300)} + bogus(1) | eval y=${'b'.repeat(300)}`;
    const [message, source, caret] = rendered(spl).split('\n');
    expect(message).toBe('error: unknown eval function bogus() (line 1, column 327)');
    expect(source).toBe(`  …${'a'.repeat(57)} + bogus(1) | eval y=${'b'.repeat(42)}…`);
    expect(caret).toBe(`  ${' '.repeat(61)}^^^^^`);
    expect(source!.slice(caret!.indexOf('^'), caret!.indexOf('^') + 5)).toBe('bogus');
  });

  it('a caret near the end of a 10,000-character line still sits under its character', () => {
    const spl = 'search ' + '('.repeat(10_000) + 'x';
    const [, source, caret] = rendered(spl).split('\n');
    expect(source!.length).toBeLessThan(130);
    expect(source![caret!.indexOf('^')]).toBe('(');
    expect(source!.slice(caret!.indexOf('^') + 1)).toBe('x');
  });

  it('short lines are shown whole', () => {
    expect(rendered('| makeresults | eval x=bogus(1)').split('\n').slice(0, 3)).toEqual([
      'error: unknown eval function bogus() (line 1, column 24)',
      '  | makeresults | eval x=bogus(1)',
      '                         ^^^^^',
    ]);
  });
});

describe('spans', () => {
  it('a missing word after the last one is an empty span at the end of the text', () => {
    try {
      compile('eventName=X | stats count by', { now: 0 });
      expect.fail('compiled');
    } catch (err) {
      expect((err as SplError).diagnostic).toMatchObject({ code: 'bad-argument', span: { start: 28, end: 28 } });
      expect(renderDiagnostic('eventName=X | stats count by', (err as SplError).diagnostic).split('\n')[2]).toBe(`  ${' '.repeat(28)}^`);
    }
  });
});
