// Crafted names and values are data: the SQL stays one SELECT calling only the compiler's own
// functions, the events table survives, and the answer is the literal value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplError } from '../../grammar/diagnostics.js';
import { Engine, EngineError } from '../../src/engine/engine.js';
import { expectRows, SAMPLE_NOW } from '../helpers.js';
import { forbiddenCalls, sqlShape } from './sql-shape.js';

const QUOTES = 'fixtures/hostile/quotes.jsonl';

/** Values built to end a SQL string or identifier early, or to look like a quote. */
const PAYLOADS = [
  "a'b",
  "'",
  "''",
  '"',
  '\\',
  "\\'",
  "'); DROP TABLE events; --",
  '"; DROP TABLE events; --',
  "x' OR '1'='1",
  "x\" OR \"1\"=\"1",
  '-- comment',
  '/* open comment',
  '*/ close',
  'semi;colon',
  'new\nline',
  'carriage\rreturn',
  'nul\u0000byte',
  'full-width \uff07 apostrophe',
  'right \u2019 quote',
  'rtl \u202e override',
  "$dollar $ quoted$ (a lone dollar is literal)",
  "E'\\x41'",
  "read_text('/etc/passwd')",
  '%_%',
  '`macro`',
  '$param$',
];

/** `"..."` in SPL: backslash and double quote escaped. */
function splString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

let engine: Engine;
let eventCount: number;

beforeAll(async () => {
  engine = await Engine.open({ macroFiles: ['fixtures/hostile/macros.conf'] });
  const report = await engine.load([QUOTES]);
  eventCount = report.eventsLoaded;
});
afterAll(() => engine?.close());

async function countEvents(): Promise<number> {
  const r = await engine.connection.runAndReadAll('SELECT count(*) AS n FROM events');
  return Number(r.getRowObjectsJS()[0]!['n']);
}

/**
 * Compile and run a search; the SQL must be one SELECT with no file or system function, and the
 * events table must be whole afterwards. Returns the rows, or the clean error it failed with.
 */
async function safely(spl: string, params?: Record<string, string>): Promise<{ rows?: Record<string, unknown>[]; error?: Error }> {
  let sql: string | undefined;
  try {
    sql = engine.prepare(spl, { now: SAMPLE_NOW, params }).compiled.sql;
  } catch (err) {
    if (!(err instanceof SplError)) throw err;
    return { error: err };
  }
  const shape = await sqlShape(engine.connection, sql);
  expect(shape.statements, sql).toBe(1);
  expect(forbiddenCalls(shape), sql).toEqual([]);
  try {
    const result = await engine.run(spl, { now: SAMPLE_NOW, params });
    return { rows: result.rows };
  } catch (err) {
    if (!(err instanceof EngineError) && !(err instanceof SplError)) throw err;
    return { error: err };
  } finally {
    expect(await countEvents()).toBe(eventCount);
  }
}

describe('values come back literally', () => {
  it('the fixture loads whole', () => {
    expect(eventCount).toBe(5);
  });

  it('| makeresults | eval x="a\'b" | table x returns a\'b', async () => {
    await expectRows(engine, `| makeresults | eval x="a'b" | table x`, [{ x: "a'b" }]);
  });

  for (const p of PAYLOADS) {
    // `$name$` in the search text is a parameter to fill (a clear error when missing); as a
    // parameter's value it is data.
    const asksForParam = /\$[A-Za-z_][\w.]*\$/.test(p);

    it(`eval string ${JSON.stringify(p)}`, async () => {
      const { rows, error } = await safely(`| makeresults | eval x=${splString(p)} | table x`);
      if (asksForParam) {
        expect((error as SplError).diagnostic.code).toBe('missing-parameter');
      } else {
        expect(error).toBeUndefined();
        expect(rows).toEqual([{ x: p }]);
      }
      const param = await safely('| makeresults | eval x="$v$", y=$v$ | table x y', { v: p });
      expect(param.error).toBeUndefined();
      expect(param.rows).toEqual([{ x: p, y: p }]);
    });

    it(`field named ${JSON.stringify(p)} (rename target and eval name)`, async () => {
      const renamed = await safely(`| makeresults | eval a=1 | rename a as ${splString(p)} | fields - _time`);
      if (renamed.error) expect(renamed.error).toBeInstanceOf(SplError);
      else expect(renamed.rows).toEqual([{ [p]: 1 }]);
      const evaled = await safely(`| makeresults | eval ${splString(p)}=2 | fields - _time`);
      if (evaled.error) expect(evaled.error).toBeInstanceOf(SplError);
      else expect(evaled.rows).toEqual([{ [p]: 2 }]);
    });

    it(`search, where, $param$ and macro argument ${JSON.stringify(p)}: only the event that has it`, async () => {
      const param = await safely('userAgent=$ua$ | table eventID', { ua: p });
      const quotedParam = await safely('search * | where userAgent="$ua$" | table eventID', { ua: p });
      const results = [param, quotedParam];
      if (!asksForParam) {
        results.push(await safely(`userAgent=${splString(p)} | table eventID`));
        results.push(await safely(`search * | where userAgent=${splString(p)} | table eventID`));
      }
      for (const r of results) {
        expect(r.error).toBeUndefined();
        expect(r.rows).toEqual([]);
      }
      await safely(`\`by_user(${splString(p)})\` | table eventID`);
      await safely(`\`pair(${p.replace(/[(),]/g, '')}, x)\` | table a b`);
    });

    it(`rex pattern, spath path and lookup name ${JSON.stringify(p)}`, async () => {
      await safely(`| makeresults | eval s="x" | rex field=s ${splString(p)}`);
      await safely(`| makeresults | eval s="{}" | spath input=s path=${splString(p)} output=o`);
      await safely(`| makeresults | eval s="{}" | spath input=s output=${splString(p)}`);
      const lookup = await safely(`| inputlookup ${splString(p)}`);
      expect(lookup.error).toBeDefined();
    });
  }
});

describe('searches find the event that holds a quote', () => {
  it("userIdentity.userName=\"o'brien\" finds that user and not the U+FF07 look-alike", async () => {
    await expectRows(engine, `userIdentity.userName="o'brien" | table eventID`, [{ eventID: '00000000-0000-4000-8000-000000000001' }]);
    await expectRows(engine, `userIdentity.userName="o\uff07brien" | table eventID`, [{ eventID: '00000000-0000-4000-8000-000000000003' }]);
  });

  it('a user agent with quotes, a backslash, -- and a comment marker matches exactly', async () => {
    const ua = `O'Reilly "curl" \\ --; /* */`;
    await expectRows(engine, `userAgent=${splString(ua)} | table eventID`, [{ eventID: '00000000-0000-4000-8000-000000000001' }]);
    await expectRows(engine, `search * | where userAgent=${splString(ua)} | table eventID`, [{ eventID: '00000000-0000-4000-8000-000000000001' }]);
    await expectRows(engine, 'userAgent=$ua$ | table eventID', [{ eventID: '00000000-0000-4000-8000-000000000001' }], { params: { ua } });
  });

  it("the bucket named '); DROP TABLE events; -- is found and the table survives", async () => {
    await expectRows(engine, `requestParameters.bucketName="'); DROP TABLE events; --" | table eventID`, [{ eventID: '00000000-0000-4000-8000-000000000002' }]);
    await expectRows(engine, 'search * | stats count', [{ count: 5 }]);
  });

  it('% and _ in a value are not LIKE wildcards', async () => {
    await expectRows(engine, 'userAgent="100%_done" | table eventID', [{ eventID: '00000000-0000-4000-8000-000000000004' }]);
    await expectRows(engine, 'userAgent="100%_do*" | table eventID', [{ eventID: '00000000-0000-4000-8000-000000000004' }]);
  });

  it('a value with a newline and one with a NUL are found', async () => {
    await expectRows(engine, 'search * | where \'requestParameters.bucketName\'="line1\nline2" | table eventID', [{ eventID: '00000000-0000-4000-8000-000000000004' }]);
    await expectRows(engine, 'requestParameters.key="back\\\\slash" | table eventID', [{ eventID: '00000000-0000-4000-8000-000000000004' }]);
    await expectRows(engine, 'search * | where \'requestParameters.bucketName\'="nul\u0000byte" | table eventID', [{ eventID: '00000000-0000-4000-8000-000000000005' }]);
  });

  it("a bare term with an apostrophe is searched in _raw as data", async () => {
    await expectRows(engine, `"o'brien" | table eventID`, [{ eventID: '00000000-0000-4000-8000-000000000001' }]);
  });
});

describe('no DuckDB file or system access from SPL', () => {
  it('eval functions are the compiler\'s own, not DuckDB\'s: read_text is unknown', async () => {
    for (const f of ['read_text("/etc/passwd")', 'read_csv("/etc/passwd")', 'read_json("/etc/passwd")', 'getenv("HOME")', 'glob("/*")', 'current_setting("threads")', 'query("SELECT 1")']) {
      const { error } = await safely(`| makeresults | eval x=${f}`);
      expect(error, f).toBeInstanceOf(SplError);
      expect((error as SplError).diagnostic.code, f).toBe('unknown-function');
    }
  });

  it('SQL keywords in a search are search terms, never statements', async () => {
    for (const spl of [
      'COPY events TO "/tmp/x.csv"',
      'ATTACH "/tmp/x.db" AS x',
      'INSTALL httpfs',
      'LOAD httpfs',
      'PRAGMA version',
      'SET enable_external_access=true',
      '| makeresults | eval x=1; DROP TABLE events',
      '| where 1=1) UNION SELECT * FROM read_text(\'/etc/passwd\') --',
      '| stats count by "x\\") FROM read_text(\'/etc/passwd\') --"',
      '| sort "x\\"; DROP TABLE events; --"',
      '| table "a\\" FROM read_text(\'/etc/passwd\'); --"',
      '| dedup "a\\";DROP TABLE events;--"',
      '| makeresults | eval x=replace("a", "a", "\') FROM read_text(\'/etc/passwd\')--")',
    ]) {
      const r = await safely(spl);
      if (r.rows) for (const row of r.rows) expect(JSON.stringify(row)).not.toMatch(/root:/);
    }
  });
});
