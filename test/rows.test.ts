// Results reach JS either through the client's value converter or, when every column's type
// allows, as one JSON text per row (src/engine/rows.ts). Both must give the same values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, JSDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { chunkTexts } from '../src/engine/chunk-texts.js';
import { rowDecoder, toValue } from '../src/engine/rows.js';
import { ROW_VALUES, type Row, type Rows } from '../src/engine/types.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';
import type { Engine } from '../src/engine/engine.js';

let db: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
});
afterAll(() => db.closeSync());

async function decode(sql: string, columns: string[]): Promise<{ rows: Row[]; viaJson: boolean }> {
  const decoder = await rowDecoder(conn, sql, columns);
  const result = await conn.stream(decoder.sql);
  const rows: Row[] = [];
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    rows.push(...decoder.decode(chunk));
  }
  return { rows, viaJson: decoder.sql !== sql };
}

async function generic(sql: string, columns: string[]): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql);
  return reader.convertRows(JSDuckDBValueConverter).map((values) => Object.fromEntries(columns.map((c, i) => [c, toValue(values[i])])));
}

describe('row decoding', () => {
  const cases: [string, string][] = [
    ['text', `'plain'`],
    ['quotes and escapes', `'a"b\\c' || chr(10) || chr(9) || chr(0) || 'é😀'`],
    ['empty text', `''`],
    ['null', 'NULL'],
    ['typed null', 'NULL::VARCHAR'],
    ['double', '0.1::DOUBLE + 0.2'],
    ['negative zero', '-0.0::DOUBLE'],
    ['tiny double', '5e-324::DOUBLE'],
    ['huge double', '1e300::DOUBLE'],
    ['nan', `'nan'::DOUBLE`],
    ['infinity', `'inf'::DOUBLE`],
    ['minus infinity', `'-inf'::DOUBLE`],
    ['float', '1.25::FLOAT'],
    ['bigint past 2^53', '9007199254740993::BIGINT'],
    ['hugeint', '170141183460469231731687303715884105727::HUGEINT'],
    ['ubigint', '18446744073709551615::UBIGINT'],
    ['decimal', '1.50::DECIMAL(5,2)'],
    ['boolean', 'true'],
    ['multivalue', `['a', NULL, 'b"c']`],
    ['empty multivalue', `[]::VARCHAR[]`],
    ['numeric list', '[1, 2, 3]'],
    ['json object column', `'{"a": [1, 2.50], "b": "x"}'::JSON`],
    ['json scalar column', `'"text"'::JSON`],
    ['json list', `['{"a":1}'::JSON, '[2]'::JSON]`],
  ];
  for (const [name, expr] of cases) {
    it(`gives the converter's value for ${name}, through JSON`, async () => {
      const sql = `SELECT ${expr} AS v, 'k' AS k FROM range(3)`;
      const { rows, viaJson } = await decode(sql, ['v', 'k']);
      expect(viaJson).toBe(true);
      expect(rows).toEqual(await generic(sql, ['v', 'k']));
    });
  }

  it('keeps timestamps, structs and other types on the converter', async () => {
    for (const expr of [`TIMESTAMP '2026-11-20 10:00:00'`, `{'x': 1}`, `DATE '2026-11-20'`, `INTERVAL 3 HOUR`, `[1.5::DOUBLE]`]) {
      const sql = `SELECT ${expr} AS v`;
      const { rows, viaJson } = await decode(sql, ['v']);
      expect(viaJson, expr).toBe(false);
      expect(rows).toEqual(await generic(sql, ['v']));
    }
  });

  it('keeps the order of a sorted result and columns with the same name', async () => {
    const sql = `SELECT i AS a, -i AS a2, 'x' || i AS b FROM range(5000) t(i) ORDER BY i DESC`;
    const { rows } = await decode(sql, ['a', 'a2', 'b']);
    expect(rows.map((r) => r['a'])).toEqual(Array.from({ length: 5000 }, (_, i) => 4999 - i));
    expect(rows[0]).toEqual({ a: 4999, a2: -4999, b: 'x4999' });
  });

  it('hands each chunk\'s values by position with its rows when the names are unique (a writer reads them)', async () => {
    for (const [columns, attached] of [[['a', '__proto__', 'nan'], true], [['a', 'a', 'nan'], false]] as const) {
      const decoder = await rowDecoder(conn, `SELECT i AS a, 'x' || i AS b, 'nan'::DOUBLE AS c FROM range(3000) t(i) ORDER BY i`, [...columns]);
      const result = await conn.stream(decoder.sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const rows: Rows = decoder.decode(chunk);
        const values = rows[ROW_VALUES];
        if (!attached) {
          expect(values).toBeUndefined();
          continue;
        }
        expect(values!.columns).toEqual(columns);
        expect(values!.values).toHaveLength(rows.length);
        rows.forEach((row, j) => columns.forEach((c, i) => expect(values!.values[j]![i]).toBe(row[c])));
        expect(values!.values[0]![2]).toBeNaN();
      }
    }
  });

  it('says a chunk is plain only when no text in it holds a control, DEL, a backslash or a character past ASCII', async () => {
    const plainOf = async (text: string): Promise<(boolean | undefined)[]> => {
      // Long texts (runs read whole) and short ones (inline in DuckDB's string_t) alike.
      const decoder = await rowDecoder(conn, `SELECT CASE WHEN i = 2500 THEN ${text} ELSE 'plain text ' || i END AS a, i AS b FROM range(3000) t(i) ORDER BY i`, ['a', 'b']);
      const result = await conn.stream(decoder.sql);
      const seen: (boolean | undefined)[] = [];
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        seen.push((decoder.decode(chunk) as Rows)[ROW_VALUES]!.plain);
      }
      return seen;
    };
    expect(await plainOf(`'just ascii ~'`)).toEqual([true, true]);
    for (const text of [`'a' || chr(27) || '[2J'`, `chr(7)`, `'tab' || chr(9)`, `'del' || chr(127)`, `'back\\slash'`, `'quote"'`, `'é'`, `chr(8238)`, `chr(133)`]) {
      expect(await plainOf(text), text).toEqual([true, undefined]);
    }
  });
});

describe('rows made by a literal compiled for the columns', () => {
  it('keeps every name exactly, however it is spelled', async () => {
    const names = ['"};process.exit(1);({"', "a'b", 'back\\slash', 'line\nbreak', 'sep\u2028arator', '', '1', 'constructor', 'toString', 'é😀', 'same', 'same'];
    const sql = `SELECT ${names.map((_, i) => `${i} AS c${i}`).join(', ')}`;
    const { rows, viaJson } = await decode(sql, names);
    expect(viaJson).toBe(true);
    const expected: Row = {};
    names.forEach((n, i) => (expected[n] = i));
    expect(rows).toEqual([expected]);
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(expected));
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  });

  it('makes a column named __proto__ a field of its own (assigning it would set the prototype or be lost)', async () => {
    // Through JSON, and through the converter (a struct column keeps a row on it).
    for (const sql of [`SELECT 1 AS a, 'x' AS p, ['m', 'n'] AS l`, `SELECT 1 AS a, 'x' AS p, ['m', 'n'] AS l, {'s': 1} AS st`]) {
      const columns = sql.includes('st') ? ['a', '__proto__', 'l', 'st'] : ['a', '__proto__', 'l'];
      const { rows } = await decode(sql, columns);
      expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
      expect(Object.keys(rows[0]!)).toEqual(columns);
      expect(rows[0]!['__proto__']).toBe('x');
      expect(JSON.stringify(rows[0])).toContain('"__proto__":"x"');
    }
    const { rows } = await decode(`SELECT ['m', 'n'] AS p`, ['__proto__']);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
    expect(rows[0]!['__proto__']).toEqual(['m', 'n']);
  });
});

describe('row texts read a run of rows at a time', () => {
  /** Every chunk's texts both ways: through runs (chunkTexts) and one getItem per row. */
  async function both(sql: string): Promise<{ runs: (string[] | undefined)[]; items: string[][] }> {
    const result = await conn.stream(sql);
    const runs: (string[] | undefined)[] = [];
    const items: string[][] = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      runs.push(chunkTexts(chunk));
      const v = chunk.getColumnVector(0);
      items.push(Array.from({ length: chunk.rowCount }, (_, j) => v.getItem(j) as string));
    }
    return { runs, items };
  }

  const cases: [string, string][] = [
    ['long ASCII texts', `'row ' || i || ' ' || repeat('x', (i % 50)::INTEGER) || ' end'`],
    // 12 bytes and less are kept inside DuckDB's string header, not in its heap: mixed with longer ones.
    ['short and long texts mixed', `CASE i % 4 WHEN 0 THEN 'a' WHEN 1 THEN repeat('b', 12) WHEN 2 THEN repeat('c', 13) ELSE '' END || i`],
    ['non-ASCII texts', `'é' || i || CASE WHEN i % 3 = 0 THEN ' 😀 漢字 ' ELSE ' plain text here ' END || repeat('ü', (i % 7)::INTEGER)`],
    ['JSON rows with escapes', `json_array(i, 'a"b\\c' || chr(10) || chr(9), NULL, 'ß' || i)::VARCHAR`],
    ['one row', `'only row, long enough to sit in the heap'`],
  ];
  for (const [name, expr] of cases) {
    it(`gives getItem's texts for ${name}`, async () => {
      const { runs, items } = await both(`SELECT ${expr} AS t FROM range(${name === 'one row' ? 1 : 5000}) r(i) ORDER BY i`);
      expect(items.length).toBeGreaterThan(0);
      for (const r of runs) expect(r).toBeDefined();
      expect(runs).toEqual(items);
    });
  }

  it('leaves a chunk holding a null to getItem', async () => {
    const { runs, items } = await both(`SELECT CASE WHEN i = 7 THEN NULL ELSE 'text number ' || i END AS t FROM range(20) r(i) ORDER BY i`);
    expect(runs).toEqual([undefined]);
    expect(items[0]![7]).toBeNull();
  });
});

describe('searches through the JSON row path', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await sampleEngine();
  });
  afterAll(() => engine.close());

  const searches = [
    'search * | table _time eventName userIdentity resources{}.accountId user src_ip',
    'eventName=AssumeRole | eval n=mvcount(\'resources{}.accountId\'), r=1/0, big=pow(2, 60) | table n r big requestParameters',
    'search * | stats count values(eventName) AS names avg(_time) AS t by user_type',
    'search * | timechart span=1d count by eventSource',
  ];
  it('makes each row\'s text before the final sort: the same rows, in order, whole or capped', async () => {
    const spl = 'search * | eval k=len(eventName) | sort 0 k - eventName | table k eventName _time eventID';
    const { compiled } = await engine.prepareWithData(spl, { now: SAMPLE_NOW });
    // The search unordered, with each row's __seq last: the engine sorts after writing the rows' text.
    expect(compiled.sql.endsWith('\nORDER BY "__seq"')).toBe(true);
    expect(compiled.keyed).toBe(`${compiled.sql.slice(0, compiled.sql.lastIndexOf('\nFROM '))}, "__seq"${compiled.sql.slice(compiled.sql.lastIndexOf('\nFROM '), -'\nORDER BY "__seq"'.length)}`);
    const reader = await engine.connection.runAndReadAll(compiled.sql);
    const expected = reader.convertRows(JSDuckDBValueConverter).map((values) => Object.fromEntries(compiled.columns.map((c, i) => [c, toValue(values[i])])));
    expect(expected.length).toBeGreaterThan(20);
    expect((await engine.run(spl, { now: SAMPLE_NOW })).rows).toEqual(expected);
    const capped = await engine.run(spl, { now: SAMPLE_NOW, maxRows: 7 });
    expect(capped.rows).toEqual(expected.slice(0, 7));
    expect(capped.truncated).toBe(true);
    // Rows that feed an aggregate (unordered) have no such form.
    expect((await engine.prepareWithData(spl, { now: SAMPLE_NOW, unordered: true })).compiled.keyed).toBeUndefined();
  });

  for (const spl of searches) {
    it(`gives the converter's rows for: ${spl}`, async () => {
      const { rows } = await engine.run(spl, { now: SAMPLE_NOW });
      const { compiled } = await engine.prepareWithData(spl, { now: SAMPLE_NOW });
      const reader = await engine.connection.runAndReadAll(compiled.sql);
      const expected = reader.convertRows(JSDuckDBValueConverter).map((values) =>
        Object.fromEntries(compiled.columns.map((c, i) => [c, toValue(values[i])])),
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows).toEqual(expected);
    });
  }
});
