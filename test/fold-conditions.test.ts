// The field sidebar's add-on rules folded for the rows they are counted over (issue 14): a
// condition on one stored column that has one answer for every value the search's rows hold is
// that constant, and the inputs read only where no row goes are not computed. Exactness over
// whole searches is test/addon-summary.test.ts's (every add-on field against a per-row count).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addonDefinition, addonFieldNames } from '../src/compiler/addon-fields.js';
import { conditionsOf, knownConditions } from '../src/compiler/fold-conditions.js';
import { groupedFields, tableConditions } from '../src/compiler/grouped-fields.js';
import { compilePrepared, prepare } from '../src/compiler/index.js';
import { Engine } from '../src/engine/engine.js';
import { foldable } from '../src/engine/sidebar-summary.js';
import { SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

const CALCULATED = addonFieldNames().filter((name) => addonDefinition(name)?.field.kind === 'eval' && addonDefinition(name)?.field.expr);

describe('conditions answered once per value', () => {
  const compiled = (spl: string) => compilePrepared(prepare(spl), { now: SAMPLE_NOW, unordered: true });
  /** The expressions of the search's eval. */
  const evalColumns = (spl: string) => compiled(spl).plan!.steps.flatMap(({ step }) => (step.kind === 'extend' ? step.columns.map((c) => c.expr) : []));

  it('finds the conditions that read one stored column, each printed over its values', () => {
    const c = conditionsOf(evalColumns('* | eval a=if(eventName="A", 1, 0), b=if(eventName="B" OR eventName="C", 1, 0), d=if(like(eventName, "D%"), 1, 0), e=if(eventName=errorCode, 1, 0) | table a b d e'));
    expect(c.columns).toHaveLength(1);
    expect(c.columns[0]).toMatchObject({ kind: 'column', name: 'eventName' });
    // Three conditions on eventName alone; eventName=errorCode reads two columns.
    expect(c.atoms).toHaveLength(3);
    expect(c.atoms.every((a) => a.sql.includes('"__d"') && !a.sql.includes('"eventName"'))).toBe(true);
    // A column read by fewer conditions is not worth listing its values.
    expect(conditionsOf(evalColumns('* | eval a=if(errorCode="x", 1, 0) | table a')).atoms).toHaveLength(0);
  });

  it('keeps only the answers that are the same for every value, in three-valued logic', () => {
    const c = { columns: [], atoms: ['t', 'f', 'n', 'mixed', 'nullish', 'text'].map((key) => ({ key, column: 0, sql: '' })) };
    const rows = [
      { a0: true, a1: false, a2: null, a3: true, a4: false, a5: 'x' },
      { a0: true, a1: false, a2: null, a3: false, a4: null, a5: 'x' },
    ];
    const types = { a0: 'BOOLEAN', a1: 'BOOLEAN', a2: 'BOOLEAN', a3: 'BOOLEAN', a4: 'BOOLEAN', a5: 'VARCHAR' };
    const known = new Map<string, boolean | null>();
    knownConditions(rows, types, known, c);
    // False on one value and null on another (a row with no event name) is no constant.
    expect(Object.fromEntries(known)).toEqual({ t: true, f: false, n: null });
  });
});

describe('the sidebar folds the rules over the rows of the search', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open();
    await engine.load([SAMPLE_DIR]);
  });
  afterAll(() => engine?.close());

  const compiled = (spl: string) => compilePrepared(prepare(`${spl}\n| table ${CALCULATED.join(' ')}`), { now: SAMPLE_NOW, unordered: true });
  const known = async (spl: string) => {
    const { compiled } = await engine.prepareWithData(`${spl}\n| table ${CALCULATED.join(' ')}`, { now: SAMPLE_NOW, unordered: true });
    const conn = engine.connection;
    return { compiled, known: await foldable({ conn, query: (_sql, read) => read() }, compiled) };
  };

  it('drops the branches of event names the rows do not hold, and the inputs only they read', async () => {
    const { compiled, known: k } = await known('eventName=AssumeRole');
    expect(tableConditions(compiled)!.conditions.atoms.length).toBeGreaterThan(100);
    // eventName="AssumeRole" is true on every row, every other name false.
    expect([...k.values()]).toContain(true);
    expect([...k.values()].filter((v) => v === false).length).toBeGreaterThan(100);
    const before = groupedFields(compiled, CALCULATED)!;
    const after = groupedFields(compiled, CALCULATED, k)!;
    expect(after.inputs.length).toBeLessThan(before.inputs.length / 2);
    // CreateUser's user name (responseElements.user.userName) is read only for CreateUser.
    expect(before.sql).toContain("'$.user.userName'");
    expect(after.sql).not.toContain("'$.user.userName'");
    expect(after.sql.length).toBeLessThan(before.sql.length / 2);
  });

  it('folds nothing when two runs of the search may give other rows', async () => {
    const ask = (spl: string) => tableConditions(compiled(spl));
    expect(ask('eventName=AssumeRole | head 5')).toBeDefined();
    // The answers are found in one run and used in another: ties cut by a sort, random(), first().
    expect(ask('* | sort 5 eventSource')).toBeUndefined();
    expect(ask('* | where random() % 2 = 0')).toBeUndefined();
    expect(ask('* | eventstats first(eventName) AS f')).toBeUndefined();
  });

  it('lists the values of every event instead of running again a search that scans the raw text', () => {
    const sql = tableConditions(compiled('AccessDenied'))!.sql;
    expect(sql).toContain('SELECT * FROM "events"\n)');
    expect(sql).not.toContain('_raw');
    // Which sets of inputs are dense is seen over the events too, not over the scan run again.
    expect(groupedFields(compiled('AccessDenied'), CALCULATED)!.sample).not.toMatch(/accessdenied/i);
    expect(groupedFields(compiled('eventName=AssumeRole'), CALCULATED)!.sample).toBeUndefined();
    expect(tableConditions(compiled('eventName=AssumeRole'))!.sql).toContain("'AssumeRole'");
    // Rows the search made itself may hold values no event has: no superset to list, no folding.
    expect(tableConditions(compiled('AccessDenied | eval eventName=lower(eventName)'))).toBeUndefined();
  });

  it('answers nothing over a search with no rows', async () => {
    expect((await known('eventName=NoSuchCall')).known.size).toBe(0);
  });
});
