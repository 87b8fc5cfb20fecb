// The Splunk Add-on for AWS fields (addon-fields.ts), rule by rule, on the hand-written events of
// fixtures/addon (see its README). Each expected value is worked out by hand from the add-on's rule
// (version 7.10.0: props.conf [aws:cloudtrail] and the transforms, lookups, eventtypes.conf and
// tags.conf it uses), which each test names. Splunk's order of derivation: aliases, then calculated
// fields from the event as recorded, then lookups, then event types and tags
// (https://docs.splunk.com/Documentation/Splunk/latest/Knowledge/Searchtimeoperationssequence).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDON_FIELDS, addonFieldNames } from '../src/compiler/addon-fields.js';
import type { Engine } from '../src/engine/engine.js';
import type { Row } from '../src/engine/types.js';
import { expectRows, sampleAndLanguage, sampleEngine, sqlOf } from './helpers.js';

const data = sampleAndLanguage();
let addon: Engine;
beforeAll(async () => {
  addon = await sampleEngine(['fixtures/addon']);
});
afterAll(() => addon.close());

const tested = new Set<string>();

/** The fields of one fixture event (by the eventID's number and label), exactly. */
async function event(id: string, expected: Row, opts: { addon?: '5' | '7.10' } = {}): Promise<void> {
  Object.keys(expected).forEach((k) => tested.add(k));
  await expectRows(addon, `eventID=addon-${id} | table ${Object.keys(expected).join(' ')}`, [expected], opts);
}

const A = '111122223333';
const CAROL_ARN = `arn:aws:iam::${A}:user/carol`;
const REFUSED_KEY = `User: arn:aws:iam::${A}:user/carol is not authorized to perform: iam:CreateAccessKey on resource: user bob because no identity-based policy allows the iam:CreateAccessKey action`;
const BOB = 'bob because no identity-based policy allows the iam:CreateAccessKey action';

describe('errorCode, msg, action and status', () => {
  it('a successful call: errorCode filled with success, msg success, action/status from the lookup', async () => {
    // EVAL-errorCode: coalesce(errorCode, if(like(ConsoleLogin, "Failure"), "failure", "success"), "success").
    // EVAL-msg: coalesce(errorCode, "success"). result_id: FIELDALIAS of errorCode (none recorded).
    // LOOKUP-action-status: CreateAccessKey,success -> modified,success.
    await event('10-createkey-ok', { errorCode: 'success', msg: 'success', result_id: null, action: 'modified', status: 'success' });
  });

  it('a refused call keeps its code; the lookup\'s `*` row gives the action and failure', async () => {
    // CreateAccessKey,* -> modified,failure. reason: FIELDALIAS of errorMessage; result: EVAL-result's
    // true() branch, errorMessage.
    await event('09-createkey-refused', {
      errorCode: 'AccessDenied', msg: 'AccessDenied', result_id: 'AccessDenied', action: 'modified', status: 'failure', reason: REFUSED_KEY, result: REFUSED_KEY,
    });
  });

  it('a failed console login: errorCode failure (from responseElements.ConsoleLogin), msg success (no errorCode recorded)', async () => {
    // ConsoleLogin,* -> failure,failure (the lookup reads the filled errorCode "failure").
    await event('02-console-fail', { errorCode: 'failure', msg: 'success', result_id: null, action: 'failure', status: 'failure', reason: 'Failed authentication' });
  });

  it('a call the lookup does not list has no action and no status', async () => {
    await event('15-getobject', { errorCode: 'success', action: null, status: null });
  });

  it('AssumeRole and ConsoleLogin succeed or fail; RunInstances is created, DeleteBucket deleted', async () => {
    await event('04-assume-user', { action: 'success', status: 'success' });
    await event('05-assume-refused', { errorCode: 'AccessDenied', action: 'failure', status: 'failure' });
    await event('01-console-ok', { errorCode: 'success', action: 'success', status: 'success' });
    await event('12-runinstances', { action: 'created', status: 'success' });
    await event('16-delete-bucket', { action: 'deleted', status: 'success' });
  });

  it('errorCode=success finds the successful calls, as in Splunk with the add-on', async () => {
    await expectRows(addon, 'eventName=CreateAccessKey errorCode=success | table eventID', [{ eventID: 'addon-10-createkey-ok' }]);
    await expectRows(addon, 'eventName=ConsoleLogin | stats count by errorCode', [{ errorCode: 'failure', count: 1 }, { errorCode: 'success', count: 2 }]);
    // A field the pipeline makes is the pipeline's, whatever the add-on says.
    await expectRows(addon, 'eventID=addon-10-createkey-ok | eval errorCode="mine" | table errorCode msg', [{ errorCode: 'mine', msg: 'success' }]);
  });
});

describe('who: user, user_name, user_type, user_id, userName, user_arn', () => {
  it('an IAM user logging in to the console', async () => {
    // EVAL-user: eventType=AwsConsoleSignIn -> coalesce(userIdentity.userName, sessionIssuer.userName).
    // EVAL-user_type: eventType=AwsConsoleSignIn -> userIdentity.type. EVAL-user_id: ConsoleLogin by
    // an IAMUser -> principalId before ":". EVAL-src_user: ConsoleLogin with LoginTo -> null.
    await event('01-console-ok', {
      user: 'alice', user_name: 'alice', userName: 'alice', user_type: 'IAMUser', user_id: 'AIDAEXAMPLEALICE0001', src_user: null,
      user_arn: 'arn:aws:iam::111122223333:user/alice',
    });
  });

  it('a role session logging in to the console without LoginTo (privileged)', async () => {
    // user: coalesce(userName, sessionIssuer.userName); user_type: ConsoleLogin by AssumedRole without
    // LoginTo -> sessionIssuer.type; user_id: the issuer's principalId; src_user: principalId after
    // ":"; src_user_id: principalId before ":"; src_user_type: AwsConsoleSignIn by AssumedRole
    // without LoginTo -> userIdentity.type.
    await event('03-console-role', {
      user: 'AWSReservedSSO_Admin_0123456789abcdef', user_type: 'Role', user_id: 'AROAEXAMPLEROLE0037', src_user: 'maria@example.com',
      src_user_id: 'AROAEXAMPLEROLE0037', src_user_type: 'AssumedRole', userName: 'AWSReservedSSO_Admin_0123456789abcdef',
    });
  });

  it('AssumeRole by an IAM user, with resources{}', async () => {
    // user: AssumeRole -> the last "/" part of responseElements.assumedRoleUser.arn (the session).
    // user_type: AssumeRole* -> mvjoin(resources{}.type). user_role: a caller that is not a role
    // session nor a service -> responseElements.assumedRoleUser.arn. user_id: AwsApiCall -> the
    // assumedRoleId before ":". src_user: userIdentity.userName; src_user_id: principalId;
    // src_user_type: userIdentity.type; src_user_name: sessionIssuer.userName (none for an IAM user).
    await event('04-assume-user', {
      user: 'carol-deploy', user_type: 'AWS::IAM::Role', user_role: 'arn:aws:sts::111122223333:assumed-role/deploy-role/carol-deploy',
      user_id: 'AROAEXAMPLEROLE0011', user_name: 'carol', userName: 'carol', src_user: 'carol', src_user_id: 'AIDAEXAMPLECAROL0003',
      src_user_type: 'IAMUser', src_user_name: null, src_user_role: null, user_arn: CAROL_ARN,
    });
  });

  it('AssumeRole refused: no resources, no responseElements', async () => {
    // user: the session of a missing assumedRoleUser.arn -> null; user_type falls back to
    // userIdentity.type; user_role and user_id read responseElements -> null.
    await event('05-assume-refused', { user: null, user_type: 'IAMUser', user_role: null, user_id: null, user_name: 'carol', src_user: 'carol' });
  });

  it('AssumeRole by an AWS service: no account id, no arn', async () => {
    // user_arn: coalesce(userIdentity.arn, requestParameters.roleArn). userName/user_name: no
    // userName and no arn -> the name at the end of requestParameters.roleArn. aws_account_id:
    // AWSService -> recipientAccountId; vendor_account: coalesce(userIdentity.accountId,
    // recipientAccountId). user_role: AWSService -> null. src_user_type: not for AWSService.
    await event('06-assume-service', {
      user: null, user_type: 'AWS::IAM::Role', user_arn: 'arn:aws:iam::111122223333:role/fn-role', userName: 'fn-role', user_name: 'fn-role',
      aws_account_id: A, vendor_account: A, user_group_id: null, user_role: null, src_user: null, src_user_type: null,
      src: 'lambda.amazonaws.com', src_ip: 'lambda.amazonaws.com',
    });
  });

  it('AssumeRole by another account (the role owner\'s copy): AWSAccount', async () => {
    // aws_account_id: AWSAccount -> recipientAccountId (this trail's account); vendor_account and
    // user_group_id: the caller's userIdentity.accountId.
    await event('07-assume-account', {
      user: 'night-sync', user_type: 'AWS::IAM::Role', aws_account_id: A, vendor_account: '999988887777', user_group_id: '999988887777',
      user_role: 'arn:aws:sts::111122223333:assumed-role/ops-role/night-sync', user_arn: 'arn:aws:iam::111122223333:role/ops-role',
      src_user: null, src_user_type: 'AWSAccount', src_user_id: null, temp_access_key: 'ASIAEXAMPLEOUTSIDE07',
    });
  });

  it('AssumeRole by a role session (role chaining), without resources{}', async () => {
    // user: AssumeRole by AssumedRole -> the last "/" part of requestParameters.roleArn. user_type:
    // no resources{} -> the second "/" part of assumedRoleUser.arn, the role name. user_role: a role
    // session -> requestParameters.roleArn. src_user_role: the caller's arn. src_user_name and
    // src_user: the session issuer's name. src_user_id: the issuer's principalId. authentication_method:
    // AssumeRole by a role session without MFA -> SFA. object: AssumeRole -> the issuer's name.
    await event('08-assume-chain', {
      user: 'release-role', user_type: 'release-role', user_role: 'arn:aws:iam::111122223333:role/release-role',
      src_user_role: 'arn:aws:sts::111122223333:assumed-role/deploy-role/carol-deploy', src_user: 'deploy-role', src_user_name: 'deploy-role',
      src_user_id: 'AROAEXAMPLEROLE0011', src_user_type: 'AssumedRole', authentication_method: 'SFA', object: ['deploy-role'], userName: 'deploy-role',
      user_access_key: 'ASIAEXAMPLESESSION01',
    });
  });

  it('CreateAccessKey refused: user, user_name and object are the text after "resource: user"', async () => {
    // EVAL-user/user_name/object: CreateAccessKey -> coalesce(responseElements.accessKey.userName,
    // replace(errorMessage, ".*resource\s*:\s*(?:user\s*)?(.*)", "\1")). user_type: CreateAccessKey ->
    // null. object_attrs: CreateAccessKey with the recorded errorCode AccessDenied -> "user".
    // src_user_name: the caller's userName.
    await event('09-createkey-refused', {
      user: BOB, user_name: BOB, user_type: null, object: [BOB], object_id: [BOB], object_attrs: ['user'], src_user: 'carol', src_user_name: 'carol',
      src_user_type: 'IAMUser', user_access_key: 'AKIAEXAMPLECAROL0003',
    });
  });

  it('CreateAccessKey and CreateUser name the user acted on; src_user the one acting', async () => {
    // CreateAccessKey: responseElements.accessKey (userName, accessKeyId, status).
    await event('10-createkey-ok', { user: 'dave', user_name: 'dave', object: ['dave'], object_id: ['AKIAEXAMPLEDAVE00010'], object_attrs: ['status=Active'], src_user: 'carol' });
    // CreateUser: responseElements.user; user_type null (`*User`); src_user and src_user_name: the
    // session name in principalId; src_user_id: principalId (a `*User` call not by a service).
    await event('11-createuser', {
      user: 'erin', user_name: 'erin', user_id: 'AIDAEXAMPLEERIN00011', user_type: null, object: ['erin'], object_id: ['AIDAEXAMPLEERIN00011'],
      object_attrs: ['user'], src_user: 'ops-admin', src_user_name: 'ops-admin', src_user_id: 'AROAEXAMPLEROLE0010:ops-admin', src_user_type: 'AssumedRole',
      dest: ['iam.amazonaws.com'],
    });
  });

  it('a call the add-on has no branch for: user is userIdentity.userName (none for a role session)', async () => {
    await event('15-getobject', { user: null, user_type: 'AssumedRole', user_name: 'deploy-role', userName: 'deploy-role', src_user: null });
  });
});

describe('where, how and what', () => {
  it('aliases of the event as recorded', async () => {
    // FIELDALIAS-*: start_time=eventTime, app=eventType, dvc=eventSource, region and vendor_region
    // =awsRegion, signature and command=eventName, src and src_ip=sourceIPAddress,
    // user_group_id=userIdentity.accountId, user_access_key=userIdentity.accessKeyId,
    // temp_access_key=responseElements.credentials.accessKeyId. user_agent: EVAL coalesce(userAgent, ...).
    await event('04-assume-user', {
      start_time: '2026-11-26T10:04:00Z', app: 'AwsApiCall', dvc: 'sts.amazonaws.com', region: 'us-east-1', vendor_region: 'us-east-1',
      signature: 'AssumeRole', command: 'AssumeRole', src: '198.51.100.7', src_ip: '198.51.100.7', user_group_id: A,
      user_access_key: 'AKIAEXAMPLECAROL0003', temp_access_key: 'ASIAEXAMPLECAROL0004', user_agent: 'aws-cli/2.22.4', vendor_product: 'AWS CloudTrail',
    });
  });

  it('dest: the console a login went to, the service otherwise, the instances of RunInstances', async () => {
    // EVAL-dest: ConsoleLogin -> coalesce(additionalEventData.LoginTo, eventSource); RunInstances ->
    // coalesce(responseElements.instancesSet.items{}.instanceId, eventSource); %Bucket ->
    // requestParameters.host{} (this DeleteBucket records Host, not host{}: null); else eventSource.
    await event('01-console-ok', { dest: ['https://console.aws.amazon.com/console/home'], authentication_method: 'MFA' });
    await event('03-console-role', { dest: ['signin.amazonaws.com'], authentication_method: 'SFA' });
    await event('04-assume-user', { dest: ['sts.amazonaws.com'], authentication_method: null });
    await event('16-delete-bucket', { dest: null, object: ['old-logs'], object_attrs: ['bucket'], user: 'carol' });
  });

  it('RunInstances: image_id, instance_type, the instance, its addresses', async () => {
    // FIELDALIAS image_id / instance_type; EVAL-object (%Instances) and object_id; EVAL-object_attrs
    // RunInstances branch; EVAL-user and user_type for %Instances: the issuer's name, userIdentity.type.
    await event('12-runinstances', {
      image_id: ['ami-0abc1234def567890'], instance_type: 't3.micro', object: ['i-0123456789abcdef0'], object_id: ['i-0123456789abcdef0'],
      object_attrs: ['macAddress=0a:1b:2c:3d:4e:5f, privateIpAddress=10.0.1.15'], dest: ['i-0123456789abcdef0'], user: 'deploy-role', user_type: 'AssumedRole',
    });
  });

  it('a security group rule: protocol, source ranges and ports, direction', async () => {
    // EVAL-protocol (%SecurityGroup%), src_ip_range and src_port_range (%SecurityGroupIngress),
    // direction Inbound; the egress fields stay empty; object: the group id; object_attrs: ipPermissions.
    await event('13-sg-ingress', {
      protocol: ['tcp'], protocol_code: null, src_ip_range: ['0.0.0.0/0'], src_port_range: ['22', '22'], dest_ip_range: null, dest_port_range: null,
      direction: 'Inbound', object: ['sg-0123abcd'], object_attrs: ['ipPermissions'],
    });
  });

  it('a network ACL entry: protocol from the protocol number lookup, rule_action, ranges', async () => {
    // EVAL-protocol_code: requestParameters.aclProtocol; LOOKUP-protocol: 6 -> ip. EVAL-rule_action:
    // coalesce(responseElements.networkAcl.entrySet.items{}.ruleAction, requestParameters.ruleAction)
    // (the first is no field: this response has no networkAcl). egress=false: ingress ranges.
    await event('14-acl-entry', {
      protocol_code: '6', protocol: ['ip'], rule_action: ['allow'], direction: 'Inbound', src_ip_range: ['0.0.0.0/0'], src_port_range: ['443', '443'],
      object: ['acl-0a1b2c3d'], object_attrs: ['ruleAction=allow'],
    });
  });

  it('object_path, change_type and object_category', async () => {
    // LOOKUP change_type by eventName (CreateAccessKey -> AAA, RunInstances -> virtual_server), then
    // by eventSource when none (GetObject on s3 -> storage; ConsoleLogin on signin: neither -> null).
    // LOOKUP object_category: by eventName, "unknown" when unlisted. EVAL-object_path: none of these calls.
    await event('10-createkey-ok', { change_type: 'AAA', object_category: 'user', object_path: null });
    await event('12-runinstances', { change_type: 'virtual_server', object_category: 'instance' });
    await event('15-getobject', { change_type: 'storage', object_category: 'unknown' });
    await event('01-console-ok', { change_type: null, object_category: 'unknown' });
  });

  it('a path into an array that no element holds is no field (so coalesce() passes over it)', async () => {
    // Before: an empty multivalue, so rule_action above was [] rather than allow, and image_id=*
    // matched every call whose requestParameters lacked instancesSet.
    await event('04-assume-user', { image_id: null, rule_action: null });
    await expectRows(addon, 'image_id=* | stats count', [{ count: 1 }]);
    await expectRows(addon, "eventID=addon-04-assume-user | eval n=isnull('requestParameters.instancesSet.items{}.imageId') | table n", [{ n: true }]);
  });

  it('fields the add-on defines that never have a value here', async () => {
    // desc aliases requestParameters, which Splunk's JSON extraction never makes a field of (only
    // its leaves); the vendor/product lookup's file is not in the 7.10.0 package.
    await event('04-assume-user', { desc: null, vendor: null, product: null });
  });
});

// eventtype and tag compile to large SQL (every event type's search), so each profile is read in
// one search over the whole fixture.
describe('event types and tags', () => {
  const et = (...names: string[]) => names.map((n) => `aws_cloudtrail_${n}`);
  it('with add-on 7.10: each event\'s event types (eventtypes.conf) and their tags (tags.conf)', async () => {
    ['eventtype', 'tag'].forEach((k) => tested.add(k));
    await expectRows(addon, 'eventID=addon-* | sort eventID | table eventID eventtype tag', [
      // ConsoleLogin with LoginTo and MFA: authentication, default, multifactor.
      { eventID: 'addon-01-console-ok', eventtype: et('auth', 'consolelogin_auth', 'multifactor_auth'), tag: ['authentication', 'cloud', 'default', 'multifactor'] },
      // Failed: errorCode "failure" is not success, so aws_cloudtrail_errors.
      { eventID: 'addon-02-console-fail', eventtype: et('auth', 'consolelogin_auth', 'errors'), tag: ['authentication', 'cloud', 'default', 'error'] },
      // Without LoginTo: privileged.
      { eventID: 'addon-03-console-role', eventtype: et('auth', 'auth_privileged'), tag: ['authentication', 'cloud', 'privileged'] },
      { eventID: 'addon-04-assume-user', eventtype: et('auth', 'assumeRole_auth'), tag: ['assume_role', 'cloud'] },
      { eventID: 'addon-05-assume-refused', eventtype: et('auth', 'assumeRole_auth', 'errors'), tag: ['assume_role', 'cloud', 'error'] },
      // An AWS service is not aws_cloudtrail_assumeRole_auth.
      { eventID: 'addon-06-assume-service', eventtype: et('auth'), tag: ['cloud'] },
      { eventID: 'addon-07-assume-account', eventtype: et('auth', 'assumeRole_auth'), tag: ['assume_role', 'cloud'] },
      { eventID: 'addon-08-assume-chain', eventtype: et('auth', 'assumeRole_auth'), tag: ['assume_role', 'cloud'] },
      // Create* is a change; an IAM call that is not a get, list or describe is account management.
      { eventID: 'addon-09-createkey-refused', eventtype: et('change', 'iam_change', 'iam_change_acctmgmt', 'errors'), tag: ['account', 'change', 'cloud', 'error', 'management'] },
      { eventID: 'addon-10-createkey-ok', eventtype: et('change', 'iam_change', 'iam_change_acctmgmt'), tag: ['account', 'change', 'cloud', 'management'] },
      { eventID: 'addon-11-createuser', eventtype: et('change', 'iam_change', 'iam_change_acctmgmt'), tag: ['account', 'change', 'cloud', 'management'] },
      // object_category (the lookup's) is instance: aws_cloudtrail_instance.
      { eventID: 'addon-12-runinstances', eventtype: et('ec2_events', 'instance'), tag: ['change', 'cloud', 'instance'] },
      // *security*; *acl* (and Create*).
      { eventID: 'addon-13-sg-ingress', eventtype: et('notable_network_events'), tag: ['change', 'cloud', 'network'] },
      { eventID: 'addon-14-acl-entry', eventtype: et('change', 'notable_network_events'), tag: ['change', 'cloud', 'network'] },
      { eventID: 'addon-15-getobject', eventtype: null, tag: null },
      // The bare term *Delete* matches the event's text.
      { eventID: 'addon-16-delete-bucket', eventtype: et('endpoint_change', 'delete_events'), tag: ['change', 'cloud', 'endpoint'] },
    ]);
  });

  it('with --addon 5, aws_cloudtrail_auth (AssumeRole*, GetSessionToken, GetFederationToken, ConsoleLogin) is authentication too', async () => {
    await expectRows(addon, 'tag=authentication | sort eventID | table eventID', [
      '01-console-ok', '02-console-fail', '03-console-role', '04-assume-user', '05-assume-refused', '06-assume-service', '07-assume-account', '08-assume-chain',
    ].map((id) => ({ eventID: `addon-${id}` })), { addon: '5' });
    await expectRows(addon, 'tag=authentication | sort eventID | table eventID', ['01-console-ok', '02-console-fail', '03-console-role'].map((id) => ({ eventID: `addon-${id}` })));
  });

  it('tag=X and eventtype=X read the event types\' searches: case-insensitive values, wildcards, the event as loaded', async () => {
    await expectRows(addon, 'eventtype=AWS_CLOUDTRAIL_ERRORS | sort eventID | table eventID', ['02-console-fail', '05-assume-refused', '09-createkey-refused'].map((id) => ({ eventID: `addon-${id}` })));
    await expectRows(addon, 'tag=Network OR eventtype=aws_cloudtrail_instance | stats count', [{ count: 3 }]);
    await expectRows(addon, 'tag=auth* | stats count', [{ count: 3 }]);
    await expectRows(addon, 'NOT tag=cloud | table eventID', [{ eventID: 'addon-15-getobject' }]);
    // Tags are the event's: an eval of eventName does not change them.
    await expectRows(addon, 'eventID=addon-01-console-ok | eval eventName="GetObject" | search tag=authentication | stats count', [{ count: 1 }]);
  });
});

describe('add-on fields after the pipeline changed their sources', () => {
  it('eval of a source field leaves the add-on field as it was', async () => {
    await expectRows(data.sample, 'eventID=d4b53dba-e77e-4d9d-a9bd-00a21751f6c2 | eval eventName="DeleteRole" | table eventName signature action', [
      { eventName: 'DeleteRole', signature: 'AttachRolePolicy', action: 'modified' },
    ]);
  });

  it('fields - of a source field leaves the add-on field as it was', async () => {
    await expectRows(data.sample, 'eventID=d4b53dba-e77e-4d9d-a9bd-00a21751f6c2 | fields - eventName | table eventName signature action', [
      { eventName: null, signature: 'AttachRolePolicy', action: 'modified' },
    ]);
  });

  it('rename of a source field leaves the add-on field as it was', async () => {
    await expectRows(data.sample, 'eventID=d4b53dba-e77e-4d9d-a9bd-00a21751f6c2 | rename eventName as api | table api signature action', [
      { api: 'AttachRolePolicy', signature: 'AttachRolePolicy', action: 'modified' },
    ]);
  });

  // Every command that replaces an event field, not only eval, fields and rename: streamstats,
  // eventstats and concurrency wrote their output over eventName and the add-on fields then read
  // the new value (an empty `action` for a string, a type error for a number).
  it.each([
    ['streamstats last(eventSource) as eventName', 'iam.amazonaws.com'],
    ['eventstats first(eventSource) as eventName', 'iam.amazonaws.com'],
    ['streamstats count as eventName', 1],
    ['eventstats count as eventName', 1],
    ['concurrency duration=_time output=eventName', 1],
    ['streamstats count as errorCode | eval eventName=errorCode', 1],
  ])('%s leaves the add-on fields as they were', async (command, value) => {
    await expectRows(data.sample, `eventID=d4b53dba-e77e-4d9d-a9bd-00a21751f6c2 | ${command} | table eventName signature action status`, [
      { eventName: value, signature: 'AttachRolePolicy', action: 'modified', status: 'success' },
    ]);
  });

  it('an event lacking identity details gives null, not an error', async () => {
    // The language fixture's AWS service call (GetBucketAcl by config.amazonaws.com).
    await expectRows(data.lang, 'eventID=lang-05-no-identity-fields | table user user_type user_arn aws_account_id vendor_account action status src_ip', [
      { user: null, user_type: 'AWSService', user_arn: null, aws_account_id: A, vendor_account: A, action: null, status: null, src_ip: 'config.amazonaws.com' },
    ]);
  });
});

describe('the table', () => {
  it('every field compiles as an eval expression, under both add-on profiles', () => {
    for (const f of ADDON_FIELDS) {
      for (const profile of ['7.10', '5'] as const) expect(() => sqlOf(`* | eval x=${f.name}`, { addon: profile }), f.name).not.toThrow();
    }
  });

  it('every rule names where the add-on defines it', () => {
    for (const f of ADDON_FIELDS) expect(f.source, f.name).toMatch(/^(props\.conf \[aws:cloudtrail\] (FIELDALIAS|EVAL|REPORT|LOOKUP)-|eventtypes\.conf|tags\.conf)/);
  });

  it('every field has a test on a fixture event above', () => {
    expect(addonFieldNames().filter((n) => !tested.has(n))).toEqual([]);
  });
});
