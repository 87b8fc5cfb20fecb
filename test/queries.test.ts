// The saved searches in queries/: the header format, every file parsed, compiled (one golden SQL
// file per query, found by walking the folder) and run on the sample, and the exact rows each
// hunt, the baseline and the detection return on the sample's story.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { listQueries, parseQuery, QueryError, resolveSearch, resolvedSpl, type SavedQuery } from '../src/engine/queries.js';
import type { Row } from '../src/engine/types.js';
import { expectRows, SAMPLE_DIR, SAMPLE_NOW, SAMPLE_PARAMS, sampleEngine } from './helpers.js';

const QUERIES = listQueries();
const byId = (id: string): SavedQuery => {
  const q = QUERIES.find((x) => x.id === id);
  if (!q) throw new Error(`no query ${id}`);
  return q;
};


const UA_INTRUDER = 'Boto3/1.26.137 Python/3.10.12 Linux/6.5.0-1016-generic Botocore/1.29.137';
const UA_TERRAFORM_IAM =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.4 ua/2.1 os/linux lang/go#1.23.3 md/GOOS#linux md/GOARCH#amd64 api/iam#1.38.1';
const cliDevSam = (command: string) =>
  `aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#${command}`;
const cliAna = (command: string) =>
  `aws-cli/2.21.1 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#${command}`;
const t = (iso: string) => Date.parse(iso) / 1000;
const iso = (epoch: unknown) => new Date((epoch as number) * 1000).toISOString().replace('.000Z', 'Z');

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'spelunk-queries-'));
  dirs.push(d);
  return d;
}

/** An engine with its own state folder (never the user's), over the given data. */
async function engineOver(paths: string[], stateDir = tempDir()): Promise<Engine> {
  const engine = await Engine.open({ stateDir });
  await engine.load(paths);
  return engine;
}

/** The sample's day folders (YYYY/MM/DD under every account and region) for days from..to of 2026-11. */
function sampleDays(from: number, to: number): string[] {
  const out: string[] = [];
  const root = join(SAMPLE_DIR, 'AWSLogs');
  for (const account of readdirSync(root)) {
    const trail = join(root, account, 'CloudTrail');
    for (const region of readdirSync(trail)) {
      const month = join(trail, region, '2026', '11');
      for (const day of readdirSync(month)) if (Number(day) >= from && Number(day) <= to) out.push(join(month, day));
    }
  }
  return out;
}

async function run(engine: Engine, q: SavedQuery, params: Record<string, string> = {}, now = SAMPLE_NOW): Promise<Row[]> {
  return (await engine.run(q.spl, { now, params })).rows;
}

let sample: Engine;
beforeAll(async () => {
  sample = await engineOver([SAMPLE_DIR]);
});
afterAll(() => {
  sample.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('query file header', () => {
  const text = [
    '# title: Example',
    '# type: investigation',
    '# description: first line',
    '#   second line',
    '# mitre: T1078 Valid Accounts',
    '# fields: eventName, userIdentity.arn',
    '# parameters:',
    '#   arn: an ARN',
    '#   ip: an address',
    '',
    '`cloudtrail` userIdentity.arn=$arn$',
    '| search sourceIPAddress=$ip$',
  ].join('\n');

  it('reads key: value lines, indented continuations and parameters; the rest is the search', () => {
    expect(parseQuery(text, 'queries/example.spl')).toEqual({
      id: 'example',
      title: 'Example',
      type: 'investigation',
      description: 'first line second line',
      mitre: 'T1078 Valid Accounts',
      fields: ['eventName', 'userIdentity.arn'],
      falsePositives: undefined,
      parameters: [{ name: 'arn', description: 'an ARN' }, { name: 'ip', description: 'an address' }],
      spl: '`cloudtrail` userIdentity.arn=$arn$\n| search sourceIPAddress=$ip$',
      file: 'queries/example.spl',
    });
  });

  it.each([
    ['# titel: x\nsearch *', /unknown header key "titel"/],
    ['# type: hunting\nsearch *', /needs a "# title:" line/],
    ['# title: x\n# type: alert\nsearch *', /type must be one of hunting, detection, baseline, investigation/],
    ['# title: x\n', /no search after the header/],
    ['# title: x\nsearch user=$who$', /uses \$who\$ but the header's parameters do not describe it/],
    ['# title: x\n# parameters:\n#   who: a user\nsearch *', /parameter who is described but the search never uses \$who\$/],
    ['# title: x\n# title: y\nsearch *', /header key title given twice/],
    ['#   orphan\n# title: x\nsearch *', /indented header line must follow/],
    ['# title: x\n# parameters:\n#   not a parameter\nsearch *', /a parameter is "name: description"/],
  ])('rejects %j', (bad, message) => {
    expect(() => parseQuery(bad, 'bad.spl')).toThrow(QueryError);
    expect(() => parseQuery(bad, 'bad.spl')).toThrow(message);
  });

  it('run resolves an id, a .spl file (with or without header) and SPL text', () => {
    const dir = tempDir();
    const plain = join(dir, 'plain.spl');
    writeFileSync(plain, 'eventName=AssumeRole | stats count\n');
    const saved = join(dir, 'saved.spl');
    writeFileSync(saved, '# title: Mine\n# type: hunting\neventName=CreateRole\n');
    expect(resolveSearch('aws_sts_assume_role')).toMatchObject({ kind: 'query', query: { id: 'aws_sts_assume_role' } });
    expect(resolveSearch(plain)).toEqual({ kind: 'text', spl: 'eventName=AssumeRole | stats count\n' });
    expect(resolveSearch(saved)).toMatchObject({ kind: 'query', query: { id: 'saved', title: 'Mine', spl: 'eventName=CreateRole' } });
    expect(resolveSearch('eventName=AssumeRole')).toEqual({ kind: 'text', spl: 'eventName=AssumeRole' });
    // A word that names no query is a search for that term.
    expect(resolveSearch('assumerole')).toEqual({ kind: 'text', spl: 'assumerole' });
  });

  it('a saved search id followed by more pipeline runs the saved search, then the pipeline', async () => {
    expect(resolveSearch('aws_sts_assume_role | stats count by src')).toMatchObject({ kind: 'query', query: { id: 'aws_sts_assume_role' }, then: 'stats count by src' });
    expect(resolveSearch('assumerole | stats count')).toEqual({ kind: 'text', spl: 'assumerole | stats count' });
    const engine = await sampleEngine();
    try {
      await expectRows(engine, resolvedSpl(resolveSearch('aws_sts_assume_role | stats count by requesting_account')), [
        { requesting_account: '111122223333', count: 12 },
        { requesting_account: '222233334444', count: 4 },
        { requesting_account: '444455556666', count: 16 },
        { requesting_account: '999988887777', count: 2 },
      ]);
    } finally {
      engine.close();
    }
  });

  it('refuses two files with the same id', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.spl'), '# id: same\n# title: A\nsearch *\n');
    writeFileSync(join(dir, 'b.spl'), '# id: same\n# title: B\nsearch *\n');
    expect(() => listQueries(dir)).toThrow(/id same is also used by/);
  });
});

describe('every file in queries/', () => {
  const files = readdirSync('queries').filter((f) => f.endsWith('.spl')).sort();

  it('holds the story\'s searches, one per file', () => {
    expect(QUERIES.map((q) => q.id).sort()).toEqual(files.map((f) => f.replace(/\.spl$/, '')));
    expect(files.length).toBeGreaterThanOrEqual(16);
  });

  it.each(files)('%s parses, compiles to its golden SQL, and runs on the sample', async (file) => {
    const q = QUERIES.find((x) => x.file.endsWith(file))!;
    expect(q.title.length).toBeGreaterThan(0);
    expect(q.description.length, `${file} needs a description`).toBeGreaterThan(40);
    const params: Record<string, string> = {};
    for (const p of q.parameters) {
      const value = SAMPLE_PARAMS[p.name];
      expect(value, `add a sample value for parameter ${p.name} to SAMPLE_PARAMS`).toBeDefined();
      params[p.name] = value!;
    }
    // Compiled against an empty state folder, so lookups read as absent and the SQL is stable.
    const engine = await Engine.open({ stateDir: tempDir() });
    try {
      const { compiled } = engine.prepare(q.spl, { now: SAMPLE_NOW, params });
      await expect(compiled.sql + '\n').toMatchFileSnapshot(`__snapshots__/queries/${q.id}.sql`);
    } finally {
      engine.close();
    }
    const rows = await run(sample, q, params);
    if (q.type === 'investigation' || q.type === 'hunting' || q.type === 'detection') expect(rows.length, `${q.id} finds nothing in the sample`).toBeGreaterThan(0);
  });
});

describe('hunts on the sample', () => {
  it('AttachRolePolicy: both successes and the refused call, not AttachUserPolicy', async () => {
    const managed = { policy_name: null, policy_document: null };
    expect(await run(sample, byId('aws_iam_attach_role_policy'))).toEqual([
      {
        _time: t('2026-11-27T02:09:50Z'), eventName: 'AttachRolePolicy', recipientAccountId: '111122223333', caller_type: 'IAMUser', user_arn: 'arn:aws:iam::111122223333:user/svc-backup',
        session_issuer: null, src: '185.220.101.47', user_agent: UA_INTRUDER, access_key: 'AKIAKVGAJJLMH55XUZRZ', credentials: 'long-term access key', mfa_auth: null,
        session_created: null, role_name: 'ops-sync-role', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess', ...managed, status: 'success', errorCode: 'success',
        errorMessage: null,
      },
      {
        _time: t('2026-11-24T10:11:05Z'), eventName: 'AttachRolePolicy', recipientAccountId: '222233334444', caller_type: 'IAMUser', user_arn: 'arn:aws:iam::222233334444:user/dev.sam',
        session_issuer: null, src: '91.64.112.45', user_agent: cliDevSam('iam.attach-role-policy'), access_key: 'AKIAVNTZIV4R3MZ4M2TA', credentials: 'long-term access key',
        mfa_auth: null, session_created: null, role_name: 'dev-build-role', policy_arn: null, ...managed, status: 'failure', errorCode: 'AccessDenied',
        errorMessage: 'User: arn:aws:iam::222233334444:user/dev.sam is not authorized to perform: iam:AttachRolePolicy on resource: role dev-build-role because no identity-based policy allows the iam:AttachRolePolicy action',
      },
      {
        _time: t('2026-11-23T14:40:14Z'), eventName: 'AttachRolePolicy', recipientAccountId: '111122223333', caller_type: 'AssumedRole', user_arn: 'arn:aws:sts::111122223333:assumed-role/DeployRole/gha-7315523',
        session_issuer: 'arn:aws:iam::111122223333:role/DeployRole', src: '3.91.171.15', user_agent: UA_TERRAFORM_IAM, access_key: 'ASIAME2A2YKD6YW2X4NA', credentials: 'temporary credentials', mfa_auth: 'false',
        session_created: '2026-11-23T14:39:12Z', role_name: 'invoice-renderer-role', policy_arn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
        ...managed, status: 'success', errorCode: 'success', errorMessage: null,
      },
    ]);
  });

  it('CreateAccessKey by IAM users: not by an assumed role; the refused call shown, as ESCU shows it (status failure)', async () => {
    expect(await run(sample, byId('aws_iam_create_access_key'))).toEqual([
      {
        _time: t('2026-11-27T02:12:03Z'), recipientAccountId: '111122223333', caller: 'svc-backup', user_arn: 'arn:aws:iam::111122223333:user/svc-backup',
        for_user: 'ci-deployer', src: '185.220.101.47', user_agent: UA_INTRUDER, new_key: 'AKIAKNNDIEJJ2SOZ55IX', new_key_status: 'Active', status: 'success', errorCode: 'success',
      },
      {
        _time: t('2026-11-25T09:31:44Z'), recipientAccountId: '222233334444', caller: 'dev.sam', user_arn: 'arn:aws:iam::222233334444:user/dev.sam',
        for_user: 'build-bot', src: '91.64.112.45', user_agent: cliDevSam('iam.create-access-key'), new_key: null, new_key_status: null, status: 'failure', errorCode: 'AccessDenied',
      },
      {
        _time: t('2026-11-21T17:04:51Z'), recipientAccountId: '111122223333', caller: 'ana.ops', user_arn: 'arn:aws:iam::111122223333:user/ana.ops',
        for_user: 'svc-reporting', src: '73.158.64.21', user_agent: cliAna('iam.create-access-key'), new_key: 'AKIAOD6VDVW7ZAFP2LVD', new_key_status: 'Active', status: 'success', errorCode: 'success',
      },
    ]);
  });

  it('CreateRole: roles trusting another account, not one trusting its own account or a service', async () => {
    expect(await run(sample, byId('aws_iam_create_role'))).toEqual([
      {
        _time: t('2026-11-27T02:09:12Z'), eventName: 'CreateRole', recipientAccountId: '111122223333', user_arn: 'arn:aws:iam::111122223333:user/svc-backup', src: '185.220.101.47',
        role_name: 'ops-sync-role', role_description: null, role_arn: 'arn:aws:iam::111122223333:role/ops-sync-role',
        trusted_principals: ['arn:aws:iam::999988887777:root'], trusted_other_accounts: ['999988887777'], status: 'success', errorCode: 'success',
      },
      {
        _time: t('2026-11-24T16:02:33Z'), eventName: 'CreateRole', recipientAccountId: '222233334444',
        user_arn: 'arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_AdministratorAccess_1b9e44c07d2a6f31/tom.becker@example.com', src: '91.64.112.45',
        role_name: 'DataReadOnly', role_description: 'Read-only access for prod analytics jobs', role_arn: 'arn:aws:iam::222233334444:role/DataReadOnly',
        trusted_principals: ['arn:aws:iam::111122223333:root'], trusted_other_accounts: ['111122223333'], status: 'success', errorCode: 'success',
      },
    ]);
  });

  it('CreateRole reads trust policies as real CloudTrail writes them: principal lists, bare account ids, "*", URL-encoded copies', async () => {
    const policy = (principal: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] });
    const event = (name: string, request: Record<string, unknown>, response: Record<string, unknown> | null = null) => ({
      eventVersion: '1.09', eventTime: '2026-11-26T12:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateRole', awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.7', userAgent: 'test', recipientAccountId: '111122223333', eventID: `id-${name}`,
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/admin', accountId: '111122223333', userName: 'admin' },
      requestParameters: { roleName: name, ...request }, responseElements: response,
    });
    const dir = tempDir();
    writeFileSync(join(dir, 'roles.json'), JSON.stringify({ Records: [
      event('list', { assumeRolePolicyDocument: policy({ AWS: ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::222233334444:role/b', '333344445555'] }) }),
      event('everyone', { assumeRolePolicyDocument: policy('*') }),
      event('any-aws', { assumeRolePolicyDocument: policy({ AWS: '*' }) }),
      event('own-only', { assumeRolePolicyDocument: policy({ AWS: ['111122223333', 'arn:aws:iam::111122223333:root'] }) }),
      event('encoded', {}, { role: { arn: 'arn:aws:iam::111122223333:role/encoded', assumeRolePolicyDocument: encodeURIComponent(policy({ AWS: 'arn:aws:iam::444455556666:root' })) } }),
      // "The Statement element can contain a single statement or an array of individual statements"
      // (IAM User Guide, IAM JSON policy elements: Statement): a single statement object was missed.
      event('single-statement', { assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::555566667777:root'] }, Action: 'sts:AssumeRole' } }) }),
      event('single-everyone', { assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' } }) }),
      event('single-own', { assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' } }) }),
    ] }));
    const engine = await engineOver([dir]);
    try {
      const rows = await run(engine, byId('aws_iam_create_role'));
      expect(rows.map((r) => [r.role_name, r.trusted_other_accounts])).toEqual([
        ['list', ['222233334444', '333344445555']],
        ['everyone', ['*']],
        ['any-aws', ['*']],
        ['encoded', ['444455556666']],
        ['single-statement', ['555566667777']],
        ['single-everyone', ['*']],
      ]);
    } finally {
      engine.close();
    }
  });

  it('CreateRole refused (AccessDenied): shown with the role from errorMessage, its trust policy unknown', async () => {
    // TrailDiscover's recorded CreateRole AccessDenied event: requestParameters and responseElements
    // null, the role named only in errorMessage ("on resource: arn:aws:iam::...:role/TrailDiscover").
    const engine = await engineOver(['fixtures/public/traildiscover/events/IAM/CreateRole.json.cloudtrail']);
    try {
      expect(await run(engine, byId('aws_iam_create_role'))).toEqual([{
        _time: t('2024-08-18T12:18:29Z'), eventName: 'CreateRole', recipientAccountId: '111111111111', user_arn: 'arn:aws:iam::111111111111:user/TrailDiscover', src: '0.0.0.0',
        role_name: 'TrailDiscover', role_description: null, role_arn: null, trusted_principals: null, trusted_other_accounts: null,
        status: 'failure', errorCode: 'AccessDenied',
      }]);
    } finally {
      engine.close();
    }
  });

  it('AssumeRole: people and workloads (no AWS services), each cross-account call once, from the caller\'s trail', async () => {
    const rows = await run(sample, byId('aws_sts_assume_role'));
    const scanner = 'arn:aws:sts::444455556666:assumed-role/org-inventory-scanner-role/org-inventory-scanner';
    const ci = 'arn:aws:iam::111122223333:user/ci-deployer';
    const devsam = 'arn:aws:iam::222233334444:user/dev.sam';
    const outside = 'AIDAH4XI52CPBVIOVMOXJ';
    const line = (r: Row) => [iso(r._time), r.requester, r.requesting_account, r.role_arn, r.cross_account, r.status, r.recorded_in].join(' ');
    const role = (acct: string, name: string) => `arn:aws:iam::${acct}:role/${name}`;
    const scan = (time: string, acct: string) => `${time} ${scanner} 444455556666 ${role(acct, 'SecurityAuditRole')} yes success ${acct},444455556666`;
    const ciLine = (time: string) => `${time} ${ci} 111122223333 ${role('111122223333', 'DeployRole')} no success 111122223333`;
    const devLine = (time: string) => `${time} ${devsam} 222233334444 ${role('111122223333', 'DeployRole')} yes success 111122223333,222233334444`;
    expect(rows.map(line)).toEqual([
      ciLine('2026-11-27T18:48:42Z'),
      `2026-11-27T14:12:50Z ${outside} 999988887777 ${role('111122223333', 'ops-sync-role')} yes success 111122223333`,
      ciLine('2026-11-27T14:01:21Z'),
      scan('2026-11-27T06:00:31Z', '222233334444'),
      scan('2026-11-27T06:00:29Z', '111122223333'),
      `2026-11-27T02:31:05Z ${outside} 999988887777 ${role('111122223333', 'ops-sync-role')} yes success 111122223333`,
      scan('2026-11-26T06:00:25Z', '222233334444'),
      scan('2026-11-26T06:00:23Z', '111122223333'),
      ciLine('2026-11-25T18:27:35Z'),
      ciLine('2026-11-25T14:06:23Z'),
      devLine('2026-11-25T10:08:44Z'),
      scan('2026-11-25T06:00:41Z', '222233334444'),
      scan('2026-11-25T06:00:39Z', '111122223333'),
      ciLine('2026-11-24T18:48:04Z'),
      ciLine('2026-11-24T14:27:42Z'),
      `2026-11-24T10:14:40Z ${devsam} 222233334444 ${role('111122223333', 'OrganizationAccountAccessRole')} yes failure 222233334444`,
      scan('2026-11-24T06:00:09Z', '222233334444'),
      scan('2026-11-24T06:00:07Z', '111122223333'),
      ciLine('2026-11-23T18:45:29Z'),
      ciLine('2026-11-23T14:39:45Z'),
      devLine('2026-11-23T10:24:56Z'),
      scan('2026-11-23T06:00:34Z', '222233334444'),
      scan('2026-11-23T06:00:32Z', '111122223333'),
      ciLine('2026-11-22T14:31:07Z'),
      scan('2026-11-22T06:00:28Z', '222233334444'),
      scan('2026-11-22T06:00:26Z', '111122223333'),
      ciLine('2026-11-21T14:47:44Z'),
      scan('2026-11-21T06:00:12Z', '222233334444'),
      scan('2026-11-21T06:00:10Z', '111122223333'),
      ciLine('2026-11-20T18:08:35Z'),
      ciLine('2026-11-20T14:27:18Z'),
      devLine('2026-11-20T10:10:41Z'),
      scan('2026-11-20T06:00:30Z', '222233334444'),
      scan('2026-11-20T06:00:28Z', '111122223333'),
    ]);
    expect(rows[5]).toEqual({
      _time: t('2026-11-27T02:31:05Z'), requester: outside, caller_type: 'AWSAccount', requesting_account: '999988887777',
      role_arn: 'arn:aws:iam::111122223333:role/ops-sync-role', role_account: '111122223333', cross_account: 'yes', session_name: 'sync',
      src: '185.220.101.47', user_agent: UA_INTRUDER, issued_key: 'ASIART4MF6FNS7M5BPHR', status: 'success', errorCode: 'success', recorded_in: ['111122223333'],
    });
    // The refused call has no requestParameters and no resources: the role comes from errorMessage.
    expect(rows[15]).toEqual({
      _time: t('2026-11-24T10:14:40Z'), requester: devsam, caller_type: 'IAMUser', requesting_account: '222233334444',
      role_arn: 'arn:aws:iam::111122223333:role/OrganizationAccountAccessRole', role_account: '111122223333', cross_account: 'yes', session_name: null,
      src: '91.64.112.45', user_agent: cliDevSam('sts.assume-role'), issued_key: null, status: 'failure', errorCode: 'AccessDenied', recorded_in: ['222233334444'],
    });
  });

  it('AssumeRole keeps the role owner\'s copy when the caller\'s trail is not loaded', async () => {
    const engine = await engineOver([join(SAMPLE_DIR, 'AWSLogs', '111122223333')]);
    try {
      const rows = (await run(engine, byId('aws_sts_assume_role'))).filter((r) => r.requesting_account === '222233334444');
      expect(rows.map((r) => [iso(r._time), r.requester, r.caller_type, r.recorded_in])).toEqual([
        ['2026-11-25T10:08:44Z', 'AIDAPORCIFL2ICSNODXYB', 'AWSAccount', ['111122223333']],
        ['2026-11-23T10:24:56Z', 'AIDAPORCIFL2ICSNODXYB', 'AWSAccount', ['111122223333']],
        ['2026-11-20T10:10:41Z', 'AIDAPORCIFL2ICSNODXYB', 'AWSAccount', ['111122223333']],
      ]);
    } finally {
      engine.close();
    }
  });

  it('a cross-account AssumeRole shows the caller\'s copy even when the role owner\'s copy is a second later; AssumeRoleWithSAML is not an AssumeRole', async () => {
    // CloudTrail User Guide, "Example sharedEventID": a cross-account call is sent as two separate
    // events with the same sharedEventID and their own eventID and recipientAccountId; nothing there
    // makes their eventTime equal. The owner's copy names the caller as type AWSAccount, no ARN.
    const role = 'arn:aws:iam::444455556666:role/R';
    const copy = (eventID: string, time: string, recipient: string, identity: Record<string, unknown>) => ({
      eventVersion: '1.08', eventTime: time, eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole', awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.9', userAgent: 'test', recipientAccountId: recipient, eventID, sharedEventID: 'shared-1', userIdentity: identity,
      requestParameters: { roleArn: role, roleSessionName: 's' }, responseElements: { credentials: { accessKeyId: 'ASIAX', expiration: 'x' } },
      resources: [{ accountId: '444455556666', type: 'AWS::IAM::Role', ARN: role }],
    });
    const dir = tempDir();
    writeFileSync(join(dir, 'sts.json'), JSON.stringify({ Records: [
      copy('e-caller', '2026-11-26T10:00:00Z', '111122223333',
        { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/u', accountId: '111122223333', principalId: 'AIDAU', userName: 'u', accessKeyId: 'AKIAU' }),
      copy('e-owner', '2026-11-26T10:00:01Z', '444455556666', { type: 'AWSAccount', principalId: 'AIDAU', accountId: '111122223333' }),
      { ...copy('e-saml', '2026-11-26T11:00:00Z', '111122223333', { type: 'SAMLUser', principalId: 'idp:y', userName: 'y' }), eventName: 'AssumeRoleWithSAML', sharedEventID: undefined },
    ] }));
    const engine = await engineOver([dir]);
    try {
      expect(await run(engine, byId('aws_sts_assume_role'), {}, t('2026-11-27T00:00:00Z'))).toEqual([{
        _time: t('2026-11-26T10:00:00Z'), requester: 'arn:aws:iam::111122223333:user/u', caller_type: 'IAMUser', requesting_account: '111122223333',
        role_arn: role, role_account: '444455556666', cross_account: 'yes', session_name: 's', src: '198.51.100.9', user_agent: 'test',
        issued_key: 'ASIAX', status: 'success', errorCode: 'success', recorded_in: ['111122223333', '444455556666'],
      }]);
      const pairs = await run(engine, byId('aws_cross_account_new_pair'), {}, t('2026-11-27T10:00:00Z'));
      expect(pairs.map((r) => [r.requesting_account, r.requested_account, r.firstTime, r.calls, r.requesters])).toEqual([
        ['111122223333', '444455556666', '2026-11-26T10:00:00Z', 1, ['arn:aws:iam::111122223333:user/u']],
      ]);
      // The window is the 24 hours before now(), both ends included: a second later the pair is not new.
      expect(await run(engine, byId('aws_cross_account_new_pair'), {}, t('2026-11-27T10:00:01Z'))).toEqual([]);
    } finally {
      engine.close();
    }
  });

  it('GetSessionToken by IAM users: with MFA, without MFA (IPv6, the intruder) and the failed one', async () => {
    const ana = (time: string, key: string) => ({
      _time: t(time), recipientAccountId: '111122223333', user: 'ana.ops', user_arn: 'arn:aws:iam::111122223333:user/ana.ops', src: '73.158.64.21',
      user_agent: cliAna('sts.get-session-token'), with_mfa: 'yes', mfa_serial: 'arn:aws:iam::111122223333:mfa/ana.ops', duration_seconds: '43200',
      issued_key: key, status: 'success', errorCode: 'success',
    });
    const devsam = { recipientAccountId: '222233334444', user: 'dev.sam', user_arn: 'arn:aws:iam::222233334444:user/dev.sam', user_agent: cliDevSam('sts.get-session-token'), duration_seconds: '43200' };
    expect(await run(sample, byId('aws_sts_get_session_token'))).toEqual([
      ana('2026-11-27T16:01:16Z', 'ASIAXKJNNLXKFVK4S5DX'),
      {
        _time: t('2026-11-27T02:04:22Z'), recipientAccountId: '111122223333', user: 'svc-backup', user_arn: 'arn:aws:iam::111122223333:user/svc-backup',
        src: '185.220.101.47', user_agent: UA_INTRUDER, with_mfa: 'no', mfa_serial: null, duration_seconds: '43200', issued_key: 'ASIAMJPOHEBSHD2CNTDE',
        status: 'success', errorCode: 'success',
      },
      ana('2026-11-25T16:26:06Z', 'ASIANIGSY7UXS2OZ67IA'),
      { _time: t('2026-11-25T09:02:18Z'), ...devsam, src: '91.64.112.45', with_mfa: 'yes', mfa_serial: 'arn:aws:iam::222233334444:mfa/dev.sam', issued_key: null, status: 'failure', errorCode: 'AccessDenied' },
      ana('2026-11-24T16:13:58Z', 'ASIAAOGSBAYASXIR2FZJ'),
      { _time: t('2026-11-24T10:20:03Z'), ...devsam, src: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', with_mfa: 'no', mfa_serial: null, issued_key: 'ASIANDXRTLUUFCF36VU3', status: 'success', errorCode: 'success' },
      ana('2026-11-23T16:11:05Z', 'ASIAY6HSOC6YPJRPEMIX'),
      ana('2026-11-20T16:22:45Z', 'ASIAWAVXJUR3JJ5LGWAE'),
    ].map((r) => ({
      _time: r._time, recipientAccountId: r.recipientAccountId, awsRegion: 'us-east-1', user: r.user, user_arn: r.user_arn, src: r.src, user_agent: r.user_agent, with_mfa: r.with_mfa,
      mfa_serial: r.mfa_serial, duration_seconds: r.duration_seconds, issued_key: r.issued_key, status: r.status, errorCode: r.errorCode,
    })));
  });
});

describe('cross-account baseline and detection', () => {
  const PAIRS = [
    { requesting_account: '222233334444', requested_account: '111122223333', firstTime: String(t('2026-11-20T10:10:41Z')), lastTime: String(t('2026-11-25T10:08:44Z')) },
    { requesting_account: '444455556666', requested_account: '111122223333', firstTime: String(t('2026-11-20T06:00:28Z')), lastTime: String(t('2026-11-27T06:00:29Z')) },
    { requesting_account: '444455556666', requested_account: '222233334444', firstTime: String(t('2026-11-20T06:00:30Z')), lastTime: String(t('2026-11-27T06:00:31Z')) },
    { requesting_account: '999988887777', requested_account: '111122223333', firstTime: String(t('2026-11-27T02:31:05Z')), lastTime: String(t('2026-11-27T14:12:50Z')) },
  ];
  const NEW_PAIR = {
    requesting_account: '999988887777', requested_account: '111122223333', firstTime: '2026-11-27T02:31:05Z', lastTime: '2026-11-27T14:12:50Z', calls: 2,
    roles: ['arn:aws:iam::111122223333:role/ops-sync-role'], requesters: ['AIDAH4XI52CPBVIOVMOXJ'], src: ['185.220.101.47'], user_agents: [UA_INTRUDER],
  };

  async function baseline(stateDir: string, paths: string[]): Promise<Row[]> {
    const engine = await engineOver(paths, stateDir);
    try {
      return await run(engine, byId('aws_cross_account_baseline'));
    } finally {
      engine.close();
    }
  }
  const lookupFile = (stateDir: string) => join(stateDir, 'lookups', 'previously_seen_aws_cross_account_pairs.csv');

  it('records the three organisation pairs and the outside one, each with first and last sighting', async () => {
    const state = tempDir();
    // The first run has no lookup to merge with, so its times are still numbers; the file is text.
    expect(await baseline(state, [SAMPLE_DIR])).toEqual(PAIRS.map((p) => ({ ...p, firstTime: Number(p.firstTime), lastTime: Number(p.lastTime) })));
    expect(readFileSync(lookupFile(state), 'utf8')).toBe(
      'requesting_account,requested_account,firstTime,lastTime\n' + PAIRS.map((p) => Object.values(p).join(',')).join('\n') + '\n',
    );
  });

  it('over overlapping batches (days 20-24, then 22-27) gives the same lookup as one run over the union', async () => {
    const batched = tempDir();
    await baseline(batched, sampleDays(20, 24));
    const first = readFileSync(lookupFile(batched), 'utf8');
    // The first batch has not seen the outside account yet.
    expect(first).not.toContain('999988887777');
    await baseline(batched, sampleDays(22, 27));
    const once = tempDir();
    await baseline(once, sampleDays(20, 27));
    expect(readFileSync(lookupFile(batched), 'utf8')).toBe(readFileSync(lookupFile(once), 'utf8'));
    // Running the same batch again changes nothing.
    await baseline(batched, sampleDays(22, 27));
    expect(readFileSync(lookupFile(batched), 'utf8')).toBe(readFileSync(lookupFile(once), 'utf8'));
  });

  it('never loses a pair that the new data does not mention', async () => {
    const state = tempDir();
    await baseline(state, [SAMPLE_DIR]);
    // dev -> prod was last seen on the 25th; the 26th and 27th do not mention it.
    expect(await baseline(state, sampleDays(26, 27))).toEqual(PAIRS);
  });

  it('detection with --now 2026-11-28: only the outside account, with or without the baseline having run', async () => {
    const q = byId('aws_cross_account_new_pair');
    const noBaseline = await engineOver([SAMPLE_DIR]);
    try {
      expect(await run(noBaseline, q)).toEqual([NEW_PAIR]);
    } finally {
      noBaseline.close();
    }
    const state = tempDir();
    await baseline(state, [SAMPLE_DIR]);
    const engine = await engineOver([SAMPLE_DIR], state);
    try {
      expect(await run(engine, q)).toEqual([NEW_PAIR]);
      // A day later the pair is no longer new.
      expect(await run(engine, q, {}, t('2026-11-29T00:00:00Z'))).toEqual([]);
    } finally {
      engine.close();
    }
    // Replayed at noon on the 27th, with no baseline yet, only the first call had happened.
    const fresh = await engineOver([SAMPLE_DIR]);
    try {
      expect(await run(fresh, q, {}, t('2026-11-27T12:00:00Z'))).toEqual([{ ...NEW_PAIR, lastTime: '2026-11-27T02:31:05Z', calls: 1 }]);
    } finally {
      fresh.close();
    }
  });

  it('detection over only the last day uses the baseline for history; without one every pair of that day looks new', async () => {
    const q = byId('aws_cross_account_new_pair');
    const lastDay = sampleDays(27, 27);
    const state = tempDir();
    await baseline(state, sampleDays(20, 26));
    const withBaseline = await engineOver(lastDay, state);
    const without = await engineOver(lastDay);
    try {
      expect(await run(withBaseline, q)).toEqual([NEW_PAIR]);
      expect((await run(without, q)).map((r) => `${r.requesting_account}->${r.requested_account}`)).toEqual([
        '444455556666->111122223333',
        '444455556666->222233334444',
        '999988887777->111122223333',
      ]);
    } finally {
      withBaseline.close();
      without.close();
    }
  });
});

describe('investigations on the sample', () => {
  const line = (r: Row) => [iso(r._time), r.eventName, r.src, r.eventID].join(' ');
  const intruder = [
    '2026-11-27T02:12:03Z CreateAccessKey 185.220.101.47 ed219f0f-2f51-4ede-8f11-2f66e2634620',
    '2026-11-27T02:09:50Z AttachRolePolicy 185.220.101.47 d4b53dba-e77e-4d9d-a9bd-00a21751f6c2',
    '2026-11-27T02:09:12Z CreateRole 185.220.101.47 1671e33e-1458-495b-b581-f8e4ff15aa3a',
    '2026-11-27T02:06:01Z AttachUserPolicy 185.220.101.47 ff5bb457-634a-4668-b0da-956b2de8e2e9',
    '2026-11-27T02:05:16Z ListRoles 185.220.101.47 82336855-bcc8-4a5d-9a8a-ee3100a4cd6e',
    '2026-11-27T02:04:22Z GetSessionToken 185.220.101.47 efb1444c-e701-4557-be16-25c2080b1a29',
    '2026-11-27T02:03:41Z GetCallerIdentity 185.220.101.47 7fa2dd33-1667-45d8-8b68-167b3201a4b9',
  ];
  const session = {
    late: [
      '2026-11-27T14:13:55Z StopLogging 185.220.101.47 fadf9921-e261-4cca-a2fd-0732cf403b26',
      '2026-11-27T14:13:10Z DescribeInstances 185.220.101.47 32d156de-9785-4f60-85a3-6d05a96f4dcf',
    ],
    assume2: '2026-11-27T14:12:50Z AssumeRole 185.220.101.47 b1b74468-84b8-4120-b806-75fdb1df3736',
    early: [
      '2026-11-27T02:32:52Z GetObject 185.220.101.47 e5bb1cef-da2b-4fcd-a3d5-fa44490ca3e4',
      '2026-11-27T02:32:35Z GetObject 185.220.101.47 f9042053-370e-4631-8d38-59d9450a7b0b',
      '2026-11-27T02:32:05Z GetObject 185.220.101.47 e16b851d-47a8-4625-87e5-a30ebc4044d0',
      '2026-11-27T02:31:35Z ListBuckets 185.220.101.47 5c6e40a6-a47d-4bae-a766-852facf1e21c',
    ],
    assume1: '2026-11-27T02:31:05Z AssumeRole 185.220.101.47 4d2e5759-0373-4267-a26d-952d69108959',
  };
  const allFromIntruderIp = [...session.late, session.assume2, ...session.early, session.assume1, ...intruder];

  it('by user ARN: svc-backup\'s nightly backups and the intruder\'s calls with its key', async () => {
    const rows = await run(sample, byId('aws_investigate_user_arn'), { arn: SAMPLE_PARAMS.arn! });
    expect(rows.slice(0, 7).map(line)).toEqual(intruder);
    expect(rows.length).toBe(31);
    // The rest: 3 backup reads a night, 8 nights, from the backup host through the VPC endpoint.
    expect(rows.slice(7).map((r) => `${r.eventName} ${r.src} ${r.caller}`)).toEqual(Array(24).fill('GetObject 10.20.7.12 svc-backup'));
  });

  it('by user ARN of a role: every session the role issued', async () => {
    const rows = await run(sample, byId('aws_investigate_user_arn'), { arn: 'arn:aws:iam::111122223333:role/ops-sync-role' });
    expect(rows.map(line)).toEqual([...session.late, ...session.early]);
  });

  it('by access key: a long-term key\'s use (same 31 calls); a temporary key\'s use and the call that issued it', async () => {
    const q = byId('aws_investigate_access_key');
    const byArn = await run(sample, byId('aws_investigate_user_arn'), { arn: SAMPLE_PARAMS.arn! });
    const byKey = await run(sample, q, { access_key_id: SAMPLE_PARAMS.access_key_id! });
    expect(byKey.map(line)).toEqual(byArn.map(line));
    expect(new Set(byKey.map((r) => r.key_use))).toEqual(new Set(['used']));
    const temp = await run(sample, q, { access_key_id: 'ASIART4MF6FNS7M5BPHR' });
    expect(temp.map((r) => `${r.key_use} ${line(r)}`)).toEqual([...session.early.map((l) => `used ${l}`), `issued ${session.assume1}`]);
  });

  it('by source user: the session\'s calls and the AssumeRole calls that opened it', async () => {
    const rows = await run(sample, byId('aws_investigate_source_user'), { src_user: SAMPLE_PARAMS.src_user! });
    expect(rows.map((r) => `${r.session_start} ${line(r)}`)).toEqual([
      ...session.late.map((l) => `no ${l}`), `yes ${session.assume2}`, ...session.early.map((l) => `no ${l}`), `yes ${session.assume1}`,
    ]);
    expect(rows[2]).toMatchObject({ requester: 'AIDAH4XI52CPBVIOVMOXJ', requesting_account: '999988887777', caller_type: 'AWSAccount' });
  });

  it('from an IP address: every intruder and outside-session event', async () => {
    expect((await run(sample, byId('aws_activity_from_ip'), { ip: SAMPLE_PARAMS.ip! })).map(line)).toEqual(allFromIntruderIp);
  });

  it('from a city and from a region (iplocation): the Tor exit\'s events', async () => {
    const city = await run(sample, byId('aws_activity_from_city'), { city: SAMPLE_PARAMS.city! });
    expect(city.map(line)).toEqual(allFromIntruderIp);
    expect(city[0]).toMatchObject({ City: 'Brandenburg an der Havel', Region: 'Brandenburg', Country: 'Germany' });
    expect((await run(sample, byId('aws_activity_from_geo_region'), { geo_region: SAMPLE_PARAMS.geo_region! })).map(line)).toEqual(allFromIntruderIp);
  });

  it('from a country: the Tor exit and dev.sam\'s addresses in Germany', async () => {
    const rows = await run(sample, byId('aws_activity_from_country'), { country: SAMPLE_PARAMS.country! });
    const bySrc: Record<string, number> = {};
    for (const r of rows) bySrc[r.src as string] = (bySrc[r.src as string] ?? 0) + 1;
    expect(bySrc).toEqual({ '185.220.101.47': 15, '91.64.112.45': 33, '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4': 2 });
    expect(new Set(rows.map((r) => r.Country))).toEqual(new Set(['Germany']));
  });

  it('in an AWS region: the eight eu-west-1 calls, one of them the outside session\'s', async () => {
    const rows = await run(sample, byId('aws_activity_in_region'), { region: SAMPLE_PARAMS.region! });
    expect(rows.map((r) => `${iso(r._time)} ${r.eventName} ${r.caller}`)).toEqual([
      '2026-11-27T15:41:09Z DescribeLogGroups maria.gomez@example.com',
      '2026-11-27T14:13:10Z DescribeInstances sync',
      '2026-11-25T16:07:27Z DescribeLogGroups maria.gomez@example.com',
      '2026-11-25T16:05:55Z DescribeLogGroups maria.gomez@example.com',
      '2026-11-24T16:01:55Z DescribeLogGroups tom.becker@example.com',
      '2026-11-24T16:01:27Z DescribeInstances tom.becker@example.com',
      '2026-11-23T15:29:22Z DescribeLogGroups tom.becker@example.com',
      '2026-11-20T15:38:25Z DescribeInstances maria.gomez@example.com',
    ]);
  });

  it('by user: the session name "sync" finds the outside session', async () => {
    expect((await run(sample, byId('aws_investigate_user'), { user: SAMPLE_PARAMS.user! })).map(line)).toEqual([...session.late, ...session.early]);
  });

  it('a parameter value is data, never SPL', async () => {
    expect(await run(sample, byId('aws_activity_from_ip'), { ip: '185.220.101.47" OR sourceIPAddress="*' })).toEqual([]);
  });
});
