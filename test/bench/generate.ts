// Deterministic CloudTrail at scale for the benchmark: S3 layout
// (AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<stamp>_<id>.json.gz),
// a few hundred events per file, many API calls with their own request/response shapes, IAM users,
// assumed roles, AWS services, errors and cross-account AssumeRole. Same seed, same bytes.

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export const SIZES: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000, '5m': 5_000_000 };

export interface Dataset {
  dir: string;
  events: number;
  files: number;
  bytes: number;
  /** Values the benchmark fills `$param$` tokens and ad-hoc searches with. */
  facts: { user: string; roleArn: string; accessKey: string; ip: string; account: string; bucket: string; start: number; end: number };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

class Rng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  uuid(): string {
    const h = this.chars(32, '0123456789abcdef');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ACCOUNTS = ['111122223333', '222233334444', '444455556666', '555566667777'];
const OUTSIDE = '999988887777';
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const USERS = ['ana.ops', 'ci-deployer', 'svc-backup', 'bruno.dev', 'carla.sec', 'dmitri.data', 'eve.admin', 'farid.net'];
const ROLES = ['DeployRole', 'SecurityAuditRole', 'app-server-role', 'lambda-exec', 'OrganizationAccountAccessRole', 'dev-build-role'];
const SERVICES = ['ec2.amazonaws.com', 'lambda.amazonaws.com', 'autoscaling.amazonaws.com', 'config.amazonaws.com', 'cloudformation.amazonaws.com'];
const IPS = ['73.158.64.21', '91.64.112.45', '3.91.171.15', '44.211.87.130', '54.166.42.9', '185.220.101.47', '10.20.3.41', '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4'];
const AGENTS = [
  'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.6',
  'Boto3/1.35.54 md/Botocore#1.35.54 ua/2.0 os/linux#5.10.227 lang/python#3.12.7 exec-env/AWS_Lambda_python3.12',
  'aws-sdk-java/2.29.6 Linux/6.1.115 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 terraform-provider-aws/5.76.0 aws-sdk-go-v2/1.32.4',
  'Boto3/1.26.137 Python/3.10.12 Linux/6.5.0-1016-generic Botocore/1.29.137',
];

interface Ctx {
  r: Rng;
  account: string;
  region: string;
  t: number;
}
type Call = { source: string; name: string; readOnly: boolean; req: (c: Ctx) => Json; resp: (c: Ctx) => Json; resources?: (c: Ctx) => Json; error?: [string, string] };

const bucket = (c: Ctx): string => `${c.r.pick(['prod-data', 'app-logs', 'backups', 'cloudtrail-archive', 'ml-datasets'])}-${c.account.slice(0, 4)}`;
const instanceId = (c: Ctx): string => `i-0${c.r.chars(16, '0123456789abcdef')}`;
const iso = (t: number): string => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const CALLS: Call[] = [
  { source: 's3.amazonaws.com', name: 'GetObject', readOnly: true, req: (c) => ({ bucketName: bucket(c), key: `data/${c.r.chars(10, 'abcdefghij')}.csv`, Host: 's3.amazonaws.com' }), resp: () => null, resources: (c) => [{ type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket(c)}/data` }] },
  { source: 's3.amazonaws.com', name: 'PutObject', readOnly: false, req: (c) => ({ bucketName: bucket(c), key: `up/${c.r.uuid()}.json`, 'x-amz-server-side-encryption': 'aws:kms' }), resp: (c) => ({ 'x-amz-version-id': c.r.chars(32, UPPER32) }) },
  { source: 's3.amazonaws.com', name: 'ListBuckets', readOnly: true, req: () => ({ Host: 's3.amazonaws.com' }), resp: () => null },
  { source: 's3.amazonaws.com', name: 'PutBucketPolicy', readOnly: false, req: (c) => ({ bucketName: bucket(c), bucketPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] } }), resp: () => null },
  { source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true, req: (c) => ({ instancesSet: {}, filterSet: { items: [{ name: 'tag:env', valueSet: { items: [{ value: c.r.pick(['prod', 'dev']) }] } }] } }), resp: () => null },
  { source: 'ec2.amazonaws.com', name: 'RunInstances', readOnly: false, req: (c) => ({ instanceType: c.r.pick(['t3.micro', 'm5.large', 'p4d.24xlarge']), minCount: 1, maxCount: c.r.int(1, 4), imageId: `ami-0${c.r.chars(16, '0123456789abcdef')}` }), resp: (c) => ({ instancesSet: { items: [{ instanceId: instanceId(c), currentState: { code: 0, name: 'pending' } }] } }) },
  { source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress', readOnly: false, req: (c) => ({ groupId: `sg-0${c.r.chars(16, '0123456789abcdef')}`, ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } }), resp: () => ({ _return: true }) },
  { source: 'iam.amazonaws.com', name: 'CreateUser', readOnly: false, req: (c) => ({ userName: `tmp-${c.r.chars(6, 'abcdefgh')}` }), resp: (c) => ({ user: { userName: 'x', userId: 'AIDA' + c.r.chars(17, UPPER32), createDate: iso(c.t) } }) },
  { source: 'iam.amazonaws.com', name: 'CreateAccessKey', readOnly: false, req: (c) => ({ userName: c.r.pick(USERS) }), resp: (c) => ({ accessKey: { accessKeyId: 'AKIA' + c.r.chars(16, UPPER32), status: 'Active' } }) },
  { source: 'iam.amazonaws.com', name: 'AttachUserPolicy', readOnly: false, req: (c) => ({ userName: c.r.pick(USERS), policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }), resp: () => null },
  { source: 'iam.amazonaws.com', name: 'ListRoles', readOnly: true, req: () => null, resp: () => null },
  { source: 'sts.amazonaws.com', name: 'GetCallerIdentity', readOnly: true, req: () => null, resp: () => null },
  { source: 'kms.amazonaws.com', name: 'Decrypt', readOnly: true, req: (c) => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId: `arn:aws:kms:${c.region}:${c.account}:key/${c.r.uuid()}` }), resp: () => null },
  { source: 'lambda.amazonaws.com', name: 'Invoke', readOnly: false, req: (c) => ({ functionName: `arn:aws:lambda:${c.region}:${c.account}:function:${c.r.pick(['etl', 'thumbs', 'auth'])}` }), resp: () => null },
  { source: 'logs.amazonaws.com', name: 'CreateLogStream', readOnly: false, req: (c) => ({ logGroupName: `/aws/lambda/${c.r.pick(['etl', 'thumbs'])}`, logStreamName: c.r.uuid() }), resp: () => null },
  { source: 'cloudtrail.amazonaws.com', name: 'StopLogging', readOnly: false, req: (c) => ({ name: `arn:aws:cloudtrail:${c.region}:${c.account}:trail/org-trail` }), resp: () => null },
  { source: 'guardduty.amazonaws.com', name: 'ListDetectors', readOnly: true, req: () => null, resp: () => null },
  { source: 'secretsmanager.amazonaws.com', name: 'GetSecretValue', readOnly: true, req: (c) => ({ secretId: `prod/${c.r.pick(['db', 'api', 'stripe'])}` }), resp: () => null },
];

interface Actor {
  identity: Obj;
  account: string | undefined;
  arn?: string;
}

function actor(c: Ctx, facts: Dataset['facts']): Actor {
  const r = c.r;
  const roll = r.next();
  if (roll < 0.35) {
    const name = r.pick(USERS);
    const arn = `arn:aws:iam::${c.account}:user/${name}`;
    const key = name === 'ana.ops' && c.account === ACCOUNTS[0] ? facts.accessKey : 'AKIA' + r.chars(16, UPPER32);
    return { account: c.account, arn, identity: { type: 'IAMUser', principalId: 'AIDA' + r.chars(17, UPPER32), arn, accountId: c.account, accessKeyId: key, userName: name } };
  }
  if (roll < 0.85) {
    const role = r.pick(ROLES);
    const session = r.chance(0.5) ? r.pick(USERS) : `i-0${r.chars(16, '0123456789abcdef')}`;
    const roleId = 'AROA' + r.chars(17, UPPER32);
    const arn = `arn:aws:sts::${c.account}:assumed-role/${role}/${session}`;
    return {
      account: c.account,
      arn,
      identity: {
        type: 'AssumedRole', principalId: `${roleId}:${session}`, arn, accountId: c.account, accessKeyId: 'ASIA' + r.chars(16, UPPER32),
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: roleId, arn: `arn:aws:iam::${c.account}:role/${role}`, accountId: c.account, userName: role },
          webIdFederationData: {},
          attributes: { creationDate: iso(c.t - r.int(60, 3600)), mfaAuthenticated: r.chance(0.2) ? 'true' : 'false' },
        },
      },
    };
  }
  if (roll < 0.97) return { account: undefined, identity: { type: 'AWSService', invokedBy: r.pick(SERVICES) } };
  return { account: OUTSIDE, identity: { type: 'AWSAccount', principalId: 'AIDA' + r.chars(17, UPPER32), accountId: OUTSIDE } };
}

function event(c: Ctx, facts: Dataset['facts']): Obj {
  const r = c.r;
  const who = actor(c, facts);
  const service = who.identity['type'] === 'AWSService';
  let e: Obj;
  if (r.chance(0.08)) {
    // AssumeRole, sometimes into another account (recorded in the target's trail).
    const target = r.chance(0.3) ? r.pick(ACCOUNTS) : c.account;
    const role = r.pick(ROLES);
    const session = r.pick(USERS);
    const failed = r.chance(0.1);
    e = {
      eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', readOnly: true,
      requestParameters: { roleArn: `arn:aws:iam::${target}:role/${role}`, roleSessionName: session, durationSeconds: 3600 },
      responseElements: failed ? null : {
        credentials: { accessKeyId: 'ASIA' + r.chars(16, UPPER32), sessionToken: 'IQoJb3JpZ2luX2Vj' + r.chars(64, UPPER32), expiration: iso(c.t + 3600) },
        assumedRoleUser: { assumedRoleId: `AROA${r.chars(17, UPPER32)}:${session}`, arn: `arn:aws:sts::${target}:assumed-role/${role}/${session}` },
      },
    };
    if (!failed) e['resources'] = [{ accountId: target, type: 'AWS::IAM::Role', ARN: `arn:aws:iam::${target}:role/${role}` }];
    else Object.assign(e, { errorCode: 'AccessDenied', errorMessage: `User: ${who.arn ?? 'unknown'} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${target}:role/${role}` });
  } else if (r.chance(0.03)) {
    const failed = r.chance(0.3);
    e = {
      eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', readOnly: false, eventType: 'AwsConsoleSignIn', requestParameters: null,
      responseElements: { ConsoleLogin: failed ? 'Failure' : 'Success' },
      additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: r.chance(0.6) ? 'Yes' : 'No' },
    };
    if (failed) e['errorMessage'] = 'Failed authentication';
  } else {
    const call = r.pick(CALLS);
    e = { eventSource: call.source, eventName: call.name, readOnly: call.readOnly, requestParameters: call.req(c), responseElements: call.resp(c) };
    if (call.resources) e['resources'] = call.resources(c);
    if (r.chance(0.06)) {
      const [code, message] = r.pick([
        ['AccessDenied', 'Access Denied'],
        ['Client.UnauthorizedOperation', 'You are not authorized to perform this operation.'],
        ['ThrottlingException', 'Rate exceeded'],
        ['NoSuchBucket', 'The specified bucket does not exist'],
      ] as const);
      Object.assign(e, { errorCode: code, errorMessage: message, responseElements: null });
    }
  }
  const ip = service ? (who.identity['invokedBy'] as string) : r.pick(IPS);
  return {
    eventVersion: '1.09',
    userIdentity: who.identity,
    eventTime: iso(c.t),
    eventSource: e['eventSource']!,
    eventName: e['eventName']!,
    awsRegion: c.region,
    sourceIPAddress: ip,
    userAgent: service ? (who.identity['invokedBy'] as string) : r.pick(AGENTS),
    ...Object.fromEntries(Object.entries(e).filter(([k]) => !['eventSource', 'eventName', 'readOnly'].includes(k))),
    requestID: r.uuid(),
    eventID: r.uuid(),
    readOnly: e['readOnly']!,
    eventType: (e['eventType'] as string | undefined) ?? 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: c.account,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: `${(e['eventSource'] as string).split('.')[0]}.${c.region}.amazonaws.com` },
  };
}

const DAY0 = Date.UTC(2026, 9, 29) / 1000; // 2026-10-29: a month of data ending 2026-11-28

/** Writes the dataset (or reuses a complete one) and describes it. */
export function generate(size: string, root = path.join(process.env['TMPDIR'] ?? tmpdir(), 'spelunk-bench'), seed = 20261129): Dataset {
  const events = SIZES[size];
  if (!events) throw new Error(`unknown size ${size} (one of ${Object.keys(SIZES).join(', ')})`);
  const dir = path.join(root, size);
  const manifest = path.join(dir, '.dataset.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as Dataset;

  const building = `${dir}.partial`;
  rmSync(building, { recursive: true, force: true });
  const r = new Rng(seed);
  const perFile = 400;
  const files = Math.ceil(events / perFile);
  const days = 30;
  const facts: Dataset['facts'] = {
    user: 'ana.ops', roleArn: `arn:aws:iam::${ACCOUNTS[2]}:role/OrganizationAccountAccessRole`, accessKey: 'AKIAQ3EGRWM6ZXPLXN7Q',
    ip: '185.220.101.47', account: ACCOUNTS[0]!, bucket: `prod-data-${ACCOUNTS[0]!.slice(0, 4)}`, start: DAY0, end: DAY0 + days * 86400,
  };
  let bytes = 0;
  let written = 0;
  for (let f = 0; f < files; f++) {
    const account = ACCOUNTS[f % ACCOUNTS.length]!;
    const region = REGIONS[Math.floor(f / ACCOUNTS.length) % REGIONS.length]!;
    // Files spread evenly over the month; each covers about five minutes.
    const start = DAY0 + Math.floor((f / files) * days * 86400);
    const n = Math.min(perFile, events - written);
    const records: Obj[] = [];
    for (let i = 0; i < n; i++) records.push(event({ r, account, region, t: start + Math.floor((i / n) * 300) }, facts));
    written += n;
    const d = new Date(start * 1000);
    const ymd = [String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), String(d.getUTCDate()).padStart(2, '0')];
    const stamp = d.toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
    const folder = path.join(building, 'AWSLogs', account, 'CloudTrail', region, ...ymd);
    mkdirSync(folder, { recursive: true });
    const gz = gzipSync(JSON.stringify({ Records: records }), { level: 6 });
    writeFileSync(path.join(folder, `${account}_CloudTrail_${region}_${stamp}_${r.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}.json.gz`), gz);
    bytes += gz.length;
  }
  const dataset: Dataset = { dir, events, files, bytes, facts };
  writeFileSync(path.join(building, '.dataset.json'), JSON.stringify({ ...dataset, dir }, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return dataset;
}

if (process.argv[1] && /generate\.ts$/.test(process.argv[1])) {
  const d = generate(process.argv[2] ?? '100k');
  console.log(`${d.events} events in ${d.files} files, ${(d.bytes / 1e6).toFixed(1)} MB at ${d.dir}`);
}
