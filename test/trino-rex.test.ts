// rex mode=sed with a match number on Athena or Trino gives the local engine's text: each search
// runs locally and, printed for Trino, on the sample in the Athena table's shape (test/trino/).
// rex page: a number flag replaces that match only.
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
import { describe, expect, it } from 'vitest';
import { SAMPLE_NOW } from './helpers.js';
import { canonical, sampleAndHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';

const both = sampleAndHarness();

async function same(spl: string): Promise<string[]> {
  const compiled = await both.engine.prepareTrino(spl, { now: SAMPLE_NOW });
  expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
  const text = (row: Record<string, unknown>) => compiled.columns.map((c) => canonical(row[c])).join(' | ');
  const local = (await both.engine.run(spl, { now: SAMPLE_NOW })).rows.map(text);
  expect((await both.harness.rows(compiled.sql)).map(text)).toEqual(local);
  return local;
}

describe('rex mode=sed with a match number, printed for Trino', () => {
  it('replaces the Nth match, groups and any case included', async () => {
    const names = await same('sourcetype=aws:cloudtrail | rex field=eventName mode=sed "s/(e)/<\\1>/2i" | stats count by eventName | fields eventName');
    expect(names).toContain('"AssumeRol<e>"');
    expect(names).toContain('"Creat<e>AccessKey"');
    expect(names).toContain('"GetCall<e>rIdentity"');
    await same('sourcetype=aws:cloudtrail | rex field=sourceIPAddress mode=sed "s/\\d+/N/3" | stats count by sourceIPAddress | fields sourceIPAddress');
  });
});
