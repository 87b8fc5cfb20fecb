// A streamed result that fails part-way must be an error, never a short answer. The DuckDB client
// ends such a stream with an empty chunk, exactly like a finished one, and drops the error (the
// same C API trap as duckdb/duckdb-rs#664): before this guard, the 1,000,000-row search below
// "answered" with the 372,736 rows read before the failure, and exit code 0.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledSearch } from '../src/compiler/types.js';
import type { LookupStore } from '../src/engine/lookups.js';
import { SearchRecorder } from '../src/engine/profile.js';
import { ResultStream } from '../src/engine/result-stream.js';
import type { Row } from '../src/engine/types.js';

let instance: DuckDBInstance;
let conn: DuckDBConnection;
let results: ResultStream;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stream-failure-'));
  instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  conn = await instance.connect();
  const recorder = new SearchRecorder(dir);
  await recorder.setUp(conn);
  // Only outputlookup reaches the lookup store, and these searches write none.
  results = new ResultStream(conn, undefined as unknown as LookupStore, recorder);
});
afterAll(() => {
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const search = (sql: string): CompiledSearch => ({ sql, columns: ['x'] }) as unknown as CompiledSearch;
const FAILS_LATE = "SELECT CASE WHEN i = 500000 THEN error('late failure') ELSE i END AS x FROM range(1000000) t(i)";

describe('a search whose rows fail part-way', () => {
  it('is an error naming how many rows were read, not a short answer', async () => {
    let delivered = 0;
    const run = results.streamCompiled(search(FAILS_LATE), {}, (rows: Row[]) => {
      delivered += rows.length;
    });
    await expect(run).rejects.toThrow(/^DuckDB stopped the search part-way, after [\d,]+ rows, without saying why .*the answer is incomplete/);
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(500_000);
  });

  it('also when profiled for the job inspector, and a whole profiled result keeps its profile', async () => {
    await expect(results.streamCompiled(search(FAILS_LATE), { profile: true }, () => {})).rejects.toThrow(/stopped the search part-way/);
    const done = await results.streamCompiled(search('SELECT i AS x FROM range(5000) t(i)'), { profile: true }, () => {});
    expect(done.rowCount).toBe(5000);
    expect(done.profile).toBeTruthy();
  });

  it('leaves the connection usable, and a whole result still reads whole', async () => {
    let delivered = 0;
    const done = await results.streamCompiled(search('SELECT i AS x FROM range(1000000) t(i)'), {}, (rows: Row[]) => {
      delivered += rows.length;
    });
    expect(delivered).toBe(1_000_000);
    expect(done.rowCount).toBe(1_000_000);
    // No transaction is left open by either read.
    await conn.run('BEGIN TRANSACTION');
    await conn.run('ROLLBACK');
  });

  it('a result cut at the row cap is not taken for a failure', async () => {
    const got: Row[] = [];
    const done = await results.streamCompiled(search('SELECT i AS x FROM range(1000000) t(i) ORDER BY i'), { maxRows: 3 }, (rows: Row[]) => {
      got.push(...rows);
    });
    expect(got).toEqual([{ x: 0 }, { x: 1 }, { x: 2 }]);
    expect(done.truncated).toBe(true);
  });

  it('an error before the first row is still DuckDB\'s own message', async () => {
    const run = results.streamCompiled(search("SELECT count(*) AS x FROM range(100) t(i) WHERE CASE WHEN i = 50 THEN error('early failure') ELSE true END"), {}, () => {});
    await expect(run).rejects.toThrow(/early failure/);
  });
});

// The next chunk is asked of DuckDB while the rows of this one are handed out (ChunkReader): a
// read still running when the reading stops must be waited for before the connection is used again.
describe('reading ahead one chunk', () => {
  it('keeps every row in order across many chunks', async () => {
    const got: number[] = [];
    await results.streamCompiled(search('SELECT i AS x FROM range(20000) t(i) ORDER BY i DESC'), {}, (rows: Row[]) => {
      for (const r of rows) got.push(r['x'] as number);
    });
    expect(got).toEqual(Array.from({ length: 20000 }, (_, i) => 19999 - i));
  });

  it('stops at the cap with a chunk read ahead, and the connection is usable at once', async () => {
    const got: Row[] = [];
    // maxRows far below the chunks already read: the read ahead is running when the loop stops.
    const done = await results.streamCompiled(search('SELECT i AS x FROM range(100000) t(i)'), { maxRows: 2050 }, (rows: Row[]) => {
      got.push(...rows);
    });
    expect(done.truncated).toBe(true);
    expect(got.length).toBe(2050);
    expect((await conn.runAndReadAll('SELECT 42 AS x')).getRows()).toEqual([[42]]);
  });

  it('a sink that fails mid-stream fails the search, and the next search reads whole', async () => {
    let calls = 0;
    const run = results.streamCompiled(search('SELECT i AS x FROM range(100000) t(i)'), {}, () => {
      if (++calls === 2) throw new Error('sink broke');
    });
    await expect(run).rejects.toThrow('sink broke');
    const done = await results.streamCompiled(search('SELECT i AS x FROM range(10000) t(i)'), {}, () => {});
    expect(done.rowCount).toBe(10000);
    await conn.run('BEGIN TRANSACTION');
    await conn.run('ROLLBACK');
  });
});
