// Clauses inside list-style commands that are expressions (tstats and inputlookup `where`,
// `eval(...)` in stats functions and transaction) come from the parser as AST nodes: the compiler
// never parses the search text again, and errors inside them point at their place in the text.
import { describe, expect, it } from 'vitest';
import type { Arg } from '../grammar/ast.js';
import { renderDiagnostic, SplError } from '../grammar/diagnostics.js';
import { parse } from '../grammar/parser.js';
import { compileAst } from '../src/compiler/compile.js';
import { compile } from '../src/compiler/index.js';
import { SAMPLE_NOW } from './helpers.js';

function args(spl: string): Arg[] {
  const c = parse(spl).pipeline!.commands.at(-1)!;
  if (c.kind !== 'generic') throw new Error('not a list-style command');
  return c.args;
}

function message(spl: string): string {
  try {
    compile(spl, { now: SAMPLE_NOW, placeholderLookups: true });
  } catch (err) {
    if (err instanceof SplError) return renderDiagnostic(err.text ?? spl, err.diagnostic);
    throw err;
  }
  throw new Error(`expected an error for ${spl}`);
}

describe('the parser gives search-language clauses as search expressions', () => {
  it('tstats where ends at by; its nodes keep their place in the text', () => {
    const spl = '| tstats count from datamodel=Authentication where Authentication.action=failure OR Authentication.user=root by Authentication.src';
    const a = args(spl);
    const clause = a.find((x) => x.kind === 'clause');
    expect(clause?.kind === 'clause' && clause.expr?.kind).toBe('or');
    if (clause?.kind !== 'clause' || clause.expr?.kind !== 'or') return;
    const first = clause.expr.items[0]!;
    expect(first.kind === 'compare' && spl.slice(first.fieldSpan.start, first.fieldSpan.end)).toBe('Authentication.action');
    // `by` and what follows stay list arguments.
    expect(a.slice(a.indexOf(clause) + 1).map((x) => x.kind === 'word' && x.value)).toEqual(['by', 'Authentication.src']);
  });

  it('inputlookup where runs to the end of the command; "where" as a value is a value', () => {
    const a = args('| inputlookup users where team=where user=x');
    expect(a.map((x) => x.kind)).toEqual(['word', 'clause']);
    const clause = a[1]!;
    expect(clause.kind === 'clause' && clause.expr?.kind === 'and' && clause.expr.items.map((i) => i.kind === 'compare' && i.value.value)).toEqual(['where', 'x']);
  });

  it('eval(...) in a stats function is an expression', () => {
    const a = args('x | stats count(eval(action="failure" AND len(user)>2)) as n');
    const count = a[0]!;
    expect(count.kind === 'call' && count.args[0]!.kind === 'call' && count.args[0]!.args[0]!.kind).toBe('expr');
  });

  it('compiles without the search text (nothing is read from it again)', () => {
    for (const spl of [
      '| tstats count from datamodel=Authentication where Authentication.action=failure by Authentication.user',
      '| inputlookup users where team=ops',
      'x | stats count(eval(eventName="ConsoleLogin")) as n',
      'x | transaction user startswith=eval(eventName="ConsoleLogin")',
    ]) {
      const pipeline = parse(spl).pipeline!;
      expect(() => compileAst(pipeline, { now: SAMPLE_NOW, placeholderLookups: true }), spl).not.toThrow();
    }
  });
});

describe('errors inside such clauses point at their column', () => {
  it('an unknown function inside eval(...) of a stats function', () => {
    expect(message('x | stats count(eval(nofunc(user))) as n')).toMatchInlineSnapshot(`
      "error: unknown eval function nofunc() (line 1, column 22)
        x | stats count(eval(nofunc(user))) as n
                             ^^^^^^"
    `);
  });

  it('a syntax error inside eval(...)', () => {
    expect(message('x | stats count(eval(user>)) as n')).toMatchInlineSnapshot(`
      "error: unexpected ")" (line 1, column 27)
        x | stats count(eval(user>)) as n
                                  ^
      expected: '-', '+', a number, a quoted string, a quoted field name, a field or function name, '('"
    `);
  });

  it('an unknown function in a subsearch inside tstats where', () => {
    expect(message('| tstats count from datamodel=Authentication where Authentication.user=x [| makeresults | eval y=nofunc(1) | fields y] by Authentication.src')).toMatchInlineSnapshot(`
      "error: unknown eval function nofunc() (line 1, column 98)
        …datamodel=Authentication where Authentication.user=x [| makeresults | eval y=nofunc(1) | fields y] by Authentication.src
                                                                                      ^^^^^^"
    `);
  });

  it('an unknown function in a subsearch inside inputlookup where', () => {
    expect(message('| inputlookup users where team=x [| makeresults | eval y=nofunc(1) | fields y]')).toMatchInlineSnapshot(`
      "error: unknown eval function nofunc() (line 1, column 58)
        | inputlookup users where team=x [| makeresults | eval y=nofunc(1) | fields y]
                                                                 ^^^^^^"
    `);
  });

  it('where with no condition', () => {
    expect(message('| tstats count from datamodel=Authentication where by Authentication.src')).toMatchInlineSnapshot(`
      "error: expected a search condition after "where" (line 1, column 46)
        | tstats count from datamodel=Authentication where by Authentication.src
                                                     ^^^^^
      hint: | tstats count from datamodel=Authentication where Authentication.action=failure"
    `);
    expect(message('| inputlookup users where')).toMatchInlineSnapshot(`
      "error: inputlookup where needs a search condition, e.g. where user=alice (line 1, column 21)
        | inputlookup users where
                            ^^^^^"
    `);
  });

  it('an unknown function inside transaction startswith=eval(...)', () => {
    expect(message('x | transaction user startswith=eval(nofunc(user))')).toMatchInlineSnapshot(`
      "error: unknown eval function nofunc() (line 1, column 38)
        x | transaction user startswith=eval(nofunc(user))
                                             ^^^^^^"
    `);
  });
});
