// The first search's pre-filter (issue 13): the needles every event a search can return holds in
// its text, derived from the parsed pipeline; none when that is not provable.
import { describe, expect, it } from 'vitest';
import { compilePrepared, prepare } from '../src/compiler/index.js';
import { needleOf, searchNeedles } from '../src/compiler/prefilter.js';
import { SAMPLE_NOW } from './helpers.js';

function needles(spl: string): string[] | null {
  const prepared = prepare(spl);
  let compiled;
  try {
    compiled = compilePrepared(prepared, { now: SAMPLE_NOW, placeholderLookups: true });
  } catch {
    // A search this test cannot compile (a lookup it has not got): the pipeline alone decides.
    compiled = { plan: { ctes: '', steps: [{ name: 'x', schema: [], step: { kind: 'events', where: [] } }] } } as unknown as Parameters<typeof searchNeedles>[1];
  }
  return searchNeedles(prepared.pipeline, compiled);
}

describe('searchNeedles', () => {
  it('takes bare terms, wildcards and raw CloudTrail fields of the top-level conjunction', () => {
    expect(needles('search eventName=ConsoleLogin | head 10')).toEqual(['consolelogin']);
    expect(needles('AccessDenied')).toEqual(['accessdenied']);
    expect(needles('search eventName=Create*Role userIdentity.arn=*Admin* | stats count by eventName')).toEqual(['admin', 'create', 'role']);
    expect(needles('"access denied" errorCode=x sourceIPAddress=10.1.2.3')).toEqual(['10.1.2.3', 'access denied']);
    expect(needles('search requestParameters.bucketName=evidence (eventName=A OR eventName=B) NOT foo | table _time')).toEqual(['evidence']);
    expect(needles('search resources{}.ARN=arn:aws:s3:::b | eventstats count | where count > 1 | sort - _time')).toEqual(['arn:aws:s3:::b']);
    expect(needles('search userIdentity.sessionContext.sessionIssuer.userName=Ops eventName=AssumeRole earliest=-7d')).toEqual(['assumerole', 'ops']);
  });

  it('refuses add-on fields, meta fields, computed values and what JSON may write otherwise', () => {
    for (const spl of [
      'search status=success', 'search action=failure', 'search user=alice', 'search src=10.0.0.1',
      'search index=main', 'search sourcetype=aws:cloudtrail', 'search source=x', 'search host=h', 'search tag=authentication',
      'search eventtype=x', 'search _time=1', 'search date_hour=3', 'search userIdentity=*alice*',
      'search eventName!=ConsoleLogin', 'search NOT ConsoleLogin', 'search eventName>A', 'search eventName IN (A, B)',
      'search A OR B', 'search *', 'search requestParameters.key=a/b', 'search "a\\"b"', 'search 12.5', 'search 1e2',
      'search x=ConsoleLogin', 'search *Console*Login=x',
    ]) expect(needles(spl), spl).toBeNull();
  });

  it('refuses a pipeline that reads the events again', () => {
    for (const spl of [
      'search ConsoleLogin [search eventName=GetObject | fields userIdentity.arn]',
      'search ConsoleLogin | join userIdentity.arn [search GetObject]',
      'search ConsoleLogin | append [search GetObject]',
      'search ConsoleLogin | appendcols [search GetObject | stats count]',
      'search ConsoleLogin | search [search GetObject | fields eventID]',
      'search ConsoleLogin | map search="search GetObject"',
      'search ConsoleLogin | tstats count',
      'search ConsoleLogin | inputlookup x.csv',
      '| search ConsoleLogin',
      'search ConsoleLogin | foreach * [eval <<FIELD>>=1]',
    ]) expect(needles(spl), spl).toBeNull();
  });

  it('refuses a plan that reads the events more than once, whatever the pipeline says', () => {
    const sub = prepare('search ConsoleLogin [search eventName=GetObject | fields eventID] | table eventID');
    const compiled = compilePrepared(sub, { now: SAMPLE_NOW });
    expect(compiled.plan!.steps.filter((s) => s.step.kind === 'events').length).toBeGreaterThan(1);
    expect(searchNeedles(prepare('search ConsoleLogin | table eventID').pipeline, compiled)).toBeNull();
  });

  it('makes needles only of text that reads the same in a file and in _raw', () => {
    expect(needleOf('ConsoleLogin')).toBe('consolelogin');
    expect(needleOf('arn:aws:iam::1')).toBe('arn:aws:iam::1');
    for (const piece of ['', '  ', ':true', 'a/b', 'a"b', 'a\\b', 'a,b', '{x', 'x]', '100', '1.5', '-1e5', 'é', 'a\tb']) expect(needleOf(piece), piece).toBeNull();
    expect(needleOf('1.2.3.4')).toBe('1.2.3.4');
  });
});
