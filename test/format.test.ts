// The table writer aligns its first rows and then writes each chunk as it arrives, so a huge
// result is never held whole; a small result is one aligned table, as renderTable gives it.
import { describe, expect, it } from 'vitest';
import { renderTable, RowWriter, TABLE_ALIGN_ROWS } from '../src/cli/format.js';
import type { Row } from '../src/engine/types.js';

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
