// Subsearches: in search (rows become (f=v AND ...) OR ...), join, append, return.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { expectRows, sampleEngine, sqlOf } from './helpers.js';

let sample: Engine;
beforeAll(async () => {
  sample = await sampleEngine();
});
afterAll(() => sample.close());

const GST = 'eventName=GetSessionToken';

// userIdentity.userName, the IAM user's name, is the field shared by the searches below: the add-on's
// user names the user acted on for some calls (CreateAccessKey: the key's owner).
describe('subsearch in search', () => {
  it('its rows become an OR of field matches', async () => {
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey | stats count by userIdentity.userName | fields userIdentity.userName] | stats count by userIdentity.userName`, [
      { 'userIdentity.userName': 'ana.ops', count: 5 }, { 'userIdentity.userName': 'dev.sam', count: 2 }, { 'userIdentity.userName': 'svc-backup', count: 1 },
    ]);
    await expectRows(sample, 'eventName=AssumeRole [search eventName=CreateRole userIdentity.userName=svc-backup | fields src] | stats count by eventName', [{ eventName: 'AssumeRole', count: 2 }]);
  });

  it('a generating subsearch', async () => {
    await expectRows(sample, `${GST} [| makeresults | eval userIdentity.userName="DEV.SAM" | table userIdentity.userName] | table userIdentity.userName`, [{ 'userIdentity.userName': 'dev.sam' }, { 'userIdentity.userName': 'dev.sam' }]);
  });

  it('an empty subsearch matches nothing', async () => {
    await expectRows(sample, `${GST} [search eventName=NoSuchThing | fields userIdentity.userName] | stats count`, [{ count: 0 }]);
  });

  it('return N fields, alias=field, $field', async () => {
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey result_id=* | return userIdentity.userName] | table userIdentity.userName`, [{ 'userIdentity.userName': 'dev.sam' }, { 'userIdentity.userName': 'dev.sam' }]);
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey | return 2 userIdentity.userName] | stats count by userIdentity.userName`, [{ 'userIdentity.userName': 'dev.sam', count: 2 }, { 'userIdentity.userName': 'svc-backup', count: 1 }]);
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey userIdentity.userName=svc-backup | eval source_ip=src | return src=source_ip] | table userIdentity.userName`, [{ 'userIdentity.userName': 'svc-backup' }]);
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey | head 1 | return $userIdentity.userName] | stats count by userIdentity.userName`, [{ 'userIdentity.userName': 'svc-backup', count: 1 }]);
  });

  it('single-field rows: exact values by hash join, wildcards and empty values row by row', async () => {
    await expectRows(sample, `${GST} [| makeresults count=2 | streamstats count as n | eval userIdentity.userName=if(n=1, "SVC-*", "Dev.Sam") | fields userIdentity.userName] | stats count by userIdentity.userName`, [
      { 'userIdentity.userName': 'dev.sam', count: 2 }, { 'userIdentity.userName': 'svc-backup', count: 1 },
    ]);
    await expectRows(sample, `${GST} [| makeresults | eval userIdentity.userName=null() | fields userIdentity.userName] | stats count`, [{ count: 8 }]);
    expect(sqlOf(`${GST} [search eventName=CreateAccessKey | stats count by userIdentity.userName | fields userIdentity.userName]`)).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'CreateAccessKey', false)
      ),
      s1 AS (
        SELECT *, "__p_userIdentity.userName" AS "__by0" FROM s0
      ),
      s3 AS (
        SELECT "__by0" AS "userIdentity.userName", count(*) AS "count" FROM s1
          WHERE "__by0" IS NOT NULL
          GROUP BY "__by0"
      ),
      s4 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("userIdentity.userName" AS DOUBLE), "userIdentity.userName") AS "__seq" FROM s3
      ),
      s5 AS (
        SELECT "userIdentity.userName", "__seq" FROM s4
      ),
      s6 AS (
        SELECT * FROM s5 ORDER BY "__seq" LIMIT 10000
      ),
      s7 AS (
        SELECT "userIdentity.userName" AS "__sub0" FROM s6
      ),
      s8 AS (
        SELECT * FROM s7 WHERE NOT ("__sub0" IS NOT NULL AND NOT contains("__sub0", '*'))
      ),
      s10 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'GetSessionToken', false) AND (coalesce(lower("__p_userIdentity.userName") IN (SELECT lower("__sub0") FROM s7 WHERE "__sub0" IS NOT NULL AND NOT contains("__sub0", '*')), false) OR EXISTS (SELECT 1 FROM s8 WHERE s8."__sub0" IS NULL OR coalesce(spl_wildmatch("__p_userIdentity.userName", s8."__sub0"), false)))
      )
      SELECT "_time", "_raw"
      FROM s10
      ORDER BY "__seq""
    `);
  });

  it('several fields: each row is an AND, rows are OR-ed; wildcards and empty values per field', async () => {
    const rows = '| makeresults count=3 | streamstats count as n | eval userIdentity.userName=case(n=1, "ana.ops", n=2, "dev*", n=3, null()), src=case(n=1, "185.220.101.47", n=2, "2a02:*", n=3, "185.220.101.47") | fields userIdentity.userName src';
    // ana.ops never came from the Tor exit; dev.sam once from IPv6; anyone from the Tor exit.
    await expectRows(sample, `${GST} [${rows}] | table userIdentity.userName src`, [
      { 'userIdentity.userName': 'svc-backup', src: '185.220.101.47' },
      { 'userIdentity.userName': 'dev.sam', src: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4' },
    ]);
  });

  it('golden SQL', () => {
    expect(sqlOf(`${GST} [search eventName=CreateAccessKey | fields userIdentity.userName src]`)).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'CreateAccessKey', false)
      ),
      s1 AS (
        SELECT "__p_userIdentity.userName" AS "userIdentity.userName", "sourceIPAddress" AS "src", "_time", "_raw", "__seq" FROM s0
      ),
      s2 AS (
        SELECT * FROM s1 ORDER BY "__seq" LIMIT 10000
      ),
      s3 AS (
        SELECT "userIdentity.userName" AS "__sub0", "src" AS "__sub1" FROM s2
      ),
      s4 AS (
        SELECT * FROM s3 WHERE NOT ("__sub0" IS NOT NULL AND NOT contains("__sub0", '*') AND "__sub1" IS NOT NULL AND NOT contains("__sub1", '*'))
      ),
      s6 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'GetSessionToken', false) AND (coalesce((lower("__p_userIdentity.userName"), lower("sourceIPAddress")) IN (SELECT lower("__sub0"), lower("__sub1") FROM s3 WHERE "__sub0" IS NOT NULL AND NOT contains("__sub0", '*') AND "__sub1" IS NOT NULL AND NOT contains("__sub1", '*')), false) OR EXISTS (SELECT 1 FROM s4 WHERE (s4."__sub0" IS NULL OR coalesce(spl_wildmatch("__p_userIdentity.userName", s4."__sub0"), false)) AND (s4."__sub1" IS NULL OR coalesce(spl_wildmatch("sourceIPAddress", s4."__sub1"), false))))
      )
      SELECT "_time", "_raw"
      FROM s6
      ORDER BY "__seq""
    `);
  });
});

describe('join and append', () => {
  it('join type=inner drops unmatched rows, type=left keeps them', async () => {
    const left = [
      { 'userIdentity.userName': 'ana.ops', gst: 5 }, { 'userIdentity.userName': 'ana.ops', gst: 5 }, { 'userIdentity.userName': 'ana.ops', gst: 5 }, { 'userIdentity.userName': 'ana.ops', gst: 5 },
      { 'userIdentity.userName': 'ana.ops', gst: 5 }, { 'userIdentity.userName': null, gst: null }, { 'userIdentity.userName': 'ana.ops', gst: 5 },
    ];
    await expectRows(sample, 'eventName=ConsoleLogin | join type=left userIdentity.userName [search eventName=GetSessionToken | stats count as gst by userIdentity.userName] | table userIdentity.userName gst', left);
    await expectRows(sample, 'eventName=ConsoleLogin | join userIdentity.userName [search eventName=GetSessionToken | stats count as gst by userIdentity.userName] | table userIdentity.userName gst', left.filter((r) => r.gst !== null));
  });

  it('a field both sides have keeps its own value where the subsearch gives none', async () => {
    // The join page (overwrite: the subsearch's values replace the main results' where the fields
    // match); a row with no match, or a match without the field, keeps its own value. A left join
    // emptied the field on every unmatched row: each user but dev.sam lost its sourceIPAddress.
    await expectRows(sample, `eventName=ConsoleLogin OR ${GST} | join type=left userIdentity.userName [search ${GST} userIdentity.userName=dev.sam | head 1 | eval sourceIPAddress="SUB" | table userIdentity.userName sourceIPAddress] | stats count by userIdentity.userName sourceIPAddress`, [
      { 'userIdentity.userName': 'ana.ops', sourceIPAddress: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', count: 1 },
      { 'userIdentity.userName': 'ana.ops', sourceIPAddress: '73.158.64.21', count: 10 },
      { 'userIdentity.userName': 'dev.sam', sourceIPAddress: 'SUB', count: 2 },
      { 'userIdentity.userName': 'svc-backup', sourceIPAddress: '185.220.101.47', count: 1 },
    ]);
    await expectRows(sample, '| makeresults count=3 | streamstats count as n | eval k=case(n==1, "a", n==2, "b", n==3, "c"), v=5 | fields - _time | join type=left k [| makeresults count=2 | streamstats count as m | eval k=if(m==1, "a", "b"), v=if(m==1, "x", null()) | fields - _time m] | table n k v', [
      { n: 1, k: 'a', v: 'x' }, { n: 2, k: 'b', v: '5' }, { n: 3, k: 'c', v: '5' },
    ]);
  });

  it('append adds the subsearch rows after the main ones', async () => {
    await expectRows(sample, `${GST} | stats count by userIdentity.userName | append [search eventName=CreateAccessKey | stats count by userIdentity.userName] | table userIdentity.userName count`, [
      { 'userIdentity.userName': 'ana.ops', count: 5 }, { 'userIdentity.userName': 'dev.sam', count: 2 }, { 'userIdentity.userName': 'svc-backup', count: 1 },
      { 'userIdentity.userName': 'ana.ops', count: 1 }, { 'userIdentity.userName': 'dev.sam', count: 1 }, { 'userIdentity.userName': 'svc-backup', count: 1 },
    ]);
  });

  it('join golden SQL', () => {
    expect(sqlOf('eventName=ConsoleLogin | join type=left userIdentity.userName [search eventName=GetSessionToken | stats count as gst by userIdentity.userName]')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'ConsoleLogin', false)
      ),
      s1 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'GetSessionToken', false)
      ),
      s2 AS (
        SELECT *, "__p_userIdentity.userName" AS "__by0" FROM s1
      ),
      s4 AS (
        SELECT "__by0" AS "userIdentity.userName", count(*) AS "gst" FROM s2
          WHERE "__by0" IS NOT NULL
          GROUP BY "__by0"
      ),
      s5 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("userIdentity.userName" AS DOUBLE), "userIdentity.userName") AS "__seq" FROM s4
      ),
      s6 AS (
        SELECT * FROM s5 ORDER BY "__seq" LIMIT 50000
      ),
      s7 AS (
        SELECT *, "__p_userIdentity.userName" AS "userIdentity.userName" FROM s0
      ),
      s9 AS (
        SELECT * FROM s6
          QUALIFY row_number() OVER (PARTITION BY "userIdentity.userName" ORDER BY "__seq") <= 1
      ),
      s10 AS (
        SELECT l.*, r."gst" AS "gst"
          FROM s7 l LEFT JOIN s9 r ON l."userIdentity.userName" = r."userIdentity.userName"
      )
      SELECT "_time", "userIdentity.userName", "gst", "_raw"
      FROM s10
      ORDER BY "__seq""
    `);
  });
});
