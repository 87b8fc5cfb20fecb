// mvcombine: results combined, by Splunk's Search Reference page (cited below).
import { describe, it } from 'vitest';
import { expectRows, sampleAndLanguage } from './helpers.js';

const data = sampleAndLanguage();

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
