import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../grammar/diagnostics.js';
import { compile, SplError } from '../src/compiler/index.js';
import { DATA_MODELS } from '../src/compiler/datamodels.js';
import { parseExpression } from '../grammar/parser.js';
import type { Engine } from '../src/engine/engine.js';
import { expectRows, rows, sampleEngine, SAMPLE_NOW, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const AUTH_MACRO = new Map([['auth', { name: 'auth', args: [], definition: 'from datamodel=Authentication', file: 'test' }]]);

function rendered(spl: string): string {
  try {
    compile(spl, { now: SAMPLE_NOW, macros: AUTH_MACRO });
  } catch (err) {
    if (err instanceof SplError) return renderDiagnostic(err.text ?? spl, err.diagnostic);
    throw err;
  }
  throw new Error(`expected an error for ${spl}`);
}

const D0 = Date.parse('2026-11-20T00:00:00Z') / 1000;

describe('tstats over the Authentication data model', () => {
  it('counts AssumeRole by user and source, node name dropped by the macro', async () => {
    await expectRows(engine, '| tstats count from datamodel=Authentication where Authentication.signature=AssumeRole by Authentication.user Authentication.src | `drop_dm_object_name(Authentication)`', [
      { user: 'AIDAH4XI52CPBVIOVMOXJ', src: '185.220.101.47', count: 2 },
      { user: 'AIDAPORCIFL2ICSNODXYB', src: '91.64.112.45', count: 3 },
      { user: 'ci-deployer', src: '3.91.171.15', count: 12 },
      { user: 'codebuild.amazonaws.com', src: 'codebuild.amazonaws.com', count: 8 },
      { user: 'dev.sam', src: '91.64.112.45', count: 4 },
      { user: 'ec2.amazonaws.com', src: 'ec2.amazonaws.com', count: 32 },
      { user: 'lambda.amazonaws.com', src: 'lambda.amazonaws.com', count: 8 },
      { user: 'org-inventory-scanner', src: '44.211.87.130', count: 32 },
    ]);
  });

  it('holds exactly the six credential and login calls, named Authentication.<field>', async () => {
    const result = await engine.run('| tstats count from datamodel=Authentication by Authentication.signature Authentication.action', { now: SAMPLE_NOW });
    expect(result.columns).toEqual(['Authentication.signature', 'Authentication.action', 'count']);
    expect(result.rows).toEqual([
      { 'Authentication.signature': 'AssumeRole', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.signature': 'AssumeRole', 'Authentication.action': 'success', count: 100 },
      { 'Authentication.signature': 'ConsoleLogin', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.signature': 'ConsoleLogin', 'Authentication.action': 'success', count: 6 },
      { 'Authentication.signature': 'GetFederationToken', 'Authentication.action': 'success', count: 1 },
      { 'Authentication.signature': 'GetSessionToken', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.signature': 'GetSessionToken', 'Authentication.action': 'success', count: 7 },
    ]);
    // The same events as a plain search for them.
    const plain = await rows(engine, 'eventName IN (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken, ConsoleLogin) | stats count');
    expect(plain).toEqual([{ count: 117 }]);
  });

  it('a child dataset narrows the events; span= buckets _time', async () => {
    await expectRows(engine, '| tstats count from datamodel=Authentication.Failed_Authentication by _time Authentication.user span=1d', [
      { _time: D0 + 4 * 86400, 'Authentication.user': 'dev.sam', count: 1 },
      { _time: D0 + 5 * 86400, 'Authentication.user': 'dev.sam', count: 1 },
      { _time: D0 + 6 * 86400, 'Authentication.user': 'ana.ops', count: 1 },
    ]);
    await expectRows(engine, '| tstats count from datamodel=Authentication where nodename=Authentication.Failed_Authentication by Authentication.user', [
      { 'Authentication.user': 'ana.ops', count: 1 },
      { 'Authentication.user': 'dev.sam', count: 2 },
    ]);
  });

  it('fillnull_value keeps rows whose by-field is null (dropped otherwise)', async () => {
    await expectRows(engine, '| tstats count from datamodel=Authentication by Authentication.user_role fillnull_value=none', [
      { 'Authentication.user_role': 'none', count: 101 },
      { 'Authentication.user_role': 'org-inventory-scanner-role', count: 16 },
    ]);
    await expectRows(engine, '| tstats count from datamodel=Authentication by Authentication.user_role', [
      { 'Authentication.user_role': 'org-inventory-scanner-role', count: 16 },
    ]);
  });

  it('aggregates model fields, with min/max of _time (the same answer as stats over the events)', async () => {
    await expectRows(engine, 'eventName IN (AssumeRole, GetSessionToken, ConsoleLogin) action=failure | stats count values(src) as src min(_time) as firstTime by eventName | rename eventName as Authentication.signature', [
      { 'Authentication.signature': 'AssumeRole', count: 1, src: ['91.64.112.45'], firstTime: 1795515280 },
      { 'Authentication.signature': 'ConsoleLogin', count: 1, src: ['2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4'], firstTime: 1795726110 },
      { 'Authentication.signature': 'GetSessionToken', count: 1, src: ['91.64.112.45'], firstTime: 1795597338 },
    ]);
    await expectRows(engine, '| tstats count values(Authentication.src) as src min(_time) as firstTime from datamodel=Authentication where Authentication.action=failure by Authentication.signature', [
      { 'Authentication.signature': 'AssumeRole', count: 1, src: ['91.64.112.45'], firstTime: 1795515280 },
      { 'Authentication.signature': 'ConsoleLogin', count: 1, src: ['2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4'], firstTime: 1795726110 },
      { 'Authentication.signature': 'GetSessionToken', count: 1, src: ['91.64.112.45'], firstTime: 1795597338 },
    ]);
  });

  it('compiles the where clause as search language over the model fields', () => {
    expect(sqlOf('| tstats count from datamodel=Authentication where Authentication.signature=Assume* by Authentication.signature')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" = 'AssumeRole' OR "eventName" = 'AssumeRoleWithSAML' OR "eventName" = 'AssumeRoleWithWebIdentity' OR "eventName" = 'GetSessionToken' OR "eventName" = 'GetFederationToken' OR "eventName" = 'ConsoleLogin', false)
      ),
      s1 AS (
        SELECT *, "eventName" AS "Authentication.signature" FROM s0
      ),
      s2 AS (
        SELECT * FROM s1 WHERE coalesce(lower("Authentication.signature") LIKE lower('Assume%'), false)
      ),
      s3 AS (
        SELECT *, "Authentication.signature" AS "__by0" FROM s2
      ),
      s4 AS (
        SELECT "__by0" AS "Authentication.signature", count(*) AS "count" FROM s3 WHERE "__by0" IS NOT NULL
          GROUP BY "__by0"
      ),
      s5 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("Authentication.signature" AS DOUBLE) ASC NULLS LAST, "Authentication.signature" ASC NULLS LAST) AS "__seq" FROM s4
      )
      SELECT "Authentication.signature", "count"
      FROM s5
      ORDER BY "__seq""
    `);
  });
});

describe('tstats over the Change data model', () => {
  it('classifies the changes in the sample', async () => {
    await expectRows(engine, '| tstats count dc(All_Changes.object) as objects from datamodel=Change by All_Changes.object_category All_Changes.status', [
      { 'All_Changes.object_category': 'access_key', 'All_Changes.status': 'failure', count: 1, objects: 1 },
      { 'All_Changes.object_category': 'access_key', 'All_Changes.status': 'success', count: 3, objects: 3 },
      { 'All_Changes.object_category': 'object', 'All_Changes.status': 'success', count: 72, objects: 2 },
      { 'All_Changes.object_category': 'policy', 'All_Changes.status': 'failure', count: 2, objects: 0 },
      { 'All_Changes.object_category': 'policy', 'All_Changes.status': 'success', count: 3, objects: 3 },
      { 'All_Changes.object_category': 'role', 'All_Changes.status': 'success', count: 4, objects: 4 },
      { 'All_Changes.object_category': 'trail', 'All_Changes.status': 'failure', count: 1, objects: 1 },
    ]);
  });

  it('Account_Management is the IAM part', async () => {
    await expectRows(engine, '| tstats count from datamodel=Change.Account_Management by All_Changes.command All_Changes.action', [
      { 'All_Changes.command': 'AttachRolePolicy', 'All_Changes.action': 'created', count: 3 },
      { 'All_Changes.command': 'AttachUserPolicy', 'All_Changes.action': 'created', count: 2 },
      { 'All_Changes.command': 'CreateAccessKey', 'All_Changes.action': 'created', count: 4 },
      { 'All_Changes.command': 'CreateRole', 'All_Changes.action': 'created', count: 4 },
    ]);
  });
});

describe('tstats errors point at the right place', () => {
  it('an unknown field in the where clause', () => {
    expect(rendered('| tstats count from datamodel=Authentication where Authentication.usr=x by Authentication.src')).toMatchInlineSnapshot(`
      "error: data model Authentication has no field usr (line 1, column 52)
        | tstats count from datamodel=Authentication where Authentication.usr=x by Authentication.src
                                                           ^^^^^^^^^^^^^^^^^^
      hint: did you mean Authentication.user, Authentication.src, Authentication.app?"
    `);
  });

  it('a field without the node name', () => {
    expect(rendered('| tstats count from datamodel=Authentication by user')).toMatchInlineSnapshot(`
      "error: tstats reads data model fields as Authentication.<field>, so "user" is not one (line 1, column 49)
        | tstats count from datamodel=Authentication by user
                                                        ^^^^
      hint: did you mean Authentication.user, Authentication.user_role, Authentication.user_type?"
    `);
  });

  it('an unknown model or dataset', () => {
    expect(rendered('| tstats count from datamodel=Auth')).toMatchInlineSnapshot(`
      "error: unknown data model "Auth" (spelunk maps Authentication, Change) (line 1, column 31)
        | tstats count from datamodel=Auth
                                      ^^^^
      hint: did you mean Authentication?"
    `);
    expect(rendered('| tstats count from datamodel=Authentication.Bogus')).toMatchInlineSnapshot(`
      "error: data model Authentication has no dataset "Bogus" (it has Authentication, Failed_Authentication, Successful_Authentication, Default_Authentication) (line 1, column 31)
        | tstats count from datamodel=Authentication.Bogus
                                      ^^^^^^^^^^^^^^^^^^^^"
    `);
  });

  it('a syntax error inside the where clause, after a macro', () => {
    // Only the message and the caret: hints come from the parser's own rules.
    const text = rendered('| tstats count `auth` where (Authentication.user=x OR) by Authentication.src');
    expect(text.split('\n').slice(0, 3).join('\n')).toMatchInlineSnapshot(`
      "error: unexpected ")" (line 1, column 77)
        | tstats count from datamodel=Authentication where (Authentication.user=x OR) by Authentication.src
                                                                                    ^"
    `);
  });

  it('tstats not first', () => {
    expect(rendered('index=* | tstats count')).toMatchInlineSnapshot(`
      "error: tstats makes its own results: start the search with it (| tstats ...) (line 1, column 11)
        index=* | tstats count
                  ^^^^^^"
    `);
  });
});

describe('the data model table', () => {
  it('every constraint and field is a valid eval expression', () => {
    for (const m of DATA_MODELS) {
      for (const text of [m.root.constraint, ...m.children.map((c) => c.constraint), ...m.fields.map((f) => f.expr)]) {
        expect(parseExpression(text).diagnostics, text).toEqual([]);
      }
    }
  });

  it('every field compiles', () => {
    for (const m of DATA_MODELS) {
      const by = m.fields.map((f) => `${m.root.name}.${f.name}`).join(' ');
      expect(() => compile(`| tstats count from datamodel=${m.name} by ${by}`, { now: SAMPLE_NOW })).not.toThrow();
    }
  });
});
