// What became of a call: the add-on's errorCode and msg (props.conf [aws:cloudtrail] EVAL-errorCode,
// EVAL-msg) and its action/status lookup (LOOKUP-action-status-for-aws-cloudtrail: lookup file
// aws_cloudtrail_action_status_7100.csv, matched on eventName and the filled errorCode, `*` a
// wildcard for any errorCode, first matching row wins). The lookup's facts are kept here as
// spelunk's own table: per event name, the action when the call succeeded and when it failed.
import { lit, name, names } from './rules.js';

/**
 * CloudTrail records no errorCode on success, and none on a failed console login (that failure is
 * in responseElements.ConsoleLogin): the add-on fills in "success" or "failure".
 */
export const ERROR_CODE = `coalesce(errorCode, if(like('responseElements.ConsoleLogin', "Failure"), "failure", "success"), "success")`;

/** CloudTrail's own errorCode, else "success" (so a failed console login reads "success" here). */
export const MSG = 'coalesce(errorCode, "success")';

/**
 * `action when the call succeeded / action when it failed`, then the event names. A failed call has
 * status failure, except CreateQueue (the add-on's table says success). The table's rows for
 * particular error codes (AccessDenied, Client.UnauthorizedOperation) give the same values as its
 * `*` rows, so they need no entry of their own.
 */
const OUTCOMES: Record<string, string> = {
  'success/failure': 'AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity ConsoleLogin GetFederationToken GetSessionToken',
  'created/created': `CreateUser CreateSecurityGroup CreatePolicy CreateBucket CreateVolume RunInstances CreateNetworkAcl CreateDeliveryStream
    CreateKeyspace CreateQueue CreateFunction20150331 CreateLogGroup CreateLogStream CreateTable CreateAuthorizer CreateClientVpnEndpoint
    CreateConnection CreateDBClusterSnapshot CreateLoadBalancer CreateNamespace CreateServiceLinkedRole CreateSnapshot CreateVpc
    CreateWorkgroup AdminCreateUser`,
  'deleted/deleted': `DeleteUser DeleteSecurityGroup RevokeSecurityGroupIngress RevokeSecurityGroupEgress DeleteNetworkInterface DeleteBucket
    DeleteVolume TerminateInstances DeleteNetworkAcl DeleteDBSubnetGroup DeleteVpcEndpoints`,
  'modified/modified': `DeleteUserPolicy PutUserPolicy AuthorizeSecurityGroupEgress AuthorizeSecurityGroupIngress AttachRolePolicy
    CreateAccessKey DeleteLoginProfile UpdateUser PutBucketPublicAccessBlock PutBucketAcl PutObject AttachVolume DetachVolume
    CreateNetworkAclEntry DeleteNetworkAclEntry ReplaceNetworkAclEntry ReplaceNetworkAclAssociation CreateChangeSet
    CreateLoadBalancerListeners CreateLoadBalancerPolicy CreateDataChannel AddMemberToGroup AdminResetUserPassword
    DetachInternetGateway DriverExecute EnableControl`,
  'read/read': `GetAccountPasswordPolicy GetAccountSummary GetUser ListAccessKeys ListAccountAliases ListSigningCertificates
    GetBucketEncryption BatchGetImage Decrypt DescribeAccessPoints DescribeAccountSubscription DescribeAddresses DescribeBackupPolicy
    DescribeCluster DescribeConfigurationSettings DescribeContinuousBackups DescribeCustomerGateways DescribeDBClusterSnapshotAttributes
    DescribeDBClusterSnapshots DescribeDBClusters DescribeDBEngineVersions DescribeDBInstances DescribeDBSecurityGroups
    DescribeDBSnapshotAttributes DescribeDBSnapshots DescribeDBSubnetGroups DescribeDRTAccess DescribeDeliveryStream
    DescribeDirectories DescribeEndpoint DescribeFileSystemPolicy DescribeFileSystems DescribeFleets DescribeHosts DescribeHub
    DescribeImages DescribeInstances DescribeInternetGateways DescribeJobs DescribeKeyPairs DescribeListeners DescribeLoadBalancers
    DescribeSecret GetDomainPermissionsPolicy GetSecretValue GetSecurityConfigurations ListOrganizationAdminAccounts AdminGetUser
    DescribeLogStreams DescribeLoggingConfiguration DescribeNotebookInstance DescribeOrganizationConfiguration
    DescribeReservedDBInstances DescribeReservedInstances DescribeReservedInstancesListings DescribeRules DescribeSecurityGroupRules
    DescribeSnapshots DescribeStacks DescribeStream DescribeTable DescribeTargetGroups DescribeUserProfiles DescribeVolumes
    DescribeVpcEndpointServicePermissions DescribeVpnConnections DescribeWorkspaceDirectories DescribeNatGateways DescribeNetworkAcls
    DescribeNetworkInterfaces DescribeRouteTables DescribeSecurityGroups DescribeSubnets DescribeVpcEndpoints DescribeVpcs Error_GET
    GenerateCredentialReport GetAccessPointPolicy GetAccountPublicAccessBlock GetAdminScope GetAlternateContact GetContactInformation
    DescribeWorkspaces`,
  'stopped/stopped': 'StopInstances',
  'started/started': 'StartInstances',
  'restarted/restarted': 'RebootInstances',
  'created/unknown': `AddClientIDToOpenIDConnectProvider AddRoleToInstanceProfile AddUserToGroup CreateAccountAlias CreateGroup
    CreateInstanceProfile CreateOpenIDConnectProvider CreatePolicyVersion CreateRole CreateSAMLProvider CreateTags CreateStack
    CreatePlatformEndpoint TagUser`,
  'deleted/unknown': `DeleteEndpoint DeleteAccessKey DeleteAccountAlias DeleteAccountPasswordPolicy DeleteGroup DeleteGroupPolicy
    DeleteInstanceProfile DeleteOpenIDConnectProvider DeletePolicy DeletePolicyVersion DeleteRole DeleteRolePolicy DeleteSAMLProvider
    DeleteServerCertificate DeleteSigningCertificate DeleteSSHPublicKey DeleteVirtualMFADevice`,
  'modified/unknown': `AttachGroupPolicy AttachUserPolicy ChangePassword CreateLoginProfile CreateVirtualMFADevice DeactivateMFADevice
    DetachGroupPolicy DetachRolePolicy DetachUserPolicy EnableMFADevice PutGroupPolicy PutRolePolicy SetDefaultPolicyVersion
    SimulateCustomPolicy SimulatePrincipalPolicy UpdateAccessKey UpdateAccountPasswordPolicy UpdateAssumeRolePolicy UpdateGroup
    UpdateLoginProfile UpdateOpenIDConnectProviderThumbprint UpdateSAMLProvider UpdateServerCertificate UpdateSigningCertificate
    UpdateSSHPublicKey UploadServerCertificate UploadSigningCertificate UploadSSHPublicKey`,
  'read/unknown': `GetAccessKeyLastUsed GetAccountAuthorizationDetails GetContextKeysForCustomPolicy GetContextKeysForPrincipalPolicy
    GetCredentialReport GetGroup GetGroupPolicy GetInstanceProfile GetLoginProfile GetOpenIDConnectProvider GetPolicy GetPolicyVersion
    GetRole GetRolePolicy GetSAMLProvider GetServerCertificate GetSSHPublicKey GetUserPolicy ListAttachedGroupPolicies
    ListAttachedRolePolicies ListAttachedUserPolicies ListEntitiesForPolicy ListGroupPolicies ListGroups ListGroupsForUser
    ListInstanceProfiles ListInstanceProfilesForRole ListMFADevices ListOpenIDConnectProviders ListPolicies ListPolicyVersions
    ListRolePolicies ListRoles ListSAMLProviders ListServerCertificates ListSSHPublicKeys ListUserPolicies ListUsers
    ListVirtualMFADevices`,
  // Only a success row: a failed call of these gets no action and no status.
  'created/': 'CreateNetworkInterface',
  'read/': 'ListAliases',
  'success/': 'CheckMfa',
  // The add-on's rows for "DescribeRepositories " carry a trailing space, so no event name matches them.
};

/** A failed call of these has status success (the add-on's table says so). */
const FAILED_BUT_SUCCESS = ['CreateQueue'];

interface Outcome {
  ok: string;
  failed: string | null;
}

export const OUTCOME_TABLE: ReadonlyMap<string, Outcome> = new Map(
  Object.entries(OUTCOMES).flatMap(([key, list]) => {
    const [ok, failed] = key.split('/') as [string, string];
    return names(list).map((n): [string, Outcome] => [n, { ok, failed: failed === '' ? null : failed }]);
  }),
);

function groupBy(pick: (o: Outcome) => string | null): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [n, o] of OUTCOME_TABLE) {
    const v = pick(o);
    if (v === null) continue;
    groups.set(v, [...(groups.get(v) ?? []), n]);
  }
  return groups;
}

function caseByGroup(groups: Map<string, string[]>): string {
  return `case(${[...groups].map(([value, list]) => `${name(...list)}, ${lit(value)}`).join(', ')})`;
}

/** The lookup's inputs: eventName, and errorCode as the add-on filled it (the lookup runs after EVAL-errorCode). */
export const ACTION = `if(errorCode=="success", ${caseByGroup(groupBy((o) => o.ok))}, ${caseByGroup(groupBy((o) => o.failed))})`;

const failing = [...OUTCOME_TABLE].filter(([n, o]) => o.failed !== null && !FAILED_BUT_SUCCESS.includes(n)).map(([n]) => n);
export const STATUS = `if(errorCode=="success", if(${name(...OUTCOME_TABLE.keys())}, "success", null()), ` +
  `case(${name(...failing)}, "failure", ${name(...FAILED_BUT_SUCCESS)}, "success"))`;
