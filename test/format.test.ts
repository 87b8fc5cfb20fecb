// The table writer aligns its first rows and then writes each chunk as it arrives, so a huge
// result is never held whole; a small result is one aligned table, as renderTable gives it.
import { describe, expect, it } from 'vitest';
import { formatTime, renderTable, RowWriter, TABLE_ALIGN_ROWS } from '../src/cli/format.js';
import { ROW_VALUES, type Row, type Rows, type Value } from '../src/engine/types.js';

function writer(): { w: RowWriter; out: string[] } {
  const out: string[] = [];
  return { w: new RowWriter('table', ['name', 'n'], (t) => out.push(t)), out };
}

describe('table output', () => {
  it('writes a small result as one aligned table at the end', () => {
    const rows: Row[] = [{ name: 'a', n: 1 }, { name: 'a much longer name', n: ['x', 'y'] }];
    const { w, out } = writer();
    w.rows(rows);
    expect(out).toEqual([]);
    w.end();
    expect(out.join('')).toBe(renderTable(['name', 'n'], rows));
    expect(out.join('')).toBe('name                n\n------------------  -\na                   1\na much longer name  x\n                    y\n');
  });

  it('starts writing once its first rows fixed the widths, and holds nothing after', () => {
    const { w, out } = writer();
    const first = Array.from({ length: TABLE_ALIGN_ROWS }, (_, i) => ({ name: `user${i % 10}`, n: i }));
    w.rows(first.slice(0, 10));
    expect(out).toEqual([]);
    w.rows(first.slice(10));
    expect(out).toHaveLength(1);
    const lines = out[0]!.split('\n');
    expect(lines[0]).toBe('name   n');
    expect(lines[1]).toBe('-----  ---');
    // Later chunks are written as they come, in the widths of the first rows.
    w.rows([{ name: 'late', n: 5 }, { name: 'a name wider than the column', n: 6 }]);
    expect(out).toHaveLength(2);
    expect(out[1]).toBe('late   5\na name wider than the column  6\n');
    w.end();
    expect(out).toHaveLength(2);
    expect(out.join('').split('\n').filter((l) => l !== '')).toHaveLength(2 + TABLE_ALIGN_ROWS + 2);
  });

  it('writes a header for an empty result', () => {
    const { w, out } = writer();
    w.end();
    expect(out.join('')).toBe('name  n\n----  -\n');
  });
});

describe('rows written a chunk at a time', () => {
  const rows: Row[] = [
    { _time: 1700000000, msg: 'a,b', n: 1 },
    { _time: 1700000001.5, msg: null, n: ['x', 'y'] },
  ];

  it('writes each chunk of CSV, JSON lines and JSON with one call, the same text as row by row', () => {
    const texts: Record<string, string> = {
      csv: '_time,msg,n\n2023-11-14T22:13:20Z,"a,b",1\n2023-11-14T22:13:21.500Z,,"x\ny"\n',
      jsonl: '{"_time":"2023-11-14T22:13:20Z","msg":"a,b","n":1}\n{"_time":"2023-11-14T22:13:21.500Z","n":["x","y"]}\n',
      json: '[\n  {"_time":"2023-11-14T22:13:20Z","msg":"a,b","n":1},\n  {"_time":"2023-11-14T22:13:21.500Z","n":["x","y"]}\n]\n',
    };
    for (const format of ['csv', 'jsonl', 'json'] as const) {
      const out: string[] = [];
      const w = new RowWriter(format, ['_time', 'msg', 'n'], (t) => out.push(t));
      const before = out.length;
      w.rows(rows);
      expect(out.length - before).toBe(1);
      w.rows([]);
      expect(out.length - before).toBe(1);
      w.end();
      expect(out.join('')).toBe(texts[format]);
    }
  });

  it('shows control characters, flattens line breaks, clips wide cells and leaves nulls empty in a table', () => {
    const columns = ['_time', 'ua', 'ok', 'n'];
    const table = renderTable(columns, [
      { _time: 86399, ua: 'a\r\nb\tc\x1b[2J\u202e' + 'y'.repeat(30), ok: true, n: null },
      { _time: -1, ua: 'x'.repeat(40), ok: false, n: '' },
      { _time: 1.25, ua: null, ok: null, n: ['m\nv', 'w'] },
      { _time: 'later', ua: ' lead ', ok: 0, n: 'trail  ' },
    ], 30);
    // The same text the table had when every cell was a list of values (main at 3bd40f5).
    expect(table.split('\n')).toEqual([
      '_time                    ua                              ok     n',
      '-----------------------  ------------------------------  -----  -------',
      '1970-01-01 23:59:59      a b c\\x1b[2J\\u202eyyyyyyyyyyy…  true',
      '1969-12-31 23:59:59      xxxxxxxxxxxxxxxxxxxxxxxxxxxxx…  false',
      '1970-01-01 00:00:01.250                                         m v',
      '                                                                w',
      'later                     lead                           0      trail',
      '',
    ]);
  });
});

describe('rows with their values by position, written as bytes', () => {
  const columns = ['_time', 'ua', 'ok', 'n', 'x'];
  // Past the first chunk (the table's widths are fixed by then): controls, bidi marks, clipped
  // and non-ASCII cells, a surrogate pair cut by the clip, lists, nulls, white space at the ends,
  // times that are not whole seconds, numbers, booleans.
  const values: Value[][] = [];
  for (let i = 0; i < 2 * TABLE_ALIGN_ROWS + 50; i++) {
    values.push([
      i % 9 === 0 ? 1700000000.25 + i : 1700000000 + i,
      i % 7 === 0 ? 'a\r\nb\tc\x1b[2J\u202e' + 'y'.repeat(i % 80) : i % 11 === 0 ? 'ü'.repeat(58) + '😀😀' : `agent ${i}`,
      i % 3 === 0 ? true : i % 3 === 1 ? null : 0.1 + i,
      i % 13 === 0 ? ['m\nv', 'w'.repeat(i % 70)] : i % 5 === 0 ? '' : `trail${' '.repeat(i % 4)}`,
      i % 17 === 0 ? '\u2028 sep \u00a0' : i,
    ]);
  }
  const rows = (vs: Value[][]): Rows => {
    const r: Rows = vs.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]!])));
    r[ROW_VALUES] = { columns, values: vs };
    return r;
  };
  const chunks = (vs: Value[][]): Value[][][] => [vs.slice(0, 700), vs.slice(700, 1500), vs.slice(1500)];

  it('gives the text the rows by name give, in every format, one write a chunk', () => {
    for (const format of ['table', 'csv', 'jsonl', 'json'] as const) {
      const byName: string[] = [];
      const named = new RowWriter(format, columns, (t) => byName.push(t));
      for (const c of chunks(values)) named.rows(c.map((v) => Object.fromEntries(columns.map((k, i) => [k, v[i]!]))));
      named.end();
      const out: (string | Uint8Array)[] = [];
      const w = new RowWriter(format, columns, (t) => out.push(t), undefined, (b) => out.push(b));
      for (const c of chunks(values)) w.rows(rows(c));
      w.end();
      expect(out.length, format).toBe(byName.length);
      expect(out.some((o) => typeof o !== 'string'), format).toBe(true);
      expect(Buffer.concat(out.map((o) => (typeof o === 'string' ? Buffer.from(o) : o))).equals(Buffer.from(byName.join(''))), format).toBe(true);
    }
  });

  it('gives the same table when the decoder found every text plain', () => {
    const ascii: Value[][] = values.map((v, i) => [v[0]!, `agent ${i}`.repeat(i % 12), v[2]!, i % 13 === 0 ? null : `t ${i} `, i]);
    const texts = [false, true].map((plain) => {
      const out: string[] = [];
      const w = new RowWriter('table', columns, (t) => out.push(t));
      for (const c of chunks(ascii)) {
        const r = rows(c);
        r[ROW_VALUES]!.plain = plain;
        w.rows(r);
      }
      w.end();
      return out.join('');
    });
    expect(texts[1]).toBe(texts[0]);
    expect(texts[0]).toContain('…');
  });

  it('are not read for other columns or for a slice of the rows', () => {
    const out: string[] = [];
    const w = new RowWriter('csv', ['ua', '_time'], (t) => out.push(t));
    const r = rows([[1, 'a', null, null, null]]);
    w.rows(r);
    w.rows(r.slice(0, 1));
    expect(out.join('')).toBe('ua,_time\na,1970-01-01T00:00:01Z\na,1970-01-01T00:00:01Z\n');
  });

  it('never hands out the same bytes twice (a pipe keeps them until written)', () => {
    const out: Uint8Array[] = [];
    const w = new RowWriter('csv', columns, () => undefined, undefined, (b) => out.push(b));
    w.rows(rows(values.slice(0, 10)));
    const first = Buffer.from(out[0]!);
    w.rows(rows(values.slice(10, 20)));
    expect(out[1]!.buffer).not.toBe(out[0]!.buffer);
    expect(Buffer.from(out[0]!).equals(first)).toBe(true);
  });
});

describe('a field named __proto__', () => {
  it('is written in every format (as a JSON key it was dropped)', () => {
    const row: Row = {};
    Object.defineProperty(row, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
    row['b'] = 1;
    const texts: Record<string, string> = {
      table: '__proto__  b\n---------  -\nx          1\n',
      csv: '__proto__,b\nx,1\n',
      jsonl: '{"__proto__":"x","b":1}\n',
      json: '[\n  {"__proto__":"x","b":1}\n]\n',
    };
    for (const format of ['table', 'csv', 'jsonl', 'json'] as const) {
      const out: string[] = [];
      const w = new RowWriter(format, ['__proto__', 'b'], (t) => out.push(t));
      w.rows([row]);
      w.end();
      expect(out.join(''), format).toBe(texts[format]);
    }
  });
});

describe('formatTime', () => {
  function byDate(epoch: number, style: 'iso' | 'human'): string {
    const d = new Date(epoch * 1000);
    if (Number.isNaN(d.getTime())) return String(epoch);
    const iso = d.toISOString();
    const trimmed = iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
    return style === 'iso' ? trimmed : trimmed.replace('T', ' ').replace('Z', '');
  }

  it('writes every time as Date.toISOString does, whole seconds by arithmetic', () => {
    const times = [0, 1, 59, 60, 3599, 3600, 86399, 86400, 951782400, 1795823999, 253402300799, 253402300800, -1, -86401, 0.5, 1700000000.123, 1e20, NaN, Infinity];
    for (let i = 0; i < 20000; i++) times.push(Math.floor(Math.random() * 253402300800));
    for (const t of times) for (const style of ['iso', 'human'] as const) expect(formatTime(t, style)).toBe(byDate(t, style));
  });
});
