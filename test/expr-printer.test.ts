// The expression IR and its DuckDB printer: fresh lambda variables, shared values printed once,
// parentheses only where precedence needs them, and every library function reachable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, caseOf, column, int, lit, Vars, type Expr } from '../src/compiler/ir/expr.js';
import { SQL_FUNCTIONS } from '../src/compiler/library/sql-functions.js';
import { EVAL_FUNCTIONS } from '../src/compiler/library/eval-functions.js';
import { STATS_FUNCTIONS } from '../src/compiler/library/aggregates.js';
import { CONVERT_FUNCTIONS } from '../src/compiler/library/convert-functions.js';
import { DUCKDB } from '../src/compiler/print/duckdb.js';
import { duckdbSql } from '../src/compiler/print/duckdb.js';
import { ExprPrinter, NoDialectForm } from '../src/compiler/print/expr.js';
import { Engine } from '../src/engine/engine.js';
import { expectRows, sqlOf } from './helpers.js';

const x = column('x', 'number');
const s = column('s', 'string');

describe('printing expressions', () => {
  it('parenthesises only where precedence needs it', () => {
    const sum = call('add', [x, call('mul', [x, int(2)], 'number')], 'number');
    expect(duckdbSql(sum)).toBe('"x" + "x" * 2');
    expect(duckdbSql(call('mul', [call('add', [x, int(1)], 'number'), int(2)], 'number'))).toBe('("x" + 1) * 2');
    expect(duckdbSql(call('sub', [x, call('sub', [x, int(1)], 'number')], 'number'))).toBe('"x" - ("x" - 1)');
    const cond = call('and', [call('eq', [x, int(1)], 'bool'), call('or', [call('not', [call('is_null', [s], 'bool')], 'bool'), lit(true)], 'bool')], 'bool');
    expect(duckdbSql(cond)).toBe('"x" = 1 AND (NOT ("s" IS NULL) OR true)');
    expect(duckdbSql(call('concat', [call('concat', [s, lit('a')], 'string'), s], 'string'))).toBe(`"s" || 'a' || "s"`);
  });

  it('names every lambda variable afresh, so a nested lambda never captures the outer one', () => {
    const vars = new Vars();
    const inner = (outer: Expr) => call('list_transform', [column('a', 'mv'), vars.lambda('string', (v) => call('concat', [v, outer], 'string'))], 'mv');
    const e = call('list_transform', [column('b', 'mv'), vars.lambda('string', (v) => inner(v))], 'mv');
    expect(duckdbSql(e)).toBe('list_transform("b", __v0 -> list_transform("a", __v1 -> __v1 || __v0))');
  });

  it('prints a shared value once; a name or literal is repeated as it is', () => {
    const vars = new Vars();
    const costly = call('lower', [s], 'string');
    const twice = vars.share(costly, (v) => call('concat', [v, v], 'string'));
    expect(duckdbSql(twice)).toBe(`list_transform([lower("s")], __v0 -> __v0 || __v0)[1]`);
    expect(duckdbSql(vars.share(s, (v) => call('concat', [v, v], 'string')))).toBe('"s" || "s"');
  });

  it('binds an argument a template writes twice instead of repeating it', () => {
    const e = call('bool2str', [call('regexp_matches', [s, lit('a')], 'bool')], 'string');
    expect(duckdbSql(e)).toBe(`list_transform([regexp_matches("s", 'a')], __v0 -> CASE WHEN __v0 THEN 'true' WHEN NOT __v0 THEN 'false' END)[1]`);
  });

  it('refuses a function with no template for the dialect, naming it', () => {
    const printer = new ExprPrinter({ ...DUCKDB, name: 'trino' });
    expect(() => printer.print(call('lower', [s], 'string'))).toThrow(NoDialectForm);
    expect(() => printer.print(call('lower', [s], 'string'))).toThrow(/lower has no trino form/);
  });

  it('writes a CASE with typed nulls', () => {
    expect(duckdbSql(caseOf([{ when: call('gt', [x, int(0)], 'bool'), then: x }], null, 'number'))).toBe('CASE WHEN "x" > 0 THEN "x" END');
    expect(duckdbSql(lit(null, 'mv'))).toBe('CAST(NULL AS VARCHAR[])');
  });
});

describe('the function library', () => {
  it('has one entry per name across eval, stats and convert functions', () => {
    for (const table of [EVAL_FUNCTIONS.map((f) => f.name), STATS_FUNCTIONS.flatMap((f) => [f.name, ...(f.aliases ?? [])]), CONVERT_FUNCTIONS.map((f) => f.name)]) {
      expect(new Set(table).size).toBe(table.length);
    }
  });

  it('gives every SQL function a DuckDB template', () => {
    expect(Object.entries(SQL_FUNCTIONS).filter(([, f]) => f.duckdb === undefined).map(([id]) => id)).toEqual([]);
  });
});

describe('nested helpers stay small', () => {
  const nested = (n: number) => {
    let e = 'x';
    for (let i = 0; i < n; i++) e = `mvappend(${e}, "a${i}", y)`;
    return `| makeresults | eval x="1", y=split("p,q", ",") | eval z=${e} | eval n=mvcount(z), last=mvindex(z, -1)`;
  };

  it('sixteen nested mvappend compile to under 10 KB of SQL (they made 15 MB)', () => {
    expect(sqlOf(nested(16)).length).toBeLessThan(10_000);
  });

  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open();
  });
  afterAll(() => engine.close());

  it('and give every value', async () => {
    await expectRows(engine, `${nested(16)} | table n last`, [{ n: 1 + 16 * 3, last: 'q' }]);
  });
});
