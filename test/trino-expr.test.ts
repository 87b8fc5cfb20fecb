// The Trino dialect of the expression printer, value for value: each SPL expression is compiled
// once to the IR, printed for DuckDB (run by the engine on the sample's events) and for Trino (run
// on the same events in the Athena table's shape, through test/trino/'s stand-in for Trino's
// functions), and every event must get the same value. The add-on's fields are all checked this
// way, so the field mapping (struct access, JSON text, resources{}) is checked through them too.
// Every printed expression is also checked against Trino's own grammar (test/trino/validate.ts).
//
// All expressions run together: one local search evaluates every one of them (x0, x1, ...) and
// one Trino statement selects them all, so each engine reads the events once; each expression
// keeps its own test, which compares its column.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExpression } from '../grammar/parser.js';
import { addonFieldNames } from '../src/compiler/addon-fields.js';
import { newBuilder } from '../src/compiler/compile.js';
import { eventsRelation } from '../src/compiler/events.js';
import { compileExpr } from '../src/compiler/expr.js';
import { NoDialectForm } from '../src/compiler/print/expr.js';
import { trinoEventColumns, trinoIdent, trinoPrinter } from '../src/compiler/print/trino.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';
import { trinoSyntaxErrors } from './trino/validate.js';
import { ATHENA_TABLE, canonical, openHarness } from './trino/harness.js';

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
  'substr(eventName, -40, 3)',
  'substr(eventName, 0, 2)',
  'substr(eventName, 5, -3)',
  'substr(eventName, len(eventName) - 20, 3)',
  'replace(eventName, "(\\w)Role", "\\1R")',
  'if(match(eventName, "^(Assume|Get)"), "yes", "no")',
  'mvcount(\'resources{}.ARN\')',
  "mvindex('resources{}.ARN', 0)",
  "mvindex('resources{}.ARN', -1)",
  "mvindex(split(\"a:b:c:d\", \":\"), 1, -2)",
  "mvjoin('resources{}.type', \"|\")",
  'split(eventSource, ".")',
  'strftime(_time, "%Y-%m-%dT%H:%M:%S")',
  'relative_time(_time, "-1d@d")',
  'relative_time(_time, "-1mon@d+8h")',
  'relative_time(_time + 86400 * 10, "+1q-1y")',
  'tonumber(recipientAccountId)',
  'round(_time / 3600, 2)',
  'round(len(eventName) * 1.25, len(eventName) * 40 - 320)',
  'round(len(eventName) * 1.25, 0 - len(eventName) * 40)',
  'floor(_time / 86400) % 7',
  '(0 - len(eventName)) % 7',
  'case(eventName=="AssumeRole", 1, like(eventName, "Get%"), 2, true(), 3)',
  'coalesce(\'requestParameters.roleArn\', \'userIdentity.arn\')',
  'cidrmatch("44.0.0.0/8", sourceIPAddress)',
  'cidrmatch("2001:db8::/32", sourceIPAddress)',
  'cidrmatch("2001:db8::4000/114", "2001:db8::" . substr(eventID, 1, 4))',
  'urldecode("a%20b")',
  "mvdedup(mvappend('resources{}.type', 'resources{}.type'))",
  "mvfilter(match('resources{}.ARN', \"role\"))",
  "mvmap('resources{}.accountId', 'resources{}.accountId' . \"!\")",
  'tostring(_time)',
  // A number as text reads the same on Athena as locally: Java's Double.toString wrote
  // 1.2345672E7 and 1.4285714285714287E-4 where DuckDB writes 12345672.5 and 0.00014285714285714287.
  'tostring(len(eventName) * 1234567.25)',
  'tostring(len(eventName) / 70000)',
  'tostring(len(eventName) / 7000000)',
  'tostring(len(eventName) * 1.5e20 / 7)',
  'tostring(len(eventName) * 1e15 + 0.5)',
  'tostring(0 - len(eventName) / 3 * 0.0001)',
  'round(len(eventName) / -4, 1) . " " . round(0 - len(eventName) / 2)',
  'eventName . "/" . awsRegion',
  "isnull('requestParameters.roleArn')",
  'searchmatch("eventName=Assume*")',
];

/** An add-on field as an SPL expression (a dotted name is quoted). */
function fieldExpression(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name}'`;
}

/** The Trino text of one SPL expression over the events (a number as DOUBLE, as the engine gives it). */
export function trinoExpression(spl: string): string {
  const parsed = parseExpression(spl);
  if (!parsed.expr) throw new Error(`does not parse: ${spl}`);
  const b = newBuilder({ now: SAMPLE_NOW });
  const ir = compileExpr(parsed.expr, { rel: eventsRelation(b), b });
  const x = trinoPrinter().print(ir);
  return ir.type === 'int' || ir.type === 'number' ? `CAST(${x} AS DOUBLE)` : x;
}

interface Case {
  spl: string;
  /** The Trino text, or why it has none. */
  trino?: string;
  refused?: string;
  /** `eventID value` per event, sorted, from each engine. */
  expected?: string[];
  got?: string[];
}

const cases = new Map<string, Case>();
for (const spl of [...EXPRESSIONS, ...addonFieldNames().map(fieldExpression)]) cases.set(spl, { spl });

beforeAll(async () => {
  const printed: Case[] = [];
  for (const c of cases.values()) {
    try {
      c.trino = trinoExpression(c.spl);
      printed.push(c);
    } catch (err) {
      if (!(err instanceof NoDialectForm)) throw err;
      c.refused = err.message;
    }
  }
  const [engine, harness] = await Promise.all([sampleEngine(), openHarness()]);
  try {
    const evals = printed.map((c, i) => `x${i}=${c.spl}`).join(', ');
    const local = await engine.run(`sourcetype=aws:cloudtrail | eval ${evals} | table eventID ${printed.map((_, i) => `x${i}`).join(' ')}`, { now: SAMPLE_NOW });
    const events = trinoEventColumns().map(([name, sql]) => `${sql} AS ${trinoIdent(name)}`).join(', ');
    const remote = await harness.rows(`SELECT "eventID" AS k, ${printed.map((c, i) => `${c.trino} AS x${i}`).join(', ')} FROM (SELECT ${events} FROM ${ATHENA_TABLE}) AS e`);
    printed.forEach((c, i) => {
      c.expected = local.rows.map((r) => `${r.eventID} ${canonical(r[`x${i}`])}`).sort();
      c.got = remote.map((r) => `${r.k} ${canonical(r[`x${i}`])}`).sort();
    });
  } finally {
    engine.close();
    harness.close();
  }
});

async function compare(spl: string): Promise<void> {
  const c = cases.get(spl)!;
  if (c.refused !== undefined) throw new Error(`no Trino form: ${c.refused}`);
  // A WHERE clause takes the same expression (Trino's `expression` rule) as a select list, but
  // the parser does not first look across the whole of it for a `x.*` select item.
  const sql = `SELECT 1 FROM ${ATHENA_TABLE} WHERE ${c.trino}`;
  expect(await trinoSyntaxErrors(sql), `Trino's grammar refuses:\n${sql}`).toEqual([]);
  expect(c.got!.length, `SPL: ${spl}`).toBe(c.expected!.length);
  const diff = c.got!.filter((g, i) => g !== c.expected![i]);
  expect(diff.slice(0, 5), `SPL: ${spl}\nTrino: ${c.trino}\nexpected e.g.: ${c.expected!.filter((e, i) => e !== c.got![i]).slice(0, 5).join('\n')}`).toEqual([]);
}

describe('Trino expressions give the DuckDB dialect\'s values on the same events', () => {
  for (const spl of EXPRESSIONS) it(spl, () => compare(spl));
});

describe('the add-on fields, printed for Trino', () => {
  for (const name of addonFieldNames()) {
    const spl = fieldExpression(name);
    it(name, async () => {
      if (cases.get(spl)!.refused !== undefined) return;
      await compare(spl);
    });
  }
  it('refuses only the ones whose event types search the raw text', () => {
    const refused = addonFieldNames().filter((name) => cases.get(fieldExpression(name))!.refused !== undefined);
    expect(refused).toEqual(['eventtype', 'tag']);
    expect(cases.get('eventtype')!.refused).toMatch(/_raw: the Athena table keeps parsed columns/);
  });
});
