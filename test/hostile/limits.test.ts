// Searches that used to exhaust memory, fail with DuckDB's words, or answer wrongly (issue 18,
// item 16a and the errors that should name the problem): each now gives the exact answer or an
// error that names what to change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplError } from '../../grammar/diagnostics.js';
import { Engine, EngineError } from '../../src/engine/engine.js';
import { expectRows, SAMPLE_NOW } from '../helpers.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.open({ memoryLimit: '1GB' });
  await engine.load(['fixtures/hostile/quotes.jsonl']);
});
afterAll(() => engine?.close());

async function failure(spl: string): Promise<SplError | EngineError> {
  try {
    await engine.run(spl, { now: SAMPLE_NOW });
  } catch (err) {
    if (err instanceof SplError || err instanceof EngineError) return err;
    throw err;
  }
  throw new Error(`no error from ${spl}`);
}

describe('list functions stay inside the memory limit', () => {
  it('mvrange past 10,000 values is an error before the list is built', async () => {
    // mvrange(0, 1e8) grew the process to 24 GB until the kernel killed it; mvrange(0, 2e7)
    // reached 6 GB under --memory-limit 1GB.
    for (const [end, n] of [[100_000_000, '100000000'], [20_000_000, '20000000'], [200_000, '200000']] as const) {
      const err = await failure(`| makeresults | eval x=mvrange(0, ${end}) | eval n=mvcount(x) | table n`);
      expect(err).toBeInstanceOf(EngineError);
      expect(err.message).toBe(`Invalid Input Error: mvrange(0, ${end}, 1) would make ${n} values, more than the 10000 one multivalue field may hold`);
    }
    await expectRows(engine, '| makeresults | eval x=mvrange(0, 10000) | eval n=mvcount(x), last=mvindex(x, -1) | table n last', [{ n: 10000, last: '9999' }]);
    await expectRows(engine, '| makeresults | eval x=mvrange(10, 0, -4) | table x', [{ x: ['10', '6', '2'] }]);
  });
});

describe('errors that name the problem', () => {
  it('1,000 pipes: the step where the search grew too long, not "Max expression depth"', async () => {
    const err = await failure('| makeresults' + ' | eval x=1'.repeat(1000));
    expect(err).toBeInstanceOf(SplError);
    expect((err as SplError).diagnostic).toMatchObject({ code: 'too-complex', message: 'this search needs more than 500 steps, more than DuckDB can nest' });
    await expectRows(engine, '| makeresults | eval x=0' + ' | eval x=x+1'.repeat(400) + ' | table x', [{ x: 400 }]);
  });

  it('an empty field name is an error at its command, not "zero-length delimited identifier"', async () => {
    for (const spl of ['| makeresults | stats count as ""', '| makeresults | eval ""=1', '| makeresults | table ""', '| makeresults | eval a=1 | stats count by ""', '| makeresults | eval a=1 | rename a as "\u0000"']) {
      const err = await failure(spl);
      expect(err, spl).toBeInstanceOf(SplError);
      expect((err as SplError).diagnostic, spl).toMatchObject({ code: 'bad-argument', message: 'a field name cannot be empty ("")' });
    }
  });

  it('spath path="[" reads the key named "["', async () => {
    await expectRows(engine, '| makeresults | eval j="{\\"[\\": 1, \\"a[b\\": 2}" | spath input=j path="[" output=o | spath input=j path="a[b" output=p | table o p', [{ o: '1', p: '2' }]);
  });
});

describe('answers that were wrong', () => {
  it('a search for a value holding NUL finds the event, as where does', async () => {
    const nul = [{ eventID: '00000000-0000-4000-8000-000000000005' }];
    await expectRows(engine, 'requestParameters.bucketName="nul\u0000byte" | table eventID', nul);
    await expectRows(engine, 'requestParameters.bucketName="NUL\u0000B*" | table eventID', nul);
    await expectRows(engine, 'search * | where \'requestParameters.bucketName\'="nul\u0000byte" | table eventID', nul);
  });

  it('rex with \\Q...\\E: the quoted brackets are no group, so the named group is filled', async () => {
    await expectRows(engine, '| makeresults | eval x="a.b(x)c" | rex field=x "\\Q.b(x)\\E(?<u>c)" | eval m=if(match(x, "^a\\Q.b(x)\\E"), "y", "n") | table u m', [{ u: 'c', m: 'y' }]);
    await expectRows(engine, '| makeresults | eval x="a+b" | rex field=x "(?<v>\\Qa+b\\E)" | table v', [{ v: 'a+b' }]);
  });
});

describe('long value lists are one set test', () => {
  const values = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
  /** expectRows without the 70 KB search in the failure message. */
  const expectLong = async (spl: string, expected: Record<string, unknown>[]): Promise<void> => {
    const result = await engine.run(spl, { now: SAMPLE_NOW });
    expect(result.rows, spl.slice(0, 80)).toEqual(expected);
  };

  it('search IN with 10,000 values (an IOC list): the exact events', async () => {
    await expectLong(`userIdentity.userName IN (${values.join(', ')}, ADMIN, 10.0.0.0/8, o*) | table eventID`, [
      { eventID: '00000000-0000-4000-8000-000000000003' },
      { eventID: '00000000-0000-4000-8000-000000000002' },
      { eventID: '00000000-0000-4000-8000-000000000001' },
    ]);
    await expectLong(`search * | table eventID userIdentity.userName | search userIdentity.userName IN (${values.join(', ')}, admin) | table eventID`, [
      { eventID: '00000000-0000-4000-8000-000000000002' },
    ]);
  });

  it('where IN and in() with 10,000 values', async () => {
    const quoted = values.map((v) => `"${v}"`).join(', ');
    await expectLong(`| makeresults | eval x="v9999", y="V9999" | eval a=if(x IN (${quoted}), 1, 0), b=if(in(y, ${quoted}), 1, 0) | table a b`, [{ a: 1, b: 0 }]);
    await expectLong(`| makeresults | eval n=42 | where n IN (${values.map((_, i) => i + 100).join(', ')}, 42) | eval ok=1 | table ok`, [{ ok: 1 }]);
  });
});
