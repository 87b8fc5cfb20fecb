// Rendered error messages (line, caret, expected, hints) for mistakes analysts make.
import { describe, expect, it } from 'vitest';
import { renderDiagnostic, SplError } from '../grammar/diagnostics.js';
import { compile } from '../src/compiler/index.js';
import { SAMPLE_NOW, sqlOf } from './helpers.js';

function message(spl: string): string {
  try {
    compile(spl, { now: SAMPLE_NOW });
  } catch (err) {
    if (err instanceof SplError) return renderDiagnostic(err.text ?? spl, err.diagnostic);
    throw err;
  }
  throw new Error(`expected an error for ${spl}`);
}

describe('syntax errors show the line, a caret and what was expected', () => {
  it('missing expression', () => {
    expect(message('eventName=X | eval x=')).toMatchInlineSnapshot(`
      "error: unexpected end of search (line 1, column 22)
        eventName=X | eval x=
                             ^
      expected: 'NOT', '-', '+', a number, a quoted string, a quoted field name, a field or function name, '('"
    `);
  });

  it('on the second line', () => {
    expect(message('eventName=X\n| stats count by')).toMatchInlineSnapshot(`
      "error: expected a field after "by" (line 2, column 17)
        | stats count by
                        ^
      hint: stats count by user"
    `);
  });
});

describe('hints for common slips', () => {
  it('a SQL query', () => {
    expect(message('SELECT * FROM events WHERE eventName=AssumeRole')).toMatchInlineSnapshot(`
      "error: this looks like SQL; spelunk reads Splunk's search language (SPL) (line 1, column 1)
        SELECT * FROM events WHERE eventName=AssumeRole
        ^^^^^^
      hint: start with the events to keep, then pipe them through commands: eventName=AssumeRole | stats count by user
      hint: SELECT a, b -> | table a b;  WHERE x=1 -> a search term x=1 or | where x=1;  GROUP BY u -> | stats count by u;  ORDER BY -> | sort"
    `);
  });

  it('SQL words as commands and in stats', () => {
    expect(message('eventName=X | SELECT user')).toMatchInlineSnapshot(`
      "error: unknown command "select" (line 1, column 15)
        eventName=X | SELECT user
                      ^^^^^^
      hint: SELECT is SQL; in SPL use | table f1 f2 (or | fields f1 f2)"
    `);
    expect(message('eventName=X | stats count GROUP BY user')).toMatchInlineSnapshot(`
      "error: "GROUP by" is SQL; in SPL the fields to group by follow "by" alone (line 1, column 27)
        eventName=X | stats count GROUP BY user
                                  ^^^^^
      hint: stats count by user (no GROUP); to order the result: | sort - count"
    `);
  });

  it('a command name without the pipe', () => {
    expect(message('eventName=X stats count by user')).toMatchInlineSnapshot(`
      "error: "stats" is read as a search term here, not as a command (line 1, column 13)
        eventName=X stats count by user
                    ^^^^^
      hint: a command needs a pipe before it: ... | stats ...
      hint: to search for the word itself, quote it: "stats""
    `);
    expect(message('eventName=X | search user=a dedup user')).toMatchInlineSnapshot(`
      "error: "dedup" is read as a search term here, not as a command (line 1, column 29)
        eventName=X | search user=a dedup user
                                    ^^^^^
      hint: a command needs a pipe before it: ... | dedup ...
      hint: to search for the word itself, quote it: "dedup""
    `);
  });

  it('words analysts search for are not taken for a missing pipe', () => {
    for (const spl of ['dynamodb table Orders', 'eventSource=s3.amazonaws.com bucket logs', 'sort head top lookup join']) {
      expect(() => sqlOf(spl), spl).not.toThrow();
    }
  });

  it('a search-style wildcard in where', () => {
    expect(message('eventName=X | where user=*admin*')).toMatchInlineSnapshot(`
      "error: unexpected "*" (line 1, column 26)
        eventName=X | where user=*admin*
                                 ^
      expected: '-', '+', a number, a quoted string, a quoted field name, a field or function name, '('
      hint: in eval and where, * multiplies: match a pattern with like(field, "%text%") or match(field, "regex"), or filter with | search field=*text*"
    `);
  });

  it('quoting the word searches for it', () => {
    expect(compile('eventName=X "stats" count', { now: SAMPLE_NOW }).sql).toContain('stats');
  });

  it('unclosed quotes and brackets', () => {
    expect(message('eventName="X | stats count')).toMatchInlineSnapshot(`
      "error: unclosed double quote (line 1, column 11)
        eventName="X | stats count
                  ^
      hint: close the string with a matching ""
    `);
    expect(message("eventName=X | eval y='a b")).toMatchInlineSnapshot(`
      "error: unclosed single quote (line 1, column 22)
        eventName=X | eval y='a b
                             ^
      hint: in eval and where, single quotes name a field: close it with a matching '"
    `);
    expect(message('eventName=X [search user=a | fields user')).toMatchInlineSnapshot(`
      "error: unexpected end of search (line 1, column 41)
        eventName=X [search user=a | fields user
                                                ^
      expected: ']'
      hint: the [ at column 13 is never closed: add ]"
    `);
    expect(message('eventName=X | eval x=(1+2')).toMatchInlineSnapshot(`
      "error: unexpected end of search (line 1, column 26)
        eventName=X | eval x=(1+2
                                 ^
      expected: ')'
      hint: the ( at column 22 is never closed: add )"
    `);
    expect(message('eventName=X | eval x=1)')).toMatchInlineSnapshot(`
      "error: unexpected ")" (line 1, column 23)
        eventName=X | eval x=1)
                              ^
      hint: this ) closes nothing: remove it, or add the ( it belongs to"
    `);
  });
});

describe('unknown and unsupported names', () => {
  it('an unknown command names the nearest known ones', () => {
    expect(message('eventName=X | stast count')).toMatchInlineSnapshot(`
      "error: unknown command "stast" (line 1, column 15)
        eventName=X | stast count
                      ^^^^^
      hint: did you mean stats?"
    `);
  });

  it('an unknown eval or stats function names the nearest known ones', () => {
    expect(message('eventName=X | eval x=lenn(a)')).toMatchInlineSnapshot(`
      "error: unknown eval function lenn() (line 1, column 22)
        eventName=X | eval x=lenn(a)
                             ^^^^
      hint: did you mean len(), ln()?"
    `);
    expect(message('eventName=X | stats cnt by user')).toMatchInlineSnapshot(`
      "error: unknown stats function cnt (line 1, column 21)
        eventName=X | stats cnt by user
                            ^^^
      hint: did you mean c, count?"
    `);
  });

  it('a real SPL command spelunk does not run says so', () => {
    expect(message('eventName=X | xmlkv user')).toMatchInlineSnapshot(`
      "error: xmlkv is a Splunk command that spelunk does not support yet (line 1, column 15)
        eventName=X | xmlkv user
                      ^^^^^"
    `);
  });

  it('wrong argument counts', () => {
    expect(message('| makeresults | eval x=substr("a")')).toMatchInlineSnapshot(`
      "error: substr() takes 2 to 3 arguments, not 1 (line 1, column 24)
        | makeresults | eval x=substr("a")
                               ^^^^^^^^^^^"
    `);
  });
});

describe('regexes RE2 cannot run are refused, never approximated', () => {
  it('look-behind, back-references, possessive quantifiers', () => {
    expect(message('eventName=X | rex field=a "(?<=x)(?<y>y)"')).toMatchInlineSnapshot(`
      "error: invalid regular expression: look-behind (?<= or ?<!) is not supported by RE2 (line 1, column 27)
        eventName=X | rex field=a "(?<=x)(?<y>y)"
                                  ^^^^^^^^^^^^^^^"
    `);
    expect(message('eventName=X | where match(a, "(a)\\1")')).toMatchInlineSnapshot(`
      "error: invalid regular expression: back-references such as \\1 are not supported (DuckDB's RE2 has none) (line 1, column 30)
        eventName=X | where match(a, "(a)\\1")
                                     ^^^^^^^"
    `);
    expect(message('eventName=X | regex a="a++"')).toMatchInlineSnapshot(`
      "error: invalid regular expression: possessive quantifiers (such as a++) are not supported by RE2 (line 1, column 23)
        eventName=X | regex a="a++"
                              ^^^^^"
    `);
  });

  it('PCRE named groups become RE2 named groups', () => {
    expect(compile('| makeresults | eval a="x" | rex field=a "(?<first>.)"', { now: SAMPLE_NOW }).sql).toContain("'(?P<first>.)'");
  });
});
