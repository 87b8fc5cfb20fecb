// Lexing as Splunk does (values run to the next space, pipe or bracket; expressions after eval
// and where) and the AST the parser builds.
import { describe, expect, it } from 'vitest';
import { checkGrammar, parse } from '../grammar/parser.js';
import { lexerWarnings, tokenize } from '../grammar/tokens.js';
import type { Command, SearchExpr } from '../grammar/ast.js';

const tokens = (text: string) => tokenize(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

function search(text: string): SearchExpr {
  const p = parse(text);
  expect(p.diagnostics).toEqual([]);
  const c = p.pipeline!.commands[0]!;
  if (c.kind !== 'search' || !c.expr) throw new Error('not a search');
  return c.expr;
}

/** A compact rendering of a search expression, for readable assertions. */
function show(e: SearchExpr): string {
  switch (e.kind) {
    case 'and': return `(${e.items.map(show).join(' AND ')})`;
    case 'or': return `(${e.items.map(show).join(' OR ')})`;
    case 'not': return `NOT ${show(e.item)}`;
    case 'compare': return `[${e.field}]${e.op}<${e.value.value}>`;
    case 'in': return `[${e.field}] IN <${e.values.map((v) => v.value).join('|')}>`;
    case 'term': return e.value.quoted ? `"${e.value.value}"` : `<${e.value.value}>`;
    case 'subsearch': return `[subsearch of ${e.pipeline.commands.length}]`;
  }
}

describe('search-mode lexing', () => {
  it('values with colons, slashes, dots and wildcards are one word', () => {
    expect(tokens('sourcetype=aws:cloudtrail src=10.0.0.0/8 user=arn:aws:iam::123456789012:user/a key=ASIA*')).toEqual([
      'Word:sourcetype', 'Eq:=', 'Word:aws:cloudtrail', 'Word:src', 'Eq:=', 'Word:10.0.0.0/8',
      'Word:user', 'Eq:=', 'Word:arn:aws:iam::123456789012:user/a', 'Word:key', 'Eq:=', 'Word:ASIA*',
    ]);
  });

  it('field names with . {} - : * and quoted field names', () => {
    expect(show(search('resources{}.accountId=1 requestParameters.x-y:z*=2 "userIdentity.type"=IAMUser'))).toBe(
      '([resources{}.accountId]=<1> AND [requestParameters.x-y:z*]=<2> AND [userIdentity.type]=<IAMUser>)',
    );
  });

  it('keywords are upper case only in search; ANDROID stays a word', () => {
    expect(show(search('ANDROID AND x OR y NOT z and'))).toBe('(<ANDROID> AND (<x> OR <y>) AND NOT <z> AND <and>)');
  });

  it('implicit AND binds loosest, OR tighter', () => {
    expect(show(search('a=1 b=2 OR c=3 NOT d=4'))).toBe('([a]=<1> AND ([b]=<2> OR [c]=<3>) AND NOT [d]=<4>)');
  });

  it('IN lists, comparisons, != and quoted phrases', () => {
    expect(show(search('f IN (a, "b c", d*) n>=10 g!=x "two words"'))).toBe('([f] IN <a|b c|d*> AND [n]>=<10> AND [g]!=<x> AND "two words")');
  });

  it('search * and bare *', () => {
    expect(show(search('search *'))).toBe('<*>');
    expect(show(search('*'))).toBe('<*>');
  });

  it('subsearches nest, each with its own lexing mode', () => {
    const p = parse('a=1 [search b=2 | eval x=y+1 | fields x] | eval z=x.y');
    expect(p.diagnostics).toEqual([]);
    expect(show((p.pipeline!.commands[0] as Extract<Command, { kind: 'search' }>).expr!)).toBe('([a]=<1> AND [subsearch of 3])');
  });
});

describe('expression-mode lexing after eval and where', () => {
  it('operators are tokens; dotted names are fields; single quotes name fields', () => {
    expect(tokens("| eval x=a.b+1, 'a b'=\"x\" . y | where x>=2")).toEqual([
      'Pipe:|', 'EvalCmd:eval', 'Ident:x', 'Eq:=', 'Ident:a.b', 'Plus:+', 'NumberLit:1', 'Comma:,',
      "QuotedField:'a b'", 'Eq:=', 'StringLit:"x"', 'Dot:.', 'Ident:y',
      'Pipe:|', 'WhereCmd:where', 'Ident:x', 'GtEq:>=', 'NumberLit:2',
    ]);
  });

  it('keywords in any case; like() and in() as functions, LIKE and IN as operators', () => {
    const p = parse('| where a like "x%" and in(b, "c") OR like(d, "e") AND f IN ("g")');
    expect(p.diagnostics).toEqual([]);
  });

  it('precedence: * over +, comparisons over AND over OR', () => {
    const p = parse('| eval x=1+2*3>6 AND NOT a OR b');
    const c = p.pipeline!.commands[0]!;
    if (c.kind !== 'eval') throw new Error('not eval');
    const e = c.assignments[0]!.expr;
    expect(e.kind === 'binary' && e.op).toBe('OR');
  });
});

describe('generic command arguments', () => {
  it('options before or after positional arguments', () => {
    for (const text of ['| bucket _time span=1h', '| bucket span=1h _time']) {
      const c = parse(text).pipeline!.commands[0]!;
      if (c.kind !== 'generic') throw new Error('not generic');
      expect(c.args.map((a) => a.kind).sort()).toEqual(['option', 'word']);
    }
  });

  it('rename with and without commas, AS in any case', () => {
    const c = parse('| rename a as b, c AS d e As f').pipeline!.commands[0]!;
    if (c.kind !== 'generic') throw new Error('not generic');
    expect(c.args.map((a) => (a.kind === 'word' ? a.value : a.kind))).toEqual(['a', 'as', 'b', 'comma', 'c', 'AS', 'd', 'e', 'As', 'f']);
  });

  it('calls, subsearches and leading pipe', () => {
    const p = parse('| stats count(user) as n values(src) by x | join x [search y=1]');
    expect(p.diagnostics).toEqual([]);
    expect(p.pipeline!.leadingPipe).toBe(true);
    expect(p.pipeline!.commands.map((c) => c.name)).toEqual(['stats', 'join']);
  });
});

describe("Chevrotain's definition checks", () => {
  // The lexer and parser every search uses are built without them (skipValidations, the documented
  // production setting: 25-50 ms of each process's start); the same definitions built with them
  // here must pass: an ambiguous alternative, left recursion or an unreachable token fails this.
  it('find nothing in the lexer', () => {
    expect(lexerWarnings()).toEqual([]);
  });

  it('find nothing in the grammar', () => {
    expect(() => checkGrammar()).not.toThrow();
  });
});
