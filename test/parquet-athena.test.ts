// Parquet written by Athena from AWS's CloudTrail table (CTAS, UNLOAD: docs/athena.md's DDL) names
// every column and struct member in lower case. Loaded as it was, no event had eventName and the
// file was skipped as not CloudTrail: every search over an Athena export found nothing. The
// sample's events written in that shape must answer every saved search as the JSON does.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_TEXT, RESOURCE, SCALARS, STRUCTS, type Member } from '../src/compiler/athena-schema.js';
import { Engine } from '../src/engine/engine.js';
import { parseType } from '../src/engine/parquet-source.js';
import { listQueries } from '../src/engine/queries.js';
import type { Row } from '../src/engine/types.js';
import { SAMPLE_DIR, SAMPLE_NOW, SAMPLE_PARAMS } from './helpers.js';

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const at = (json: string, key: string): string => `json_extract(${json}, ${lit(`$."${key}"`)})`;

/** A CloudTrail object as the Athena table's struct: CloudTrail's members, lower-cased. */
function struct(json: string, members: readonly Member[]): string {
  const parts = members.map((m) => {
    const value = at(json, m.key);
    const sql = m.map
      ? `CAST(${value} AS MAP(VARCHAR, VARCHAR))`
      : m.members
        ? struct(value, m.members)
        : `json_extract_string(${json}, ${lit(`$."${m.key}"`)})`;
    return `"${m.key.toLowerCase()}" := ${sql}`;
  });
  return `CASE WHEN ${json} IS NULL OR json_type(${json}) = 'NULL' THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
}

/** The sample's events as rows of the table, with the `timestamp` partition a CTAS writes too. */
function athenaSelect(files: string): string {
  const columns = [
    ...SCALARS.map((k) => `json_extract_string(j, ${lit(`$."${k}"`)}) AS "${k.toLowerCase()}"`),
    ...Object.entries(STRUCTS).map(([k, members]) => `${struct(at('j', k), members)} AS "${k.toLowerCase()}"`),
    `list_transform(CAST(${at('j', 'resources')} AS JSON[]), __r -> ${struct('__r', RESOURCE)}) AS resources`,
    // The JSON SerDe reads a JSON null as NULL.
    ...[...JSON_TEXT].map((k) => `CASE WHEN json_type(${at('j', k)}) = 'NULL' THEN NULL ELSE ${at('j', k)}::VARCHAR END AS "${k.toLowerCase()}"`),
    `strftime(CAST(json_extract_string(j, '$.eventTime') AS TIMESTAMP), '%Y/%m/%d') AS "timestamp"`,
  ];
  return `SELECT ${columns.join(',\n')} FROM (
    SELECT unnest(CAST(json_extract(json, '$.Records') AS JSON[])) AS j
    FROM read_json_objects(${lit(files)}, format = 'unstructured'))`;
}

const dirs: string[] = [];
let json: Engine;
let athena: Engine;
let athenaCached: Engine;
let parquet: string;
let unload: string;
let athenaJson: Engine;
let athenaJsonCached: Engine;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-athena-'));
  dirs.push(dir);
  parquet = path.join(dir, 'cloudtrail_ctas.parquet');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`COPY (${athenaSelect(`${SAMPLE_DIR}/**/*.json.gz`)}) TO ${lit(parquet)} (FORMAT parquet)`);
  // UNLOAD ... WITH (format = 'JSON') writes JSON lines, gzipped, named by the query and a UUID
  // (https://docs.aws.amazon.com/athena/latest/ug/unload.html): the same rows, lower-case keys,
  // structs as objects, the JSON-text columns as strings, NULL as null.
  unload = path.join(dir, 'unload');
  mkdirSync(unload);
  await conn.run(`COPY (${athenaSelect(`${SAMPLE_DIR}/**/*.json.gz`)}) TO ${lit(path.join(unload, '20261128_101500_00012_x7k2m_5b0f3c1e-8a4d-4f7e-9c2b-1d6e7f8a9b0c.gz'))} (FORMAT json, COMPRESSION gzip)`);
  conn.closeSync();
  json = await Engine.open({ stateDir: path.join(dir, 'json') });
  await json.load([SAMPLE_DIR]);
  athena = await Engine.open({ stateDir: path.join(dir, 'athena') });
  athenaCached = await Engine.open({ stateDir: path.join(dir, 'cached'), cacheDir: path.join(dir, 'cache') });
  // The JSON engine's state: a baseline's outputlookup has run there already (a second run reads its lookup).
  athenaJson = await Engine.open({ stateDir: path.join(dir, 'json') });
  athenaJsonCached = await Engine.open({ stateDir: path.join(dir, 'json'), cacheDir: path.join(dir, 'json-cache') });
}, 120_000);

afterAll(() => {
  json?.close();
  athena?.close();
  athenaCached?.close();
  athenaJson?.close();
  athenaJsonCached?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const run = async (engine: Engine, spl: string, params: Record<string, string> = {}): Promise<Row[]> =>
  (await engine.run(spl, { now: SAMPLE_NOW, params })).rows;

describe('Parquet in the Athena CloudTrail table shape', () => {
  it('loads every event, no cache and through the cache, with nothing skipped', async () => {
    const direct = await athena.load([parquet]);
    expect(direct).toMatchObject({ filesRead: 1, filesSkipped: 0, eventsLoaded: 515, eventsSkipped: 0, warnings: [] });
    const cached = await athenaCached.load([parquet]);
    expect(cached).toMatchObject({ filesSkipped: 0, eventsLoaded: 515, warnings: [] });
  });

  it('gives CloudTrail its names back: one AssumeRole event field by field', async () => {
    const spl = `eventName=AssumeRole eventID=* | head 1 | table eventID eventName eventTime eventSource awsRegion sourceIPAddress
      userIdentity.type userIdentity.arn userIdentity.sessionContext.sessionIssuer.arn userIdentity.sessionContext.attributes.mfaAuthenticated
      resources{}.ARN resources{}.accountId requestParameters.roleArn recipientAccountId readOnly user user_type src timestamp`;
    const want = await run(json, spl);
    expect(want).toHaveLength(1);
    const got = await run(athena, spl);
    expect(got).toEqual([{ ...want[0], timestamp: expect.stringMatching(/^2026\/11\/\d\d$/) }]);
    expect(got[0]!['eventName']).toBe('AssumeRole');
  });

  it('leaves out the keys the table held as NULL, as CloudTrail writes no such key', async () => {
    const [event] = await run(athena, 'eventName=ConsoleLogin | head 1 | table _raw');
    const raw = JSON.parse(String(event!['_raw'])) as Record<string, unknown>;
    expect(raw).toHaveProperty('eventName', 'ConsoleLogin');
    expect(Object.values(raw)).not.toContain(null);
    expect(raw).not.toHaveProperty('vpcEndpointId');
    expect(raw).not.toHaveProperty('eventname');
    expect(JSON.stringify(raw['userIdentity'])).not.toContain('null');
  });

  it('answers every saved search exactly as the JSON does, loaded directly and through the cache', async () => {
    for (const q of listQueries()) {
      const params = Object.fromEntries(q.parameters.map((p) => [p.name, SAMPLE_PARAMS[p.name] ?? '']));
      const want = await run(json, q.spl, params);
      const got = await run(athena, q.spl, params);
      expect(got, q.id).toEqual(want);
      for (const engine of [athenaCached]) expect(await run(engine, q.spl, params), `${q.id} cached`).toEqual(want);
    }
  });
});

// The same table's rows written by UNLOAD in JSON were skipped as not CloudTrail (lower-case keys):
// they are read with the table's columns, as its Parquet is, and answer as the JSON does.
describe('JSON lines in the Athena CloudTrail table shape (UNLOAD, format JSON)', () => {
  it('is what UNLOAD writes: gzipped JSON lines, lower-case keys, JSON text as strings', () => {
    const [file] = readdirSync(unload);
    const first = JSON.parse(gunzipSync(readFileSync(path.join(unload, file!))).toString().split('\n')[0]!) as Record<string, unknown>;
    expect(first).toHaveProperty('eventname');
    expect(first).toHaveProperty('useridentity.sessioncontext');
    expect(first).not.toHaveProperty('eventName');
    expect(typeof first['requestparameters'] === 'string' || first['requestparameters'] === null).toBe(true);
  });

  it('loads every event, no cache and through the cache, with nothing skipped', async () => {
    expect(await athenaJson.load([unload])).toMatchObject({ filesRead: 1, filesSkipped: 0, eventsLoaded: 515, eventsSkipped: 0, warnings: [] });
    expect(await athenaJsonCached.load([unload])).toMatchObject({ filesSkipped: 0, eventsLoaded: 515, warnings: [] });
  });

  it('gives the same event, field by field, and the same _time, as the Parquet', async () => {
    const spl = `eventName=AssumeRole eventID=* | head 3 | eval t=_time | table t eventID eventName eventTime eventSource userIdentity.arn
      userIdentity.sessionContext.sessionIssuer.arn resources{}.ARN requestParameters.roleArn readOnly user src timestamp`;
    const want = await run(athena, spl);
    expect(want).toHaveLength(3);
    expect(await run(athenaJson, spl)).toEqual(want);
    expect(await run(athenaJsonCached, spl)).toEqual(want);
  });

  it('answers every saved search exactly as the JSON does, loaded directly and through the cache', async () => {
    for (const q of listQueries()) {
      const params = Object.fromEntries(q.parameters.map((p) => [p.name, SAMPLE_PARAMS[p.name] ?? '']));
      const want = await run(json, q.spl, params);
      expect(await run(athenaJson, q.spl, params), q.id).toEqual(want);
      expect(await run(athenaJsonCached, q.spl, params), `${q.id} cached`).toEqual(want);
    }
  });
});

describe('DuckDB type names', () => {
  it('reads structs with quoted members, lists, fixed arrays and types with arguments', () => {
    expect(parseType('STRUCT("type" VARCHAR, principalid VARCHAR, "we""ird name" DECIMAL(18,3), m MAP(VARCHAR, VARCHAR))[]')).toEqual({
      kind: 'list',
      element: {
        kind: 'struct',
        fields: [
          { name: 'type', type: { kind: 'other', text: 'VARCHAR' } },
          { name: 'principalid', type: { kind: 'other', text: 'VARCHAR' } },
          { name: 'we"ird name', type: { kind: 'other', text: 'DECIMAL(18,3)' } },
          { name: 'm', type: { kind: 'other', text: 'MAP(VARCHAR, VARCHAR)' } },
        ],
      },
    });
    expect(parseType('TIMESTAMP WITH TIME ZONE')).toEqual({ kind: 'other', text: 'TIMESTAMP WITH TIME ZONE' });
    expect(parseType('INTEGER[3]')).toEqual({ kind: 'other', text: 'INTEGER[3]' });
    expect(parseType('STRUCT(a STRUCT(b INTEGER[]))')).toEqual({
      kind: 'struct',
      fields: [{ name: 'a', type: { kind: 'struct', fields: [{ name: 'b', type: { kind: 'list', element: { kind: 'other', text: 'INTEGER' } } }] } }],
    });
  });
});
