// Formatting in eval: tostring's formats, printf's conversions, and every Splunk date and time
// format variable in strftime, strptime and convert (in UTC, never a DuckDB error).
import { describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { expectRows, SAMPLE_NOW, sampleAndLanguage } from './helpers.js';

const data = sampleAndLanguage();

const one = (evals: string, fields: string) => `| makeresults | eval ${evals} | table ${fields}`;

/** 2026-01-04 09:05:07.123456 UTC, a Sunday. */
const T = 1767517507.123456;

describe('tostring', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions
  // (tostring(1==1) + " " + tostring(15, "hex") + " " + tostring(12345.6789, "commas") is "True 0xF 12,345.68")
  it('the documentation example', async () => {
    await expectRows(data.sample, one('n=tostring(1==1) + " " + tostring(15, "hex") + " " + tostring(12345.6789, "commas")', 'n'), [{ n: 'True 0xF 12,345.68' }]);
  });

  it('commas: whole numbers without decimals, others to two', async () => {
    await expectRows(data.sample, one('a=tostring(1234567, "commas"), b=tostring(1234.5, "commas"), c=tostring(-1234567, "commas"), d=tostring(12, "commas"), e=tostring(nope, "commas")', 'a b c d e'), [
      { a: '1,234,567', b: '1,234.50', c: '-1,234,567', d: '12', e: null },
    ]);
  });

  it('duration: HH:MM:SS, with days as D+HH:MM:SS', async () => {
    await expectRows(data.sample, one('a=tostring(615, "duration"), b=tostring(90061, "duration"), c=tostring(86400*3+59, "duration"), d=tostring(nope, "duration")', 'a b c d'), [
      { a: '00:10:15', b: '1+01:01:01', c: '3+00:00:59', d: null },
    ]);
  });

  it('duration of a negative count: the same text after a minus', async () => {
    // Rests on memory of Splunk's output, not a page: the Search Reference's tostring() names the
    // "duration" format without a negative example. DuckDB's remainder keeps the sign, which printed
    // -5 as "00:00:-5", no form Splunk has.
    await expectRows(data.sample, one('a=tostring(-5, "duration"), b=tostring(-90061, "duration"), c=tostring(0, "duration"), d=tostring(-0.5, "duration")', 'a b c d'), [
      { a: '-00:00:05', b: '-1+01:01:01', c: '00:00:00', d: '00:00:00' },
    ]);
  });

  it('booleans are True and False; an unknown format is an error', async () => {
    await expectRows(data.sample, one('a=tostring(1==2), b=tostring(isnull(nope))', 'a b'), [{ a: 'False', b: 'True' }]);
    expect(() => compile('| makeresults | eval a=tostring(1, "bogus")', { now: SAMPLE_NOW })).toThrow(/tostring\(\) formats are "hex", "commas" and "duration"/);
  });
});

describe('printf', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/text-functions
  it('integers: %d %i %u with width, flags and grouping; numbers and numeric text alike', async () => {
    await expectRows(data.sample, one('a=printf("%d|%i|%5d|%-5d|%05d|%+d|% d", 42.7, 42, 42, 42, 42, 42, 42), b=printf("%\'d", 1234567), c=printf("%s=%d", "n", "12")', 'a b c'), [
      { a: '42|42|   42|42   |00042|+42| 42', b: '1,234,567', c: 'n=12' },
    ]);
  });

  it('%x %X %o, floating point %e %f %g, %c, %s with precision, %%, * width and precision', async () => {
    await expectRows(data.sample, one('a=printf("%x|%X|%#x|%o", 255, 255, 255, 8), b=printf("%e|%.2f|%10.3f|%g|%E", 1234.5, 3.14159, 3.14159, 0.0001234, 1234.5), c=printf("%c%c|%5.1s|%%|%*d|%.*f", 65, "xyz", "abc", 4, 7, 1, 2.25), d=printf("%\'.2f", 1234567.891)', 'a b c d'), [
      { a: 'ff|FF|0xff|10', b: '1.234500e+03|3.14|     3.142|0.0001234|1.234500E+03', c: 'Ax|    a|%|   7|2.2', d: '1,234,567.89' },
    ]);
  });

  it('a conversion Splunk does not have, or too few arguments, is an error', () => {
    expect(() => compile('| makeresults | eval a=printf("%q", 1)', { now: SAMPLE_NOW })).toThrow(/%q is not a conversion/);
    expect(() => compile('| makeresults | eval a=printf("%d %d", 1)', { now: SAMPLE_NOW })).toThrow(/needs more arguments/);
  });
});

describe('strftime, strptime and convert with every format variable', () => {
  // https://docs.splunk.com/Documentation/Splunk/latest/SearchReference/Commontimeformatvariables
  it('date and time, time, date, and zone variables (UTC)', async () => {
    const formats: [string, string][] = [
      ['%c', 'Sun Jan  4 09:05:07 2026'],
      ['%+', 'Sun Jan  4 09:05:07 UTC 2026'],
      ['%Ez|%:z|%z|%Z', '+00:00|+00:00|+0000|UTC'],
      ['%f|%3N|%6N|%9N|%N|%Q|%3Q|%6Q', '123456|123|123456|123456000|123456000|123|123|123456'],
      ['%H|%I|%k|%l|%M|%p|%S|%s|%T|%X', '09|09| 9| 9|05|AM|07|1767517507|09:05:07|9:05:07'],
      ['%F|%x|%D|%R|%r', '2026-01-04|1/4/2026|01/04/26|09:05|09:05:07 AM'],
      ['%A|%a|%d|%e|%j|%V|%U|%w|%u|%C|%g|%G', 'Sunday|Sun|04| 4|004|01|01|0|7|20|26|2026'],
      ['%B|%b|%h|%m|%Y|%y|%%|100%', 'January|Jan|Jan|01|2026|26|%|100%'],
    ];
    const evals = formats.map(([f], i) => `f${i}=strftime(t, "${f}")`).join(', ');
    const expected = Object.fromEntries(formats.map(([, v], i) => [`f${i}`, v]));
    await expectRows(data.sample, `| makeresults | eval t=${T} | eval ${evals} | table ${formats.map((_, i) => `f${i}`).join(' ')}`, [expected]);
  });

  it('a missing time gives null, even for a format of zone variables only', async () => {
    await expectRows(data.sample, one('a=strftime(nope, "%Z"), b=strftime(nope, "%s")', 'a b'), [{ a: null, b: null }]);
  });

  it('strptime reads the same variables back (UTC unless the text names a zone)', async () => {
    await expectRows(data.sample, one('a=strptime("1767517507", "%s"), b=strptime("Sun Jan  4 09:05:07 2026", "%c"), c=strptime("01/04/26 09:05", "%D %R"), d=strptime("2026-01-04T09:05:07.123Z", "%Y-%m-%dT%H:%M:%S.%3QZ"), e=strptime("2026-01-04 09:05:07 +01:00", "%F %T %:z"), f=strptime(" 4/1/2026", "%e/%m/%Y"), g=strptime("nonsense", "%F")', 'a b c d e f g'), [
      { a: 1767517507, b: 1767517507, c: 1767517500, d: 1767517507.123, e: 1767513907, f: 1767484800, g: null },
    ]);
  });

  // Splunk's "Date and time format variables" page (help.splunk.com, SPL2 Search Manual "Using time
  // variables"; docs.splunk.com Search Reference "Commontimeformatvariables") writes
  // %Y-%m-%dT%H:%M:%S.%Q%Z for times with subseconds, that is ISO 8601 ending in Z: %Z reads the
  // Z of UTC. DuckDB's %Z and %z both refuse "Z", so CloudTrail's eventTime read with %Z was null.
  it('strptime reads the Z of an ISO 8601 time with %Z or %z, and still reads named zones and offsets', async () => {
    await expectRows(data.sample, one('a=strptime("2026-01-04T09:05:07Z", "%Y-%m-%dT%H:%M:%S%Z"), b=strptime("2026-01-04T09:05:07.123Z", "%Y-%m-%dT%H:%M:%S.%Q%Z"), c=strptime("2026-01-04T09:05:07Z", "%FT%T%z"), d=strptime("2026-01-04 09:05:07 EST", "%F %T %Z"), e=strptime("2026-01-04T09:05:07+0100", "%FT%T%z"), f=strptime("2026-01-04T09:05:07 Zed", "%FT%T %Z")', 'a b c d e f'), [
      { a: 1767517507, b: 1767517507.123, c: 1767517507, d: 1767535507, e: 1767513907, f: null },
    ]);
    await expectRows(data.sample, 'eventName=CreateAccessKey userIdentity.userName=ana.ops | convert timeformat="%Y-%m-%dT%H:%M:%S%Z" mktime(eventTime) as t | eval same=if(t=_time, 1, 0) | table same', [{ same: 1 }]);
  });

  it('convert ctime and mktime take the same variables in timeformat', async () => {
    await expectRows(data.sample, `| makeresults | eval t=${T} | convert timeformat="%e %b %Y %k:%M:%S" ctime(t) as c | eval back=strptime(c, "%e %b %Y %k:%M:%S") | convert timeformat="%e %b %Y %k:%M:%S" mktime(c) as m | table c back m`, [
      { c: ' 4 Jan 2026  9:05:07', back: 1767517507, m: 1767517507 },
    ]);
    await expectRows(data.lang, 'eventID=lang-08-attach | convert timeformat="%+" ctime(_time) as t | table t', [{ t: 'Thu Nov 26 09:35:00 UTC 2026' }]);
  });

  it('a variable Splunk does not have is an error naming it, not a DuckDB error', () => {
    expect(() => compile('| makeresults | eval a=strftime(now(), "%Y %q")', { now: SAMPLE_NOW })).toThrow(/strftime\(\): %q is not a Splunk date and time format variable/);
    expect(() => compile('| makeresults | eval a=strptime("1 x", "%s x")', { now: SAMPLE_NOW })).toThrow(/%s can only be read as the whole format/);
    expect(() => compile('| makeresults | eval t=1 | convert timeformat="%Y %q" ctime(t)', { now: SAMPLE_NOW })).toThrow(/convert timeformat: %q/);
  });
});
