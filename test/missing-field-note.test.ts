// A field name nothing defines is null on every event, in Splunk as here ("a missing field is
// null"), so a mistyped name answers with a silent zero. The answer stays Splunk's; the note says
// the name resolved to nothing and which known names are close. Over the events, such a name is
// read from each event's text: Splunk's JSON extraction makes a field of every key, and CloudTrail
// adds top-level keys (addendum, eventContext) that spelunk keeps no column for.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { compile } from '../src/compiler/index.js';
import { compileTrino } from '../src/compiler/trino-compile.js';
import { expectRows, putFile, SAMPLE_NOW, sampleAndLanguage } from './helpers.js';

const notesOf = (spl: string): string[] => compile(spl, { now: SAMPLE_NOW }).notes ?? [];
const data = sampleAndLanguage();

describe('a field name that nothing defines', () => {
  it('is noted in a search term, with the names it is close to (field names are case-sensitive)', () => {
    expect(notesOf('eventname=AssumeRole | stats count')).toEqual([
      'eventname is no CloudTrail field spelunk keeps as a column: it is read from each event\'s text, null where an event has no such key (field names are case-sensitive); did you mean eventName, eventTime, eventtype?',
    ]);
  });

  it('is noted in eval, where and stats, once per name', () => {
    expect(notesOf('eventName=AssumeRole | eval u=coalesce(userNmae, "-") | where isnotnull(userNmae) | stats count by u, usr')).toEqual([
      'userNmae is no CloudTrail field spelunk keeps as a column: it is read from each event\'s text, null where an event has no such key (field names are case-sensitive); did you mean userName?',
      'usr is no CloudTrail field spelunk keeps as a column: it is read from each event\'s text, null where an event has no such key (field names are case-sensitive); did you mean user, msg, src?',
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

describe('a key of the events that no column holds', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'raw-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const event = (id: string, extra: Record<string, unknown>) => ({ eventVersion: '1.09', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, ...extra });
  // CloudTrail's addendum marks an event delivered late or corrected; eventContext carries tags.
  putFile(dir, 'logs/a.json', JSON.stringify({ Records: [
    event('e1', { addendum: { reason: 'UPDATED_DATA', updatedFields: 'sourceIPAddress' }, eventContext: { tagContext: { resourceTags: [{ key: 'env' }, { key: 'team' }] } } }),
    event('e2', { addendum: { reason: 'DELIVERY_DELAY' }, futureKey: 'x' }),
    event('e3', {}),
  ] }));

  for (const mode of ['memory', 'cache'] as const) {
    it(`is read from each event's text, searched, counted and shown (${mode}); it failed before: count 0, every value null`, async () => {
      const engine = await Engine.open(mode === 'cache' ? { cacheDir: path.join(dir, 'cache') } : {});
      try {
        await engine.load([path.join(dir, 'logs')]);
        const rows = async (spl: string) => (await engine.run(spl)).rows;
        expect(await rows('addendum.reason=updated_data | stats count')).toEqual([{ count: 1 }]);
        expect(await rows('* | stats count by addendum.reason | sort addendum.reason')).toEqual([
          { 'addendum.reason': 'DELIVERY_DELAY', count: 1 },
          { 'addendum.reason': 'UPDATED_DATA', count: 1 },
        ]);
        expect(await rows('* | sort eventID | table eventID futureKey eventContext.tagContext.resourceTags{}.key')).toEqual([
          { eventID: 'e1', futureKey: null, 'eventContext.tagContext.resourceTags{}.key': ['env', 'team'] },
          { eventID: 'e2', futureKey: 'x', 'eventContext.tagContext.resourceTags{}.key': null },
          { eventID: 'e3', futureKey: null, 'eventContext.tagContext.resourceTags{}.key': null },
        ]);
        expect(await rows('NOT addendum.reason=* | stats count')).toEqual([{ count: 1 }]);
      } finally {
        engine.close();
      }
    });
  }

  it('is null, as before, once the search made its own rows, and where the pipeline wrote _raw', () => {
    expect(notesOf('* | stats count by eventName | where addendum.reason="x"')[0]).toMatch(/^field addendum.reason does not exist where the search reads it/);
    expect(notesOf('* | eval _raw="{}" | where addendum.reason="x"')[0]).toMatch(/^no event field, add-on field or earlier command gives a field addendum.reason/);
  });

  it('is refused on Athena, whose table keeps only the keys its DDL declares', () => {
    expect(() => compileTrino('addendum.reason=UPDATED_DATA | stats count', { now: SAMPLE_NOW })).toThrow('no Trino form: addendum.reason: not a column of the Athena CloudTrail table (spelunk reads such a key from each event\'s text, which the table does not keep)');
  });
});
