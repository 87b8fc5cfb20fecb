// transaction, by Splunk's Search Reference page
// (https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/transaction):
// grouping by fields, maxpause, maxspan and maxevents (cut from the newest event, as Splunk reads
// newest first), startswith/endswith and eviction, duration and eventcount, newest first.
import { describe, expect, it } from 'vitest';
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
});
