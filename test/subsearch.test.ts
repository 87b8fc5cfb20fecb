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

describe('subsearch in search', () => {
  it('its rows become an OR of field matches', async () => {
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey | stats count by user | fields user] | stats count by user`, [
      { user: 'ana.ops', count: 5 }, { user: 'dev.sam', count: 2 }, { user: 'svc-backup', count: 1 },
    ]);
    await expectRows(sample, 'eventName=AssumeRole [search eventName=CreateRole user=svc-backup | fields src] | stats count by eventName', [{ eventName: 'AssumeRole', count: 2 }]);
  });

  it('a generating subsearch', async () => {
    await expectRows(sample, `${GST} [| makeresults | eval user="DEV.SAM" | table user] | table user`, [{ user: 'dev.sam' }, { user: 'dev.sam' }]);
  });

  it('an empty subsearch matches nothing', async () => {
    await expectRows(sample, `${GST} [search eventName=NoSuchThing | fields user] | stats count`, [{ count: 0 }]);
  });

  it('return N fields, alias=field, $field', async () => {
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey errorCode=* | return user] | table user`, [{ user: 'dev.sam' }, { user: 'dev.sam' }]);
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey | return 2 user] | stats count by user`, [{ user: 'dev.sam', count: 2 }, { user: 'svc-backup', count: 1 }]);
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey user=svc-backup | eval source_ip=src | return src=source_ip] | table user`, [{ user: 'svc-backup' }]);
    await expectRows(sample, `${GST} [search eventName=CreateAccessKey | head 1 | return $user] | stats count by user`, [{ user: 'svc-backup', count: 1 }]);
  });

  it('single-field rows: exact values by hash join, wildcards and empty values row by row', async () => {
    await expectRows(sample, `${GST} [| makeresults count=2 | streamstats count as n | eval user=if(n=1, "SVC-*", "Dev.Sam") | fields user] | stats count by user`, [
      { user: 'dev.sam', count: 2 }, { user: 'svc-backup', count: 1 },
    ]);
    await expectRows(sample, `${GST} [| makeresults | eval user=null() | fields user] | stats count`, [{ count: 8 }]);
    expect(sqlOf(`${GST} [search eventName=CreateAccessKey | stats count by user | fields user]`)).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'CreateAccessKey', false)
      ),
      s1 AS (
        SELECT *, coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "__by0" FROM s0
      ),
      s2 AS (
        SELECT "__by0" AS "user", count(*) AS "count" FROM s1 WHERE "__by0" IS NOT NULL
          GROUP BY "__by0"
      ),
      s3 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("user" AS DOUBLE) ASC NULLS LAST, "user" ASC NULLS LAST) AS "__seq" FROM s2
      ),
      s4 AS (
        SELECT "user" AS "user", "__seq" FROM s3
      ),
      s5 AS (
        SELECT "user" AS "__sub0" FROM s4 ORDER BY "__seq" LIMIT 10000
      ),
      s6 AS (
        SELECT "__sub0" AS "__sub0" FROM s5 WHERE NOT ("__sub0" IS NOT NULL AND NOT contains("__sub0", '*'))
      ),
      s7 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'GetSessionToken', false) AND ((coalesce(lower(coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId")) IN (SELECT lower("__sub0") FROM s5 WHERE "__sub0" IS NOT NULL AND NOT contains("__sub0", '*')), false) OR EXISTS (SELECT 1 FROM s6 WHERE (s6."__sub0" IS NULL OR coalesce(spl_wildmatch(coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId"), s6."__sub0"), false)))))
      )
      SELECT "_time", "_raw"
      FROM s7
      ORDER BY "__seq""
    `);
  });

  it('several fields: each row is an AND, rows are OR-ed; wildcards and empty values per field', async () => {
    const rows = '| makeresults count=3 | streamstats count as n | eval user=case(n=1, "ana.ops", n=2, "dev*", n=3, null()), src=case(n=1, "185.220.101.47", n=2, "2a02:*", n=3, "185.220.101.47") | fields user src';
    // ana.ops never came from the Tor exit; dev.sam once from IPv6; anyone from the Tor exit.
    await expectRows(sample, `${GST} [${rows}] | table user src`, [
      { user: 'svc-backup', src: '185.220.101.47' },
      { user: 'dev.sam', src: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4' },
    ]);
  });

  it('golden SQL', () => {
    expect(sqlOf(`${GST} [search eventName=CreateAccessKey | fields user src]`)).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'CreateAccessKey', false)
      ),
      s1 AS (
        SELECT coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "user", "sourceIPAddress" AS "src", "_time", "_raw", "__seq" FROM s0
      ),
      s2 AS (
        SELECT "user" AS "__sub0", "src" AS "__sub1" FROM s1 ORDER BY "__seq" LIMIT 10000
      ),
      s3 AS (
        SELECT "__sub0" AS "__sub0", "__sub1" AS "__sub1" FROM s2 WHERE NOT ("__sub0" IS NOT NULL AND NOT contains("__sub0", '*') AND "__sub1" IS NOT NULL AND NOT contains("__sub1", '*'))
      ),
      s4 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'GetSessionToken', false) AND ((coalesce((lower(coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId")), lower("sourceIPAddress")) IN (SELECT lower("__sub0"), lower("__sub1") FROM s2 WHERE "__sub0" IS NOT NULL AND NOT contains("__sub0", '*') AND "__sub1" IS NOT NULL AND NOT contains("__sub1", '*')), false) OR EXISTS (SELECT 1 FROM s3 WHERE (s3."__sub0" IS NULL OR coalesce(spl_wildmatch(coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId"), s3."__sub0"), false)) AND (s3."__sub1" IS NULL OR coalesce(spl_wildmatch("sourceIPAddress", s3."__sub1"), false)))))
      )
      SELECT "_time", "_raw"
      FROM s4
      ORDER BY "__seq""
    `);
  });
});

describe('join and append', () => {
  it('join type=inner drops unmatched rows, type=left keeps them', async () => {
    const left = [
      { user: 'ana.ops', gst: 5 }, { user: 'ana.ops', gst: 5 }, { user: 'ana.ops', gst: 5 }, { user: 'ana.ops', gst: 5 },
      { user: 'ana.ops', gst: 5 }, { user: 'root', gst: null }, { user: 'ana.ops', gst: 5 },
    ];
    await expectRows(sample, 'eventName=ConsoleLogin | join type=left user [search eventName=GetSessionToken | stats count as gst by user] | table user gst', left);
    await expectRows(sample, 'eventName=ConsoleLogin | join user [search eventName=GetSessionToken | stats count as gst by user] | table user gst', left.filter((r) => r.gst !== null));
  });

  it('append adds the subsearch rows after the main ones', async () => {
    await expectRows(sample, `${GST} | stats count by user | append [search eventName=CreateAccessKey | stats count by user] | table user count`, [
      { user: 'ana.ops', count: 5 }, { user: 'dev.sam', count: 2 }, { user: 'svc-backup', count: 1 },
      { user: 'ana.ops', count: 1 }, { user: 'dev.sam', count: 1 }, { user: 'svc-backup', count: 1 }, { user: 'tom.becker@example.com', count: 1 },
    ]);
  });

  it('join golden SQL', () => {
    expect(sqlOf('eventName=ConsoleLogin | join type=left user [search eventName=GetSessionToken | stats count as gst by user]')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'ConsoleLogin', false)
      ),
      s1 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'GetSessionToken', false)
      ),
      s2 AS (
        SELECT *, coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "__by0" FROM s1
      ),
      s3 AS (
        SELECT "__by0" AS "user", count(*) AS "gst" FROM s2 WHERE "__by0" IS NOT NULL
          GROUP BY "__by0"
      ),
      s4 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("user" AS DOUBLE) ASC NULLS LAST, "user" ASC NULLS LAST) AS "__seq" FROM s3
      ),
      s5 AS (
        SELECT *, coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "user" FROM s0
      ),
      s6 AS (
        SELECT "user" AS "user", "gst" AS "gst", "__seq" FROM s4
      ),
      s7 AS (
        SELECT * FROM s6 QUALIFY row_number() OVER (PARTITION BY "user" ORDER BY "__seq") <= 1
      ),
      s8 AS (
        SELECT l.*, r."gst"
          FROM s5 l LEFT JOIN s7 r ON l."user" = r."user"
      )
      SELECT "_time", "user", "gst", "_raw"
      FROM s8
      ORDER BY "__seq""
    `);
  });
});
