// The Trino dialect of the expression printer, value for value: each SPL expression is compiled
// once to the IR, printed for DuckDB (run by the engine on the sample's events) and for Trino (run
// on the same events in the Athena table's shape, through test/trino/'s stand-in for Trino's
// functions), and every event must get the same value. The add-on's fields are all checked this
// way, so the field mapping (struct access, JSON text, resources{}) is checked through them too.
// Every statement is also checked against Trino's own grammar (test/trino/validate.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExpression } from '../grammar/parser.js';
import { addonFieldNames } from '../src/compiler/addon-fields.js';
import { newBuilder } from '../src/compiler/compile.js';
import { eventsRelation } from '../src/compiler/events.js';
import { compileExpr } from '../src/compiler/expr.js';
import { NoDialectForm } from '../src/compiler/print/expr.js';
import { trinoEventColumns, trinoIdent, trinoPrinter } from '../src/compiler/print/trino.js';
import type { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';
import { trinoSyntaxErrors } from './trino/validate.js';
import { ATHENA_TABLE, canonical, openHarness, type TrinoHarness } from './trino/harness.js';

let engine: Engine;
let harness: TrinoHarness;
beforeAll(async () => {
  [engine, harness] = await Promise.all([sampleEngine(), openHarness()]);
});
afterAll(() => {
  engine?.close();
  harness?.close();
});

/** Trino SQL for one SPL expression over the events, with the event's id. */
export function trinoExpression(spl: string): string {
  const parsed = parseExpression(spl);
  if (!parsed.expr) throw new Error(`does not parse: ${spl}`);
  const b = newBuilder({ now: SAMPLE_NOW });
  const ir = compileExpr(parsed.expr, { rel: eventsRelation(b), b });
  const events = trinoEventColumns().map(([name, sql]) => `${sql} AS ${trinoIdent(name)}`).join(', ');
  // Numbers as DOUBLE, as the engine hands them over (DuckDB gives a BIGINT as text in JSON).
  const x = trinoPrinter().print(ir);
  return `SELECT "eventID" AS k, ${ir.type === 'int' || ir.type === 'number' ? `CAST(${x} AS DOUBLE)` : x} AS x FROM (SELECT ${events} FROM ${ATHENA_TABLE}) AS e`;
}

async function compare(spl: string): Promise<void> {
  const local = await engine.run(`sourcetype=aws:cloudtrail | eval x=${spl} | table eventID x`, { now: SAMPLE_NOW });
  const expected = local.rows.map((r) => `${r.eventID} ${canonical(r.x)}`).sort();
  const sql = trinoExpression(spl);
  expect(trinoSyntaxErrors(sql), `Trino's grammar refuses:\n${sql}`).toEqual([]);
  const got = (await harness.rows(sql)).map((r) => `${r.k} ${canonical(r.x)}`).sort();
  expect(got.length, `SPL: ${spl}`).toBe(expected.length);
  const diff = got.filter((g, i) => g !== expected[i]);
  expect(diff.slice(0, 5), `SPL: ${spl}\nTrino SQL:\n${sql}\nexpected e.g.: ${expected.filter((e, i) => e !== got[i]).slice(0, 5).join('\n')}`).toEqual([]);
}

const EXPRESSIONS = [
  '_time',
  'eventName',
  "'userIdentity.arn'",
  "'userIdentity.sessionContext.sessionIssuer.arn'",
  "'userIdentity.sessionContext.attributes.mfaAuthenticated'",
  "'resources{}.ARN'",
  "'resources{}.accountId'",
  "'requestParameters.roleArn'",
  "'responseElements.credentials.accessKeyId'",
  "'requestParameters.policyArn'",
  "'tlsDetails.tlsVersion'",
  'lower(eventName)',
  'upper(eventSource)',
  'len(userAgent)',
  'substr(eventName, 2, 3)',
  'substr(eventName, -4)',
  'replace(eventName, "(\\w)Role", "\\1R")',
  'if(match(eventName, "^(Assume|Get)"), "yes", "no")',
  'mvcount(\'resources{}.ARN\')',
  "mvindex('resources{}.ARN', 0)",
  "mvindex('resources{}.ARN', -1)",
  "mvjoin('resources{}.type', \"|\")",
  'split(eventSource, ".")',
  'strftime(_time, "%Y-%m-%dT%H:%M:%S")',
  'relative_time(_time, "-1d@d")',
  'tonumber(recipientAccountId)',
  'round(_time / 3600, 2)',
  'floor(_time / 86400) % 7',
  'case(eventName=="AssumeRole", 1, like(eventName, "Get%"), 2, true(), 3)',
  'coalesce(\'requestParameters.roleArn\', \'userIdentity.arn\')',
  'cidrmatch("44.0.0.0/8", sourceIPAddress)',
  'urldecode("a%20b")',
  "mvdedup(mvappend('resources{}.type', 'resources{}.type'))",
  "mvfilter(match('resources{}.ARN', \"role\"))",
  "mvmap('resources{}.accountId', 'resources{}.accountId' . \"!\")",
  'tostring(_time)',
  'eventName . "/" . awsRegion',
  "isnull('requestParameters.roleArn')",
  'searchmatch("eventName=Assume*")',
];

describe('Trino expressions give the DuckDB dialect\'s values on the same events', () => {
  for (const spl of EXPRESSIONS) it(spl, () => compare(spl));
});

describe('the add-on fields, printed for Trino', () => {
  const refused: string[] = [];
  for (const name of addonFieldNames()) {
    it(name, async () => {
      const field = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name}'`;
      try {
        trinoExpression(field);
      } catch (err) {
        if (err instanceof NoDialectForm) {
          refused.push(`${name}: ${err.message}`);
          return;
        }
        throw err;
      }
      await compare(field);
    });
  }
  it('refuses only the ones whose event types search the raw text', () => {
    expect(refused.map((r) => r.split(':')[0])).toEqual(['eventtype', 'tag']);
    expect(refused[0]).toMatch(/_raw: the Athena table keeps parsed columns/);
  });
});
