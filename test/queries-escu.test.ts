// The hunts of the "AWS Cross Account Activity" story set against ESCU's published searches
// (splunk/security_content detections/cloud/aws_detect_*.yml): where spelunk's hunt differs on
// purpose, the difference its description states, on recorded events (fixtures/public) and on
// events written from CloudTrail's documented shapes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { listQueries, type SavedQuery } from '../src/engine/queries.js';
import type { Row } from '../src/engine/types.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

const byId = (id: string): SavedQuery => listQueries().find((q) => q.id === id)!;
const t = (iso: string) => Date.parse(iso) / 1000;
const TD = 'fixtures/public/traildiscover/events';
const STRATUS = 'fixtures/public/stratus-red-team';
const TD_USER = { recipientAccountId: '111111111111', user_arn: 'arn:aws:iam::111111111111:user/TrailDiscover', src: '0.0.0.0' };
const tdAgent = (session: string, command: string) =>
  `aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#0.0.0.0-microsoft-standard-WSL2 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env/grimoire_${session} cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${command}`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spelunk-escu-'));
  dirs.push(d);
  return d;
}

async function huntOver(id: string, paths: string[]): Promise<Row[]> {
  const engine = await Engine.open({ stateDir: tempDir() });
  try {
    await engine.load(paths);
    return (await engine.run(byId(id).spl, { now: SAMPLE_NOW })).rows;
  } finally {
    engine.close();
  }
}

/** One CloudTrail record file in a fresh folder. */
function records(events: object[]): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'events.json'), JSON.stringify({ Records: events }));
  return dir;
}

const adminSession = {
  type: 'AssumedRole', principalId: 'AROAADMIN:ops', arn: 'arn:aws:sts::111122223333:assumed-role/Admin/ops', accountId: '111122223333', accessKeyId: 'ASIAOPS',
  sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAADMIN', arn: 'arn:aws:iam::111122223333:role/Admin', accountId: '111122223333', userName: 'Admin' },
    attributes: { creationDate: '2026-11-26T09:00:00Z', mfaAuthenticated: 'true' } },
};
const iamCall = (eventID: string, eventName: string, extra: object) => ({
  eventVersion: '1.09', eventTime: '2026-11-26T10:00:00Z', eventSource: 'iam.amazonaws.com', eventName, awsRegion: 'us-east-1', eventType: 'AwsApiCall',
  sourceIPAddress: '198.51.100.7', userAgent: 'test', recipientAccountId: '111122223333', eventID, ...extra,
});

describe('policies attached to roles: managed (AttachRolePolicy) and inline (PutRolePolicy)', () => {
  it('an inline policy written into a role is shown beside the managed ones, with its document; refused ones name the role from errorMessage', async () => {
    // ESCU's "aws detect attach to role policy" is about giving a role more rights; PutRolePolicy
    // grants as much as AttachRolePolicy and was not shown at all.
    const inline = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const dir = records([
      iamCall('put-ok', 'PutRolePolicy', { userIdentity: adminSession, requestParameters: { roleName: 'ops-sync-role', policyName: 'everything', policyDocument: inline } }),
    ]);
    const rows = await huntOver('aws_iam_attach_role_policy', [dir, `${TD}/IAM/PutRolePolicy.json.cloudtrail`, `${TD}/IAM/AttachRolePolicy.json.cloudtrail`,
      `${STRATUS}/aws.persistence.iam-create-backdoor-role.json`]);
    const none = { mfa_auth: null, session_created: null };
    const refused = (action: string, role: string) =>
      `User: arn:aws:iam::111111111111:user/TrailDiscover is not authorized to perform: iam:${action} on resource: role ${role} because no identity-based policy allows the iam:${action} action`;
    expect(rows).toEqual([
      {
        _time: t('2026-11-26T10:00:00Z'), eventName: 'PutRolePolicy', recipientAccountId: '111122223333', caller_type: 'AssumedRole',
        user_arn: 'arn:aws:sts::111122223333:assumed-role/Admin/ops', src: '198.51.100.7', user_agent: 'test', access_key: 'ASIAOPS', credentials: 'temporary credentials',
        mfa_auth: 'true', session_created: '2026-11-26T09:00:00Z', role_name: 'ops-sync-role', policy_arn: null, policy_name: 'everything', policy_document: inline,
        status: 'success', errorCode: 'success', session_issuer: 'arn:aws:iam::111122223333:role/Admin', errorMessage: null,
      },
      {
        _time: t('2024-08-18T12:16:17Z'), eventName: 'PutRolePolicy', ...TD_USER, caller_type: 'IAMUser', user_agent: tdAgent('294daee8-30e4-403d-9fc3-acad9aceffa1', 'iam.put-role-policy'),
        access_key: 'AKIA****************', credentials: 'long-term access key', ...none, role_name: 'TrailDiscover-Role', policy_arn: null, policy_name: null,
        policy_document: null, status: 'failure', errorCode: 'AccessDenied', session_issuer: null, errorMessage: refused('PutRolePolicy', 'TrailDiscover-Role'),
      },
      {
        _time: t('2024-08-18T11:30:49Z'), eventName: 'AttachRolePolicy', ...TD_USER, caller_type: 'IAMUser', user_agent: tdAgent('c65b0090-dde5-4bd2-9f9d-2d315cb3782b', 'iam.attach-role-policy'),
        access_key: 'AKIA****************', credentials: 'long-term access key', ...none, role_name: 'TrailDiscover', policy_arn: null, policy_name: null,
        policy_document: null, status: 'failure', errorCode: 'AccessDenied', session_issuer: null, errorMessage: refused('AttachRolePolicy', 'TrailDiscover'),
      },
      {
        _time: t('2024-08-01T13:37:41Z'), eventName: 'AttachRolePolicy', recipientAccountId: '609418236337', caller_type: 'IAMUser', user_arn: 'arn:aws:iam::609418236337:user/christophe',
        src: '209.209.254.254', user_agent: 'stratus-red-team_e2808a95-acc5-4508-b083-d31d6f4315d9', access_key: 'AKIA0W5KI69TY8X86BGT', credentials: 'long-term access key',
        ...none, role_name: 'stratus-red-team-malicious-iam-role', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess', policy_name: null, policy_document: null,
        status: 'success', errorCode: 'success', session_issuer: null, errorMessage: null,
      },
    ]);
  });
});

describe('roles another account may assume: created (CreateRole) or opened (UpdateAssumeRolePolicy)', () => {
  it('Stratus Red Team\'s "backdoor an existing IAM role" (UpdateAssumeRolePolicy trusting an outside account) is found', async () => {
    // aws.persistence.iam-backdoor-role: the new trust policy keeps ec2.amazonaws.com and adds
    // arn:aws:iam::193672423079:root, an account other than the role's own (751203476945).
    const rows = await huntOver('aws_iam_create_role', [`${STRATUS}/aws.persistence.iam-backdoor-role.json`, `${TD}/IAM/UpdateAssumeRolePolicy.json.cloudtrail`]);
    expect(rows).toEqual([
      {
        _time: t('2024-08-18T11:04:24Z'), eventName: 'UpdateAssumeRolePolicy', ...TD_USER, role_name: 'TrailDiscover-Role', role_description: null, role_arn: null,
        trusted_principals: null, trusted_other_accounts: null, status: 'failure', errorCode: 'AccessDenied',
      },
      {
        _time: t('2024-08-01T13:29:57Z'), eventName: 'UpdateAssumeRolePolicy', recipientAccountId: '751203476945', user_arn: 'arn:aws:iam::751203476945:user/christophe',
        src: '225.178.039.250', role_name: 'stratus-red-team-backdoor-r-role', role_description: null, role_arn: null,
        trusted_principals: ['arn:aws:iam::193672423079:root'], trusted_other_accounts: ['193672423079'], status: 'success', errorCode: 'success',
      },
    ]);
  });

  it('a trust policy changed to the role\'s own account or a service is not shown', async () => {
    const trust = (principal: object) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });
    const dir = records([
      iamCall('own', 'UpdateAssumeRolePolicy', { userIdentity: adminSession, requestParameters: { roleName: 'a', policyDocument: trust({ AWS: 'arn:aws:iam::111122223333:root' }) } }),
      iamCall('svc', 'UpdateAssumeRolePolicy', { userIdentity: adminSession, requestParameters: { roleName: 'b', policyDocument: trust({ Service: 'lambda.amazonaws.com' }) } }),
      iamCall('out', 'UpdateAssumeRolePolicy', { userIdentity: adminSession, requestParameters: { roleName: 'c', policyDocument: trust({ AWS: ['arn:aws:iam::111122223333:root', '444455556666'] }) } }),
    ]);
    const rows = await huntOver('aws_iam_create_role', [dir]);
    expect(rows.map((r) => [r.eventName, r.role_name, r.trusted_other_accounts])).toEqual([['UpdateAssumeRolePolicy', 'c', ['444455556666']]]);
  });

  // ESCU's "aws detect role creation" (detections/cloud/aws_detect_role_creation.yml) filters on
  // event_name and shows http_user_agent and mfa_auth: the add-on's [aws:cloudtrail] stanza
  // (props.conf 7.10) sets none of them (eventName is aliased to signature and command only), so on
  // CloudTrail as the add-on reads it the search as published finds nothing. Its other filters are
  // the add-on's: action=created is the action/status lookup's for a CreateRole that succeeded.
  // The hunt filters on no such field: eventSource, eventName and errorCode are set on every event.
  it('ESCU\'s event_name is never set on aws:cloudtrail; on the add-on\'s eventName its roles are the hunt\'s, less those no other account may assume', async () => {
    const trust = (principal: object) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });
    const dir = records([
      iamCall('console-service-role', 'CreateRole', { userIdentity: adminSession, requestParameters: { roleName: 'ec2-app',
        description: 'Allows EC2 instances to call AWS services on your behalf.', assumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }) } }),
      iamCall('console-cross-account', 'CreateRole', { userIdentity: adminSession, requestParameters: { roleName: 'partner-read',
        description: 'Allows the partner account to read reports.', assumeRolePolicyDocument: trust({ AWS: 'arn:aws:iam::444455556666:root' }) } }),
    ]);
    const engine = await Engine.open({ stateDir: tempDir() });
    try {
      await engine.load([dir]);
      const rows = async (spl: string) => (await engine.run(spl, { now: SAMPLE_NOW })).rows;
      const escu = (eventField: string) => `\`cloudtrail\` ${eventField}=CreateRole action=created userIdentity.type=AssumedRole requestParameters.description=Allows* | table requestParameters.roleName http_user_agent mfa_auth event_name`;
      expect(await rows(escu('event_name'))).toEqual([]);
      expect(await rows(escu('eventName'))).toEqual([
        { 'requestParameters.roleName': 'ec2-app', http_user_agent: null, mfa_auth: null, event_name: null },
        { 'requestParameters.roleName': 'partner-read', http_user_agent: null, mfa_auth: null, event_name: null },
      ]);
      const hunt = byId('aws_iam_create_role').spl;
      expect((await rows(hunt)).map((r) => [r.role_name, r.trusted_other_accounts])).toEqual([['partner-read', ['444455556666']]]);
      // Its description's advice: without the `where`, every role created is listed.
      const everyRole = hunt.replace(/^\| where .*$/m, '');
      expect(everyRole).not.toBe(hunt);
      expect((await rows(everyRole)).map((r) => r.role_name).sort()).toEqual(['ec2-app', 'partner-read']);
    } finally {
      engine.close();
    }
  });
});

describe('permanent keys: refused attempts shown, as ESCU shows them', () => {
  it('a refused CreateAccessKey records no requestParameters: the user is read from errorMessage, else it is the caller\'s own key', async () => {
    const carol = { type: 'IAMUser', principalId: 'AIDACAROL', arn: 'arn:aws:iam::111122223333:user/carol', accountId: '111122223333', accessKeyId: 'AKIACAROL', userName: 'carol' };
    const dir = records([
      iamCall('refused-for-bob', 'CreateAccessKey', {
        userIdentity: carol, requestParameters: null, responseElements: null, errorCode: 'AccessDenied',
        errorMessage: 'User: arn:aws:iam::111122223333:user/carol is not authorized to perform: iam:CreateAccessKey on resource: user bob because no identity-based policy allows the iam:CreateAccessKey action',
      }),
      { ...iamCall('quota', 'CreateAccessKey', { userIdentity: carol, requestParameters: null, responseElements: null, errorCode: 'LimitExceededException',
        errorMessage: 'Cannot exceed quota for AccessKeysPerUser: 2' }), eventTime: '2026-11-26T09:00:00Z' },
    ]);
    const rows = await huntOver('aws_iam_create_access_key', [dir]);
    const common = { recipientAccountId: '111122223333', caller: 'carol', user_arn: 'arn:aws:iam::111122223333:user/carol', src: '198.51.100.7', user_agent: 'test', new_key: null, new_key_status: null, status: 'failure' };
    expect(rows).toEqual([
      { _time: t('2026-11-26T10:00:00Z'), ...common, for_user: 'bob', errorCode: 'AccessDenied' },
      { _time: t('2026-11-26T09:00:00Z'), ...common, for_user: 'carol', errorCode: 'LimitExceededException' },
    ]);
  });
});

describe('GetSessionToken: what ESCU\'s bare term ASIA does', () => {
  it('as written (a whole-segment term) it matches nothing; as ASIA* it keeps the successful calls, which the hunt shows with the failed one', async () => {
    const engine = await Engine.open({ stateDir: tempDir() });
    try {
      await engine.load([SAMPLE_DIR]);
      const count = async (spl: string) => (await engine.run(spl, { now: SAMPLE_NOW })).rows;
      const escu = (term: string) => `\`cloudtrail\` ${term} userIdentity.type=IAMUser | search eventName=GetSessionToken | stats count by errorCode`;
      expect(await count(escu('ASIA'))).toEqual([]);
      expect(await count(escu('ASIA*'))).toEqual([{ errorCode: 'success', count: 7 }]);
      const hunt = (await engine.run(byId('aws_sts_get_session_token').spl, { now: SAMPLE_NOW })).rows;
      expect(hunt.map((r) => r.status)).toEqual(['success', 'success', 'success', 'failure', 'success', 'success', 'success', 'success']);
    } finally {
      engine.close();
    }
  });
});

describe('cross-account pairs: ESCU\'s data-model search and the baseline', () => {
  // ESCU "AWS Cross Account Activity From Previously Unseen Account" (detections/cloud/
  // aws_cross_account_activity_from_previously_unseen_account.yml), its search up to the lookup,
  // run under add-on 5.x's tags (AssumeRole in the Authentication data model).
  const ESCU = '| tstats min(_time) as firstTime max(_time) as lastTime from datamodel=Authentication where Authentication.signature=AssumeRole ' +
    'by Authentication.vendor_account Authentication.user Authentication.src Authentication.user_role | `drop_dm_object_name(Authentication)` ' +
    '| rex field=user_role "arn:aws:sts:*:(?<dest_account>.*):" | where vendor_account != dest_account ' +
    '| rename vendor_account as requestingAccountId dest_account as requestedAccountId | stats min(firstTime) as firstTime by requestingAccountId requestedAccountId';
  const pairsOf = (rows: Row[], from: string, to: string) => rows.map((r) => `${r[from]}->${r[to]}`).sort();

  async function both(paths: string[]): Promise<[string[], string[]]> {
    const engine = await Engine.open({ stateDir: tempDir() });
    try {
      await engine.load(paths);
      const escu = (await engine.run(ESCU, { now: SAMPLE_NOW, addon: '5' })).rows;
      const ours = (await engine.run(byId('aws_cross_account_baseline').spl, { now: SAMPLE_NOW })).rows;
      return [pairsOf(escu, 'requestingAccountId', 'requestedAccountId'), pairsOf(ours, 'requesting_account', 'requested_account')];
    } finally {
      engine.close();
    }
  }

  it('with every trail loaded both find the same four pairs', async () => {
    const [escu, ours] = await both([SAMPLE_DIR]);
    const four = ['222233334444->111122223333', '444455556666->111122223333', '444455556666->222233334444', '999988887777->111122223333'];
    expect(escu).toEqual(four);
    expect(ours).toEqual(four);
  });

  it('with only the caller\'s trail, ESCU misses the role session\'s pairs (user_role is an iam ARN its rex does not match); the baseline has them', async () => {
    const [escu, ours] = await both([join(SAMPLE_DIR, 'AWSLogs', '444455556666')]);
    expect(escu).toEqual([]);
    expect(ours).toEqual(['444455556666->111122223333', '444455556666->222233334444']);
  });
});

describe('AssumeRole events without ids', () => {
  it('an AssumeRole event with neither sharedEventID nor eventID is shown, not dropped by `dedup call_id`', async () => {
    // panther-analysis's hand-made AssumeRole test events (TruffleHog's key check among them) carry
    // no eventID; `dedup` without keepempty drops events lacking the field, so both vanished.
    const rows = await huntOver('aws_sts_assume_role', ['fixtures/public/panther-analysis']);
    expect(rows.filter((r) => r._time === t('2024-01-15T10:30:00Z')).map((r) => [r.caller_type, r.src, r.user_agent, r.status])).toEqual([
      ['IAMUser', '10.0.0.1', null, 'success'],
      ['IAMUser', '198.51.100.42', 'TruffleHog', 'success'],
    ]);
  });
});

describe('AssumeRole: ESCU\'s "aws detect sts assume role abuse" beside the hunt', () => {
  it('ESCU\'s user_type=AssumedRole lists calls by role sessions but none of their AssumeRole calls (user_type AWS::IAM::Role); the hunt has them', async () => {
    const engine = await Engine.open({ stateDir: tempDir() });
    try {
      await engine.load([SAMPLE_DIR]);
      const escu = (await engine.run('`cloudtrail` user_type=AssumedRole userIdentity.sessionContext.sessionIssuer.type=Role | stats count by eventName', { now: SAMPLE_NOW })).rows;
      expect(escu.map((r) => r.eventName)).not.toContain('AssumeRole');
      expect(escu.find((r) => r.eventName === 'PutObject')).toEqual({ eventName: 'PutObject', count: 72 });
      const chained = (await engine.run('`cloudtrail` eventName=AssumeRole userIdentity.type=AssumedRole | stats count by user_type', { now: SAMPLE_NOW })).rows;
      expect(chained).toEqual([{ user_type: 'AWS::IAM::Role', count: 16 }]);
      const hunt = (await engine.run(byId('aws_sts_assume_role').spl, { now: SAMPLE_NOW })).rows;
      // The scanner's role session assumes SecurityAuditRole in prod and dev each day: 16 calls, 16 rows.
      expect(hunt.filter((r) => r.caller_type === 'AssumedRole')).toHaveLength(16);
    } finally {
      engine.close();
    }
  });
});

describe('the columns ESCU\'s searches show', () => {
  // ESCU's `table` of each search, each field beside the hunt's column that shows it
  // (detections/cloud/aws_detect_sts_get_session_token_abuse.yml, aws_detect_attach_to_role_policy.yml).
  const SHOWN: Record<string, Record<string, string>> = {
    aws_sts_get_session_token: {
      sourceIPAddress: 'src', eventTime: '_time', 'userIdentity.arn': 'user_arn', userName: 'user', userAgent: 'user_agent',
      status: 'status', region: 'awsRegion',
      // user_type: every call shown is by an IAM user (the hunt's userIdentity.type=IAMUser, as ESCU's).
    },
    aws_iam_attach_role_policy: {
      sourceIPAddress: 'src', user_access_key: 'access_key', 'userIdentity.arn': 'user_arn', 'userIdentity.sessionContext.sessionIssuer.arn': 'session_issuer',
      eventName: 'eventName', errorCode: 'errorCode', errorMessage: 'errorMessage', status: 'status', 'requestParameters.policyArn': 'policy_arn',
      'userIdentity.sessionContext.attributes.mfaAuthenticated': 'mfa_auth', 'userIdentity.sessionContext.attributes.creationDate': 'session_created',
      // action: the add-on's success/failure of the call, which status shows.
    },
  };
  it.each(Object.keys(SHOWN))('%s shows every column ESCU\'s search shows', async (id) => {
    const rows = await huntOver(id, [SAMPLE_DIR]);
    const columns = Object.keys(rows[0]!);
    expect(Object.values(SHOWN[id]!).filter((c) => !columns.includes(c))).toEqual([]);
  });
});
