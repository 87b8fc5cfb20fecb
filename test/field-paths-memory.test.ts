// The REPL's field paths (completion) found per cache segment and remembered in the cache folder:
// a warm start reads no event to find them, and new files cost only their own segments.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

async function pathsOf(dir: string | undefined, paths = [data]): Promise<string[]> {
  const engine = await Engine.open({ cacheDir: dir });
  try {
    await engine.load(paths);
    return await engine.fieldPaths();
  } finally {
    engine.close();
  }
}

const memoryFile = () => path.join(cacheDir, 'field-paths.json');

/** Every remembered segment's paths replaced by `paths`: what a later start returns if it reads them. */
function rememberInstead(paths: string[]): void {
  const known = JSON.parse(readFileSync(memoryFile(), 'utf8')) as { v: number; segments: Record<string, { paths: unknown }> };
  for (const s of Object.values(known.segments)) s.paths = paths.map((p) => [p, 1]);
  writeFileSync(memoryFile(), JSON.stringify(known));
}

it('remembers the paths of each segment; new files find only their own', async () => {
  const found = await pathsOf(cacheDir);
  expect(found).toContain('userIdentity.arn');
  // Few events: every one is walked, so the counts and their order are those of the events in memory.
  expect(found).toEqual(await pathsOf(undefined));
  rememberInstead(['remembered.path']);
  // A warm start over the same files reads them back.
  expect(await pathsOf(cacheDir)).toEqual(['remembered.path']);
  // A new file, on a day of its own: its segment is walked, the others are still remembered.
  const event = { eventVersion: '1.08', eventTime: '2031-01-02T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: 'extra-1', awsRegion: 'us-east-1', requestParameters: { brandNewField: 'x' } };
  writeFileSync(path.join(data, 'AWSLogs', 'extra.json'), JSON.stringify({ Records: [event] }));
  const again = await pathsOf(cacheDir);
  expect(again).toContain('remembered.path');
  expect(again).toContain('requestParameters.brandNewField');
});

it('a damaged or foreign memory file is a miss: the paths are found again', async () => {
  rmSync(memoryFile(), { force: true });
  const fresh = await pathsOf(cacheDir);
  expect(fresh).toContain('requestParameters.brandNewField');
  const whole = readFileSync(memoryFile(), 'utf8');
  for (const damaged of [whole.slice(0, whole.length / 2), '[1, 2]', JSON.stringify({ v: 1, segments: {} }), 'null']) {
    writeFileSync(memoryFile(), damaged);
    expect(await pathsOf(cacheDir)).toEqual(fresh);
  }
  // An entry of the wrong shape is found again, and written back whole.
  const known = JSON.parse(whole) as { v: number; segments: Record<string, unknown> };
  for (const key of Object.keys(known.segments)) known.segments[key] = { bytes: 'x', paths: [[1, 'y']] };
  writeFileSync(memoryFile(), JSON.stringify(known));
  expect(await pathsOf(cacheDir)).toEqual(fresh);
  expect(JSON.parse(readFileSync(memoryFile(), 'utf8'))).toEqual(JSON.parse(whole));
});

it("over the cache, a rare call's paths are offered among many frequent events", async () => {
  const lab = path.join(root, 'lab');
  mkdirSync(lab);
  const lines: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    lines.push(JSON.stringify({ eventVersion: '1.09', eventTime: '2026-11-20T00:00:00Z', eventSource: 'ec2.amazonaws.com', eventName: `Describe${i % 30}`, eventID: `e-${i}`, userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ops' }, requestParameters: { [`key${i % 30}`]: 'x' } }));
  }
  lines.push(JSON.stringify({
    eventVersion: '1.09', eventTime: '2026-11-20T02:40:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey', eventID: 'e-key',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/svc-backup' }, responseElements: { accessKey: { accessKeyId: 'AKIAKVGAJJLMH55XUZRZ', status: 'Active' } },
  }));
  writeFileSync(path.join(lab, 'lab.json'), lines.join('\n') + '\n');
  const found = await pathsOf(path.join(root, 'lab-cache'), [lab]);
  expect(found).toEqual(expect.arrayContaining(['responseElements.accessKey.accessKeyId', 'responseElements.accessKey.status', 'key0', 'key29'].map((k) => (k.startsWith('key') ? `requestParameters.${k}` : k))));
  expect(found.slice(0, 2).sort()).toEqual(['userIdentity.arn', 'userIdentity.type']);
});

it('after a search has locked DuckDB out of the evidence, a later load finds its new segments', async () => {
  const dir = path.join(root, 'locked-cache');
  const later = path.join(root, 'later');
  mkdirSync(later);
  const engine = await Engine.open({ cacheDir: dir });
  try {
    await engine.load([data]);
    await engine.fieldPaths();
    await engine.run('* | head 1');
    const event = { eventVersion: '1.08', eventTime: '2032-03-04T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: 'later-1', awsRegion: 'us-east-1', requestParameters: { laterField: 'x' } };
    writeFileSync(path.join(later, 'later.json'), JSON.stringify({ Records: [event] }));
    await engine.load([later]);
    expect(await engine.fieldPaths()).toContain('requestParameters.laterField');
    // Found for its segment and remembered, not by sampling the whole view instead.
    const known = JSON.parse(readFileSync(path.join(dir, 'field-paths.json'), 'utf8')) as { segments: Record<string, { paths: [string, number][] }> };
    expect(Object.values(known.segments).filter((s) => s.paths.some(([p]) => p === 'requestParameters.laterField'))).toHaveLength(1);
  } finally {
    engine.close();
  }
});
