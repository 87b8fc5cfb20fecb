// The CloudTrail table of docs/athena.md, built in DuckDB from S3-layout CloudTrail files, in the
// exact shape Athena's JSON SerDe gives it: lower-case columns, `useridentity`, `tlsdetails` and
// `addendum` as structs, `resources` as an array of structs, `eventtime` as text, the four
// per-API objects as JSON text, and the partition columns `timestamp` (yyyy/MM/dd), `year`,
// `month`, `day`, `account` and `region` taken from each file's S3 key, as partition projection
// (or ALTER TABLE ADD PARTITION) gives them. The hidden
// column `"$path"` is the file, as in Trino's Hive connector. A test stand-in, never shipped.

/** Where in an event each column comes from (CloudTrail's own key names). */
const SCALARS: [column: string, key: string][] = [
  ['eventversion', 'eventVersion'],
  ['eventtime', 'eventTime'],
  ['eventsource', 'eventSource'],
  ['eventname', 'eventName'],
  ['awsregion', 'awsRegion'],
  ['sourceipaddress', 'sourceIPAddress'],
  ['useragent', 'userAgent'],
  ['errorcode', 'errorCode'],
  ['errormessage', 'errorMessage'],
  ['requestparameters', 'requestParameters'],
  ['responseelements', 'responseElements'],
  ['additionaleventdata', 'additionalEventData'],
  ['requestid', 'requestID'],
  ['eventid', 'eventID'],
  ['readonly', 'readOnly'],
  ['eventtype', 'eventType'],
  ['apiversion', 'apiVersion'],
  ['recipientaccountid', 'recipientAccountId'],
  ['serviceeventdetails', 'serviceEventDetails'],
  ['sharedeventid', 'sharedEventID'],
  ['vpcendpointid', 'vpcEndpointId'],
  ['vpcendpointaccountid', 'vpcEndpointAccountId'],
  ['eventcategory', 'eventCategory'],
  ['sessioncredentialfromconsole', 'sessionCredentialFromConsole'],
  ['edgedevicedetails', 'edgeDeviceDetails'],
];

/** A struct member: its lower-case name, the event key, and its members when it is a struct. */
type Member = [name: string, key: string, members?: Member[] | 'map'];

const USER_IDENTITY: Member[] = [
  ['type', 'type'],
  ['principalid', 'principalId'],
  ['arn', 'arn'],
  ['accountid', 'accountId'],
  ['invokedby', 'invokedBy'],
  ['accesskeyid', 'accessKeyId'],
  ['username', 'userName'],
  ['onbehalfof', 'onBehalfOf', [['userid', 'userId'], ['identitystorearn', 'identityStoreArn']]],
  ['sessioncontext', 'sessionContext', [
    ['attributes', 'attributes', [['mfaauthenticated', 'mfaAuthenticated'], ['creationdate', 'creationDate']]],
    ['sessionissuer', 'sessionIssuer', [['type', 'type'], ['principalid', 'principalId'], ['arn', 'arn'], ['accountid', 'accountId'], ['username', 'userName']]],
    ['ec2roledelivery', 'ec2RoleDelivery'],
    ['webidfederationdata', 'webIdFederationData', [['federatedprovider', 'federatedProvider'], ['attributes', 'attributes', 'map']]],
  ]],
];

const TLS_DETAILS: Member[] = [['tlsversion', 'tlsVersion'], ['ciphersuite', 'cipherSuite'], ['clientprovidedhostheader', 'clientProvidedHostHeader']];
const ADDENDUM: Member[] = [['reason', 'reason'], ['updatedfields', 'updatedFields'], ['originalrequestid', 'originalRequestID'], ['originaleventid', 'originalEventID']];
const RESOURCE: Member[] = [['arn', 'ARN'], ['accountid', 'accountId'], ['type', 'type']];

function jsonPath(keys: string[]): string {
  return '$' + keys.map((k) => '.' + k).join('');
}

/**
 * A JSON value as the SerDe gives a STRING column: text as it is, a number or boolean as its text,
 * an object or array as its JSON text, a JSON null as NULL.
 */
function text(json: string, keys: string[]): string {
  return `json_extract_string(${json}, '${jsonPath(keys)}')`;
}

/** A struct of members, NULL when the key is absent or null (the SerDe's reading). */
function struct(json: string, keys: string[], members: Member[]): string {
  const fields = members.map(([name, key, sub]) => {
    if (sub === 'map') return `'${name}': CAST(json_extract(${json}, '${jsonPath([...keys, key])}') AS MAP(VARCHAR, VARCHAR))`;
    if (sub) return `'${name}': ${struct(json, [...keys, key], sub)}`;
    return `'${name}': ${text(json, [...keys, key])}`;
  });
  const present = `json_type(${json}, '${jsonPath(keys)}') = 'OBJECT'`;
  return `CASE WHEN ${present} THEN {${fields.join(', ')}} END`;
}

/** SQL that creates `name` over the CloudTrail files matched by `glob` (S3 layout). */
export function athenaTableSql(name: string, glob: string): string {
  const r = 'r';
  const columns = [
    ...SCALARS.slice(0, 1).map(([c, k]) => `${text(r, [k])} AS ${c}`),
    `${struct(r, ['userIdentity'], USER_IDENTITY)} AS useridentity`,
    ...SCALARS.slice(1).map(([c, k]) => `${text(r, [k])} AS ${c}`),
    `CASE WHEN json_type(${r}, '$.resources') = 'ARRAY' THEN list_transform(CAST(json_extract(${r}, '$.resources') AS JSON[]), x -> ${struct('x', [], RESOURCE)}) END AS resources`,
    `${struct(r, ['addendum'], ADDENDUM)} AS addendum`,
    `${struct(r, ['tlsDetails'], TLS_DETAILS)} AS tlsdetails`,
    `regexp_extract(filename, 'AWSLogs/(?:o-[^/]+/)?(\\d{12})/CloudTrail/', 1) AS account`,
    `regexp_extract(filename, '/CloudTrail/([^/]+)/\\d{4}/', 1) AS region`,
    `regexp_extract(filename, '/(\\d{4}/\\d{2}/\\d{2})/[^/]*$', 1) AS "timestamp"`,
    // AWS's organisation table has the day as three partitions; month and day unpadded here, as
    // ALTER TABLE ADD PARTITION may have written them.
    `regexp_extract(filename, '/(\\d{4})/\\d{2}/\\d{2}/[^/]*$', 1) AS "year"`,
    `CAST(CAST(regexp_extract(filename, '/\\d{4}/(\\d{2})/\\d{2}/[^/]*$', 1) AS INTEGER) AS VARCHAR) AS "month"`,
    `CAST(CAST(regexp_extract(filename, '/\\d{4}/\\d{2}/(\\d{2})/[^/]*$', 1) AS INTEGER) AS VARCHAR) AS "day"`,
    `filename AS "$path"`,
  ];
  return `CREATE OR REPLACE TABLE "${name}" AS
SELECT ${columns.join(',\n  ')}
FROM (SELECT filename, unnest(CAST(json_extract(json, '$.Records') AS JSON[])) AS r
      FROM read_json_objects('${glob.replace(/'/g, "''")}', format = 'auto', filename = true, compression = 'gzip', maximum_object_size = 67108864))`;
}
