// The field sidebar's add-on fields counted over the distinct combinations of what each reads
// (issue 14): every figure must be what counting row by row gives. The reference here is the
// straightforward count: the search with `| table <field>`, each row's value computed, then
// grouped (field-summary.ts's per-row SQL), compared field by field with Engine.summarizeFields.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonDefinition, addonFieldNames } from '../src/compiler/addon-fields.js';
import { groupedFields } from '../src/compiler/grouped-fields.js';
import { compilePrepared, prepare } from '../src/compiler/index.js';
import { Engine } from '../src/engine/engine.js';
import { multivalueSummarySql, readMultivalueSummary, readScalarSummary, scalarSummarySql, type FieldSummary } from '../src/engine/field-summary.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

/** Every add-on field with a rule, aliases included (they take the per-row path, the rest the grouped one). */
const ADDON = addonFieldNames().filter((name) => addonDefinition(name)?.field.expr);

/** The per-row count of `fields` over the rows `spl` returns (the first `first` only, when given). */
async function perRow(engine: Engine, spl: string, fields: string[], first?: number): Promise<{ rows: number; fields: FieldSummary[] }> {
  const search = `${spl}${first === undefined ? '' : `\n| head ${first}`}\n| table ${fields.join(' ')}`;
  const { compiled } = await engine.prepareWithData(search, { now: SAMPLE_NOW, unordered: true });
  const scalar = compiled.columns.filter((c) => compiled.types[c] !== 'mv');
  const multi = compiled.columns.filter((c) => compiled.types[c] === 'mv');
  const counted = await readScalarSummary(engine.connection, scalarSummarySql(compiled.sql, scalar), scalar);
  if (multi.length) counted.fields.push(...(await readMultivalueSummary(engine.connection, multivalueSummarySql(compiled.sql, multi), multi)));
  return counted;
}

const byName = (fields: FieldSummary[]) => Object.fromEntries(fields.map((f) => [f.field, f]));

/**
 * The sidebar's counts equal the per-row ones for every add-on field: as it chooses (`auto`: a set
 * of inputs with nearly as many combinations as rows is counted row by row, which on these small
 * fixtures is most of the identity fields) and with every computed field grouped (`all`).
 */
async function expectSame(engine: Engine, spl: string, first?: number): Promise<{ rows: number; fields: FieldSummary[] }> {
  const expected = await perRow(engine, spl, ADDON, first);
  let got = await expectCounts(engine, spl, expected, first, 'auto');
  got = await expectCounts(engine, spl, expected, first, 'all');
  return got;
}

async function expectCounts(engine: Engine, spl: string, expected: { rows: number; fields: FieldSummary[] }, first: number | undefined, group: 'auto' | 'all') {
  const got = await engine.summarizeFields(spl, { now: SAMPLE_NOW, group, ...(first === undefined ? {} : { first }) }, ADDON);
  expect(got.rows, spl).toBe(expected.rows);
  const want = byName(expected.fields);
  const have = byName(got.fields);
  // Counted only when a row has it in the reference: a field none has may be left out or counted 0.
  for (const name of ADDON) {
    const w = want[name] ?? { field: name, present: 0, distinct: 0, top: [] };
    const h = have[name] ?? { field: name, present: 0, distinct: 0, top: [] };
    expect(h, `${spl} (${group}): ${name}`).toEqual(w);
  }
  return got;
}

/**
 * Events made to catch a weighting mistake: several combinations giving one value, nulls and
 * empty strings, multivalue tag and eventtype (a delete event matched through `_raw` only), ties
 * in the top values, and the same combination many times over.
 */
function syntheticEvents(): object[] {
  const out: object[] = [];
  let n = 0;
  const base = (eventName: string, extra: Record<string, unknown> = {}) => ({
    eventVersion: '1.08',
    eventTime: new Date(Date.UTC(2026, 10, 21, 0, 0, n)).toISOString().replace('.000', ''),
    eventSource: 'iam.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2',
    eventID: `00000000-0000-0000-0000-${String(++n).padStart(12, '0')}`,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' },
    ...extra,
  });
  for (let i = 0; i < 7; i++) out.push(base('CreateUser', { requestParameters: { userName: `u${i % 3}` }, responseElements: { user: { userName: `u${i % 3}`, userId: `AIDA${i % 3}` } } }));
  for (let i = 0; i < 7; i++) out.push(base('ListAccessKeys', { errorCode: i % 2 ? 'AccessDenied' : '', errorMessage: i % 2 ? 'User: x is not authorized on resource: user bob' : null }));
  out.push(base('ConsoleLogin', { eventSource: 'signin.amazonaws.com', eventType: 'AwsConsoleSignIn', additionalEventData: { LoginTo: 'https://console.aws.amazon.com', MFAUsed: 'Yes' }, responseElements: { ConsoleLogin: 'Success' } }));
  out.push(base('ConsoleLogin', { eventSource: 'signin.amazonaws.com', eventType: 'AwsConsoleSignIn', additionalEventData: { MFAUsed: 'No' }, responseElements: { ConsoleLogin: 'Failure' } }));
  out.push(base('ConsoleLogin', { eventSource: 'signin.amazonaws.com', eventType: 'AwsConsoleSignIn', userIdentity: { type: 'AssumedRole', principalId: 'AROA1:bob', arn: 'arn:aws:sts::111122223333:assumed-role/r/bob', sessionContext: { sessionIssuer: { type: 'Role', userName: 'r', principalId: 'AROA1' } } }, additionalEventData: { MFAUsed: 'No' }, responseElements: { ConsoleLogin: 'Success' } }));
  for (const type of ['AWSService', 'IAMUser', 'AssumedRole']) {
    out.push(base('AssumeRole', { eventSource: 'sts.amazonaws.com', sourceIPAddress: type === 'AWSService' ? 'ec2.amazonaws.com' : '', userIdentity: { type, ...(type === 'AWSService' ? { invokedBy: 'ec2.amazonaws.com' } : { principalId: 'AIDAX', arn: 'arn:aws:iam::111122223333:user/carol', accountId: '111122223333' }) }, requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/admin', roleSessionName: 's' }, responseElements: { assumedRoleUser: { arn: 'arn:aws:sts::111122223333:assumed-role/admin/s', assumedRoleId: 'AROAADMIN:s' } }, resources: [{ type: 'AWS::IAM::Role', ARN: 'arn:aws:iam::111122223333:role/admin' }] }));
  }
  out.push(base('AssumeRole', { eventSource: 'sts.amazonaws.com', errorCode: 'AccessDenied', errorMessage: 'not authorized' }));
  for (let i = 0; i < 3; i++) out.push(base('DeleteBucket', { eventSource: 's3.amazonaws.com', requestParameters: { bucketName: `b${i}`, Host: `b${i}.s3.amazonaws.com` } }));
  for (let i = 0; i < 3; i++) out.push(base('RebootInstances', { eventSource: 'ec2.amazonaws.com', requestParameters: { instancesSet: { items: [{ instanceId: `i-${i}` }, { instanceId: 'i-shared' }] } } }));
  // Matched by the delete event type through the raw text only (a value, not the event name).
  out.push(base('PutBucketPolicy', { eventSource: 's3.amazonaws.com', userAgent: null, requestParameters: { bucketName: 'b0', policy: 'RemoveMe' } }));
  out.push(base('AuthorizeSecurityGroupIngress', { eventSource: 'ec2.amazonaws.com', requestParameters: { groupId: 'sg-1', ipPermissions: { items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } } }));
  out.push(base('CreateNetworkAclEntry', { eventSource: 'ec2.amazonaws.com', requestParameters: { networkAclId: 'acl-1', ruleNumber: 100, egress: true, ruleAction: 'allow', aclProtocol: '6', cidrBlock: '10.0.0.0/8', portRange: { from: 80, to: 80 } } }));
  // No event name: a rule's conditions on it are null here, true or false on the other rows.
  const { eventName: _, ...unnamed } = base('DeleteObject', { eventSource: 's3.amazonaws.com', requestParameters: { bucketName: 'b1', key: 'k' } }) as Record<string, unknown>;
  out.push(unnamed);
  out.push(base('GetObject', { eventSource: 's3.amazonaws.com', sourceIPAddress: null, userIdentity: { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' } }));
  return out;
}

describe('the add-on fields over distinct combinations give the per-row figures', () => {
  let sample: Engine;
  let stratus: Engine;
  let synthetic: Engine;
  let profile5: Engine;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spelunk-addon-summary-'));
    writeFileSync(path.join(dir, 'synthetic.json'), JSON.stringify({ Records: syntheticEvents() }));
    [sample, stratus, synthetic, profile5] = await Promise.all([Engine.open(), Engine.open(), Engine.open(), Engine.open({ addon: '5' })]);
    await sample.load([SAMPLE_DIR]);
    await profile5.load([SAMPLE_DIR, dir]);
    await stratus.load(['fixtures/public/stratus-red-team']);
    await synthetic.load([dir]);
  });
  afterAll(() => {
    sample?.close();
    stratus?.close();
    synthetic?.close();
    profile5?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on the bundled sample, every event and a search of a few', async () => {
    const all = await expectSame(sample, '*');
    expect(all.rows).toBe(515);
    await expectSame(sample, 'eventName=AssumeRole');
    await expectSame(sample, 'errorCode=AccessDenied OR eventName=ConsoleLogin');
    // A bare term: the rules folded over every event's values, not the search's rows'.
    await expectSame(sample, 'AccessDenied');
  });

  it('over the first rows of a search', async () => {
    await expectSame(sample, '*', 50);
    await expectSame(sample, 'eventName=AssumeRole', 7);
  });

  it('on the stratus fixtures', async () => {
    await expectSame(stratus, '*');
  });

  it('on events with nulls, empty strings, multivalue tags and several combinations of one value', async () => {
    const got = byName((await expectSame(synthetic, '*')).fields);
    // The case is what it says: tags of several event types, a delete type found in the raw text.
    expect(got.tag!.distinct).toBeGreaterThan(4);
    expect(got.eventtype!.top.find((t) => t.value === 'aws_cloudtrail_delete_events')?.count).toBe(7);
    expect(got.msg!.top.find((t) => t.value === 'success')!.count).toBeGreaterThan(10);
    await expectSame(synthetic, 'eventName=ConsoleLogin OR eventName=AssumeRole');
    await expectSame(synthetic, 'eventName=NoSuchCall');
    await expectSame(synthetic, 'NOT eventName=*');
    await expectSame(synthetic, 'RemoveMe OR eventName=CreateUser');
  });

  it('under the add-on 5 profile (AssumeRole tagged authentication)', async () => {
    await expectSame(profile5, '*');
    await expectSame(profile5, 'eventName=AssumeRole OR eventName=GetObject');
  });
});

describe('what the grouped count reads, from the compiled rules', () => {
  const split = (spl: string, fields: string[]) => groupedFields(compilePrepared(prepare(spl), { now: SAMPLE_NOW, unordered: true }), fields);

  it('groups computed fields over the columns and paths their compiled rules read, the raw-text scan as one input', () => {
    const g = split('* | table tag eventtype user_type src vendor_product', ['tag', 'eventtype', 'user_type', 'src', 'vendor_product'])!;
    const of = (name: string) => g.fields.find((f) => f.field === name);
    // tag is computed from the event types: the same inputs.
    expect(of('tag')!.inputs).toEqual(of('eventtype')!.inputs);
    expect(of('tag')!.type).toBe('mv');
    const names = (f: string) => of(f)!.inputs.map((i) => g.inputs[i]);
    expect(names('eventtype').length).toBeLessThan(12);
    // The delete event type's scan of `_raw` (eventtypes.conf [aws_cloudtrail_delete_events]:
    // `*Delete* OR *Remove* OR *Reboot*`) is one boolean input, not the text, and case-insensitive
    // regexes without lower() over the text.
    expect(g.sql).toMatch(/regexp_matches\("_raw", '\(\?i\)Delete'\)[^\n]*AS "__in_\d+"/);
    expect(g.sql).not.toContain('lower("_raw")');
    expect(g.sql).not.toMatch(/"_raw" AS "__in_/);
    // The table's own projection (each grouped field's whole rule) is replaced, not printed unread.
    expect(g.sql).not.toMatch(/ AS "(tag|eventtype|user_type)"/);
    // An alias is its column (counted as it is), a constant is as cheap row by row.
    expect(of('src')).toBeUndefined();
    expect(of('vendor_product')).toBeUndefined();
    expect(g.columns).toEqual(['src', 'vendor_product']);
  });

  it('leaves a field that is no function of its row alone to the per-row count', () => {
    const g = split('* | eval r=random() % 2, x=eventName . "!" | table r x user_type', ['r', 'x', 'user_type']);
    // The eval's fields are columns of the rows by the time they are counted; random() is not grouped.
    expect(g!.fields.map((f) => f.field)).toEqual(['user_type']);
  });
});
