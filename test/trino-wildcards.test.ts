// Wildcard field lists over events on Athena or Trino (`fields user*`, `table eventName user*`,
// `fillnull value=0 error*`): Splunk's fields are those some result has a value for ("fillnull:
// the value is applied to all fields", https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/fillnull;
// "fields: wildcards match field names", .../search-commands/fields), which on the Athena table
// are its columns, struct leaves and add-on fields (athena-schema.ts): which of them the events
// have is asked of the engine, here the harness (test/trino/), and the search is then printed with
// them; it must give the local rows. The keys inside JSON text (requestParameters...) cannot be
// listed by Trino: a pattern that reaches them is refused, naming them.
import { describe, expect, it } from 'vitest';
import { compileTrino } from '../src/compiler/trino-compile.js';
import type { DiscoveredValue } from '../src/compiler/types.js';
import { SAMPLE_NOW } from './helpers.js';
import { rowText, sampleAndHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';

const both = sampleAndHarness();

/** The search printed after the harness answered its questions, and the questions' SQL. */
async function answered(spl: string) {
  const discovered: Record<string, DiscoveredValue[]> = {};
  const asked: string[] = [];
  for (;;) {
    const c = await both.engine.prepareTrino(spl, { now: SAMPLE_NOW, askEngine: true, discovered });
    if (!c.questions?.length) return { ...c, asked };
    for (const q of c.questions) {
      asked.push(q.sql);
      expect(await trinoSyntaxErrors(q.sql), q.sql).toEqual([]);
      const rows = await both.harness.rows(q.sql);
      discovered[q.key] = rows.flatMap((r) => q.columns.map((col) => (r[col] === null || r[col] === undefined ? null : String(r[col]))));
    }
  }
}

async function same(spl: string): Promise<{ columns: string[]; asked: string[] }> {
  const compiled = await answered(spl);
  expect(compiled.asked.length).toBeGreaterThan(0);
  expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
  const text = rowText(compiled);
  const local = await both.engine.run(spl, { now: SAMPLE_NOW });
  expect(compiled.columns).toEqual(local.columns);
  expect((await both.harness.rows(compiled.sql)).map(text), compiled.sql).toEqual(local.rows.map(text));
  return { columns: local.columns, asked: compiled.asked };
}

describe('wildcard field lists over the Athena table', () => {
  // Statements of many columns: Trino's grammar check takes minutes on a busy machine.
  const slow = 600_000;

  it('table and fields with a wildcard: the columns, struct leaves and add-on fields the events have', async () => {
    // Sorted by eventID: events of the same second come in another order on Trino (docs/athena.md).
    const t = await same('sourcetype=aws:cloudtrail | table eventID eventName user* | sort 0 eventID | head 40');
    expect(t.columns).toContain('userIdentity.arn');
    expect(t.columns).toContain('user_arn');
    // One pass over the events for the columns, one for the map's keys.
    expect(t.asked).toHaveLength(2);
    expect(t.asked[0]).toMatch(/max\(CASE WHEN/);
    expect(t.asked[1]).toContain('map_keys("userIdentity".sessioncontext.webidfederationdata.attributes)');
  }, slow);

  it('fields with a wildcard in the middle of a list', async () => {
    const f = await same('sourcetype=aws:cloudtrail eventName=AssumeRole | fields eventID, eventS*, aws*, recipient* | fields - _raw, _time | sort 0 eventID');
    expect(f.columns).toEqual(expect.arrayContaining(['eventID', 'awsRegion', 'eventSource', 'recipientAccountId']));
  }, slow);

  it('fillnull over a wildcard list, then grouped by a filled field', async () => {
    await same('sourcetype=aws:cloudtrail | fillnull value=NONE error* | stats count by errorCode, errorMessage');
    await same('sourcetype=aws:cloudtrail | fillnull value=0 tls* | stats count by tlsDetails.tlsVersion');
  }, slow);

  it('refuses a pattern that reaches into JSON text, naming it; explain alone says the engine is asked', () => {
    expect(() => compileTrino('sourcetype=aws:cloudtrail | fillnull value=0', { now: SAMPLE_NOW, askEngine: true }))
      .toThrow(/the fields matching \*: the keys inside requestParameters \(JSON text in the Athena table, at any depth\) cannot be listed by Trino/);
    expect(() => compileTrino('sourcetype=aws:cloudtrail | table responseElements.*', { now: SAMPLE_NOW, askEngine: true }))
      .toThrow(/the keys inside responseElements/);
    // The add-on's eventtype is found in the event's text, which the table does not keep.
    expect(() => compileTrino('sourcetype=aws:cloudtrail | fields event*', { now: SAMPLE_NOW, askEngine: true }))
      .toThrow(/the fields matching event\*: eventtype is found in each event's raw text, which the Athena table does not keep/);
    // requestParameters.roleSessionName is such a field.
    expect(() => compileTrino('sourcetype=aws:cloudtrail | fields eventID, *Name', { now: SAMPLE_NOW, askEngine: true }))
      .toThrow(/the fields matching \*Name: the keys inside requestParameters/);
    expect(() => compileTrino('sourcetype=aws:cloudtrail | table user*', { now: SAMPLE_NOW }))
      .toThrow(/needs the fields matching user\* to be printed \(they name its columns\): run it with --engine athena\|trino/);
  });

  it('fields the search made, after stats, need no question', () => {
    const c = compileTrino('sourcetype=aws:cloudtrail | stats count, dc(user) AS users by eventName | fillnull value=0 count* | fields eventName, c*', { now: SAMPLE_NOW });
    expect(c.columns).toEqual(['eventName', 'count']);
  });
});
