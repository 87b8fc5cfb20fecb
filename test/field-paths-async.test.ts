// Issue 13: the REPL's prompt never waits for the field paths of completion. They are found on a
// DuckDB connection of their own (paths-job.ts): a search asked meanwhile runs at once instead of
// queueing behind them, completion offers the columns and the add-on's fields until they arrive,
// a load stops them, and a sample over the whole view (a segment that could not be read on its
// own) is said in a dim line.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { Session } from '../src/repl/session.js';
import type { OutLine } from '../src/repl/outcome.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

let root: string;
let data: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'spelunk-paths-async-'));
  data = path.join(root, 'data');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const open: Engine[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

/** The paths connection's statements held until `release` (what a first find over 5M events feels like), or failed with `fail`. */
function holdPaths(engine: Engine, fail?: string): { release: () => void; asked: () => number } {
  const conn = (engine as unknown as { pathsConn: DuckDBConnection }).pathsConn;
  const original = conn.runAndReadAll.bind(conn);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let asked = 0;
  conn.runAndReadAll = (async (sql: string, ...rest: never[]) => {
    asked++;
    await gate;
    if (fail) throw new Error(fail);
    return original(sql, ...rest);
  }) as typeof conn.runAndReadAll;
  return { release, asked: () => asked };
}

for (const mode of ['cache', 'memory'] as const) {
  it(`a search asked while the field paths are found runs at once (${mode})`, async () => {
    const engine = await Engine.open({ cacheDir: mode === 'cache' ? path.join(root, 'cache-search') : undefined });
    open.push(engine);
    await engine.load([data]);
    const held = holdPaths(engine);
    let found: string[] | undefined;
    const paths = engine.fieldPaths().then((p) => (found = p));
    await new Promise((r) => setTimeout(r, 20));
    expect(held.asked()).toBe(1);
    const counted = await engine.run('* | stats count', { now: SAMPLE_NOW });
    expect(Number(counted.rows[0]!.count)).toBeGreaterThan(0);
    expect(found).toBeUndefined();
    held.release();
    await paths;
    expect(found).toContain('userIdentity.arn');
  });
}

it('the REPL offers columns and add-on fields until the paths arrive, then the paths', async () => {
  const engine = await Engine.open({ cacheDir: path.join(root, 'cache-repl') });
  open.push(engine);
  await engine.load([data]);
  const held = holdPaths(engine);
  const session = new Session(engine, { now: SAMPLE_NOW });
  await session.load([data]);
  expect(session.fieldNames()).toEqual(expect.arrayContaining(['eventName', 'sourceIPAddress', 'src_ip', 'user']));
  expect(session.fieldNames()).not.toContain('userIdentity.arn');
  await session.execute('eventName=ConsoleLogin | stats count');
  expect(session.last?.rows).toHaveLength(1);
  held.release();
  await session.fieldsFound();
  expect(session.fieldNames()).toContain('userIdentity.arn');
});

it('a load stops the paths being found for the events before it', async () => {
  const engine = await Engine.open({ cacheDir: path.join(root, 'cache-stop') });
  open.push(engine);
  await engine.load([data]);
  const conn = (engine as unknown as { pathsConn: DuckDBConnection }).pathsConn;
  let interrupted = 0;
  const interrupt = conn.interrupt.bind(conn);
  conn.interrupt = () => {
    interrupted++;
    interrupt();
  };
  const held = holdPaths(engine);
  const paths = engine.fieldPaths();
  const queued = engine.fieldPaths().then(() => 'found', (err: unknown) => err);
  await new Promise((r) => setTimeout(r, 20));
  const load = engine.load([data]);
  held.release();
  await load;
  expect(interrupted).toBe(1);
  // The find under way ends (its statement was not yet running: it finishes); the one queued behind it never starts.
  await paths.catch(() => undefined);
  expect(String(await queued)).toMatch(/cancelled/);
  expect(await engine.fieldPaths()).toContain('userIdentity.arn');
});

it('paths sampled over the whole view instead of per segment are said in a dim line', async () => {
  const engine = await Engine.open({ cacheDir: path.join(root, 'cache-note') });
  open.push(engine);
  await engine.load([data]);
  const held = holdPaths(engine, 'IO Error: a segment that could not be read');
  const session = new Session(engine, { now: SAMPLE_NOW });
  const notes: OutLine[] = [];
  session.onNote = (lines) => notes.push(...lines);
  await session.load([data]);
  held.release();
  expect(await session.fieldsFound()).toMatch(/^field paths for completion sampled over every loaded event, not found per cache segment \(IO Error: a segment that could not be read\)$/);
  expect(notes).toEqual([{ text: expect.stringContaining('sampled over every loaded event'), tone: 'dim' }]);
  expect(session.fieldNames()).toContain('userIdentity.arn');
});
