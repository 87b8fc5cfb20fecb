// `sort` on Athena or Trino orders text as the local engine does: Splunk's sort puts numbers
// before text and, for `auto`/`ip`, IP addresses in address order ("sort": "ip(): interpret values
// as IP addresses", https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Sort).
// Each search runs locally and, printed for Trino, on the sample in the Athena table's shape
// (test/trino/), and must give the same rows in the same order.
import { describe, expect, it } from 'vitest';
import { SAMPLE_NOW } from './helpers.js';
import { rowText, sampleAndHarness } from './trino/harness.js';
import { trinoSyntaxErrors } from './trino/validate.js';

const both = sampleAndHarness();

/** The local rows, after checking Trino gives the same in the same order. */
async function sameOrder(spl: string): Promise<Record<string, unknown>[]> {
  const compiled = await both.engine.prepareTrino(spl, { now: SAMPLE_NOW });
  expect(await trinoSyntaxErrors(compiled.sql), compiled.sql).toEqual([]);
  const text = rowText(compiled);
  const local = (await both.engine.run(spl, { now: SAMPLE_NOW })).rows;
  expect(local.length).toBeGreaterThan(3);
  expect((await both.harness.rows(compiled.sql)).map(text)).toEqual(local.map(text));
  return local;
}

describe('sort on text fields, printed for Trino', () => {
  it('puts addresses in address order, before names, both ways', async () => {
    const up = (await sameOrder('sourcetype=aws:cloudtrail | stats count by sourceIPAddress | sort sourceIPAddress | fields sourceIPAddress')).map((r) => String(r.sourceIPAddress));
    // As addresses 3.91.171.15 comes before 10.20.3.41 (as text it would come after); names last.
    expect(up.slice(0, 3)).toEqual(['3.91.171.15', '10.20.3.41', '10.20.7.12']);
    expect(up.at(-1)).toBe('secretsmanager.amazonaws.com');
    await sameOrder('sourcetype=aws:cloudtrail | stats count by sourceIPAddress | sort - sourceIPAddress | fields sourceIPAddress');
  });

  it('ip(), str(), num() and auto() keys', async () => {
    await sameOrder('sourcetype=aws:cloudtrail | stats count by sourceIPAddress | sort ip(sourceIPAddress) | fields sourceIPAddress');
    await sameOrder('sourcetype=aws:cloudtrail | stats count by sourceIPAddress | sort str(sourceIPAddress) | fields sourceIPAddress');
    await sameOrder('sourcetype=aws:cloudtrail | stats count by eventName | sort - num(count) str(eventName)');
    await sameOrder('sourcetype=aws:cloudtrail | stats count by recipientAccountId, eventName | sort auto(recipientAccountId) - eventName');
  });
});
