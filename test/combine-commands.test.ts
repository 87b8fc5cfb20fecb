// appendcols, eventcount, mvcombine: results combined or counted, by Splunk's Search Reference
// page of each command (cited below).
import { describe, expect, it } from 'vitest';
import { expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

describe('appendcols', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/appendcols
  it('puts the subsearch\'s rows beside the results, row by row; extra rows are rows; override=t lets it win', async () => {
    await expectRows(data.sample, '* | stats count by eventSource | head 3 | appendcols [search errorCode=* | stats count as errors by errorCode | head 4] | appendcols override=t [| makeresults count=2 | eval count=99 | table count]', [
      { eventSource: 'cloudformation.amazonaws.com', count: 99, errorCode: 'AccessDenied', errors: 6 },
      { eventSource: 'cloudtrail.amazonaws.com', count: 99, errorCode: 'Client.RequestLimitExceeded', errors: 9 },
      { eventSource: 'ec2.amazonaws.com', count: 62, errorCode: 'ThrottlingException', errors: 4 },
      { eventSource: null, count: null, errorCode: 'failure', errors: 1 },
    ]);
    await expectRows(data.sample, '* | stats count | appendcols [| makeresults | eval count=1, other="x" | table count other]', [{ count: 515, other: 'x' }]);
  });

  it('takes one subsearch', () => {
    expect(() => sqlOf('* | appendcols x')).toThrow('appendcols takes one subsearch');
    expect(() => sqlOf('* | appendcols maxout=5 [| makeresults]')).toThrow('appendcols maxout= is not supported');
  });
});

describe('mvcombine', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/mvcombine
  const BASE = '* | stats count by user, eventSource | fields user eventSource | head 6';
  it('merges results identical but for one field, its values in result order', async () => {
    await expectRows(data.sample, `${BASE} | mvcombine eventSource`, [
      { user: 'AWSReservedSSO_AdministratorAccess_7c2f1e9d04b3a8e5', eventSource: ['ec2.amazonaws.com'] },
      { user: 'DeployRole', eventSource: ['ec2.amazonaws.com'] },
      { user: 'SecurityAuditRole', eventSource: ['ec2.amazonaws.com', 'iam.amazonaws.com', 'sts.amazonaws.com'] },
      { user: 'ana.ops', eventSource: ['iam.amazonaws.com'] },
    ]);
  });

  it('delim= is what a nomv right after joins with', async () => {
    await expectRows(data.sample, `${BASE} | mvcombine delim="; " eventSource | nomv eventSource | where user="SecurityAuditRole"`, [
      { user: 'SecurityAuditRole', eventSource: 'ec2.amazonaws.com; iam.amazonaws.com; sts.amazonaws.com' },
    ]);
    await expectRows(data.sample, `${BASE} | mvcombine delim="; " eventSource | eval x=1 | nomv eventSource | where user="SecurityAuditRole" | fields - x`, [
      { user: 'SecurityAuditRole', eventSource: 'ec2.amazonaws.com\niam.amazonaws.com\nsts.amazonaws.com' },
    ]);
  });
});
