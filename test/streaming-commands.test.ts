// reverse, accum, delta, autoregress, filldown, strcat: commands that read earlier results, in
// result order. Behaviour from Splunk's Search Reference page of each command (cited below).
import { describe, expect, it } from 'vitest';
import { expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

const SOURCES = '* | stats count by eventSource | head 5';

describe('reverse', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/reverse
  it('gives the results in the opposite order', async () => {
    await expectRows(data.sample, `${SOURCES} | reverse | table eventSource`, [
      { eventSource: 'guardduty.amazonaws.com' }, { eventSource: 'ecr.amazonaws.com' }, { eventSource: 'ec2.amazonaws.com' },
      { eventSource: 'cloudtrail.amazonaws.com' }, { eventSource: 'cloudformation.amazonaws.com' },
    ]);
    await expectRows(data.sample, 'eventName=GetSessionToken | reverse | head 3 | table user', [{ user: 'ana.ops' }, { user: 'ana.ops' }, { user: 'dev.sam' }]);
  });

  it('renumbers the rows, newest last', () => {
    expect(sqlOf('| makeresults count=2 | reverse')).toContain('SELECT * REPLACE (row_number() OVER (ORDER BY "__seq" DESC NULLS LAST) AS "__seq") FROM s0');
  });
});

describe('accum, delta, autoregress', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/accum
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/delta
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/autoregress
  it('running total, difference from p results before, copies of earlier values (names x_pN, delta(x))', async () => {
    await expectRows(data.sample, `${SOURCES} | reverse | accum count as total | delta count | delta count as d2 p=2 | autoregress eventSource p=2 | table eventSource count total "delta(count)" d2 eventSource_p2`, [
      { eventSource: 'guardduty.amazonaws.com', count: 6, total: 6, 'delta(count)': null, d2: null, eventSource_p2: null },
      { eventSource: 'ecr.amazonaws.com', count: 8, total: 14, 'delta(count)': 2, d2: null, eventSource_p2: null },
      { eventSource: 'ec2.amazonaws.com', count: 62, total: 76, 'delta(count)': 54, d2: 56, eventSource_p2: 'guardduty.amazonaws.com' },
      { eventSource: 'cloudtrail.amazonaws.com', count: 4, total: 80, 'delta(count)': -58, d2: -4, eventSource_p2: 'ecr.amazonaws.com' },
      { eventSource: 'cloudformation.amazonaws.com', count: 12, total: 92, 'delta(count)': 8, d2: -50, eventSource_p2: 'ec2.amazonaws.com' },
    ]);
  });

  it('only numbers count: accum in place keeps a non-number, delta next to one is null; autoregress p=1-2', async () => {
    await expectRows(data.sample, '| makeresults count=4 | streamstats count as n | eval v=if(n==2, "x", n*10) | accum v | delta v as d | autoregress n p=1-2 | table n v d n_p1 n_p2', [
      { n: 1, v: '10', d: null, n_p1: null, n_p2: null },
      { n: 2, v: 'x', d: null, n_p1: 1, n_p2: null },
      { n: 3, v: '40', d: null, n_p1: 2, n_p2: 1 },
      { n: 4, v: '80', d: 40, n_p1: 3, n_p2: 2 },
    ]);
  });

  it('refuses what it cannot do, at the argument', () => {
    expect(() => sqlOf('* | autoregress x as y p=1-3')).toThrow('autoregress "as" names one copy');
    expect(() => sqlOf('* | autoregress x p=3-1')).toThrow('p= takes a number or a range');
    expect(() => sqlOf('* | delta x p=0')).toThrow('p= must be at least 1');
    expect(() => sqlOf('* | accum a b')).toThrow('accum takes one field');
  });

  it('golden SQL: a window over the rows in order', () => {
    expect(sqlOf('| makeresults | eval x=1 | accum x | delta x p=3')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT 1795824000::DOUBLE AS "_time", range + 1 AS "__seq" FROM range(1)
      ),
      s2 AS (
        SELECT *, CASE WHEN 1::DOUBLE IS NOT NULL THEN sum(1::DOUBLE) OVER (ORDER BY "__seq" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) ELSE 1::DOUBLE END AS "x" FROM s0
      ),
      s3 AS (
        SELECT *, "x" - lag("x", 3) OVER (ORDER BY "__seq") AS "delta(x)" FROM s2
      )
      SELECT "_time", "x", "delta(x)"
      FROM s3
      ORDER BY "__seq""
    `);
  });
});

describe('filldown', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/filldown
  it('fills a missing value with the last one before it; every field when none is named', async () => {
    const base = '| makeresults count=4 | streamstats count as n | eval a=if(n%2==1, n, null()), b=if(n==1, "first", null())';
    await expectRows(data.sample, `${base} | filldown a | table n a b`, [
      { n: 1, a: 1, b: 'first' }, { n: 2, a: 1, b: null }, { n: 3, a: 3, b: null }, { n: 4, a: 3, b: null },
    ]);
    await expectRows(data.sample, `${base} | filldown | table n a b`, [
      { n: 1, a: 1, b: 'first' }, { n: 2, a: 1, b: 'first' }, { n: 3, a: 3, b: 'first' }, { n: 4, a: 3, b: 'first' },
    ]);
  });
});

describe('strcat', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/strcat
  it('joins fields and quoted strings; a missing field is empty, or with allrequired=t nothing is written', async () => {
    await expectRows(data.sample, 'eventName=GetSessionToken | head 1 | strcat eventSource ":" eventName call | strcat user "@" nope at | strcat allrequired=t user "@" nope strict | table call at strict', [
      { call: 'sts.amazonaws.com:GetSessionToken', at: 'ana.ops@', strict: null },
    ]);
    await expectRows(data.sample, '| makeresults | eval strict="kept" | strcat allrequired=t nope "x" strict | table strict', [{ strict: 'kept' }]);
  });

  it('needs a target field', () => {
    expect(() => sqlOf('* | strcat a "b"')).toThrow('the last argument of strcat is the field to write');
    expect(() => sqlOf('* | strcat a')).toThrow('strcat needs the fields');
  });
});

describe('nomv, rangemap', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/nomv
  it('nomv joins a multivalue field\'s values with newlines and leaves a single value alone', async () => {
    await expectRows(data.sample, '| makeresults | eval l=split("a,b,c", ","), s="x" | nomv l | nomv s | table l s', [{ l: 'a\nb\nc', s: 'x' }]);
  });

  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/rangemap
  it('rangemap names the inclusive range a number falls in, every name where ranges overlap, else default (None)', async () => {
    await expectRows(data.sample, `${SOURCES} | rangemap field=count low=0-6 mid=7-12 | eval r1=range | rangemap field=count a=0-8 b=8-100 default=none | table eventSource count r1 range`, [
      { eventSource: 'cloudformation.amazonaws.com', count: 12, r1: 'mid', range: ['b'] },
      { eventSource: 'cloudtrail.amazonaws.com', count: 4, r1: 'low', range: ['a'] },
      { eventSource: 'ec2.amazonaws.com', count: 62, r1: 'None', range: ['b'] },
      { eventSource: 'ecr.amazonaws.com', count: 8, r1: 'mid', range: ['a', 'b'] },
      { eventSource: 'guardduty.amazonaws.com', count: 6, r1: 'low', range: ['a'] },
    ]);
    await expectRows(data.sample, '| makeresults | eval v="n/a" | rangemap field=v neg=-5--1 default=unknown | table range', [{ range: 'unknown' }]);
    // The ranges are optional: with none, nothing matches and every row gets the default (DuckDB
    // was given a CASE with no WHEN: a parser error).
    await expectRows(data.sample, '| makeresults | eval v=3 | rangemap field=v default=X | rangemap field=v | eval d=range | table d', [{ d: 'None' }]);
    await expectRows(data.sample, '| makeresults | eval v=3 | rangemap field=v default=X | table range', [{ range: 'X' }]);
  });

  it('rangemap refuses a range it cannot read', () => {
    expect(() => sqlOf('* | rangemap field=x low=5-1')).toThrow('low= takes a range low-high with low <= high');
    expect(() => sqlOf('* | rangemap low=1-5')).toThrow('rangemap needs field=');
  });
});
