// xyseries, untable, transpose, eventcount and fieldformat, by Splunk's Search Reference pages:
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/xyseries
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/untable
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/transpose
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/eventcount
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/fieldformat
import { describe, expect, it } from 'vitest';
import { expectRows, sampleAndLanguage, SAMPLE_NOW, sqlOf } from './helpers.js';

const data = sampleAndLanguage();
// In the sample: ana.ops 6 ConsoleLogin and 5 GetSessionToken; dev.sam 2 and svc-backup 1 GetSessionToken.
const LOGINS = 'eventName=GetSessionToken OR eventName=ConsoleLogin';

describe('xyseries', () => {
  it('stats n by x, y | xyseries x y n is chart n over x by y, an empty cell where there is no row', async () => {
    const expected = [
      { 'userIdentity.userName': 'ana.ops', ConsoleLogin: 6, GetSessionToken: 5 },
      { 'userIdentity.userName': 'dev.sam', ConsoleLogin: null, GetSessionToken: 2 },
      { 'userIdentity.userName': 'svc-backup', ConsoleLogin: null, GetSessionToken: 1 },
    ];
    await expectRows(data.sample, `${LOGINS} | stats count by userIdentity.userName eventName | xyseries userIdentity.userName eventName count`, expected);
  });

  it('several data fields name their columns "data: value"', async () => {
    await expectRows(data.sample, `${LOGINS} | stats count dc(sourceIPAddress) as ips by userIdentity.userName eventName | search userIdentity.userName=dev.sam | xyseries userIdentity.userName eventName count ips`, [
      { 'userIdentity.userName': 'dev.sam', 'count: GetSessionToken': 2, 'ips: GetSessionToken': 2 },
    ]);
  });

  it('needs three fields (sep= and format=: test/chart-naming.test.ts)', () => {
    expect(() => sqlOf('* | xyseries a b')).toThrow('xyseries takes the x-field');
  });
});

describe('untable', () => {
  it('turns a chart back into one row per (x, column), in row then column order', async () => {
    await expectRows(data.sample, `${LOGINS} | chart count over userIdentity.userName by eventName | untable userIdentity.userName eventName count`, [
      ['ana.ops', 'ConsoleLogin', 6], ['ana.ops', 'GetSessionToken', 5], ['dev.sam', 'ConsoleLogin', 0],
      ['dev.sam', 'GetSessionToken', 2], ['svc-backup', 'ConsoleLogin', 0], ['svc-backup', 'GetSessionToken', 1],
    ].map(([u, e, c]) => ({ 'userIdentity.userName': u, eventName: e, count: c })));
  });

  it('an empty cell gives no row; xyseries then untable gives back the stats rows', async () => {
    await expectRows(data.sample, `${LOGINS} | stats count by userIdentity.userName eventName | xyseries userIdentity.userName eventName count | untable userIdentity.userName eventName count`, [
      ['ana.ops', 'ConsoleLogin', 6], ['ana.ops', 'GetSessionToken', 5], ['dev.sam', 'GetSessionToken', 2], ['svc-backup', 'GetSessionToken', 1],
    ].map(([u, e, c]) => ({ 'userIdentity.userName': u, eventName: e, count: c })));
  });

  it('a multivalue field keeps every value (its first value only before)', async () => {
    // The untable page: every value of the fields other than the x-field becomes a value of the
    // data field; nothing there drops a multivalue field's other values (Splunk keeps a field's
    // values together: from memory of its results, not a sentence of the page). A value is a
    // one-value list where the field is multivalue in some rows, as eval's if() makes it.
    await expectRows(data.sample, '| makeresults count=2 | streamstats count as n | eval b=n*2, c=if(n==1, split("x,y", ","), "z") | fields - _time | untable n name value | eval k=mvcount(value)', [
      { n: 1, name: 'b', value: ['2'], k: 1 }, { n: 1, name: 'c', value: ['x', 'y'], k: 2 },
      { n: 2, name: 'b', value: ['4'], k: 1 }, { n: 2, name: 'c', value: ['z'], k: 1 },
    ]);
  });
});

describe('transpose', () => {
  it('one row per field, a column per result (at most 5 by default)', async () => {
    await expectRows(data.sample, 'eventName=GetSessionToken | stats count by userIdentity.userName | transpose', [
      { column: 'userIdentity.userName', 'row 1': 'ana.ops', 'row 2': 'dev.sam', 'row 3': 'svc-backup' },
      { column: 'count', 'row 1': '5', 'row 2': '2', 'row 3': '1' },
    ]);
    await expectRows(data.sample, '| makeresults count=7 | streamstats count as n | fields - _time | transpose', [
      { column: 'n', 'row 1': '1', 'row 2': '2', 'row 3': '3', 'row 4': '4', 'row 5': '5' },
    ]);
  });

  it('header_field= names the columns, column_name= the first; include_empty=f drops empty fields', async () => {
    await expectRows(data.sample, 'eventName=GetSessionToken | stats count by userIdentity.userName | transpose header_field=userIdentity.userName column_name=what', [
      { what: 'count', 'ana.ops': '5', 'dev.sam': '2', 'svc-backup': '1' },
    ]);
    await expectRows(data.sample, 'eventName=GetSessionToken | stats count by userIdentity.userName | eval e=null() | transpose 2 include_empty=f', [
      { column: 'userIdentity.userName', 'row 1': 'ana.ops', 'row 2': 'dev.sam' },
      { column: 'count', 'row 1': '5', 'row 2': '2' },
    ]);
  });

  it('a multivalue field keeps every value in its cells (its first value only before)', async () => {
    // The transpose page says nothing of multivalue fields; a cell keeping the values together is
    // from memory of Splunk's results. Where a field is multivalue every cell is a list.
    await expectRows(data.sample, '| makeresults count=2 | streamstats count as n | eval x=if(n==1, split("a,b", ","), "c") | fields - _time | transpose', [
      { column: 'n', 'row 1': ['1'], 'row 2': ['2'] },
      { column: 'x', 'row 1': ['a', 'b'], 'row 2': ['c'] },
    ]);
  });

  it('transpose 0 turns every result into a column (the transpose page: 0 is all rows; it was refused)', async () => {
    await expectRows(data.sample, '| makeresults count=7 | streamstats count as n | fields - _time | transpose 0', [
      { column: 'n', ...Object.fromEntries(Array.from({ length: 7 }, (_v, i) => [`row ${i + 1}`, String(i + 1)])) },
    ]);
    // A column per result is SQL text: past 1000 results spelunk says so rather than cut.
    await expect(data.sample.run('| makeresults count=1001 | streamstats count as n | fields - _time | transpose 0', { now: SAMPLE_NOW }))
      .rejects.toThrow('transpose 0: more than 1000 results, each a column');
  });
});

describe('eventcount', () => {
  it('counts the loaded events, by index with summarize=f; index= takes wildcards', async () => {
    await expectRows(data.sample, '| eventcount', [{ count: 515 }]);
    await expectRows(data.sample, '| eventcount summarize=f', [{ count: 515, index: 'main' }]);
    await expectRows(data.sample, '| eventcount index=ma* summarize=f', [{ count: 515, index: 'main' }]);
    await expectRows(data.sample, '| eventcount index=aws', [{ count: 0 }]);
  });

  it('refuses a time range (spelunk would read only the files in it; Splunk counts all time)', async () => {
    await expect(data.sample.run('| eventcount', { now: SAMPLE_NOW, earliest: SAMPLE_NOW - 3600 })).rejects.toThrow('eventcount counts every loaded event whatever the time range');
  });
});

describe('fieldformat', () => {
  it('formats what is shown; sort and where still see the number', async () => {
    await expectRows(data.sample, 'index=* | stats count by eventName | fieldformat count=tostring(count*1000, "commas") | sort - count | head 3', [
      { eventName: 'AssumeRole', count: '101,000' }, { eventName: 'GenerateDataKey', count: '72,000' }, { eventName: 'PutObject', count: '72,000' },
    ]);
    await expectRows(data.sample, 'index=* | stats count by eventName | fieldformat count="n=".count | where count > 70 | eval c2=count', [
      { eventName: 'AssumeRole', count: 'n=101', c2: 101 }, { eventName: 'GenerateDataKey', count: 'n=72', c2: 72 }, { eventName: 'PutObject', count: 'n=72', c2: 72 },
    ]);
  });

  it('applies to the final value, and not from inside a subsearch', async () => {
    await expectRows(data.sample, '| makeresults | eval x=5 | fieldformat x=x*2 | eval x=x+1 | table x', [{ x: 12 }]);
    await expectRows(data.sample, '| makeresults | eval x=5 | append [| makeresults | eval x=1 | fieldformat x="sub"] | table x', [{ x: 5 }, { x: 1 }]);
  });

  it('golden SQL: one step at the end; a bad expression is an error with its caret', () => {
    expect(sqlOf('| makeresults | eval x=5 | fieldformat x=x*2 | eval y=x', { source: '| makeresults | eval x=5 | fieldformat x=x*2 | eval y=x', stepwise: true })).toContain('s3 AS (\n  SELECT * REPLACE ("x" * 2::DOUBLE AS "x") FROM s2\n)\nSELECT "_time", "x", "y"');
    expect(() => sqlOf('| makeresults | fieldformat x=nosuch(1)', { source: '| makeresults | fieldformat x=nosuch(1)' })).toThrow('unknown eval function nosuch()');
  });
});

describe('concurrency', () => {
  // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/concurrency
  it('events in progress at each start, itself included; zero or no duration counts only itself', async () => {
    // [100,115) [110,210) [120,120) [200,205) and one at 120 without a duration.
    const spl = '| makeresults count=5 | streamstats count as i | eval _time=case(i=1,100,i=2,110,i=3,120,i=4,200,i=5,120), d=case(i=1,15,i=2,100,i=3,0,i=4,5,i=5,null()) | concurrency duration=d | table i concurrency';
    await expectRows(data.sample, spl, [[1, 1], [2, 2], [3, 2], [4, 2], [5, 2]].map(([i, concurrency]) => ({ i, concurrency })));
  });

  it('start= and output=; an event ending exactly at another\'s start is no longer in progress', async () => {
    await expectRows(data.sample, '| makeresults count=3 | streamstats count as i | eval s=i*10, d=25 | concurrency duration=d start=s output=c | table i c', [{ i: 1, c: 1 }, { i: 2, c: 2 }, { i: 3, c: 3 }]);
    await expectRows(data.sample, '| makeresults count=2 | streamstats count as i | eval s=i*10, d=10 | concurrency duration=d start=s | table i concurrency', [{ i: 1, concurrency: 1 }, { i: 2, concurrency: 1 }]);
  });

  it('over real transactions: agrees with counting every pair', async () => {
    const result = await data.sample.run('index=* | transaction eventSource maxpause=1h | concurrency duration=duration | table _time duration concurrency', { now: SAMPLE_NOW });
    const rows = result.rows as { _time: number; duration: number; concurrency: number }[];
    const expected = rows.map((r) => rows.filter((o) => o !== r && o._time <= r._time && r._time < o._time + o.duration).length + 1);
    expect(rows.map((r) => r.concurrency)).toEqual(expected);
    expect(Math.max(...expected)).toBe(4);
  });

  it('needs duration=', () => {
    expect(() => sqlOf('* | concurrency')).toThrow('concurrency needs duration=');
  });
});
