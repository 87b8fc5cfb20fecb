import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { expectRows, sampleEngine, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

describe('first slice end to end', () => {
  it('counts AssumeRole calls by identity type and outcome', async () => {
    await expectRows(engine, 'eventName=AssumeRole | stats count by userIdentity.type, action', [
      { 'userIdentity.type': 'AWSAccount', action: 'success', count: 21 },
      { 'userIdentity.type': 'AWSService', action: 'success', count: 48 },
      { 'userIdentity.type': 'AssumedRole', action: 'success', count: 16 },
      { 'userIdentity.type': 'IAMUser', action: 'failure', count: 1 },
      { 'userIdentity.type': 'IAMUser', action: 'success', count: 15 },
    ]);
  });

  it('a search that starts with a pipe sees no events', async () => {
    await expectRows(engine, '| stats count', [{ count: 0 }]);
  });

  it('compiles stats by a nested path to GROUP BY over json_extract_string', () => {
    expect(sqlOf('eventName=AssumeRole | stats count by requestParameters.roleName')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'AssumeRole', false)
      ),
      s1 AS (
        SELECT *, json_extract_string("requestParameters", '$.roleName') AS "__by0" FROM s0
      ),
      s3 AS (
        SELECT "__by0" AS "requestParameters.roleName^7.22", count(*) AS "count" FROM s1
          WHERE "__by0" IS NOT NULL
          GROUP BY "__by0"
      ),
      s4 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("requestParameters.roleName^7.22" AS DOUBLE), "requestParameters.roleName^7.22") AS "__seq" FROM s3
      )
      SELECT "requestParameters.roleName^7.22", "count"
      FROM s4
      ORDER BY "__seq""
    `);
  });
});
