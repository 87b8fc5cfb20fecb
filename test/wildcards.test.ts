// Wildcards in field names over events: they match every field some row has, nested paths and
// add-on fields included, in name order. Splunk: rename, table and fields take wildcards
// (https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/rename,
// .../table, .../fields), and stats functions take a wildcard field (.../stats: "values(*)").
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { expectRows, sampleAndLanguage, SAMPLE_NOW } from './helpers.js';

const data = sampleAndLanguage();
const KEY = 'eventName=CreateAccessKey | head 1';

describe('wildcards in field names over events', () => {
  it('table userIdentity.*: every nested path the rows have, in name order', async () => {
    await expectRows(data.sample, `${KEY} | table userIdentity.*`, [{
      'userIdentity.accessKeyId': 'AKIAKVGAJJLMH55XUZRZ', 'userIdentity.accountId': '111122223333', 'userIdentity.arn': 'arn:aws:iam::111122223333:user/svc-backup',
      'userIdentity.principalId': 'AIDAA32DFT4X5PTWG4UT2', 'userIdentity.type': 'IAMUser', 'userIdentity.userName': 'svc-backup',
    }]);
  });

  it('table *Name: top-level keys, nested paths and add-on fields alike', async () => {
    await expectRows(data.sample, `${KEY} | table *Name`, [{
      eventName: 'CreateAccessKey', 'requestParameters.userName': 'ci-deployer', 'responseElements.accessKey.userName': 'ci-deployer',
      'userIdentity.userName': 'svc-backup', userName: 'svc-backup',
    }]);
  });

  it('rename userIdentity.* AS ui_*, fields - requestParameters.*', async () => {
    await expectRows(data.sample, `${KEY} | rename userIdentity.* AS ui_* | fields - requestParameters.* | table ui_a* ui_type requestParameters.userName userIdentity.arn`, [{
      ui_accessKeyId: 'AKIAKVGAJJLMH55XUZRZ', ui_accountId: '111122223333', ui_arn: 'arn:aws:iam::111122223333:user/svc-backup', ui_type: 'IAMUser',
      'requestParameters.userName': null, 'userIdentity.arn': null,
    }]);
  });

  it('arrays are named with {} and a field no row has is no column', async () => {
    await expectRows(data.sample, 'eventName=AssumeRole resources{}.ARN=* | head 1 | table resources{}.*', [{
      'resources{}.ARN': ['arn:aws:iam::111122223333:role/DeployRole'], 'resources{}.accountId': ['111122223333'], 'resources{}.type': ['AWS::IAM::Role'],
    }]);
    await expectRows(data.sample, `${KEY} | table nothingLikeThis* eventName`, [{ eventName: 'CreateAccessKey' }]);
  });

  it('stats values(x.a*) as y_a*: one aggregation per field, the as name\'s * filled in', async () => {
    await expectRows(data.sample, 'eventName=CreateAccessKey | head 2 | stats values(userIdentity.a*) as ui_a* dc(requestParameters.*) by eventName', [{
      eventName: 'CreateAccessKey', ui_accessKeyId: ['AKIAKVGAJJLMH55XUZRZ', 'AKIAVNTZIV4R3MZ4M2TA'], ui_accountId: ['111122223333', '222233334444'],
      ui_arn: ['arn:aws:iam::111122223333:user/svc-backup', 'arn:aws:iam::222233334444:user/dev.sam'], 'dc(requestParameters.userName)': 2,
    }]);
  });

  it('asks the data which fields match, and only for the nested objects the pattern can reach', () => {
    const compiled = compile(`${KEY} | table userIdentity.*`, { now: SAMPLE_NOW });
    // Plan steps: the leaf paths of each nested column the pattern can reach (no top-level key or
    // add-on field matches userIdentity.*), printed like the search.
    const asked = compiled.discoveries?.filter((d) => d.what === 'the fields matching userIdentity.*') ?? [];
    expect(asked).toHaveLength(1);
    expect(asked[0]!.sql).toContain('FROM json_tree("userIdentity") t');
    expect(asked[0]!.sql).not.toContain('requestParameters');
  });
});
