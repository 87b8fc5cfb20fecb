// Shared test helpers: an engine over the bundled sample, exact-row checks that print the SQL
// when they fail, and SQL compilation with a fixed clock.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect } from 'vitest';
import { compile, SplError } from '../src/compiler/index.js';
import type { CompileOptions } from '../src/compiler/types.js';
import { Engine, type RunOptions } from '../src/engine/engine.js';
import type { LoadReport, Row } from '../src/engine/types.js';

/** The moment the sample's detection is replayed at: the day after its last events. */
export const SAMPLE_NOW = Date.parse('2026-11-28T00:00:00Z') / 1000;
export const SAMPLE_DIR = 'fixtures/sample';

/** The start (epoch seconds, UTC) of the sample's day `i`: day 0 is 2026-11-20, its first. */
export function sampleDay(i: number): number {
  return Date.parse('2026-11-20T00:00:00Z') / 1000 + i * 86400;
}

/** A value from the sample's story for every investigation parameter. */
export const SAMPLE_PARAMS: Record<string, string> = {
  arn: 'arn:aws:iam::111122223333:user/svc-backup',
  access_key_id: 'AKIAKVGAJJLMH55XUZRZ',
  src_user: 'arn:aws:sts::111122223333:assumed-role/ops-sync-role/sync',
  ip: '185.220.101.47',
  region: 'eu-west-1',
  user: 'sync',
  city: 'Brandenburg an der Havel',
  country: 'Germany',
  geo_region: 'Brandenburg',
};

/** The SPL error compiling a search gives (the test fails if it compiles). */
export function errorOf(spl: string): SplError {
  try {
    compile(spl, { now: SAMPLE_NOW });
  } catch (err) {
    if (err instanceof SplError) return err;
    throw err;
  }
  throw new Error(`expected an error for ${spl}`);
}

/** SQL for a search with a fixed clock and no database. */
export function sqlOf(spl: string, options: Partial<CompileOptions> = {}): string {
  return compile(spl, { now: SAMPLE_NOW, ...options }).sql;
}

export async function sampleEngine(paths: string[] = [SAMPLE_DIR]): Promise<Engine> {
  const engine = await Engine.open();
  await engine.load(paths);
  return engine;
}

/** Run a search and return its rows; on failure the assertion message carries the SQL. */
export async function rows(engine: Engine, spl: string, opts: RunOptions = {}): Promise<Row[]> {
  const result = await engine.run(spl, { now: SAMPLE_NOW, ...opts });
  return result.rows;
}

/** Assert exact rows (order included), showing the SQL when they differ. */
export async function expectRows(engine: Engine, spl: string, expected: Row[], opts: RunOptions = {}): Promise<void> {
  const result = await engine.run(spl, { now: SAMPLE_NOW, ...opts });
  expect(result.rows, `SPL: ${spl}\nSQL:\n${result.sql}`).toEqual(expected);
}

/**
 * Engines over the sample and over the crafted language fixture, open for one test file:
 * `const data = sampleAndLanguage();` then `data.sample`, `data.lang` inside tests.
 */
export function sampleAndLanguage(): { sample: Engine; lang: Engine } {
  const engines = {} as { sample: Engine; lang: Engine };
  beforeAll(async () => {
    engines.sample = await sampleEngine();
    engines.lang = await sampleEngine(['fixtures/language']);
  });
  afterAll(() => {
    engines.sample?.close();
    engines.lang?.close();
  });
  return engines;
}

let calls = 0;
/**
 * An S3 call by an IAM user on day `day` of November 2026, each with an eventID (and a second) of
 * its own; `extra` replaces or adds top-level keys.
 */
export function s3Call(eventName: string, day: number, extra: Record<string, unknown> = {}, user = 'alice'): object {
  calls++;
  return {
    eventVersion: '1.08',
    eventTime: `2026-11-${String(day).padStart(2, '0')}T10:00:${String(calls % 60).padStart(2, '0')}Z`,
    eventSource: 's3.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    eventID: `00000000-0000-0000-0000-${String(calls).padStart(12, '0')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::111122223333:user/${user}`, accountId: '111122223333', userName: user },
    requestParameters: { bucketName: 'b0' },
    ...extra,
  };
}

/** Writes events as CloudTrail delivers them to S3 (`{"Records": [...]}`). */
export const writeRecords = (file: string, events: object[]): void => writeFileSync(file, JSON.stringify({ Records: events }));

/** Writes `data` to `rel` below `dir`, making its folders; returns the file's path. */
export function putFile(dir: string, rel: string, data: string | Buffer): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return file;
}

/** A load's warnings, each as `file name: kind: reason`. */
export function warningLines(report: LoadReport): string[] {
  return report.warnings.map((w) => `${path.basename(w.file)}: ${w.kind}: ${w.reason}`);
}

/**
 * How many of `events` are whole in what a gzip cut short inflates to: the events a load reads
 * from it (gzip-members.ts), counted without spelunk's code.
 */
export function wholeBeforeCut(cut: Buffer, events: unknown[]): number {
  const text = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString();
  return events.filter((e) => text.includes(JSON.stringify(e))).length;
}
