// streamstats resets (reset_on_change, reset_before, reset_after), running distinct counts and
// value sets in one ordered pass, and timechart's cap on time buckets.
// streamstats: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
import { describe, expect, it } from 'vitest';
import { EngineError } from '../src/engine/engine.js';
import { SAMPLE_NOW, expectRows, sampleAndLanguage } from './helpers.js';

const data = sampleAndLanguage();
const GST = 'eventName=GetSessionToken';

async function failure(spl: string): Promise<Error> {
  try {
    await data.sample.run(spl, { now: SAMPLE_NOW });
  } catch (e) {
    return e as Error;
  }
  throw new Error(`ran: ${spl}`);
}

describe('streamstats resets', () => {
  // The eight GetSessionToken calls in result order are by ana.ops, svc-backup, ana.ops, dev.sam,
  // ana.ops, dev.sam, ana.ops, ana.ops.
  const rows = (users: string[], n: number[]) => users.map((user, i) => ({ user, n: n[i] }));
  const USERS = ['ana.ops', 'svc-backup', 'ana.ops', 'dev.sam', 'ana.ops', 'dev.sam', 'ana.ops', 'ana.ops'];

  it('reset_on_change restarts every statistic when a by-field changes from one result to the next', async () => {
    await expectRows(data.sample, `${GST} | streamstats count as n by user | table user n`, rows(USERS, [1, 1, 2, 1, 3, 2, 4, 5]));
    await expectRows(data.sample, `${GST} | streamstats reset_on_change=true count as n by user | table user n`, rows(USERS, [1, 1, 1, 1, 1, 1, 1, 2]));
  });

  it('a result missing a by-field gets no statistics and does not reset: reset_on_change compares with the last result that has them', async () => {
    // The streamstats page, reset_on_change: only events with all of the by-fields trigger a
    // reset, the others are ignored (the null result reset the count twice: 1,2,1,1,1). That such
    // a result gets no count, as stats and eventstats leave it out, rests on memory of Splunk.
    const spl = (reset: string) => `| makeresults count=5 | streamstats count as n | eval shift=case(n<=2, "DAY", n==4, "DAY", n==5, "NIGHT") | streamstats ${reset} count as c sum(n) as s by shift | table n shift c s`;
    await expectRows(data.sample, spl('reset_on_change=true'), [
      { n: 1, shift: 'DAY', c: 1, s: 1 }, { n: 2, shift: 'DAY', c: 2, s: 3 }, { n: 3, shift: null, c: null, s: null },
      { n: 4, shift: 'DAY', c: 3, s: 7 }, { n: 5, shift: 'NIGHT', c: 1, s: 5 },
    ]);
    await expectRows(data.sample, spl(''), [
      { n: 1, shift: 'DAY', c: 1, s: 1 }, { n: 2, shift: 'DAY', c: 2, s: 3 }, { n: 3, shift: null, c: null, s: null },
      { n: 4, shift: 'DAY', c: 3, s: 7 }, { n: 5, shift: 'NIGHT', c: 1, s: 5 },
    ]);
  });

  it('reset_before restarts at a result where the condition holds, reset_after at the one after it', async () => {
    await expectRows(data.sample, `${GST} | streamstats reset_before="user=\\"dev.sam\\"" count as n | table user n`, rows(USERS, [1, 2, 3, 1, 2, 1, 2, 3]));
    await expectRows(data.sample, `${GST} | streamstats reset_after="user=\\"dev.sam\\"" count as n | table user n`, rows(USERS, [1, 2, 3, 4, 1, 2, 1, 2]));
    await expectRows(data.sample, `${GST} | streamstats reset_after="user=\\"dev.sam\\"" dc(user) as n | table user n`, rows(USERS, [1, 2, 2, 3, 1, 2, 1, 1]));
  });

  it('a reset condition on a statistic the command computes is refused by name, not ignored', async () => {
    const e = await failure(`${GST} | streamstats reset_after="n>=3" count as n`);
    expect(e.message).toMatch(/reset_after on n, a statistic this streamstats computes, is not supported yet/);
  });
});

describe('streamstats window= with by-fields', () => {
  // Splunk's streamstats page: global (default true) applies when window= is set; true keeps one
  // window of the last N results for every group, false a separate window per by-group. Under the
  // default each result's statistics are over the results of its own group among the last N.
  // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
  const USERS = ['ana.ops', 'svc-backup', 'ana.ops', 'dev.sam', 'ana.ops', 'dev.sam', 'ana.ops', 'ana.ops'];
  const rows = (n: number[]) => USERS.map((user, i) => ({ user, n: n[i] }));

  it('is one window over the stream by default (global=true), counting the group within it', async () => {
    await expectRows(data.sample, `${GST} | streamstats window=2 count as n by user | table user n`, rows([1, 1, 1, 1, 1, 1, 1, 2]));
    await expectRows(data.sample, `${GST} | streamstats window=2 global=true count as n by user | table user n`, rows([1, 1, 1, 1, 1, 1, 1, 2]));
    await expectRows(data.sample, `${GST} | streamstats window=2 current=f count as n by user | table user n`, rows([0, 0, 1, 0, 1, 1, 1, 1]));
  });

  it('is a window per group with global=false', async () => {
    await expectRows(data.sample, `${GST} | streamstats window=2 global=false count as n by user | table user n`, rows([1, 1, 2, 1, 2, 2, 2, 2]));
  });

  it('time_window= with window= and by-fields is refused unless global=false', async () => {
    const e = await failure(`${GST} | streamstats time_window=1d window=2 count as n by user`);
    expect(e.message).toMatch(/supported with global=false only/);
    await expectRows(data.sample, `${GST} | streamstats time_window=30d window=2 global=false count as n by user | table user n`, rows([1, 1, 2, 1, 2, 2, 2, 2]));
  });
});

describe('running distinct statistics', () => {
  it('dc and values without a window agree with stats over the whole stream, by group and after resets', async () => {
    await expectRows(data.sample, '* | streamstats dc(eventName) as n by recipientAccountId | stats max(n) as n by recipientAccountId', [
      { recipientAccountId: '111122223333', n: 23 }, { recipientAccountId: '222233334444', n: 14 }, { recipientAccountId: '444455556666', n: 5 },
    ]);
    await expectRows(data.sample, '* | stats dc(eventName) as n by recipientAccountId', [
      { recipientAccountId: '111122223333', n: 23 }, { recipientAccountId: '222233334444', n: 14 }, { recipientAccountId: '444455556666', n: 5 },
    ]);
    await expectRows(data.sample, `${GST} | streamstats values(user) as u dc(user) as n | table u n`, [
      { u: ['ana.ops'], n: 1 }, { u: ['ana.ops', 'svc-backup'], n: 2 }, { u: ['ana.ops', 'svc-backup'], n: 2 },
      { u: ['ana.ops', 'dev.sam', 'svc-backup'], n: 3 }, { u: ['ana.ops', 'dev.sam', 'svc-backup'], n: 3 }, { u: ['ana.ops', 'dev.sam', 'svc-backup'], n: 3 },
      { u: ['ana.ops', 'dev.sam', 'svc-backup'], n: 3 }, { u: ['ana.ops', 'dev.sam', 'svc-backup'], n: 3 },
    ]);
    await expectRows(data.sample, `${GST} | streamstats current=false dc(user) as n | table n`, [null, 1, 2, 2, 3, 3, 3, 3].map((n) => ({ n })));
    await expectRows(data.sample, `${GST} | eval u=if(user="svc-backup", null(), user) | streamstats dc(u) as n | table n`, [1, 1, 1, 2, 2, 2, 2, 2].map((n) => ({ n })));
  });
});

describe('timechart buckets', () => {
  const far = '| makeresults count=2 | streamstats count as i | eval _time=if(i=1, 1767225600, 5680281600)';

  it('a span that would make more than 50,000 buckets is an error naming the limit, as in Splunk', async () => {
    const e = await failure(`${far} | timechart span=1h count`);
    expect(e).toBeInstanceOf(EngineError);
    expect(e.message).toMatch(/timechart: the span would make 1086961 time buckets from the first event to the last, more than 50000: give a larger span=/);
  });

  it('spans under the limit fill every bucket from 2026 to 2150', async () => {
    await expectRows(data.sample, `${far} | timechart span=1d count | stats count as buckets sum(count) as events`, [{ buckets: 45291, events: 2 }]);
    await expectRows(data.sample, `${far} | timechart span=1mon count | stats count as buckets min(_time) as first max(_time) as last`, [{ buckets: 1489, first: 1767225600, last: 5680281600 }]);
    await expectRows(data.sample, `${far} | timechart span=3mon count | stats count as buckets`, [{ buckets: 497 }]);
  });
});
