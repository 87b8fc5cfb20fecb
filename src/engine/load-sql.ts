// The SQL the loader reads events with: each reader's SELECT of (file, raw), and the INSERT that
// turns raw events into the `events` columns. Plain text builders, no DuckDB connection.

import {
  EVENT_COLUMNS,
  EVENTS_TABLE,
  EXTRACTED_PATHS,
  JSON_COLUMNS,
  META_COLUMNS,
  PROMOTED_PATHS,
  SCALAR_COLUMNS,
  promotedColumn,
  type EventColumn,
} from '../compiler/cloudtrail-schema.js';
import { jsonPath } from '../compiler/print/duckdb.js';
import type { FileFormat } from './load-files.js';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Paths and other text go into SQL only through this (or as bound parameters). */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Records that are not CloudTrail events: neither of the two fields every API event has, nor the
 * insightDetails of an Insights event (CloudTrail-Insight/ files), which carries its eventName
 * and eventSource inside it, nor the eventCategory `ActivityAuditLog` of an event CloudTrail Lake
 * took in from outside AWS (an integration: AWS's "CloudTrail Lake integrations event schema",
 * its eventName and eventSource inside eventData). Both were skipped whole as `not CloudTrail`.
 */
export const NOT_CLOUDTRAIL = `"eventName" IS NULL AND "eventSource" IS NULL AND "insightDetails" IS NULL AND "eventCategory" IS DISTINCT FROM 'ActivityAuditLog'`;

const READER_FORMAT: Record<Exclude<FileFormat, 'parquet'>, string> = {
  records: 'unstructured',
  array: 'array',
  lines: 'newline_delimited',
  concatenated: 'unstructured',
};

/** A JSON value whose first member is a Records array: a `{"Records":[...]}` wrapper. */
const WRAPPER_START = `'^\\s*\\{\\s*"Records"\\s*:\\s*\\['`;

/**
 * Whether the JSON text `value` (SQL) is a `{"Records":[...]}` wrapper: an object whose Records
 * member is an array, wherever that member is. A wrapper re-serialised by a tool (sorted keys put
 * an `Account` member first) or put together by hand may have other members first: it was read as
 * one event and skipped as not CloudTrail. CloudTrail writes Records first, which the anchored test finds at once; any other
 * value is scanned for the text `Records"`, and parsed again only when it holds it.
 */
export function isWrapper(value: string): string {
  // A CASE, so that each test runs only where the one before it left the answer open.
  return `CASE WHEN regexp_matches(${value}, ${WRAPPER_START}) THEN true
    WHEN contains(${value}, 'Records"') THEN coalesce(json_type(${value}, '$.Records') = 'ARRAY', false) ELSE false END`;
}

/**
 * The events of one JSON value: a `{"Records":[...]}` wrapper gives its records, anything else is
 * one event. Every format takes this path, so a wrapper among JSON lines (or a plain event after
 * a wrapper) loads whole, and read_json_objects hands each value over as text: DuckDB's typed
 * reader (`read_json(columns = {Records: 'JSON[]'})`) recursed once per nesting level and crashed
 * the process with a segmentation fault on one event nested 17,000 deep. json() re-serialises
 * compactly: pretty-printed events would otherwise keep their layout in _raw.
 */
const EVENTS_OF_VALUE = `unnest(CASE WHEN ${isWrapper('"json"::VARCHAR')}
    THEN json_extract("json", '$.Records[*]') ELSE [json("json")] END)::VARCHAR`;

/**
 * The table a load into the cache stages its JSON in (see LoadOptions.values): each row a JSON
 * value as read (`whole`: unwrapped as EVENTS_OF_VALUE does) or one event's final text. The
 * events are parsed into columns only as they are written to Parquet (cache.ts), with no table of
 * columns in between: materialising that table and reading it back cost 40% of a first load.
 */
export const VALUES_TABLE = '__spelunk_values';
export const VALUES_COLUMNS = 'file VARCHAR, value VARCHAR, whole BOOLEAN, day VARCHAR';

/** The (file, raw) events of VALUES_TABLE's rows that `where` selects, in their order. */
export function valuesEvents(where = 'true'): string {
  // An event's text is kept as it is (a cast to JSON does not re-serialise it).
  return `SELECT file, unnest(CASE WHEN whole AND ${isWrapper('value')} THEN json_extract(value, '$.Records[*]')
      WHEN whole THEN [json(value)] ELSE [value::JSON] END)::VARCHAR AS raw
    FROM ${VALUES_TABLE} WHERE ${where}`;
}

/**
 * Each value's least `_time` (as the events' columns compute it), with its file: the day each
 * file's segment is for is known before its events are parsed into columns.
 */
export function valuesFirstTimes(): string {
  const times = `CASE WHEN whole AND ${isWrapper('value')}
    THEN json_extract_string(value, '$.Records[*].eventTime') ELSE [json_extract_string(value, '$.eventTime')] END`;
  return `SELECT file, min(${timeExpr('t')}) AS lo FROM (SELECT file, unnest(${times}) AS t FROM ${VALUES_TABLE}) GROUP BY file`;
}

/**
 * The table a load into the cache unwraps a chunk's staged values into before they are written
 * (cache-chunk.ts, stageTexts): each event's final text (as valuesEvents gives it), in order, with
 * its `_time` (as the events' columns compute it) and the day of its file's segment.
 */
export const TEXTS_TABLE = '__spelunk_texts';
export const TEXTS_COLUMNS = 'file VARCHAR, raw VARCHAR, t DOUBLE, day VARCHAR';

/** Inserts the events of VALUES_TABLE's rows that `where` selects into TEXTS_TABLE, in their order. */
export function textsOfValues(where: string): string {
  return `INSERT INTO ${TEXTS_TABLE} (file, raw, t)
    SELECT file, raw, ${timeExpr(`json_extract_string(raw, '$.eventTime')`)} FROM (${valuesEvents(where)})`;
}

/** Each file's least `_time` in TEXTS_TABLE (as valuesFirstTimes gives it from the values). */
export const TEXTS_FIRST_TIMES = `SELECT file, min(t) AS lo FROM ${TEXTS_TABLE} GROUP BY file`;

/** Rows of a (file, raw) events source into VALUES_TABLE, as final event texts. */
export function insertValuesOfEvents(source: string): string {
  return `INSERT INTO ${VALUES_TABLE} (file, value, whole) SELECT file, raw, false FROM (${source})`;
}

export function jsonSource(format: FileFormat, gzip: boolean, maxObject: number, lenient = false): string {
  return readerSource(format, gzip, maxObject, lenient, `${EVENTS_OF_VALUE} AS raw`);
}

/** As jsonSource, but each JSON value whole, to be staged in VALUES_TABLE (its rows in order). */
export function jsonValuesInsert(format: FileFormat, gzip: boolean, maxObject: number, lenient = false): string {
  return `INSERT INTO ${VALUES_TABLE} (file, value, whole) ${readerSource(format, gzip, maxObject, lenient, '"json"::VARCHAR AS value, true AS whole')}`;
}

function readerSource(format: FileFormat, gzip: boolean, maxObject: number, lenient: boolean, columns: string): string {
  const options = `filename = true, compression = '${gzip ? 'gzip' : 'uncompressed'}', maximum_object_size = ${maxObject}`;
  if (lenient) {
    // Bad lines come out as NULL and are left out: see salvageLines.
    return `SELECT filename AS file, ${columns}
      FROM read_json_objects($files, format = 'newline_delimited', ignore_errors = true, ${options}) WHERE "json" IS NOT NULL`;
  }
  // Each event stays JSON: no schema inference over the varied nested objects.
  const reader = READER_FORMAT[format as keyof typeof READER_FORMAT];
  return `SELECT filename AS file, ${columns}
    FROM read_json_objects($files, format = '${reader}', ${options})`;
}

const META_NAMES = new Set(META_COLUMNS.map((c) => c.name));

/**
 * `spelunk load --out` writes every event column but `__seq`; such a file is read back as it was
 * written (its own _raw, _time, source and index) so the round trip is exact.
 */
export function isExport(columns: { name: string }[]): boolean {
  const names = new Set(columns.map((c) => c.name));
  return EVENT_COLUMNS.every((c) => c.name === '__seq' || promotedFromJson(c.name) !== undefined || names.has(c.name));
}

export function exportSource(): string {
  const cols = EVENT_COLUMNS.map((c) =>
    c.name === '__seq'
      ? 'NULL'
      : c.name === 'index'
        ? `coalesce(${quoteIdent(c.name)}, $index)`
        : (promotedFromJson(c.name) ?? `${quoteIdent(c.name)}::${c.type}`),
  );
  return `SELECT ${cols.join(', ')} FROM read_parquet($files)`;
}
const TRANSFORM_SPEC = JSON.stringify(
  Object.fromEntries([
    ...SCALAR_COLUMNS.map((c) => [c.name, c.type]),
    ...JSON_COLUMNS.map((c) => [c.name, 'JSON']),
  ]),
);

/** Each promoted column's keys under userIdentity, e.g. ['sessionContext', 'sessionIssuer', 'arn']. */
const PROMOTED_BY_COLUMN = new Map(PROMOTED_PATHS.map((p) => [promotedColumn(p)!, p.split('.').slice(1)]));

/** json_transform spec reading every promoted userIdentity path in one parse of the object. */
const PROMOTED_SPEC = (() => {
  const spec: Record<string, unknown> = {};
  for (const keys of PROMOTED_BY_COLUMN.values()) {
    let node = spec;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = 'VARCHAR';
  }
  return JSON.stringify(spec);
})();

/**
 * A promoted column from the event's userIdentity JSON, for rows that arrive without it (spelunk
 * exports written before the column existed). Same text as the insert path's json_transform.
 */
export function promotedFromJson(column: string): string | undefined {
  const keys = PROMOTED_BY_COLUMN.get(column);
  if (keys) return `json_extract_string("userIdentity", ${sqlString('$.' + keys.join('.'))})`;
  const x = EXTRACTED_BY_COLUMN.get(column);
  return x && `json_extract_string(${quoteIdent(x.json)}, ${sqlString(x.path)})`;
}

/** Each EXTRACTED_PATHS column's JSON column and path, e.g. ['responseElements', '$.ConsoleLogin']. */
const EXTRACTED_BY_COLUMN = new Map(
  EXTRACTED_PATHS.map((p) => {
    const [json, ...keys] = p.split('.');
    return [promotedColumn(p)!, { json: json!, path: jsonPath(keys) }];
  }),
);

/**
 * The EXTRACTED_PATHS of each JSON column, read in one parse of it per event: json_extract_string
 * with a list of paths gives each path's value as it gives it alone (five parses added 0.22 CPU-s
 * per 1M events to a load, the lists 0.08).
 */
const EXTRACTED_LISTS = new Map<string, string[]>();
for (const { json, path } of EXTRACTED_BY_COLUMN.values()) EXTRACTED_LISTS.set(json, [...(EXTRACTED_LISTS.get(json) ?? []), path]);
const EXTRACTED_READS = [...EXTRACTED_LISTS].map(
  ([json, paths]) => `, json_extract_string(e.${quoteIdent(json)}, [${paths.map(sqlString).join(', ')}]) AS ${quoteIdent(`__x_${json}`)}`,
).join('');

/**
 * CloudTrail writes `2021-10-14T14:21:22Z`; hand-made samples also use a space and fractions. A
 * TIMESTAMP cast reads those as UTC whatever the session time zone, but it also accepts a zone
 * and drops it (`...+05:00:00` and `...+05` read as UTC). So text with an offset or a zone name
 * after the clock time goes through TIMESTAMPTZ, which honours it; a plain `Z` needs no zone.
 */
function timeExpr(text: string): string {
  return `CASE WHEN regexp_matches(${text}, '\\d:\\d\\d(:\\d\\d(\\.\\d*)?)?\\s*([+\\-]|[A-Ya-y]|[zZ]\\S)')
    THEN epoch(try_cast(${text} AS TIMESTAMPTZ)) ELSE epoch(try_cast(${text} AS TIMESTAMP)) END`;
}

function selectExpr(column: EventColumn, index: string): string {
  switch (column.name) {
    case '_time':
      return timeExpr('e."eventTime"');
    case '_raw':
      return 'raw';
    case 'source':
      return 'file';
    case 'sourcetype':
      return sqlString('aws:cloudtrail');
    case 'index':
      return index;
    case '__seq':
      return 'NULL';
    default: {
      const keys = PROMOTED_BY_COLUMN.get(column.name);
      if (keys) return `ui.${keys.map(quoteIdent).join('.')}`;
      const x = EXTRACTED_BY_COLUMN.get(column.name);
      if (x) return `${quoteIdent(`__x_${x.json}`)}[${EXTRACTED_LISTS.get(x.json)!.indexOf(x.path) + 1}]`;
      return META_NAMES.has(column.name) ? 'NULL' : `e.${quoteIdent(column.name)}`;
    }
  }
}

export function insertSql(source: string): string {
  return `INSERT INTO ${EVENTS_TABLE} (${EVENT_COLUMNS.map((c) => quoteIdent(c.name)).join(', ')})
    ${eventsSelect(source, '$index::VARCHAR')}`;
}

/** The event columns (named) of a (file, raw) events source; `index` is the index column's SQL. */
export function eventsSelect(source: string, index: string): string {
  return `SELECT ${EVENT_COLUMNS.map((c) => `${selectExpr(c, index)} AS ${quoteIdent(c.name)}`).join(', ')}
    FROM (SELECT file, raw, e, json_transform(e."userIdentity", ${sqlString(PROMOTED_SPEC)}) AS ui${EXTRACTED_READS}
      FROM (SELECT file, raw, json_transform(raw, ${sqlString(TRANSFORM_SPEC)}) AS e FROM (${source})))`;
}
