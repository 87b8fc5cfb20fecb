// Rewrites of a complete plan (src/compiler/rewrite/): what they drop or change, and that the
// rows stay the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { Engine } from '../src/engine/engine.js';
import { listQueries } from '../src/engine/queries.js';
import { expectRows, SAMPLE_NOW, SAMPLE_PARAMS, sampleEngine } from './helpers.js';

const kinds = (spl: string) => compile(spl, { now: SAMPLE_NOW }).plan!.steps.map((s) => s.step.kind);

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

describe('useless steps are dropped', () => {
  it('a `search *` (an empty filter macro) is no step, wherever it is', async () => {
    expect(kinds('| makeresults count=3 | search * | eval a=1')).toEqual(['generate', 'extend']);
    expect(compile('| makeresults count=3 | eval a=1 | search *', { now: SAMPLE_NOW }).sql).not.toMatch(/WHERE true/);
    await expectRows(engine, '| makeresults count=3 | search * | eval a=1 | search * | stats count by a', [{ a: 1, count: 3 }]);
  });

  it('a subsearch that reads a dropped step reads its input', async () => {
    const spl = '| makeresults count=2 | streamstats count as a | search [| makeresults | eval a=2 | search * | fields a] | search *';
    expect(compile(spl, { now: SAMPLE_NOW }).sql).not.toMatch(/WHERE true/);
    await expectRows(engine, `${spl} | table a`, [{ a: 2 }]);
  });
});

/** The rows of SQL the engine compiled, as JSON text (for comparing two SQL forms of one search). */
async function sqlRows(sql: string): Promise<string> {
  const reader = await engine.connection.runAndReadAll(sql);
  return JSON.stringify(reader.getRowObjectsJson());
}

/** Searches whose adjacent steps merge (or must not), in every shape the printer knows. */
const MERGING = [
  'eventName=AssumeRole | eval a=1, b=a+1 | eval c=b*2 | where c > 3 | table eventName a b c',
  'eventName=* | eval who=upper(userIdentity.userName) | where isnotnull(who) | stats count by who',
  '* | eval x=len(eventName) | eval x=x*2, y=x | stats sum(x) as sx, max(y) as my by eventSource',
  '* | streamstats count as n | where n <= 5 | eval m=n*10 | table n m',
  '* | eval r=random() % 2 | eval s=r, t=r | where s = t | stats count',
  '* | eval parts=split(eventName, "e") | eval k=mvmap(parts, upper(parts)) | where isnotnull(k) | table k',
  '* | rename eventName as en | eval en2=en | where en2 = en | stats dc(en2) as d',
  '* | fields - eventName | eval eventName="x" | stats count by eventName',
  '* | eval eventSource=upper(eventSource) | search eventSource=IAM* | stats count by eventSource',
  '* | sort - _time | head 7 | eval i=1 | streamstats sum(i) as c | table c',
  '* | eventstats count as total by eventSource | where total > 3 | eval share=round(1/total, 3) | table eventSource total share | dedup eventSource',
  '* | eval u=coalesce(userIdentity.userName, "none") | table u | where u != "none" | stats count by u',
  '| makeresults count=5 | streamstats count as i | eval j=i*i | where j > 3 | eval k=j+1 | fields k',
  '* | where eventName="AssumeRole" | where isnotnull(sourceIPAddress) | stats count by sourceIPAddress',
  '* | eval a=requestParameters.roleArn | eval requestParameters="{}" | eval b=requestParameters.roleArn | stats count(a) as na, count(b) as nb',
];

describe('adjacent steps merged into one CTE give the rows of one CTE per step', () => {
  it('merges: fewer CTEs than steps', () => {
    const { sql, plan } = compile(MERGING[0]!, { now: SAMPLE_NOW });
    const ctes = (sql.match(/^s\d+ AS \(|^WITH s\d+ AS \(/gm) ?? []).length;
    expect(ctes).toBeLessThan(plan!.steps.length);
  });

  for (const spl of MERGING) {
    it(spl, async () => {
      const merged = await engine.prepareWithData(spl, { now: SAMPLE_NOW });
      const stepwise = await engine.prepareWithData(spl, { now: SAMPLE_NOW, stepwise: true });
      const ctes = (s: string) => (s.match(/ AS \(\n/g) ?? []).length;
      expect(ctes(merged.compiled.sql)).toBeLessThanOrEqual(ctes(stepwise.compiled.sql));
      const [a, b] = [await sqlRows(merged.compiled.sql), await sqlRows(stepwise.compiled.sql)];
      expect(a, merged.compiled.sql).toEqual(b);
      expect(JSON.parse(a).length, 'a search that finds something').toBeGreaterThan(0);
    });
  }
});

describe('every canned query gives the same rows merged and one CTE per step', () => {
  for (const q of listQueries()) {
    it(q.id, async () => {
      const params = Object.fromEntries(q.parameters.map((p) => [p.name, SAMPLE_PARAMS[p.name] ?? 'x']));
      const merged = await engine.prepareWithData(q.spl, { now: SAMPLE_NOW, params });
      const stepwise = await engine.prepareWithData(q.spl, { now: SAMPLE_NOW, params, stepwise: true });
      expect(await sqlRows(merged.compiled.sql), merged.compiled.sql).toEqual(await sqlRows(stepwise.compiled.sql));
    });
  }
});

describe('the events step\'s conditions', () => {
  // The time range was printed beside the search's condition with AND and no parentheses, so
  // `A OR B` in a range read `time AND A OR B`: B's events from any time.
  it('an OR search keeps to the time range', async () => {
    await expectRows(engine, 'eventName=AssumeRole OR eventName=ConsoleLogin | stats count', [{ count: 0 }], { latest: 1 });
    await expectRows(engine, 'eventName=AssumeRole OR eventName=ConsoleLogin | head 3 | stats count', [{ count: 0 }], { earliest: SAMPLE_NOW + 86400 });
  });
});
