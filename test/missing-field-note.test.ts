// A field name nothing defines is null on every event, in Splunk as here ("a missing field is
// null"), so a mistyped name answers with a silent zero. The answer stays Splunk's; the note says
// the name resolved to nothing and which known names are close.
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { expectRows, SAMPLE_NOW, sampleAndLanguage } from './helpers.js';

const notesOf = (spl: string): string[] => compile(spl, { now: SAMPLE_NOW }).notes ?? [];
const data = sampleAndLanguage();

describe('a field name that nothing defines', () => {
  it('is noted in a search term, with the names it is close to (field names are case-sensitive)', () => {
    expect(notesOf('eventname=AssumeRole | stats count')).toEqual([
      'no event field, add-on field or earlier command gives a field eventname: it is null on every row (field names are case-sensitive); did you mean eventName, eventTime, eventtype?',
    ]);
  });

  it('is noted in eval, where and stats, once per name', () => {
    expect(notesOf('eventName=AssumeRole | eval u=coalesce(userNmae, "-") | where isnotnull(userNmae) | stats count by u, usr')).toEqual([
      'no event field, add-on field or earlier command gives a field userNmae: it is null on every row (field names are case-sensitive); did you mean userName?',
      'no event field, add-on field or earlier command gives a field usr: it is null on every row (field names are case-sensitive); did you mean user, msg, src?',
    ]);
  });

  it('is noted after a command that made its own rows, against the fields it made', () => {
    expect(notesOf('eventName=* | stats count by eventName | where cnt > 3')).toEqual([
      'field cnt does not exist where the search reads it (an earlier command replaced the events by its own rows): it is null on every row (field names are case-sensitive); did you mean count?',
    ]);
    expect(notesOf('eventName=* | stats count by eventName | sort - Count')).toHaveLength(1);
  });

  it('is not noted for event fields, nested paths, add-on fields, datetime fields or fields the search made', () => {
    for (const spl of [
      'eventName=AssumeRole userIdentity.arn=* "resources{}.accountId"=* | stats count by user, src, action, status, user_type',
      'eventName=* | eval hour=date_hour, s=errorMessage | where isnull(s) | stats count by hour',
      'eventName=* | stats count by eventName | where count > 3 | eval n=count*2 | table eventName n',
      'eventName=* | rex field=userAgent "^(?<tool>[^/]+)" | stats count by tool',
      '| makeresults | eval a=split("x,y", ",") | eval b=mvmap(a, a . "!")',
      'eventName=* | timechart span=1d count',
      'eventName=* | rename eventName AS name | stats count by name',
    ]) expect(notesOf(spl), spl).toEqual([]);
  });

  it('is not noted for the names an add-on rule reads that CloudTrail lacks (the rule, not the user, reads them)', () => {
    expect(notesOf('eventName=* | stats count by object, object_category, vendor_region, dest, reason')).toEqual([]);
  });

  it('is not noted for a $token$ that explain leaves unfilled, nor for fields fillnull, rex or strcat create', () => {
    expect(compile('eventName=* | where user_arn=$src_user$ | stats count', { now: SAMPLE_NOW, allowUnfilledParams: true }).notes ?? []).toEqual([]);
    expect(notesOf('eventName=* | fillnull value=0 hits | strcat eventSource "/" eventName call | stats sum(hits) by call')).toEqual([]);
  });

  it('leaves the answer as Splunk gives it: no events match and stats by it has no rows', async () => {
    await expectRows(data.sample, 'eventname=AssumeRole | stats count', [{ count: 0 }]);
    await expectRows(data.sample, 'eventName=AssumeRole | stats count by usr', []);
  });
});
