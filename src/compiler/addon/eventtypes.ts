// The add-on's event types for aws:cloudtrail and their tags (eventtypes.conf, tags.conf), which
// decide the CIM data models an event belongs to (`tag=authentication`, `tag=change`...). Each
// search is written in spelunk's search language without the `sourcetype="aws:cloudtrail"` part
// (every event spelunk loads is CloudTrail). They see every add-on field: event types come after
// the lookups, so `errorCode` is the filled one and `object_category` the lookup's.
import type { AddonProfile } from './profile.js';

export interface EventType {
  name: string;
  search: string;
  tags: readonly string[];
  /** Tags under another add-on profile, where they differ. */
  tagsIn?: Partial<Record<AddonProfile, readonly string[]>>;
}

export const EVENT_TYPES: readonly EventType[] = [
  {
    name: 'aws_cloudtrail_auth',
    search: 'eventName=AssumeRole* OR eventName=GetFederationToken OR eventName=GetSessionToken OR eventName=ConsoleLogin',
    tags: ['cloud'],
    // Add-on 5.x tagged these calls authentication: the Authentication data model held them.
    tagsIn: { '5': ['authentication', 'cloud'] },
  },
  { name: 'aws_cloudtrail_consolelogin_auth', search: 'eventName=ConsoleLogin additionalEventData.LoginTo=*', tags: ['authentication', 'default'] },
  { name: 'aws_cloudtrail_auth_privileged', search: 'eventName=ConsoleLogin NOT additionalEventData.LoginTo=*', tags: ['authentication', 'privileged', 'cloud'] },
  {
    name: 'aws_cloudtrail_assumeRole_auth',
    search: '(eventName=AssumeRole OR eventName=AssumeRoleWithSAML OR eventName=AssumeRoleWithWebIdentity) userIdentity.type!=AWSService',
    tags: ['assume_role', 'cloud'],
  },
  { name: 'aws_cloudtrail_multifactor_auth', search: 'additionalEventData.MFAUsed=Yes', tags: ['multifactor', 'cloud'] },
  {
    name: 'aws_cloudtrail_endpoint_change',
    search: 'eventName IN (DeleteEndpoint, CreatePlatformEndpoint, CreateVolume, DeleteVolume, AttachVolume, DetachVolume, DeleteBucket, CreateBucket, PutBucketPublicAccessBlock, PutObject)',
    tags: ['change', 'endpoint', 'cloud'],
  },
  {
    name: 'aws_cloudtrail_change',
    search: 'eventName=Create* OR eventName IN (ListRoles, ListAliases, PutBucketAcl, GetBucketEncryption, DescribeAccessPoints, ' +
      'DescribeAccountSubscription, DescribeAddresses, DescribeBackupPolicy, DescribeCluster, DescribeConfigurationSettings, ' +
      'DescribeContinuousBackups, DescribeCustomerGateways, DescribeDBClusterSnapshotAttributes, DescribeDBClusterSnapshots, ' +
      'DescribeDBClusters, DescribeDBEngineVersions, DescribeDBInstances, DescribeDBSecurityGroups, DescribeDBSnapshotAttributes, ' +
      'DescribeDBSnapshots, DescribeDBSubnetGroups, DescribeDRTAccess, DescribeDeliveryStream, DescribeDirectories, DescribeEndpoint, ' +
      'DescribeFileSystemPolicy, DescribeFileSystems, DescribeFleets, DescribeHosts, DescribeHub, DescribeImages, DescribeInstances, ' +
      'DescribeInternetGateways, DescribeJobs, DescribeKeyPairs, DescribeListeners, DescribeLoadBalancers, DescribeSecret, ' +
      'AttachRolePolicy, Decrypt, BatchGetImage, ListOrganizationAdminAccounts, GetSecurityConfigurations, GetSecretValue, ' +
      'GetDomainPermissionsPolicy, DescribeLogStreams, DescribeLoggingConfiguration, DescribeNotebookInstance, ' +
      'DescribeOrganizationConfiguration, DescribeRepositories, DescribeReservedDBInstances, DescribeReservedInstances, ' +
      'DescribeReservedInstancesListings, DescribeRules, DescribeSecurityGroupRules, DescribeSnapshots, DescribeStacks, DescribeStream, ' +
      'DescribeTable, DescribeTargetGroups, DescribeUserProfiles, DescribeVolumes, DescribeVpcEndpointServicePermissions, ' +
      'DescribeVpnConnections, DescribeWorkspaceDirectories, DescribeWorkspaces, DetachInternetGateway, DescribeNatGateways, ' +
      'DescribeNetworkAcls, DescribeNetworkInterfaces, DescribeRouteTables, DescribeSecurityGroups, DescribeSubnets, DescribeVpcEndpoints, ' +
      'DescribeVpcs, DriverExecute, EnableControl, Error_GET, GenerateCredentialReport, GetAccessPointPolicy, GetAccountPasswordPolicy, ' +
      'GetAccountPublicAccessBlock, GetAdminScope, GetAlternateContact, GetContactInformation)',
    tags: ['change', 'cloud'],
  },
  {
    name: 'aws_cloudtrail_iam_change',
    search: '(eventSource=*iam*.amazonaws.com OR eventName=PutBucketAcl) eventName!=*get* eventName!=*list* eventName!=*describe*',
    tags: ['cloud'],
  },
  {
    name: 'aws_cloudtrail_iam_change_acctmgmt',
    search: '(eventSource=*iam*.amazonaws.com OR eventSource=*cognito*.amazonaws.com OR eventName=AddMemberToGroup) ' +
      '(eventName!=*get* OR eventName=AdminGetUser) eventName!=*list* eventName!=*describe* ' +
      'NOT eventName IN (CreatePolicy, CreateServiceLinkedRole, AttachRolePolicy, GenerateCredentialReport)',
    tags: ['change', 'account', 'management'],
  },
  {
    // In Splunk's search language OR binds tighter than the implicit AND: the error codes are one group.
    name: 'aws_cloudtrail_acctmgmt',
    search: 'eventName IN (ListSigningCertificates, ListAccessKeys, ListAccountAliases, GetUser, GetAccountSummary) ' +
      '(errorCode=*UnauthorizedOperation OR errorCode=AccessDenied OR errorCode=AuthFailure OR errorCode=OperationNotPermitted) ' +
      'NOT (eventName=RunInstances OR eventName=CreateVpc OR eventName=CreateVolume OR eventName=AllocateAddress)',
    tags: ['change', 'account', 'management', 'cloud'],
  },
  { name: 'aws_cloudtrail_delete_events', search: '*Delete* OR *Remove* OR *Reboot*', tags: ['change', 'cloud'] },
  {
    name: 'aws_cloudtrail_notable_network_events',
    search: 'eventName!=Get* eventName!=List* eventName!=Describe* ' +
      'NOT eventName IN (PutBucketAcl, CreateVpc, CreateWorkgroup, DeleteDBSubnetGroup, DeleteVPCEndpoints, DetachInternetGateway) ' +
      '(eventName=*address* OR eventName=*gateway* OR eventName=*acl* OR eventName=*interface* OR eventName=*security* OR ' +
      'eventName=*route* OR eventName=*subnet* OR eventName=*vpc*)',
    tags: ['change', 'network', 'cloud'],
  },
  { name: 'aws_cloudtrail_errors', search: 'errorCode=* errorCode!=success', tags: ['error', 'cloud'] },
  {
    name: 'aws_cloudtrail_ec2_events',
    search: 'eventName IN (RunInstances, StartInstances, StopInstances, TerminateInstances, RebootInstances)',
    tags: ['cloud'],
  },
  { name: 'aws_cloudtrail_instance', search: 'object_category=instance eventName!=DescribeInstances', tags: ['change', 'cloud', 'instance'] },
];

export function tagsOf(type: EventType, profile: AddonProfile): readonly string[] {
  return type.tagsIn?.[profile] ?? type.tags;
}

/** Every tag any event type carries under `profile`, sorted. */
export function allTags(profile: AddonProfile): string[] {
  return [...new Set(EVENT_TYPES.flatMap((t) => tagsOf(t, profile)))].sort();
}

/** A search matching the events that carry `tag` (those of any event type tagged with it). */
export function tagSearch(tag: string, profile: AddonProfile): string {
  const searches = EVENT_TYPES.filter((t) => tagsOf(t, profile).includes(tag)).map((t) => `(${t.search})`);
  return searches.length ? `(${searches.join(' OR ')})` : '(NOT *)';
}

/** SPL: the event's event type names, a multivalue field. */
export function eventtypeExpr(): string {
  return `mvappend(${EVENT_TYPES.map((t) => `if(searchmatch("${t.search}"), "${t.name}", null())`).join(', ')})`;
}

/** SPL: the event's tags (those of its event types), sorted, each once. Reads the eventtype field. */
export function tagExpr(profile: AddonProfile): string {
  const branches = EVENT_TYPES.map((t) => `eventtype=="${t.name}", split("${tagsOf(t, profile).join(',')}", ",")`);
  return `mvdedup(mvsort(mvmap(eventtype, case(${branches.join(', ')}))))`;
}

/**
 * The search that `<field>=<value>` means when field is the add-on's eventtype or tag: the event
 * types' own searches, so the condition costs what those searches cost rather than building every
 * event's whole list. Undefined for a value with a wildcard (the list is matched then).
 */
export function membershipSearch(field: 'eventtype' | 'tag', value: string, profile: AddonProfile): string | undefined {
  if (value.includes('*')) return undefined;
  const v = value.toLowerCase();
  if (field === 'tag') return tagSearch(v, profile);
  const type = EVENT_TYPES.find((t) => t.name.toLowerCase() === v);
  return type ? `(${type.search})` : '(NOT *)';
}
