// The `events` view over the cache is parsed again by every statement that reads it, so its text
// must not grow with the number of files loaded: the files' rows live in a table of their own.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { layoutFolder } from '../src/engine/cache-files.js';
import { Engine } from '../src/engine/engine.js';

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
