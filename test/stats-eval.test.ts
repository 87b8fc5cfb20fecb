// Stats functions over eval expressions: count(eval(...)), sum(eval(...)), dc(eval(...)) in stats,
// eventstats, streamstats, chart and timechart, as published detections write them.
// Search Manual, "Use the eval command and functions": stats count(eval(status="404")) AS ...
// https://help.splunk.com/splunk-enterprise/search/search-manual/9.3/evaluate-and-manipulate-fields/use-the-eval-command-and-functions
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { expectRows, SAMPLE_NOW, sampleAndLanguage } from './helpers.js';

const data = sampleAndLanguage();

describe('func(eval(expression)) as name', () => {
  it('count counts the rows where a condition holds; sum and dc take the values', async () => {
    // Checked against the same counts written with where: 1 AssumeRole refused (222233334444),
    // and the distinct accounts of the successful ones: 4, 2 and 1.
    await expectRows(data.sample, '* eventName=AssumeRole | stats count(eval(result_id="AccessDenied")) as denied, count as all, dc(eval(if(isnull(result_id), \'userIdentity.accountId\', null()))) as ok_accounts, sum(eval(if(isnotnull(result_id), 1, 0))) as errs by recipientAccountId', [
      { recipientAccountId: '111122223333', denied: 0, all: 57, ok_accounts: 4, errs: 0 },
      { recipientAccountId: '222233334444', denied: 1, all: 20, ok_accounts: 2, errs: 1 },
      { recipientAccountId: '444455556666', denied: 0, all: 24, ok_accounts: 1, errs: 0 },
    ]);
    await expectRows(data.sample, '* eventName=AssumeRole | where isnull(result_id) | stats dc(userIdentity.accountId) as ok_accounts by recipientAccountId', [
      { recipientAccountId: '111122223333', ok_accounts: 4 },
      { recipientAccountId: '222233334444', ok_accounts: 2 },
      { recipientAccountId: '444455556666', ok_accounts: 1 },
    ]);
  });

  it('values, avg and max of an expression', async () => {
    await expectRows(data.lang, 'eventName=DescribeInstances | stats values(eval(\'requestParameters.maxResults\' * 2)) as doubled, avg(eval(\'requestParameters.maxResults\' + 1)) as mean, max(eval(len(eventID))) as longest', [
      { doubled: ['100', '18', '200'], mean: 54, longest: 15 },
    ]);
  });

  it('in eventstats, streamstats, chart and timechart', async () => {
    await expectRows(data.sample, '* | eventstats count(eval(eventName="AssumeRole")) as ar by recipientAccountId | stats max(ar) as ar by recipientAccountId', [
      { recipientAccountId: '111122223333', ar: 57 },
      { recipientAccountId: '222233334444', ar: 20 },
      { recipientAccountId: '444455556666', ar: 24 },
    ]);
    await expectRows(data.sample, '* | streamstats count(eval(eventName="AssumeRole")) as n | stats max(n) as n', [{ n: 101 }]);
    await expectRows(data.sample, '* | chart count(eval(isnotnull(result_id))) as errors over recipientAccountId', [
      { recipientAccountId: '111122223333', errors: 9 },
      { recipientAccountId: '222233334444', errors: 10 },
      { recipientAccountId: '444455556666', errors: 0 },
    ]);
    await expectRows(data.sample, '* earliest=11/24/2026:00:00:00 | timechart span=1d count(eval(result_id="AccessDenied")) as denied', [
      { _time: 1795478400, denied: 2 },
      { _time: 1795564800, denied: 2 },
      { _time: 1795651200, denied: 0 },
      { _time: 1795737600, denied: 2 },
    ]);
  });

  it('needs "as" (as Splunk does), reads its expression with errors pointing into the search, and is refused by tstats', () => {
    const err = (spl: string) => {
      try {
        compile(spl, { now: SAMPLE_NOW });
      } catch (e) {
        return e as Error & { diagnostic?: { span: { start: number; end: number } } };
      }
      throw new Error(`compiled: ${spl}`);
    };
    expect(err('* | stats count(eval(x=1))').message).toMatch(/name the result of count\(eval\(\.\.\.\)\) with "as"/);
    const bad = '* | stats count(eval(nosuchfn(x))) as n';
    const e = err(bad);
    expect(e.message).toMatch(/unknown eval function nosuchfn/);
    expect(bad.slice(e.diagnostic!.span.start, e.diagnostic!.span.end)).toBe('nosuchfn');
    expect(err('| tstats count(eval(a=1)) as n from datamodel=Authentication').message).toMatch(/tstats functions take data model fields, not eval/);
  });
});
