// The paths kept as hidden columns (cloudtrail-schema.ts PROMOTED_PATHS, into userIdentity, and
// EXTRACTED_PATHS, into requestParameters and responseElements) must read exactly what the path
// into the JSON reads, however the events arrived.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { EXTRACTED_PATHS, PROMOTED_PATHS, promotedColumn } from '../src/compiler/cloudtrail-schema.js';
import { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sqlOf } from './helpers.js';

const DATA = ['fixtures/sample', 'fixtures/public', 'fixtures/formats', 'fixtures/language'];

describe('promoted paths', () => {
  let engine: Engine;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'spelunk-promoted-'));
    engine = await Engine.open();
    await engine.load(DATA);
  });
  afterAll(() => {
    engine.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Every promoted column of `loaded`'s events holds what the path into the JSON gives. */
  async function expectPathsRead(loaded: Engine): Promise<void> {
    for (const p of [...PROMOTED_PATHS, ...EXTRACTED_PATHS]) {
      const [column, ...keys] = p.split('.');
      const json = `json_extract_string("${column}", '$.${keys.join('.')}')`;
      const r = (
        await loaded.connection.runAndReadAll(
          `SELECT count(*) FILTER (WHERE "${promotedColumn(p)}" IS DISTINCT FROM ${json})::INTEGER AS differ,
                  count("${promotedColumn(p)}")::INTEGER AS filled FROM events`,
        )
      ).getRowObjectsJS()[0]!;
      expect(r['differ'], p).toBe(0);
      if (!p.includes('invokedBy') && !p.includes('mfa')) expect(r['filled'], p).toBeGreaterThan(0);
    }
  }

  it('hold what json_extract_string gives for every event of every fixture', async () => {
    await expectPathsRead(engine);
  });

  it('hold the same when the events are loaded into the cache (read as each chunk is unwrapped)', async () => {
    const cached = await Engine.open({ cacheDir: path.join(work, 'cache-paths') });
    try {
      await cached.load(DATA);
      await expectPathsRead(cached);
    } finally {
      cached.close();
    }
  });

  it('compile to the hidden column while userIdentity is the event\'s own', () => {
    expect(sqlOf('search * | stats count by userIdentity.arn')).toContain('"__p_userIdentity.arn" AS "__by0"');
    // Changed by the pipeline: the path reads the new value.
    expect(sqlOf('search * | eval userIdentity="{}" | table userIdentity.arn')).toContain(`json_extract_string("userIdentity", '$.arn')`);
  });

  it('serve the add-on fields and the hunts\' paths into requestParameters and responseElements, with no text pre-test', () => {
    const sql = sqlOf('search * | table errorCode user_arn');
    expect(sql).toContain('"__p_responseElements.ConsoleLogin"');
    expect(sql).toContain('"__p_requestParameters.roleArn"');
    expect(sql).not.toMatch(/"(requestParameters|responseElements)"/);
    const key = sqlOf('responseElements.credentials.accessKeyId=ASIAEXAMPLE | table eventName');
    expect(key).toContain(`coalesce("__p_responseElements.credentials.accessKeyId" ILIKE 'ASIAEXAMPLE', false)`);
    expect(key).not.toContain('responseElements"');
    // Other paths into the objects still read them.
    expect(sqlOf('search * | table requestParameters.bucketName')).toContain(`json_extract_string("requestParameters", '$.bucketName')`);
  });

  it('give the rows the paths into the JSON gave (figures from before they were kept)', async () => {
    expect((await engine.run('eventName=ConsoleLogin | stats count by errorCode', { now: SAMPLE_NOW })).rows).toEqual([
      { errorCode: 'failure', count: 16 },
      { errorCode: 'success', count: 40 },
    ]);
    expect((await engine.run('responseElements.credentials.accessKeyId=* | stats count by eventName', { now: SAMPLE_NOW })).rows).toEqual([
      { eventName: 'AssumeRole', count: 115 },
      { eventName: 'GetFederationToken', count: 2 },
      { eventName: 'GetSessionToken', count: 7 },
      { eventName: 'GetSigninToken', count: 1 },
    ]);
    expect((await engine.run('eventName=AssumeRole | stats count by requestParameters.roleSessionName | sort - count | head 4', { now: SAMPLE_NOW })).rows).toEqual([
      { 'requestParameters.roleSessionName': 'org-inventory-scanner', count: 40 },
      { 'requestParameters.roleSessionName': 'i-0c7d5e2a91f4b3a68', count: 32 },
      { 'requestParameters.roleSessionName': 'dev.sam', count: 6 },
      { 'requestParameters.roleSessionName': 'AutoScalingDescribeHandlerSession', count: 4 },
    ]);
  });

  it('are rebuilt for an export written before they existed', async () => {
    const full = path.join(work, 'full.parquet');
    const old = path.join(work, 'old.parquet');
    const exporter = await Engine.open();
    await exporter.load(DATA);
    await exporter.exportEvents(full);
    exporter.close();
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const hidden = [...PROMOTED_PATHS, ...EXTRACTED_PATHS].map((p) => `"${promotedColumn(p)}"`).join(', ');
    await conn.run(`COPY (SELECT * EXCLUDE (${hidden}) FROM read_parquet('${full}')) TO '${old}' (FORMAT parquet)`);
    db.closeSync();
    const spl = 'search * | stats count by user_type user errorCode user_arn requestParameters.roleSessionName | sort - count user errorCode user_arn | head 40';
    const expected = (await engine.run(spl, { now: SAMPLE_NOW })).rows;
    for (const opts of [{}, { cacheDir: path.join(work, 'cache') }]) {
      const reread = await Engine.open(opts);
      try {
        await reread.load([old]);
        expect((await reread.run(spl, { now: SAMPLE_NOW })).rows).toEqual(expected);
      } finally {
        reread.close();
      }
    }
  });
});
