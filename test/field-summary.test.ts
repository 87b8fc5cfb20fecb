// The field sidebar's counts (field-summary.ts) against counts made by hand: multivalue fields (a
// row counts once per distinct value it holds, and is present when it holds one), and the one
// aggregate that counts computed fields over their inputs' combinations beside columns counted
// over their own values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import {
  groupedSummarySql, multivalueSummarySql, readGroupedSummary, readMultivalueSummary, withRowColumns, type FieldSummary, type GroupedInput,
} from '../src/engine/field-summary.js';

describe('multivalue fields counted', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open();
  });
  afterAll(() => engine?.close());

  it('counts each row once per distinct value, and present once, whatever nulls and repeats it holds', async () => {
    // Row by row: a repeat and a null, only a null, empty, none, two values, one value.
    const rows = `SELECT * FROM (VALUES
      (['a', 'a', NULL], ['x']),
      ([NULL], NULL),
      ([], ['x', 'x']),
      (NULL, NULL),
      (['b', 'a'], [NULL, 'y']),
      (['b'], CAST([] AS VARCHAR[]))
    ) AS t(m, n)`;
    const got = await readMultivalueSummary(engine.connection, multivalueSummarySql(rows, ['m', 'n']), ['m', 'n']);
    expect(got.sort((p, q) => p.field.localeCompare(q.field))).toEqual([
      { field: 'm', present: 3, distinct: 2, top: [{ value: 'a', count: 2 }, { value: 'b', count: 2 }] },
      { field: 'n', present: 3, distinct: 2, top: [{ value: 'x', count: 2 }, { value: 'y', count: 1 }] },
    ]);
  });

  it('leaves out a field no row holds a value of', async () => {
    const rows = `SELECT * FROM (VALUES (CAST([NULL] AS VARCHAR[]), ['v']), (NULL, ['v'])) AS t(m, n)`;
    const got = await readMultivalueSummary(engine.connection, multivalueSummarySql(rows, ['m', 'n']), ['m', 'n']);
    expect(got).toEqual([{ field: 'n', present: 2, distinct: 1, top: [{ value: 'v', count: 2 }] }]);
  });
});

describe('computed fields and row columns counted in one aggregate', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open();
  });
  afterAll(() => engine?.close());

  // Inputs a, b (text), c (a list); columns counted row by row: s (a number), m (a list).
  const rows = `SELECT * FROM (VALUES
    ('x', 'p', ['u', 'u'], 1, ['k']),
    (NULL, 'p', [NULL], 1, [NULL, 'k']),
    (NULL, 'q', NULL, 2, NULL),
    ('y', NULL, ['v', 'u'], NULL, ['k', 'l']),
    (NULL, NULL, [], NULL, [])
  ) AS t(a, b, c, s, m)`;
  const g: GroupedInput = {
    inputs: ['a', 'b', 'c', 'z'],
    fields: [
      // Several inputs, one value: a, else b.
      { field: 'either', type: 'string', value: 'coalesce("a", "b")', inputs: [0, 1] },
      // Inputs a part of another field's: counted with that set.
      { field: 'upper', type: 'string', value: 'upper("a")', inputs: [0] },
      // A value from a multivalue input.
      { field: 'many', type: 'mv', value: 'list_transform("c", x -> x || \'!\')', inputs: [2] },
      // No input: the same on every row.
      { field: 'constant', type: 'string', value: "'k'", inputs: [] },
      // Its one input is null on every row.
      { field: 'never', type: 'string', value: '"z"', inputs: [3] },
    ],
  };
  const source = `SELECT *, CAST(NULL AS VARCHAR) AS z FROM (${rows})`;
  const count = async (input: GroupedInput, from = source) => {
    const got = await readGroupedSummary(engine.connection, groupedSummarySql(from, input), input);
    return { rows: got.rows, fields: [...got.fields].sort((p, q) => p.field.localeCompare(q.field)) };
  };
  const field = (field: string, present: number, distinct: number, top: [string, number][]): FieldSummary => ({ field, present, distinct, top: top.map(([value, count]) => ({ value, count })) });

  it('counts each field over its rows, nulls and repeats as the row-by-row count does', async () => {
    const all = withRowColumns(g, ['s'], ['m']);
    expect(await count(all)).toEqual({
      rows: 5,
      fields: [
        field('constant', 5, 1, [['k', 5]]),
        field('either', 4, 4, [['p', 1], ['q', 1], ['x', 1], ['y', 1]]),
        field('m', 3, 2, [['k', 3], ['l', 1]]),
        field('many', 2, 2, [['u!', 2], ['v!', 1]]),
        field('never', 0, 0, []),
        field('s', 3, 2, [['1', 2], ['2', 1]]),
        field('upper', 2, 2, [['X', 1], ['Y', 1]]),
      ],
    });
  });

  it('counts no rows as none', async () => {
    expect(await count(withRowColumns(g, ['s'], ['m']), `${source} WHERE false`)).toEqual({ rows: 0, fields: [] });
  });

  it('counts row columns alone, and more inputs than one GROUPING call takes', async () => {
    expect(await count(withRowColumns({ inputs: [], fields: [] }, ['s'], []))).toEqual({ rows: 5, fields: [field('s', 3, 2, [['1', 2], ['2', 1]])] });
    // 40 inputs, each a set of its own: the sets are told apart across two GROUPING calls.
    const wide = Array.from({ length: 40 }, (_, i) => `a${i}`);
    const from = `SELECT ${wide.map((c, i) => `CASE WHEN n % ${i + 2} = 0 THEN 'v' END AS ${c}`).join(', ')} FROM range(12) AS t(n)`;
    const input: GroupedInput = { inputs: wide, fields: wide.map((c, i) => ({ field: c, type: 'string', value: `"${c}"`, inputs: [i] })) };
    const got = await count(input, from);
    expect(got.rows).toBe(12);
    for (const [i, c] of wide.entries()) {
      const present = Array.from({ length: 12 }, (_, n) => n % (i + 2) === 0).filter(Boolean).length;
      expect(got.fields.find((f) => f.field === c), c).toEqual(field(c, present, 1, [['v', present]]));
    }
  });
});
