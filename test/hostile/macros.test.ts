// Hostile macros.conf files: a few lines of macros that multiply each other, and errors deep
// inside macro bodies, which must point at the call in the search the user typed.
import { describe, expect, it } from 'vitest';
import { SplError } from '../../grammar/diagnostics.js';
import { compile } from '../../src/compiler/index.js';
import { parseMacrosConf } from '../../src/compiler/macros.js';

function failure(spl: string, conf: string): SplError {
  try {
    compile(spl, { now: 0, macros: parseMacrosConf(conf) });
  } catch (err) {
    if (err instanceof SplError) return err;
    throw err;
  }
  throw new Error('compiled');
}

describe('macro expansion', () => {
  it('macros that multiply (4 copies per level, 12 levels: 16 million) stop at a size limit', () => {
    let conf = '[m0]\ndefinition = x\n';
    for (let i = 1; i <= 12; i++) conf += `[m${i}]\ndefinition = \`m${i - 1}\` \`m${i - 1}\` \`m${i - 1}\` \`m${i - 1}\`\n`;
    const err = failure('search `m12` | head 1', conf);
    expect(err.diagnostic).toMatchObject({ code: 'too-complex', span: { start: 7, end: 12 } });
    expect(err.message).toBe('macros expand to more than 1,000,000 characters (a macro that repeats another many times?)');
  });

  it('a macro that uses itself is reported at the call', () => {
    const err = failure('eventName=x | `loop`', '[loop]\ndefinition = search `loop`\n');
    expect(err.diagnostic).toMatchObject({ code: 'unknown-macro', span: { start: 14, end: 20 } });
  });

  it('an error inside a macro body points at the call in the search, inside the text', () => {
    const conf = '[outer]\ndefinition = eval a=1 | `inner`\n[inner]\ndefinition = search x | `missing_macro_with_a_long_name`\n';
    const err = failure('`outer`', conf);
    expect(err.diagnostic).toMatchObject({ code: 'unknown-macro', span: { start: 0, end: 7 } });
    expect(err.message).toBe('unknown macro missing_macro_with_a_long_name');
    expect(err.diagnostic.span.end).toBeLessThanOrEqual((err.text ?? '').length);
  });
});
