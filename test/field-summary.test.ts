// The field sidebar's count of multivalue fields (field-summary.ts) against counts made by hand:
// a row counts once per distinct value it holds, and is present when it holds one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { multivalueSummarySql, readMultivalueSummary } from '../src/engine/field-summary.js';

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
