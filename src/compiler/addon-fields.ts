// The fields the Splunk Add-on for AWS derives for sourcetype aws:cloudtrail, written as SPL eval
// expressions over the raw CloudTrail field paths. The compiler treats each `expr` exactly like
// the right-hand side of `| eval <name>=<expr>`.
//
// Rules (as in the add-on): every expression reads only raw CloudTrail paths, never another
// derived field, so the fields can be computed in any order (or all at once). An alias whose
// source path is missing is null. Paths with dots or braces are single-quoted; `{}` marks an
// array, e.g. 'resources{}.accountId' is multivalue. docs/fields.md documents the same table.
//
// `action` and `status` are spelunk's own classification (documented in docs/fields.md); they
// are not the add-on's lookup table.

export interface AddonField {
  /** The derived field's name, as analysts type it. */
  name: string;
  /** 'alias': a raw path under another name. 'eval': a calculated field. */
  kind: 'alias' | 'eval';
  /** SPL eval expression over raw CloudTrail paths. */
  expr: string;
  /** The rule in words, for docs and `explain` output. */
  rule: string;
}

const TYPE = "'userIdentity.type'";
const KEY = "'userIdentity.accessKeyId'";
const ISSUER = "'userIdentity.sessionContext.sessionIssuer";

/** An IPv4 dotted quad, or text made only of hex digits, colons and dots with at least two colons (IPv6). */
const IP_REGEX = '^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$';

/** Calls that hand out credentials: classified like logins (success / failure). */
const CREDENTIAL_CALLS = '^(AssumeRole.*|GetSessionToken|GetFederationToken)$';
/** Error codes that mean "not allowed" rather than "went wrong". */
const DENIED_CODES = 'AccessDenied|UnauthorizedOperation|UnauthorizedAccess|NotAuthorized|Forbidden';
export const CREATE_VERBS =
  '^(Create|Run|Put|Add|Attach|Allocate|Associate|Authorize|Import|Register|Upload|Copy|Issue|Request)';
export const DELETE_VERBS =
  '^(Delete|Remove|Detach|Terminate|Deregister|Disassociate|Release|Revoke|Deactivate|Cancel|Purge)';
export const MODIFY_VERBS =
  '^(Update|Modify|Set|Change|Enable|Disable|Reset|Replace|Rotate|Tag|Untag|Start|Stop|Reboot|Restore|Activate|Apply|Upgrade)';
const READ_VERBS =
  '^(Get|List|Describe|Lookup|Head|Search|Scan|Query|Select|BatchGet|Check|Verify|Decrypt|Download|Filter|Preview|Simulate|Test|Validate)';

const alias = (name: string, path: string, rule: string): AddonField => ({ name, kind: 'alias', expr: path, rule });
const calc = (name: string, expr: string, rule: string): AddonField => ({ name, kind: 'eval', expr, rule });

export const ADDON_FIELDS: readonly AddonField[] = Object.freeze([
  // ---- aliases: a raw path under another name ---------------------------------------------
  alias('src', 'sourceIPAddress', 'sourceIPAddress as recorded: an IP address, an AWS service name or "AWS Internal"'),
  alias('region', 'awsRegion', 'awsRegion'),
  alias('signature', 'eventName', 'eventName'),
  alias('command', 'eventName', 'eventName'),
  alias('event_name', 'eventName', 'eventName'),
  alias('user_type', TYPE, 'userIdentity.type (IAMUser, AssumedRole, Root, AWSService, AWSAccount, FederatedUser, ...)'),
  alias('user_arn', "'userIdentity.arn'", 'userIdentity.arn'),
  alias('user_agent', 'userAgent', 'userAgent'),
  alias('http_user_agent', 'userAgent', 'userAgent'),
  alias('msg', 'errorMessage', 'errorMessage (null when the call succeeded)'),
  alias('result_id', 'errorCode', 'errorCode (null when the call succeeded)'),
  alias(
    'mfa_auth',
    "'userIdentity.sessionContext.attributes.mfaAuthenticated'",
    'userIdentity.sessionContext.attributes.mfaAuthenticated ("true"/"false"; only for session credentials)',
  ),

  // ---- calculated fields: each from raw paths only -----------------------------------------
  calc(
    'src_ip',
    `if(match(sourceIPAddress, "${IP_REGEX}"), sourceIPAddress, null())`,
    'sourceIPAddress when it is an IPv4 or IPv6 address; null for service names and "AWS Internal"',
  ),
  calc(
    'user_access_key',
    `if(like(${KEY}, "AKIA%"), ${KEY}, null())`,
    'userIdentity.accessKeyId when it is a long-term key (starts with AKIA)',
  ),
  calc(
    'temp_access_key',
    `if(like(${KEY}, "ASIA%"), ${KEY}, null())`,
    'userIdentity.accessKeyId when it is a temporary key (starts with ASIA)',
  ),
  calc(
    'user',
    `coalesce(case(${TYPE}=="IAMUser", 'userIdentity.userName', ` +
      `in(${TYPE}, "AssumedRole", "FederatedUser"), replace('userIdentity.arn', "^.*/", ""), ` +
      `${TYPE}=="Root", "root", ` +
      `${TYPE}=="AWSService", 'userIdentity.invokedBy', ` +
      `${TYPE}=="AWSAccount", replace('userIdentity.principalId', "^.*:", "")), ` +
      `'userIdentity.userName', 'userIdentity.principalId')`,
    'IAMUser: userName; AssumedRole and FederatedUser: the part of the arn after the last "/" (the session or ' +
      'federated user name); Root: "root"; AWSService: invokedBy; AWSAccount (a caller from another account): the ' +
      'principalId after its ":" (the session name); otherwise userName, else principalId',
  ),
  calc(
    'userName',
    `coalesce('userIdentity.userName', ${ISSUER}.userName')`,
    'the IAM name behind the call: userIdentity.userName, else the name of the role or user that issued the session',
  ),
  calc(
    'user_role',
    `if(${ISSUER}.type'=="Role", ${ISSUER}.userName', null())`,
    "the session issuer's role name, when the session was issued by a role",
  ),
  calc(
    'vendor_account',
    "coalesce(recipientAccountId, 'userIdentity.accountId')",
    'recipientAccountId (the account whose trail holds the event), else userIdentity.accountId',
  ),
  calc(
    'aws_account_id',
    "coalesce(recipientAccountId, 'userIdentity.accountId')",
    'recipientAccountId, else userIdentity.accountId',
  ),
  calc('reason', 'coalesce(errorMessage, errorCode)', 'why a call failed: errorMessage, else errorCode; null on success'),
  calc(
    'dest',
    `if(match(eventName, "^AssumeRole"), coalesce('requestParameters.roleArn', eventSource), eventSource)`,
    'for AssumeRole*: the role asked for (requestParameters.roleArn); otherwise the service endpoint (eventSource)',
  ),
  calc('app', '"aws"', 'the constant "aws" (the service called is in dest and eventSource)'),
  calc(
    'action',
    `case(eventName=="ConsoleLogin", if('responseElements.ConsoleLogin'=="Success", "success", "failure"), ` +
      `match(eventName, "${CREDENTIAL_CALLS}"), if(isnull(errorCode), "success", "failure"), ` +
      `match(errorCode, "${DENIED_CODES}"), "blocked", ` +
      `isnotnull(errorCode), "failure", ` +
      `match(eventName, "${CREATE_VERBS}"), "created", ` +
      `match(eventName, "${DELETE_VERBS}"), "deleted", ` +
      `match(eventName, "${MODIFY_VERBS}"), "modified", ` +
      `match(eventName, "${READ_VERBS}"), "read", ` +
      `1==1, "success")`,
    'ConsoleLogin: responseElements.ConsoleLogin Success -> success, else failure. AssumeRole*, GetSessionToken, ' +
      'GetFederationToken: success, or failure when there is an errorCode. Any other call with an errorCode: blocked ' +
      'for access-denied codes, else failure. Otherwise by the verb that starts eventName: created, deleted, ' +
      'modified, read; success for a verb in no list',
  ),
  calc(
    'status',
    `if(isnotnull(errorCode) OR 'responseElements.ConsoleLogin'=="Failure", "failure", "success")`,
    'failure when there is an errorCode (or a console login failed), else success',
  ),
  calc(
    'authentication_method',
    `case('additionalEventData.MFAUsed'=="Yes" OR 'userIdentity.sessionContext.attributes.mfaAuthenticated'=="true" ` +
      `OR isnotnull('requestParameters.serialNumber'), "mfa", ` +
      `eventName=="ConsoleLogin", "password", ` +
      `${TYPE}=="AWSService", "service", ` +
      `like(${KEY}, "AKIA%"), "access_key", ` +
      `like(${KEY}, "ASIA%"), "session_token")`,
    'mfa when MFA was used (console login with MFA, a session created with MFA, or an MFA serial number in the ' +
      'request); else password for console logins; service for AWS services; access_key for long-term keys; ' +
      'session_token for temporary keys; null otherwise',
  ),
]);

const byName = new Map(ADDON_FIELDS.map((f) => [f.name, f]));

/** The add-on field of that name (case-sensitive, like Splunk field names), if any. */
export function addonField(name: string): AddonField | undefined {
  return byName.get(name);
}
