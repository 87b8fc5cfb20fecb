// Every Splunk Add-on for AWS field on real event shapes: events that have its source fields and
// events that lack them (a missing source gives null, never an error).
import { describe, expect, it } from 'vitest';
import { ADDON_FIELDS } from '../src/compiler/addon-fields.js';
import { expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();
const NAMES = ADDON_FIELDS.map((f) => f.name);

/** A row of every add-on field: the ones given, null for the rest. */
function row(eventID: string, values: Record<string, string>) {
  const out: Record<string, string | null> = { eventID };
  for (const n of NAMES) out[n] = values[n] ?? null;
  return out;
}

const BOTO = 'Boto3/1.26.137 Python/3.10.12 Linux/6.5.0-1016-generic Botocore/1.29.137';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CLI_GST = 'aws-cli/2.21.1 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#sts.get-session-token';
const CLI_ASSUME = 'aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-1019-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#sts.assume-role';
const DENIED = 'User: arn:aws:iam::222233334444:user/dev.sam is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/OrganizationAccountAccessRole';
const same = (name: string, value: string) => Object.fromEntries(['signature', 'command', 'event_name'].map((f) => [f, value]).concat([['_', name]]));
const agent = (a: string) => ({ user_agent: a, http_user_agent: a });
const account = (a: string) => ({ vendor_account: a, aws_account_id: a });

describe('add-on fields', () => {
  it('every field, on an IAM user, an assumed role with MFA, a root console login, a failed call, an AWS service', async () => {
    const ids = ['011d18a8-9927-41ba-add7-66336cd480fe', '302c146e-61ad-43d1-b26d-ea248f48255a', '5c2aa674-c8ea-4e7d-b7c6-806d82a72841',
      '65bda253-43cb-4c21-9ba1-9471e022627b', 'ae4fcbbb-b299-452f-ac4c-1d7a386cc61a', 'd4b53dba-e77e-4d9d-a9bd-00a21751f6c2',
      'fdec9e58-796b-4324-9f82-c4023ff20f3f'];
    const strip = ({ _, ...rest }: Record<string, string>) => rest;
    await expectRows(data.sample, `eventID IN (${ids.join(', ')}) | sort eventID | table eventID ${NAMES.join(' ')}`, [
      row(ids[0]!, { src: '73.158.64.21', src_ip: '73.158.64.21', region: 'us-east-1', ...strip(same('', 'ConsoleLogin')), user_type: 'Root',
        user_arn: 'arn:aws:iam::444455556666:root', ...agent(FIREFOX), user: 'root', ...account('444455556666'), dest: 'signin.amazonaws.com',
        app: 'aws', action: 'success', status: 'success', authentication_method: 'mfa' }),
      row(ids[1]!, { src: '91.64.112.45', src_ip: '91.64.112.45', region: 'us-east-1', ...strip(same('', 'AssumeRole')), user_type: 'IAMUser',
        user_arn: 'arn:aws:iam::222233334444:user/dev.sam', ...agent(CLI_ASSUME), msg: DENIED, result_id: 'AccessDenied', reason: DENIED,
        user_access_key: 'AKIAVNTZIV4R3MZ4M2TA', user: 'dev.sam', userName: 'dev.sam', ...account('222233334444'),
        // A refused AssumeRole has no requestParameters, so dest falls back to the endpoint.
        dest: 'sts.amazonaws.com', app: 'aws', action: 'failure', status: 'failure', authentication_method: 'access_key' }),
      row(ids[2]!, { src: '73.158.64.21', src_ip: '73.158.64.21', region: 'us-east-1', ...strip(same('', 'GetSessionToken')), user_type: 'IAMUser',
        user_arn: 'arn:aws:iam::111122223333:user/ana.ops', ...agent(CLI_GST), user_access_key: 'AKIAOA5HFZ2CDDRQGVPJ', user: 'ana.ops',
        userName: 'ana.ops', ...account('111122223333'), dest: 'sts.amazonaws.com', app: 'aws', action: 'success', status: 'success',
        authentication_method: 'mfa' }),
      row(ids[3]!, { src: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', src_ip: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', region: 'us-east-1',
        ...strip(same('', 'ConsoleLogin')), user_type: 'IAMUser', user_arn: 'arn:aws:iam::111122223333:user/ana.ops', ...agent(FIREFOX),
        msg: 'Failed authentication', reason: 'Failed authentication', user: 'ana.ops', userName: 'ana.ops', ...account('111122223333'),
        dest: 'signin.amazonaws.com', app: 'aws', action: 'failure', status: 'failure', authentication_method: 'password' }),
      row(ids[4]!, { src: '91.64.112.45', src_ip: '91.64.112.45', region: 'us-east-1', ...strip(same('', 'CreateAccessKey')), user_type: 'AssumedRole',
        user_arn: 'arn:aws:sts::222233334444:assumed-role/AWSReservedSSO_AdministratorAccess_1b9e44c07d2a6f31/tom.becker@example.com',
        ...agent(CHROME), mfa_auth: 'true', temp_access_key: 'ASIAODPLKSOKJIZTI2OK', user: 'tom.becker@example.com',
        userName: 'AWSReservedSSO_AdministratorAccess_1b9e44c07d2a6f31', user_role: 'AWSReservedSSO_AdministratorAccess_1b9e44c07d2a6f31',
        ...account('222233334444'), dest: 'iam.amazonaws.com', app: 'aws', action: 'created', status: 'success', authentication_method: 'mfa' }),
      row(ids[5]!, { src: '185.220.101.47', src_ip: '185.220.101.47', region: 'us-east-1', ...strip(same('', 'AttachRolePolicy')), user_type: 'IAMUser',
        user_arn: 'arn:aws:iam::111122223333:user/svc-backup', ...agent(BOTO), user_access_key: 'AKIAKVGAJJLMH55XUZRZ', user: 'svc-backup',
        userName: 'svc-backup', ...account('111122223333'), dest: 'iam.amazonaws.com', app: 'aws', action: 'created', status: 'success',
        authentication_method: 'access_key' }),
      row(ids[6]!, { src: 'lambda.amazonaws.com', region: 'us-east-1', ...strip(same('', 'AssumeRole')), user_type: 'AWSService',
        ...agent('lambda.amazonaws.com'), user: 'lambda.amazonaws.com', ...account('444455556666'),
        dest: 'arn:aws:iam::444455556666:role/org-inventory-scanner-role', app: 'aws', action: 'success', status: 'success',
        authentication_method: 'service' }),
    ]);
  });

  it('an event lacking identity details gives null for every field that needs them', async () => {
    await expectRows(data.lang, `eventID=lang-05-no-identity-fields | table eventID ${NAMES.join(' ')}`, [
      row('lang-05-no-identity-fields', { src: 'config.amazonaws.com', region: 'us-east-1', signature: 'GetBucketAcl', command: 'GetBucketAcl',
        event_name: 'GetBucketAcl', user_type: 'AWSService', ...agent('config.amazonaws.com'), user: 'config.amazonaws.com',
        ...account('111122223333'), dest: 's3.amazonaws.com', app: 'aws', action: 'read', status: 'success', authentication_method: 'service' }),
    ]);
  });

  it('is computed from the original event even after eval changed a source field', async () => {
    await expectRows(data.sample, 'eventID=d4b53dba-e77e-4d9d-a9bd-00a21751f6c2 | eval eventName="DeleteRole" | table eventName signature action', [
      { eventName: 'DeleteRole', signature: 'AttachRolePolicy', action: 'created' },
    ]);
  });

  it('every field compiles as an eval expression over raw paths', () => {
    for (const f of ADDON_FIELDS) expect(() => sqlOf(`| makeresults | eval x=${f.name}`), f.name).not.toThrow();
  });
});

describe('add-on fields after the pipeline changed their sources', () => {
  it('fields - of a source field leaves the add-on field as it was', async () => {
    await expectRows(data.sample, 'eventID=d4b53dba-e77e-4d9d-a9bd-00a21751f6c2 | fields - eventName | table eventName signature action', [
      { eventName: null, signature: 'AttachRolePolicy', action: 'created' },
    ]);
  });

  it('rename of a source field leaves the add-on field as it was', async () => {
    await expectRows(data.sample, 'eventID=d4b53dba-e77e-4d9d-a9bd-00a21751f6c2 | rename eventName as api | table api signature action', [
      { api: 'AttachRolePolicy', signature: 'AttachRolePolicy', action: 'created' },
    ]);
  });
});
