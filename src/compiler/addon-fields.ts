// The fields the Splunk Add-on for AWS (version 7.10.0) derives for sourcetype aws:cloudtrail, as one
// table in the add-on's own order: field extractions, aliases, calculated fields, lookups, then
// event types and tags. Each rule is spelunk's own SPL eval expression (the compiler treats `expr`
// like the right-hand side of `| eval`), written from the add-on's configuration, which `source`
// names: props.conf [aws:cloudtrail] and the transforms.conf stanzas and lookup files it uses.
// docs/fields.md is generated from this table (scripts/fields-doc.ts).
//
// Splunk computes them in stages (https://docs.splunk.com/Documentation/Splunk/latest/Knowledge/
// Searchtimeoperationssequence): an alias reads the event as recorded; every calculated field reads
// the event and the aliases, never another calculated field (they are computed as if at once, so
// EVAL-msg sees CloudTrail's own errorCode even though EVAL-errorCode replaces it); lookups run one
// after another on top; event types see everything. `addonDefinition` applies that: a name inside
// an expression means what it meant at that stage.
import { CALCULATED } from './addon/calculated.js';
import { allTags, eventtypeExpr, tagExpr } from './addon/eventtypes.js';
import { ACTION, STATUS } from './addon/outcomes.js';
import { CHANGE_TYPE, CHANGE_TYPE_BY_NAME, OBJECT_CATEGORY, PROTOCOL_LOOKUP } from './addon/categories.js';
import { DEFAULT_ADDON, type AddonProfile } from './addon/profile.js';
import type { AddonPosition } from './types.js';

export type AddonKind = 'report' | 'alias' | 'eval' | 'lookup' | 'eventtype' | 'tag';

export interface AddonField {
  /** The field's name, as analysts type it. */
  name: string;
  kind: AddonKind;
  /** SPL eval expression; null when the add-on's rule never gives the field a value (see `rule`). */
  expr: string | null;
  /** The rule in words, for docs/fields.md. */
  rule: string;
  /** Where the add-on defines it. */
  source: string;
  /** Only under these add-on profiles (default: all). */
  profiles?: readonly AddonProfile[];
}

const PROPS = 'props.conf [aws:cloudtrail]';

const alias = (name: string, path: string, cls: string, rule?: string): AddonField =>
  ({ name, kind: 'alias', expr: /[.{]/.test(path) ? `'${path}'` : path, rule: rule ?? `\`${path}\``, source: `${PROPS} FIELDALIAS-${cls}` });
const lookup = (name: string, expr: string | null, rule: string, source: string): AddonField =>
  ({ name, kind: 'lookup', expr, rule, source: `${PROPS} ${source}` });

const ALIASES: AddonField[] = [
  { name: 'desc', kind: 'alias', expr: null, source: `${PROPS} FIELDALIAS-requestParameters-for-aws-cloudtrail`,
    rule: 'the add-on aliases `requestParameters`, but Splunk\'s JSON extraction makes fields of the leaf values only ' +
      '(`requestParameters.roleArn`...), never of the whole object, so `desc` is always empty' },
  alias('start_time', 'eventTime', 'eventTime-for-aws-cloudtrail'),
  alias('temp_access_key', 'responseElements.credentials.accessKeyId', 'responseElements.credentials.accessKeyId-for-aws-cloudtrail',
    '`responseElements.credentials.accessKeyId`: the temporary key a call handed out (AssumeRole*, GetSessionToken, GetFederationToken)'),
  alias('user_access_key', 'userIdentity.accessKeyId', 'userIdentity.accessKeyId-for-aws-cloudtrail',
    '`userIdentity.accessKeyId`: the key that signed the call, long-term (AKIA...) or temporary (ASIA...)'),
  alias('app', 'eventType', 'eventType-for-aws-cloudtrail-app', '`eventType`: AwsApiCall, AwsConsoleSignIn, AwsServiceEvent...'),
  alias('dvc', 'eventSource', 'eventSource-for-aws-cloudtrail-dvc'),
  alias('region', 'awsRegion', 'awsRegion-for-aws-cloudtrail_region'),
  alias('signature', 'eventName', 'eventName-for-aws-cloudtrail_signature'),
  alias('src', 'sourceIPAddress', 'sourceIPAddress-for-aws-cloudtrail-src',
    '`sourceIPAddress` as recorded: an IP address, an AWS service name such as `ec2.amazonaws.com`, or `AWS Internal`'),
  alias('src_ip', 'sourceIPAddress', 'sourceIPAddress-for-aws-cloudtrail-src_ip', '`sourceIPAddress` as recorded (service names included, like `src`)'),
  alias('user_group_id', 'userIdentity.accountId', 'accountId_user_group_id'),
  alias('vendor_region', 'awsRegion', 'awsRegion-for-aws-cloudtrail_vendor_region'),
  alias('reason', 'errorMessage', 'errorMessage-for-aws-cloudtrail-reason'),
  alias('command', 'eventName', 'eventName-for-aws-cloudtrail-command'),
  alias('image_id', 'requestParameters.instancesSet.items{}.imageId', 'requestParameters.instancesSet.items{}.imageId-for-aws-cloudtrail-image_id',
    '`requestParameters.instancesSet.items{}.imageId` (RunInstances; multivalue)'),
  alias('instance_type', 'requestParameters.instanceType', 'requestParameters.instanceType-for-aws-cloudtrail-instance_type'),
  alias('result_id', 'errorCode', 'errorCode-for-aws-cloudtrail-result_id', '`errorCode` as CloudTrail recorded it (null when the call succeeded)'),
];

const EVALS: AddonField[] = CALCULATED.map((c) => ({ ...c, kind: 'eval', source: `${PROPS} EVAL-${c.name}` }));

const LOOKUPS: AddonField[] = [
  lookup('vendor', null, 'from the add-on\'s vendor/product lookup on sourcetype; its file (aws_vendor_product_aws_cloudtrail_741.csv) is not ' +
    'in the 7.10.0 package read for spelunk, so `vendor` stays empty (`vendor_product` is set by its own rule)', 'LOOKUP-vendor-product-for-aws-cloudtrail'),
  lookup('product', null, 'as `vendor`: not set', 'LOOKUP-vendor-product-for-aws-cloudtrail'),
  lookup('change_type', CHANGE_TYPE_BY_NAME, 'by `eventName` (storage, network, firewall, AAA, virtual_server... see the table in ' +
    '`src/compiler/addon/categories.ts`)', 'LOOKUP-changeType-for-aws-cloudtrail-lookup (aws_cloudtrail_eventName_changeType_7100.csv)'),
  lookup('change_type', CHANGE_TYPE, 'when the event name gave none, by service (`eventSource`): AAA for iam, sts, ds, secretsmanager, ' +
    'sso-directory, cognito-idp, account; virtual computing for ec2; storage for s3; ... null for a service in neither table',
  'LOOKUP-changetype-for-aws-cloudtrail (aws_cloudtrail_changetype_7100.csv)'),
  lookup('action', ACTION, 'by `eventName` and the filled `errorCode`: for each call the add-on lists, what it did when it succeeded ' +
    '(created, deleted, modified, read, started, stopped, restarted; success for logins and credential calls) and when it failed ' +
    '(the same, failure for logins and credential calls, or unknown); null for every call the add-on does not list (GetObject, ' +
    'ListBuckets, StopLogging...) and for a failed CreateNetworkInterface, ListAliases or CheckMfa',
  'LOOKUP-action-status-for-aws-cloudtrail (aws_cloudtrail_action_status_7100.csv)'),
  lookup('status', STATUS, 'for a listed call: `success` when `errorCode` is success, else `failure` (a failed CreateQueue reads success); ' +
    'null for calls the add-on does not list', 'LOOKUP-action-status-for-aws-cloudtrail (aws_cloudtrail_action_status_7100.csv)'),
  lookup('object_category', OBJECT_CATEGORY, 'by `eventName` (instance, security_group, bucket, volume, user, role, policy, ...); ' +
    '`unknown` for a call the add-on does not list', 'LOOKUP-object_category-for-aws-cloudtrail (aws_cloudtrail_eventname_lookup_7100.csv)'),
  lookup('protocol', PROTOCOL_LOOKUP, 'for network ACL calls (which have `protocol_code`): the protocol named by that IP protocol number ' +
    '(6 is `ip`, 17 `udp`, -1 `unknown`, as the add-on\'s table has them; `unknown` for a number it lacks); other events keep the ' +
    'calculated `protocol`', 'LOOKUP-protocol-for-aws-cloudtrail (aws_network_traffic_protocol_code_lookup_760.csv)'),
];

const TAGGING: AddonField[] = [
  { name: 'eventtype', kind: 'eventtype', expr: eventtypeExpr(), source: 'eventtypes.conf',
    rule: 'the add-on\'s event types the event matches (multivalue): aws_cloudtrail_auth, aws_cloudtrail_change, aws_cloudtrail_errors... ' +
      '(their searches: `src/compiler/addon/eventtypes.ts`)' },
  ...(['7.10', '5'] as const).map((profile): AddonField => ({
    name: 'tag', kind: 'tag', expr: tagExpr(profile), source: 'tags.conf', profiles: [profile],
    rule: `with --addon ${profile}: the tags of the event's event types (multivalue): ${allTags(profile).join(', ')}` +
      (profile === '5' ? '; aws_cloudtrail_auth (AssumeRole*, GetSessionToken, GetFederationToken, ConsoleLogin) is tagged authentication' : ''),
  })),
];

export const ADDON_FIELDS: readonly AddonField[] = Object.freeze([
  {
    name: 'user', kind: 'report', expr: null, source: `${PROPS} REPORT-user-for-aws-cloudtrail-acctmgmt (transforms.conf [user-for-aws-cloudtrail-acctmgmt])`,
    rule: 'the user named after "on resource: ...user/" in `errorMessage`; this extraction runs before the JSON fields exist and EVAL-user ' +
      'replaces it, so it never shows',
  },
  ...ALIASES,
  ...EVALS,
  ...LOOKUPS,
  ...TAGGING,
] satisfies AddonField[]);

// ---- which definition a name has at a given point ------------------------------------------

const STAGE: Record<AddonKind, number> = { report: 0, alias: 1, eval: 2, lookup: 3, eventtype: 4, tag: 5 };

export interface AddonDefinition {
  field: AddonField;
  position: AddonPosition;
}

const positions = new Map<string, number[]>();
ADDON_FIELDS.forEach((f, i) => positions.set(f.name, [...(positions.get(f.name) ?? []), i]));

function visible(j: number, from: AddonPosition | undefined): boolean {
  if (!from) return true;
  if (j >= from.index) return false;
  const stage = STAGE[ADDON_FIELDS[j]!.kind];
  // Calculated fields are computed as if at once; lookups one after another.
  return stage < from.stage || (stage === from.stage && ADDON_FIELDS[j]!.kind === 'lookup');
}

/**
 * The definition `name` has for an expression at `from` (undefined: the whole table, as a search
 * sees it), under `profile`; undefined when the add-on derives no such field by then.
 */
export function addonDefinition(name: string, profile: AddonProfile = DEFAULT_ADDON, from?: AddonPosition): AddonDefinition | undefined {
  const list = positions.get(name);
  if (!list) return undefined;
  for (let k = list.length - 1; k >= 0; k--) {
    const j = list[k]!;
    const field = ADDON_FIELDS[j]!;
    if (field.profiles && !field.profiles.includes(profile)) continue;
    if (!visible(j, from)) continue;
    // A rule with no value (the REPORT that EVAL-user replaces, desc) defines an empty field.
    return { field, position: { index: j, stage: STAGE[field.kind] } };
  }
  return undefined;
}

/** Every add-on field name, once, in table order. */
export function addonFieldNames(): string[] {
  return [...positions.keys()];
}
