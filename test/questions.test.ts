// Questions asked of the data before a search can be printed (Builder.ask): which fields a
// wildcard matches, the keys fromjson makes fields of, cluster's patterns, transpose's columns,
// the newest-rows bound. Each is plan steps printed by the dialect's printer like the search
// (no SQL text built by a command): DuckDB answers them with the rows below; Trino, which has no
// local data to ask, refuses the search naming the question, or, for the questions the engine a
// search runs on answers (a wildcard's fields: test/trino-wildcards.test.ts), says a run asks it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { compileTrino } from '../src/compiler/trino-compile.js';
import type { Engine } from '../src/engine/engine.js';
import { expectRows, rows, SAMPLE_NOW, sampleEngine } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const CASES: { spl: string; what: string; rows: Record<string, unknown>[]; remote?: boolean }[] = [
  {
    spl: 'eventName=CreateAccessKey | head 1 | table userIdentity.access* eventName',
    what: 'the fields matching userIdentity.access*',
    remote: true,
    rows: [{ 'userIdentity.accessKeyId': 'AKIAKVGAJJLMH55XUZRZ', eventName: 'CreateAccessKey' }],
  },
  {
    // Top-level keys and add-on fields: asked whether some row has each.
    spl: 'eventName=CreateAccessKey | head 1 | table user_* eventName',
    what: 'the fields matching user_*',
    remote: true,
    rows: [{
      user_access_key: 'AKIAKVGAJJLMH55XUZRZ', user_agent: 'Boto3/1.26.137 Python/3.10.12 Linux/6.5.0-1016-generic Botocore/1.29.137',
      user_arn: 'arn:aws:iam::111122223333:user/svc-backup', user_group_id: '111122223333', user_name: 'ci-deployer', eventName: 'CreateAccessKey',
    }],
  },
  {
    // A key with a / in it is still one key (read through a JSON Pointer).
    spl: '| makeresults | eval j="{\\"b\\": 1, \\"a/c\\": [\\"x\\", \\"y\\"], \\"t\\": \\"v\\"}" | fromjson j prefix=j_ | table j_*',
    what: 'the keys of the JSON objects in j',
    rows: [{ 'j_a/c': ['x', 'y'], j_b: 1, j_t: 'v' }],
  },
  {
    spl: 'eventName=AssumeRole OR eventName=CreateRole | cluster field=eventName showcount=t | dedup eventName | table eventName cluster_count',
    what: 'the distinct patterns of eventName (cluster)',
    rows: [{ eventName: 'AssumeRole', cluster_count: 101 }, { eventName: 'CreateRole', cluster_count: 4 }],
  },
  {
    spl: 'eventName=AssumeRole OR eventName=CreateRole | stats count by eventName | transpose header_field=eventName',
    what: "the values of eventName (transpose's column names)",
    rows: [{ column: 'count', AssumeRole: '101', CreateRole: '4' }],
  },
];

describe('questions asked of the data', () => {
  for (const c of CASES) {
    it(`${c.what}: DuckDB answers it, then the search gives its rows`, async () => {
      const asked = compile(c.spl, { now: SAMPLE_NOW }).discoveries?.filter((d) => d.what === c.what) ?? [];
      expect(asked.length).toBeGreaterThan(0);
      // Printed from the question's own steps, numbered from 0, like a search.
      for (const q of asked) expect(q.sql).toMatch(/^WITH s0 AS \(/);
      await expectRows(engine, c.spl, c.rows);
    });

    it(`${c.what}: Trino refuses the search, naming the question${c.remote ? ', which a run asks the engine' : ''}`, () => {
      expect(() => compileTrino(c.spl, { now: SAMPLE_NOW })).toThrow(c.remote
        ? `no Trino form: this search needs ${c.what} to be printed (they name its columns): run it with --engine athena|trino://..., which asks the engine for them first`
        : `no Trino form: this search needs ${c.what} before it can be printed`);
    });
  }

  it('the newest-rows bound: asked as the events and their N-th, the same rows as without it', async () => {
    const spl = 'eventName=AssumeRole | head 2 | table _time user';
    const [q] = compile(spl, { now: SAMPLE_NOW, rowCap: 1000 }).discoveries ?? [];
    expect(q?.sql).toContain('SELECT * FROM s0 ORDER BY "__seq" LIMIT 1 OFFSET 1');
    const expected = [{ _time: 1795805322, user: 'gha-7984359' }, { _time: 1795803006, user: null }];
    await expectRows(engine, spl, expected);
    // `where` is not row-preserving: no bound, the same rows.
    expect(compile('eventName=AssumeRole | where 1=1 | head 2 | table _time user', { now: SAMPLE_NOW, rowCap: 1000 }).discoveries).toBeUndefined();
    expect(await rows(engine, 'eventName=AssumeRole | where 1=1 | head 2 | table _time user')).toEqual(expected);
  });

  it('a question is printed from the steps it reads alone, numbered from 0: the same question asks the same SQL', () => {
    // The bound reads only the events: the commands before head change nothing in it.
    const one = compile('eventName=AssumeRole | head 2', { now: SAMPLE_NOW, rowCap: 1000 }).discoveries![0]!;
    const two = compile('eventName=AssumeRole | eval x=1 | rename x as y | head 2', { now: SAMPLE_NOW, rowCap: 1000 }).discoveries![0]!;
    expect(two.sql).toBe(one.sql);
    const answered = compile('eventName=AssumeRole | eval x=1 | rename x as y | head 2', { now: SAMPLE_NOW, rowCap: 1000, discovered: { [one.key]: ['1795803006'] } });
    expect(answered.discoveries).toBeUndefined();
    expect(answered.sql).toContain('"_time" >= 1795803006');
  });
});
