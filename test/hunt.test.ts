// The command line around the saved searches, driven through the built binary (bin/spelunk.js
// runs dist/, which test/global-setup.ts builds): queries, run <id>, missing parameters, hunt.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderWide } from '../src/cli/hunt.js';

let state: string;
beforeAll(() => {
  state = mkdtempSync(join(tmpdir(), 'spelunk-hunt-'));
});
afterAll(() => rmSync(state, { recursive: true, force: true }));

function spelunk(...args: string[]): { status: number; stdout: string; stderr: string } {
  // Lookups go to a temporary state folder, never the user's.
  const r = spawnSync('node', ['bin/spelunk.js', ...args], { encoding: 'utf8', env: { ...process.env, XDG_STATE_HOME: state } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('spelunk queries', () => {
  it('--format json lists every saved search with its id, type, title and parameters', () => {
    const r = spelunk('queries', '--format', 'json');
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; type: string; title: string; parameters: { name: string; description: string }[] }[];
    expect(list.map((q) => `${q.type} ${q.id}`)).toEqual([
      'hunting aws_iam_attach_role_policy',
      'hunting aws_iam_create_access_key',
      'hunting aws_iam_create_role',
      'hunting aws_sts_assume_role',
      'hunting aws_sts_get_session_token',
      'detection aws_cross_account_new_pair',
      'baseline aws_cross_account_baseline',
      'investigation aws_activity_from_city',
      'investigation aws_activity_from_country',
      'investigation aws_activity_from_geo_region',
      'investigation aws_activity_from_ip',
      'investigation aws_activity_in_region',
      'investigation aws_investigate_access_key',
      'investigation aws_investigate_source_user',
      'investigation aws_investigate_user',
      'investigation aws_investigate_user_arn',
    ]);
    expect(list.find((q) => q.id === 'aws_activity_from_ip')).toMatchObject({
      title: 'AWS activity from an IP address',
      parameters: [{ name: 'ip', description: 'a source IP address, e.g. 185.220.101.47' }],
    });
  });

  it('prints a table by default', () => {
    const r = spelunk('queries');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^id\s+type\s+title\s+parameters$/);
    expect(r.stdout).toMatch(/aws_activity_from_ip\s+investigation\s+AWS activity from an IP address\s+ip\n/);
  });
});

describe('spelunk run <id>', () => {
  it('fills the parameter and runs the saved search', () => {
    const r = spelunk('run', 'aws_investigate_user', '--param', 'user=sync', '--data', 'fixtures/sample', '--format', 'csv', '--quiet');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('_time,recipientAccountId,awsRegion,eventSource,eventName,errorCode,caller_type,caller,user_arn,userIdentity.accessKeyId,src,user_agent,eventID');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(' '))).toEqual([
      '2026-11-27T14:13:55Z 111122223333 us-east-1 cloudtrail.amazonaws.com StopLogging',
      '2026-11-27T14:13:10Z 111122223333 eu-west-1 ec2.amazonaws.com DescribeInstances',
      '2026-11-27T02:32:52Z 111122223333 us-east-1 s3.amazonaws.com GetObject',
      '2026-11-27T02:32:35Z 111122223333 us-east-1 s3.amazonaws.com GetObject',
      '2026-11-27T02:32:05Z 111122223333 us-east-1 s3.amazonaws.com GetObject',
      '2026-11-27T02:31:35Z 111122223333 us-east-1 s3.amazonaws.com ListBuckets',
    ]);
  });

  it('runs a query file by path, header included', () => {
    const r = spelunk('run', 'queries/aws_iam_create_access_key.spl', '--data', 'fixtures/sample', '--format', 'json', '--quiet');
    expect(r.status).toBe(0);
    // The refused call (dev.sam) has no key: JSON output leaves the empty field out.
    expect((JSON.parse(r.stdout) as { new_key?: string }[]).map((x) => x.new_key)).toEqual(['AKIAKNNDIEJJ2SOZ55IX', undefined, 'AKIAOD6VDVW7ZAFP2LVD']);
  });

  it('a missing parameter is a usage error (exit 2) that names it, before any data is read', () => {
    const r = spelunk('run', 'aws_activity_from_ip', '--data', 'fixtures/sample');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('missing parameter ip: pass --param ip=VALUE');
    expect(r.stderr).not.toContain('loaded');
    expect(r.stdout).toBe('');
  });

  it('explain shows an unfilled parameter as a placeholder', () => {
    const r = spelunk('explain', 'aws_activity_from_ip');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('$ip$');
  });
});

describe('spelunk hunt', () => {
  it('runs every hunt and the detection, and --fail-on-hits exits 1 because the detection fired', () => {
    const r = spelunk('hunt', '--data', 'fixtures/sample', '--now', '2026-11-28T00:00:00Z', '--state', join(state, 'h1'), '--fail-on-hits');
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('== '))).toEqual([
      '== AWS IAM policy attached to a role [hunting: aws_iam_attach_role_policy]: 3 results',
      '== AWS permanent access key created by an IAM user [hunting: aws_iam_create_access_key]: 3 results',
      '== AWS IAM role another account may assume, created or changed [hunting: aws_iam_create_role]: 2 results',
      '== AWS STS AssumeRole calls [hunting: aws_sts_assume_role]: 34 results',
      '== AWS STS GetSessionToken by IAM users [hunting: aws_sts_get_session_token]: 8 results',
      '== AWS cross-account activity from a previously unseen account [detection: aws_cross_account_new_pair]: 1 result',
      "== Who is behind the hits (score: the sum of the scores of the searches that hit; informational 5, low 25, medium 50, high 75, critical 100, or the content's own risk score)",
    ]);
    expect(r.stderr).toContain('6 searches, 51 results; detections with results: aws_cross_account_new_pair');
    // Wide results are shown one field per line.
    expect(r.stdout).toContain('requesting_account  999988887777\nrequested_account   111122223333\nfirstTime           2026-11-27T02:31:05Z\n');
  });

  it('exits 0 with --fail-on-hits when no detection fires (a day later the pair is no longer new)', () => {
    const r = spelunk('hunt', '--data', 'fixtures/sample', '--now', '2026-11-29T00:00:00Z', '--state', join(state, 'h2'), '--fail-on-hits', '--format', 'json');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; count: number; results: Record<string, unknown>[] }[];
    expect(out.map((s) => [s.id, s.count])).toEqual([
      ['aws_iam_attach_role_policy', 3],
      ['aws_iam_create_access_key', 3],
      ['aws_iam_create_role', 2],
      ['aws_sts_assume_role', 34],
      ['aws_sts_get_session_token', 8],
      ['aws_cross_account_new_pair', 0],
    ]);
    expect(out[2]!.results[0]).toMatchObject({ _time: '2026-11-27T02:09:12Z', role_name: 'ops-sync-role', trusted_other_accounts: '999988887777' });
  });

  it('without --fail-on-hits a detection with results still exits 0', () => {
    const r = spelunk('hunt', '--data', 'fixtures/sample', '--now', '2026-11-28T00:00:00Z', '--state', join(state, 'h3'), '--quiet', '--format', 'json');
    expect(r.status).toBe(0);
  });

  it('--max-rows limits each search and says so', () => {
    const r = spelunk('hunt', '--data', 'fixtures/sample', '--now', '2026-11-28T00:00:00Z', '--state', join(state, 'h4'), '--max-rows', '2', '--quiet');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('== AWS STS AssumeRole calls [hunting: aws_sts_assume_role]: 2 results (stopped at --max-rows 2)\n');
    expect(r.stdout).toContain('[detection: aws_cross_account_new_pair]: 1 result\n');
  });

  it('refuses a search argument', () => {
    const r = spelunk('hunt', 'eventName=AssumeRole', '--data', 'fixtures/sample');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('hunt takes no search');
  });
});

describe('renderWide', () => {
  const row = { a: 'x'.repeat(50), b: 'short', c: ['one', 'two'], d: null };
  it('keeps a table that fits', () => {
    expect(renderWide(['b', 'c'], [{ b: 'short', c: ['one', 'two'] }], 80)).toBe('b      c\n-----  ---\nshort  one\n       two\n');
  });
  it('turns a table wider than the terminal into one block per result, skipping empty fields', () => {
    expect(renderWide(['a', 'b', 'c', 'd'], [row], 40)).toBe(
      [
        `--- result 1 ${'-'.repeat(27)}`,
        `a  ${'x'.repeat(36)}…`,
        'b  short',
        'c  one',
        '   two',
        '',
      ].join('\n'),
    );
  });
});
