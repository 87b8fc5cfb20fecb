import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS } from '../src/compiler/cloudtrail-schema.js';
import { loadCloudTrail, type LoadOptions } from '../src/engine/loader.js';
import type { LoadProgress, LoadReport } from '../src/engine/types.js';
import { wholeBeforeCut } from './helpers.js';

const FIX = fileURLToPath(new URL('../fixtures/formats/', import.meta.url));
const S3 = path.join(FIX, 's3/AWSLogs/111111111111/CloudTrail');
const S3_GZ = path.join(
  S3,
  'eu-central-1/2017/12/11/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz',
);
const S3_JSON = path.join(S3, 'us-east-1/2017/12/11/111111111111_CloudTrail_us-east-1_20171211T1505Z_smoketest.json');
const ARRAY = path.join(FIX, 'array.json');

const tmpRoot = mkdtempSync(path.join(tmpdir(), 'spelunk-loader-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let tmpCount = 0;
function tmpDir(): string {
  const dir = path.join(tmpRoot, String(tmpCount++));
  mkdirSync(dir);
  return dir;
}

let conn: DuckDBConnection;
beforeEach(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});

async function load(paths: string[], opts?: LoadOptions): Promise<LoadReport> {
  return loadCloudTrail(conn, paths, opts);
}

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const result = await conn.runAndReadAll(sql);
  return result.getRowObjectsJS().map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
  );
}

function expectCountsAddUp(report: LoadReport, files: number): void {
  expect(report.filesRead + report.filesSkipped).toBe(files);
}

/** A stratus-red-team event, to build large or broken files from. */
function sampleEvents(): Record<string, unknown>[] {
  return JSON.parse(readFileSync(ARRAY, 'utf8')) as Record<string, unknown>[];
}

describe('table', () => {
  it('creates events with exactly the schema columns and types', async () => {
    await load([S3_GZ]);
    const described = await rows('DESCRIBE events');
    expect(described.map((r) => `${r['column_name']} ${r['column_type']}`)).toEqual(
      EVENT_COLUMNS.map((c) => `${c.name} ${c.type}`),
    );
  });
});

describe('formats', () => {
  it('reads an S3 {"Records":[...]} .json.gz', async () => {
    const report = await load([S3_GZ]);
    expect(report).toMatchObject({ filesRead: 1, filesSkipped: 0, eventsLoaded: 2, eventsSkipped: 0, warnings: [] });
    expect(report.bytesRead).toBe(914);
    const got = await rows(
      `SELECT __seq, _time, eventName, source, sourcetype, "index", userIdentity->>'type' AS who,
              requestParameters->>'roleSessionName' AS session, _raw FROM events ORDER BY __seq`,
    );
    expect(got.map((r) => [r['__seq'], r['_time'], r['eventName']])).toEqual([
      [1, 1513004691, 'AssumeRole'],
      [2, 1513004511, 'DescribeLaunchConfigurations'],
    ]);
    expect(got[0]).toMatchObject({ source: S3_GZ, sourcetype: 'aws:cloudtrail', index: 'main', who: 'AWSService' });
    expect(got[0]!['session']).toBe('AutoScalingDescribeHandlerSession');
    const raw = JSON.parse(String(got[0]!['_raw'])) as Record<string, unknown>;
    expect(raw['eventName']).toBe('AssumeRole');
    expect(String(got[0]!['_raw'])).not.toContain('\n');
  });

  it('reads a pretty-printed S3 {"Records":[...]} .json, booleans as text', async () => {
    const report = await load([S3_JSON]);
    expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 3 });
    const got = await rows(`SELECT eventName, readOnly, eventTime FROM events ORDER BY __seq`);
    expect(got).toEqual([
      { eventName: 'AssumeRole', readOnly: null, eventTime: '2017-12-11T15:04:51Z' },
      { eventName: 'DescribeLaunchConfigurations', readOnly: null, eventTime: '2017-12-11T15:01:51Z' },
      { eventName: 'GetResource', readOnly: 'true', eventTime: '2015-06-17T00:47:28Z' },
    ]);
  });

  it('reads JSON lines with varied, missing and malformed eventTime', async () => {
    const file = path.join(FIX, 'lines.jsonl');
    const report = await load([file]);
    expect(report).toMatchObject({ filesRead: 1, filesSkipped: 0, eventsLoaded: 7, eventsSkipped: 0 });
    expect(report.warnings).toEqual([
      {
        file,
        kind: 'note',
        reason:
          '1 event(s) without eventTime and 2 event(s) with an unreadable eventTime (e.g. "..."): their _time is empty',
      },
    ]);
    const got = await rows(`SELECT eventName, eventTime, _time, readOnly FROM events ORDER BY __seq`);
    expect(got).toEqual([
      { eventName: 'GetAccountSendingEnabled', eventTime: '2025-01-20 16:52:14.000000000', _time: 1737391934, readOnly: 'true' },
      { eventName: 'CreateAccountResult', eventTime: '2021-05-20 15:53:47Z', _time: 1621526027, readOnly: 'false' },
      { eventName: 'ConsoleLogin', eventTime: '2020-10-31T10:32:00Z', _time: 1604140320, readOnly: null },
      { eventName: 'ConsoleLogin', eventTime: '2020-10-30T23:25:32Z', _time: 1604100332, readOnly: null },
      // Events without a time sort last, in file order.
      { eventName: 'CreateUser', eventTime: null, _time: null, readOnly: null },
      { eventName: 'ExternalIdPDirectoryLogin', eventTime: 'redacted', _time: null, readOnly: 'false' },
      { eventName: 'ListApplications', eventTime: '...', _time: null, readOnly: null },
    ]);
  });

  it('reads gzipped JSON lines and keeps nested objects whole', async () => {
    const file = path.join(FIX, 'lines.jsonl.gz');
    const report = await load([file]);
    expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 3 });
    expect(report.warnings).toEqual([
      { file, kind: 'note', reason: '3 event(s) without eventTime: their _time is empty' },
    ]);
    const got = await rows(
      `SELECT eventName, requestParameters->'DescribeInstanceTypesRequest'->>'MaxResults' AS max,
              userIdentity->>'userName' AS user FROM events ORDER BY __seq`,
    );
    expect(got).toEqual([
      { eventName: 'DescribeInstanceTypes', max: '100', user: 'pedro' },
      { eventName: 'DescribeInstances', max: null, user: 'pedro' },
      { eventName: 'DescribeAddresses', max: null, user: 'pedro' },
    ]);
  });

  it('reads a pretty-printed bare JSON array; equal times keep file order', async () => {
    const report = await load([ARRAY]);
    expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 3, warnings: [] });
    const got = await rows(
      `SELECT __seq, eventName, _time, userIdentity->>'arn' AS arn, responseElements IS NULL AS noResponse
       FROM events ORDER BY __seq`,
    );
    expect(got).toEqual([
      { __seq: 1, eventName: 'AttachUserPolicy', _time: 1722519208, arn: 'arn:aws:iam::229654561268:user/christophe', noResponse: true },
      { __seq: 2, eventName: 'CreateAccessKey', _time: 1722519208, arn: 'arn:aws:iam::229654561268:user/christophe', noResponse: false },
      { __seq: 3, eventName: 'CreateUser', _time: 1722519208, arn: 'arn:aws:iam::229654561268:user/christophe', noResponse: false },
    ]);
    const raw = (await rows(`SELECT _raw FROM events WHERE __seq = 1`))[0]!['_raw'];
    expect(String(raw)).not.toContain('\n');
    expect(JSON.parse(String(raw))).toEqual(sampleEvents()[0]);
  });

  it('reads Parquet whose nested columns are STRUCT, MAP, JSON or text', async () => {
    await load([ARRAY]);
    const dir = tmpDir();
    const parquet = path.join(dir, 'export.parquet');
    await conn.run(`COPY (
        SELECT eventVersion, strptime(eventTime, '%Y-%m-%dT%H:%M:%SZ') AS eventTime, eventSource, eventName,
               awsRegion, sourceIPAddress, eventID, readOnly::BOOLEAN AS readOnly,
               json_transform(userIdentity, '{"type":"VARCHAR","arn":"VARCHAR","accountId":"VARCHAR"}') AS userIdentity,
               requestParameters,
               responseElements::VARCHAR AS responseElements,
               MAP {'tlsVersion': tlsDetails->>'tlsVersion'} AS tlsDetails
        FROM events ORDER BY __seq) TO '${parquet.replace(/'/g, "''")}' (FORMAT parquet)`);
    const original = await rows(
      `SELECT eventName, _time, userIdentity->>'arn' AS arn, requestParameters->>'userName' AS userName,
              responseElements->'user'->>'userName' AS created, tlsDetails->>'tlsVersion' AS tls, readOnly
       FROM events ORDER BY __seq`,
    );

    conn = await (await DuckDBInstance.create(':memory:')).connect();
    const report = await load([parquet]);
    expect(report).toMatchObject({ filesRead: 1, filesSkipped: 0, eventsLoaded: 3, warnings: [] });
    const reloaded = await rows(
      `SELECT eventName, _time, userIdentity->>'arn' AS arn, requestParameters->>'userName' AS userName,
              responseElements->'user'->>'userName' AS created, tlsDetails->>'tlsVersion' AS tls, readOnly
       FROM events ORDER BY __seq`,
    );
    expect(reloaded).toEqual(original);
    expect(original[2]).toMatchObject({ eventName: 'CreateUser', created: 'malicious-iam-user', readOnly: 'false' });
    const source = await rows(`SELECT DISTINCT source, sourcetype, json_type(userIdentity) AS t FROM events`);
    expect(source).toEqual([{ source: parquet, sourcetype: 'aws:cloudtrail', t: 'OBJECT' }]);
  });
});

describe('paths', () => {
  // Digest files are passed over by their path, in one note for the folder: a synced bucket holds
  // one an hour for each region and trail, and a warning each buried those about evidence.
  it('walks an S3 folder tree and passes over the digest files in it', async () => {
    const progress: LoadProgress[] = [];
    const report = await load([path.join(FIX, 's3')], { onProgress: (p) => progress.push(p) });
    expect(report).toMatchObject({ filesRead: 2, filesSkipped: 0, eventsLoaded: 5, eventsSkipped: 0 });
    expect(report.warnings).toEqual([{ file: path.join(FIX, 's3'), kind: 'note', reason: 'passed over 1 CloudTrail digest file(s) (integrity hashes, not events)' }]);
    expect((await rows(`SELECT count(DISTINCT source) AS n FROM events`))[0]).toEqual({ n: 2 });
    expect(progress.at(-1)).toMatchObject({ filesDone: 2, filesTotal: 2, events: 5 });
    expect(progress.at(-1)!.bytesDone).toBe(progress.at(-1)!.bytesTotal);
  });

  it('ignores non-log files in a folder and notes empty arrays', async () => {
    const dir = path.join(FIX, 'traildiscover');
    const report = await load([dir]);
    expect(report).toMatchObject({ filesRead: 2, filesSkipped: 0, eventsLoaded: 1 });
    expect(report.warnings).toEqual([
      { file: path.join(dir, 'IAM/CreateOpenIDConnectProvider.json.cloudtrail'), kind: 'note', reason: 'contains no events' },
    ]);
    expect(await rows(`SELECT eventName, errorCode FROM events`)).toEqual([
      { eventName: 'GetUser', errorCode: 'AccessDenied' },
    ]);
  });

  it('expands *, ** and ? globs, and warns about a pattern or path that matches nothing', async () => {
    const report = await load([
      path.join(FIX, 's3/AWSLogs/*/CloudTrail/**/*.json.gz'),
      path.join(FIX, 'lines.json?'),
      path.join(FIX, 'nothing-*.json'),
      path.join(FIX, 'missing.json'),
    ]);
    expect(report).toMatchObject({ filesRead: 2, filesSkipped: 0, eventsLoaded: 9 });
    expect(await rows(`SELECT source, count(*) AS n FROM events GROUP BY source ORDER BY source`)).toEqual([
      { source: path.join(FIX, 'lines.jsonl'), n: 7 },
      { source: S3_GZ, n: 2 },
    ]);
    expect(report.warnings.filter((w) => w.kind === 'skipped')).toEqual([
      { file: path.join(FIX, 'nothing-*.json'), kind: 'skipped', reason: 'no files match this pattern' },
      { file: path.join(FIX, 'missing.json'), kind: 'skipped', reason: 'no such file or folder' },
    ]);
  });

  it("loads a path containing a single quote", async () => {
    const dir = path.join(tmpDir(), "it's");
    mkdirSync(dir);
    const file = path.join(dir, "o'brien.json.gz");
    copyFileSync(S3_GZ, file);
    const report = await load([file]);
    expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 2 });
    expect(await rows(`SELECT DISTINCT source FROM events`)).toEqual([{ source: file }]);
  });
});

describe('large files', () => {
  it('loads a {"Records":[...]} file over 16 MiB', async () => {
    const event = sampleEvents()[0]!;
    const count = Math.ceil((17 * 1024 * 1024) / JSON.stringify(event).length);
    const records = Array.from({ length: count }, (_, i) => ({ ...event, eventID: `big-${i}` }));
    const file = path.join(tmpDir(), 'big.json');
    writeFileSync(file, JSON.stringify({ Records: records }));
    const gz = path.join(path.dirname(file), 'big.json.gz');
    writeFileSync(gz, gzipSync(readFileSync(file)));
    const report = await load([file, gz]);
    expect(report).toMatchObject({ filesRead: 2, filesSkipped: 0, eventsLoaded: 2 * count, warnings: [] });
    expect(report.bytesRead).toBeGreaterThan(16 * 1024 * 1024);
    const last = await rows(`SELECT eventID FROM events WHERE source = '${gz}' ORDER BY __seq DESC LIMIT 1`);
    expect(last).toEqual([{ eventID: `big-${count - 1}` }]);
  });
});

describe('broken and foreign files', () => {
  it('loads the good files and names each bad one with its reason', async () => {
    const dir = tmpDir();
    const put = (name: string, data: string | Buffer): string => {
      const file = path.join(dir, name);
      writeFileSync(file, data);
      return file;
    };
    const good = put('good.json.gz', readFileSync(S3_GZ));
    const goodLines = put('good.jsonl', readFileSync(path.join(FIX, 'lines.jsonl')));
    // Big enough that sniffing the head passes and only the full read finds the cut.
    const many = Array.from({ length: 8000 }, (_, i) => ({ ...sampleEvents()[i % 3], eventID: randomUUID() }));
    const bigGz = gzipSync(JSON.stringify({ Records: many }));
    expect(bigGz.length).toBeGreaterThan(128 * 1024);
    const truncatedBig = put('truncated-big.json.gz', bigGz.subarray(0, bigGz.length - 5000));
    // Its whole events before the cut load (the file was skipped whole); the small one holds none.
    const beforeCut = wholeBeforeCut(bigGz.subarray(0, bigGz.length - 5000), many);
    expect(beforeCut).toBeGreaterThan(7000);
    put('truncated-small.json.gz', readFileSync(S3_GZ).subarray(0, 500));
    put('bad.json', '{"Records": [\n  {"eventName": "A", "eventSource": "s"},\n  {"eventName": oops}\n]}\n');
    const badLines = put('bad.jsonl', '{"eventName":"A","eventSource":"s"}\n{"eventName": nope}\n{"eventName":"B"}\n');
    put('empty.json', '');
    put('junk.json', Buffer.from([0x00, 0x01, 0xfe, 0x42, 0x00, 0x99, 0x10]));
    put('notes.json', 'hello, this is not json\n');

    const report = await load([dir]);
    const reasons = Object.fromEntries(report.warnings.map((w) => [path.basename(w.file), `${w.kind}: ${w.reason}`]));
    expect(reasons).toEqual({
      'good.jsonl': expect.stringMatching(/^note: 1 event\(s\) without eventTime/) as unknown as string,
      'truncated-big.json.gz': `partial: truncated gzip (the compressed data ends early): ${beforeCut} record(s) read from the part before the cut; an event the cut runs through is not read, nor anything after it`,
      'truncated-small.json.gz': 'skipped: truncated gzip (the compressed data ends early)',
      'bad.json': 'skipped: invalid JSON at line 3: unexpected character',
      // JSON lines keep their good lines (the bad one is reported first, then this note).
      'bad.jsonl': 'note: 2 event(s) without eventTime: their _time is empty',
      'empty.json': 'skipped: empty file',
      'junk.json': 'skipped: not JSON, gzip or Parquet (binary data)',
      'notes.json': 'skipped: not JSON (starts with "hello, this is not json")',
    });
    expect(report.warnings.find((w) => w.file === badLines && w.kind === 'partial')).toEqual({
      file: badLines, kind: 'partial', reason: 'skipped 1 line(s) of invalid JSON (the first at line 2: invalid literal)', eventsSkipped: 1,
    });
    expect(report).toMatchObject({ filesRead: 4, filesSkipped: 5, eventsLoaded: 11 + beforeCut, eventsSkipped: 1 });
    expectCountsAddUp(report, 9);
    expect(report.bytesRead).toBe(readFileSync(good).length + readFileSync(goodLines).length + readFileSync(badLines).length + readFileSync(truncatedBig).length);
    expect(await rows(`SELECT source, count(*) AS n FROM events GROUP BY source ORDER BY source`)).toEqual([
      { source: badLines, n: 2 },
      { source: good, n: 2 },
      { source: goodLines, n: 7 },
      { source: truncatedBig, n: beforeCut },
    ].sort((a, b) => (a.source < b.source ? -1 : 1)));
    expect(await rows(`SELECT min(__seq) AS lo, max(__seq) AS hi FROM events`)).toEqual([{ lo: 1, hi: 11 + beforeCut }]);
  });

  it('names a file that vanishes after it was found', async () => {
    const dir = tmpDir();
    const keep = path.join(dir, 'a.json.gz');
    const gone = path.join(dir, 'b.json.gz');
    copyFileSync(S3_GZ, keep);
    copyFileSync(S3_GZ, gone);
    let deleted = false;
    const report = await load([dir], {
      onProgress: () => {
        if (!deleted) unlinkSync(gone);
        deleted = true;
      },
    });
    expect(report).toMatchObject({ filesRead: 1, filesSkipped: 1, eventsLoaded: 2 });
    // Evidence named but not read: an error, which makes `run` exit 1.
    expect(report.warnings).toEqual([{ file: gone, kind: 'skipped', reason: 'file vanished during the load', error: true }]);
  });

  it.skipIf(process.getuid?.() === 0)('names an unreadable file', async () => {
    const dir = tmpDir();
    const locked = path.join(dir, 'locked.json.gz');
    copyFileSync(S3_GZ, locked);
    chmodSync(locked, 0);
    const report = await load([locked, S3_JSON]);
    expect(report).toMatchObject({ filesRead: 1, filesSkipped: 1, eventsLoaded: 3 });
    expect(report.warnings).toEqual([{ file: locked, kind: 'skipped', reason: 'permission denied', error: true }]);
  });

  it('skips digest files and non-CloudTrail JSON, and counts foreign records in a good file', async () => {
    const mixed = path.join(tmpDir(), 'mixed.jsonl');
    const lines = readFileSync(path.join(FIX, 'lines.jsonl'), 'utf8').split('\n').slice(0, 2);
    writeFileSync(mixed, [lines[0], '{"@timestamp":"2020-10-30T23:25:33Z","message":"heartbeat"}', lines[1]].join('\n'));
    const notCt = path.join(FIX, 'not-cloudtrail.json');
    const digest = path.join(FIX, 'digest.json');
    const report = await load([digest, notCt, mixed]);
    expect(report.warnings).toEqual([
      { file: digest, kind: 'skipped', reason: 'CloudTrail digest file (integrity hashes, not events)' },
      {
        file: notCt,
        kind: 'skipped',
        reason: 'not CloudTrail: none of its 1 record(s) has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)',
        eventsSkipped: 1,
      },
      { file: mixed, kind: 'partial', reason: 'skipped 1 record(s) that are not CloudTrail: none has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)', eventsSkipped: 1 },
    ]);
    expect(report).toMatchObject({ filesRead: 1, filesSkipped: 2, eventsLoaded: 2, eventsSkipped: 2 });
    expect(await rows(`SELECT __seq, eventName FROM events ORDER BY __seq`)).toEqual([
      { __seq: 1, eventName: 'ConsoleLogin' },
      { __seq: 2, eventName: 'ConsoleLogin' },
    ]);
  });
});

describe('repeated loads and options', () => {
  it('sets index from the option', async () => {
    await load([S3_GZ], { index: 'cloudtrail' });
    expect(await rows(`SELECT DISTINCT "index" FROM events`)).toEqual([{ index: 'cloudtrail' }]);
  });

  it('appends on a second load and renumbers __seq over everything', async () => {
    const first = await load([S3_GZ]);
    const second = await load([ARRAY, path.join(FIX, 'lines.jsonl.gz')], { index: 'later' });
    expect(first.eventsLoaded).toBe(2);
    expect(second).toMatchObject({ filesRead: 2, eventsLoaded: 6 });
    expect(await rows(`SELECT __seq, eventName, "index" FROM events ORDER BY __seq`)).toEqual([
      { __seq: 1, eventName: 'AttachUserPolicy', index: 'later' },
      { __seq: 2, eventName: 'CreateAccessKey', index: 'later' },
      { __seq: 3, eventName: 'CreateUser', index: 'later' },
      { __seq: 4, eventName: 'AssumeRole', index: 'main' },
      { __seq: 5, eventName: 'DescribeLaunchConfigurations', index: 'main' },
      { __seq: 6, eventName: 'DescribeInstanceTypes', index: 'later' },
      { __seq: 7, eventName: 'DescribeInstances', index: 'later' },
      { __seq: 8, eventName: 'DescribeAddresses', index: 'later' },
    ]);
  });

  it('gives the same order whatever order the files are given in', async () => {
    const files = [ARRAY, S3_GZ, S3_JSON, path.join(FIX, 'lines.jsonl')];
    await load(files);
    const forward = await rows(`SELECT __seq, source, eventID, eventName FROM events ORDER BY __seq`);
    conn = await (await DuckDBInstance.create(':memory:')).connect();
    await load([...files].reverse());
    const backward = await rows(`SELECT __seq, source, eventID, eventName FROM events ORDER BY __seq`);
    expect(backward).toEqual(forward);
    expect(forward).toHaveLength(15);
  });
});
