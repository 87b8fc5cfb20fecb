// eval functions whose answers Splunk's reference pages leave open, each pinned to what Splunk is
// recorded doing, or, where nothing records it, to spelunk's reading and why.
import { describe, expect, it } from 'vitest';
import { errorOf, expectRows, sampleAndLanguage } from './helpers.js';

const data = sampleAndLanguage();

const one = (evals: string, fields: string) => `| makeresults | eval ${evals} | table ${fields}`;

describe('round', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/mathematical-functions
  // says only "rounded to the amount of decimal places". What Splunk does with a half:
  // https://qiita.com/frozencatpisces/items/3e0eaa1efcca9e242df8 (Splunk 8.2.2): round(4.50) is 5,
  // round(-4.5) is -4 and round(-4.51) is -5, i.e. half up, toward +infinity. DuckDB took a
  // half away from zero: round(-4.5) was -5.
  it('a half goes up, toward +infinity, for negative numbers too', async () => {
    await expectRows(data.sample, one('a=round(4.5), b=round(-4.5), c=round(-4.51), d=round(-0.5), e=round(-2.25, 1), f=round(-1250, -2), g=round(1250, -2), h=round(-7.5, 0)', 'a b c d e f g h'), [
      { a: 5, b: -4, c: -5, d: 0, e: -2.2, f: -1200, g: 1300, h: -7 },
    ]);
  });

  // A Splunk Answers thread, "Eval round gives inconsistent half-rounding results" (as stored in
  // https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1), records round(N.275, 2) for N in
  // 10..22: 10.28 .. 15.28, 16.27 .. 20.27, 21.28, 22.28. That is the binary number times 100
  // rounded half up (16.275 * 100 is 1627.4999999999998, 21.275 * 100 is 2127.5), not the decimal
  // text rounded half up (every one would be .28) nor the exact binary value (21.275 is
  // 21.27499..., so 21.27). 2.675 * 100 is 267.5: round(2.675, 2) is 2.68.
  it('rounds the binary number scaled by 10^digits, as the recorded round(N.275, 2) show', async () => {
    const ns = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
    const recorded = ['10.28', '11.28', '12.28', '13.28', '14.28', '15.28', '16.27', '17.27', '18.27', '19.27', '20.27', '21.28', '22.28'];
    await expectRows(data.sample, one(`${ns.map((n) => `r${n}=round(${n}.275, 2)`).join(', ')}, s=round(2.675, 2), m=round(-16.275, 2)`, `${ns.map((n) => `r${n}`).join(' ')} s m`), [
      { ...Object.fromEntries(ns.map((n, i) => [`r${n}`, Number(recorded[i])])), s: 2.68, m: -16.27 },
    ]);
  });

  it('a number too large to have decimals is itself, not infinity, at any number of digits', async () => {
    // 1e307 * 100 overflows a double; DuckDB's own round gave the number back.
    await expectRows(data.sample, one('a=round(1e307, 2), b=round(-1e307, 20), c=round(3e-20, 20), d=round(4503599627370497, 1), e=round(0.125, 20)', 'a b c d e'), [
      { a: 1e307, b: -1e307, c: 3e-20, d: 4503599627370497, e: 0.125 },
    ]);
  });

  // No Splunk page or thread records round() past a double's range (10^400 is no double: a naive
  // x*10^d/10^d is inf/inf, NaN). Rounding to more decimals than a double holds changes nothing
  // (round(1.5, 400) is 1.5) and to more tens than it holds leaves nothing (round(1.5, -400) is
  // 0), as for any d in range; digits beyond any double's (1e10) are read as the farthest.
  it('digits past a double\'s range: the number itself, or 0, never NaN or an error (unsettled by Splunk\'s pages)', async () => {
    await expectRows(data.sample, one('a=round(1.5, 400), b=round(1.5, -400), c=round(0, 400), d=round(2.5e-300, 310), e=round(1.7976931348623157e308, 300), f=round(-123.456, 320), g=round(0, -400)', 'a b c d e f g'), [
      { a: 1.5, b: 0, c: 0, d: 2.5e-300, e: 1.7976931348623157e308, f: -123.456, g: 0 },
    ]);
    await expectRows(data.sample, '| makeresults count=6 | streamstats count as n | eval d=case(n=1, 400, n=2, -400, n=3, 1e10, n=4, -1e10, n=5, 309, n=6, null()), r=round(1.5, d), z=round(0, d) | table d r z', [
      { d: 400, r: 1.5, z: 0 }, { d: -400, r: 0, z: 0 }, { d: 1e10, r: 1.5, z: 0 }, { d: -1e10, r: 0, z: 0 }, { d: 309, r: 1.5, z: 0 }, { d: null, r: null, z: null },
    ]);
  });

  it('digits known only per row are read as Splunk reads them', async () => {
    await expectRows(data.sample, '| makeresults count=3 | streamstats count as n | eval d=n-2, r=round(-2.55 * 10, d) | table d r', [
      { d: -1, r: -30 }, { d: 0, r: -25 }, { d: 1, r: -25.5 },
    ]);
  });
});

describe('answers the reference pages leave open', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/text-functions:
  // urldecode "replaces URL escaped characters with the original characters"; its example has
  // only %XX escapes. "+" is a space only in HTML form encoding, not in a URL's percent-encoding
  // (RFC 3986), and IAM names may hold "+" (user, role and policy names allow +=,.@_-), so it
  // is kept: a decoded policy or ARN keeps its name.
  it('urldecode decodes %XX escapes and keeps "+"', async () => {
    await expectRows(data.sample, one('a=urldecode("a+b%2Bc%20d"), b=urldecode("arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdeploy+ci")', 'a b'), [
      { a: 'a+b+c d', b: 'arn:aws:iam::111122223333:role/deploy+ci' },
    ]);
  });

  // Conversion functions page: "duration" formats seconds "to the readable time format HH:MM:SS"
  // and says nothing of fractions or negative counts. A fraction of a second is dropped and a
  // negative count is the same clock after a minus, so a reversed subtraction still reads.
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions
  it('tostring(x, "duration"): fractions dropped, a negative count after a minus, days as D+', async () => {
    await expectRows(data.sample, one('a=tostring(-3725, "duration"), b=tostring(59.7, "duration"), c=tostring(90061, "duration"), d=tostring(-90061, "duration")', 'a b c d'), [
      { a: '-01:02:05', b: '00:00:59', c: '1+01:01:01', d: '-1+01:01:01' },
    ]);
  });

  // Comparison and Conditional functions page: like's pattern has "%" for any characters and "_"
  // for one, and no escape; spelunk has none either, so "\" is a character like any other.
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/comparison-and-conditional-functions
  it('like has no escape: "\\_" is a backslash then any one character', async () => {
    await expectRows(data.sample, one('a=like("a_b", "a\\\\_b"), b=like("a\\\\xb", "a\\\\_b"), c=like("50%", "50%"), d=like("a_b", "a_b"), e=like("axb", "a_b")', 'a b c d e'), [
      { a: false, b: true, c: true, d: true, e: true },
    ]);
  });

  // Unsettled: no Splunk page or thread found says on which weekday a span=1w bin starts. The bin
  // page (Search Reference 9.x) says "When a <span-length> of a day or more is used, the span is
  // aligned to midnight in the timezone of the user", that aligntime= "Align[s] the bin times to
  // something other than base UTC time (epoch 0) ... Ignored if span is in days, months, or
  // years", and lists no week among its timescales. spelunk's 1w bins are whole weeks counted from
  // the epoch (1970-01-01 was a Thursday): they start at midnight UTC, on a Thursday, and
  // aligntime= does not move them (a week is days). Snapping is documented ("Specify time modifiers
  // in your search": w0 is Sunday, w1 Monday ..., @w is @w0, w7 is Sunday too): relative_time(_time,
  // "@w1") gives weeks from Monday.
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/search-commands/bin
  // https://help.splunk.com/splunk-enterprise/search/search-manual/9.2/specify-time-ranges/specify-time-modifiers-in-your-search
  it('bin span=1w (unsettled by Splunk\'s pages): weeks start on Thursday 00:00 UTC, aligntime= ignored; @w0/@w/@w7 snap to Sunday, @w1 to Monday', async () => {
    const at = '| makeresults | eval _time=strptime("2026-11-25 13:00", "%Y-%m-%d %H:%M")';
    await expectRows(data.sample, `${at}, sunday=strftime(relative_time(_time, "@w0"), "%a %F"), monday=strftime(relative_time(_time, "-1w@w1"), "%a %F"), w=strftime(relative_time(_time, "@w"), "%a %F"), w7=strftime(relative_time(_time, "@w7"), "%a %F"), week=strftime(relative_time(_time, "@week"), "%a %F") | bin _time span=1w | eval week_bin=strftime(_time, "%a %F %T") | table week_bin sunday monday w w7 week`, [
      { week_bin: 'Thu 2026-11-19 00:00:00', sunday: 'Sun 2026-11-22', monday: 'Mon 2026-11-16', w: 'Sun 2026-11-22', w7: 'Sun 2026-11-22', week: 'Sun 2026-11-22' },
    ]);
    await expectRows(data.sample, `${at} | bin _time span=1w aligntime=@w1 | eval week_bin=strftime(_time, "%a %F %T") | table week_bin`, [{ week_bin: 'Thu 2026-11-19 00:00:00' }]);
  });

  // Splunk's timechart takes a snap-to span for weeks only (Search Reference 10.0, timechart:
  // "You can only use week spans with the snap-to span argument"; its example
  // `timechart span=w@w1 count BY mag` shows "spans of 1 week, where the week begins on Monday",
  // rows 2018-03-26, 2018-04-02 ...). spelunk refused span=w@w1 ("cannot read span").
  // https://help.splunk.com/en/splunk-enterprise/search/spl-search-reference/10.0/search-commands/timechart
  it('timechart span=w@w1: weeks from Monday (w@w0, 1w@w, week@w7 from Sunday); a snap-to span of anything but one week is refused', async () => {
    const monday = Date.parse('2026-11-23T00:00:00Z') / 1000;
    const sunday = Date.parse('2026-11-22T00:00:00Z') / 1000;
    await expectRows(data.sample, `* | where _time < ${monday} | stats count as before_monday | appendcols [search * | where _time < ${sunday} | stats count as before_sunday]`, [{ before_monday: 176, before_sunday: 126 }]);
    const weeks = (span: string, range = '') => `*${range} | timechart span=${span} count | eval week=strftime(_time, "%a %F %T") | fields - _time`;
    await expectRows(data.sample, weeks('w@w1'), [{ count: 176, week: 'Mon 2026-11-16 00:00:00' }, { count: 339, week: 'Mon 2026-11-23 00:00:00' }]);
    for (const span of ['w@w0', '1w@w', 'week@w7', '+1w@week']) {
      await expectRows(data.sample, weeks(span), [{ count: 126, week: 'Sun 2026-11-15 00:00:00' }, { count: 389, week: 'Sun 2026-11-22 00:00:00' }]);
    }
    // The search's range is filled with empty weeks, each from a Monday.
    await expectRows(data.sample, weeks('w@w1', ' earliest=11/01/2026:00:00:00 latest=11/28/2026:00:00:00'), [
      { count: 0, week: 'Mon 2026-10-26 00:00:00' }, { count: 0, week: 'Mon 2026-11-02 00:00:00' }, { count: 0, week: 'Mon 2026-11-09 00:00:00' },
      { count: 176, week: 'Mon 2026-11-16 00:00:00' }, { count: 339, week: 'Mon 2026-11-23 00:00:00' },
    ]);
    for (const span of ['2w@w1', '1d@d', 'w@d', '-w@w1']) expect(errorOf(`* | timechart span=${span} count`).message).toContain('one week from a weekday');
  });

  // Spans in months are calendar months ("Ignored if span is in days, months, or years"): 1mon
  // from the 1st, 1q from January, April, July or October 1st (as @q snaps), 1y from January 1st.
  it('bin span=1mon, 1q, 2mon and 1y start on calendar boundaries, at midnight UTC', async () => {
    await expectRows(data.sample, '| makeresults | eval _time=strptime("2026-11-25 13:00", "%Y-%m-%d %H:%M") | bin _time span=1mon as m | bin _time span=1q as q | bin _time span=2mon as m2 | bin _time span=1y as y | eval m=strftime(m, "%F %T"), q=strftime(q, "%F %T"), m2=strftime(m2, "%F %T"), y=strftime(y, "%F %T"), snapq=strftime(relative_time(_time, "@q"), "%F %T") | table m q m2 y snapq', [
      { m: '2026-11-01 00:00:00', q: '2026-10-01 00:00:00', m2: '2026-11-01 00:00:00', y: '2026-01-01 00:00:00', snapq: '2026-10-01 00:00:00' },
    ]);
  });

  // Splunk's pages say a computed number shows with less precision than exact() gives it
  // (mathematical functions: exact "renders the result of a numeric eval calculation with a larger
  // amount of precision in the formatted output") but not how much; Splunk's wiki
  // (https://wiki.splunk.com/Community:BadMath) records products rounded to their operands'
  // significant figures (3 * 0.5 shows 2), and so does iDelta's "Getting it Right with Splunk"
  // (https://idelta.co.uk/getting-it-right-with-splunk/: 0.014 * 0.23 shows 0.0032, 2 significant
  // figures). Nothing found says what 0.1 + 0.2 or 1/3 show: unsettled. spelunk keeps every 64-bit
  // double and writes the shortest text that reads back as it (docs/reference.md, exact()), locally
  // and on Athena alike (test/trino-expr.test.ts); tracking each literal's significant figures
  // through eval (as sigfig() does for a literal expression) is not done.
  it('a computed number is written in full (unsettled by Splunk\'s pages): the shortest text that reads back as the same double', async () => {
    await expectRows(data.sample, one('a=tostring(0.1+0.2), b=tostring(1/3), c=tostring(3*0.5), d=tostring(12345672.5), e=tostring(1/70000), f=tostring(1/7000000), g=tostring(2.5e20/7)', 'a b c d e f g'), [
      { a: '0.30000000000000004', b: '0.3333333333333333', c: '1.5', d: '12345672.5', e: '1.4285714285714285e-05', f: '1.4285714285714285e-07', g: '3.5714285714285715e+19' },
    ]);
  });

  // stats sum and avg of decimals add the doubles one after another on both engines: DuckDB's sum
  // of ten 0.1 is 0.9999999999999999 (measured; its fsum would give 1) and Trino's DOUBLE sum is a
  // plain running total (trino-main DoubleSumAggregation: state.setSecond(state.getSecond() +
  // value)), so both print the same text for the same order of rows. What Splunk's stats prints for
  // it is unsettled as above. One difference stays: DuckDB sums a value that is the same constant
  // on every row as the constant times the count (ten 0.1 give 1), which Trino does not.
  it('stats sum() and avg() of decimals: the running double total, written in full (unsettled by Splunk\'s pages)', async () => {
    await expectRows(data.sample, '| makeresults count=10 | streamstats count as n | eval x=n/n/10 | stats sum(x) as s avg(x) as a count', [{ s: 0.9999999999999999, a: 0.09999999999999999, count: 10 }]);
    await expectRows(data.sample, '| makeresults count=10 | eval x=0.1 | stats sum(x) as s avg(x) as a', [{ s: 1, a: 0.1 }]);
    await expectRows(data.sample, '| makeresults count=3 | streamstats count as n | eval x=n/10 | stats sum(x) as s avg(x) as a', [{ s: 0.6000000000000001, a: 0.20000000000000004 }]);
  });
});
