// iplocation's input is read twice (the distinct addresses, then every row). When it is a cheap
// scan it is computed again for each reader (NOT MATERIALIZED) instead of kept: the same rows,
// exact, in the same order; anything costly to repeat stays kept.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { compile } from '../src/compiler/index.js';
import { sqlOf } from './helpers.js';

const kept = (sql: string) => !sql.includes('NOT MATERIALIZED');

describe('which iplocation inputs are computed again', () => {
  it('a scan with plain comparisons, and the extend that names the address', () => {
    const sql = sqlOf('eventName=ConsoleLogin userIdentity.type=IAMUser awsRegion!=x | iplocation sourceIPAddress | search Country=Germany | table eventName Country');
    expect(sql).toMatch(/^WITH s0 AS NOT MATERIALIZED \(\n {2}SELECT \* FROM "events"/);
    expect(sql).toContain('s1 AS NOT MATERIALIZED (\n  SELECT *, "sourceIPAddress" AS "__ip" FROM s0');
    // The located addresses and the join stay ordinary CTEs.
    expect(sql.match(/NOT MATERIALIZED/g)).toHaveLength(2);
  });

  it('never a text search of _raw, a regex, a JSON extraction, an aggregate, a window or a join', () => {
    for (const spl of [
      'AccessDenied | iplocation sourceIPAddress',
      'eventName=* | rex field=userAgent "(?<ua>\\w+)" | iplocation sourceIPAddress',
      'requestParameters.bucketName=x | iplocation sourceIPAddress',
      'eventName=* | stats count by sourceIPAddress | iplocation sourceIPAddress',
      'eventName=* | streamstats count | iplocation sourceIPAddress',
      'eventName=* | eval r=random() | iplocation sourceIPAddress',
      'eventName=* | iplocation sourceIPAddress | iplocation prefix=x_ sourceIPAddress | table x_City',
    ]) {
      const sql = sqlOf(spl);
      if (spl.includes('prefix=x_')) expect(sql.match(/NOT MATERIALIZED/g), spl).toHaveLength(2);
      else expect(kept(sql), spl).toBe(true);
    }
  });

  it('not in the inspector\'s one-CTE-per-step SQL, which keeps every stage to time it', () => {
    expect(kept(sqlOf('eventName=* | iplocation sourceIPAddress', { stepwise: true }))).toBe(true);
  });
});

// Events with equal times (their order is the file's), one eventID twice, one without an eventID,
// a private address, a service name, no address at all, IPv6 and IPv4 of one country.
const T1 = '2026-11-20T10:00:00Z';
const T2 = '2026-11-20T11:00:00Z';
const ev = (id: string | null, time: string, name: string, ip?: string) => ({
  eventVersion: '1.08', eventTime: time, eventSource: 'iam.amazonaws.com', eventName: name, awsRegion: 'us-east-1',
  ...(ip === undefined ? {} : { sourceIPAddress: ip }), ...(id === null ? {} : { eventID: id }),
  userIdentity: { type: 'IAMUser', userName: 'u' }, recipientAccountId: '111122223333',
});
const FILE_A = [
  ev('a1', T1, 'GetUser', '185.220.101.47'),
  ev('a2', T1, 'ListUsers', '91.64.112.45'),
  ev('dup', T2, 'GetRole', '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4'),
  ev(null, T2, 'NoId', '91.64.112.45'),
  ev('a5', T2, 'Private', '10.20.3.41'),
];
const FILE_B = [
  ev('dup', T2, 'GetRoleCopy', '185.220.101.47'),
  ev('b2', T1, 'Service', 'ec2.amazonaws.com'),
  ev('b3', T1, 'NoAddress'),
  ev(null, T2, 'NoIdToo', '3.91.171.15'),
];

describe('rows of a location search computed again', () => {
  let dir: string;
  let engine: Engine;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spelunk-recompute-'));
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'a.json'), JSON.stringify({ Records: FILE_A }));
    writeFileSync(path.join(dir, 'logs', 'b.json'), JSON.stringify({ Records: FILE_B }));
    engine = await Engine.open({ cacheDir: path.join(dir, 'cache'), stateDir: path.join(dir, 'state') });
    await engine.load([path.join(dir, 'logs')]);
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const located = 'sourcetype=aws:cloudtrail | iplocation sourceIPAddress';

  it('keeps ties in file order, each eventID once, the rows without one, and nulls where nothing is located', async () => {
    const spl = `${located} | dedup eventID keepempty=true | table eventName sourceIPAddress Country City`;
    expect(sqlOf(spl)).toContain('NOT MATERIALIZED');
    const rows = (await engine.run(spl)).rows;
    expect(rows).toEqual([
      { eventName: 'GetRole', sourceIPAddress: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', Country: 'Germany', City: 'Lubeck' },
      { eventName: 'NoId', sourceIPAddress: '91.64.112.45', Country: 'Germany', City: 'Munich' },
      { eventName: 'Private', sourceIPAddress: '10.20.3.41', Country: null, City: null },
      { eventName: 'NoIdToo', sourceIPAddress: '3.91.171.15', Country: 'United States', City: 'Ashburn' },
      { eventName: 'GetUser', sourceIPAddress: '185.220.101.47', Country: 'Germany', City: 'Brandenburg an der Havel' },
      { eventName: 'ListUsers', sourceIPAddress: '91.64.112.45', Country: 'Germany', City: 'Munich' },
      { eventName: 'Service', sourceIPAddress: 'ec2.amazonaws.com', Country: null, City: null },
      { eventName: 'NoAddress', sourceIPAddress: null, Country: null, City: null },
    ]);
  });

  it('filters on the place as the kept CTEs did (the saved location search\'s shape)', async () => {
    for (const [field, value] of [['Country', 'Germany'], ['City', 'Munich'], ['Region', 'Virginia'], ['Country', 'Nowhere']]) {
      const spl = `\`aws_activity_located(${field}, "${value}")\``;
      const { compiled } = await engine.prepareWithData(spl);
      expect(compiled.sql).toContain('NOT MATERIALIZED');
      const again = (await engine.run(spl)).rows;
      const keptRows = (await engine.connection.runAndReadAll(compiled.sql.replace(/ AS NOT MATERIALIZED \(/g, ' AS MATERIALIZED ('))).getRowObjectsJS();
      expect(again.map((r) => r['eventName'])).toEqual(keptRows.map((r) => r['eventName']));
      expect(again.map((r) => r['eventID'])).toEqual(keptRows.map((r) => r['eventID']));
    }
    const munich = (await engine.run('`aws_activity_located(City, "Munich")`')).rows;
    expect(munich.map((r) => [r['eventName'], r['eventID']])).toEqual([['NoId', null], ['ListUsers', 'a2']]);
  });
});

describe('the events a wildcard question reads with EXISTS', () => {
  // `table *` asks, for each top-level key and add-on field, whether some row has it: 78 EXISTS
  // over the events. Kept (materialised), the events were copied whole before any could stop at
  // its first row: 20 s and out of memory at 1M; read afresh, 1.8 s.
  it('are computed again for each EXISTS when they are a plain scan, and kept otherwise', () => {
    const question = (spl: string) => compile(spl, {}).discoveries!.find((d) => d.what.startsWith('the fields matching'))!.sql;
    expect(question('* | table *')).toMatch(/^WITH s0 AS NOT MATERIALIZED \(\n {2}SELECT \* FROM "events"/);
    expect(question('eventName=ConsoleLogin | table *')).toMatch(/^WITH s0 AS NOT MATERIALIZED \(/);
    expect(kept(question('AccessDenied | table *'))).toBe(true);
  });
});
