// The add-on's calculated fields for aws:cloudtrail (props.conf [aws:cloudtrail] EVAL-*), in the
// add-on's order, with each rule in words for docs/fields.md. The expressions live in identity.ts,
// objects.ts, attributes.ts and outcomes.ts.
import {
  DEST, DEST_IP_RANGE, DEST_PORT_RANGE, DIRECTION, OBJECT_ATTRS, OBJECT_PATH, PROTOCOL, PROTOCOL_CODE, RULE_ACTION, SRC_IP_RANGE, SRC_PORT_RANGE,
} from './attributes.js';
import {
  AUTHENTICATION_METHOD, AWS_ACCOUNT_ID, SRC_USER, SRC_USER_ID, SRC_USER_NAME, SRC_USER_ROLE, SRC_USER_TYPE, USER, USER_ARN, USER_ID,
  USER_NAME_CAMEL, USER_NAME_RULE, USER_ROLE, USER_TYPE, VENDOR_ACCOUNT,
} from './identity.js';
import { OBJECT, OBJECT_ID } from './objects.js';
import { ERROR_CODE, MSG } from './outcomes.js';

export interface CalculatedField {
  name: string;
  expr: string;
  rule: string;
}

const calc = (name: string, expr: string, rule: string): CalculatedField => ({ name, expr, rule });

const PER_CALL = 'per event name (the first matching branch of the add-on\'s list wins: `src/compiler/addon/';

export const CALCULATED: readonly CalculatedField[] = [
  calc('rule_action', RULE_ACTION, '`responseElements.networkAcl.entrySet.items{}.ruleAction`, else `requestParameters.ruleAction`'),
  calc('msg', MSG, 'CloudTrail\'s own `errorCode`, else `success` (so a failed console login, which carries no errorCode, reads `success`)'),
  calc('user_arn', USER_ARN, '`userIdentity.arn`, else `requestParameters.roleArn` (an AWS service assuming a role has no arn of its own)'),
  calc('userName', USER_NAME_CAMEL, '`userIdentity.userName`, else `requestParameters.sourceIdentity`, else the session issuer\'s ' +
    '`userName`, else the name at the end of `userIdentity.arn` (or of `requestParameters.roleArn` when there is no arn)'),
  calc('result', 'case(eventName IN ("CreateConnection", "DriverExecute", "EnableControl"), \'responseElements.message\', ' +
    'eventName=="Error_GET", "\\"status\\": " . \'additionalEventData.responseParameters.status\', true(), errorMessage)',
  '`errorMessage`; `responseElements.message` for CreateConnection, DriverExecute and EnableControl'),
  calc('vendor_account', VENDOR_ACCOUNT, '`userIdentity.accountId` (the caller\'s account), else `recipientAccountId`'),
  calc('user', USER, `${PER_CALL}identity.ts\`): the user acted on for IAM user calls (CreateUser: the new user; CreateAccessKey: ` +
    'the key\'s owner, or when refused the text after "resource:" in errorMessage; DeleteUser, UpdateUser, CreateLoginProfile...), ' +
    'the role\'s session name for AssumeRole* (from `responseElements.assumedRoleUser.arn`; the role name when a role session ' +
    'assumes a role), the session issuer\'s name for some EC2/S3/RDS describe calls, the session name in `principalId` for ' +
    'AttachRolePolicy, CreatePolicy, GetSecretValue...; otherwise `userIdentity.userName`, which is empty for role sessions, ' +
    'root and AWS services'),
  calc('user_name', USER_NAME_RULE, `${PER_CALL}identity.ts\`): like \`user\` for IAM user calls; for every other call but ` +
    'AddMemberToGroup, `userIdentity.userName`, else the session issuer\'s name, else the name at the end of the caller\'s ARN ' +
    '(of `requestParameters.roleArn` when there is no caller ARN)'),
  calc('user_id', USER_ID, 'ConsoleLogin by an IAM user and CheckMfa: the principalId; ConsoleLogin, ListAliases, ListRoles, ' +
    'DeleteNetworkInterface by a role session: the role\'s id; CreateUser: the new user\'s id; DeleteUser, UpdateUser: the user name; ' +
    'other API calls: the id in `responseElements.assumedRoleUser.assumedRoleId` (null unless the call assumed a role); ' +
    'else `userIdentity.userName`'),
  calc('user_type', USER_TYPE, 'null for CreateAccessKey, CreateLoginProfile, `*User` calls, ListSigningCertificates, ListAccessKeys, ' +
    'CreateVirtualMFADevice, GetAccountSummary, ListAccountAliases; AssumeRole*: `resources{}.type` (AWS::IAM::Role), else the role ' +
    'name in `responseElements.assumedRoleUser.arn`, else `userIdentity.type` (a refused call has neither); the session issuer\'s ' +
    'type for a role\'s ConsoleLogin without LoginTo, ListAliases, ListRoles, DeleteNetworkInterface; else `userIdentity.type`'),
  calc('user_agent', "coalesce(userAgent, 'userAgent{}')", '`userAgent`'),
  calc('aws_account_id', AWS_ACCOUNT_ID, '`recipientAccountId` for AWSAccount and AWSService callers (they have no account id of ' +
    'their own in this event), else `userIdentity.accountId`'),
  calc('vendor_product', '"AWS CloudTrail"', 'the constant `AWS CloudTrail`'),
  calc('dest', DEST, 'the instance ids for RunInstances/StartInstances (else eventSource), StopInstances, TerminateInstances, ' +
    'RebootInstances; `requestParameters.Host` or `host{}` for bucket and Put* calls; `additionalEventData.LoginTo` (else eventSource) ' +
    'for ConsoleLogin, AssumeRole*, CheckMfa, ListAliases; the user name for DeleteLoginProfile; else `eventSource`'),
  calc('object', OBJECT, `${PER_CALL}objects.ts\`): the instance, security group, volume, network ACL, bucket, user, key's owner, ` +
    'stack, queue, table, function, log group, role (AttachRolePolicy), policy, secret... the call acted on; AssumeRole: the session ' +
    'issuer\'s name; null for calls it does not list'),
  calc('object_id', OBJECT_ID, `${PER_CALL}objects.ts\`): the id of what \`object\` names (instance ids, group id, new user id, ` +
    'access key id, policy id...)'),
  calc('dest_ip_range', DEST_IP_RANGE, 'the CIDR ranges of *SecurityGroupEgress calls; `requestParameters.cidrBlock` of egress network ACL entries'),
  calc('dest_port_range', DEST_PORT_RANGE, 'to- and from-ports of *SecurityGroupEgress* calls; the port range of egress network ACL entries'),
  calc('direction', DIRECTION, '`Inbound` for *SecurityGroupIngress and ingress network ACL entries, `Outbound` for egress ones'),
  calc('object_attrs', OBJECT_ATTRS, `${PER_CALL}attributes.ts\`): what the call set, as text (\`status=Active\` for CreateAccessKey, ` +
    '`user` when refused; `ipPermissions` for security group rules; the policy ARN for AttachRolePolicy; ...)'),
  calc('object_path', OBJECT_PATH, 'the ARN or path of what a few calls created or read (CreatePolicy: the policy path; DescribeTable: `resources{}.ARN`...)'),
  calc('protocol', PROTOCOL, '`requestParameters.ipPermissions.items{}.ipProtocol` for *SecurityGroup* calls'),
  calc('protocol_code', PROTOCOL_CODE, '`requestParameters.aclProtocol` for *NetworkAcl* calls'),
  calc('src_ip_range', SRC_IP_RANGE, 'the CIDR ranges of *SecurityGroupIngress calls; `requestParameters.cidrBlock` of ingress network ACL entries'),
  calc('src_port_range', SRC_PORT_RANGE, 'to- and from-ports of *SecurityGroupIngress* calls; the port range of ingress network ACL entries'),
  calc('authentication_method', AUTHENTICATION_METHOD, '`MFA` for a ConsoleLogin with `additionalEventData.MFAUsed`=Yes and for ' +
    'CheckMfa; `SFA` for a ConsoleLogin with MFAUsed=No and for AssumeRole or ListAliases by a role session without MFA; else null'),
  calc('errorCode', ERROR_CODE, 'replaces CloudTrail\'s `errorCode`: the recorded code, else `failure` for a console login whose ' +
    '`responseElements.ConsoleLogin` is Failure, else `success`. So `errorCode=success` finds the calls that succeeded; the ' +
    'recorded code stays in `result_id`'),
  calc('src_user', SRC_USER, `${PER_CALL}identity.ts\`): who made an account change (AssumeRole*: \`userIdentity.userName\`, else ` +
    '`requestParameters.sourceIdentity`, else the session issuer\'s name; CreateUser, CreateLoginProfile: the session name in ' +
    '`principalId`; ConsoleLogin without LoginTo: the session name); else `userIdentity.userName`'),
  calc('src_user_name', SRC_USER_NAME, 'the caller\'s `userIdentity.userName` for IAM user calls (DeleteUser, CreateAccessKey...); ' +
    'AssumeRole: the session issuer\'s name; null for other calls'),
  calc('src_user_id', SRC_USER_ID, 'AssumeRole by an IAM user: its principalId; by a role session: the role\'s id; SAML and web ' +
    'identity: principalId without its last `:` part; `*User` calls not by an AWS service: principalId'),
  calc('src_user_role', SRC_USER_ROLE, 'AssumeRole* by a role session: the caller\'s `userIdentity.arn` (the role chaining from)'),
  calc('src_user_type', SRC_USER_TYPE, '`userIdentity.type` for AssumeRole*, IAM user calls and a few others (not for AWS services)'),
  calc('user_role', USER_ROLE, 'AssumeRole* only: the role asked for (`requestParameters.roleArn`) when a role session calls; the ' +
    'assumed-role ARN (`responseElements.assumedRoleUser.arn`) for other callers but AWS services; else null'),
];
