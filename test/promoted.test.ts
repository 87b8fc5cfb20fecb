// The userIdentity paths kept as hidden columns (cloudtrail-schema.ts PROMOTED_PATHS) must read
// exactly what the path into the JSON reads, however the events arrived.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { PROMOTED_PATHS, promotedColumn } from '../src/compiler/cloudtrail-schema.js';
import { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sqlOf } from './helpers.js';

const DATA = ['fixtures/sample', 'fixtures/public', 'fixtures/formats', 'fixtures/language'];

describe('promoted userIdentity paths', () => {
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

  it('hold what json_extract_string gives for every event of every fixture', async () => {
    for (const p of PROMOTED_PATHS) {
      const json = `json_extract_string("userIdentity", '$.${p.split('.').slice(1).join('.')}')`;
      const r = (
        await engine.connection.runAndReadAll(
          `SELECT count(*) FILTER (WHERE "${promotedColumn(p)}" IS DISTINCT FROM ${json})::INTEGER AS differ,
                  count("${promotedColumn(p)}")::INTEGER AS filled FROM events`,
        )
      ).getRowObjectsJS()[0]!;
      expect(r['differ'], p).toBe(0);
      if (!p.includes('invokedBy') && !p.includes('mfa')) expect(r['filled'], p).toBeGreaterThan(0);
    }
  });

  it('compile to the hidden column while userIdentity is the event\'s own', () => {
    expect(sqlOf('search * | stats count by userIdentity.arn')).toContain('"__p_userIdentity.arn" AS "__by0"');
    // Changed by the pipeline: the path reads the new value.
    expect(sqlOf('search * | eval userIdentity="{}" | table userIdentity.arn')).toContain(`json_extract_string("userIdentity", '$.arn')`);
  });

  it('follow a userIdentity the pipeline replaced', async () => {
    const replaced = await engine.run(`eventName=ConsoleLogin | head 1 | eval userIdentity="{\\"type\\":\\"Root\\"}" | table userIdentity.type`, { now: SAMPLE_NOW });
    expect(replaced.rows).toEqual([{ 'userIdentity.type': 'Root' }]);
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
    const hidden = PROMOTED_PATHS.map((p) => `"${promotedColumn(p)}"`).join(', ');
    await conn.run(`COPY (SELECT * EXCLUDE (${hidden}) FROM read_parquet('${full}')) TO '${old}' (FORMAT parquet)`);
    db.closeSync();
    const spl = 'search * | stats count by user_type user | sort - count user | head 20';
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
