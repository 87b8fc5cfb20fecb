// Wildcard and LIKE patterns match in time linear in the text (issue 18, item 14): DuckDB's
// ILIKE backtracked, so 20 planted events with a 4,000-character user agent kept a search for
// `*x*y*z*` busy for minutes. Every place a pattern is matched is checked on those events, with
// the exact answer (Splunk's wildcards: `*` only, any case).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { expectRows } from '../helpers.js';

// Far beyond what the fixed matchers need (milliseconds); the backtracking ones took minutes.
const HANG = 30_000;

let dir: string;
let engine: Engine;

function event(id: string, userAgent: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject',
    awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.7', eventID: id, userAgent, ...extra,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-wildcards-'));
  const long = 'xay'.repeat(1333) + 'q';
  const lines = Array.from({ length: 20 }, (_, i) => event(`long-${String(i).padStart(2, '0')}`, long, { requestParameters: { note: long } }));
  lines.push(event('match', 'aX-1 Y_2 Z%3', { requestParameters: { note: 'x.y.z' } }));
  lines.push(event('reversed', 'zyx', { requestParameters: { note: 'zyx' } }));
  writeFileSync(path.join(dir, 'planted.jsonl'), lines.join('\n') + '\n');
  engine = await Engine.open({ stateDir: dir });
  await engine.load([path.join(dir, 'planted.jsonl')]);
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const MATCH = [{ eventID: 'match' }];

describe('three wildcards against 20 long values: the exact answer, at once', () => {
  it('field=value', async () => {
    await expectRows(engine, 'userAgent="*x*y*z*" | table eventID', MATCH);
    await expectRows(engine, 'userAgent=*X*Y*Z* | table eventID', MATCH);
    await expectRows(engine, 'NOT userAgent=*x*y*z* | stats count', [{ count: 21 }]);
    await expectRows(engine, 'userAgent=a*x*y*z*3 | table eventID', MATCH);
    // LIKE's own % and _ in the value are literal text.
    await expectRows(engine, 'userAgent=*x*y_2*z%* | table eventID', MATCH);
    await expectRows(engine, 'userAgent=*x*y%2*z* | table eventID', []);
  }, HANG);

  it('wildcard field names, and keys inside a nested object', async () => {
    await expectRows(engine, 'userAgen*=*x*y*z* | table eventID', MATCH);
    await expectRows(engine, 'requestParameters.*=*x*y*z* | table eventID', MATCH);
  }, HANG);

  it('bare terms after the events became a table', async () => {
    await expectRows(engine, 'search * | table eventID userAgent | search x*y*z | table eventID', MATCH);
  }, HANG);

  it('like(), LIKE and searchmatch()', async () => {
    await expectRows(engine, 'search * | where like(userAgent, "%X%Y%Z%") | table eventID', MATCH);
    await expectRows(engine, 'search * | where like(userAgent, "%x%y%z%") | table eventID', []);
    await expectRows(engine, 'search * | where userAgent LIKE "%X%Y_2%Z_3" | table eventID', MATCH);
    await expectRows(engine, 'search * | eval pattern="%X%Y%Z%" | where like(userAgent, pattern) | table eventID', MATCH);
    await expectRows(engine, 'search * | eval pattern="%X%Y_2%Z%_" | where like(userAgent, pattern) | table eventID', MATCH);
    await expectRows(engine, 'search * | where searchmatch("userAgent=*x*y*z*") | table eventID', MATCH);
  }, HANG);

  it('values from a subsearch, and a subsearch search string', async () => {
    await expectRows(engine, '[| makeresults | eval userAgent="*x*y*z*" | fields userAgent] | table eventID', MATCH);
    await expectRows(engine, '[| makeresults count=2 | streamstats count as n | eval userAgent=if(n=1, "*x*y*z*", "nothing") | fields userAgent] | table eventID', MATCH);
    await expectRows(engine, '[| makeresults | eval search="x*y*z" | fields search] | table eventID', MATCH);
  }, HANG);
});

describe('the runtime wildcard matcher agrees with Splunk\'s rules', () => {
  it('matches pieces in order, anchored at both ends, any case; NULL stays unmatched', async () => {
    const cases: [string, string, boolean][] = [
      ['abc', 'abc', true], ['abc', 'ABC', true], ['abc', 'ab', false], ['abc', 'a*', true], ['abc', '*c', true],
      ['abc', '*b*', true], ['abc', '*d*', false], ['abc', 'a*b*c', true], ['abc', 'a*c*c', false], ['ab', 'a*b*b', false],
      ['abab', 'a*b*b', true], ['aa', 'a*a', true], ['a', 'a*a', false], ['', '*', true], ['x', '', false], ['abc', '**', true],
      ['a%_c', 'a%_*', true], ['abc', 'a%*', false], ['ÄB', 'ä*', true], ['abcabc', '*bc*ab*', true], ['xaby', 'x*ab*b*y', false],
      ['xabby', 'x*ab*b*y', true],
    ];
    for (const [value, pattern, want] of cases) {
      const r = await engine.connection.runAndReadAll('SELECT spl_wildmatch($1, $2) AS m', [value, pattern]);
      expect(r.getRowObjectsJS()[0]!['m'], `${value} ~ ${pattern}`).toBe(want);
    }
    const nulls = await engine.connection.runAndReadAll("SELECT spl_wildmatch(NULL, 'a*') AS a, spl_wildmatch('a', NULL) AS b");
    expect(nulls.getRowObjectsJS()[0]).toEqual({ a: null, b: null });
  });
});
