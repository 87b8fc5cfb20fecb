// Splunk's relative time modifiers (`-24h@h`, `@d`, `-7d@w0`, `now`, `+1d@d+8h`): offsets apply
// first, then `@unit` snaps backwards to the start of that unit, then any offset after the snap.
// All arithmetic is in UTC, which is how spelunk prints times too.
import { call, int, lit, type Expr, type Vars } from './ir/expr.js';

export type TimeUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'mon' | 'q' | 'y';

export type TimeStep =
  | { kind: 'offset'; amount: number; unit: TimeUnit }
  | { kind: 'snap'; unit: TimeUnit; weekday?: number };

const UNIT_NAMES: Record<string, TimeUnit> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', week: 'w', weeks: 'w',
  mon: 'mon', month: 'mon', months: 'mon',
  q: 'q', qtr: 'q', qtrs: 'q', quarter: 'q', quarters: 'q',
  y: 'y', yr: 'y', yrs: 'y', year: 'y', years: 'y',
};

/** Parse a relative modifier into steps; null if it is not one (it may be absolute). */
export function parseRelative(text: string): TimeStep[] | null {
  const t = text.trim().toLowerCase();
  if (t === 'now' || t === '') return [];
  const steps: TimeStep[] = [];
  const re = /([+-])(\d*)([a-z]+)|@([a-z]+?)(\d?)(?=$|[+-])/y;
  let pos = 0;
  while (pos < t.length) {
    re.lastIndex = pos;
    const m = re.exec(t);
    if (!m) return null;
    if (m[1]) {
      const unit = UNIT_NAMES[m[3]!];
      if (!unit) return null;
      const amount = m[2] === '' ? 1 : Number(m[2]);
      steps.push({ kind: 'offset', amount: m[1] === '-' ? -amount : amount, unit });
    } else {
      const name = m[4]!;
      if (name === 'w' && m[5]) {
        steps.push({ kind: 'snap', unit: 'w', weekday: Number(m[5]) % 7 });
      } else {
        const unit = UNIT_NAMES[name + (m[5] ?? '')] ?? UNIT_NAMES[name];
        if (!unit) return null;
        steps.push({ kind: 'snap', unit });
      }
    }
    pos = re.lastIndex;
  }
  return steps;
}

function applyStep(date: Date, step: TimeStep): Date {
  const d = new Date(date.getTime());
  if (step.kind === 'offset') {
    const n = step.amount;
    switch (step.unit) {
      case 's': d.setUTCSeconds(d.getUTCSeconds() + n); break;
      case 'm': d.setUTCMinutes(d.getUTCMinutes() + n); break;
      case 'h': d.setUTCHours(d.getUTCHours() + n); break;
      case 'd': d.setUTCDate(d.getUTCDate() + n); break;
      case 'w': d.setUTCDate(d.getUTCDate() + 7 * n); break;
      case 'mon': d.setUTCMonth(d.getUTCMonth() + n); break;
      case 'q': d.setUTCMonth(d.getUTCMonth() + 3 * n); break;
      case 'y': d.setUTCFullYear(d.getUTCFullYear() + n); break;
    }
    return d;
  }
  switch (step.unit) {
    case 's': d.setUTCMilliseconds(0); break;
    case 'm': d.setUTCSeconds(0, 0); break;
    case 'h': d.setUTCMinutes(0, 0, 0); break;
    case 'd': d.setUTCHours(0, 0, 0, 0); break;
    case 'w': {
      d.setUTCHours(0, 0, 0, 0);
      const target = step.weekday ?? 0;
      d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() - target + 7) % 7));
      break;
    }
    case 'mon': d.setUTCHours(0, 0, 0, 0); d.setUTCDate(1); break;
    case 'q': d.setUTCHours(0, 0, 0, 0); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3)); break;
    case 'y': d.setUTCHours(0, 0, 0, 0); d.setUTCMonth(0, 1); break;
  }
  return d;
}

/** Epoch seconds of `base` moved by the steps. */
export function applyRelative(base: number, steps: TimeStep[]): number {
  let d = new Date(base * 1000);
  for (const step of steps) d = applyStep(d, step);
  return d.getTime() / 1000;
}

/**
 * A time given as a modifier, epoch seconds, Splunk's `%m/%d/%Y:%H:%M:%S`, or ISO 8601.
 * Returns epoch seconds, or null when the text is none of these.
 */
export function resolveTime(text: string, now: number): number | null {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    // Splunk reads `earliest=0` as all time and a bare number as epoch seconds.
    return Number(t);
  }
  const steps = parseRelative(t);
  if (steps) return applyRelative(now, steps);
  const splunk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?::(\d{1,2}):(\d{1,2}):(\d{1,2}))?$/.exec(t);
  if (splunk) {
    const [, mo, da, yr, hh, mi, ss] = splunk;
    const ms = utcMillis(Number(yr), Number(mo), Number(da), Number(hh ?? 0), Number(mi ?? 0), Number(ss ?? 0));
    return ms === null ? null : ms / 1000;
  }
  return parseIso(t);
}

/**
 * Milliseconds of a UTC calendar time, or null when a field is out of range: Date.UTC would
 * quietly roll month 13 into the next year and day 45 into the next month.
 */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number): number | null {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  d.setUTCFullYear(year, month - 1, day);
  if (d.getUTCDate() !== day) return null;
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/**
 * ISO 8601 (`2026-11-28T00:00:00Z`, with or without zone, `T` or space); UTC when no zone. A zone
 * is `Z`, `+05`, `+0530` or `+05:30`, and is honoured. Out-of-range fields (month 13, day 45,
 * 25:00, offset +24:00) make the text no time at all rather than some other time.
 */
export function parseIso(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(?:\s?(Z|[+-]\d{2}(?::?\d{2})?))?$/i.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = utcMillis(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (ms === null) return null;
  if (frac) ms += Math.round(Number(frac) * 1000);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2) || '0');
    if (hours > 23 || minutes > 59) return null;
    ms -= sign * (hours * 60 + minutes) * 60_000;
  }
  return ms / 1000;
}

/** A TIMESTAMP from epoch seconds. */
export function timestampOf(epoch: Expr): Expr {
  return call('timestamp_from_epoch', [epoch], 'timestamp');
}

/** Start of the `months`-long bin holding the time, bins counted from January 1970 as Splunk aligns them. */
export function monthBin(epoch: Expr, months: number, vars: Vars): Expr {
  return vars.share(timestampOf(epoch), (ts) => {
    if (months === 1) return call('epoch', [call('date_trunc', [lit('month'), ts], 'timestamp')], 'number');
    const monthIndex = call('add', [call('mul', [call('sub', [call('year', [ts], 'int'), int(1970)], 'int'), int(12)], 'int'), call('sub', [call('month', [ts], 'int'), int(1)], 'int')], 'int');
    const k = call('mul', [call('floor', [call('div', [monthIndex, int(months)], 'number')], 'number'), int(months)], 'number');
    return vars.share(k, (kk) => {
      const year = call('to_bigint', [call('add', [int(1970), call('floor', [call('div', [kk, int(12)], 'number')], 'number')], 'number')], 'int');
      const month = call('to_bigint', [call('add', [call('int_mod', [kk, int(12)], 'int'), int(1)], 'int')], 'int');
      return call('epoch', [call('make_date', [year, month, int(1)], 'timestamp')], 'number');
    });
  });
}

const SQL_UNITS: Record<TimeUnit, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mon: 'month', q: 'quarter', y: 'year' };

/**
 * `t` moved by whole months as applyStep moves a constant (setUTCMonth): the day of the month is
 * kept and a day the target month lacks runs on into the next (March 31 - 1mon = March 3, as C's
 * mktime normalises it), where SQL's month interval would stop at February 28. Without this,
 * relative_time(_time, "-1mon") and relative_time(now(), "-1mon") named different instants.
 */
function addMonths(t: Expr, months: number, vars: Vars): Expr {
  return vars.share(t, (x) => vars.share(call('date_trunc', [lit('month'), x], 'timestamp'), (first) => {
    const moved = call('epoch', [call('interval_add', [first, call('to_months', [int(months)], 'any')], 'timestamp')], 'number');
    const intoMonth = call('sub', [call('epoch', [x], 'number'), call('epoch', [first], 'number')], 'number');
    return call('to_timestamp', [call('add', [moved, intoMonth], 'number')], 'timestamp');
  }));
}

/** The steps applied to an epoch-seconds expression (for a base that is not a constant). */
export function relativeTime(base: Expr, steps: TimeStep[], vars: Vars): Expr {
  let t: Expr = call('to_timestamp', [base], 'timestamp');
  for (const step of steps) {
    if (step.kind === 'offset' && (step.unit === 'mon' || step.unit === 'q' || step.unit === 'y')) {
      t = addMonths(t, step.amount * (step.unit === 'mon' ? 1 : step.unit === 'q' ? 3 : 12), vars);
    } else if (step.kind === 'offset') {
      const unit = step.unit === 'w' ? 'day' : SQL_UNITS[step.unit];
      const amount = step.unit === 'w' ? step.amount * 7 : step.amount;
      t = call('interval_add', [t, call(`to_${unit}s`, [int(amount)], 'any')], 'timestamp');
    } else if (step.unit === 'w') {
      const target = step.weekday ?? 0;
      t = vars.share(t, (x) => {
        const back = call('to_integer', [call('int_mod', [call('add', [call('sub', [call('dayofweek', [x], 'int'), int(target)], 'int'), int(7)], 'int'), int(7)], 'int')], 'int');
        return call('interval_sub', [call('date_trunc', [lit('day'), x], 'timestamp'), call('to_days', [back], 'any')], 'timestamp');
      });
    } else {
      t = call('date_trunc', [lit(SQL_UNITS[step.unit]), t], 'timestamp');
    }
  }
  return call('epoch', [t], 'number');
}

/** `1h`, `30m`, `1d`, `15s`, `1w`, `1mon` as a span; seconds for fixed units. */
export function parseSpan(text: string): { seconds?: number; months?: number } | null {
  const m = /^(\d+(?:\.\d+)?)?([a-z]+)$/i.exec(text.trim());
  if (!m) {
    const n = Number(text);
    return Number.isFinite(n) && n > 0 ? { seconds: n } : null;
  }
  const amount = m[1] ? Number(m[1]) : 1;
  const unit = UNIT_NAMES[m[2]!.toLowerCase()];
  if (!unit || !(amount > 0)) return null;
  switch (unit) {
    case 's': return { seconds: amount };
    case 'm': return { seconds: amount * 60 };
    case 'h': return { seconds: amount * 3600 };
    case 'd': return { seconds: amount * 86400 };
    case 'w': return { seconds: amount * 7 * 86400 };
    case 'mon': return { months: amount };
    case 'q': return { months: amount * 3 };
    case 'y': return { months: amount * 12 };
  }
}
