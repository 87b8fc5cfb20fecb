// `dedup eventID` is left out when no two loaded events share an eventID and the rows reaching
// it are loaded events, each once, with the eventID they were loaded with (distinct-events.ts).
// Anything that could repeat a row or change eventID keeps it; a load that brings copies
// brings it back.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { resolveSearch, resolvedSpl } from '../src/engine/queries.js';
import { SAMPLE_NOW, sqlOf } from './helpers.js';

const unique = (spl: string) => sqlOf(spl, { eventIdsUnique: true });
const DEDUP = /min\("__seq"\) AS "__dfirst"/;

describe('which dedups have nothing to drop', () => {
  it('leaves out dedup eventID over loaded events, filtered, extended, projected or located', () => {
    for (const spl of [
      'eventName=X | dedup eventID',
      'eventName=X | dedup eventID keepempty=true | table eventID eventName',
      'eventName=X | eval caller=coalesce(userName, "x") | where caller="y" | dedup eventID',
      'eventName=X | table _time eventID eventName | dedup eventID',
      'eventName=X | iplocation sourceIPAddress | search Country=Germany | dedup eventID keepempty=true',
      'eventName=X | sort - _time | dedup eventID',
      'eventName=X | head 5 | dedup eventID',
    ]) {
      expect(unique(spl), spl).not.toMatch(DEDUP);
      // Without the engine's word that eventIDs are unique, the dedup is there.
      expect(sqlOf(spl), spl).toMatch(DEDUP);
    }
  });

  it('keeps it where rows could repeat, or eventID is not the loaded one, or the key is another', () => {
    for (const spl of [
      'eventName=X | eval eventID=eventName | dedup eventID',
      'eventName=X | rename eventName AS eventID | dedup eventID',
      'eventName=X | eval eventID=mvappend(eventID, "x") | mvexpand eventID | dedup eventID',
      'eventName=X | eval m=split("a,b", ",") | mvexpand m | dedup eventID',
      'eventName=X | append [search eventName=Y] | dedup eventID',
      'eventName=X | stats count by eventID | dedup eventID',
      'eventName=X | fields - eventID | dedup eventID',
      '| makeresults count=3 | eval eventID="x" | dedup eventID',
      'eventName=X | dedup eventName',
      'eventName=X | dedup eventID eventName',
    ]) {
      expect(unique(spl), spl).toMatch(DEDUP);
    }
  });

  it('dedup 2 and consecutive=true keep their window', () => {
    expect(unique('eventName=X | dedup 2 eventID')).toContain('row_number() OVER (PARTITION BY "eventID"');
    expect(unique('eventName=X | dedup eventID consecutive=true')).toContain('lag(');
  });
});

const event = (id: string | null, name: string, time: string) => ({
  eventVersion: '1.09', eventTime: time, eventSource: 'iam.amazonaws.com', eventName: name, awsRegion: 'us-east-1', sourceIPAddress: '185.220.101.47',
  ...(id === null ? {} : { eventID: id }), eventType: 'AwsApiCall', recipientAccountId: '111122223333', userAgent: 'aws-cli/2.15.0',
  userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/svc-backup', accountId: '111122223333', userName: 'svc-backup', accessKeyId: 'AKIAKVGAJJLMH55XUZRZ' },
});

/** A trail folder with these events in one file, under `root`. */
function trail(root: string, account: string, records: object[]): string {
  const dir = join(root, 'AWSLogs', account, 'CloudTrail', 'us-east-1', '2026', '11', '27');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${account}.json`), JSON.stringify({ Records: records }));
  return join(root, 'AWSLogs', account);
}

const open: Engine[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

for (const mode of ['memory', 'cache'] as const) {
  describe(`dedup eventID over loads with and without copies (${mode})`, () => {
    const engine = async () => {
      const e = await Engine.open({ cacheDir: mode === 'cache' ? mkdtempSync(join(tmpdir(), 'spelunk-distinct-cache-')) : undefined });
      open.push(e);
      return e;
    };
    const ids = async (e: Engine, spl: string) => (await e.run(spl, { now: SAMPLE_NOW })).rows.map((r) => r['eventID'] ?? null);
    const SEARCH = 'eventName=* | dedup eventID keepempty=true | table eventID';

    it('gives every row when no eventID repeats, events without one included', async () => {
      const e = await engine();
      const root = mkdtempSync(join(tmpdir(), 'spelunk-distinct-'));
      await e.load([trail(root, '111122223333', [event('a1', 'CreateUser', '2026-11-27T02:10:00Z'), event(null, 'GetUser', '2026-11-27T02:11:00Z'), event('a3', 'ListUsers', '2026-11-27T02:12:00Z'), event(null, 'GetRole', '2026-11-27T02:13:00Z')])]);
      const { compiled } = await e.prepareWithData(SEARCH, { now: SAMPLE_NOW });
      expect(compiled.sql).not.toMatch(DEDUP);
      expect(await ids(e, SEARCH)).toEqual([null, 'a3', null, 'a1']);
      expect(await ids(e, 'eventName=* | dedup eventID | table eventID')).toEqual(['a3', 'a1']);
    });

    it('a later load that brings copies brings the dedup back: one row per eventID, the newest copy', async () => {
      const e = await engine();
      const root = mkdtempSync(join(tmpdir(), 'spelunk-distinct-'));
      await e.load([trail(root, '111122223333', [event('a1', 'CreateUser', '2026-11-27T02:10:00Z'), event('a2', 'GetUser', '2026-11-27T02:11:00Z')])]);
      expect((await e.prepareWithData(SEARCH, { now: SAMPLE_NOW })).compiled.sql).not.toMatch(DEDUP);
      // The same calls from an organisation trail, one of them later in the file order.
      await e.load([trail(root, '999988887777', [event('a2', 'GetUser', '2026-11-27T02:11:00Z'), event('b1', 'ListRoles', '2026-11-27T02:14:00Z')])]);
      expect((await e.prepareWithData(SEARCH, { now: SAMPLE_NOW })).compiled.sql).toMatch(DEDUP);
      expect(await ids(e, SEARCH)).toEqual(['b1', 'a2', 'a1']);
      expect((await e.run('eventName=* | stats count', { now: SAMPLE_NOW })).rows).toEqual([{ count: 4 }]);
    });

    it('a search prepared once is compiled again when a load changes the answer, not otherwise', async () => {
      const e = await engine();
      const root = mkdtempSync(join(tmpdir(), 'spelunk-distinct-'));
      const search = e.parse(SEARCH);
      const plain = e.parse('eventName=* | table eventID');
      // Before any load nothing is known: the dedup is there.
      expect(e.prepare(search, { now: SAMPLE_NOW }).compiled.sql).toMatch(DEDUP);
      const before = e.prepare(plain, { now: SAMPLE_NOW });
      await e.load([trail(root, '111122223333', [event('a1', 'CreateUser', '2026-11-27T02:10:00Z'), event('a2', 'GetUser', '2026-11-27T02:11:00Z')])]);
      expect(e.prepare(search, { now: SAMPLE_NOW }).compiled.sql).not.toMatch(DEDUP);
      expect(e.prepare(plain, { now: SAMPLE_NOW })).toBe(before);
      await e.load([trail(root, '999988887777', [event('a2', 'GetUser', '2026-11-27T02:11:00Z')])]);
      expect(e.prepare(search, { now: SAMPLE_NOW }).compiled.sql).toMatch(DEDUP);
      expect((await e.run(search, { now: SAMPLE_NOW })).rows).toEqual([{ eventID: 'a2' }, { eventID: 'a1' }]);
    });

    it('the shipped investigations give the same rows either way', async () => {
      const e = await engine();
      const root = mkdtempSync(join(tmpdir(), 'spelunk-distinct-'));
      await e.load([trail(root, '111122223333', [event('a1', 'CreateUser', '2026-11-27T02:10:00Z'), event('a2', 'GetUser', '2026-11-27T02:11:00Z'), event('a3', 'ListUsers', '2026-11-27T02:12:00Z')])]);
      const run = async (id: string, params: Record<string, string>) => (await e.run(resolvedSpl(resolveSearch(id)), { now: SAMPLE_NOW, params })).rows.map((r) => r['eventID']);
      expect(await run('aws_activity_from_ip', { ip: '185.220.101.47' })).toEqual(['a3', 'a2', 'a1']);
      expect(await run('aws_investigate_user', { user: 'svc-backup' })).toEqual(['a3', 'a2', 'a1']);
      expect(await run('aws_investigate_access_key', { access_key_id: 'AKIAKVGAJJLMH55XUZRZ' })).toEqual(['a3', 'a2', 'a1']);
    });
  });
}
