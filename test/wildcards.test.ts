// Wildcards in field names over events: they match every field some row has, nested paths and
// add-on fields included, in name order. Splunk: rename, table and fields take wildcards
// (https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/rename,
// .../table, .../fields), and stats functions take a wildcard field (.../stats: "values(*)").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { Engine } from '../src/engine/engine.js';
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
    // Two questions: the leaves of each distinct shape of the values, and the values whose shape
    // merged arrays' elements walked themselves (a json_tree of every value ran out of memory at 1M).
    const asked = compiled.discoveries?.filter((d) => d.what === 'the fields matching userIdentity.*') ?? [];
    expect(asked).toHaveLength(2);
    expect(asked[0]!.sql).toContain('json_structure("userIdentity")');
    expect(asked[1]!.sql).toContain('FROM json_tree("userIdentity") t');
    for (const a of asked) expect(a.sql).not.toContain('requestParameters');
  });

  // json_structure merges an array's elements: where they mixed types, held a null or were none,
  // the shape loses leaves, and those values are walked themselves. An empty object is no leaf.
  it('finds the same leaves from shapes as from every value, arrays and empty objects included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-shapes-'));
    try {
      const ev = (id: string, requestParameters: unknown) => ({ eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', eventID: id, awsRegion: 'us-east-1', requestParameters });
      const records = [
        ev('1', { a: { b: 1 }, empty: {}, n: null }),
        ev('2', { list: [{ x: 1 }, { y: 'z' }] }),
        ev('3', { mixed: [1, { deep: 2 }] }),
        ev('4', { nulls: [{ k: null }, { k: { c: 1 } }] }),
        ev('5', { none: [], one: [null] }),
        ev('6', { nest: [[1], [{ q: 1 }]] }),
      ];
      writeFileSync(path.join(dir, 'e.json'), JSON.stringify({ Records: records }));
      const engine = await Engine.open({});
      try {
        await engine.load([dir]);
        const result = await engine.run('* | table requestParameters.* | head 1');
        expect(result.columns).toEqual([
          'requestParameters.a.b', 'requestParameters.list{}.x', 'requestParameters.list{}.y', 'requestParameters.mixed{}', 'requestParameters.mixed{}.deep',
          'requestParameters.n', 'requestParameters.nest{}{}', 'requestParameters.nest{}{}.q', 'requestParameters.nulls{}.k', 'requestParameters.nulls{}.k.c', 'requestParameters.one{}',
        ]);
      } finally {
        engine.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
