// Each JSON column parsed once per step (src/compiler/rewrite/json-once.ts): the paths a step
// reads on every row come from one list extracted per column, with exactly the values one
// extraction per path gives (JSON null and a missing key null, objects as JSON text, numbers as
// written by DuckDB); paths read only on some rows, array paths and promoted paths are left alone;
// the Trino plan is not rewritten.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { compileTrino } from '../src/compiler/trino-compile.js';
import type { Engine } from '../src/engine/engine.js';
import { expectRows, SAMPLE_NOW, sampleEngine, sqlOf } from './helpers.js';

const event = (i: number, more: Record<string, unknown>) => ({
  eventVersion: '1.08', eventTime: `2026-11-20T10:00:0${i}Z`, eventSource: 's3.amazonaws.com', eventName: 'GetObject',
  awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.9', eventID: `e${i}`, ...more,
});
const RECORDS = [
  event(1, {
    requestParameters: { a: 'x', n: null, o: { k: 1, l: [1, 2] }, num: 1.5, 'weird key': 'w', 'q"k': 'q', esc: 't"q', arr: [{ b: 1 }, { c: 2 }] },
    responseElements: { r: 'one', s: { t: 'two' } },
  }),
  event(2, { requestParameters: { a: 'y' }, responseElements: null }),
  event(3, { requestParameters: null }),
  event(4, {}),
];

const dir = mkdtempSync(join(tmpdir(), 'spelunk-json-once-'));
let engine: Engine;
beforeAll(async () => {
  writeFileSync(join(dir, 'events.json'), JSON.stringify({ Records: RECORDS }));
  engine = await sampleEngine([dir]);
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const EVAL = `eval a='requestParameters.a', n='requestParameters.n', o='requestParameters.o', k='requestParameters.o.k', ` +
  `num='requestParameters.num', w='requestParameters.weird key', q='requestParameters.q"k', esc='requestParameters.esc', ` +
  `miss='requestParameters.nope', b='requestParameters.arr{}.b', r='responseElements.r', t='responseElements.s.t'`;

describe('one parse per JSON column per step', () => {
  it('reads every path of a step from one list per column, with the values one extraction each gives', async () => {
    const sql = sqlOf(`search eventName=GetObject | ${EVAL} | table a n o k num w q esc miss b r t`);
    expect(sql).toContain(`json_extract_string("requestParameters", ['$.a', '$.n', '$.o', '$.o.k', '$.num', '$."weird key"', '$."q\\"k"', '$.esc', '$.nope'])`);
    expect(sql).toContain(`json_extract_string("responseElements", ['$.r', '$.s.t'])`);
    // Once each: a printer that merged the list's step into the next must not copy it into every use.
    expect(sql.split('json_extract_string("requestParameters", [').length - 1).toBe(1);
    expect(sql.split('json_extract_string("responseElements", [').length - 1).toBe(1);
    // An array path stays a path of its own (DuckDB takes no wildcard in a list of paths).
    expect(sql).toContain(`json_extract_string("requestParameters", '$.arr[*].b')`);
    await expectRows(engine, `search eventName=GetObject | ${EVAL} | table a n o k num w q esc miss b r t`, [
      { a: null, n: null, o: null, k: null, num: null, w: null, q: null, esc: null, miss: null, b: null, r: null, t: null },
      { a: null, n: null, o: null, k: null, num: null, w: null, q: null, esc: null, miss: null, b: null, r: null, t: null },
      { a: 'y', n: null, o: null, k: null, num: null, w: null, q: null, esc: null, miss: null, b: null, r: null, t: null },
      { a: 'x', n: null, o: '{"k":1,"l":[1,2]}', k: '1', num: '1.5', w: 'w', q: 'q', esc: 't"q', miss: null, b: ['1'], r: 'one', t: 'two' },
    ]);
  });

  it('groups by several paths of one column with one parse (stats by)', async () => {
    expect(sqlOf('search * | stats count by requestParameters.a requestParameters.o.k')).toContain(`json_extract_string("requestParameters", ['$.a', '$.o.k'])`);
    await expectRows(engine, 'search * | stats count by requestParameters.a requestParameters.o.k', [
      { 'requestParameters.a': 'x', 'requestParameters.o.k': '1', count: 1 },
    ]);
    await expectRows(engine, 'search * | fillnull value=- requestParameters.o.k | stats count by requestParameters.a requestParameters.o.k', [
      { 'requestParameters.a': 'x', 'requestParameters.o.k': '1', count: 1 },
      { 'requestParameters.a': 'y', 'requestParameters.o.k': '-', count: 1 },
    ]);
  });

  it('leaves a path alone when it is the only one of its column, or read only on some rows', () => {
    expect(sqlOf(`search * | eval a='requestParameters.a', r='responseElements.r'`)).not.toContain(`json_extract_string("requestParameters", [`);
    // coalesce() reads its second argument, and a case() its branches, only for some rows: extracting
    // those paths on every row cost more than it saved (the add-on's rules).
    const lazy = sqlOf(`search * | eval a=coalesce('requestParameters.a', 'requestParameters.b'), c=case(eventName=="X", 'requestParameters.c', true(), 'requestParameters.d')`);
    expect(lazy).not.toContain(`json_extract_string("requestParameters", [`);
    // The add-on's rules read a hundred paths, each for a few event names: nothing is gathered.
    expect(sqlOf('search * | table user object object_id object_attrs dest user_type')).not.toContain(', [');
  });

  it('keeps reading the loader\'s copy of a common userIdentity path', () => {
    const sql = sqlOf('search * | table userIdentity.arn userIdentity.type userIdentity.sessionContext.webIdFederationData.x userIdentity.y');
    expect(sql).toContain(`json_extract_string("userIdentity", ['$.sessionContext.webIdFederationData.x', '$.y'])`);
    expect(sql).toContain('"__p_userIdentity.arn"');
  });

  it('does not leak the lists into later steps', () => {
    const { columns } = compile(`search * | ${EVAL}`, { now: SAMPLE_NOW });
    expect(columns.filter((c) => c.startsWith('__'))).toEqual([]);
    expect(sqlOf(`search * | ${EVAL}`)).toMatch(/EXCLUDE \("__json\d+_0", "__json\d+_1"\)/);
  });

  it('is a DuckDB rewrite: the Trino plan reads each path', () => {
    const sql = compileTrino(`search eventName=GetObject | ${EVAL} | table a n o k`, { now: SAMPLE_NOW }).sql;
    expect(sql).not.toContain('json_extract_strings');
    expect(sql).not.toContain('__json');
  });
});

describe('step numbering after json-once', () => {
  it('the list step takes its place in the numbering: CTE names increase down the SQL, merged or stepwise', () => {
    const spl = `search eventName=GetObject | where isnotnull(eventID) | ${EVAL} | table a n o k`;
    for (const stepwise of [false, true]) {
      const compiled = compile(spl, { now: SAMPLE_NOW, stepwise });
      expect(compiled.sql).toContain('json_extract_string("requestParameters", [');
      const ids = [...compiled.sql.matchAll(/(?:^|WITH )s(\d+) AS \(/gm)].map((m) => Number(m[1]));
      expect(ids.length).toBeGreaterThan(1);
      expect(ids, compiled.sql).toEqual([...ids].sort((x, y) => x - y));
      expect(new Set(ids).size).toBe(ids.length);
      // The plan's step names follow the same order.
      const names = compiled.plan!.steps.map((s) => Number(s.name.slice(1)));
      expect(names).toEqual([...names].sort((x, y) => x - y));
    }
  });
});
