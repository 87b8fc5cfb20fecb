// The Trino dialect without a database: every library function has a Trino form or a stated
// reason for having none; literals and names are quoted for Trino; RE2 patterns are rewritten for
// Java's engine or refused naming the construct; a refusal names the function at its caret.
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { compileTrino } from '../src/compiler/trino-compile.js';
import { call, column, lit } from '../src/compiler/ir/expr.js';
import { SQL_FUNCTIONS } from '../src/compiler/library/sql-functions.js';
import { TRINO_FUNCTIONS } from '../src/compiler/library/trino-functions.js';
import { NoDialectForm } from '../src/compiler/print/expr.js';
import { javaRegex, JavaRegexError } from '../src/compiler/print/java-regex.js';
import { TRINO, trinoPrinter, trinoSql } from '../src/compiler/print/trino.js';
import { parseExpression } from '../grammar/parser.js';
import { newBuilder } from '../src/compiler/compile.js';
import { eventsRelation } from '../src/compiler/events.js';
import { compileExpr } from '../src/compiler/expr.js';
import { SAMPLE_NOW } from './helpers.js';
import { athenaTable, partitionPredicates } from '../src/compiler/print/athena-table.js';
import { partitionBounds } from '../src/compiler/partition-bounds.js';
import { prepare } from '../src/compiler/index.js';

function trinoOf(spl: string): string {
  const parsed = parseExpression(spl);
  const b = newBuilder({ now: SAMPLE_NOW });
  return trinoPrinter().print(compileExpr(parsed.expr!, { rel: eventsRelation(b), b }));
}

describe('the function library in Trino', () => {
  it('gives every library function a Trino form or a reason it has none', () => {
    expect(Object.keys(SQL_FUNCTIONS).filter((id) => !(id in TRINO_FUNCTIONS))).toEqual([]);
    expect(Object.keys(TRINO_FUNCTIONS).filter((id) => !(id in SQL_FUNCTIONS))).toEqual([]);
  });

  it('refuses a function with no faithful form by name', () => {
    expect(() => trinoSql({ kind: 'aggregate', fn: 'median', args: [column('x', 'number')], type: 'number' })).toThrow(/exact median has no Trino form/);
    const err = (() => { try { trinoOf('mvrange(1, 5)'); } catch (e) { return e; } })() as NoDialectForm;
    expect(err).toBeInstanceOf(NoDialectForm);
    expect(err.fn).toBe('mvrange_count');
  });

  it('refuses a statistic over each value of a multivalue field rather than read its first value', () => {
    expect(() => compileTrino('* | stats sum(resources{}.accountId)', { now: SAMPLE_NOW })).toThrow(/no Trino form: a statistic over each value of a multivalue field/);
    expect(compileTrino('* | stats sum(eventVersion)', { now: SAMPLE_NOW }).sql).toContain('sum(');
  });

  it('points a refusal at the caret of the expression that needs it', () => {
    const err = (() => { try { trinoOf('lower(eventName) . mvrange(1, 5)'); } catch (e) { return e; } })() as NoDialectForm;
    expect(err.span).toBeDefined();
  });
});

describe('Trino literals and names', () => {
  it('writes doubles as DOUBLE literals and quotes text and names', () => {
    expect(TRINO.number(86400)).toBe('86400E0');
    expect(TRINO.number(1.5)).toBe('1.5E0');
    expect(TRINO.number(1e21)).toBe('1E+21');
    expect(TRINO.string("it's")).toBe("'it''s'");
    expect(TRINO.string('a\u0000b')).toBe("('a' || chr(0) || 'b')");
    expect(TRINO.ident('a"b')).toBe('"a""b"');
    expect(trinoSql(call('eq', [column('eventName', 'string'), lit('x')], 'bool'))).toBe(`"eventName" = 'x'`);
  });

  it('maps raw paths onto the table: structs, JSON text, resources{}', () => {
    expect(trinoOf("'userIdentity.sessionContext.sessionIssuer.arn'")).toBe('"userIdentity".sessioncontext.sessionissuer.arn');
    expect(trinoOf("'requestParameters.roleArn'")).toBe(`coalesce(json_extract_scalar("requestParameters", '$.roleArn'), nullif(json_format(json_extract("requestParameters", '$.roleArn')), 'null'))`);
    expect(trinoOf("'resources{}.ARN'")).toContain('transform("resources", __r -> __r.arn)');
  });

  it('refuses what the table does not hold, naming it', () => {
    expect(() => trinoOf("'userIdentity.sessionContext.sourceIdentity'")).toThrow(/no member sourceIdentity/);
    expect(() => trinoOf("'insightDetails.state'")).toThrow(/insightDetails/);
    expect(() => trinoOf('_raw')).toThrow(/keeps parsed columns/);
  });
});

describe('RE2 patterns for Java', () => {
  it('keeps group numbers, drops names (Java allows no _ in them)', () => {
    expect(javaRegex('(?P<refused_role>[^\\s]+)')).toBe('(?d)([^\\t\\n\\f\\r ]+)');
  });
  it('makes $ the end of the text and case folding Unicode, as in RE2', () => {
    expect(javaRegex('^a$')).toBe('(?d)^a\\z');
    expect(javaRegex('(?i)abc')).toBe('(?d)(?iu)abc');
    expect(javaRegex('(?m)^a$')).toBe('(?d)(?m)^a$');
  });
  it('respells POSIX classes, nested brackets and literal braces', () => {
    expect(javaRegex('[[:alpha:]_]')).toBe('(?d)[\\p{Alpha}_]');
    expect(javaRegex('[a[]')).toBe('(?d)[a\\[]');
    expect(javaRegex('a{b')).toBe('(?d)a\\{b');
    expect(javaRegex('a{2,3}')).toBe('(?d)a{2,3}');
  });
  it('refuses what has no Java form, naming the construct', () => {
    expect(() => javaRegex('(?U)a+')).toThrow(JavaRegexError);
    expect(() => javaRegex('(?U)a+')).toThrow(/ungreedy/);
    expect(() => javaRegex('\\C')).toThrow(/\\C/);
    expect(() => javaRegex('a(?m)$')).toThrow(/multi-line/);
  });
  it('refuses a regex the search gives only per row, naming the function', () => {
    expect(() => trinoSql(call('regexp_matches', [column('a', 'string'), column('b', 'string')], 'bool'))).toThrow(/known only per row/);
  });
});

describe('the DuckDB dialect is unchanged', () => {
  it('still prints the same SQL', () => {
    expect(compile('eventName=AssumeRole | eval x=lower(eventName)', { now: SAMPLE_NOW }).sql).toContain('lower(');
  });
});

describe('the Athena table and the partitions a search reads', () => {
  const t = (iso: string) => Date.parse(iso) / 1000;
  it('names the table and its partition columns', () => {
    expect(athenaTable().sqlName).toBe('"cloudtrail_logs_pp"');
    expect(athenaTable('sec.org_trail', 'account=acct,region,timestamp=day')).toEqual({
      name: 'sec.org_trail', sqlName: '"sec"."org_trail"', partitions: { timestamp: 'day', account: 'acct', region: 'region' },
    });
    expect(() => athenaTable('a;b')).toThrow(/--table/);
    expect(() => athenaTable('t', 'account')).toThrow(/must name the day partition/);
    expect(() => athenaTable('t', 'timestamp,year')).toThrow(/must name the day partition/);
    expect(() => athenaTable('t', 'year,month')).toThrow(/must name the day partition/);
    expect(() => athenaTable('t', 'timestamp,hour')).toThrow(/"hour" is not a partition/);
    expect(() => athenaTable('t', 'timestamp,timestamp=dt')).toThrow(/names timestamp twice/);
    // AWS's organisation table (manual partitions).
    expect(athenaTable('t', 'account,region,year,month,day=dd').partitions).toEqual({ account: 'account', region: 'region', year: 'year', month: 'month', day: 'dd' });
  });

  it('reads the days of the time range, one more at the end for late delivery', () => {
    const table = athenaTable('t', 'account,region,timestamp');
    expect(partitionPredicates(table, { earliest: t('2026-11-20T05:00:00Z'), latest: t('2026-11-28T00:00:00Z') }))
      .toEqual([`"timestamp" >= '2026/11/20'`, `"timestamp" <= '2026/11/29'`]);
    expect(partitionPredicates(table, { accounts: ['111122223333'], regions: ['eu-west-1', 'us-east-1'] }))
      .toEqual([`"account" IN ('111122223333')`, `"region" IN ('eu-west-1', 'us-east-1')`]);
    // A single-account table has no account partition to restrict.
    expect(partitionPredicates(athenaTable(), { accounts: ['111122223333'] })).toEqual([]);
  });

  it('reads the same days from a table with year, month and day partitions, whatever their padding', () => {
    const table = athenaTable('t', 'account,region,year,month,day');
    expect(partitionPredicates(table, { earliest: t('2025-12-30T05:00:00Z'), latest: t('2026-01-02T00:00:00Z'), regions: ['eu-west-1'] })).toEqual([
      `"year" >= '2025'`, `CAST("year" AS INTEGER) * 10000 + CAST("month" AS INTEGER) * 100 + CAST("day" AS INTEGER) >= 20251230`,
      `"year" <= '2026'`, `CAST("year" AS INTEGER) * 10000 + CAST("month" AS INTEGER) * 100 + CAST("day" AS INTEGER) <= 20260103`,
      `"region" IN ('eu-west-1')`,
    ]);
    expect(partitionPredicates(table, {})).toEqual([]);
  });

  it('takes the bounds from the search\'s ANDed conditions only', () => {
    const now = t('2026-11-28T00:00:00Z');
    const bounds = (spl: string, global = {}) => partitionBounds(prepare(spl).pipeline, now, global);
    expect(bounds('eventName=X earliest=-7d@d recipientAccountId=111122223333 awsRegion IN (EU-WEST-1, us-east-1)')).toMatchObject({
      earliest: t('2026-11-21T00:00:00Z'), latest: now, accounts: ['111122223333'], regions: ['eu-west-1', 'us-east-1'],
    });
    expect(bounds('recipientAccountId=1 OR awsRegion=x')).toEqual({ earliest: undefined, latest: undefined, global: {} });
    expect(bounds('recipientAccountId=1*')).toEqual({ earliest: undefined, latest: undefined, global: {} });
    // The search's own earliest= stands for the picker's range (Search Reference 9.4, "Time modifiers"): latest is now.
    expect(bounds('earliest=-1d', { earliest: now - 3600 })).toEqual({ earliest: now - 86400, latest: now, global: { earliest: now - 86400, latest: now } });
  });
});
