// The add-on's object_attrs, object_path and network-change fields (props.conf [aws:cloudtrail]
// EVAL-object_attrs, EVAL-object_path, EVAL-dest, EVAL-*_range, EVAL-direction, EVAL-protocol*,
// EVAL-rule_action), in the add-on's branch order. Rule notation: rules.ts.
import { and, arnTail, cases, f, lit, LOGIN_TO, name, nameLike, names, or, re, rp } from './rules.js';

const c = (...xs: string[]): string => `coalesce(${xs.join(', ')})`;
/** "label" . value: null when the value is (Splunk's `.` gives null with a null side). */
const kv = (label: string, value: string): string => `${lit(label)} . ${value}`;
/** "label:value" when value exists, else `otherwise`. */
const labelled = (label: string, value: string, otherwise = 'null()'): string => `if(isnotnull(${value}), ${kv(label, value)}, ${otherwise})`;
const firstOf = (...pairs: [string, string][]): string =>
  cases([...pairs.map(([label, value]): [string, string] => [`isnotnull(${value})`, kv(label, value)]), ['true()', 'null()']]);
const both = (a: [string, string], b: [string, string]): string => `mvappend(${labelled(a[0], a[1])}, ${labelled(b[0], b[1])})`;
const EGRESS = rp('egress');

export const OBJECT_ATTRS = cases([
  [name('CreateKeyspace'), `replace(${rp('rawQuery')}, ${lit(`.*(REPLICATION).*class.*:\\s*['"](.*)['"].*`)}, ${lit('\\1=\\2')})`],
  [name(...names('CreateUser DeleteUser ListSigningCertificates ListAccessKeys GetUser GetAccountSummary ListAccountAliases ListRoles')), lit('user')],
  [name('CreateLoginProfile'), kv('passwordResetRequired=', re('loginProfile.passwordResetRequired'))],
  [name('UpdateUser'), kv('userName=', rp('userName'))],
  [and(name('CreateAccessKey'), 'errorCode=="AccessDenied"'), lit('user')],
  [name('CreateAccessKey'), kv('status=', re('accessKey.status'))],
  [name('CreateVirtualMFADevice'), lit('virtualMFADevice')],
  [name('CreateNetworkAcl'), `if(${re('networkAcl.isDefault')}=="false", "non-default", "default")`],
  [name('CreateNetworkAclEntry'), kv('ruleAction=', rp('ruleAction'))],
  [name('DeleteNetworkAclEntry'), kv('ruleNumber=', rp('ruleNumber'))],
  [name('ReplaceNetworkAclAssociation'), kv('associationId=', re('newAssociationId'))],
  [or(nameLike('RevokeSecurityGroup%'), nameLike('AuthorizeSecurityGroup%')), lit('ipPermissions')],
  [name('DetachVolume'), kv('device=', re('device'))],
  [name('AttachVolume'), `${kv('device=', rp('device'))} . ${kv(', deleteOnTermination=', rp('deleteOnTermination'))}`],
  [name('CreateVolume'), kv('volumeType=', re('volumeType'))],
  [name('StartInstances', 'StopInstances', 'TerminateInstances', 'RebootInstances'), lit('EC2')],
  [nameLike('%Volume'), lit('volume')],
  [name('DeleteBucket', 'CreateBucket'), lit('bucket')],
  [and(name('RunInstances'), 'responseElements==""'), `${kv('subnetId=', rp('subnetId'))} . ${kv(', iamInstanceProfile=', rp('iamInstanceProfile.name'))}`],
  [name('RunInstances'), `${kv('macAddress=', `mvjoin(${re('instancesSet.items{}.networkInterfaceSet.items{}.macAddress')}, ", macAddress=")`)} . ", " . ` +
    kv('privateIpAddress=', `mvjoin(${re('instancesSet.items{}.networkInterfaceSet.items{}.privateIpAddress')}, ", privateIpAddress=")`)],
  [name('PutBucketPublicAccessBlock'), ['RestrictPublicBuckets', 'BlockPublicPolicy', 'BlockPublicAcls', 'IgnorePublicAcls']
    .map((k, i) => kv(`${i ? ', ' : ''}${k}=`, rp(`PublicAccessBlockConfiguration.${k}`))).join(' . ')],
  [name('PutBucketAcl'), lit('AccessControlList')],
  [name('CreateChangeSet'), kv('changeSetName=', rp('changeSetName'))],
  [name('CreateDeliveryStream'), lit('SplunkDestinationConfiguration')],
  [name('CreateLoadBalancerListeners'), lit('listeners')],
  [name('CreateQueue'), lit('message_queue')],
  [name('CreateTable'), kv('keyspaceName=', rp('keyspaceName'))],
  [name('CreateLoadBalancerPolicy'), kv('policyName=', rp('policyName'))],
  [name('CreateFunction20150331'), kv('lambda-console:blueprint,', rp('tags.lambda-console:blueprint'))],
  [name('CreateLogGroup'), lit('log_group')],
  [name('CreateLogStream'), kv('logGroupName=', rp('logGroupName'))],
  [name('GetBucketEncryption'), lit('bucket')],
  [name('PutObject'), kv('x-amz-storage-class=', rp('x-amz-storage-class'))],
  [name('DeleteNetworkAcl'), lit('ACL')],
  [name('ReplaceNetworkAclEntry'), [kv('ruleNumber=', rp('ruleNumber')), kv(', egress=', EGRESS), kv(', ruleAction=', rp('ruleAction'))].join(' . ')],
  [name('CreateSecurityGroup'), kv('groupName=', rp('groupName'))],
  [name('DeleteSecurityGroup'), lit('security_group')],
  [name('ListAliases'), lit('alias')],
  [name('DeleteNetworkInterface'), lit('network_interface')],
  [name('CreateNetworkInterface'), [kv('description=', re('networkInterface.description')), kv(', macAddress=', re('networkInterface.macAddress')),
    kv(', privateIpAddress=', re('networkInterface.privateIpAddress'))].join(' . ')],
  [name('AttachRolePolicy'), rp('policyArn')],
  [name('BatchGetImage'), rp('repositoryName')],
  [name('CreateAuthorizer'), rp('restApiId')],
  [name('CreateClientVpnEndpoint'), kv('VpnPort:', rp('CreateClientVpnEndpointRequest.VpnPort'))],
  [name('CreateConnection'), labelled('Access-Control-Allow-Credentials:', re('Access-Control-Allow-Credentials'))],
  [name('CreateDBClusterSnapshot'), kv('dBClusterIdentifier:', rp('dBClusterIdentifier'))],
  [name('CreateDataChannel'), lit('DataChannel')],
  [name('CreateLoadBalancer'), c(re('loadBalancers.securityGroups{}'), rp('securityGroups{}'))],
  [name('CreateNamespace'), firstOf(['status:', re('namespace.status')], ['dbName:', rp('dbName')])],
  [name('CreatePolicy'), labelled('path:', re('policy.path'), rp('path'))],
  [name('CreateServiceLinkedRole'), lit('service linked role')],
  [name('CreateSnapshot'), firstOf(['volumeId:', re('volumeId')], ['volumeId:', rp('volumeId')])],
  [name('CreateVpc'), firstOf(['cidrBlock:', re('vpc.cidrBlock')], ['cidrBlock:', rp('cidrBlock')])],
  [name('CreateWorkgroup'), firstOf(['namespaceName:', re('namespaceName')], ['namespaceName:', rp('namespaceName')])],
  [name('Decrypt'), labelled('encryptionAlgorithm:', rp('encryptionAlgorithm'), lit('ciphertext'))],
  [name('DeleteDBSubnetGroup'), labelled('dBSubnetGroupName:', rp('dBSubnetGroupName'))],
  [name('DeleteVpcEndpoints'), lit('vpc_endpoint')],
  [name('DescribeAccessPoints'), lit('access_point')],
  [name('DescribeAccountSubscription'), lit('aws_account')],
  [name('DescribeAddresses'), lit('AWS account')],
  [name('DescribeBackupPolicy'), lit('Elastic filesystem')],
  [name('DescribeCluster'), lit('EKS cluster')],
  [name('DescribeConfigurationSettings'), labelled('environmentName:', rp('environmentName'))],
  [name('DescribeContinuousBackups'), lit('table')],
  // The add-on reads a top-level customerGatewaySet.state, which CloudTrail never records: always null.
  [name('DescribeCustomerGateways'), labelled('customerGatewaySet:', f('customerGatewaySet.state'))],
  [name('DescribeDBClusterSnapshots', 'DescribeDBClusters', 'DescribeDBSnapshots'), both(['includeShared:', rp('includeShared')], ['includePublic:', rp('includePublic')])],
  [name('DescribeDBEngineVersions'), both(['engineVersion:', rp('engineVersion')], ['defaultOnly:', rp('defaultOnly')])],
  [name('DescribeDBInstances'), lit('RDS')],
  [name('DescribeDBSecurityGroups'), lit('DB security group')],
  [name('DescribeDBSnapshotAttributes'), lit('RDS')],
  [name('DescribeDBSubnetGroups'), lit('DB Subnet Group')],
  [name('DescribeDRTAccess'), lit('Amazon S3 log buckets')],
  [name('DescribeDeliveryStream'), lit('Firehose')],
  [name('DescribeDirectories'), lit('AWS Directory Service')],
  [name('DescribeEndpoint'), lit('endpoint')],
  [name('DescribeFileSystemPolicy', 'DescribeFileSystems'), lit('Elastic filesystem')],
  [name('DescribeFleets', 'DescribeHosts', 'DescribeImages', 'DescribeInstances', 'DescribeInternetGateways'), lit('EC2')],
  [name('DescribeHub'), lit('Security Hub')],
  [name('DescribeJobs'), lit('DRS batch jobs')],
  [name('DescribeKeyPairs'), labelled('includePublicKey:', rp('includePublicKey'))],
  [name('DescribeListeners'), labelled('loadBalancerArn:', rp('loadBalancerArn'), lit('listeners'))],
  [name('DescribeLoadBalancers'), lit('load balancers')],
  [name('DescribeSecret'), labelled('requestPayer:', rp('requestPayer'), lit('secret'))],
  [name('GetDomainPermissionsPolicy'), labelled('domain:', rp('domain'))],
  [name('GetSecretValue'), lit('secret')],
  [name('GetSecurityConfigurations'), lit('security configurations')],
  [name('ListOrganizationAdminAccounts'), lit('admin accounts')],
  [name('AddMemberToGroup'), kv('groupId:', rp('groupId'))],
  [name('DescribeLogStreams'), lit('logGroupName')],
  [name('DescribeLoggingConfiguration'), lit('firewall')],
  [name('DescribeNotebookInstance'), lit('NotebookInstance')],
  [name('DescribeOrganizationConfiguration'), lit('guardduty')],
  [name('DescribeRepositories'), lit('image repository')],
  [name('DescribeReservedDBInstances'), lit('reserved DB instance')],
  [name('DescribeReservedInstances'), lit('reserved instance')],
  [name('DescribeReservedInstancesListings'), lit('reserved instance listings')],
  [name('DescribeRules'), lit('ELB listener')],
  [name('DescribeSecurityGroupRules'), lit('security group rule')],
  [name('DescribeSnapshots'), labelled('owner:', rp('ownersSet.items{}.owner'), lit('EBS snapshot'))],
  [name('DescribeStacks'), lit('stack')],
  [name('DescribeStream'), lit('Kinesis')],
  [name('DescribeTable'), lit('DynamoDB')],
  [name('DescribeTargetGroups'), labelled('loadBalancerArn:', rp('loadBalancerArn'), lit('load balancer'))],
  [name('DescribeUserProfiles'), lit('users')],
  [name('DescribeVolumes'), lit('EBS volume')],
  [name('DescribeVpcEndpointServicePermissions'), lit('VPC endpoint service')],
  [name('DescribeVpnConnections'), lit('vpn connection')],
  [name('DescribeWorkspaceDirectories'), lit('workspace directory')],
  [name('DescribeWorkspaces'), lit('workspace')],
  [name('DetachInternetGateway', 'DescribeNatGateways', 'DescribeNetworkAcls'), lit('EC2')],
  [name('DescribeNetworkInterfaces', 'DescribeRouteTables'),
    `if(isnotnull(${rp('filterSet.items{}.name')}), ${rp('filterSet.items{}.name')} . ":" . ${rp('filterSet.items{}.valueSet.items{}.value')}, null())`],
  [name('DescribeSecurityGroups', 'DescribeSubnets', 'DescribeVpcEndpoints', 'DescribeVpcs'), lit('EC2')],
  [name('DriverExecute'), lit('redshift cluster')],
  [name('EnableControl'), `if(isnotnull(${rp('targetIdentifier')}), ${kv('organization:', arnTail(rp('targetIdentifier')))}, null())`],
  [name('Error_GET'), labelled('userPoolDomain:', f('additionalEventData.userPoolDomain'))],
  [name('GenerateCredentialReport'), lit('credential report')],
  [name('GetAccessPointPolicy'), lit('S3')],
  [name('GetAccountPasswordPolicy'), lit('AWS account')],
  [name('GetAccountPublicAccessBlock'), lit('Amazon S3')],
  [name('GetAdminScope'), lit('AWS Firewall Manager')],
  [name('GetAlternateContact'), lit('alternate contact')],
  [name('GetContactInformation'), lit('primary contact')],
  [name('AdminCreateUser', 'AdminGetUser', 'AdminResetUserPassword'), labelled('userPoolId:', rp('userPoolId'))],
]);

export const OBJECT_PATH = cases([
  [name('CreateDBClusterSnapshot'), re('dBClusterSnapshotArn')],
  [name('CreateLoadBalancer'), re('loadBalancers{}.loadBalancerArn')],
  [name('CreateNamespace'), re('namespace.namespaceArn')],
  [name('CreateServiceLinkedRole'), re('role.path')],
  [name('CreatePolicy'), c(re('policy.path'), rp('path'))],
  [name('DescribeLogStreams', 'DescribeRepositories', 'DescribeTable'), f('resources{}.ARN')],
  [name('DescribeLoggingConfiguration'), rp('firewallArn')],
  [name('DescribeRules'), rp('listenerArn')],
  [name('DescribeStacks'), rp('stackName')],
  [name('DriverExecute'), rp('path')],
  [name('EnableControl'), rp('controlIdentifier')],
]);

const INSTANCE_IDS = (where: 'request' | 'response'): string =>
  (where === 'request' ? rp : re)('instancesSet.items{}.instanceId');

export const DEST = cases([
  [name('PutBucketAcl'), rp('Host')],
  [name('GetBucketEncryption'), rp('host{}')],
  [name('RunInstances'), c(INSTANCE_IDS('response'), 'eventSource')],
  [name('StartInstances'), c(INSTANCE_IDS('request'), 'eventSource')],
  [name('StopInstances', 'TerminateInstances', 'RebootInstances'), INSTANCE_IDS('request')],
  [nameLike('%Volume'), c(rp('instanceId'), 'eventSource')],
  [nameLike('%Bucket'), rp('host{}')],
  [nameLike('Put%'), c(rp('host{}'), rp('Host'))],
  [name('CreateUser', 'UpdateUser', 'DeleteUser'), 'eventSource'],
  [name('DeleteLoginProfile'), rp('userName')],
  [name('ConsoleLogin', 'AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'CheckMfa', 'ListAliases'), c(LOGIN_TO, 'eventSource')],
  [name('DeleteSecurityGroup'), 'eventSource'],
  ['true()', 'eventSource'],
]);

const ACL = nameLike('%NetworkAcl%');
const CIDR = rp('ipPermissions.items{}.ipRanges.items{}.cidrIp');
const PORTS = `mvappend(${rp('ipPermissions.items{}.toPort')}, ${rp('ipPermissions.items{}.fromPort')})`;
const ACL_PORTS = `mvappend(${rp('portRange.from')}, ${rp('portRange.to')})`;

export const DEST_IP_RANGE = cases([
  [nameLike('%SecurityGroupEgress'), CIDR],
  [and(ACL, `${EGRESS}=="true"`), rp('cidrBlock')],
]);
export const DEST_PORT_RANGE = cases([
  [nameLike('%SecurityGroupEgress%'), PORTS],
  [and(ACL, `${EGRESS}=="true"`), ACL_PORTS],
]);
export const SRC_IP_RANGE = cases([
  [nameLike('%SecurityGroupIngress'), CIDR],
  [and(ACL, `${EGRESS}=="false"`), rp('cidrBlock')],
]);
export const SRC_PORT_RANGE = cases([
  [nameLike('%SecurityGroupIngress%'), PORTS],
  [and(ACL, `${EGRESS}=="false"`), ACL_PORTS],
]);
export const DIRECTION = cases([
  [or(and(ACL, `${EGRESS}=="false"`), nameLike('%SecurityGroupIngress')), lit('Inbound')],
  [or(and(ACL, `${EGRESS}=="true"`), nameLike('%SecurityGroupEgress')), lit('Outbound')],
]);
export const PROTOCOL = `if(${nameLike('%SecurityGroup%')}, ${rp('ipPermissions.items{}.ipProtocol')}, null())`;
export const PROTOCOL_CODE = `if(${ACL}, ${rp('aclProtocol')}, null())`;
export const RULE_ACTION = c(re('networkAcl.entrySet.items{}.ruleAction'), rp('ruleAction'));
