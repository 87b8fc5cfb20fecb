// A DuckDB macro is text substitution: an argument its definition writes twice is evaluated twice.
// With a volatile argument (random()) the two uses see two different draws: `random() % 300`
// returned numbers outside 0-299 before fmod's arguments were bound once. Every library function
// whose DuckDB form is such a macro (DuckDB's own, or one of the prelude's) must name those
// arguments in `repeats`, so the printer binds them once. (split_part and array_to_string repeat
// theirs too; no eval function hands them a volatile value today, which the first test keeps so.)
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRELUDE } from '../src/compiler/prelude.js';
import { SQL_FUNCTIONS } from '../src/compiler/library/sql-functions.js';
import { Engine } from '../src/engine/engine.js';
import { rows, sqlOf } from './helpers.js';

/** Each macro's parameters and definition, DuckDB's own and the prelude's. */
async function macros(): Promise<Map<string, { params: string[]; body: string }[]>> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const sql of PRELUDE) await conn.run(sql);
    const reader = await conn.runAndReadAll("SELECT function_name, parameters, macro_definition FROM duckdb_functions() WHERE function_type = 'macro'");
    const out = new Map<string, { params: string[]; body: string }[]>();
    for (const [name, params, body] of reader.getRowsJS()) {
      const list = out.get(name as string) ?? [];
      list.push({ params: (params as string[]) ?? [], body: String(body) });
      out.set(name as string, list);
    }
    return out;
  } finally {
    conn.closeSync();
  }
}

/** How many times a macro's definition writes a parameter (as a name, quoted or not). */
function uses(body: string, param: string): number {
  const name = param.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return (body.match(new RegExp(`(?<![\\w"'.])"?${name}"?(?![\\w"'(])`, 'g')) ?? []).length;
}

describe('macro arguments are evaluated once', () => {
  it('every library function whose DuckDB form is a macro names the arguments the macro repeats', async () => {
    const defined = await macros();
    const missing: string[] = [];
    let checked = 0;
    for (const [id, f] of Object.entries(SQL_FUNCTIONS)) {
      if (typeof f.duckdb !== 'string' || !/^\w+$/.test(f.duckdb)) continue;
      for (const m of defined.get(f.duckdb) ?? []) {
        checked++;
        m.params.forEach((p, i) => {
          if (uses(m.body, p) > 1 && !(f.repeats ?? []).includes(i)) missing.push(`${id} (${f.duckdb}): argument ${i} (${p})`);
        });
      }
    }
    // fmod, nullif, split_part, array_to_string, spl_num2str, spl_ip4, spl_cidrmatch, spl_mvrange_count...
    expect(checked).toBeGreaterThanOrEqual(8);
    expect(missing).toEqual([]);
  });

  it('the check reads a definition as DuckDB wrote it', () => {
    expect(uses('CASE WHEN ((string IS NOT NULL) AND ("delimiter" IS NOT NULL)) THEN string_split(string, "delimiter") END', 'string')).toBe(2);
    expect(uses('CASE WHEN ((string IS NOT NULL) AND ("delimiter" IS NOT NULL)) THEN string_split(string, "delimiter") END', 'delimiter')).toBe(2);
    expect(uses("list_aggr(CAST(arr AS VARCHAR[]), 'string_agg', sep)", 'sep')).toBe(1);
  });

  describe('on rows', () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await Engine.open();
    });
    afterAll(() => engine.close());

    it('tostring of a random choice is one of its values (spl_num2str wrote its argument five times)', async () => {
      // One draw decided "whole number" and another gave 2: the text came out as "2.0".
      const r = await rows(engine, '| makeresults count=3000 | eval s=tostring(if(random() % 2 == 0, 1.5, 2)) | stats count by s');
      expect(r.map((x) => x.s)).toEqual(['1.5', '2']);
    });

    it('golden SQL: the repeated argument is bound once', () => {
      expect(sqlOf('| makeresults | eval s=tostring(random() % 7)')).toContain(
        'SELECT *, list_transform([floor(random() * 2147483647) % nullif(7::DOUBLE, 0)], __v0 -> spl_num2str(__v0))[1] AS "s" FROM s0');
    });
  });
});
