// Splunk's default datetime fields: every event carries date_hour, date_mday, date_minute,
// date_month, date_second, date_wday, date_year and date_zone, read from its timestamp as written
// (CloudTrail's eventTime is UTC). Numbers without leading zeros; month and day names in lower
// case; date_zone the offset in minutes ("0" for a time ending in Z) or "local" when the timestamp
// named no zone.
import { call, caseOf, lit, type Expr } from './ir/expr.js';
import { timestampOf } from './time.js';

type Part = (ts: Expr) => Expr;

const number = (fn: string): Part => (ts) => call('to_double', [call(fn, [ts], 'int')], 'number');
const name = (format: string): Part => (ts) => call('lower', [call('strftime', [ts, lit(format)], 'string')], 'string');

const PARTS: Record<string, Part> = {
  date_hour: number('hour'),
  date_mday: number('day'),
  date_minute: number('minute'),
  date_second: number('second'),
  date_year: number('year'),
  date_month: name('%B'),
  date_wday: name('%A'),
};

export const DATETIME_FIELDS = [...Object.keys(PARTS), 'date_zone'];

/**
 * The field's value for an event, from its `_time` (null when the event has no time), or
 * undefined when the name is not a datetime field.
 */
export function datetimeField(fieldName: string, time: Expr, eventTime: Expr): Expr | undefined {
  if (fieldName === 'date_zone') {
    // The loader reads a time with no zone as UTC; Splunk calls such a zone "local".
    const zoned = call('regexp_matches', [eventTime, lit('(Z|[+-]\\d\\d:?\\d\\d)$')], 'bool');
    return caseOf([
      { when: call('is_null', [time], 'bool'), then: lit(null, 'string') },
      { when: call('coalesce', [zoned, lit(false)], 'bool'), then: lit('0') },
    ], lit('local'), 'string');
  }
  const part = PARTS[fieldName];
  if (!part) return undefined;
  return part(timestampOf(time));
}
