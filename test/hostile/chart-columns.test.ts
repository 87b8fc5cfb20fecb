// chart and timechart split values are data (issue 18, item 6): each value has a column of its
// own whatever its text. An empty value crashed the search ("zero-length delimited identifier",
// later refused as an empty field name); `A` and `a` shared one column; a value spelled like the
// row field, `_time` or the NULL column lost its column without a word.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { SAMPLE_NOW } from '../helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine?.close());

/** Rows of `| makeresults` events, one per value of k (null for "-"), then `tail`. */
async function pivot(values: string[], tail: string) {
  const list = values.map((v, i) => `n=${i + 1}, ${v === '-' ? 'null()' : JSON.stringify(v)}`).join(', ');
  const spl = `| makeresults count=${values.length} | streamstats count as n | eval k=case(${list}) | ${tail}`;
  const result = await engine.run(spl, { now: SAMPLE_NOW });
  return { columns: result.columns, rows: result.rows };
}

describe('every split value has its own column', () => {
  it('chart: an empty value, A and a, a value spelled like the over field, NULL beside real nulls, a hidden name', async () => {
    const { columns, rows } = await pivot(['A', 'a', 'a', '', 'g', 'NULL', '-', '__x'], 'eval g=if(n<=4, "first", "last") | chart count over g by k');
    expect(columns).toEqual(['g', '""', 'A', '"NULL"', '"__x"', 'a', '"g"', 'NULL']);
    expect(rows).toEqual([
      { g: 'first', '""': 1, A: 1, '"NULL"': 0, '"__x"': 0, a: 2, '"g"': 0, NULL: 0 },
      { g: 'last', '""': 0, A: 0, '"NULL"': 1, '"__x"': 1, a: 0, '"g"': 1, NULL: 1 },
    ]);
  });

  it('timechart: a value _time, and an empty value, beside the time column', async () => {
    const { columns, rows } = await pivot(['_time', '', 'x', 'x'], 'timechart span=1d count by k');
    expect(columns).toEqual(['_time', '""', '"_time"', 'x']);
    expect(rows).toEqual([{ _time: SAMPLE_NOW, '""': 1, '"_time"': 1, x: 2 }]);
  });

  it('several aggregations name columns "agg: value"; a quoted name that is taken too is numbered', async () => {
    const both = await pivot(['', 'b'], 'eval o="all" | chart count max(n) as m over o by k');
    expect(both.columns).toEqual(['o', 'count: ', 'count: b', 'm: ', 'm: b']);
    expect(both.rows).toEqual([{ o: 'all', 'count: ': 1, 'count: b': 1, 'm: ': 1, 'm: b': 2 }]);
    // The value "o" (quotes included) sorts first and keeps its text; the value o is spelled like the over field.
    const taken = await pivot(['o', '"o"', 'z'], 'eval o="all" | chart count over o by k');
    expect(taken.columns).toEqual(['o', '"o"', '"o" (2)', 'z']);
    expect(taken.rows).toEqual([{ o: 'all', '"o"': 1, '"o" (2)': 1, z: 1 }]);
  });
});
