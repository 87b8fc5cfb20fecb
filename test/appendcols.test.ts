// appendcols: the subsearch's results beside the results, row by row, through a full outer join
// step of the plan. Splunk Search Reference, appendcols:
// https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/appendcols
import { describe, expect, it } from 'vitest';
import { expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

describe('appendcols', () => {
  it("puts the subsearch's rows beside the results, row by row; extra subsearch rows are rows of their own", async () => {
    await expectRows(data.sample, '* | stats count by eventSource | head 3 | appendcols [search errorCode=* | stats count as errors by errorCode | head 4]', [
      { eventSource: 'cloudformation.amazonaws.com', count: 12, errorCode: 'AccessDenied', errors: 6 },
      { eventSource: 'cloudtrail.amazonaws.com', count: 4, errorCode: 'Client.RequestLimitExceeded', errors: 9 },
      { eventSource: 'ec2.amazonaws.com', count: 62, errorCode: 'ThrottlingException', errors: 4 },
      { eventSource: null, count: null, errorCode: 'failure', errors: 1 },
    ]);
  });

  it('a field both have keeps the main value; override=t gives the subsearch value; a missing value takes the other side', async () => {
    const main = '| makeresults count=3 | streamstats count as n | eval a=if(n=2, null(), "main".n) | table n a';
    await expectRows(data.sample, `${main} | appendcols [| makeresults count=2 | eval a="sub" | table a]`, [
      { n: 1, a: 'main1' },
      { n: 2, a: 'sub' },
      { n: 3, a: 'main3' },
    ]);
    await expectRows(data.sample, `${main} | appendcols override=t [| makeresults count=2 | eval a="sub" | table a]`, [
      { n: 1, a: 'sub' },
      { n: 2, a: 'sub' },
      { n: 3, a: 'main3' },
    ]);
  });

  it("the subsearch's internal fields (_time) are not appended; fewer subsearch rows leave the rest empty", async () => {
    await expectRows(data.sample, '* | stats count | appendcols [| makeresults count=1 | eval other="x"]', [{ count: 515, other: 'x' }]);
    await expectRows(data.sample, '| makeresults count=2 | streamstats count as n | table n | appendcols [| makeresults | eval b=1 | table b]', [
      { n: 1, b: 1 },
      { n: 2, b: null },
    ]);
  });

  it('a number and a text of one name meet as text', async () => {
    await expectRows(data.sample, '| makeresults count=2 | streamstats count as a | table a | appendcols [| makeresults count=2 | eval a=if(true(), null(), "z") | table a]', [
      { a: '1' },
      { a: '2' },
    ]);
  });

  it('is printed as a full outer join', () => {
    expect(sqlOf('* | stats count | appendcols [| makeresults | eval b=1 | table b]')).toContain('FULL JOIN');
  });

  it('takes one subsearch', () => {
    expect(() => sqlOf('* | appendcols x')).toThrow('appendcols takes one subsearch');
  });
});
