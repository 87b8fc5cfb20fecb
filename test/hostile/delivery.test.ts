// CloudTrail as S3 delivers it: an organization trail's folders beside an account trail's, the
// CloudTrail-Insight and CloudTrail-Digest folders, data and network activity events, and the
// byte-level shapes files arrive in. Each loads every event, with and without the cache (the
// cache read cold, then warm), and whatever is left out is named.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { LoadReport } from '../../src/engine/types.js';
import { expectRows, putFile, warningLines } from '../helpers.js';

let dir: string;

function event(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, ...extra };
}
const records = (...events: Record<string, unknown>[]): string => JSON.stringify({ Records: events });

const put = (rel: string, data: string | Buffer): string => putFile(dir, rel, data);

const reasons = warningLines;

const MODES = ['memory', 'cache cold', 'cache warm'] as const;

/** Loads `folder` in each mode; the warm run reads the cache the cold one wrote. */
async function eachMode(folder: string, fn: (engine: Engine, report: LoadReport, mode: string) => Promise<void>, opts: { streamBytes?: number } = {}): Promise<void> {
  const cacheDir = path.join(dir, `cache-${path.basename(folder)}${opts.streamBytes ?? ''}`);
  for (const mode of MODES) {
    const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'memory' ? undefined : cacheDir });
    try {
      await fn(engine, await engine.load([folder], opts), mode);
    } finally {
      engine.close();
    }
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostile-delivery-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an S3 bucket with organization and account trails', () => {
  const day = '2026/11/20';
  beforeAll(() => {
    put(`AWSLogs/o-abc123/111111111111/CloudTrail/us-east-1/${day}/111111111111_CloudTrail_us-east-1_20261120T1000Z_org.json.gz`, gzipSync(records(event('org1'))));
    put(`AWSLogs/111111111111/CloudTrail/us-east-1/${day}/111111111111_CloudTrail_us-east-1_20261120T1000Z_acct.json.gz`,
      gzipSync(records(event('acct1'), event('data1', { eventCategory: 'Data' }), event('net1', { eventCategory: 'NetworkActivity', eventType: 'AwsVpceEvent' }))));
    // Integrity hashes of the log files: not events.
    put(`AWSLogs/111111111111/CloudTrail-Digest/us-east-1/${day}/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20261120T1000Z.json.gz`,
      gzipSync(JSON.stringify({ awsAccountId: '111111111111', digestStartTime: '2026-11-20T09:00:00Z', digestEndTime: '2026-11-20T10:00:00Z', logFiles: [] })));
    // An Insights event (CloudTrail User Guide, "CloudTrail Insights events record contents"): its
    // eventName and eventSource are inside insightDetails; it has none at the top. Such files were
    // skipped whole as `not CloudTrail`.
    const insight = (id: string, state: string, time: string): Record<string, unknown> => ({
      eventVersion: '1.08', eventTime: time, awsRegion: 'us-east-1', eventID: id, eventType: 'AwsCloudTrailInsight',
      recipientAccountId: '111111111111', sharedEventID: 'shared-1', eventCategory: 'Insight',
      insightDetails: { state, eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', insightType: 'ApiCallRateInsight', insightContext: { statistics: {} } },
    });
    put(`AWSLogs/111111111111/CloudTrail-Insight/us-east-1/${day}/111111111111_CloudTrail-Insight_us-east-1_20261120T1005Z_i.json.gz`,
      gzipSync(records(insight('ins-start', 'Start', '2026-11-20T10:01:00Z'), insight('ins-end', 'End', '2026-11-20T10:07:00Z'))));
  });

  it('every event of the trail, data, network activity and Insights files loads; the digests are counted in one note', async () => {
    // 24 digests a day for each region and trail: one note for the folder, not a warning each.
    for (let h = 11; h < 35; h++) {
      put(`AWSLogs/111111111111/CloudTrail-Digest/us-east-1/${day}/111111111111_CloudTrail-Digest_us-east-1_t_us-east-1_20261120T${h}00Z.json.gz`,
        gzipSync(JSON.stringify({ awsAccountId: '111111111111', digestStartTime: '2026-11-20T09:00:00Z', digestEndTime: '2026-11-20T10:00:00Z', logFiles: [] })));
    }
    // Other services' logs in the same bucket (VPC flow logs, load balancer logs, Config): passed over by path, one note.
    put(`AWSLogs/111111111111/vpcflowlogs/us-east-1/${day}/111111111111_vpcflowlogs_us-east-1_fl-1_20261120T1000Z_h.log.gz`, gzipSync('version account-id interface-id\n2 111111111111 eni-1\n'));
    put(`AWSLogs/111111111111/elasticloadbalancing/us-east-1/${day}/111111111111_elasticloadbalancing_us-east-1_app.lb.gz`, gzipSync('h2 2026-11-20T10:00:00Z app/lb 1.2.3.4:5 - -1 -1 -1 503\n'));
    put(`AWSLogs/111111111111/Config/us-east-1/${day}/ConfigHistory/111111111111_Config_us-east-1_ConfigHistory_AWS::IAM::Role_20261120T100000Z.json.gz`, gzipSync(JSON.stringify({ fileVersion: '1.0', configurationItems: [] })));
    await eachMode(path.join(dir, 'AWSLogs'), async (engine, report, mode) => {
      expect(reasons(report), mode).toEqual([
        'AWSLogs: note: passed over 25 CloudTrail digest file(s) (integrity hashes, not events)',
        "AWSLogs: note: passed over 3 log file(s) other AWS services delivered beside CloudTrail's, not its events (Config 1, elasticloadbalancing 1, vpcflowlogs 1)",
      ]);
      expect(report, mode).toMatchObject({ filesRead: 3, filesSkipped: 0, eventsLoaded: 6, eventsSkipped: 0 });
      await expectRows(engine, 'search * | stats count', [{ count: 6 }]);
      await expectRows(engine, 'search * | eval t=strftime(_time, "%H:%M:%S") | sort eventID | table eventID eventName eventCategory insightDetails.eventName insightDetails.state t', [
        { eventID: 'acct1', eventName: 'GetObject', eventCategory: null, 'insightDetails.eventName': null, 'insightDetails.state': null, t: '10:00:00' },
        { eventID: 'data1', eventName: 'GetObject', eventCategory: 'Data', 'insightDetails.eventName': null, 'insightDetails.state': null, t: '10:00:00' },
        { eventID: 'ins-end', eventName: null, eventCategory: 'Insight', 'insightDetails.eventName': 'RunInstances', 'insightDetails.state': 'End', t: '10:07:00' },
        { eventID: 'ins-start', eventName: null, eventCategory: 'Insight', 'insightDetails.eventName': 'RunInstances', 'insightDetails.state': 'Start', t: '10:01:00' },
        { eventID: 'net1', eventName: 'GetObject', eventCategory: 'NetworkActivity', 'insightDetails.eventName': null, 'insightDetails.state': null, t: '10:00:00' },
        { eventID: 'org1', eventName: 'GetObject', eventCategory: null, 'insightDetails.eventName': null, 'insightDetails.state': null, t: '10:00:00' },
      ]);
    });
  });
});

describe('JSON lines starting with a UTF-8 byte order mark', () => {
  const line = (id: string): string => JSON.stringify(event(id)) + '\n';
  beforeAll(() => {
    // DuckDB's JSON lines reader refuses a file that starts with a BOM when it reads it alone, and
    // the lenient re-read dropped its first line as invalid JSON: in memory the first event of
    // such a file was lost (named as a bad line), while the cache, reading files together, kept it.
    put('bom/plain.jsonl', '\ufeff' + line('p1') + line('p2'));
    put('bom/zipped.jsonl.gz', gzipSync('\ufeff' + line('z1') + line('z2')));
    put('bom-bad/with-bad-line.jsonl', '\ufeff' + line('b1') + '{"eventName": broken\n' + line('b2'));
  });

  for (const [folder, streamBytes] of [['bom/plain.jsonl'], ['bom/zipped.jsonl.gz'], ['bom/plain.jsonl', 1]] as const) {
    it(`${folder}: every line loads${streamBytes ? ', read in parts by Node' : ''}`, async () => {
      await eachMode(path.join(dir, folder), async (engine, report, mode) => {
        expect(reasons(report), mode).toEqual([]);
        expect(report, mode).toMatchObject({ filesRead: 1, eventsLoaded: 2, eventsSkipped: 0 });
        const ids = folder.startsWith('bom/plain') ? ['p1', 'p2'] : ['z1', 'z2'];
        await expectRows(engine, 'search * | stats count by eventID | sort eventID', ids.map((eventID) => ({ eventID, count: 1 })));
      }, { streamBytes });
    });
  }

  it('a bad line after the BOM line costs only itself', async () => {
    await eachMode(path.join(dir, 'bom-bad'), async (engine, report, mode) => {
      expect(reasons(report), mode).toEqual(['with-bad-line.jsonl: partial: skipped 1 line(s) of invalid JSON (the first at line 2: unexpected character)']);
      expect(report, mode).toMatchObject({ filesRead: 1, eventsLoaded: 2, eventsSkipped: 1 });
      await expectRows(engine, 'search * | stats count by eventID | sort eventID', [{ eventID: 'b1', count: 1 }, { eventID: 'b2', count: 1 }]);
    });
  });
});

describe('byte shapes files arrive in', () => {
  beforeAll(() => {
    const t = records(event('m1'), event('m2'), event('m3'));
    // Several gzip members (a multipart upload, `cat a.gz b.gz`), one cut inside an event.
    put('shapes/members.json.gz', Buffer.concat([gzipSync(t.slice(0, 60)), gzipSync(t.slice(60))]));
    put('shapes/gzipped-named.json', gzipSync(records(event('g1'))));
    put('shapes/plain-named.json.gz', records(event('p1')));
    put('shapes/crlf.jsonl', JSON.stringify(event('c1')) + '\r\n' + records(event('c2')) + '\r\n');
    put('shapes/pretty.json', JSON.stringify({ Records: [event('pr1')] }, null, 2));
    // Records that are not events among events: counted and named; other members of the wrapper passed over.
    put('shapes/odd-records.json', `{"Records":[${JSON.stringify(event('o1'))},null,5,"x",[1]],"other":{"eventName":"NotAnEvent"}}`);
    put('shapes/empty.json', '{"Records":[]}');
    put('shapes/times.json', records(
      event('t-fraction', { eventTime: '2026-11-20T10:00:00.123Z' }),
      event('t-offset', { eventTime: '2026-11-20T12:00:00+02:00' }),
      event('t-big-number', { requestParameters: { n: 12345678901234567890123 } }),
    ).replace('1.2345678901234568e+22', '12345678901234567890123'));
  });

  it('every event loads, with its own time; what is not an event is named', async () => {
    await eachMode(path.join(dir, 'shapes'), async (engine, report, mode) => {
      expect(reasons(report).sort(), mode).toEqual([
        'empty.json: note: contains no events',
        'odd-records.json: partial: skipped 4 record(s) that are not CloudTrail: none has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)',
      ]);
      expect(report, mode).toMatchObject({ filesRead: 8, filesSkipped: 0, eventsLoaded: 12, eventsSkipped: 4 });
      await expectRows(engine, 'search * | eval t=strftime(_time, "%H:%M:%S.%3N") | sort eventID | table eventID t requestParameters.n', [
        { eventID: 'c1', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'c2', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'g1', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'm1', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'm2', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'm3', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'o1', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'p1', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 'pr1', t: '10:00:00.000', 'requestParameters.n': null },
        { eventID: 't-big-number', t: '10:00:00.000', 'requestParameters.n': '12345678901234567890123' },
        { eventID: 't-fraction', t: '10:00:00.123', 'requestParameters.n': null },
        { eventID: 't-offset', t: '10:00:00.000', 'requestParameters.n': null },
      ]);
    });
  });

  it('a copy of a file under another name counts twice, as Splunk indexes both, and the load says so', async () => {
    const body = records(event('cp1'), event('cp2'));
    put('copies/a.json', body);
    put('copies/a (1).json', body);
    await eachMode(path.join(dir, 'copies'), async (engine, report, mode) => {
      expect(report, mode).toMatchObject({ filesRead: 2, eventsLoaded: 4, duplicates: { events: 2, dropped: false } });
      await expectRows(engine, 'search * | stats count dc(eventID) as ids', [{ count: 4, ids: 2 }]);
    });
  });
});

describe('a file of records none of which is an event', () => {
  it('is named and its records counted as skipped, cached or not', async () => {
    // The cache named the file but counted none of its records in eventsSkipped.
    put('foreign/only.json', `{"Records":[{"note":"not an event"},{"eventTime":"2026-11-20T10:00:00Z"}]}`);
    put('foreign/good.json', records(event('f1')));
    await eachMode(path.join(dir, 'foreign'), async (engine, report, mode) => {
      expect(reasons(report), mode).toEqual(['only.json: skipped: not CloudTrail: none of its 2 record(s) has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)']);
      expect(report, mode).toMatchObject({ filesRead: 1, filesSkipped: 1, eventsLoaded: 1, eventsSkipped: 2 });
      await expectRows(engine, 'search * | stats count', [{ count: 1 }]);
    });
  });
});

describe('a wrapper whose Records member is not its first', () => {
  // Re-serialised by a tool that reorders keys, or put together by hand: the whole wrapper was
  // read as one event and the file skipped as `not CloudTrail`, its events lost.
  beforeAll(() => {
    const wrapper = (ids: string[], before: Record<string, unknown> = { Account: '111111111111' }): Record<string, unknown> =>
      ({ ...before, Records: ids.map((id) => event(id)), zLast: { Records: [event('nested-not-an-event')] } });
    put('reordered/one-line.json', JSON.stringify(wrapper(['r1', 'r2'])));
    put('reordered/pretty.json', JSON.stringify(wrapper(['r3'], { someKey: 1, list: [{ Records: [] }] }), null, 2));
    put('reordered/zipped.json.gz', gzipSync(JSON.stringify(wrapper(['r4']))));
    put('reordered/lines.jsonl', JSON.stringify(wrapper(['r5'])) + '\n' + JSON.stringify(event('r6')) + '\n' + JSON.stringify(wrapper(['r7', 'r8'])) + '\n');
    put('reordered/array.json', JSON.stringify([wrapper(['r9']), event('r10')]));
  });

  for (const streamBytes of [undefined, 1]) {
    it(`every event loads, cached or not${streamBytes ? ', read in parts by Node' : ''}; a Records array deeper down is no wrapper`, async () => {
      await eachMode(path.join(dir, 'reordered'), async (engine, report, mode) => {
        expect(reasons(report), mode).toEqual([]);
        expect(report, mode).toMatchObject({ filesRead: 5, filesSkipped: 0, eventsLoaded: 10, eventsSkipped: 0 });
        await expectRows(engine, 'search * | stats count by source eventID | eval source=replace(source, ".*/", "") | sort eventID | table source eventID count', [
          ['lines.jsonl', 'r5'], ['lines.jsonl', 'r6'], ['lines.jsonl', 'r7'], ['lines.jsonl', 'r8'], ['one-line.json', 'r1'], ['one-line.json', 'r2'],
          ['pretty.json', 'r3'], ['zipped.json.gz', 'r4'], ['array.json', 'r9'], ['array.json', 'r10'],
        ].sort((a, b) => (a[1]! < b[1]! ? -1 : 1)).map(([source, eventID]) => ({ source, eventID, count: 1 })));
      }, { streamBytes });
    });
  }
});

describe('a .json.gz damaged after or inside its members', () => {
  // Bytes after the last member (a download padded or cut by a tool, S3 multipart artefacts):
  // DuckDB's reader and zlib refused the whole file (`corrupt gzip (incorrect header check)`),
  // where `gzip -d` recovers every event and warns "trailing garbage ignored". Zero padding made
  // zlib stop without a word, losing the members after it. A member cut short cost every event.
  const member = (...ids: string[]): Buffer => gzipSync(records(...ids.map((id) => event(id))));
  // Text that does not compress: a cut in the last kilobyte of a member falls inside it.
  const noise = randomBytes(1500).toString('hex');
  const lines = (...ids: string[]): string => ids.map((id) => JSON.stringify(event(id)) + '\n').join('');
  beforeAll(() => {
    put('gz-damage/trailing.json.gz', Buffer.concat([member('t1', 't2'), member('t3'), Buffer.from('GARBAGE!')]));
    put('gz-damage/padded.json.gz', Buffer.concat([member('p1'), Buffer.alloc(4), member('p2'), Buffer.alloc(60)]));
    put('gz-damage/trailing-lines.jsonl.gz', Buffer.concat([gzipSync(lines('l1', 'l2')), Buffer.from('junk\n')]));
    // Cut inside its second member, inside the event c3: c1 and c2 are whole, c3 is not read.
    const second = gzipSync(records(event('c1'), event('c2'), event('c3', { requestParameters: { noise } })));
    put('gz-damage/cut.json.gz', Buffer.concat([member('c0'), second.subarray(0, second.length - 1000)]));
    const cutLines = gzipSync(lines('k1', 'k2') + JSON.stringify(event('k3', { noise })) + '\n');
    put('gz-damage/cut-lines.jsonl.gz', cutLines.subarray(0, cutLines.length - 1000));
  });

  for (const streamBytes of [undefined, 1]) {
    it(`the whole members' events load, cached or not${streamBytes ? ', read in parts by Node' : ''}; the file is named with what was left`, async () => {
      await eachMode(path.join(dir, 'gz-damage'), async (engine, report, mode) => {
        expect(reasons(report).sort(), mode).toEqual([
          // The line the cut runs through is the cut's, said once (it was also '1 line(s) of invalid JSON').
          'cut-lines.jsonl.gz: partial: truncated gzip (the compressed data ends early): 2 record(s) read from the part before the cut; an event the cut runs through is not read, nor anything after it',
          'cut.json.gz: partial: truncated gzip (the compressed data ends early): 3 record(s) read from the part before the cut; an event the cut runs through is not read, nor anything after it',
          'padded.json.gz: note: 64 zero byte(s) after gzip members passed over (padding): 2 record(s) read',
          'trailing-lines.jsonl.gz: partial: 5 byte(s) after the last gzip member are not gzip data and were ignored, as gzip -d ignores them ("trailing garbage"): 2 record(s) read from the members before them',
          'trailing.json.gz: partial: 8 byte(s) after the last gzip member are not gzip data and were ignored, as gzip -d ignores them ("trailing garbage"): 3 record(s) read from the members before them',
        ]);
        expect(report, mode).toMatchObject({ filesRead: 5, filesSkipped: 0, eventsLoaded: 12, eventsSkipped: 0 });
        await expectRows(engine, 'search * | eval source=replace(source, ".*/", "") | sort eventID | table source eventID', [
          ['cut.json.gz', 'c0'], ['cut.json.gz', 'c1'], ['cut.json.gz', 'c2'], ['cut-lines.jsonl.gz', 'k1'], ['cut-lines.jsonl.gz', 'k2'],
          ['trailing-lines.jsonl.gz', 'l1'], ['trailing-lines.jsonl.gz', 'l2'], ['padded.json.gz', 'p1'], ['padded.json.gz', 'p2'],
          ['trailing.json.gz', 't1'], ['trailing.json.gz', 't2'], ['trailing.json.gz', 't3'],
        ].map(([source, eventID]) => ({ source, eventID })));
      }, { streamBytes });
    });
  }
});

describe('CloudTrail Lake: events from outside AWS, and query results', () => {
  // An integration's event, as AWS's "CloudTrail Lake integrations event schema" gives it:
  // CloudTrail's fields around eventData, which holds the source's own eventName, eventSource and
  // eventTime. It has no eventName, eventSource nor insightDetails at the top: such files were
  // skipped whole as `not CloudTrail`. Its eventTime is written without a zone: UTC.
  const integration = (id: string, time: string, name: string): Record<string, unknown> => ({
    eventVersion: '2.02', eventCategory: 'ActivityAuditLog', eventType: 'ActivityLog', eventID: id, eventTime: time,
    awsRegion: 'us-east-1', recipientAccountId: '111111111111', metadata: { ingestionTime: '2026-11-20T10:05:00', channelARN: 'arn:aws:cloudtrail:us-east-1:111111111111:channel/c1' },
    eventData: { version: '1.0', UID: `uid-${id}`, userIdentity: { type: 'User', principalId: 'ana' }, eventSource: 'idp.example.com', eventName: name,
      eventTime: '2026-11-20 09:59:00', sourceIPAddress: '203.0.113.9', recipientAccountId: '111111111111', requestParameters: {}, userAgent: 'ua' },
  });
  beforeAll(() => {
    put('lake/integration.json', records(integration('i1', '2026-11-20T10:00:00', 'user.login'), integration('i2', '2026-11-20T11:30:00', 'user.mfa.reset')));
    put('lake/integration.jsonl', JSON.stringify(integration('i3', '2026-11-20T12:00:00Z', 'user.login')) + '\n');
    // Query results saved to S3 (gzipped CSV beside a signature file), and GetQueryResults' JSON:
    // not events spelunk reads; each is named, never passed over.
    put('lake/results/result_1.csv.gz', gzipSync('eventid,eventtime,eventname\nq1,2026-11-20 10:00:00.000,GetObject\n'));
    put('lake/results/result_sign.json', JSON.stringify({ region: 'us-east-1', signature: 'ab12', files: [{ fileName: 'result_1.csv.gz', fileHashValue: 'cd34' }] }));
    put('lake/results/get-query-results.json', JSON.stringify({ QueryStatus: 'FINISHED', QueryResultRows: [[{ eventid: 'q1' }, { eventname: 'GetObject' }]] }));
  });

  it('integration events load with their own time, cached or not; query results are named', async () => {
    await eachMode(path.join(dir, 'lake'), async (engine, report, mode) => {
      expect(reasons(report).sort(), mode).toEqual([
        'get-query-results.json: skipped: not CloudTrail: none of its 1 record(s) has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)',
        'result_1.csv.gz: skipped: not JSON (starts with "eventid,eventtime,eventn")',
        'result_sign.json: skipped: not CloudTrail: none of its 1 record(s) has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)',
      ]);
      expect(report, mode).toMatchObject({ filesRead: 2, filesSkipped: 3, eventsLoaded: 3, eventsSkipped: 2 });
      await expectRows(engine, 'eventCategory=ActivityAuditLog | eval t=strftime(_time, "%Y-%m-%dT%H:%M:%S") | sort eventID | table eventID t eventData.eventName eventData.eventSource', [
        { eventID: 'i1', t: '2026-11-20T10:00:00', 'eventData.eventName': 'user.login', 'eventData.eventSource': 'idp.example.com' },
        { eventID: 'i2', t: '2026-11-20T11:30:00', 'eventData.eventName': 'user.mfa.reset', 'eventData.eventSource': 'idp.example.com' },
        { eventID: 'i3', t: '2026-11-20T12:00:00', 'eventData.eventName': 'user.login', 'eventData.eventSource': 'idp.example.com' },
      ]);
    });
  });
});

describe('an event object with a key written twice', () => {
  // JSON allows it (RFC 8259: names "SHOULD be unique"); a planted second value must not hide.
  // Splunk's docs say nothing clear about JSON (spath, KV_MODE=json, INDEXED_EXTRACTIONS=json)
  // with a repeated key; the nearest is "Configure multivalue fields" (Knowledge Manager Manual,
  // http://docs.splunk.com/Documentation/Splunk/latest/Knowledge/ConfigureSplunktoparsemulti-valuefields:
  // "fields that can appear multiple times in an event"), which is about key=value text. So the
  // behaviour stays as DuckDB's JSON functions give it, pinned here: the first value is the
  // field's, in every path; _raw keeps both, so a search for either term finds the event.
  beforeAll(() => {
    const text = '{"eventVersion":"1.08","eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"dup1",' +
      '"sourceIPAddress":"198.51.100.1","sourceIPAddress":"10.0.0.1","extraKey":"first","extraKey":"second","requestParameters":{"k":"a","k":"b"}}';
    put('dupkeys/records.json', `{"Records":[${text}]}`);
    put('dupkeys/lines.jsonl', text.replace('dup1', 'dup2') + '\n');
  });

  it('the first value is the field, cached or not; _raw keeps both', async () => {
    await eachMode(path.join(dir, 'dupkeys'), async (engine, report, mode) => {
      expect(report, mode).toMatchObject({ filesRead: 2, eventsLoaded: 2, eventsSkipped: 0 });
      await expectRows(engine, 'search * | spath output=sp path=requestParameters.k | sort eventID | table eventID sourceIPAddress extraKey requestParameters.k sp', [
        { eventID: 'dup1', sourceIPAddress: '198.51.100.1', extraKey: 'first', 'requestParameters.k': 'a', sp: 'a' },
        { eventID: 'dup2', sourceIPAddress: '198.51.100.1', extraKey: 'first', 'requestParameters.k': 'a', sp: 'a' },
      ]);
      await expectRows(engine, 'sourceIPAddress="10.0.0.1" | stats count', [{ count: 0 }]);
      await expectRows(engine, '"10.0.0.1" | stats count', [{ count: 2 }]);
    });
  });
});
