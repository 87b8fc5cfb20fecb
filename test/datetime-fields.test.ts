// Splunk's default datetime fields (date_hour, date_wday, ...) on every event, in UTC.
// Knowledge Manager Manual, "Use default fields" (default datetime fields: the time and date
// directly from the event itself): http://docs.splunk.com/Documentation/Splunk/9.2.0/Knowledge/UseDefaultFields
import { describe, it } from 'vitest';
import { expectRows, sampleAndLanguage } from './helpers.js';

const data = sampleAndLanguage();

describe('date_* fields', () => {
  it('every event has them, read from its timestamp', async () => {
    await expectRows(data.lang, 'eventID=lang-08-attach | table eventTime date_hour date_mday date_minute date_second date_year date_month date_wday date_zone', [
      { eventTime: '2026-11-26T09:35:00Z', date_hour: 9, date_mday: 26, date_minute: 35, date_second: 0, date_year: 2026, date_month: 'november', date_wday: 'thursday', date_zone: '0' },
    ]);
  });

  it('work in search, where and stats', async () => {
    await expectRows(data.lang, '* date_wday=thursday date_hour>=9 date_hour<10 date_minute>=30 | stats count by date_wday date_hour', [{ date_wday: 'thursday', date_hour: 9, count: 2 }]);
    await expectRows(data.lang, '* | where date_minute > 20 AND date_month="november" | stats count', [{ count: 3 }]);
  });

  it('results that are not events (makeresults, after stats) have none', async () => {
    await expectRows(data.lang, '| makeresults | eval h=date_hour | table h', [{ h: null }]);
    await expectRows(data.lang, '* | stats count by eventName | where isnotnull(date_hour) | stats count', [{ count: 0 }]);
  });

  it('outside business hours (the shape of the published ECR detection) agrees with strftime', async () => {
    // On the sample: the intruder's Friday 2026-11-27 night and the weekend's scheduled jobs.
    const offHours = '(date_hour>=20 OR date_hour<8 OR date_wday=saturday OR date_wday=sunday)';
    const byStrftime = '| eval h=tonumber(strftime(_time, "%H")), d=lower(strftime(_time, "%A")) | where h>=20 OR h<8 OR d="saturday" OR d="sunday"';
    const expected = [
      { eventName: 'AttachRolePolicy', count: 1 },
      { eventName: 'AttachUserPolicy', count: 2 },
      { eventName: 'CreateAccessKey', count: 2 },
      { eventName: 'CreateRole', count: 1 },
      { eventName: 'GetRole', count: 2 },
      { eventName: 'ListRoles', count: 17 },
      { eventName: 'ListUsers', count: 16 },
    ];
    await expectRows(data.sample, `* eventSource=iam.amazonaws.com ${offHours} | stats count by eventName`, expected);
    await expectRows(data.sample, `* eventSource=iam.amazonaws.com ${byStrftime} | stats count by eventName`, expected);
  });
});
