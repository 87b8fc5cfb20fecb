// The contract between the loader (which fills the `events` table) and the compiler
// (which reads it). Both sides import this file, so a column added here exists everywhere.

export type ColumnType = 'VARCHAR' | 'DOUBLE' | 'BOOLEAN' | 'BIGINT' | 'JSON';

export interface EventColumn {
  name: string;
  type: ColumnType;
}

/** Name of the table (or view) holding every loaded event. */
export const EVENTS_TABLE = 'events';

/**
 * Columns every event row has. `_time` is epoch seconds (fractional), null when the event has
 * no parseable `eventTime`. `__seq` is the event's position in Splunk's default order (newest
 * first), assigned by the loader; the compiler uses it to keep pipeline order deterministic.
 */
export const META_COLUMNS: EventColumn[] = [
  { name: '_time', type: 'DOUBLE' },
  { name: '_raw', type: 'VARCHAR' },
  { name: 'source', type: 'VARCHAR' },
  { name: 'sourcetype', type: 'VARCHAR' },
  { name: 'index', type: 'VARCHAR' },
  { name: '__seq', type: 'BIGINT' },
];

/** Top-level CloudTrail scalar fields, kept as typed columns. */
export const SCALAR_COLUMNS: EventColumn[] = [
  { name: 'eventVersion', type: 'VARCHAR' },
  { name: 'eventTime', type: 'VARCHAR' },
  { name: 'eventSource', type: 'VARCHAR' },
  { name: 'eventName', type: 'VARCHAR' },
  { name: 'awsRegion', type: 'VARCHAR' },
  { name: 'sourceIPAddress', type: 'VARCHAR' },
  { name: 'userAgent', type: 'VARCHAR' },
  { name: 'errorCode', type: 'VARCHAR' },
  { name: 'errorMessage', type: 'VARCHAR' },
  { name: 'requestID', type: 'VARCHAR' },
  { name: 'eventID', type: 'VARCHAR' },
  { name: 'eventType', type: 'VARCHAR' },
  { name: 'eventCategory', type: 'VARCHAR' },
  { name: 'apiVersion', type: 'VARCHAR' },
  { name: 'recipientAccountId', type: 'VARCHAR' },
  { name: 'sharedEventID', type: 'VARCHAR' },
  { name: 'vpcEndpointId', type: 'VARCHAR' },
  { name: 'vpcEndpointAccountId', type: 'VARCHAR' },
  { name: 'sessionCredentialFromConsole', type: 'VARCHAR' },
  { name: 'readOnly', type: 'VARCHAR' },
  { name: 'managementEvent', type: 'VARCHAR' },
];

/**
 * Nested CloudTrail objects, kept as DuckDB JSON so that every key of every API call's own
 * shape survives (no schema inference). Paths into them are resolved by the compiler.
 */
export const JSON_COLUMNS: EventColumn[] = [
  { name: 'userIdentity', type: 'JSON' },
  { name: 'requestParameters', type: 'JSON' },
  { name: 'responseElements', type: 'JSON' },
  { name: 'additionalEventData', type: 'JSON' },
  { name: 'resources', type: 'JSON' },
  { name: 'serviceEventDetails', type: 'JSON' },
  { name: 'tlsDetails', type: 'JSON' },
  { name: 'edgeDeviceDetails', type: 'JSON' },
  { name: 'insightDetails', type: 'JSON' },
];

/**
 * userIdentity paths that the add-on fields and the hunts read on almost every search, also kept
 * as hidden columns of their own. Reading them from the JSON parses each event's userIdentity once
 * per path (five times for `user` alone): 0.9 s of a 1.1 s search over 1M events. The loader
 * fills them with exactly what the path into the JSON gives.
 */
export const PROMOTED_PATHS: readonly string[] = [
  'userIdentity.type',
  'userIdentity.principalId',
  'userIdentity.arn',
  'userIdentity.accountId',
  'userIdentity.accessKeyId',
  'userIdentity.userName',
  'userIdentity.invokedBy',
  'userIdentity.sessionContext.attributes.mfaAuthenticated',
  'userIdentity.sessionContext.sessionIssuer.type',
  'userIdentity.sessionContext.sessionIssuer.principalId',
  'userIdentity.sessionContext.sessionIssuer.arn',
  'userIdentity.sessionContext.sessionIssuer.accountId',
  'userIdentity.sessionContext.sessionIssuer.userName',
];

/**
 * Paths into requestParameters and responseElements that the add-on fields (errorCode reads
 * responseElements.ConsoleLogin, user_arn requestParameters.roleArn) and the hunts (the role asked
 * for, the key issued, the session opened) read on most searches, also kept as hidden columns:
 * otherwise every row shown reads both whole objects (0.1-0.3 CPU-s of each activity search at 1M
 * events). The loader fills them with json_extract_string of the path, the function a path read
 * uses.
 */
export const EXTRACTED_PATHS: readonly string[] = [
  'requestParameters.roleArn',
  'requestParameters.roleSessionName',
  'responseElements.ConsoleLogin',
  'responseElements.credentials.accessKeyId',
  'responseElements.accessKey.accessKeyId',
  'responseElements.assumedRoleUser.arn',
];

const PROMOTED = new Map([...PROMOTED_PATHS, ...EXTRACTED_PATHS].map((p) => [p, `__p_${p}`]));

/** The hidden column holding a promoted path, or undefined when the path is not promoted. */
export function promotedColumn(path: string): string | undefined {
  return PROMOTED.get(path);
}

export const PROMOTED_COLUMNS: EventColumn[] = [...PROMOTED.values()].map((name) => ({ name, type: 'VARCHAR' }));

export const EVENT_COLUMNS: EventColumn[] = [...META_COLUMNS, ...SCALAR_COLUMNS, ...JSON_COLUMNS, ...PROMOTED_COLUMNS];

const byName = new Map(EVENT_COLUMNS.map((c) => [c.name, c]));

export function eventColumn(name: string): EventColumn | undefined {
  return byName.get(name);
}
