// The CIM data models that cloud detections query with `tstats ... from datamodel=<Model>`, mapped
// onto CloudTrail. Like addon-fields.ts, every constraint and field is an SPL eval expression over
// raw CloudTrail paths or add-on field names (the compiler treats `expr` like the right-hand side
// of `| eval`). docs/datamodels.md documents the same table; keep them in step.
//
// Splunk names a data model's columns after the root dataset (`Authentication.user`,
// `All_Changes.user`); child datasets (`Authentication.Failed_Authentication`) narrow the events
// and keep the root's field names.
import { CREATE_VERBS, DELETE_VERBS, MODIFY_VERBS } from './addon-fields.js';

export interface DataModelField {
  name: string;
  expr: string;
  rule: string;
}

export interface Dataset {
  name: string;
  /** SPL eval condition an event must meet (on top of the root dataset's). */
  constraint: string;
  rule: string;
}

export interface DataModel {
  name: string;
  /** The root dataset: its name prefixes every field. */
  root: Dataset;
  children: Dataset[];
  fields: DataModelField[];
}

const field = (name: string, expr: string, rule: string): DataModelField => ({ name, expr, rule });

const AUTH_CALLS = ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'GetFederationToken', 'ConsoleLogin'];

const AUTHENTICATION: DataModel = {
  name: 'Authentication',
  root: {
    name: 'Authentication',
    constraint: `in(eventName, ${AUTH_CALLS.map((c) => `"${c}"`).join(', ')})`,
    rule: `eventName is one of ${AUTH_CALLS.join(', ')} (calls that log in or hand out credentials, as add-on 5.x tagged them)`,
  },
  children: [
    { name: 'Failed_Authentication', constraint: 'action=="failure"', rule: 'action is failure' },
    { name: 'Successful_Authentication', constraint: 'action=="success"', rule: 'action is success' },
    { name: 'Default_Authentication', constraint: "'userIdentity.type'==\"Root\"", rule: 'the caller is the account root user (the built-in account)' },
  ],
  fields: [
    field('action', 'action', 'add-on action: success, or failure (errorCode set, or ConsoleLogin not Success)'),
    field('app', 'eventSource', 'eventSource: sts.amazonaws.com or signin.amazonaws.com'),
    field('dest', 'dest', 'add-on dest: the role asked for (requestParameters.roleArn) for AssumeRole*, else eventSource'),
    field('signature', 'eventName', 'eventName'),
    field('src', 'src', 'add-on src: sourceIPAddress (an IP, an AWS service name or "AWS Internal")'),
    field('src_ip', 'src_ip', 'add-on src_ip: sourceIPAddress when it is an IP address'),
    field('user', 'user', 'add-on user: the caller (IAM user name, session name, root, invoking service...)'),
    field('user_role', 'user_role', "add-on user_role: the session issuer's role name"),
    field('user_type', 'user_type', 'add-on user_type: userIdentity.type'),
    field('vendor_account', 'vendor_account', 'add-on vendor_account: recipientAccountId, else userIdentity.accountId'),
    field('authentication_method', 'authentication_method', 'add-on authentication_method: mfa, password, service, access_key, session_token'),
    field('reason', 'reason', 'add-on reason: errorMessage, else errorCode; null on success'),
  ],
};

const CHANGE_VERBS = `${CREATE_VERBS}|${DELETE_VERBS}|${MODIFY_VERBS}`;

/** The thing a change call names, from the request parameters CloudTrail records most often. */
const OBJECT_NAMES = [
  'userName', 'roleName', 'groupName', 'policyName', 'instanceProfileName', 'bucketName', 'functionName', 'trailName',
  'name', 'keyId', 'groupId', 'instanceId', 'dBInstanceIdentifier', 'snapshotId', 'volumeId', 'accessKeyId',
];

const CHANGE: DataModel = {
  name: 'Change',
  root: {
    name: 'All_Changes',
    constraint: `coalesce(readOnly, "false")!="true" AND match(eventName, "${CHANGE_VERBS}")`,
    rule: 'not readOnly, and eventName starts with a create, delete or modify verb (the add-on action lists), failed calls included',
  },
  children: [
    { name: 'Account_Management', constraint: 'eventSource=="iam.amazonaws.com"', rule: 'IAM calls (users, groups, roles, keys, policies)' },
    { name: 'Instance_Changes', constraint: 'eventSource=="ec2.amazonaws.com" AND match(eventName, "Instance")', rule: 'EC2 calls on instances' },
  ],
  fields: [
    field(
      'action',
      `case(match(eventName, "${CREATE_VERBS}"), "created", match(eventName, "${DELETE_VERBS}"), "deleted", 1==1, "modified")`,
      'created, deleted or modified, by the verb that starts eventName (also for failed calls: see status)',
    ),
    field('change_type', 'replace(eventSource, "\\.amazonaws\\.com$", "")', 'the AWS service: eventSource without .amazonaws.com (iam, s3, ec2...)'),
    field('command', 'eventName', 'eventName'),
    field('dest', 'dest', 'add-on dest: the service endpoint (eventSource)'),
    field(
      'object',
      `coalesce(${OBJECT_NAMES.map((n) => `'requestParameters.${n}'`).join(', ')})`,
      `the first of requestParameters.${OBJECT_NAMES.join(', .')}`,
    ),
    field('object_attrs', "coalesce('requestParameters.attribute', 'requestParameters.attributeName')", 'requestParameters.attribute, else .attributeName (EC2 and RDS attribute changes)'),
    field(
      'object_category',
      'case(match(eventName, "AccessKey"), "access_key", match(eventName, "LoginProfile"), "password", ' +
        'match(eventName, "Policy"), "policy", match(eventName, "SecurityGroup"), "security_group", ' +
        'match(eventName, "InstanceProfile"), "instance_profile", match(eventName, "Role"), "role", ' +
        'match(eventName, "Group"), "group", match(eventName, "User"), "user", match(eventName, "Bucket"), "bucket", ' +
        'match(eventName, "Object"), "object", match(eventName, "Instance"), "instance", ' +
        'match(eventName, "Trail|Logging"), "trail", match(eventName, "Key"), "key", ' +
        '1==1, replace(eventSource, "\\.amazonaws\\.com$", ""))',
      'from the noun in eventName: access_key, password, policy, security_group, instance_profile, role, group, user, bucket, object, instance, trail, key; else the service',
    ),
    field(
      'object_id',
      "coalesce(mvindex('resources{}.ARN', 0), 'requestParameters.policyArn', 'requestParameters.roleArn', 'responseElements.role.arn', 'responseElements.user.arn', 'responseElements.policy.arn')",
      'the first resources{}.ARN, else requestParameters.policyArn / roleArn, else the arn in responseElements (role, user, policy)',
    ),
    field('object_path', "coalesce('requestParameters.key', 'requestParameters.path')", 'requestParameters.key (S3 object key), else .path (IAM path)'),
    field('result', 'coalesce(errorCode, "success")', 'errorCode, or "success"'),
    field('src', 'src', 'add-on src'),
    field('status', 'status', 'add-on status: success or failure'),
    field('user', 'user', 'add-on user'),
    field('user_type', 'user_type', 'add-on user_type'),
    field('vendor_account', 'vendor_account', 'add-on vendor_account'),
    field('vendor_region', 'awsRegion', 'awsRegion'),
  ],
};

export const DATA_MODELS: readonly DataModel[] = Object.freeze([AUTHENTICATION, CHANGE]);

export function dataModel(name: string): DataModel | undefined {
  return DATA_MODELS.find((m) => m.name === name);
}
