// The schema of every step, as the plan states it (derived from the step, or stated by its
// command where the step cannot say it), against the columns DuckDB gives that step's rows, for
// every canned query in queries/: the same names, and the shown fields in the same order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { originText } from '../src/compiler/ir/origin.js';
import { columnName } from '../src/compiler/print/duckdb.js';
import { fieldsText } from '../src/compiler/print/plan-text.js';
import { present } from '../src/compiler/print/plan.js';
import type { Schema } from '../src/compiler/ir/plan.js';
import { Engine } from '../src/engine/engine.js';
import { listQueries } from '../src/engine/queries.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';

/** Investigation parameters: any value will do, only the columns are compared. */
const PARAMS: Record<string, string> = { arn: 'x', access_key_id: 'x', src_user: 'x', ip: '1.2.3.4', region: 'x', user: 'x', city: 'x', country: 'x', geo_region: 'x' };

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

async function columnsOf(sql: string): Promise<string[]> {
  const reader = await engine.connection.runAndReadAll(`SELECT * FROM (${sql}) LIMIT 0`);
  return reader.columnNames();
}

/**
 * What is wrong with a schema against the columns DuckDB has, or nothing. A field is the column
 * columnName() spells it as (DuckDB folds case, Splunk does not).
 */
function mismatch(schema: Schema, physical: string[]): string | undefined {
  const has = new Set(physical);
  const missing = [...schema.fields.keys()].filter((n) => !has.has(columnName(n)));
  if (missing.length) return `the schema has ${missing.join(', ')}, the rows do not`;
  const spelled = new Map([...schema.fields.keys()].map((n) => [columnName(n), n]));
  const extra = physical.filter((c) => !present(schema, spelled.get(c) ?? c));
  if (extra.length) return `the rows have ${extra.join(', ')}, the schema does not`;
  return undefined;
}

describe('the plan schema of every step matches DuckDB', () => {
  for (const q of listQueries()) {
    it(q.id, async () => {
      const params = Object.fromEntries(q.parameters.map((p) => [p.name, PARAMS[p.name] ?? "x"]));
      const { compiled } = await engine.prepareWithData(q.spl, { now: SAMPLE_NOW, params });
      const plan = compiled.plan!;
      for (const step of plan.steps) {
        const physical = await columnsOf(`WITH ${plan.ctes}\nSELECT * FROM ${step.name}`);
        expect(mismatch(step.schema, physical), `${q.id} ${step.name}`).toBeUndefined();
      }
      // The result: the shown fields of the last step, in order, are what DuckDB returns.
      expect(await columnsOf(compiled.sql)).toEqual(compiled.columns.map(columnName));
    });
  }
});

// Where each result field comes from (ir/origin.ts): field resolution marks what it returns, a
// command copying a field keeps its origin, and whatever an expression builds is computed.
describe('the origin of every result field', () => {
  const lookups = { resolve: (n: string) => (n === 'owners' ? { sql: '"owners"', columns: ['arn', 'team', 'owner'] } : undefined), names: () => ['owners'] };
  const origins = (spl: string) => {
    const c = compile(spl, { now: SAMPLE_NOW, lookups });
    return Object.fromEntries(c.columns.map((n) => [n, `${c.types[n]} ${originText(c.origins[n]!)}`]));
  };

  it('raw paths, add-on fields and event columns as table names them', () => {
    expect(origins('eventName=AssumeRole | table userIdentity.arn, resources{}.accountId, user, src, action, eventName')).toEqual({
      'userIdentity.arn': 'string raw userIdentity.arn',
      'resources{}.accountId': 'mv raw resources{}.accountId',
      user: 'string add-on user',
      src: 'string add-on src',
      action: 'string add-on action',
      eventName: 'string raw eventName',
    });
    // The events themselves: their time and text as recorded.
    expect(origins('eventName=AssumeRole')).toEqual({ _time: 'number raw _time', _raw: 'string raw _raw' });
  });

  it('eval: an expression is computed, a field copied keeps its origin', () => {
    expect(origins('* | eval a=upper(user), b=user, c=userIdentity.arn, d=1 | table a b c d')).toEqual({
      a: 'string computed', b: 'string add-on user', c: 'string raw userIdentity.arn', d: 'number computed',
    });
  });

  it('stats by, rename and fields keep the origin; aggregates are computed', () => {
    expect(origins('* | stats count by user, resources{}.accountId, eventName')).toEqual({
      user: 'string add-on user', 'resources{}.accountId': 'string raw resources{}.accountId', eventName: 'string raw eventName', count: 'number computed',
    });
    expect(origins('* | rename userIdentity.arn as arn, src as ip | fields arn ip')).toEqual({ arn: 'string raw userIdentity.arn', ip: 'string add-on src' });
    expect(origins('* | stats dc(src) as n by user | rename user as who | eval w=who')).toEqual({ who: 'string add-on user', n: 'number computed', w: 'string add-on user' });
  });

  it('spath and rex build their fields: computed', () => {
    expect(origins('* | spath input=requestParameters path=roleArn output=role | rex field=userIdentity.arn "user/(?<name>.+)" | table role name')).toEqual({
      role: 'string computed', name: 'string computed',
    });
  });

  it('lookup OUTPUT and inputlookup: the lookup column', () => {
    expect(origins('* | lookup owners arn AS userIdentity.arn OUTPUT team, owner AS who | table team who')).toEqual({
      team: 'mv lookup owners: team', who: 'mv lookup owners: owner',
    });
    expect(origins('| inputlookup owners | table arn team')).toEqual({ arn: 'string lookup owners: arn', team: 'string lookup owners: team' });
  });

  it('append: one origin on both sides stays, two become computed', () => {
    expect(origins('* | stats count by user | append [search eventName=AssumeRole | stats count by user] | table user')).toEqual({ user: 'string add-on user' });
    expect(origins('* | stats count by user | append [| inputlookup owners | rename owner as user] | table user')).toEqual({ user: 'string computed' });
  });

  it('an add-on field the pipeline replaced is computed from then on', () => {
    expect(origins('* | eval user=lower(user) | table user')).toEqual({ user: 'string computed' });
  });

  it('explain lists each result field with its type and origin', () => {
    const c = compile('* | stats count by user | rename user as who', { now: SAMPLE_NOW });
    expect(fieldsText(c.columns, c.types, c.origins)).toBe([
      '-- field  type    origin',
      '-- who    string  add-on user',
      '-- count  number  computed',
    ].join('\n'));
  });
});
