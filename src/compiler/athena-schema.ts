// The CloudTrail table of docs/athena.md (AWS's DDL for CloudTrail in Athena), as CloudTrail names
// its keys: the Trino printer reads events through it, and the loader reads Parquet written from
// it (Athena's CTAS and UNLOAD keep the table's lower-case names) back into CloudTrail's.

/** A struct member of the table: CloudTrail's key, its members when it is an object. */
export interface Member {
  key: string;
  members?: Member[];
  /** A MAP(VARCHAR, VARCHAR): any key below it. */
  map?: boolean;
}

const leaf = (...keys: string[]): Member[] => keys.map((key) => ({ key }));

/** The structured columns of the DDL, by CloudTrail's (and spelunk's column) name. */
export const STRUCTS: Record<string, Member[]> = {
  userIdentity: [
    ...leaf('type', 'principalId', 'arn', 'accountId', 'invokedBy', 'accessKeyId', 'userName'),
    { key: 'onBehalfOf', members: leaf('userId', 'identityStoreArn') },
    {
      key: 'sessionContext',
      members: [
        { key: 'attributes', members: leaf('mfaAuthenticated', 'creationDate') },
        { key: 'sessionIssuer', members: leaf('type', 'principalId', 'arn', 'accountId', 'userName') },
        { key: 'ec2RoleDelivery' },
        { key: 'webIdFederationData', members: [{ key: 'federatedProvider' }, { key: 'attributes', map: true }] },
      ],
    },
  ],
  tlsDetails: leaf('tlsVersion', 'cipherSuite', 'clientProvidedHostHeader'),
  addendum: leaf('reason', 'updatedFields', 'originalRequestID', 'originalEventID'),
};

/** The members of each element of `resources`, an array of structs. */
export const RESOURCE: Member[] = leaf('ARN', 'accountId', 'type');

/** Per-API objects the table keeps as JSON text. */
export const JSON_TEXT: ReadonlySet<string> = new Set(['requestParameters', 'responseElements', 'additionalEventData', 'serviceEventDetails', 'edgeDeviceDetails']);

/** Top-level text columns of the table (lower-cased there). */
export const SCALARS: readonly string[] = [
  'eventVersion', 'eventTime', 'eventSource', 'eventName', 'awsRegion', 'sourceIPAddress', 'userAgent', 'errorCode',
  'errorMessage', 'requestID', 'eventID', 'eventType', 'eventCategory', 'apiVersion', 'recipientAccountId', 'sharedEventID',
  'vpcEndpointId', 'vpcEndpointAccountId', 'sessionCredentialFromConsole', 'readOnly',
];

/** The member of `members` CloudTrail names `key`, matched in any case (as Athena's SerDe and DuckDB do). */
export function member(members: readonly Member[], key: string): Member | undefined {
  return members.find((m) => m.key.toLowerCase() === key.toLowerCase());
}
