// The `events` view over the cache is parsed again by every statement that reads it, so its text
// must not grow with the number of files loaded: the files' rows live in a table of their own.
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { collectGarbage, layoutFolder } from '../src/engine/cache-files.js';
import { Engine } from '../src/engine/engine.js';
import { SAMPLE_DIR } from './helpers.js';

it('keeps source paths out of the events view text', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-view-'));
  const engine = await Engine.open({ cacheDir: dir });
  try {
    const report = await engine.load(['fixtures/sample']);
    expect(report.filesRead).toBeGreaterThan(100);
    const view = String((await engine.connection.runAndReadAll(`SELECT sql FROM duckdb_views() WHERE view_name = 'events'`)).getRows()[0]![0]);
    expect(view).not.toContain('fixtures/sample');
    const sources = await engine.connection.runAndReadAll('SELECT count(*)::INTEGER FROM __spelunk_sources');
    expect(sources.getRows()[0]![0]).toBe(report.filesRead);
    expect((await engine.run('search * | stats count')).rows).toEqual([{ count: 515 }]);
  } finally {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('rebuilds its view when another process collected the segments it read', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-view-'));
  const engine = await Engine.open({ cacheDir: dir });
  try {
    await engine.load(['fixtures/sample']);
    const spl = 'search * | stats count by eventSource | sort - count | head 3';
    const before = (await engine.run(spl)).rows;
    // What a second process's garbage collection leaves once a day was rewritten elsewhere.
    const folder = layoutFolder(dir);
    const segments = readdirSync(folder).filter((f) => f.endsWith('.parquet'));
    expect(segments.length).toBeGreaterThan(0);
    for (const f of segments) rmSync(path.join(folder, f));
    expect((await engine.run(spl)).rows).toEqual(before);
    const csv: string[] = [];
    let starts = 0;
    for (const f of readdirSync(folder).filter((f) => f.endsWith('.parquet'))) rmSync(path.join(folder, f));
    await engine.stream(spl, {}, (rows) => void csv.push(...rows.map((r) => String(r['eventSource']))), () => void starts++);
    expect(starts).toBe(1);
    expect(csv).toEqual(before.map((r) => String(r['eventSource'])));
  } finally {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('reads its sources table from the one saved for the manifest, made again when damaged, short or stale', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'spelunk-view-'));
  const data = path.join(root, 'data');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
  const dir = path.join(root, 'cache');
  const spl = 'search * | stats count by eventSource | sort - count, eventSource | head 5';
  const run = async (cacheDir: string | undefined = dir): Promise<unknown[]> => {
    const engine = await Engine.open({ cacheDir });
    try {
      await engine.load([data]);
      // Twice: the second search after the lock, on the table attached before it.
      expect((await engine.run(spl)).rows).toEqual((await engine.run(spl)).rows);
      return (await engine.run(spl)).rows;
    } finally {
      engine.close();
    }
  };
  const isDuckDB = (file: string): boolean => readFileSync(file).subarray(8, 12).toString('latin1') === 'DUCK';
  try {
    const before = await run();
    expect(before).toEqual(await run(undefined));
    const folder = layoutFolder(dir);
    const saved = (): string[] => readdirSync(folder).filter((n) => /^sources-[0-9a-f]{32}\.duckdb$/.test(n));
    expect(saved()).toHaveLength(1);
    const file = path.join(folder, saved()[0]!);
    expect(isDuckDB(file)).toBe(true);
    const written = statSync(file).mtimeMs;
    // A warm start reads it: not written again.
    expect(await run()).toEqual(before);
    expect(statSync(file).mtimeMs).toBe(written);
    // Damaged, or with a row fewer than the manifest lists files: made again, and saved again.
    writeFileSync(file, 'not a database');
    expect(await run()).toEqual(before);
    expect(isDuckDB(file)).toBe(true);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`ATTACH '${file}' AS s`);
    const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM s.sources')).getRows()[0]![0]);
    await conn.run('DELETE FROM s.sources WHERE rank = (SELECT max(rank) FROM s.sources)');
    await conn.run('DETACH s');
    db.closeSync();
    expect(await run()).toEqual(before);
    const db2 = await DuckDBInstance.create(':memory:');
    const conn2 = await db2.connect();
    await conn2.run(`ATTACH '${file}' AS s (READ_ONLY)`);
    expect(Number((await conn2.runAndReadAll('SELECT count(*) FROM s.sources')).getRows()[0]![0])).toBe(rows);
    db2.closeSync();
    // Its rows as many as the files, but in two parts (a view over two indexes'): made again, in one.
    const db3 = await DuckDBInstance.create(':memory:');
    const conn3 = await db3.connect();
    await conn3.run(`ATTACH '${file}' AS s`);
    await conn3.run('UPDATE s.sources SET part = 1 WHERE rank = (SELECT max(rank) FROM s.sources)');
    await conn3.run('DETACH s');
    expect(await run()).toEqual(before);
    await conn3.run(`ATTACH '${file}' AS s (READ_ONLY)`);
    expect((await conn3.runAndReadAll('SELECT count(*)::INTEGER, count(DISTINCT part)::INTEGER FROM s.sources')).getRows()[0]).toEqual([rows, 1]);
    db3.closeSync();
    // A changed file: another manifest, another saved table; the old one is collected.
    const changed = readdirSync(path.join(data, 'AWSLogs'), { recursive: true, withFileTypes: true }).find((d) => d.isFile())!;
    const changedPath = path.join(changed.parentPath, changed.name);
    writeFileSync(changedPath, readFileSync(changedPath));
    const after = await run();
    expect(after).toEqual(await run(undefined));
    expect(saved()).toHaveLength(2);
    await collectGarbage(dir, folder, 0);
    expect(saved()).toHaveLength(1);
    expect(saved()[0]).not.toBe(path.basename(file));
    expect(await run()).toEqual(after);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
