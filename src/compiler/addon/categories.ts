// The add-on's other lookups for aws:cloudtrail (props.conf [aws:cloudtrail] LOOKUP-*), kept as
// spelunk's own tables: change_type by event name, then by service (lookup files
// aws_cloudtrail_eventName_changeType_7100.csv and aws_cloudtrail_changetype_7100.csv),
// object_category by event name (aws_cloudtrail_eventname_lookup_7100.csv, "unknown" when
// unlisted), and protocol by IP protocol number (aws_network_traffic_protocol_code_lookup_760.csv).
import { byEventName, cases, lit, names } from './rules.js';

export const CHANGE_TYPE_BY_NAME = byEventName({
  storage: `PutBucketAcl GetBucketEncryption CreateVolume DeleteVolume AttachVolume DetachVolume DeleteBucket PutBucketPublicAccessBlock
    CreateBucket PutObject DescribeDRTAccess`,
  resources: 'CreateChangeSet CreateFunction20150331 ListAliases',
  data: 'CreateDeliveryStream CreateKeyspace CreateTable',
  network: `CreateLoadBalancerListeners CreateLoadBalancerPolicy CreateClientVpnEndpoint CreateConnection DescribeCustomerGateways
    DescribeVpnConnections DetachInternetGateway DescribeNatGateways DescribeNetworkAcls DescribeNetworkInterfaces DescribeRouteTables
    DescribeSecurityGroups DescribeSubnets DescribeVpcEndpoints DescribeVpcs DeleteVpcEndpoints DescribeInternetGateways`,
  processing: 'CreateQueue',
  logging: 'CreateLogGroup CreateLogStream',
  firewall: `CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry ReplaceNetworkAclEntry ReplaceNetworkAclAssociation
    RevokeSecurityGroupEgress RevokeSecurityGroupIngress AuthorizeSecurityGroupEgress CreateNetworkInterface AuthorizeSecurityGroupIngress
    CreateSecurityGroup DeleteSecurityGroup`,
  virtual_server: 'StartInstances RunInstances StopInstances TerminateInstances RebootInstances',
  AAA: `GetSessionToken GetFederationToken CreateLoginProfile CreateUser DeleteUser UpdateUser ListSigningCertificates CreateAccessKey
    ListAccessKeys CreateVirtualMFADevice GetUser GetAccountSummary ListAccountAliases CreateAuthorizer Decrypt DescribeAccountSubscription
    DescribeDirectories DescribeSecret GetDomainPermissionsPolicy GetSecretValue ListOrganizationAdminAccounts AddMemberToGroup
    DescribeKeyPairs`,
  database: 'DescribeContinuousBackups CreateNamespace',
  'application management': 'DescribeCluster DescribeConfigurationSettings',
  'data warehouse': 'CreateWorkgroup',
  'system management': 'CreateDataChannel',
});

/** By service endpoint (`iam` stands for iam.amazonaws.com). */
const CHANGE_TYPE_BY_SOURCE: Record<string, string> = {
  AAA: `iam sts sts.us-east-1 sts.us-west-2 sts.us-west-1 sts.eu-west-1 sts.eu-central-1 sts.ap-southeast-1 sts.ap-southeast-2
    sts.ap-northeast-1 sts.sa-east-1 ds secretsmanager sso-directory cognito-idp account`,
  'virtual computing': 'ec2',
  messaging: 'sns sqs',
  storage: 's3',
  'cloud resources': 'cloudformation lambda ecr',
  data: 'firehose cassandra glue kinesis',
  logging: 'logs',
  network: 'elasticloadbalancing',
  'Machine learning': 'sagemaker',
  filesystem: 'fsx elasticfilesystem',
  security: 'securityhub macie2 guardduty',
  'system management': 'drs',
  database: 'sqlworkbench rds dynamodb',
  'cloud management': 'controltower',
  firewall: 'fms network-firewall',
  'application management': 'opsworks',
  'cloud service': 'workspaces',
};

/** The second change_type lookup only fills events the first left without one (OUTPUTNEW). */
export const CHANGE_TYPE = `coalesce(change_type, ${cases(Object.entries(CHANGE_TYPE_BY_SOURCE).map(([value, list]): [string, string] =>
  [`eventSource IN (${names(list).map((s) => lit(`${s}.amazonaws.com`)).join(', ')})`, lit(value)]))})`;

export const OBJECT_CATEGORY = byEventName({
  instance: 'RunInstances StartInstances StopInstances TerminateInstances RebootInstances',
  security_group: `CreateSecurityGroup DeleteSecurityGroup AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress
    RevokeSecurityGroupIngress RevokeSecurityGroupEgress`,
  bucket: 'CreateBucket DeleteBucket PutBucketPublicAccessBlock PutObject PutBucketAcl GetBucketEncryption',
  volume: 'CreateVolume DeleteVolume AttachVolume DetachVolume',
  user: `CreateUser DeleteUser UpdateUser CreateLoginProfile ListSigningCertificates CreateAccessKey ListAccessKeys CreateVirtualMFADevice
    GetUser GetAccountSummary ListAccountAliases ListRoles AddMemberToGroup AdminCreateUser AdminGetUser AdminResetUserPassword AssumeRole`,
  network_interface: 'CreateNetworkInterface DeleteNetworkInterface',
  ACL: 'CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry ReplaceNetworkAclEntry ReplaceNetworkAclAssociation',
  stack: 'CreateChangeSet DescribeStacks',
  delivery_stream: 'CreateDeliveryStream',
  keyspace: 'CreateKeyspace',
  load_balancer: 'CreateLoadBalancerListeners CreateLoadBalancerPolicy',
  message_queue: 'CreateQueue',
  table: 'CreateTable DescribeContinuousBackups DescribeTable',
  function: 'CreateFunction20150331',
  log_group: 'CreateLogGroup',
  log_stream: 'CreateLogStream',
  alias: 'ListAliases',
  role: 'AttachRolePolicy',
  image: 'BatchGetImage',
  authorizer: 'CreateAuthorizer',
  'client-vpn-endpoint': 'CreateClientVpnEndpoint',
  connection: 'CreateConnection',
  cluster: 'CreateDBClusterSnapshot',
  service: 'CreateDataChannel',
  'load balancer': 'CreateLoadBalancer',
  namespace: 'CreateNamespace',
  policy: 'CreatePolicy GetDomainPermissionsPolicy',
  'service linked role': 'CreateServiceLinkedRole',
  snapshot: 'CreateSnapshot',
  vpc: 'CreateVpc DescribeVpcs',
  workgroup: 'CreateWorkgroup',
  ciphertext: 'Decrypt',
  subnet_group: 'DeleteDBSubnetGroup',
  'vpc endpoint': 'DeleteVpcEndpoints DescribeVpcEndpoints',
  'access point': 'DescribeAccessPoints',
  'aws account': 'DescribeAccountSubscription',
  'AWS account': 'DescribeAddresses GenerateCredentialReport',
  'Elastic filesystem': 'DescribeBackupPolicy DescribeFileSystems',
  'EKS cluster': 'DescribeCluster',
  application: 'DescribeConfigurationSettings',
  'VPN customer gateways': 'DescribeCustomerGateways',
  'DB cluster snapshot attribute': 'DescribeDBClusterSnapshotAttributes',
  'DB cluster snapshot': 'DescribeDBClusterSnapshots',
  'DB cluster': 'DescribeDBClusters',
  'DB engine': 'DescribeDBEngineVersions',
  'DB instance': 'DescribeDBInstances',
  'DB security group': 'DescribeDBSecurityGroups',
  'DB snapshot attribute': 'DescribeDBSnapshotAttributes',
  'DB snapshot': 'DescribeDBSnapshots',
  'DB Subnet Group': 'DescribeDBSubnetGroups',
  'Amazon S3 log buckets': 'DescribeDRTAccess',
  'Delivery stream': 'DescribeDeliveryStream',
  directory: 'DescribeDirectories',
  endpoint: 'DescribeEndpoint',
  'Filesystem Policy': 'DescribeFileSystemPolicy',
  fleet: 'DescribeFleets',
  'Dedicated Host': 'DescribeHosts',
  'Security Hub': 'DescribeHub',
  Image: 'DescribeImages',
  Instance: 'DescribeInstances',
  'internet gateway': 'DescribeInternetGateways DetachInternetGateway',
  'DRS batch jobs': 'DescribeJobs',
  'key pairs': 'DescribeKeyPairs',
  listeners: 'DescribeListeners',
  'load balancers': 'DescribeLoadBalancers',
  secret: 'DescribeSecret GetSecretValue',
  'security configurations': 'GetSecurityConfigurations',
  'admin accounts': 'ListOrganizationAdminAccounts',
  logGroupName: 'DescribeLogStreams',
  firewall: 'DescribeLoggingConfiguration',
  NotebookInstance: 'DescribeNotebookInstance',
  'delegated administrator': 'DescribeOrganizationConfiguration',
  'image repository': 'DescribeRepositories',
  'reserved DB instance': 'DescribeReservedDBInstances',
  'reserved instance': 'DescribeReservedInstances',
  'reserved instance listings': 'DescribeReservedInstancesListings',
  rule: 'DescribeRules',
  'security group rule': 'DescribeSecurityGroupRules',
  'EBS snapshot': 'DescribeSnapshots',
  'data stream': 'DescribeStream',
  'target group': 'DescribeTargetGroups',
  users: 'DescribeUserProfiles',
  'EBS volumes': 'DescribeVolumes',
  Service: 'DescribeVpcEndpointServicePermissions',
  'vpn connection': 'DescribeVpnConnections',
  'workspace directory': 'DescribeWorkspaceDirectories',
  workspace: 'DescribeWorkspaces',
  'nat gateway': 'DescribeNatGateways',
  'network acl': 'DescribeNetworkAcls',
  'network interface': 'DescribeNetworkInterfaces',
  'route table': 'DescribeRouteTables',
  'security group': 'DescribeSecurityGroups',
  subnet: 'DescribeSubnets',
  'redshift cluster': 'DriverExecute',
  control: 'EnableControl',
  'error page': 'Error_GET',
  'access point policy': 'GetAccessPointPolicy',
  'password policy': 'GetAccountPasswordPolicy',
  PublicAccessBlock: 'GetAccountPublicAccessBlock',
  'administrative scope': 'GetAdminScope',
  'alternate contact': 'GetAlternateContact',
  'primary contact': 'GetContactInformation',
}, lit('unknown'));

/**
 * IP protocol numbers (IANA) as the add-on's table names them; 143-252 are "unassigned". Several
 * numbers share a name (61, 63, 68, 99 and 114 are "none"; 6 is "ip", as the table has it).
 */
const PROTOCOL_NAMES = `hopopt icmp igmp ggp ipv4 st ip cbt egp igp bbn-rcc-mon nvp-ii pup argus emcon xnet chaos udp mux dcn-meas hmp prm
  xns-idp trunk-1 trunk-2 leaf-1 leaf-2 rdp irtp iso-tp4 netblt mfe-nsp merit-inp dccp 3pc idpr xtp ddp idpr-cmtp tp++ il ipv6 sdrp
  ipv6-route ipv6-frag idrp rsvp gre dsr bna esp ah i-nlsp swipe_(deprecated) narp mobile tlsp skip ipv6-icmp ipv6-nonxt ipv6-opts none
  cftp none sat-expak kryptolan rvd ippc none sat-mon visa ipcv cpnx cphb wsn pvp br-sat-mon sun-nd wb-mon wb-expak iso-ip vmtp
  secure-vmtp vines iptm nsfnet-igp dgp tcf eigrp ospfigp sprite-rpc larp mtp ax.25 ipip micp_(deprecated) scc-sp etherip encap none
  gmtp ifmp pnni pim aris scps qnx a/n ipcomp snp compaq-peer ipx-in-ip vrrp pgm none l2tp ddx iatp stp srp uti smp sm_(deprecated) ptp
  isis_over_ipv4 fire crtp crudp sscopmce iplt sps pipe sctp fc rsvp-e2e-ignore mobility_header udplite mpls-in-ip manet hip shim6 wesp
  rohc`;

/** Protocol number -> name, "-1" -> unknown. */
const PROTOCOLS: ReadonlyMap<string, string> = new Map([
  ['-1', 'unknown'],
  ...names(PROTOCOL_NAMES).map((n, i): [string, string] => [String(i), n.replace(/_/g, ' ')]),
  ...Array.from({ length: 110 }, (_, k): [string, string] => [String(143 + k), 'unassigned']),
  ['253', 'none'],
  ['254', 'none'],
  ['255', 'reserved'],
]);

/** The protocol names in number order, 0 to 255, for mvindex(). */
const BY_NUMBER = Array.from({ length: 256 }, (_, i) => PROTOCOLS.get(String(i))!).join(',');

/**
 * LOOKUP-protocol (OUTPUT): for events with a protocol_code, the table's name for it ("-1" is
 * unknown; a code the table lacks is unknown, its default); other events keep the calculated protocol.
 */
export const PROTOCOL_LOOKUP = `if(isnull(protocol_code), protocol, if(match(protocol_code, "^(0|[1-9][0-9]{0,2})$"), ` +
  `coalesce(mvindex(split("${BY_NUMBER}", ","), tonumber(protocol_code)), "unknown"), "unknown"))`;
