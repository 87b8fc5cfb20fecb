// Issue 14's list of what an analyst hit in the REPL, each fixed with a test that failed before.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../../grammar/parser.js';
import { Engine } from '../../src/engine/engine.js';
import { complete } from '../../src/repl/completion.js';
import { expandHome } from '../../src/repl/paths.js';
import { matchPivots, parameterKind } from '../../src/repl/pivot.js';
import { Session } from '../../src/repl/session.js';
import { resultLines } from '../../src/repl/result-view.js';
import { columnWindow } from '../../src/repl/table-layout.js';

/**
 * 6,040 events: 40 frequent calls with 500 distinct request keys between them (so there are more
 * than 400 frequent paths), and one CreateAccessKey, the only event with a responseElements.accessKey.
 */
function writeLab(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spelunk-lab-'));
  const lines: string[] = [];
  const t0 = Date.parse('2026-11-20T00:00:00Z');
  for (let i = 0; i < 6040; i++) {
    const name = `Describe${String.fromCharCode(65 + (i % 40) % 26)}${i % 40}`;
    lines.push(JSON.stringify({
      eventVersion: '1.09', eventTime: new Date(t0 + i * 60_000).toISOString().replace('.000', ''), eventSource: 'ec2.amazonaws.com', eventName: name,
      awsRegion: 'us-east-1', sourceIPAddress: '10.0.0.1', eventID: `e-${i}`, recipientAccountId: '111122223333',
      userIdentity: { type: 'IAMUser', userName: 'ops', arn: 'arn:aws:iam::111122223333:user/ops' },
      requestParameters: { [`key${i % 500}`]: 'x', [`other${(i * 7) % 500}`]: 'y' },
    }));
  }
  lines.push(JSON.stringify({
    eventVersion: '1.09', eventTime: '2026-11-27T02:40:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateAccessKey',
    awsRegion: 'us-east-1', sourceIPAddress: '185.220.101.47', eventID: 'e-key', recipientAccountId: '111122223333',
    userIdentity: { type: 'IAMUser', userName: 'svc-backup', arn: 'arn:aws:iam::111122223333:user/svc-backup' },
    requestParameters: { userName: 'ci-deployer' },
    responseElements: { accessKey: { accessKeyId: 'AKIAKVGAJJLMH55XUZRZ', status: 'Active', userName: 'ci-deployer' } },
  }));
  writeFileSync(join(dir, 'lab.json'), lines.join('\n') + '\n');
  return dir;
}

describe('completion over a lab with many frequent values and paths', () => {
  let engine: Engine;
  let session: Session;
  beforeAll(async () => {
    engine = await Engine.open();
    session = new Session(engine, { now: Date.parse('2026-11-28T00:00:00Z') / 1000 });
    await session.load([writeLab()]);
    await session.fieldsFound();
  });
  afterAll(() => engine.close());
  const sources = () => ({ fields: () => session.fieldNames(), macros: () => [], queries: () => [], values: (f: string, p: string) => session.values(f, p) });
  const inserts = async (text: string) => (await complete(text, text.length, sources())).candidates.map((c) => c.insert);

  it('1. offers every value matching the prefix, a value seen once included', async () => {
    expect(await inserts('eventName=Cre')).toEqual(['CreateAccessKey']);
    expect(await inserts('eventName=createa')).toEqual(['CreateAccessKey']);
  });

  it('2. completes nested paths that only a rare call has', async () => {
    expect(await inserts('responseElements.')).toEqual(expect.arrayContaining(['responseElements.accessKey.accessKeyId', 'responseElements.accessKey.status']));
  });

  it('3. table with wildcards expands over nested paths and add-on fields, as the REPL shows them', async () => {
    await session.execute('eventName=CreateAccessKey | table userIdentity.* responseElements.*');
    expect(session.last!.columns).toEqual(['userIdentity.arn', 'userIdentity.type', 'userIdentity.userName', 'responseElements.accessKey.accessKeyId', 'responseElements.accessKey.status', 'responseElements.accessKey.userName']);
    expect(session.last!.rows).toEqual([{
      'userIdentity.arn': 'arn:aws:iam::111122223333:user/svc-backup', 'userIdentity.type': 'IAMUser', 'userIdentity.userName': 'svc-backup',
      'responseElements.accessKey.accessKeyId': 'AKIAKVGAJJLMH55XUZRZ', 'responseElements.accessKey.status': 'Active', 'responseElements.accessKey.userName': 'ci-deployer',
    }]);
    await session.execute('eventName=CreateAccessKey | table user*');
    // The add-on's user fields beside the event's own paths; only those with a value here (in
    // Splunk a field no event has does not exist), so no userAgent or user_agent.
    expect(session.last!.columns).toEqual(['user', 'userIdentity.arn', 'userIdentity.type', 'userIdentity.userName', 'userName', 'user_arn', 'user_id', 'user_name']);
    expect(session.last!.rows[0]).toMatchObject({ user: 'ci-deployer', user_arn: 'arn:aws:iam::111122223333:user/svc-backup', user_name: 'ci-deployer' });
    await session.execute('eventName=CreateAccessKey | table *');
    expect(session.last!.columns).toEqual(expect.arrayContaining(['requestParameters.userName', 'responseElements.accessKey.accessKeyId', 'userIdentity.arn', 'action', 'eventName']));
  });
});

describe('4. pivots after iplocation', () => {
  const q = (id: string, name: string, description: string) => ({ id, title: id, parameters: [{ name, description }] });
  const investigations = [
    q('aws_activity_from_city', 'city', 'a city name as iplocation gives it, e.g. Ashburn'),
    q('aws_activity_from_country', 'country', 'a country name as iplocation gives it'),
    q('aws_activity_from_geo_region', 'geo_region', 'a region name as iplocation gives it, e.g. Brandenburg'),
    q('aws_activity_in_region', 'region', 'an AWS region name, e.g. eu-west-1'),
    q('aws_activity_from_ip', 'ip', 'a source IP address, e.g. 185.220.101.47'),
  ];
  it('offers the place investigations from City, Country and Region, and no AWS region from a province', () => {
    const row = { src: '185.220.101.47', City: 'Ashburn', Region: 'Virginia', Country: 'United States', awsRegion: 'us-east-1' };
    const options = matchPivots(row, Object.keys(row), investigations).map((o) => [o.query.id, o.params]);
    expect(options).toEqual([
      ['aws_activity_from_city', { city: 'Ashburn' }],
      ['aws_activity_from_country', { country: 'United States' }],
      ['aws_activity_from_geo_region', { geo_region: 'Virginia' }],
      ['aws_activity_in_region', { region: 'us-east-1' }],
      ['aws_activity_from_ip', { ip: '185.220.101.47' }],
    ]);
    expect(parameterKind('geo_region', 'a region name as iplocation gives it')).toBe('geo-region');
  });
  it('never offers a source "IP" that is not an address', () => {
    for (const src of ['AWS Internal', 'ec2.amazonaws.com', 'cloudtrail.amazonaws.com']) {
      expect(matchPivots({ src }, ['src'], investigations)).toEqual([]);
    }
  });
});

describe('11. ~ in paths', () => {
  it('is the home folder', () => {
    expect(expandHome('~/cases/out.csv', '/home/ana')).toBe('/home/ana/cases/out.csv');
    expect(expandHome('~', '/home/ana')).toBe('/home/ana');
    expect(expandHome('~bob/x', '/home/ana')).toBe('~bob/x');
    expect(expandHome('logs/~x', '/home/ana')).toBe('logs/~x');
  });
});

describe('12. a forgotten pipe', () => {
  it('gets its hint when a comma follows', () => {
    // Also at the very start, as the same words without the comma are (found walking through the REPL).
    for (const text of ['eventName=AssumeRole stats count by user, src', 'eventName=X stats count, dc(src) by user', 'stats count by userName, awsRegion']) {
      const d = parse(text).diagnostics[0]!;
      expect(d.message).toBe('"stats" is read as a search term here, not as a command');
      expect(d.hints).toContain('a command needs a pipe before it: ... | stats ...');
      expect(text.slice(d.span.start, d.span.end)).toBe('stats');
    }
    // A value that happens to be a command name is not a forgotten pipe.
    expect(parse('eventName=stats x, y').diagnostics[0]!.message).toBe('unexpected ","');
    // Nor is the command right after a pipe.
    expect(parse('x | eval a=1, , b=2').diagnostics[0]!.message).toBe('unexpected ","');
  });
});

describe('13. column widths', () => {
  it('shares spare width among the columns it cuts', () => {
    expect(columnWindow({ natural: [60, 60], ids: [false, false] }, 100, 0).widths).toEqual([49, 49]);
  });
  it('never cuts an identifier while another column has room', () => {
    const win = columnWindow({ natural: [70, 55], ids: [false, true] }, 100, 0);
    expect(win.widths).toEqual([43, 55]);
  });
  it('keeps the columns the search named first at 80 columns, the rest to the right', () => {
    // table _time user_arn src eventName: the ARN whole, src and eventName a scroll away.
    const win = columnWindow({ natural: [19, 55, 14, 16], ids: [false, true, true, false] }, 80, 0);
    expect(win).toMatchObject({ indexes: [0, 1], widths: [19, 55], hiddenRight: 2 });
  });
});

describe('notes under a result', () => {
  it("shows the compiler's notes as the CLI prints them: an unmapped data model's empty answer says why", async () => {
    const engine = await Engine.open();
    try {
      await engine.load(['fixtures/sample']);
      const session = new Session(engine, { now: Date.parse('2026-11-28T00:00:00Z') / 1000 });
      await session.execute('| tstats count from datamodel=Risk');
      expect(session.last!.rows).toEqual([{ count: 0 }]);
      const text = resultLines(session.last!, 120, 40, 1000).lines.map((l) => l.text);
      expect(text).toContainEqual(expect.stringMatching(/^note: data model Risk is not mapped to CloudTrail events in spelunk .*it has no events here$/));
      await session.execute('eventName=AssumeRole | head 1 | table eventName');
      expect(resultLines(session.last!, 120, 40, 1000).lines.some((l) => l.text.startsWith('note:'))).toBe(false);
    } finally {
      engine.close();
    }
  });
});
