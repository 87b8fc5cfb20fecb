// Detection content from disk through the built binary: a security_content-layout folder and a
// Splunk app written for these tests (fixtures/content/), and Sigma rules, over the Stratus Red
// Team fixture. Exact rows, what is skipped and why, baselines first, exit codes, the principal
// summary, and `queries`/`run`/`explain` with --content.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONTENT = 'fixtures/content/security_content';
const APP = 'fixtures/content/splunk_app';
const STRATUS = 'fixtures/public/stratus-red-team';
// The Stratus logs are from early August 2024; a week later the console login is not 30 days old.
const NOW = '2024-08-10T00:00:00Z';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spelunk-content-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spelunk(...args: string[]): { status: number; stdout: string; stderr: string } {
  return spelunkWith('', ...args);
}

function spelunkWith(input: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('node', ['bin/spelunk.js', ...args], { encoding: 'utf8', input, env: { ...process.env, XDG_STATE_HOME: dir } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Out {
  id: string;
  title: string;
  type: string;
  source: string;
  mitre: string[];
  level: string;
  score: number;
  count: number;
  error?: string;
  results: Record<string, unknown>[];
}

describe('hunt --content (security_content layout)', () => {
  let run: { status: number; stdout: string; stderr: string };
  let out: Out[];
  beforeAll(() => {
    run = spelunk('hunt', '--content', CONTENT, '--data', STRATUS, '--no-queries', '--now', NOW, '--state', join(dir, 's1'), '--format', 'json');
    out = JSON.parse(run.stdout) as Out[];
  });

  it('selects the CloudTrail detections, counts what it leaves out, and runs the needed baseline first', () => {
    expect(run.stderr).toContain(`${CONTENT}: 4 CloudTrail detection(s), 1 baseline(s) they need; skipped 1 deprecated, 1 for other data sources`);
    expect(out.map((o) => [o.type, o.title, o.count])).toEqual([
      ['baseline', 'Previously Seen AWS Console Login IPs', 0],
      ['ttp', 'AWS Admin Policy Attached To Unapproved Identity', 1],
      ['anomaly', 'AWS API Call Volume Outlier', 0],
      ['anomaly', 'AWS Console Login From Unseen IP', 1],
      ['hunting', 'AWS Resources Created By User', 2],
    ]);
  });

  it('gives every search the same shape: id, title, type, source, ATT&CK ids, level, score, count, results', () => {
    expect(out[1]).toEqual({
      id: '0b7e6a52-6a39-4d0c-9a7e-3e1f0c2a1001',
      title: 'AWS Admin Policy Attached To Unapproved Identity',
      type: 'ttp',
      source: 'content',
      file: `${CONTENT}/detections/cloud/aws_admin_policy_attached_to_unapproved_identity.yml`,
      mitre: ['T1098.003'],
      level: 'high',
      score: 72,
      count: 1,
      // A macro with an argument, a content lookup (christophe of 609418236337 is approved), and
      // the content's own *_filter macro ignored (it would drop this row).
      results: [{ 'userIdentity.arn': 'arn:aws:iam::229654561268:user/christophe', eventName: 'AttachUserPolicy', 'requestParameters.policyArn': 'arn:aws:iam::aws:policy/AdministratorAccess', count: 1, firstTime: '2024-08-01T13:33:28', lastTime: '2024-08-01T13:33:28' }],
    });
    expect(out[3]).toMatchObject({ level: 'low', score: 30, mitre: ['T1078.004'] });
  });

  it('a baseline that finds nothing still writes the lookup header, so its detection runs', () => {
    expect(readFileSync(join(dir, 's1', 'lookups', 'previously_seen_aws_console_ips.csv'), 'utf8')).toBe('sourceIPAddress,firstTime,lastTime\n');
    expect(out[3]!.results).toEqual([{ _time: '2024-08-02T08:53:24Z', 'userIdentity.arn': 'arn:aws:iam::562283505220:user/stratus-red-team-nmfalu-jfzdtsvchl', sourceIPAddress: '225.01.00.16', 'additionalEventData.MFAUsed': 'No' }]);
  });

  it('a failing search has its error, the others still run, and the exit status is 1', () => {
    expect(out[2]!.error).toBe("apply runs a model trained by the Splunk Machine Learning Toolkit's fit; spelunk has no MLTK models to apply (at \"apply\")");
    expect(run.status).toBe(1);
  });

  it('drop_dm_object_name("All_Changes") (a quoted name glued to a wildcard) renames the data model columns', () => {
    // As the Splunk Add-on for AWS 7.10 computes them: action=created comes from its lookup
    // (CreateUser and CreateRole; CreateAccessKey and CreateLoginProfile are "modified"), user of a
    // CreateUser is the user created, and the add-on names no object for CreateRole (the data
    // model fills "unknown").
    expect(out[4]!.results).toEqual([
      { user: 'malicious-iam-user', object: 'malicious-iam-user', count: 1 },
      { user: 'christophe', object: 'unknown', count: 1 },
    ]);
  });

  it("the user's --macros defines a *_filter macro and it applies", () => {
    const macros = join(dir, 'tuning.conf');
    writeFileSync(macros, '[aws_admin_policy_attached_to_unapproved_identity_filter]\ndefinition = search userIdentity.arn!="arn:aws:iam::229654561268:user/christophe"\n');
    const r = spelunk('hunt', '--content', CONTENT, '--data', STRATUS, '--no-queries', '--now', NOW, '--state', join(dir, 's2'), '--format', 'json', '--macros', macros);
    const tuned = (JSON.parse(r.stdout) as Out[]).find((o) => o.type === 'ttp')!;
    expect(tuned.count).toBe(0);
  });
});

describe('hunt text output', () => {
  it('shows each search and then who is behind the hits, by score', () => {
    const r = spelunk('hunt', '--content', APP, '--rules', 'fixtures/content/sigma/startswith.yml', '--data', STRATUS, '--no-queries', '--now', NOW, '--state', join(dir, 's3'));
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('== '))).toEqual([
      '== Previously Seen AWS Callers [baseline: previously_seen_aws_callers]: 0 results',
      '== AWS Admin Policy Attached [detection: aws_admin_policy_attached high T1098.003]: 1 result',
      '== AWS Caller Not Seen Before [detection: aws_caller_not_seen_before medium T1078.004]: 12 results',
      '== Console login without MFA [rule: 5f0c1a3e-0003-4a51-9a0e-000000000003 medium T1078.004]: 1 result',
      "== Who is behind the hits (score: the sum of the scores of the searches that hit; informational 5, low 25, medium 50, high 75, critical 100, or the content's own risk score)",
    ]);
    const summary = r.stdout.slice(r.stdout.indexOf('== Who is behind')).split('\n').slice(1);
    expect(summary[0]).toMatch(/^score +principal +results +first +last +techniques +searches$/);
    // The admin-policy caller (72 + 50) first; the console login without MFA (50 + 50) next.
    expect(summary[2]).toMatch(/^122 +arn:aws:iam::229654561268:user\/christophe +2 +T1078\.004 +AWS Admin Policy Attached$/);
    expect(summary[3]).toMatch(/^ +T1098\.003 +AWS Caller Not Seen Before$/);
    expect(summary[4]).toMatch(/^100 +arn:aws:iam::562283505220:user\/stratus-red-team-nmfalu-jfzd… +2 +2024-08-02 08:53:24 +2024-08-02 08:53:24 +T1078\.004 +AWS Caller Not Seen Before$/);
    expect(summary[5]).toMatch(/^ +Console login without MFA$/);
  });

  it('--fail-on-hits exits 1 when a detection or rule hit', () => {
    const r = spelunk('hunt', '--rules', 'fixtures/content/sigma/startswith.yml', '--data', STRATUS, '--no-queries', '--quiet', '--fail-on-hits', '--state', join(dir, 's4'));
    expect(r.status).toBe(1);
    const none = spelunk('hunt', '--rules', 'fixtures/content/sigma/windash.yml', '--data', STRATUS, '--no-queries', '--quiet', '--fail-on-hits', '--state', join(dir, 's4'));
    expect(none.status).toBe(0);
  });
});

describe('a Splunk app folder', () => {
  it('reads savedsearches.conf, macros.conf and transforms.conf, with local tuning and the app lookups', () => {
    const r = spelunk('hunt', '--content', APP, '--data', STRATUS, '--no-queries', '--now', NOW, '--state', join(dir, 's5'), '--format', 'json');
    expect(r.stderr).toContain(`${APP}: 2 CloudTrail search(es), 1 baseline(s) they need; skipped 1 deprecated, 0 investigative, 1 for other data sources`);
    const out = JSON.parse(r.stdout) as Out[];
    expect(out.map((o) => [o.id, o.count])).toEqual([
      ['previously_seen_aws_callers', 0],
      ['aws_admin_policy_attached', 1],
      ['aws_caller_not_seen_before', 12],
    ]);
    // The empty baseline's header comes from the search's fields.
    expect(readFileSync(join(dir, 's5', 'lookups', 'previously_seen_aws_callers.csv'), 'utf8')).toBe('userIdentity.arn,firstTime\n');
  });
});

describe('queries, run and explain with content', () => {
  it('queries --content --rules lists every search with its level and whether it runs', () => {
    const r = spelunk('queries', '--content', CONTENT, '--rules', 'fixtures/content/sigma/refused', '--format', 'json', '--quiet');
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { title: string; type: string; needs?: string[]; refused?: string }[];
    expect(list.map((s) => `${s.type} ${s.title}${s.refused ? ' (refused)' : ''}`)).toEqual([
      'baseline Previously Seen AWS Console Login IPs',
      'ttp AWS Admin Policy Attached To Unapproved Identity',
      'anomaly AWS API Call Volume Outlier',
      'anomaly AWS Console Login From Unseen IP',
      'hunting AWS Resources Created By User',
      'rule Look-behind (refused)',
      'rule Login near a secret read (refused)',
    ]);
    expect(list[3]!.needs).toEqual(['0b7e6a52-6a39-4d0c-9a7e-3e1f0c2a1101']);
  });

  it('run <detection name> --content runs its baseline first, then the detection', () => {
    const state = join(dir, 's6');
    const r = spelunk('run', 'AWS Console Login From Unseen IP', '--content', CONTENT, '--data', STRATUS, '--now', NOW, '--state', state, '--format', 'csv');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('baseline "Previously Seen AWS Console Login IPs": 0 row(s)');
    expect(r.stdout).toBe('_time,userIdentity.arn,sourceIPAddress,additionalEventData.MFAUsed\n2024-08-02T08:53:24Z,arn:aws:iam::562283505220:user/stratus-red-team-nmfalu-jfzdtsvchl,225.01.00.16,No\n');
    expect(existsSync(join(state, 'lookups', 'previously_seen_aws_console_ips.csv'))).toBe(true);
    // By id too; and a rule that cannot run is a usage error naming the reason.
    expect(spelunk('run', '0b7e6a52-6a39-4d0c-9a7e-3e1f0c2a1003', '--content', CONTENT, '--data', STRATUS, '--quiet', '--format', 'csv').stdout.split('\n')[0]).toBe('user,object,count');
    const refused = spelunk('run', 'Look-behind', '--rules', 'fixtures/content/sigma/refused', '--data', STRATUS);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('"Look-behind" (fixtures/content/sigma/refused/lookbehind.yml) cannot run: eventName|re: look-ahead and look-behind');
  });

  it('explain shows the SPL a Sigma rule became, then its SQL', () => {
    const r = spelunk('explain', 'Trail deleted or stopped', '--rules', 'fixtures/content/sigma', '--quiet');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      '-- `cloudtrail` eventSource="cloudtrail.amazonaws.com" (eventName="StopLogging" OR eventName="DeleteTrail" OR eventName="UpdateTrail")',
      '-- | table _time eventSource eventName userIdentity.arn userIdentity.accountId sourceIPAddress awsRegion errorCode eventID',
    ]);
    expect(r.stdout).toContain('SELECT');
  });

  it('a folder that is neither layout is a usage error', () => {
    const r = spelunk('hunt', '--content', 'fixtures/content/sigma', '--no-queries');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('neither a security_content checkout (no detections/ folder) nor a Splunk app');
  });
});

describe('the REPL with --content', () => {
  it(':hunt runs the content after the bundled searches, its baseline first, with its macros and lookups', () => {
    const r = spelunkWith(':hunt\n', 'repl', '--content', CONTENT, '--data', STRATUS, '--now', NOW, '--state', join(dir, 's7'));
    expect(r.stderr).toContain(`${CONTENT}: 4 CloudTrail detection(s), 1 baseline(s) they need`);
    // A search that cannot run here is named with its reason, as hunt --content reports it.
    expect(r.stderr).toContain("AWS API Call Volume Outlier [anomaly]: failed: apply runs a model trained by the Splunk Machine Learning Toolkit's fit");
    // The bundled hunts, then the content's (the same counts as hunt --content above).
    expect(r.stdout).toContain('AWS STS AssumeRole calls [hunting]:');
    expect(r.stdout).toContain('AWS Admin Policy Attached To Unapproved Identity [ttp]: 1 result');
    expect(r.stdout).toContain('AWS Console Login From Unseen IP [anomaly]: 1 result');
    expect(r.stdout).toContain('AWS Resources Created By User [hunting]: 2 results');
  });

  it('an unknown --content folder is a usage error in the REPL, as in hunt', () => {
    const r = spelunkWith(':hunt\n', 'repl', '--content', 'fixtures/content/no-such-folder', '--data', STRATUS, '--quiet');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no-such-folder');
  });
});
