// Field names that differ only in case are different fields (issue 18, item 5). Splunk's field
// names are case-sensitive; DuckDB's identifiers fold ASCII case, so `A` and `a`, or JSON's
// `eventName` and an eval's `eventname`, used to be one column and one silently took the other's
// values. Each command that makes, renames, groups by or reads fields keeps them apart.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnName } from '../../src/compiler/print/duckdb.js';
import { Engine } from '../../src/engine/engine.js';
import { expectRows } from '../helpers.js';

let dir: string;
let engine: Engine;

const event = (id: string, extra: Record<string, unknown>) => ({
  eventVersion: '1.08',
  eventTime: '2023-01-01T00:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetObject',
  awsRegion: 'us-east-1',
  eventID: id,
  ...extra,
});

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-field-case-'));
  mkdirSync(path.join(dir, 'logs'));
  mkdirSync(path.join(dir, 'state', 'lookups'), { recursive: true });
  const records = [
    event('e1', { requestParameters: { A: 'upper', a: 'lower', bucketName: 'b1' } }),
    event('e2', { requestParameters: { a: 'only-lower', bucketName: 'b2' } }),
  ];
  writeFileSync(path.join(dir, 'logs', 'events.json'), JSON.stringify({ Records: records }));
  writeFileSync(path.join(dir, 'state', 'lookups', 'owners.csv'), 'bucket,Owner\nb1,Ana\nb2,Bob\n');
  writeFileSync(path.join(dir, 'state', 'lookups', 'Teams.csv'), 'team\nupper-case-file\n');
  writeFileSync(path.join(dir, 'state', 'lookups', 'teams.csv'), 'team\nlower-case-file\n');
  engine = await Engine.open({ stateDir: path.join(dir, 'state') });
  await engine.load([path.join(dir, 'logs')]);
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('names that differ only in case stay apart', () => {
  it('eval: A and a, and an eval eventname beside the JSON eventName', async () => {
    await expectRows(engine, '| makeresults | eval A="upper", a="lower" | table A a', [{ A: 'upper', a: 'lower' }]);
    await expectRows(engine, 'eventID=e1 | eval eventname="mine" | table eventName eventname', [{ eventName: 'GetObject', eventname: 'mine' }]);
    // eventname is no event field: null until made, as in Splunk.
    await expectRows(engine, 'eventID=e1 | table eventname', [{ eventname: null }]);
    await expectRows(engine, 'eventID=e1 | eval EventName=lower(eventName) | where EventName!=eventName | table EventName', [{ EventName: 'getobject' }]);
  });

  it('paths into the JSON: requestParameters.A and requestParameters.a', async () => {
    await expectRows(engine, 'search * | table eventID requestParameters.A requestParameters.a', [
      { eventID: 'e1', 'requestParameters.A': 'upper', 'requestParameters.a': 'lower' },
      { eventID: 'e2', 'requestParameters.A': null, 'requestParameters.a': 'only-lower' },
    ]);
    await expectRows(engine, 'requestParameters.A=* | table eventID', [{ eventID: 'e1' }]);
  });

  it('rename: to a name that differs only in case from another field', async () => {
    await expectRows(engine, 'eventID=e1 | eval x="1", X="2" | rename x as Y | table X Y', [{ X: '2', Y: '1' }]);
    // An event field renamed away is gone from the row: eval makes it anew (this was a Binder Error).
    await expectRows(engine, 'eventID=e1 | rename eventName as foo | eval eventName="new" | table foo eventName', [{ foo: 'GetObject', eventName: 'new' }]);
    await expectRows(engine, 'eventID=e1 | fields - eventName | eval eventName="new" | table eventName', [{ eventName: 'new' }]);
    await expectRows(engine, 'eventID=e1 | rename eventName as EVENTNAME | eval eventName="new" | table EVENTNAME eventName', [{ EVENTNAME: 'GetObject', eventName: 'new' }]);
  });

  it('stats by, and aggregates named apart by case', async () => {
    await expectRows(engine, '| makeresults count=3 | streamstats count as n | eval k=if(n=1, "k1", "k2"), K="K" | stats count as Count, sum(n) as count by k K', [
      { k: 'k1', K: 'K', Count: 1, count: 1 },
      { k: 'k2', K: 'K', Count: 2, count: 5 },
    ]);
  });

  it('lookups: an output column beside a field named in other case, and lookup files named in other case', async () => {
    await expectRows(engine, 'search * | eval owner="field", bucket=requestParameters.bucketName | lookup owners bucket OUTPUT Owner | table eventID owner Owner', [
      { eventID: 'e1', owner: 'field', Owner: 'Ana' },
      { eventID: 'e2', owner: 'field', Owner: 'Bob' },
    ]);
    await expectRows(engine, '| inputlookup Teams.csv | append [| inputlookup teams.csv] | table team', [{ team: 'upper-case-file' }, { team: 'lower-case-file' }]);
  });

  it('spath outputs', async () => {
    await expectRows(engine, '| makeresults | eval j="{\\"A\\": 1, \\"a\\": 2}" | spath input=j path=A output=V | spath input=j path=a output=v | table V v', [{ V: '1', v: '2' }]);
  });
});

describe('the column names', () => {
  it('no two field names share a DuckDB column under case folding; common names are unchanged', () => {
    const names = ['a', 'A', 'eventName', 'eventname', 'EVENTNAME', '^a', '^A', '^^a', 'a\u0000', 'a^0', '_time', '_TIME', '__seq', 'x y', 'ß', 'É', 'é'];
    // DuckDB folds ASCII letters only (É and é are two columns).
    const folded = names.map((n) => columnName(n).replace(/[A-Z]/g, (c) => c.toLowerCase()));
    expect(new Set(folded).size).toBe(names.length);
    for (const n of ['a', 'eventName', 'userIdentity', '_time', '__seq', 'count', 'x y', 'é']) expect(columnName(n)).toBe(n);
  });
});
