// transaction, by Splunk's Search Reference page
// (https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/transaction):
// grouping by fields, maxpause, maxspan and maxevents (cut from the newest event, as Splunk reads
// newest first), startswith/endswith and eviction, duration and eventcount, newest first.
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();
// GetSessionToken in the sample, oldest first: ana.ops 11-20 16:22:45, 11-23 16:11:05,
// 11-24 16:13:58, 11-25 16:26:06, 11-27 16:01:16; dev.sam 11-24 10:20:03, 11-25 09:02:18;
// svc-backup 11-27 02:04:22.
const GST = 'eventName=GetSessionToken';
const T = '| eval t=strftime(_time, "%m-%d %H:%M")';

describe('transaction', () => {
  it('by a field with maxpause: duration last minus first, eventcount, merged values; newest transaction first', async () => {
    await expectRows(data.sample, `${GST} | transaction user maxpause=2d ${T} | table t user duration eventcount eventName`, [
      { t: '11-27 02:04', user: 'svc-backup', duration: 0, eventcount: 1, eventName: ['GetSessionToken'] },
      { t: '11-24 10:20', user: 'dev.sam', duration: 81735, eventcount: 2, eventName: ['GetSessionToken'] },
      { t: '11-23 16:11', user: 'ana.ops', duration: 345011, eventcount: 4, eventName: ['GetSessionToken'] },
      { t: '11-20 16:22', user: 'ana.ops', duration: 0, eventcount: 1, eventName: ['GetSessionToken'] },
    ]);
  });

  it('maxspan cuts from the newest event back; maxevents caps a transaction', async () => {
    await expectRows(data.sample, `${GST} user=ana.ops | transaction user maxspan=2d ${T} | table t duration eventcount`, [
      { t: '11-25 16:26', duration: 171310, eventcount: 2 },
      { t: '11-23 16:11', duration: 86573, eventcount: 2 },
      { t: '11-20 16:22', duration: 0, eventcount: 1 },
    ]);
    await expectRows(data.sample, `${GST} user=ana.ops | transaction user maxevents=3 ${T} | table t eventcount`, [
      { t: '11-24 16:13', eventcount: 3 },
      { t: '11-20 16:22', eventcount: 2 },
    ]);
  });

  it('startswith opens a transaction; one without its start is evicted, or kept with closed_txn=0', async () => {
    await expectRows(data.sample, `${GST} | transaction user maxspan=1d startswith="user=ana.ops" keepevicted=t ${T} | table t user eventcount closed_txn`, [
      { t: '11-27 16:01', user: 'ana.ops', eventcount: 1, closed_txn: 1 },
      { t: '11-27 02:04', user: 'svc-backup', eventcount: 1, closed_txn: 0 },
      { t: '11-25 16:26', user: 'ana.ops', eventcount: 1, closed_txn: 1 },
      { t: '11-24 16:13', user: 'ana.ops', eventcount: 1, closed_txn: 1 },
      { t: '11-24 10:20', user: 'dev.sam', eventcount: 2, closed_txn: 0 },
      { t: '11-23 16:11', user: 'ana.ops', eventcount: 1, closed_txn: 1 },
      { t: '11-20 16:22', user: 'ana.ops', eventcount: 1, closed_txn: 1 },
    ]);
    await expectRows(data.sample, `${GST} | transaction user startswith="user=ana.ops" | stats count`, [{ count: 5 }]);
  });

  it('endswith=eval(...) closes a transaction at its event; with no fields every event is one stream', async () => {
    await expectRows(data.sample, `${GST} | eval h=tonumber(strftime(_time, "%H")) | transaction endswith=eval(h>=16) ${T} | table t duration eventcount h`, [
      { t: '11-27 02:04', duration: 50214, eventcount: 2, h: ['16', '2'] },
      { t: '11-25 09:02', duration: 26628, eventcount: 2, h: ['16', '9'] },
      { t: '11-24 10:20', duration: 21235, eventcount: 2, h: ['10', '16'] },
      { t: '11-23 16:11', duration: 0, eventcount: 1, h: ['16'] },
      { t: '11-20 16:22', duration: 0, eventcount: 1, h: ['16'] },
    ]);
  });

  it('refuses options it does not run, by name', () => {
    expect(() => sqlOf('* | transaction user unifyends=t')).toThrow('transaction unifyends= is not supported');
    expect(() => sqlOf('* | transaction user connected=f')).toThrow('transaction connected=f is not supported');
    expect(() => sqlOf('* | transaction user maxspan=soon')).toThrow('maxspan= takes a duration');
    expect(() => sqlOf('* | transaction user startswith=eval(')).toThrow();
  });

  it('several fields: an event carrying only some of them is an error, not silently left out (Splunk links it, connected=t)', async () => {
    // connected=t (the default) lets an event with some of the fields join a transaction it
    // agrees with; spelunk cannot, so it says so instead of answering without those events.
    const partial = '| makeresults count=3 | streamstats count as i | eval a="x", b=if(i=2, null(), "y")';
    await expect(data.sample.run(`${partial} | transaction a b`)).rejects.toThrow(/transaction a b: an event carries some of these fields but not all; Splunk would link it to a matching transaction \(connected=t\)/);
    // With the partial events filtered out first, Splunk and spelunk agree.
    await expectRows(data.sample, `${partial} | where isnotnull(a) AND isnotnull(b) | transaction a b | table a b eventcount`, [{ a: 'x', b: 'y', eventcount: 2 }]);
    // Events with none of the fields are in no transaction, as before.
    await expectRows(data.sample, '| makeresults count=3 | streamstats count as i | eval a=if(i=2, null(), "x"), b=if(i=2, null(), "y") | transaction a b | table a b eventcount', [{ a: 'x', b: 'y', eventcount: 2 }]);
  });

  it('carries the add-on fields and the nested paths of its events, merged like every other field', async () => {
    // Splunk extracts both from each event before the pipeline (the add-on's EVAL/LOOKUP/
    // FIELDALIAS, KV_MODE=json): each is the distinct values of the transaction's events, sorted.
    await expectRows(data.sample, `${GST} user=dev.sam | transaction user maxpause=2d | table user eventcount action status src user_type userIdentity.arn responseElements.credentials.accessKeyId`, [
      { user: 'dev.sam', eventcount: 2, action: ['failure', 'success'], status: ['failure', 'success'], src: ['2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', '91.64.112.45'], user_type: ['IAMUser'], 'userIdentity.arn': ['arn:aws:iam::222233334444:user/dev.sam'], 'responseElements.credentials.accessKeyId': ['ASIANDXRTLUUFCF36VU3'] },
    ]);
    await expectRows(data.sample, 'eventName=CreateAccessKey | transaction eventID | stats count by action status', [
      { action: 'modified', status: 'failure', count: 1 },
      { action: 'modified', status: 'success', count: 3 },
    ]);
    await expectRows(data.sample, 'eventName=CreateAccessKey errorCode=AccessDenied | transaction userIdentity.arn maxspan=1h | table eventcount errorCode requestParameters.userName', [
      { eventcount: 1, errorCode: ['AccessDenied'], 'requestParameters.userName': ['build-bot'] },
    ]);
  });

  it('table * and a wildcard list the fields its events have, nested paths included, as over the events', async () => {
    // Before, `table *` listed every add-on field (empty ones too) and no nested path, and
    // `table requestParameters.*` listed nothing: the transaction's events were there, their
    // fields not shown.
    const columns = async (spl: string) => Object.keys((await data.sample.run(spl)).rows[0]!).sort();
    const events = await columns('eventName=CreateAccessKey errorCode=AccessDenied | table *');
    expect(events).toContain('requestParameters.userName');
    expect(events).not.toContain('image_id');
    expect(await columns('eventName=CreateAccessKey errorCode=AccessDenied | transaction eventID | table *')).toEqual([...events, '_time', 'duration', 'eventcount'].sort());
    await expectRows(data.sample, 'eventName=CreateAccessKey | transaction userIdentity.arn | table userIdentity.arn requestParameters.* responseElements.accessKey.a*', [
      { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/svc-backup', 'requestParameters.userName': ['ci-deployer'], 'responseElements.accessKey.accessKeyId': ['AKIAKNNDIEJJ2SOZ55IX'] },
      { 'userIdentity.arn': 'arn:aws:iam::222233334444:user/dev.sam', 'requestParameters.userName': ['build-bot'], 'responseElements.accessKey.accessKeyId': null },
      { 'userIdentity.arn': 'arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_AdministratorAccess_1b9e44c07d2a6f31/tom.becker@example.com', 'requestParameters.userName': ['svc-legacy-ftp'], 'responseElements.accessKey.accessKeyId': ['AKIAVDRLHGPITZF6DJQY'] },
      { 'userIdentity.arn': 'arn:aws:iam::111122223333:user/ana.ops', 'requestParameters.userName': ['svc-reporting'], 'responseElements.accessKey.accessKeyId': ['AKIAOD6VDVW7ZAFP2LVD'] },
    ]);
  });

  it('mvlist=t: the add-on fields and nested paths give every value in time order', async () => {
    await expectRows(data.sample, `${GST} | transaction user maxpause=2d mvlist=t ${T} | search user=dev.sam OR eventcount=4 | table t action src responseElements.credentials.accessKeyId`, [
      { t: '11-24 10:20', action: ['success', 'failure'], src: ['2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', '91.64.112.45'], 'responseElements.credentials.accessKeyId': ['ASIANDXRTLUUFCF36VU3'] },
      { t: '11-23 16:11', action: ['success', 'success', 'success', 'success'], src: ['73.158.64.21', '73.158.64.21', '73.158.64.21', '73.158.64.21'], 'responseElements.credentials.accessKeyId': ['ASIAY6HSOC6YPJRPEMIX', 'ASIAAOGSBAYASXIR2FZJ', 'ASIANIGSY7UXS2OZ67IA', 'ASIAXKJNNLXKFVK4S5DX'] },
    ]);
  });

  it('prints only the merged fields a later command reads (the SQL of every add-on field cost DuckDB 0.15 CPU-s to bind)', () => {
    const few = sqlOf('* | transaction eventID | table eventID');
    // (A name with capitals is printed with a mark after `^`: DuckDB folds the case of names.)
    expect(few).not.toMatch(/AS "(action|eventName|__tjson_requestParameters|_raw)[\^"]/);
    expect(few.length).toBeLessThan(8000);
    const read = sqlOf('* | transaction eventID | where isnotnull(requestParameters.userName) | table eventID action');
    expect(read).toMatch(/AS "action"/);
    expect(read).toMatch(/AS "__tjson_requestParameters[\^"]/);
    expect(read).not.toMatch(/AS "(status|__tjson_userIdentity)[\^"]/);
    // Every field, when every field is asked for.
    expect(sqlOf('* | transaction eventID | table *')).toMatch(/AS "status"/);
  });

  it('a transaction of transactions merges the event fields, add-on fields and nested objects they carried', async () => {
    await expectRows(data.sample, `${GST} user=ana.ops | transaction user maxpause=2d | transaction user | table user eventcount eventName action responseElements.credentials.accessKeyId`, [
      { user: 'ana.ops', eventcount: 2, eventName: ['GetSessionToken'], action: ['success'], 'responseElements.credentials.accessKeyId': ['ASIAAOGSBAYASXIR2FZJ', 'ASIANIGSY7UXS2OZ67IA', 'ASIAWAVXJUR3JJ5LGWAE', 'ASIAXKJNNLXKFVK4S5DX', 'ASIAY6HSOC6YPJRPEMIX'] },
    ]);
  });

  it('a transaction of transactions counts and spans its own members (their eventcount and duration were merged over its own: sum(eventcount) failed)', async () => {
    await expectRows(data.sample, `${GST} | transaction user maxpause=2d | transaction user | stats sum(eventcount) AS n max(duration) AS d count`, [{ n: 4, d: 258500, count: 3 }]);
  });

  it('explain names where a merged field comes from: the add-on, or the event as recorded', () => {
    const { origins } = compile('eventName=CreateAccessKey | transaction eventID | table action eventName requestParameters.userName', { now: 0 });
    expect(origins).toEqual({ action: { kind: 'addon', field: 'action' }, eventName: { kind: 'raw', path: 'eventName' }, 'requestParameters.userName': { kind: 'raw', path: 'requestParameters.userName' } });
  });
});
