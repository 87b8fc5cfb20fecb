// DuckDB is locked down before the first search: no file outside the state, cache and scratch
// folders, no extensions, no configuration changes. Loading more data afterwards (the REPL's
// :load) still works. Also: memory limit, row caps and cancellation of enormous searches.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScratch } from '../../src/engine/cache.js';
import { defaultMemoryLimit, Engine, EngineError } from '../../src/engine/engine.js';
import { expectRows, SAMPLE_NOW } from '../helpers.js';

let dir: string;
let state: string;
let secret: string;

function event(i: number, name: string): string {
  return JSON.stringify({ eventVersion: '1.08', eventTime: `2026-11-2${i}T00:00:00Z`, eventSource: 's3.amazonaws.com', eventName: name, eventID: `e${i}`, awsRegion: 'us-east-1' });
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-lockdown-'));
  state = path.join(dir, 'state');
  mkdirSync(path.join(dir, 'first'));
  mkdirSync(path.join(dir, 'later'));
  writeFileSync(path.join(dir, 'first', 'a.jsonl'), event(1, 'ListBuckets') + '\n');
  writeFileSync(path.join(dir, 'later', 'b.jsonl'), event(3, 'GetObject') + '\n' + event(2, 'PutObject') + '\n');
  secret = path.join(dir, 'secret.txt');
  writeFileSync(secret, 'the secret\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sqlError(engine: Engine, sql: string): Promise<string> {
  try {
    await engine.connection.run(sql);
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
  return 'no error';
}

describe('after the first search', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ stateDir: state });
    await engine.load([path.join(dir, 'first')]);
    await engine.run('| makeresults | eval x=1 | outputlookup seen.csv', { now: SAMPLE_NOW });
  });
  afterAll(() => engine?.close());

  it('SQL run straight on the connection cannot read, list or write files outside the allowed folders', async () => {
    const q = (p: string): string => `'${p.replace(/'/g, "''")}'`;
    for (const sql of [
      `SELECT * FROM read_text(${q(secret)})`,
      "SELECT * FROM read_text('/etc/passwd')",
      `SELECT * FROM read_csv(${q(secret)})`,
      `SELECT * FROM read_json(${q(path.join(dir, 'first', 'a.jsonl'))})`,
      `SELECT * FROM glob(${q(dir + '/*')})`,
      `COPY (SELECT 1) TO ${q(path.join(dir, 'out.csv'))}`,
      `SELECT * FROM read_text(${q(path.join(state, '..', 'secret.txt'))})`,
    ]) {
      expect(await sqlError(engine, sql), sql).toMatch(/Permission Error|disabled/);
    }
  });

  it('nor attach databases, install or load extensions, or change the configuration back', async () => {
    expect(await sqlError(engine, `ATTACH ${`'${path.join(dir, 'x.duckdb')}'`} AS x`)).toMatch(/Permission Error|disabled/);
    expect(await sqlError(engine, 'INSTALL httpfs')).toMatch(/Permission Error|disabled/);
    expect(await sqlError(engine, 'LOAD httpfs')).toMatch(/Permission Error|disabled/);
    expect(await sqlError(engine, 'SET enable_external_access = true')).toMatch(/Cannot|locked/);
    expect(await sqlError(engine, "SET allowed_directories = ['/']")).toMatch(/Cannot|locked/);
    expect(await sqlError(engine, 'SET lock_configuration = false')).toMatch(/Cannot|locked/);
    expect(await sqlError(engine, "SET memory_limit = '1TB'")).toMatch(/Cannot|locked/);
    const settings = await engine.connection.runAndReadAll(
      "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'autoinstall_known_extensions', 'autoload_known_extensions', 'allow_community_extensions') ORDER BY name",
    );
    expect(Object.fromEntries(settings.getRowObjectsJS().map((r) => [r['name'], r['value']]))).toEqual({
      allow_community_extensions: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      enable_external_access: 'false',
      lock_configuration: 'true',
    });
  });

  it('the cache\'s converting DuckDB does not fetch or load extensions either', async () => {
    const scratch = await openScratch(dir);
    try {
      const conn = await scratch.connect();
      const settings = await conn.runAndReadAll(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('autoinstall_known_extensions', 'autoload_known_extensions', 'allow_community_extensions') ORDER BY name",
      );
      conn.closeSync();
      expect(Object.fromEntries(settings.getRowObjectsJS().map((r) => [r['name'], r['value']]))).toEqual({
        allow_community_extensions: 'false',
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
      });
    } finally {
      scratch.closeSync();
    }
  });

  it('lookups in the state folder still read and write', async () => {
    await expectRows(engine, '| inputlookup seen.csv | table x', [{ x: '1' }]);
    await engine.run('| makeresults count=2 | eval y="b" | outputlookup seen.csv', { now: SAMPLE_NOW });
    await expectRows(engine, '| inputlookup seen.csv | stats count', [{ count: 2 }]);
  });

  it('loading more data later (the REPL :load) works, from a folder the lock does not allow', async () => {
    await expectRows(engine, 'search * | table eventName', [{ eventName: 'ListBuckets' }]);
    const report = await engine.load([path.join(dir, 'later')]);
    expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 2, filesSkipped: 0 });
    // Newest first across both loads, each event once, sources kept.
    await expectRows(engine, 'search * | table eventName source', [
      { eventName: 'GetObject', source: path.join(dir, 'later', 'b.jsonl') },
      { eventName: 'PutObject', source: path.join(dir, 'later', 'b.jsonl') },
      { eventName: 'ListBuckets', source: path.join(dir, 'first', 'a.jsonl') },
    ]);
    // The lock still holds after that load.
    expect(await sqlError(engine, `SELECT * FROM read_text('${secret}')`)).toMatch(/Permission Error|disabled/);
  });

  it('interrupt() cancels a load after the lock and leaves the loaded events as they were', async () => {
    const big = path.join(dir, 'later-big', 'many.jsonl');
    mkdirSync(path.dirname(big), { recursive: true });
    writeFileSync(big, Array.from({ length: 200_000 }, (_, i) => event(i % 9 + 1, `Call${i}`)).join('\n') + '\n');
    const before = (await engine.run('search * | stats count', { now: SAMPLE_NOW })).rows;
    const loading = engine.load([big]);
    setTimeout(() => engine.interrupt(), 150);
    const err = await loading.then(() => undefined, (e: unknown) => e);
    expect(String(err)).toMatch(/INTERRUPT/i);
    await expectRows(engine, 'search * | stats count', before);
  });

  it('a later load of broken files reports them as before', async () => {
    writeFileSync(path.join(dir, 'later', 'broken.json'), '{"Records": [ {"eventName": ');
    const report = await engine.load([path.join(dir, 'later', 'broken.json')]);
    expect(report.filesSkipped).toBe(1);
    expect(report.warnings[0]).toMatchObject({ file: path.join(dir, 'later', 'broken.json'), kind: 'skipped' });
  });
});

describe('with the columnar cache', () => {
  it('searches, then loads a folder the lock does not allow, then searches both', async () => {
    const engine = await Engine.open({ stateDir: state, cacheDir: path.join(dir, 'cache') });
    try {
      await engine.load([path.join(dir, 'first')]);
      await expectRows(engine, 'search * | stats count', [{ count: 1 }]);
      expect(await sqlError(engine, `SELECT * FROM read_text('${secret}')`)).toMatch(/Permission Error|disabled/);
      const report = await engine.load([path.join(dir, 'later')]);
      expect(report).toMatchObject({ eventsLoaded: 2 });
      await expectRows(engine, 'search * | table eventName', [{ eventName: 'GetObject' }, { eventName: 'PutObject' }, { eventName: 'ListBuckets' }]);
    } finally {
      engine.close();
    }
  });
});

describe('resources', () => {
  it('the default memory limit is 75% of the machine', () => {
    expect(defaultMemoryLimit()).toMatch(/^\d+MB$/);
  });

  it('a memory limit DuckDB cannot read is a clear error', async () => {
    const err = await Engine.open({ stateDir: state, memoryLimit: 'banana' }).then((e) => (e.close(), undefined), (e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toBe('cannot start DuckDB (Failed to set config): check --memory-limit (a size such as 4GB or 512MB)');
  });

  it('a search that needs more memory than the limit fails with a clear error', async () => {
    const engine = await Engine.open({ stateDir: state, memoryLimit: '40MB', threads: 1 });
    try {
      await engine.load([]);
      const err = await engine
        .run('| makeresults count=3000000 | eval x=md5(tostring(random())) | stats values(x) as v', { now: SAMPLE_NOW })
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).message).toMatch(/^DuckDB ran out of memory: .*raise --memory-limit\)$/);
    } finally {
      engine.close();
    }
  });

  it('a row cap reads only the first rows of an enormous result', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      await engine.load([]);
      const result = await engine.run('| makeresults count=30000000 | eval n=1', { now: SAMPLE_NOW, maxRows: 5 });
      expect(result.rows).toHaveLength(5);
      expect(result.truncated).toBe(true);
    } finally {
      engine.close();
    }
  });

  it('interrupt() stops a long search with "search cancelled", and the engine keeps working', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      await engine.load([]);
      const long = engine.run('| makeresults count=100000000 | eval x=md5(tostring(random())) | stats dc(x) as n', { now: SAMPLE_NOW });
      setTimeout(() => engine.interrupt(), 300);
      const err = await long.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).message).toBe('search cancelled');
      await expectRows(engine, '| makeresults count=2 | stats count', [{ count: 2 }]);
    } finally {
      engine.close();
    }
  });

  it('interrupt() while rows stream ends in "search cancelled", not in a short result', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      await engine.load([]);
      let chunks = 0;
      const long = engine.stream('| makeresults count=5000000 | eval v="x" | table v', { now: SAMPLE_NOW }, () => {
        if (++chunks === 1) engine.interrupt();
      });
      const err = await long.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).message).toBe('search cancelled');
      expect(chunks).toBe(1);
      await expectRows(engine, '| makeresults count=2 | stats count', [{ count: 2 }]);
    } finally {
      engine.close();
    }
  });

  it('interrupt() also stops a cartesian join (400 million rows)', async () => {
    const engine = await Engine.open({ stateDir: state });
    try {
      await engine.load([]);
      const long = engine.run('| makeresults count=20000 | eval k=1 | join max=0 k [| makeresults count=20000 | eval k=1]', { now: SAMPLE_NOW });
      setTimeout(() => engine.interrupt(), 300);
      const err = await long.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).message).toBe('search cancelled');
    } finally {
      engine.close();
    }
  });
});
