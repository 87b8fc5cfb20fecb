// foreach (mode=multifield): the template in brackets runs once per field of the wildcard list,
// its placeholders replaced as text. Splunk's foreach page:
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/foreach
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../grammar/parser.js';
import type { Engine } from '../src/engine/engine.js';
import { errorOf, expectRows, sampleEngine, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

describe('foreach', () => {
  it('runs the template for each matching field: <<FIELD>> and <<MATCHSTR>>', async () => {
    await expectRows(engine, '| makeresults | eval a_n=1, b_n=2, c=3 | foreach *_n [eval <<FIELD>> = <<FIELD>> * 10, <<MATCHSTR>>_was = "<<FIELD>>"] | fields - _time', [
      { c: 3, a_n: 10, a_was: 'a_n', b_n: 20, b_was: 'b_n' },
    ]);
  });

  it('sums a row across fields (the page\'s first example shape)', async () => {
    await expectRows(engine, '| makeresults count=2 | streamstats count as n | eval test1=n, test2=n*10, other=100 | eval total=0 | foreach test* [eval total = total + <<FIELD>>] | table n total', [
      { n: 1, total: 11 },
      { n: 2, total: 22 },
    ]);
  });

  it('expands over the fields of the events: nested paths and add-on fields, in name order', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin userIdentity.type=IAMUser | head 1 | foreach userIdentity.* [eval "ui_<<MATCHSTR>>" = if(isnull(\'<<FIELD>>\'), "-", "set")] | table ui_*', [
      { ui_accountId: 'set', ui_arn: 'set', ui_principalId: 'set', ui_type: 'set', ui_userName: 'set' },
    ]);
    // src_ip is an add-on field (an alias of sourceIPAddress).
    await expectRows(engine, 'eventName=ConsoleLogin | head 1 | foreach src_* [eval copy_<<MATCHSTR>> = <<FIELD>>] | table copy_*', [
      { copy_ip: '73.158.64.21' },
    ]);
  });

  it('<<MATCHSEG1>>, <<MATCHSEG2>> and renamed placeholders (fieldstr=, matchseg1=)', async () => {
    await expectRows(engine, '| makeresults | eval in_a_x=1, in_b_y=2 | foreach in_*_* [eval <<MATCHSEG2>><<MATCHSEG1>> = <<FIELD>>] | table xa yb', [{ xa: 1, yb: 2 }]);
    await expectRows(engine, '| makeresults | eval v1=1, v2=2 | foreach v* fieldstr=#F# matchseg1=#S# [eval w#S# = #F# + 100] | table w1 w2', [{ w1: 101, w2: 102 }]);
  });

  it('several field lists, a field named without a wildcard, and names needing quotes', async () => {
    await expectRows(engine, '| makeresults | eval "a-1"=1, b=2 | foreach a-* b [eval \'<<FIELD>>\' = \'<<FIELD>>\' + 1] | table a-1 b', [{ 'a-1': 2, b: 3 }]);
  });

  it('a template of several commands', async () => {
    await expectRows(engine, '| makeresults count=3 | streamstats count as x1 | eval x2=x1*2 | foreach x* [eval <<FIELD>> = <<FIELD>> + 1 | where <<FIELD>> > 2] | table x1 x2', [
      { x1: 3, x2: 5 },
      { x1: 4, x2: 7 },
    ]);
  });

  it('no field matches: the rows pass unchanged', async () => {
    await expectRows(engine, '| makeresults | eval a=1 | foreach zz* [eval <<FIELD>> = 0] | table a', [{ a: 1 }]);
  });

  it('the template is text: brackets and quotes inside it do not end it', () => {
    const p = parse('| foreach a* [eval <<FIELD>> = if("<<FIELD>>"="]", mvindex(split("a]b", "]"), 0), <<FIELD>>)] | head 1');
    expect(p.diagnostics).toEqual([]);
    const arg = p.pipeline!.commands[0]!.kind === 'generic' ? p.pipeline!.commands[0]!.args[1] : undefined;
    expect(arg).toMatchObject({ kind: 'template', text: 'eval <<FIELD>> = if("<<FIELD>>"="]", mvindex(split("a]b", "]"), 0), <<FIELD>>)' });
    expect(p.pipeline!.commands[1]!.name).toBe('head');
    // Other commands still read a bracket as a subsearch.
    expect(parse('| append [search x=1]').pipeline!.commands[0]).toMatchObject({ args: [{ kind: 'subsearch' }] });
  });

  it('golden SQL: the template once per field, in field order', () => {
    expect(sqlOf('| makeresults | eval a1=1, a2=2 | foreach a* [eval <<FIELD>> = <<FIELD>> * 2]')).toContain(
      'SELECT *, 1::DOUBLE * 2::DOUBLE AS "a1", 2::DOUBLE * 2::DOUBLE AS "a2" FROM s0');
  });

  it('errors point into the template, and name what is not supported', () => {
    const bad = errorOf('| makeresults | eval a_n=1 | foreach *_n [eval <<FIELD>> = <<FIELD>> +]');
    expect(bad.diagnostic.message).toBe('in the foreach template: unexpected end of search');
    expect(bad.diagnostic.span).toEqual({ start: 70, end: 70 });
    const unknown = errorOf('| makeresults | eval a_n=1 | foreach *_n [eval x = nosuch(<<FIELD>>)]');
    expect(unknown.diagnostic.span.start).toBe('| makeresults | eval a_n=1 | foreach *_n [eval x = '.length);
    expect(errorOf('| makeresults | foreach mode=multivalue mv [eval t = t + <<ITEM>>]').diagnostic.message).toMatch(/^foreach mode=multivalue is not supported yet/);
    expect(errorOf('| makeresults | foreach a* itemstr=X [eval t = 1]').diagnostic.message).toMatch(/itemstr= is not supported/);
    expect(errorOf('| makeresults | foreach a*').diagnostic.message).toMatch(/needs a template in brackets/);
    expect(errorOf('| makeresults | foreach [eval x=1]').diagnostic.message).toMatch(/needs the fields/);
    expect(errorOf('| makeresults | foreach a* [eval x=1] b*').diagnostic.message).toMatch(/the fields come before the template/);
    expect(errorOf('| makeresults | foreach a* [eval x=1').diagnostic.hints?.[0]).toMatch(/never closed/);
  });
});
