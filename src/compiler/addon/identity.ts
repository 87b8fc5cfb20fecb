// The add-on's calculated fields about who made a call (props.conf [aws:cloudtrail] EVAL-user,
// EVAL-user_name, EVAL-user_id, EVAL-user_type, EVAL-src_user*, EVAL-user_role, ...), written in
// spelunk's rule notation (rules.ts). Each is computed from the event as recorded: a branch that
// reads errorCode reads CloudTrail's own errorCode, not the add-on's filled one.
import {
  and, ARN, arnTail, cases, f, issuer, lit, LOGIN_TO, name, nameLike, names, or, part, PRINCIPAL, re, REFUSED_RESOURCE, rp, TYPE, ui, USER_NAME,
} from './rules.js';

const ASSUME = ['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity'];

/** Calls on instances, volumes, buckets and Put*: the add-on names the IAM user or the session's role. */
const RESOURCE_CALLS = or(nameLike('%Instances'), nameLike('%Volume'), nameLike('Put%'), nameLike('%Bucket'));

/** Calls whose user is the session issuer's name, else the IAM user's. */
const ISSUER_FIRST = names(`
  CreateLoadBalancerListeners CreateLoadBalancerPolicy CreateLogGroup CreateLogStream GetBucketEncryption BatchGetImage
  CreateDataChannel CreateSnapshot CreateVpc DeleteVpcEndpoints DescribeAccessPoints DescribeAccountSubscription
  DescribeAddresses DescribeBackupPolicy DescribeCluster DescribeConfigurationSettings DescribeContinuousBackups
  DescribeCustomerGateways DescribeDBClusterSnapshotAttributes DescribeDBClusterSnapshots DescribeDBClusters
  DescribeDBSecurityGroups ListOrganizationAdminAccounts GetSecurityConfigurations GetDomainPermissionsPolicy
  DescribeLoadBalancers DescribeListeners DescribeKeyPairs DescribeJobs DescribeInternetGateways DescribeImages DescribeHub
  DescribeHosts DescribeFleets DescribeFileSystems DescribeFileSystemPolicy DescribeEndpoint DescribeDirectories
  DescribeDeliveryStream DescribeDRTAccess DescribeDBSubnetGroups DescribeDBSnapshots DescribeDBSnapshotAttributes`);

/** Calls whose user (and user_name) comes from the caller's ARN. */
const ARN_NAMED = names(`
  DescribeOrganizationConfiguration DescribeLoggingConfiguration DescribeRepositories DescribeNotebookInstance
  DescribeLogStreams DescribeReservedDBInstances DescribeReservedInstances DescribeReservedInstancesListings DescribeRules
  DescribeSecurityGroupRules DescribeSnapshots DescribeStacks DescribeStream DescribeTable DescribeTargetGroups
  DescribeUserProfiles DescribeVolumes DescribeVpcEndpointServicePermissions DescribeVpnConnections
  DescribeWorkspaceDirectories DescribeWorkspaces DetachInternetGateway DescribeNatGateways DescribeNetworkAcls
  DescribeNetworkInterfaces DescribeRouteTables DescribeSecurityGroups DescribeSubnets DescribeVpcEndpoints DescribeVpcs
  DriverExecute EnableControl GenerateCredentialReport GetAccessPointPolicy GetAccountPasswordPolicy
  GetAccountPublicAccessBlock GetAdminScope GetAlternateContact GetContactInformation`);

/** Calls the add-on names by the session name in principalId ("AROA...:session"). */
const SESSION_NAMED = names(`
  AttachRolePolicy CreateClientVpnEndpoint CreateConnection CreateAuthorizer CreateNamespace CreatePolicy
  CreateServiceLinkedRole CreateWorkgroup DeleteDBSubnetGroup DescribeDBEngineVersions DescribeSecret GetSecretValue`);

/** IAM calls that name the user acted on, or, when refused, the user named in errorMessage. */
const REFUSED_USER_CALLS = names('ListSigningCertificates ListAccessKeys GetUser GetAccountSummary ListAccountAliases');

const SESSION = part(PRINCIPAL, ':', 1);
const issuerOrUser = `coalesce(${issuer('userName')}, ${USER_NAME})`;
const userOrIssuer = `coalesce(${USER_NAME}, ${issuer('userName')})`;
const consoleRole = (loginTo: 'isnull' | 'isnotnull') => and(name('ConsoleLogin'), `${TYPE}=="AssumedRole"`, `${loginTo}(${LOGIN_TO})`);

export const USER = cases([
  [name('AddMemberToGroup'), rp('member.memberId')],
  [name('PutBucketAcl'), USER_NAME],
  [name('AdminCreateUser', 'AdminGetUser', 'AdminResetUserPassword'), `coalesce(${re('user.username')}, ${rp('username')})`],
  [name(...ISSUER_FIRST), issuerOrUser],
  [name('CreateLoginProfile'), re('loginProfile.userName')],
  [name('CreateUser'), re('user.userName')],
  [name('DeleteUser', 'DeleteLoginProfile'), rp('userName')],
  [name('UpdateUser'), rp('newUserName')],
  [name('CreateAccessKey'), `coalesce(${re('accessKey.userName')}, ${REFUSED_RESOURCE})`],
  [name(...REFUSED_USER_CALLS), REFUSED_RESOURCE],
  [name('CreateVirtualMFADevice'), USER_NAME],
  [name('CreateNetworkInterface', 'DeleteNetworkInterface'), issuer('userName')],
  [and(name('AssumeRole'), `${TYPE}=="AssumedRole"`), `coalesce(${part(rp('roleArn'), '/', -1)}, ${issuer('userName')})`],
  [name(...ASSUME), part(re('assumedRoleUser.arn'), '/', -1)],
  [consoleRole('isnotnull'), `coalesce(${SESSION}, ${USER_NAME})`],
  [or('eventType=="AwsConsoleSignIn"', name('ListAliases', 'ListRoles')), userOrIssuer],
  [name(...ARN_NAMED), `coalesce(${part(part(PRINCIPAL, ':', -2), '/', -2)}, ${arnTail(ARN)})`],
  [RESOURCE_CALLS, userOrIssuer],
  [name('Decrypt', 'DescribeSecret'), `if(isnotnull(errorMessage), ${SESSION}, ${issuer('userName')})`],
  [name(...SESSION_NAMED), `coalesce(${SESSION}, ${issuer('userName')}, ${USER_NAME})`],
  ['true()', USER_NAME],
]);

/** The IAM name behind the call, else the name at the end of the caller's (or the role's) ARN. */
const NAME_FALLBACK = `coalesce(${USER_NAME}, ${issuer('userName')}, if(isnull(${ARN}), ${arnTail(rp('roleArn'))}, ${arnTail(ARN)}))`;

export const USER_NAME_RULE = cases([
  [name('ListRoles'), part(PRINCIPAL, ':', 0)],
  [name('AdminCreateUser'), `coalesce(${re('user.username')}, mvindex(${rp('userAttributes{}.Value')}, mvfind(${rp('userAttributes{}.Name')}, "^name$")), ${rp('username')})`],
  [name('AdminResetUserPassword', 'AdminGetUser'), rp('username')],
  [name('CreateLoginProfile'), re('loginProfile.userName')],
  [name('CreateUser'), re('user.userName')],
  [name('DeleteUser', 'DeleteLoginProfile'), rp('userName')],
  [name('UpdateUser'), rp('newUserName')],
  [name('CreateAccessKey'), `coalesce(${re('accessKey.userName')}, ${REFUSED_RESOURCE})`],
  [name(...REFUSED_USER_CALLS), REFUSED_RESOURCE],
  [name('Decrypt'), `if(isnotnull(errorMessage), ${SESSION}, ${issuer('userName')})`],
  [name('CreateVirtualMFADevice'), USER_NAME],
  [name(...SESSION_NAMED.filter((n) => n !== 'DescribeSecret')), `coalesce(${SESSION}, ${issuer('userName')}, ${USER_NAME})`],
  [name(...ARN_NAMED), arnTail(ARN)],
  ['eventName!="AddMemberToGroup"', NAME_FALLBACK],
]);

export const USER_ID = cases([
  [or(and(name('ConsoleLogin'), `${TYPE}=="IAMUser"`), name('CheckMfa')), `coalesce(${part(PRINCIPAL, ':', 0)}, ${ui('accountId')})`],
  [and(name('ConsoleLogin', 'ListAliases', 'ListRoles', 'DeleteNetworkInterface'), `${TYPE}=="AssumedRole"`),
    `coalesce(${part(issuer('principalId'), ':', 0)}, ${part(PRINCIPAL, ':', 0)})`],
  [name('CreateUser'), re('user.userId')],
  [name('DeleteUser', 'UpdateUser'), rp('userName')],
  ['eventType=="AwsApiCall"', part(re('assumedRoleUser.assumedRoleId'), ':', 0)],
  ['true()', USER_NAME],
]);

/** Calls whose user_type the add-on leaves empty (the user acted on is not the caller). */
const NO_TYPE = or(name('CreateLoginProfile'), nameLike('%User'), name('ListSigningCertificates', 'CreateAccessKey', 'ListAccessKeys',
  'CreateVirtualMFADevice', 'GetAccountSummary', 'ListAccountAliases'));

export const USER_TYPE = cases([
  [NO_TYPE, 'null()'],
  [consoleRole('isnull'), issuer('type')],
  ['eventType=="AwsConsoleSignIn"', TYPE],
  [RESOURCE_CALLS, TYPE],
  [name('ListAliases', 'ListRoles', 'DeleteNetworkInterface'), issuer('type')],
  [nameLike('AssumeRole%'), `coalesce(mvjoin(coalesce(${f('resources{}.type')}, ${part(re('assumedRoleUser.arn'), '/', 1)}), ","), ${TYPE})`],
  ['true()', TYPE],
]);

export const SRC_USER = cases([
  [name('PutBucketAcl'), USER_NAME],
  [name('CreateLoadBalancerListeners', 'GetBucketEncryption', 'CreateLogStream', 'CreateLogGroup', 'CreateLoadBalancerPolicy'), issuer('userName')],
  [name('CreateUser', 'CreateLoginProfile', 'DeleteNetworkInterface', 'AdminResetUserPassword'), SESSION],
  [name('DeleteLoginProfile'), rp('userName')],
  [name('CreateVirtualMFADevice'), USER_NAME],
  [name('CreateNetworkInterface'), issuer('userName')],
  [nameLike('AssumeRole%'), `coalesce(${USER_NAME}, ${rp('sourceIdentity')}, ${issuer('userName')})`],
  [and(name('ConsoleLogin'), `isnotnull(${LOGIN_TO})`), 'null()'],
  [and(name('ConsoleLogin'), `isnull(${LOGIN_TO})`), SESSION],
  [name('ListAliases', 'ListRoles'), part(ARN, '/', -1)],
  [RESOURCE_CALLS, userOrIssuer],
  [name('AddMemberToGroup'), part(ARN, ':', -1)],
  ['true()', USER_NAME],
]);

export const SRC_USER_NAME = cases([
  [name(...names(`DeleteUser UpdateUser ListSigningCertificates CreateAccessKey ListAccessKeys CreateVirtualMFADevice GetUser
    GetAccountSummary ListAccountAliases AdminCreateUser AdminGetUser`)), USER_NAME],
  [name('ListAliases', 'ListRoles'), part(ARN, '/', -1)],
  [name('AssumeRole'), issuer('userName')],
  [name('AddMemberToGroup'), part(ARN, ':', -1)],
  [name('CreateLoginProfile', 'CreateUser', 'AdminResetUserPassword'), SESSION],
]);

const principalParts = `split(${PRINCIPAL}, ":")`;

export const SRC_USER_ID = cases([
  [name('AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'ListAliases'), `mvjoin(mvindex(${principalParts}, 0, mvcount(${principalParts}) - 2), ":")`],
  [and(name('AssumeRole'), `${TYPE}=="IAMUser"`), part(PRINCIPAL, ':', 0)],
  [and(name('AssumeRole'), `${TYPE}=="AssumedRole"`), part(issuer('principalId'), ':', 0)],
  [consoleRole('isnull'), part(PRINCIPAL, ':', 0)],
  [and(nameLike('%User'), `${TYPE}!="AWSService"`), PRINCIPAL],
]);

export const SRC_USER_ROLE = `if(${and(name(...ASSUME), `${TYPE}=="AssumedRole"`)}, ${ARN}, null())`;

export const SRC_USER_TYPE = cases([
  [and(or(name(...ASSUME, ...names(`ListAliases ListRoles CreateLoginProfile ListSigningCertificates CreateAccessKey ListAccessKeys
    CreateVirtualMFADevice GetAccountSummary ListAccountAliases DeleteNetworkInterface AdminResetUserPassword AddMemberToGroup`)),
  nameLike('%User')), `${TYPE}!="AWSService"`), TYPE],
  [and('eventType=="AwsConsoleSignIn"', `${TYPE}=="AssumedRole"`, `isnull(${LOGIN_TO})`), TYPE],
]);

export const USER_ROLE = `if(${name(...ASSUME)}, ${cases([
  [`${TYPE}=="AssumedRole"`, rp('roleArn')],
  [`${TYPE}!="AWSService"`, re('assumedRoleUser.arn')],
  [`${TYPE}=="AWSService"`, 'null()'],
])}, null())`;

export const USER_ARN = `coalesce(${ARN}, ${rp('roleArn')})`;

export const USER_NAME_CAMEL = `coalesce(${USER_NAME}, ${rp('sourceIdentity')}, ${issuer('userName')}, if(isnull(${ARN}), ${arnTail(rp('roleArn'))}, ${arnTail(ARN)}))`;

export const AWS_ACCOUNT_ID = `if(${TYPE}=="AWSAccount" OR ${TYPE}=="AWSService", recipientAccountId, ${ui('accountId')})`;

export const VENDOR_ACCOUNT = `coalesce(${ui('accountId')}, recipientAccountId)`;

const MFA_USED = f('additionalEventData.MFAUsed');

export const AUTHENTICATION_METHOD = cases([
  [or(and(`${MFA_USED}=="Yes"`, name('ConsoleLogin')), name('CheckMfa')), lit('MFA')],
  [or(and(`${MFA_USED}=="No"`, name('ConsoleLogin')),
    and(name('AssumeRole', 'ListAliases'), `${TYPE}=="AssumedRole"`, `${f('userIdentity.sessionContext.attributes.mfaAuthenticated')}=="false"`)), lit('SFA')],
]);
