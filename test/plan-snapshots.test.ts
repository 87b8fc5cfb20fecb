// Plan snapshots: each canned query's plan as text (one line per step, then the schema of its
// rows), checked in under __snapshots__/plans/, so a change to what a command builds shows up as
// a readable diff beside the golden SQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { planText } from '../src/compiler/print/plan-text.js';
import { Engine } from '../src/engine/engine.js';
import { listQueries } from '../src/engine/queries.js';
import { SAMPLE_NOW } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'spelunk-plans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the plan of every canned query', () => {
  for (const q of listQueries()) {
    it(q.id, async () => {
      const params = Object.fromEntries(q.parameters.map((p) => [p.name, `$${p.name}$`]));
      const engine = await Engine.open({ stateDir: dir });
      try {
        const { compiled } = engine.prepare(q.spl, { now: SAMPLE_NOW, params, allowUnfilledParams: true, placeholderLookups: true });
        await expect(planText(compiled.plan!.steps.map((s) => s.step)) + '\n').toMatchFileSnapshot(`__snapshots__/plans/${q.id}.txt`);
      } finally {
        engine.close();
      }
    });
  }
});

describe('the plan of a search from the language tests', () => {
  it('the architecture page\'s example', () => {
    const { plan } = compile('eventName=CreateAccessKey | eval who=upper(userIdentity.userName) | stats count by who', { now: SAMPLE_NOW });
    expect(planText(plan!.steps.map((s) => s.step))).toMatchInlineSnapshot(`
      "s0 events where coalesce("eventName" ILIKE 'CreateAccessKey', false)
          -> events, [__seq]
      s1 extend s0: who = upper("__p_userIdentity.userName")
          -> events, who:string, [__seq]
      s2 extend s1: __by0 = "who"
          -> events, who:string, [__seq, __by0]
      s3 filter s2 where "__by0" IS NOT NULL
          -> events, who:string, [__seq, __by0]
      s4 aggregate s3 by who = "__by0": count = count(*)
          -> who:string, count:number
      s5 extend s4: __seq = row_number() OVER (ORDER BY TRY_CAST("who" AS DOUBLE), "who")
          -> who:string, count:number, [__seq]"
    `);
  });
});
