// Property-based fuzzing of the parser and compiler: whatever the text, the answer is a compiled
// search or an SplError with a span inside the text, in bounded time. A subset of what compiles
// also runs through DuckDB on an empty events table: it runs or fails as an EngineError.
//
// CI: a fixed seed and a few hundred runs per property. Longer:
//   SPELUNK_FUZZ_RUNS=100000 SPELUNK_FUZZ_DUCKDB=5000 npx vitest run test/hostile/fuzz.test.ts
// (SPELUNK_FUZZ_SEED picks another seed; a failure prints the seed and path to replay it.)
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplError } from '../../grammar/diagnostics.js';
import { compile } from '../../src/compiler/index.js';
import { Engine, EngineError } from '../../src/engine/engine.js';
import { HAND_WRITTEN, seedCorpus, splFiles } from './corpus.js';
import { CompileSandbox, type CompileOutcome } from './sandbox.js';
import { forbiddenCalls, sqlShape } from './sql-shape.js';

const RUNS = Number(process.env.SPELUNK_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.SPELUNK_FUZZ_SEED ?? 20261129);
/** Far above any real search (a few ms): only a hang or pathological backtracking gets near it. */
const DEADLINE_MS = 3000;
const LONG_DEADLINE_MS = 10_000;
const FC = { seed: SEED, numRuns: RUNS, endOnFailure: true } as const;
const NOW = 1795824000;
/** How many searches the DuckDB pass runs (SPELUNK_FUZZ_DUCKDB raises it for a long run). */
const DUCKDB_SAMPLE = Number(process.env.SPELUNK_FUZZ_DUCKDB ?? 250);

const sandbox = new CompileSandbox();
/** Searches that compiled, kept for the DuckDB pass. */
const compiled: string[] = [];

beforeAll(() => sandbox.warm(), 60_000);
afterAll(() => sandbox.close());

/** Fails with the input and what went wrong unless the outcome is a search or a diagnostic. */
function expectClean(text: string, out: CompileOutcome): void {
  const shown = text.length > 300 ? `${JSON.stringify(text.slice(0, 300))}... (${text.length} chars)` : JSON.stringify(text);
  if (out.kind === 'timeout') expect.fail(`compiling ${shown} took over ${out.ms} ms`);
  if (out.kind === 'crash') expect.fail(`compiling ${shown} threw a non-SplError: ${out.message}`);
  if (out.kind === 'diagnostic') {
    const { start, end } = out.span;
    const ok = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= out.against.length;
    if (!ok) expect.fail(`diagnostic ${out.code} "${out.message}" for ${shown} has span ${start}..${end} outside 0..${out.against.length}`);
  }
  if (out.kind === 'compiled' && compiled.length < DUCKDB_SAMPLE * 2) compiled.push(text);
}

async function check(text: string, params?: Record<string, string>): Promise<void> {
  expectClean(text, await sandbox.compile(text, DEADLINE_MS, params));
}

const seeds = seedCorpus();

/** Pieces of SPL syntax: random sequences of them reach deeper than random characters do. */
const PIECES = [
  '|', ' | ', '[', ']', '(', ')', '"', "'", '`', '\\', '=', '!=', '==', '<', '>=', ',', '.', '*', '+', '-', '/', '%',
  ' ', '\n', '\t', 'AND', 'OR', 'NOT', 'XOR', 'LIKE', 'IN', 'by', 'as', 'AS', 'BY', 'OVER', 'WHERE', 'span=1h',
  'search', 'eval', 'where', 'stats', 'table', 'fields', 'rename', 'rex', 'spath', 'lookup', 'inputlookup',
  'outputlookup', 'makeresults', 'mvexpand', 'join', 'append', 'dedup', 'sort', 'head', 'tail', 'timechart',
  'chart', 'eventstats', 'streamstats', 'transaction', 'top', 'rare', 'fillnull', 'bin', 'iplocation', 'tstats',
  'count', 'dc(', 'values(', 'if(', 'case(', 'len(', 'mvindex(', 'strftime(', 'coalesce(', 'null()', 'now()',
  'x', 'y', '_time', '_raw', 'eventName', 'userIdentity.arn', 'resources{}.ARN', "'a b'", '"q"', '"a\\"b"',
  '1', '0', '-1', '1e308', '0x1f', '1.5', '99999999999999999999', 'count=', 'field=', 'max=', 'type=left',
  '$p$', '`cloudtrail`', '`by_user(x)`', '`self_loop`', '`nope`', 'earliest=-1d@d', 'latest=now', '*x*',
  "'); DROP TABLE events; --", '/*', '*/', '--', ';', '\u0000', '\uff07', '\u2019', '\u202e', '\ud800',
];

const pieceSearch = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((xs) => xs.join(''));
const pieceSearchSpaced = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((xs) => xs.join(' '));

/** A seed search with a few random edits: insert, delete, duplicate or replace a slice. */
const mutatedSeed = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(
      fc.tuple(fc.constantFrom('insert', 'delete', 'duplicate', 'replace'), fc.nat(), fc.nat({ max: 30 }), fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 }))),
      { minLength: 1, maxLength: 5 },
    ),
  )
  .map(([seed, edits]) => {
    let text = seed;
    for (const [op, at, len, piece] of edits) {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      if (op === 'insert') text = text.slice(0, i) + piece + text.slice(i);
      else if (op === 'delete') text = text.slice(0, i) + text.slice(i + len);
      else if (op === 'duplicate') text = text.slice(0, i + len) + text.slice(i, i + len) + text.slice(i + len);
      else text = text.slice(0, i) + piece + text.slice(i + len);
    }
    return text;
  });

describe('fuzzing the parser and compiler', () => {
  it('every seed search as it is', async () => {
    expect(seeds.length).toBeGreaterThan(HAND_WRITTEN.length + splFiles().length - 1);
    for (const seed of seeds) await check(seed);
  });

  it('seed searches with random edits', async () => {
    await fc.assert(fc.asyncProperty(mutatedSeed, (text) => check(text)), FC);
  });

  it('random sequences of SPL syntax', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(pieceSearch, pieceSearchSpaced), (text) => check(text)), FC);
  });

  it('random text, any unicode', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), (text) => check(text)), FC);
  });

  it('random $param$ values filled into a search', async () => {
    const withParams = '| makeresults | eval a="$a$", b=$b$ | search x=$a$ | where b=$b$ | rename x as "$a$"';
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 20 })), (a, b) =>
        check(withParams, { a, b }),
      ),
      FC,
    );
  });
});

/** Inputs that break recursive or backtracking code: each must end in bounded time, cleanly. */
const LONG_INPUTS: [string, string][] = [
  ['100k of a', 'a'.repeat(100_000)],
  ['100k of (', '('.repeat(100_000)],
  ['100k of "', '"'.repeat(100_000)],
  ['100k of |', '|'.repeat(100_000)],
  ['100k of [', '['.repeat(100_000)],
  ["100k of ' in eval", '| eval x=' + "'".repeat(100_000)],
  ['100k of \\ in a string', 'search "' + '\\'.repeat(100_001)],
  ['100k of ` ', '`'.repeat(100_000)],
  ['100k of $', '$'.repeat(100_000)],
  ['100k of spaces', ' '.repeat(100_000)],
  ['100k of newlines', '\n'.repeat(100_000)],
  ['parentheses 10,000 deep', 'search ' + '('.repeat(10_000) + 'x' + ')'.repeat(10_000)],
  ['subsearches 10,000 deep', 'search ' + '[search '.repeat(10_000) + 'x' + ']'.repeat(10_000)],
  ['brackets 10,000 deep', 'search ' + '['.repeat(10_000) + 'search x' + ']'.repeat(10_000)],
  ['eval parentheses 10,000 deep', '| makeresults | eval x=' + '('.repeat(10_000) + '1' + ')'.repeat(10_000)],
  ['eval calls 10,000 deep', '| makeresults | eval x=' + 'abs('.repeat(10_000) + '1' + ')'.repeat(10_000)],
  ['20,000 chained +', '| makeresults | eval x=' + Array(20_000).fill('1').join('+')],
  ['20,000 chained .', '| makeresults | eval x=' + Array(20_000).fill('"a"').join('.')],
  ['10,000 unary -', '| makeresults | eval x=' + '-'.repeat(10_000) + '1'],
  ['10,000 NOT in search', 'search ' + 'NOT '.repeat(10_000) + 'x'],
  ['10,000 NOT in where', '| makeresults | where ' + 'NOT '.repeat(10_000) + 'x'],
  ['20,000 OR terms', 'search ' + Array(20_000).fill('x=1').join(' OR ')],
  ['5,000 pipes of eval', '| makeresults' + ' | eval x=1'.repeat(5_000)],
  ['a 100k-char field name', '| makeresults | eval ' + 'f'.repeat(100_000) + '=1'],
  ['a 100k-char string', '| makeresults | eval x="' + 'v'.repeat(100_000) + '"'],
  ['a 100k-char regex', '| makeresults | rex field=x "' + '(a|'.repeat(5_000) + 'b' + ')'.repeat(5_000) + '"'],
  ['10,000 case() arguments', '| makeresults | eval x=case(' + Array(10_000).fill('x=1, 2').join(', ') + ')'],
];

describe('long and deeply nested searches', () => {
  for (const [name, text] of LONG_INPUTS) {
    it(`${name}: compiles or fails with a diagnostic, in a worker with a deadline`, async () => {
      expectClean(text, await sandbox.compile(text, LONG_DEADLINE_MS));
    });
  }

  it('on the main thread too (a smaller stack): a diagnostic, never a stack overflow', () => {
    const reference = compile('| makeresults | eval x=1+2 | table x', { now: NOW }).sql;
    for (const [name, text] of LONG_INPUTS) {
      try {
        compile(text, { now: NOW });
      } catch (err) {
        if (!(err instanceof SplError)) expect.fail(`${name}: ${String(err)}`);
      }
      // A stack overflow inside the parser must not leave it broken for the next search.
      expect(compile('| makeresults | eval x=1+2 | table x', { now: NOW }).sql, name).toBe(reference);
    }
  });

  it('too deep a search is reported at its deepest bracket', () => {
    const text = 'search ' + '('.repeat(10_000) + 'x' + ')'.repeat(10_000);
    try {
      compile(text, { now: NOW });
      expect.fail('compiled');
    } catch (err) {
      expect(err).toBeInstanceOf(SplError);
      expect((err as SplError).diagnostic).toMatchObject({ code: 'too-complex', span: { start: 7 + 9_999, end: 7 + 10_000 } });
    }
  });
});

describe('what compiles also runs', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open({ macroFiles: ['fixtures/hostile/macros.conf'] });
    await engine.load([]);
  });
  afterAll(() => engine?.close());

  it('a sample of the fuzzed searches is one SELECT with no file access, and runs on an empty events table or fails as EngineError', async () => {
    const sample = [...seeds, ...compiled.filter((_, i) => i % 2 === 0)].slice(0, DUCKDB_SAMPLE);
    expect(sample.length).toBeGreaterThan(50);
    let ran = 0;
    for (const text of sample) {
      let sql: string | undefined;
      try {
        sql = engine.prepare(text, { now: NOW }).compiled.sql;
      } catch (err) {
        if (!(err instanceof SplError)) throw err;
      }
      if (sql) {
        const shape = await sqlShape(engine.connection, sql);
        expect(shape.statements, sql).toBe(1);
        expect(forbiddenCalls(shape), sql).toEqual([]);
      }
      // Some seeds are long on purpose (other tests cancel them): cancelling is a clean end too.
      const timer = setTimeout(() => engine.interrupt(), 2000);
      try {
        await engine.run(text, { now: NOW, maxRows: 20 });
        ran++;
      } catch (err) {
        if (!(err instanceof EngineError) && !(err instanceof SplError)) {
          expect.fail(`running ${JSON.stringify(text.slice(0, 300))} threw ${String((err as Error)?.stack ?? err)}`);
        }
      } finally {
        clearTimeout(timer);
      }
    }
    expect(ran).toBeGreaterThan(0);
    const tables = await engine.connection.runAndReadAll("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'events'");
    expect(Number(tables.getRowObjectsJS()[0]!['n'])).toBe(1);
  });
});
