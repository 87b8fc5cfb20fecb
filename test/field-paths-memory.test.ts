// The REPL's field paths (completion) remembered with the cache for the files loaded: a warm
// start does not read every event again to find them, and any change to the files finds them anew.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { SAMPLE_DIR } from './helpers.js';

let root: string;
let data: string;
let cacheDir: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'spelunk-field-paths-'));
  data = path.join(root, 'data');
  cacheDir = path.join(root, 'cache');
  cpSync(path.resolve(SAMPLE_DIR, 'AWSLogs'), path.join(data, 'AWSLogs'), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function pathsOf(dir: string | undefined): Promise<string[]> {
  const engine = await Engine.open({ cacheDir: dir });
  try {
    await engine.load([data]);
    return await engine.fieldPaths();
  } finally {
    engine.close();
  }
}

/** Every remembered list replaced by `paths`: what a later start returns if it reads them. */
function rememberInstead(paths: string[]): void {
  const file = path.join(cacheDir, 'field-paths.json');
  const known = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify(Object.fromEntries(Object.keys(known).map((k) => [k, paths]))));
}

it('remembers the paths with the cache, for exactly the files loaded', async () => {
  const found = await pathsOf(cacheDir);
  expect(found).toContain('userIdentity.arn');
  expect(found).toEqual(await pathsOf(undefined));
  rememberInstead(['remembered.path']);
  // A warm start over the same files reads them back.
  expect(await pathsOf(cacheDir)).toEqual(['remembered.path']);
  // Another file (any change to the files): found again.
  const event = { eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: 'extra-1', awsRegion: 'us-east-1', requestParameters: { brandNewField: 'x' } };
  writeFileSync(path.join(data, 'AWSLogs', 'extra.json'), JSON.stringify({ Records: [event] }));
  const again = await pathsOf(cacheDir);
  expect(again).not.toContain('remembered.path');
  expect(again).toContain('requestParameters.brandNewField');
});
