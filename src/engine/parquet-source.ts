// Parquet that is not spelunk's own export, read as CloudTrail events: each row rebuilt as the
// event's JSON so it takes the same path as JSON input. Parquet written by Athena from AWS's
// CloudTrail table (CTAS, UNLOAD) names every column and struct member in lower case
// (`eventname`, `useridentity.sessioncontext.sessionissuer.arn`); those names are given back
// CloudTrail's case, or no search would find anything in such a file.

import { member, RESOURCE, SCALARS, STRUCTS, JSON_TEXT, type Member } from '../compiler/athena-schema.js';
import { JSON_COLUMNS, META_COLUMNS, SCALAR_COLUMNS } from '../compiler/cloudtrail-schema.js';
import { sqlString, quoteIdent } from './load-sql.js';

export interface ParquetColumn {
  name: string;
  /** DuckDB's type, as DESCRIBE writes it. */
  type: string;
}

const META_NAMES = new Set(META_COLUMNS.map((c) => c.name));
const JSON_NAMES = new Set(JSON_COLUMNS.map((c) => c.name));

/** CloudTrail's top-level keys spelunk knows, by their lower-case form. */
const TOP_KEYS = new Map(
  [...SCALAR_COLUMNS.map((c) => c.name), ...JSON_COLUMNS.map((c) => c.name), ...SCALARS, ...JSON_TEXT, ...Object.keys(STRUCTS)].map(
    (k) => [k.toLowerCase(), k],
  ),
);

/**
 * The SELECT giving (file, raw) for Parquet files with these columns. Columns named like
 * spelunk's own (_raw, source, __seq, ...) are left out: a re-loaded export gets them anew.
 */
export function parquetSource(columns: ParquetColumn[], from = 'read_parquet($files, filename = true)'): string {
  const kept = columns.filter((c) => !META_NAMES.has(c.name) && c.name !== 'filename');
  const exact = new Set(kept.map((c) => c.name));
  const taken = new Set<string>();
  let folded = false;
  const members = kept.map((c): [string, string] => {
    const known = TOP_KEYS.get(c.name.toLowerCase());
    // A name given back its case only when no column has that name already.
    const key = known !== undefined && known !== c.name && !exact.has(known) && !taken.has(known) ? known : c.name;
    taken.add(key);
    const ref = quoteIdent(c.name);
    const rebuilt = membersOf(key, ref, parseType(c.type));
    if (key !== c.name || rebuilt !== undefined) folded = true;
    return [key, rebuilt ?? topValue(key, ref, c.type)];
  });
  // Athena's table has every column on every row, NULL where the event had no such key; an
  // event as CloudTrail wrote it has no key there, so a folded file's rows leave them out.
  const raw = folded ? objectOf(members) : `json_object(${members.map(([k, v]) => `${sqlString(k)}, ${v}`).join(', ')})`;
  return `SELECT filename AS file, ${raw}::VARCHAR AS raw
    FROM ${from}`;
}

/** A struct of the table as DuckDB declares it: the DDL's members, lower-cased as Athena writes them. */
function ddlType(m: Member): string {
  if (m.map) return 'MAP(VARCHAR, VARCHAR)';
  if (!m.members) return 'VARCHAR';
  return `STRUCT(${m.members.map((x) => `${quoteIdent(x.key.toLowerCase())} ${ddlType(x)}`).join(', ')})`;
}

/** Partition columns of the DDL's variants (projection: `timestamp`; by hand: region, year...; an organisation's: account). */
const PARTITIONS = ['timestamp', 'account', 'region', 'year', 'month', 'day'];

/** The columns of the Athena CloudTrail table (docs/athena.md's DDL), as its JSON rows name them. */
const ATHENA_JSON_COLUMNS: ParquetColumn[] = [
  ...SCALARS.map((k) => ({ name: k.toLowerCase(), type: 'VARCHAR' })),
  ...Object.entries(STRUCTS).map(([key, members]) => ({ name: key.toLowerCase(), type: ddlType({ key, members }) })),
  { name: 'resources', type: `${ddlType({ key: 'resources', members: RESOURCE })}[]` },
  ...[...JSON_TEXT].map((k) => ({ name: k.toLowerCase(), type: 'VARCHAR' })),
  ...PARTITIONS.map((name) => ({ name, type: 'VARCHAR' })),
];

/**
 * The SELECT giving (file, raw) for JSON lines written by Athena from its CloudTrail table
 * (UNLOAD ... WITH (format = 'JSON'), a JSON CTAS): each line one row, named in lower case as the
 * table's Parquet is, so read with the table's types and given CloudTrail's names the same way.
 * A key the table has no column for is not read (as it could not have been queried there).
 */
export function athenaJsonSource(gzip: boolean, maxObject: number): string {
  const columns = ATHENA_JSON_COLUMNS.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ');
  return parquetSource(
    ATHENA_JSON_COLUMNS,
    `read_json($files, format = 'newline_delimited', filename = true, compression = '${gzip ? 'gzip' : 'uncompressed'}', maximum_object_size = ${maxObject}, columns = {${columns}})`,
  );
}

/**
 * Whether a JSON line (a file's first) is a row of Athena's CloudTrail table: CloudTrail's keys
 * in lower case (`eventname`, `eventsource`), none in CloudTrail's own case.
 */
export function isAthenaRow(line: string): boolean {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return false;
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
  const keys = Object.keys(row);
  return (keys.includes('eventname') || keys.includes('eventsource')) && !keys.some((k) => k === 'eventName' || k === 'eventSource' || k === 'Records');
}

function topValue(key: string, ref: string, type: string): string {
  if (JSON_NAMES.has(key) && type === 'VARCHAR') {
    // Nested objects stored as text: embed them as JSON when they parse, as a string otherwise.
    return `CASE WHEN json_valid(${ref}) THEN json(${ref}) ELSE to_json(${ref}) END`;
  }
  if (type.startsWith('TIMESTAMP WITH TIME ZONE')) return `strftime(timezone('UTC', ${ref}), '%Y-%m-%dT%H:%M:%SZ')`;
  if (type.startsWith('TIMESTAMP')) return `strftime(${ref}, '%Y-%m-%dT%H:%M:%SZ')`;
  return ref;
}

/** A JSON object of these members, the NULL ones left out (a JSON null inside a value is kept). */
function objectOf(members: [key: string, sql: string][]): string {
  const entries = members.map(([k, v]) => `struct_pack(k := ${sqlString(k)}, v := to_json(${v}))`);
  return `CAST(map_from_entries(list_filter([${entries.join(', ')}], __p -> __p.v IS NOT NULL)) AS JSON)`;
}

/**
 * A known struct column (userIdentity, tlsDetails, addendum, resources) rebuilt with CloudTrail's
 * member names, or undefined when its members already have them (the value is read as it is).
 */
function membersOf(key: string, ref: string, type: DuckType): string | undefined {
  if (key === 'resources' && type.kind === 'list' && type.element.kind === 'struct') {
    const element = structOf('__e', type.element, RESOURCE);
    return element === undefined ? undefined : `list_transform(${ref}, __e -> ${element})`;
  }
  const schema = STRUCTS[key];
  return schema && type.kind === 'struct' ? structOf(ref, type, schema) : undefined;
}

function structOf(ref: string, type: Extract<DuckType, { kind: 'struct' }>, schema: readonly Member[]): string | undefined {
  let renamed = false;
  const members = type.fields.map((f): [string, string] => {
    const m = member(schema, f.name);
    const value = `struct_extract(${ref}, ${sqlString(f.name)})`;
    const inner = m?.members && f.type.kind === 'struct' ? structOf(value, f.type, m.members) : undefined;
    if ((m && m.key !== f.name) || inner !== undefined) renamed = true;
    return [m?.key ?? f.name, inner ?? value];
  });
  if (!renamed) return undefined;
  return `CASE WHEN ${ref} IS NULL THEN NULL ELSE ${objectOf(members)} END`;
}

// ---- DuckDB's type names, as DESCRIBE writes them ---------------------------------------

export type DuckType =
  | { kind: 'struct'; fields: { name: string; type: DuckType }[] }
  | { kind: 'list'; element: DuckType }
  | { kind: 'other'; text: string };

/** Reads `STRUCT("type" VARCHAR, arn VARCHAR)[]` and the like; what it does not know stays text. */
export function parseType(text: string): DuckType {
  let i = 0;
  const type = (): DuckType => {
    let t: DuckType;
    if (text.startsWith('STRUCT(', i)) {
      i += 'STRUCT('.length;
      const fields: { name: string; type: DuckType }[] = [];
      while (i < text.length && text[i] !== ')') {
        const name = fieldName();
        if (text[i] === ' ') i++;
        fields.push({ name, type: type() });
        if (text.startsWith(', ', i)) i += 2;
        else if (text[i] === ',') i++;
      }
      i++;
      t = { kind: 'struct', fields };
    } else {
      const start = i;
      let depth = 0;
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '(') depth++;
        else if (ch === ')') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && (ch === ',' || ch === '[')) break;
        i++;
      }
      t = { kind: 'other', text: text.slice(start, i) };
    }
    while (text[i] === '[') {
      const close = text.indexOf(']', i);
      const fixed = text.slice(i + 1, close);
      i = close + 1;
      t = fixed === '' ? { kind: 'list', element: t } : { kind: 'other', text: `${typeText(t)}[${fixed}]` };
    }
    return t;
  };
  const fieldName = (): string => {
    if (text[i] !== '"') {
      const end = text.indexOf(' ', i);
      const name = text.slice(i, end);
      i = end;
      return name;
    }
    let name = '';
    i++;
    while (i < text.length) {
      if (text[i] === '"' && text[i + 1] === '"') {
        name += '"';
        i += 2;
      } else if (text[i] === '"') {
        i++;
        break;
      } else name += text[i++];
    }
    return name;
  };
  return type();
}

function typeText(t: DuckType): string {
  if (t.kind === 'other') return t.text;
  if (t.kind === 'list') return `${typeText(t.element)}[]`;
  return `STRUCT(${t.fields.map((f) => `${quoteIdent(f.name)} ${typeText(f.type)}`).join(', ')})`;
}
