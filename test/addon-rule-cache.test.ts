// The add-on rules' IR is compiled once and shared by every search and both dialects
// (src/compiler/addon-ir.ts). A stale or shared entry would print another search's SQL, a
// silent wrong answer: every search here must compile exactly as it does with nothing cached,
// whatever was compiled before it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRuleCache } from '../src/compiler/addon-ir.js';
import { planText } from '../src/compiler/print/plan-text.js';
import { Engine } from '../src/engine/engine.js';
import { listQueries } from '../src/engine/queries.js';
import { SAMPLE_NOW, SAMPLE_PARAMS } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'spelunk-rule-cache-'));
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open({ stateDir: dir });
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Searches whose add-on fields are read over differently shaped events, in lambdas, twice in one expression. */
const SHAPES = [
  'eventName=* | eval a=action, s=status',
  // The rules read CloudTrail's own eventName and errorCode: kept aside once the pipeline overwrites them.
  'eventName=* | eval eventName="x", errorCode="y" | eval a=action, s=status',
  'eventName=* | fields - eventName | eval a=action',
  'eventName=* | rename eventName AS n | eval a=action, u=user',
  'eventName=* | eval a=split("x,y",","), b=split("q,r",",") | eval r=mvmap(b, mvmap(a, a . b . user)), t=tag, e=eventtype',
  'eventName=* | eval s=split("a,b",",") | eval z=mvmap(s, s . user), w=mvmap(s, action . s), u=coalesce(user, user, src)',
  // Rules that bind variables (tag, object, user_name...) compiled after other variables, and twice in one expression.
  'eventName=* | eval t=tag, o=object, n=user_name',
  'eventName=* | eval a=split("x,y",",") | eval r=mvmap(a, a . "1"), t=tag, e=eventtype, both=mvappend(tag, object, tag), n=user_name',
  'tag=authentication user=* | stats count by user action status change_type object_category',
  'eventtype=aws_cloudtrail_errors | eval t=tag | where searchmatch("user=bob") | table t user',
];

const SEARCHES = [...listQueries().map((q) => q.spl), ...SHAPES];

/** Everything a compilation gives that a cached rule could change, in both dialects and both add-on profiles. */
async function outputs(spl: string): Promise<string> {
  const out: string[] = [];
  for (const addon of ['7.10', '5'] as const) {
    const opts = { now: SAMPLE_NOW, params: SAMPLE_PARAMS, addon, placeholderLookups: true };
    const { compiled } = engine.prepare(spl, opts);
    out.push(compiled.sql, planText(compiled.plan!.steps.map((s) => s.step)), JSON.stringify(compiled.plan!.steps.map((s) => s.step)));
    try {
      out.push((await engine.prepareTrino(spl, opts)).sql);
    } catch (err) {
      out.push(`trino: ${(err as Error).message}`);
    }
  }
  return out.join('\n----\n');
}

describe('add-on rules compiled once', () => {
  it('every search compiles as with nothing cached, whatever was compiled before it', async () => {
    const fresh: string[] = [];
    for (const spl of SEARCHES) {
      clearRuleCache();
      fresh.push(await outputs(spl));
    }
    clearRuleCache();
    // In order, then backwards: each search meets entries another search, shape or dialect made.
    for (const i of [...SEARCHES.keys(), ...[...SEARCHES.keys()].reverse()]) {
      expect(await outputs(SEARCHES[i]!), SEARCHES[i]).toBe(fresh[i]);
    }
  });

  it('a rule over overwritten event fields reads the originals, after the same rule over plain events was cached', () => {
    const sql = (spl: string) => engine.prepare(spl, { now: SAMPLE_NOW }).compiled.sql;
    clearRuleCache();
    const fresh = sql(SHAPES[1]!);
    clearRuleCache();
    sql(SHAPES[0]!);
    expect(sql(SHAPES[1]!)).toBe(fresh);
  });

  it('the tag rule of each add-on profile is its own', () => {
    clearRuleCache();
    const sql = (addon: '7.10' | '5') => engine.prepare('eventName=GetSessionToken | eval t=tag', { now: SAMPLE_NOW, addon }).compiled.sql;
    const [v7, v5, v7again] = [sql('7.10'), sql('5'), sql('7.10')];
    expect(v5).not.toBe(v7);
    expect(v7again).toBe(v7);
  });
});
