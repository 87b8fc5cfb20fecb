// dedup's first row of each group found by a GROUP BY joined back on __seq (no window over every
// row's columns): the same rows as before, exact.
import { describe, expect, it } from 'vitest';
import { compileTrino } from '../src/compiler/trino-compile.js';
import { expectRows, sampleAndLanguage, SAMPLE_NOW, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

describe('dedup of one row per group', () => {
  it('keeps the first row in result order, after commands that renumber or repeat rows', async () => {
    await expectRows(data.sample, '| makeresults count=4 | streamstats count as n | eval k=n%2 | sort - n | dedup k | table n k', [{ n: 4, k: 0 }, { n: 3, k: 1 }]);
    await expectRows(data.sample, '| makeresults | eval x=split("a,b,a,c,b", ",") | mvexpand x | dedup x | table x', [{ x: 'a' }, { x: 'b' }, { x: 'c' }]);
    await expectRows(data.sample, '| makeresults count=2 | eval x=split("a,b", ",") | mvexpand x | dedup x | table x', [{ x: 'a' }, { x: 'b' }]);
  });

  it('keepempty=true keeps every row missing a key; without it they go', async () => {
    const base = '| makeresults count=5 | streamstats count as n | eval k=case(n==2 OR n==4, null(), n==5, "b", true(), "a")';
    await expectRows(data.sample, `${base} | dedup k keepempty=true | table n k`, [{ n: 1, k: 'a' }, { n: 2, k: null }, { n: 4, k: null }, { n: 5, k: 'b' }]);
    await expectRows(data.sample, `${base} | dedup k | table n k`, [{ n: 1, k: 'a' }, { n: 5, k: 'b' }]);
    await expectRows(data.sample, `${base} | eval j=if(n==1, null(), "x") | dedup k j keepempty=true | table n k j`, [{ n: 1, k: 'a', j: null }, { n: 2, k: null, j: 'x' }, { n: 3, k: 'a', j: 'x' }, { n: 4, k: null, j: 'x' }, { n: 5, k: 'b', j: 'x' }]);
  });

  it('groups multivalue keys as whole lists, and the events by a field', async () => {
    await expectRows(data.sample, '| makeresults count=3 | streamstats count as n | eval m=if(n==2, split("p,q", ","), split("p,q,r", ",")) | dedup m | table n', [{ n: 1 }, { n: 2 }]);
    await expectRows(data.sample, 'eventName=GetSessionToken | dedup user | table user', [{ user: 'ana.ops' }, { user: 'svc-backup' }, { user: 'dev.sam' }]);
  });

  it('is a GROUP BY and a join, not a window; dedup 2 and consecutive keep the window', () => {
    expect(sqlOf('eventName=X | dedup eventID')).not.toContain('row_number()');
    expect(sqlOf('eventName=X | dedup 2 eventID')).toContain('row_number() OVER (PARTITION BY "eventID"');
    expect(sqlOf('eventName=X | dedup eventID consecutive=true')).toContain('lag(');
    // Athena/Trino print the same plan steps.
    const trino = compileTrino('eventName=X | dedup eventID keepempty=true', { now: SAMPLE_NOW }).sql;
    expect(trino).toMatch(/min\("__seq"\) AS "__dfirst"/);
    expect(trino).not.toContain('PARTITION BY');
  });
});

describe('dedup over a location search', () => {
  it('gives the same rows as the window it replaced', async () => {
    const spl = 'eventName=* | iplocation sourceIPAddress | search Country=* | dedup sourceIPAddress | table sourceIPAddress Country City';
    const expected = (await data.sample.run(spl, { now: SAMPLE_NOW })).rows;
    expect(expected.length).toBeGreaterThan(1);
    await expectRows(data.sample, spl.replace('dedup sourceIPAddress', 'streamstats count as n by sourceIPAddress | where n=1'), expected);
  });
});
