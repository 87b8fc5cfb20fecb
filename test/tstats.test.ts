import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDiagnostic } from '../grammar/diagnostics.js';
import { compile, SplError } from '../src/compiler/index.js';
import { constraintSearch, DATA_MODELS, qualifiedName } from '../src/compiler/datamodels.js';
import { parse, parseExpression } from '../grammar/parser.js';
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

// The data models as the CIM defines them (Splunk_SA_CIM Authentication.json, Change.json), over
// the add-on's fields and event type tags: Splunk Add-on for AWS 7.10 tags only ConsoleLogin as
// authentication (eventtypes.conf aws_cloudtrail_consolelogin_auth, aws_cloudtrail_auth_privileged);
// add-on 5.x (--addon 5) also tagged aws_cloudtrail_auth: AssumeRole*, GetSessionToken,
// GetFederationToken.
const V5 = { addon: '5' as const };

describe('tstats over the Authentication data model', () => {
  it('with add-on 7.10 holds the console logins only, named Authentication.<field>', async () => {
    const result = await engine.run('| tstats count from datamodel=Authentication by Authentication.signature Authentication.action', { now: SAMPLE_NOW });
    expect(result.columns).toEqual(['Authentication.signature', 'Authentication.action', 'count']);
    // The sample's 7 ConsoleLogin events: 6 succeeded, 1 failed (responseElements.ConsoleLogin=Failure).
    expect(result.rows).toEqual([
      { 'Authentication.signature': 'ConsoleLogin', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.signature': 'ConsoleLogin', 'Authentication.action': 'success', count: 6 },
    ]);
  });

  it('with --addon 5 holds exactly the six credential and login calls, as add-on 5.x tagged them', async () => {
    await expectRows(engine, '| tstats count from datamodel=Authentication by Authentication.signature Authentication.action', [
      { 'Authentication.signature': 'AssumeRole', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.signature': 'AssumeRole', 'Authentication.action': 'success', count: 100 },
      { 'Authentication.signature': 'ConsoleLogin', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.signature': 'ConsoleLogin', 'Authentication.action': 'success', count: 6 },
      { 'Authentication.signature': 'GetFederationToken', 'Authentication.action': 'success', count: 1 },
      { 'Authentication.signature': 'GetSessionToken', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.signature': 'GetSessionToken', 'Authentication.action': 'success', count: 7 },
    ], V5);
    // The same events as a plain search for them.
    const plain = await rows(engine, 'eventName IN (AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken, ConsoleLogin) | stats count');
    expect(plain).toEqual([{ count: 117 }]);
  });

  it('user is the add-on\'s: the session an AssumeRole handed out, "unknown" (the CIM fill) when refused', async () => {
    // From 91.64.112.45, dev.sam's 7 AssumeRole calls: 3 in its own trail (IAMUser) and 3 copies in
    // the role owner's (AWSAccount) name the session DeployRole/dev.sam (responseElements.assumedRoleUser.arn);
    // the refused one has no responseElements. From 185.220.101.47, the outside account's 2 calls
    // (role owner's copies) opened sessions named sync. GetSessionToken: userIdentity.userName.
    await expectRows(engine, '| tstats count from datamodel=Authentication where (Authentication.src=185.220.101.47 OR Authentication.src=91.64.112.45) by Authentication.signature Authentication.user Authentication.src | `drop_dm_object_name(Authentication)`', [
      { signature: 'AssumeRole', user: 'dev.sam', src: '91.64.112.45', count: 6 },
      { signature: 'AssumeRole', user: 'sync', src: '185.220.101.47', count: 2 },
      { signature: 'AssumeRole', user: 'unknown', src: '91.64.112.45', count: 1 },
      { signature: 'GetSessionToken', user: 'dev.sam', src: '91.64.112.45', count: 1 },
      { signature: 'GetSessionToken', user: 'svc-backup', src: '185.220.101.47', count: 1 },
    ], V5);
  });

  it('a child dataset narrows the events; span= buckets _time', async () => {
    await expectRows(engine, '| tstats count from datamodel=Authentication.Failed_Authentication by _time Authentication.user span=1d', [
      { _time: D0 + 4 * 86400, 'Authentication.user': 'unknown', count: 1 },
      { _time: D0 + 5 * 86400, 'Authentication.user': 'dev.sam', count: 1 },
      { _time: D0 + 6 * 86400, 'Authentication.user': 'ana.ops', count: 1 },
    ], V5);
    await expectRows(engine, '| tstats count from datamodel=Authentication where nodename=Authentication.Failed_Authentication by Authentication.user', [
      { 'Authentication.user': 'ana.ops', count: 1 },
      { 'Authentication.user': 'dev.sam', count: 1 },
      { 'Authentication.user': 'unknown', count: 1 },
    ], V5);
    // With 7.10 only the failed console login is a failed authentication.
    await expectRows(engine, '| tstats count from datamodel=Authentication.Failed_Authentication by Authentication.user', [
      { 'Authentication.user': 'ana.ops', count: 1 },
    ]);
  });

  it('fillnull_value keeps rows whose by-field is null (dropped otherwise)', async () => {
    // authentication_method: MFA for the 6 console logins with MFAUsed=Yes; SFA for the one with
    // MFAUsed=No and the 16 AssumeRole calls by role sessions without MFA; null for the other 94.
    await expectRows(engine, '| tstats count from datamodel=Authentication by Authentication.authentication_method fillnull_value=none', [
      { 'Authentication.authentication_method': 'MFA', count: 6 },
      { 'Authentication.authentication_method': 'SFA', count: 17 },
      { 'Authentication.authentication_method': 'none', count: 94 },
    ], V5);
    await expectRows(engine, '| tstats count from datamodel=Authentication by Authentication.authentication_method', [
      { 'Authentication.authentication_method': 'MFA', count: 6 },
      { 'Authentication.authentication_method': 'SFA', count: 17 },
    ], V5);
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
    ], V5);
  });

  it('a name that is not a field of the model is null, as in Splunk: no rows by it, no match in where', async () => {
    await expectRows(engine, '| tstats count from datamodel=Authentication by user', []);
    await expectRows(engine, '| tstats count from datamodel=Authentication by Authentication.src_ip', []);
    await expectRows(engine, '| tstats count from datamodel=Authentication where Authentication.usr=* by Authentication.src', []);
    await expectRows(engine, '| tstats count from datamodel=Authentication by Authentication.usr fillnull_value=none', [{ 'Authentication.usr': 'none', count: 7 }]);
  });

  it('compiles the where clause as search language over the model fields', () => {
    const sql = sqlOf('| tstats count from datamodel=Authentication where Authentication.signature=Assume* by Authentication.signature');
    // s0 holds the events tagged authentication: with add-on 7.10, the console logins (the searches
    // of aws_cloudtrail_consolelogin_auth and aws_cloudtrail_auth_privileged) that are not a
    // successful login of a user whose name ends in $ (the CIM's own constraint).
    expect(sql).toContain(`WHERE coalesce((coalesce("eventName" ILIKE 'ConsoleLogin', false) AND coalesce(json_extract_string("additionalEventData", '$.LoginTo') IS NOT NULL, false) OR coalesce("eventName" ILIKE 'ConsoleLogin', false) AND NOT coalesce(json_extract_string("additionalEventData", '$.LoginTo') IS NOT NULL, false)) AND NOT (`);
    expect(sql.slice(sql.indexOf('),\ns') + 3)).toMatchInlineSnapshot(`
      "s5 AS (
        SELECT "eventName" AS "Authentication.signature^0", count(*) AS "count" FROM s0
          WHERE coalesce(lower("eventName") LIKE lower('Assume%'), false)
            AND "eventName" IS NOT NULL
          GROUP BY "eventName"
      ),
      s6 AS (
        SELECT *, row_number() OVER (ORDER BY TRY_CAST("Authentication.signature^0" AS DOUBLE), "Authentication.signature^0") AS "__seq" FROM s5
      )
      SELECT "Authentication.signature^0", "count"
      FROM s6
      ORDER BY "__seq""
    `);
  });
});

describe('tstats over the Change data model', () => {
  it('classifies the changes in the sample', async () => {
    // Tagged change by the add-on's event types; object_category from its lookup (unknown when unlisted).
    // DescribeInstances (Instance), PutObject (bucket), Decrypt (ciphertext), AttachRolePolicy (role),
    // DescribeSecurityGroups refused 9 times (security group), DescribeStacks (stack), CreateRole and
    // AttachUserPolicy (not in the lookup: unknown), CreateAccessKey and ListRoles (user).
    await expectRows(engine, '| tstats count from datamodel=Change by All_Changes.object_category All_Changes.status', [
      { 'All_Changes.object_category': 'Instance', 'All_Changes.status': 'success', count: 53 },
      { 'All_Changes.object_category': 'bucket', 'All_Changes.status': 'success', count: 72 },
      { 'All_Changes.object_category': 'ciphertext', 'All_Changes.status': 'success', count: 8 },
      { 'All_Changes.object_category': 'role', 'All_Changes.status': 'failure', count: 1 },
      { 'All_Changes.object_category': 'role', 'All_Changes.status': 'success', count: 2 },
      { 'All_Changes.object_category': 'security group', 'All_Changes.status': 'failure', count: 9 },
      { 'All_Changes.object_category': 'stack', 'All_Changes.status': 'failure', count: 4 },
      { 'All_Changes.object_category': 'stack', 'All_Changes.status': 'success', count: 8 },
      { 'All_Changes.object_category': 'unknown', 'All_Changes.status': 'failure', count: 1 },
      { 'All_Changes.object_category': 'unknown', 'All_Changes.status': 'success', count: 5 },
      { 'All_Changes.object_category': 'user', 'All_Changes.status': 'failure', count: 1 },
      { 'All_Changes.object_category': 'user', 'All_Changes.status': 'success', count: 20 },
    ]);
  });

  it('Account_Management is the IAM part (tag account)', async () => {
    await expectRows(engine, '| tstats count from datamodel=Change.Account_Management by All_Changes.command All_Changes.action', [
      { 'All_Changes.command': 'AttachUserPolicy', 'All_Changes.action': 'modified', count: 1 },
      { 'All_Changes.command': 'AttachUserPolicy', 'All_Changes.action': 'unknown', count: 1 },
      { 'All_Changes.command': 'CreateAccessKey', 'All_Changes.action': 'modified', count: 4 },
      { 'All_Changes.command': 'CreateRole', 'All_Changes.action': 'created', count: 4 },
    ]);
  });
});

describe('tstats over the data models on the add-on fixture', () => {
  let addon: Engine;
  beforeAll(async () => {
    addon = await sampleEngine(['fixtures/addon']);
  });
  afterAll(() => addon.close());

  it('Instance_Changes fields are named after their dataset and null outside it', async () => {
    // RunInstances is tagged instance (object_category=instance); image_id and instance_type are the
    // add-on's aliases of requestParameters.instancesSet.items{}.imageId and .instanceType.
    await expectRows(addon, '| tstats count from datamodel=Change by All_Changes.Instance_Changes.image_id All_Changes.Instance_Changes.instance_type All_Changes.command', [
      { 'All_Changes.Instance_Changes.image_id': 'ami-0abc1234def567890', 'All_Changes.Instance_Changes.instance_type': 't3.micro', 'All_Changes.command': 'RunInstances', count: 1 },
    ]);
    // dest of RunInstances: the instance ids of responseElements.
    await expectRows(addon, '| tstats count from datamodel=Change.Instance_Changes by All_Changes.Instance_Changes.image_id All_Changes.dest', [
      { 'All_Changes.Instance_Changes.image_id': 'ami-0abc1234def567890', 'All_Changes.dest': 'i-0123456789abcdef0', count: 1 },
    ]);
  });

  it('Network_Changes: an ingress network ACL entry', async () => {
    // CreateNetworkAclEntry (egress=false, aclProtocol 6, ports 443) is tagged network; protocol 6 is
    // "ip" in the add-on's protocol table (its transport column says tcp).
    await expectRows(addon, '| tstats count from datamodel=Change.Network_Changes by All_Changes.command All_Changes.Network_Changes.direction All_Changes.Network_Changes.protocol All_Changes.Network_Changes.src_ip_range All_Changes.Network_Changes.rule_action', [
      { 'All_Changes.command': 'CreateNetworkAclEntry', 'All_Changes.Network_Changes.direction': 'Inbound', 'All_Changes.Network_Changes.protocol': 'ip', 'All_Changes.Network_Changes.src_ip_range': '0.0.0.0/0', 'All_Changes.Network_Changes.rule_action': 'allow', count: 1 },
    ]);
  });

  it('Account_Management: src_user made the change, user is the user changed', async () => {
    await expectRows(addon, '| tstats count from datamodel=Change.Account_Management by All_Changes.command All_Changes.Account_Management.src_user All_Changes.user All_Changes.status', [
      { 'All_Changes.command': 'CreateAccessKey', 'All_Changes.Account_Management.src_user': 'carol', 'All_Changes.user': 'bob because no identity-based policy allows the iam:CreateAccessKey action', 'All_Changes.status': 'failure', count: 1 },
      { 'All_Changes.command': 'CreateAccessKey', 'All_Changes.Account_Management.src_user': 'carol', 'All_Changes.user': 'dave', 'All_Changes.status': 'success', count: 1 },
      { 'All_Changes.command': 'CreateUser', 'All_Changes.Account_Management.src_user': 'ops-admin', 'All_Changes.user': 'erin', 'All_Changes.status': 'success', count: 1 },
    ]);
  });

  it('All_Changes.user_agent and user_name; Authentication.app is eventType and user_id exists', async () => {
    await expectRows(addon, '| tstats count from datamodel=Change where All_Changes.command=RunInstances by All_Changes.user_agent All_Changes.user_name', [
      { 'All_Changes.user_agent': 'aws-cli/2.22.4', 'All_Changes.user_name': 'deploy-role', count: 1 },
    ]);
    await expectRows(addon, '| tstats count from datamodel=Authentication by Authentication.app Authentication.user Authentication.user_id Authentication.action', [
      { 'Authentication.app': 'AwsConsoleSignIn', 'Authentication.user': 'AWSReservedSSO_Admin_0123456789abcdef', 'Authentication.user_id': 'AROAEXAMPLEROLE0037', 'Authentication.action': 'success', count: 1 },
      { 'Authentication.app': 'AwsConsoleSignIn', 'Authentication.user': 'alice', 'Authentication.user_id': 'AIDAEXAMPLEALICE0001', 'Authentication.action': 'failure', count: 1 },
      { 'Authentication.app': 'AwsConsoleSignIn', 'Authentication.user': 'alice', 'Authentication.user_id': 'AIDAEXAMPLEALICE0001', 'Authentication.action': 'success', count: 1 },
    ]);
  });

  it('privileged and default authentication: a console login with and without LoginTo', async () => {
    await expectRows(addon, '| tstats count from datamodel=Authentication.Privileged_Authentication by Authentication.user Authentication.src_user Authentication.user_type', [
      { 'Authentication.user': 'AWSReservedSSO_Admin_0123456789abcdef', 'Authentication.src_user': 'maria@example.com', 'Authentication.user_type': 'Role', count: 1 },
    ]);
    await expectRows(addon, '| tstats count from datamodel=Authentication.Failed_Default_Authentication by Authentication.user', [{ 'Authentication.user': 'alice', count: 1 }]);
  });
});

describe('tstats errors point at the right place', () => {
  it('an unknown model or dataset', () => {
    expect(rendered('| tstats count from datamodel=Auth')).toMatchInlineSnapshot(`
      "error: unknown data model "Auth" (spelunk maps Authentication, Change) (line 1, column 31)
        | tstats count from datamodel=Auth
                                      ^^^^
      hint: did you mean Authentication?"
    `);
    expect(rendered('| tstats count from datamodel=Authentication.Bogus')).toMatchInlineSnapshot(`
      "error: data model Authentication has no dataset "Bogus" (it has Authentication, Failed_Authentication, Successful_Authentication, Default_Authentication, Failed_Default_Authentication, Successful_Default_Authentication, Insecure_Authentication, Privileged_Authentication, Failed_Privileged_Authentication, Successful_Privileged_Authentication) (line 1, column 31)
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
  it('every constraint is a search and every calculation a valid eval expression', () => {
    for (const m of DATA_MODELS) {
      for (const d of m.datasets) {
        for (const profile of ['7.10', '5'] as const) expect(parse(constraintSearch(d.constraint, profile)).diagnostics, d.constraint).toEqual([]);
        for (const f of d.fields) if (f.calc) expect(parseExpression(f.calc).diagnostics, f.calc).toEqual([]);
      }
    }
  });

  it('every field of every dataset compiles', () => {
    for (const m of DATA_MODELS) {
      for (const d of m.datasets) {
        const by = d.fields.map((f) => qualifiedName(m, d, f)).join(' ');
        if (by) expect(() => compile(`| tstats count from datamodel=${m.name}.${d.name} by ${by}`, { now: SAMPLE_NOW })).not.toThrow();
      }
    }
  });
});

describe('CIM data models spelunk does not map', () => {
  // The CIM defines Risk, Endpoint, Web, Network_Traffic... (Splunk Common Information Model
  // Add-on manual, "Data models"); over CloudTrail spelunk maps Authentication and Change only.
  it('find no events, with a note, instead of an error', async () => {
    await expectRows(engine, '| tstats count from datamodel=Risk', [{ count: 0 }]);
    await expectRows(engine, '| tstats count from datamodel=Endpoint.Processes by Processes.process_name', []);
    await expectRows(engine, '| tstats dc(Web.url) as urls from datamodel=Web where Web.status=200 by Web.src', []);
    const compiled = compile('| tstats count from datamodel=Network_Traffic by All_Traffic.dest', { now: SAMPLE_NOW });
    expect(compiled.notes).toEqual(['data model Network_Traffic is not mapped to CloudTrail events in spelunk (it maps Authentication, Change): it has no events here']);
    expect(() => compile('| tstats count from datamodel=Nope', { now: SAMPLE_NOW })).toThrow('unknown data model "Nope"');
  });
});
