// Issue 14: an account with two trails gets each global-service event twice, with one eventID.
// Searches count every copy (as Splunk counts what it indexed); the load summary says how many
// copies there are; --dedup-events keeps one; the shipped hunts show each call once regardless.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeLoad } from '../src/cli/format.js';
import { Engine } from '../src/engine/engine.js';
import { resolveSearch, resolvedSpl } from '../src/engine/queries.js';
import { Session } from '../src/repl/session.js';
import { SAMPLE_NOW } from './helpers.js';

const event = (id: string, name: string, time: string, region = 'us-east-1', source = 'iam.amazonaws.com') => ({
  eventVersion: '1.09', eventTime: time, eventSource: source, eventName: name, awsRegion: region, sourceIPAddress: '185.220.101.47',
  eventID: id, eventType: 'AwsApiCall', recipientAccountId: '111122223333', userAgent: 'aws-cli/2.15.0',
  userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/svc-backup', accountId: '111122223333', userName: 'svc-backup', accessKeyId: 'AKIAKVGAJJLMH55XUZRZ' },
  requestParameters: name === 'AttachRolePolicy' ? { roleName: 'ops-sync-role', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } : {},
});

const attach = event('a1', 'AttachRolePolicy', '2026-11-27T02:10:00Z');
const createUser = event('a2', 'CreateUser', '2026-11-27T02:11:00Z');

/** An account trail and an organisation trail: both deliver the two IAM calls; each has one regional call. */
function twoTrails(): string {
  const root = mkdtempSync(join(tmpdir(), 'spelunk-trails-'));
  const a = join(root, 'AWSLogs', '111122223333', 'CloudTrail', 'us-east-1', '2026', '11', '27');
  const b = join(root, 'AWSLogs', 'o-abc123', '111122223333', 'CloudTrail', 'eu-west-1', '2026', '11', '27');
  mkdirSync(a, { recursive: true });
  mkdirSync(b, { recursive: true });
  writeFileSync(join(a, 'a.json'), JSON.stringify({ Records: [attach, createUser, event('a3', 'RunInstances', '2026-11-27T02:12:00Z', 'us-east-1', 'ec2.amazonaws.com')] }));
  writeFileSync(join(b, 'b.json'), JSON.stringify({ Records: [createUser, attach, event('b3', 'GetObject', '2026-11-27T02:13:00Z', 'eu-west-1', 's3.amazonaws.com')] }));
  return root;
}

const count = async (engine: Engine, spl: string) => (await engine.run(`${spl} | stats count`, { now: SAMPLE_NOW })).rows[0]!.count;

const open: Engine[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

for (const mode of ['memory', 'cache'] as const) {
  describe(`duplicate events (${mode})`, () => {
    const engineFor = async (opts: { dedupEvents?: boolean } = {}) => {
      const engine = await Engine.open({ ...opts, cacheDir: mode === 'cache' ? mkdtempSync(join(tmpdir(), 'spelunk-dup-cache-')) : undefined });
      open.push(engine);
      return engine;
    };

    it('are counted as loaded, and the load summary says how many and how to drop them', async () => {
      const engine = await engineFor();
      const report = await engine.load([twoTrails()]);
      expect(report.eventsLoaded).toBe(6);
      expect(report.duplicates).toEqual({ events: 2, dropped: false });
      expect(describeLoad(report).at(-1)).toBe('note: 2 events repeat eventIDs already loaded (an account with several trails gets global events from each): searches count every copy, as Splunk does; --dedup-events (:load --dedup-events in the REPL) keeps one of each');
      expect(await count(engine, '*')).toBe(6);
      expect(await count(engine, 'eventName=AttachRolePolicy')).toBe(2);
    });

    it.skipIf(mode === 'memory')('a warm start over the same cached files reuses the count; a changed file counts again', async () => {
      const cacheDir = mkdtempSync(join(tmpdir(), 'spelunk-dup-cache-'));
      const dir = twoTrails();
      const first = await Engine.open({ cacheDir });
      open.push(first);
      expect((await first.load([dir])).duplicates).toEqual({ events: 2, dropped: false });
      expect(Object.values(JSON.parse(readFileSync(join(cacheDir, 'duplicates.json'), 'utf8')) as Record<string, number>)).toEqual([2]);
      const warm = await Engine.open({ cacheDir });
      open.push(warm);
      expect((await warm.load([dir])).duplicates).toEqual({ events: 2, dropped: false });
      const b = join(dir, 'AWSLogs', 'o-abc123', '111122223333', 'CloudTrail', 'eu-west-1', '2026', '11', '27', 'b.json');
      writeFileSync(b, JSON.stringify({ Records: [createUser, event('b3', 'GetObject', '2026-11-27T02:13:00Z', 'eu-west-1', 's3.amazonaws.com')] }));
      const changed = await Engine.open({ cacheDir });
      open.push(changed);
      expect((await changed.load([dir])).duplicates).toEqual({ events: 1, dropped: false });
    });

    it('--dedup-events keeps one copy of each eventID', async () => {
      const engine = await engineFor({ dedupEvents: true });
      const report = await engine.load([twoTrails()]);
      expect(report.duplicates).toEqual({ events: 2, dropped: true });
      expect(describeLoad(report).at(-1)).toMatch(/^note: dropped 2 duplicate events /);
      expect(await count(engine, '*')).toBe(4);
      expect(await count(engine, 'eventName=AttachRolePolicy')).toBe(1);
      // The copy kept is the first in Splunk's order (same time: the first source path), whatever the time range.
      const kept = await engine.run('eventName=AttachRolePolicy | table source', { now: SAMPLE_NOW, earliest: Date.parse('2026-11-27T00:00:00Z') / 1000 });
      expect(kept.rows).toEqual([{ source: expect.stringContaining('/AWSLogs/111122223333/CloudTrail/us-east-1/') }]);
      expect(await count(engine, '* | dedup eventID')).toBe(4);
    });

    it(':load --dedup-events drops the copies of what is loaded, and keeps doing so for later loads', async () => {
      const engine = await engineFor();
      const session = new Session(engine, { now: SAMPLE_NOW });
      const dir = twoTrails();
      await session.load([join(dir, 'AWSLogs', '111122223333')]);
      const out = await session.execute(`:load --dedup-events ${join(dir, 'AWSLogs', 'o-abc123')}`);
      const text = out.flatMap((o) => (o.kind === 'lines' ? o.lines.map((l) => l.text) : []));
      expect(text).toContain('note: dropped 2 duplicate events (an eventID loaded more than once, as several trails deliver global events): one copy of each is kept (--dedup-events)');
      expect(await count(engine, '*')).toBe(4);
    });

    it('the shipped hunts and investigations show each call once without it', async () => {
      const engine = await engineFor();
      await engine.load([twoTrails()]);
      const run = (id: string, params: Record<string, string> = {}) => engine.run(resolvedSpl(resolveSearch(id)), { now: SAMPLE_NOW, params });
      expect((await run('aws_iam_attach_role_policy')).rows).toHaveLength(1);
      expect((await run('aws_investigate_user', { user: 'svc-backup' })).rows.map((r) => r.eventID)).toEqual(['b3', 'a3', 'a2', 'a1']);
      expect((await run('aws_investigate_access_key', { access_key_id: 'AKIAKVGAJJLMH55XUZRZ' })).rows).toHaveLength(4);
      expect((await run('aws_activity_from_ip', { ip: '185.220.101.47' })).rows).toHaveLength(4);
    });
  });
}

describe('spelunk run --dedup-events', () => {
  it('counts each call once, and says how many copies it dropped', () => {
    const dir = twoTrails();
    const cli = (...args: string[]) => spawnSync('node', ['bin/spelunk.js', 'run', 'eventName=AttachRolePolicy | stats count', '--data', dir, '--no-cache', '--format', 'csv', ...args], { encoding: 'utf8', timeout: 60_000 });
    const plain = cli();
    expect(plain.stdout).toBe('count\n2\n');
    expect(plain.stderr).toContain('note: 2 events repeat eventIDs already loaded');
    const deduped = cli('--dedup-events');
    expect(deduped.stdout).toBe('count\n1\n');
    expect(deduped.stderr).toContain('note: dropped 2 duplicate events');
  }, 60_000);
});
