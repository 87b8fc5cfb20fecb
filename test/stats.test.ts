// stats, eventstats, streamstats, top, rare: every aggregate, Splunk's default names, AS and BY.
import { describe, expect, it } from 'vitest';
import { expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

const GST = 'eventName=GetSessionToken';

describe('stats', () => {
  it('default names, AS, values sorted and distinct, list in input order, earliest/latest by _time, first/last by pipeline order', async () => {
    await expectRows(data.sample, `${GST} | stats count, count(result_id), values(src) as srcs, list(user), earliest(user), latest(user), first(src), last(src), earliest_time(user), latest_time(user) by eventName`, [
      {
        eventName: 'GetSessionToken', count: 8, 'count(result_id)': 1,
        srcs: ['185.220.101.47', '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', '73.158.64.21', '91.64.112.45'],
        'list(user)': ['ana.ops', 'svc-backup', 'ana.ops', 'dev.sam', 'ana.ops', 'dev.sam', 'ana.ops', 'ana.ops'],
        'earliest(user)': 'ana.ops', 'latest(user)': 'ana.ops', 'first(src)': '73.158.64.21', 'last(src)': '73.158.64.21',
        'earliest_time(user)': 1795191765, 'latest_time(user)': 1795795276,
      },
    ]);
  });

  it('numeric aggregates', async () => {
    await expectRows(data.sample, `${GST} | stats min(_time) max(_time) range(_time) avg(_time) mean(_time) median(_time) mode(user) sum(_time) dc(user) distinct_count(src) perc50(_time)`, [
      {
        'min(_time)': 1795191765, 'max(_time)': 1795795276, 'range(_time)': 603511, 'avg(_time)': 1795557014.125, 'mean(_time)': 1795557014.125,
        'median(_time)': 1795567088, 'mode(user)': 'ana.ops', 'sum(_time)': 14364456113, 'dc(user)': 3, 'distinct_count(src)': 4, 'perc50(_time)': 1795567088,
      },
    ]);
    await expectRows(data.lang, 'eventName=DescribeInstances | stats sum(requestParameters.maxResults) as s avg(requestParameters.maxResults) as a stdev(requestParameters.maxResults) as sd var(requestParameters.maxResults) as v perc50(requestParameters.maxResults) as p', [
      { s: 159, a: 53, sd: 45.574115460423364, v: 2077, p: 50 },
    ]);
  });

  it('rows without a by-field are left out; groups sorted by the by-fields', async () => {
    await expectRows(data.sample, 'eventName=AssumeRole | stats count by userIdentity.type, action', [
      { 'userIdentity.type': 'AWSAccount', action: 'success', count: 21 },
      { 'userIdentity.type': 'AWSService', action: 'success', count: 48 },
      { 'userIdentity.type': 'AssumedRole', action: 'success', count: 16 },
      { 'userIdentity.type': 'IAMUser', action: 'failure', count: 1 },
      { 'userIdentity.type': 'IAMUser', action: 'success', count: 15 },
    ]);
  });

  it('a multivalue field: values() flattens, count() counts values, by splits', async () => {
    await expectRows(data.lang, '* | stats values(resources{}.accountId) as a list(resources{}.accountId) as l count(resources{}.accountId) as n dc(resources{}.accountId) as d', [
      { a: ['111122223333', '999988887777'], l: ['111122223333', '999988887777', '111122223333'], n: 3, d: 2 },
    ]);
    await expectRows(data.lang, '* | stats count by resources{}.accountId', [
      { 'resources{}.accountId': '111122223333', count: 2 },
      { 'resources{}.accountId': '999988887777', count: 1 },
    ]);
  });

  it('numeric functions read every value of a multivalue field, as count() and values() do', async () => {
    // Splunk's statistical functions page (help.splunk.com, SPL search reference, "Statistical and
    // charting functions"): the values of a field are processed as numbers, non-numbers ignored;
    // a multivalue field gives each of its values (from memory of Splunk's behaviour: the page does
    // not spell out multivalue input). sum(m) read only the first value: 13, not 23.
    const mv = '| makeresults count=2 | streamstats count as n | eval m=if(n==1, split("3,5,x,5", ","), "10")';
    await expectRows(data.sample, `${mv} | stats count(m) as c sum(m) as s avg(m) as a min(m) as lo max(m) as hi range(m) as r sumsq(m) as sq median(m) as md var(m) as v varp(m) as vp perc50(m) as p mode(m) as mo | eval v=round(v, 6), vp=round(vp, 6)`, [
      { c: 5, s: 23, a: 5.75, lo: '3', hi: '10', r: 7, sq: 159, md: 5, v: 8.916667, vp: 6.6875, p: 5, mo: '5' },
    ]);
    await expectRows(data.sample, `${mv} | eventstats sum(m) as s | streamstats sum(m) as run | table n s run`, [
      { n: 1, s: 23, run: 13 },
      { n: 2, s: 23, run: 23 },
    ]);
  });

  it('list() keeps at most 100 values', async () => {
    await expectRows(data.sample, '* | stats list(eventID) as l | eval n=mvcount(l) | table n', [{ n: 100 }]);
  });

  it('golden SQL', () => {
    expect(sqlOf('eventName=AssumeRole | stats count values(src) as srcs earliest(userIdentity.userName) by userIdentity.type')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'AssumeRole', false)
      ),
      s1 AS (
        SELECT *, "__p_userIdentity.type" AS "__by0" FROM s0
      ),
      s3 AS (
        SELECT "__by0" AS "userIdentity.type", count(*) AS "count", list_sort(list_distinct(list("sourceIPAddress") FILTER (WHERE "sourceIPAddress" IS NOT NULL))) AS "srcs", arg_min("__p_userIdentity.userName", "_time") FILTER (WHERE "__p_userIdentity.userName" IS NOT NULL) AS "earliest(userIdentity.userName)^13.26" FROM s1
          WHERE "__by0" IS NOT NULL
          GROUP BY "__by0"
      ),
      s4 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("userIdentity.type" AS DOUBLE), "userIdentity.type") AS "__seq" FROM s3
      )
      SELECT "userIdentity.type", "count", "srcs", "earliest(userIdentity.userName)^13.26"
      FROM s4
      ORDER BY "__seq""
    `);
  });
});

describe('eventstats and streamstats', () => {
  it('eventstats adds the group aggregate to every row', async () => {
    await expectRows(data.sample, `${GST} | eventstats count by user | table user count`, [
      { user: 'ana.ops', count: 5 }, { user: 'svc-backup', count: 1 }, { user: 'ana.ops', count: 5 }, { user: 'dev.sam', count: 2 },
      { user: 'ana.ops', count: 5 }, { user: 'dev.sam', count: 2 }, { user: 'ana.ops', count: 5 }, { user: 'ana.ops', count: 5 },
    ]);
  });

  it('eventstats by a multivalue field: each value\'s group counts the result, as stats; one holding several values gets none, said', async () => {
    // The eventstats page: its statistics are those stats would give (stats puts a result in the
    // group of each value of a multivalue by-field). The list was one key: g=a got c=1, not 2.
    // Which group's statistics Splunk gives a result holding several values is not matched.
    const spl = '| makeresults count=3 | streamstats count as n | eval g=case(n==1, split("a,b", ","), n==2, "a", true(), split("b", ",")) | eventstats count as c sum(n) as s by g | table n g c s';
    await expectRows(data.sample, spl, [
      { n: 1, g: ['a', 'b'], c: null, s: null }, { n: 2, g: ['a'], c: 2, s: 3 }, { n: 3, g: ['b'], c: 2, s: 4 },
    ]);
    const result = await data.sample.run(spl);
    expect(result.notes).toEqual(['eventstats by a multivalue field: a result holding several of its values gets no statistics here (each value\'s group still counts it)']);
  });

  it('streamstats by a multivalue field says its values are one group (not matched: a group per value)', async () => {
    const result = await data.sample.run('| makeresults count=2 | streamstats count as n | eval g=if(n==1, split("a,b", ","), "a") | streamstats count as c by g');
    expect(result.notes).toEqual(['streamstats by a multivalue field: the values a result holds are one group here, not a group per value as stats makes']);
  });

  it('streamstats current=f counts the rows before', async () => {
    await expectRows(data.sample, `${GST} | head 4 | streamstats current=f count as n | table user n`, [
      { user: 'ana.ops', n: 0 }, { user: 'svc-backup', n: 1 }, { user: 'ana.ops', n: 2 }, { user: 'dev.sam', n: 3 },
    ]);
  });

  it('streamstats window=N with values(), dc(), list() (aggregate inside the list function, OVER after it)', async () => {
    await expectRows(data.sample, `${GST} | head 4 | streamstats window=2 values(user) as u dc(user) as d list(user) as l by eventName | table user u d l`, [
      { user: 'ana.ops', u: ['ana.ops'], d: 1, l: ['ana.ops'] },
      { user: 'svc-backup', u: ['ana.ops', 'svc-backup'], d: 2, l: ['ana.ops', 'svc-backup'] },
      { user: 'ana.ops', u: ['ana.ops', 'svc-backup'], d: 2, l: ['svc-backup', 'ana.ops'] },
      { user: 'dev.sam', u: ['ana.ops', 'dev.sam'], d: 2, l: ['ana.ops', 'dev.sam'] },
    ]);
  });

  it('streamstats golden SQL', () => {
    expect(sqlOf(`${GST} | streamstats current=f window=3 values(userIdentity.userName) as u count by src`)).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'GetSessionToken', false)
      ),
      s1 AS (
        SELECT *, row_number() OVER (ORDER BY "__seq") AS "__gpos" FROM s0
      ),
      s2 AS (
        SELECT * EXCLUDE ("__gpos"), CASE WHEN "sourceIPAddress" IS NOT NULL THEN list_sort(list_distinct(list("__p_userIdentity.userName") FILTER (WHERE "__p_userIdentity.userName" IS NOT NULL) OVER (PARTITION BY "sourceIPAddress" ORDER BY "__gpos" RANGE BETWEEN 3 PRECEDING AND 1 PRECEDING))) ELSE CAST(NULL AS VARCHAR[]) END AS "u", CASE WHEN "sourceIPAddress" IS NOT NULL THEN count(*) OVER (PARTITION BY "sourceIPAddress" ORDER BY "__gpos" RANGE BETWEEN 3 PRECEDING AND 1 PRECEDING) ELSE CAST(NULL AS DOUBLE) END AS "count" FROM s1
      )
      SELECT "_time", "u", "count", "_raw"
      FROM s2
      ORDER BY "__seq""
    `);
  });
});

describe('stats by a multivalue field', () => {
  // stats page: dedup_splitvals (default false) removes duplicate values of a multivalue by-field;
  // it was accepted and ignored, a value held twice counting twice.
  // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/stats
  it('counts a value held twice twice, once with dedup_splitvals=true', async () => {
    const mv = '| makeresults | eval f=split("a,a,b", ",")';
    await expectRows(data.sample, `${mv} | stats count by f`, [{ f: 'a', count: 2 }, { f: 'b', count: 1 }]);
    await expectRows(data.sample, `${mv} | stats count by f dedup_splitvals=true`, [{ f: 'a', count: 1 }, { f: 'b', count: 1 }]);
    await expectRows(data.sample, `${mv} | stats dedup_splitvals=t count by f`, [{ f: 'a', count: 1 }, { f: 'b', count: 1 }]);
    // The other stats commands took it and did nothing, a value held twice still counting twice.
    await expect(data.sample.run(`${mv} | eventstats dedup_splitvals=true count by f`)).rejects.toThrow(/dedup_splitvals= is not supported: only stats takes it/);
  });

  it('two multivalue by-fields give every pair of their values; chart over a multivalue field splits it', async () => {
    // stats page: a result goes in the group of each value of a multivalue by-field, so with two
    // of them in the group of each pair (from memory of Splunk's behaviour: the reason mvzip +
    // mvexpand is used to pair values up). Both were split in one SELECT, which DuckDB zips:
    // a/x and b/y only. chart over a multivalue field grouped by the whole list (rows "a b", "a").
    const mv = '| makeresults count=2 | streamstats count as n | eval m=if(n==1, split("a,b", ","), "a"), k=split("x,y", ",")';
    await expectRows(data.sample, `${mv} | stats count by m k`, [
      { m: 'a', k: 'x', count: 2 }, { m: 'a', k: 'y', count: 2 }, { m: 'b', k: 'x', count: 1 }, { m: 'b', k: 'y', count: 1 },
    ]);
    await expectRows(data.sample, `${mv} | chart count by m`, [{ m: 'a', count: 2 }, { m: 'b', count: 1 }]);
    await expectRows(data.sample, `${mv} | chart count over m by k`, [{ m: 'a', x: 2, y: 2 }, { m: 'b', x: 1, y: 1 }]);
    await expectRows(data.sample, `${mv} | eval t=1 | chart count over t by k | fields - t`, [{ x: 2, y: 2 }]);
  });
});

describe('top and rare', () => {
  it('count and percent, limit, showperc', async () => {
    await expectRows(data.sample, `${GST} | top user`, [
      { user: 'ana.ops', count: 5, percent: 62.5 }, { user: 'dev.sam', count: 2, percent: 25 }, { user: 'svc-backup', count: 1, percent: 12.5 },
    ]);
    await expectRows(data.sample, `${GST} | rare user`, [
      { user: 'svc-backup', count: 1, percent: 12.5 }, { user: 'dev.sam', count: 2, percent: 25 }, { user: 'ana.ops', count: 5, percent: 62.5 },
    ]);
    await expectRows(data.sample, `${GST} | top limit=2 user showperc=f`, [{ user: 'ana.ops', count: 5 }, { user: 'dev.sam', count: 2 }]);
  });

  it('top takes tied values lexicographically last first (the top page\'s example gives Orlando); rare first', async () => {
    // top page, "Lexicographic order of results": with limit=1 and three locations counted once for
    // each user, Orlando, the last lexicographically, is the one kept. spelunk kept Atlanta.
    // https://help.splunk.com/splunk-enterprise/search/spl-search-reference/10.0/search-commands/top
    const tied = '| makeresults | eval location="Orlando Dallas Atlanta" | makemv location | mvexpand location';
    const third = 100 / 3;
    const rounded = Math.round(third * 1e6) / 1e6;
    await expectRows(data.sample, `${tied} | eval user="Alex Kai Morgan" | makemv user | mvexpand user | top limit=1 location by user`,
      ['Alex', 'Kai', 'Morgan'].map((user) => ({ user, location: 'Orlando', count: 1, percent: rounded })));
    await expectRows(data.sample, `${tied} | top location showperc=f`, [{ location: 'Orlando', count: 1 }, { location: 'Dallas', count: 1 }, { location: 'Atlanta', count: 1 }]);
    await expectRows(data.sample, `${tied} | rare location showperc=f`, [{ location: 'Atlanta', count: 1 }, { location: 'Dallas', count: 1 }, { location: 'Orlando', count: 1 }]);
  });
});
