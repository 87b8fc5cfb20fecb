// Time: relative modifiers (offset first, then snap backwards), earliest=/latest= in searches,
// now() fixed by the `now` option, spans, and _time as epoch seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { applyRelative, parseRelative, parseSpan, resolveTime } from '../src/compiler/time.js';
import { expectRows, sampleEngine, SAMPLE_NOW, sqlOf } from './helpers.js';

let sample: Engine;
beforeAll(async () => {
  sample = await sampleEngine();
});
afterAll(() => sample.close());

const iso = (t: number | null) => (t === null ? null : new Date(t * 1000).toISOString());
// 2026-11-25 (a Wednesday) 13:47:12 UTC.
const WED = Date.parse('2026-11-25T13:47:12Z') / 1000;

describe('relative time modifiers', () => {
  it.each([
    ['now', '2026-11-25T13:47:12.000Z'],
    ['-24h', '2026-11-24T13:47:12.000Z'],
    ['-24h@h', '2026-11-24T13:00:00.000Z'],
    ['@d', '2026-11-25T00:00:00.000Z'],
    ['-1d@d', '2026-11-24T00:00:00.000Z'],
    ['@w0', '2026-11-22T00:00:00.000Z'],
    ['-7d@w0', '2026-11-15T00:00:00.000Z'],
    ['@w1', '2026-11-23T00:00:00.000Z'],
    ['@mon', '2026-11-01T00:00:00.000Z'],
    ['-1mon@mon', '2026-10-01T00:00:00.000Z'],
    ['@q', '2026-10-01T00:00:00.000Z'],
    ['@y', '2026-01-01T00:00:00.000Z'],
    ['-30m@m', '2026-11-25T13:17:00.000Z'],
    ['@d+8h', '2026-11-25T08:00:00.000Z'],
    ['+1d@d', '2026-11-26T00:00:00.000Z'],
  ])('%s from Wed 2026-11-25 13:47:12', (mod, expected) => {
    expect(iso(applyRelative(WED, parseRelative(mod)!))).toBe(expected);
  });

  it('absolute forms and rejects', () => {
    expect(iso(resolveTime('11/27/2026:14:00:00', WED))).toBe('2026-11-27T14:00:00.000Z');
    expect(iso(resolveTime('2026-11-27T14:00:00Z', WED))).toBe('2026-11-27T14:00:00.000Z');
    expect(resolveTime('1795795276', WED)).toBe(1795795276);
    expect(resolveTime('yesterday', WED)).toBeNull();
    expect(parseRelative('-24x')).toBeNull();
  });

  it('spans', () => {
    expect(parseSpan('1h')).toEqual({ seconds: 3600 });
    expect(parseSpan('30m')).toEqual({ seconds: 1800 });
    expect(parseSpan('1d')).toEqual({ seconds: 86400 });
    expect(parseSpan('3mon')).toEqual({ months: 3 });
    expect(parseSpan('10')).toEqual({ seconds: 10 });
    expect(parseSpan('0h')).toBeNull();
  });
});

describe('earliest= and latest= in a search', () => {
  it('resolve against the now option', async () => {
    await expectRows(sample, 'earliest=-24h | stats count', [{ count: 83 }]);
    await expectRows(sample, 'earliest=-24h@h latest=now | stats count', [{ count: 83 }]);
    await expectRows(sample, 'earliest=@d | stats count', [{ count: 0 }]);
    await expectRows(sample, 'earliest=-24h | stats count', [{ count: 0 }], { now: Date.parse('2026-12-05T00:00:00Z') / 1000 });
    await expectRows(sample, 'eventName=GetSessionToken earliest=11/25/2026:00:00:00 latest=11/26/2026:00:00:00 | table user', [{ user: 'ana.ops' }, { user: 'dev.sam' }]);
  });

  // Splunk's Search Reference, "Time modifiers" (help.splunk.com, spl-search-reference 9.3): a
  // search with earliest= and no latest= takes now as its latest. Only timechart's buckets stopped
  // there; the events did not, so with --now in the past earliest=-1d counted what came after it.
  it('earliest= without latest= stops at now, in the events as in the time range', async () => {
    const noon = Date.parse('2026-11-27T12:00:00Z') / 1000;
    await expectRows(sample, 'earliest=-1d | stats count max(_time) as hi', [{ count: 66, hi: 1795773325 }], { now: noon });
    await expectRows(sample, 'earliest=-1d latest=now | stats count max(_time) as hi', [{ count: 66, hi: 1795773325 }], { now: noon });
    await expectRows(sample, 'earliest=-1d latest=+1d | stats count', [{ count: 99 }], { now: noon });
    await expectRows(sample, 'earliest=0 | stats count', [{ count: 515 }], { now: noon });
    await expectRows(sample, '* | stats count', [{ count: 515 }], { now: noon });
    await expectRows(sample, 'earliest=-1d | stats count', [{ count: 66 }], { now: noon });
    await expectRows(sample, '* | stats count', [{ count: 66 }], { now: noon, earliest: noon - 86400 });
    expect(sqlOf('earliest=-1d eventName=AssumeRole')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("_time" >= 1795737600, false) AND coalesce("eventName" ILIKE 'AssumeRole', false)
            AND "_time" < 1795824000
      )
      SELECT "_time", "_raw"
      FROM s0
      ORDER BY "__seq""
    `);
  });

  it('tstats where earliest= without latest= stops at now too', async () => {
    const noon = Date.parse('2026-11-27T12:00:00Z') / 1000;
    await expectRows(sample, '| tstats count where index=* earliest=-1d', [{ count: 66 }], { now: noon });
    await expectRows(sample, '| tstats count where index=* earliest=-1d latest=+1d', [{ count: 99 }], { now: noon });
    await expectRows(sample, '| tstats count where index=* earliest=0', [{ count: 515 }], { now: noon });
    await expectRows(sample, '| tstats count from datamodel=Authentication where earliest=-1d', [{ count: 1 }], { now: noon });
    await expectRows(sample, '| tstats count from datamodel=Authentication where earliest=-1d latest=+1d', [{ count: 2 }], { now: noon });
  });

  // Splunk's _index_earliest/_index_latest read the index time (the time modifiers page), which
  // loaded files lack: the filter on _time is kept, and a note says so rather than stay silent.
  it('_index_earliest= compares _time and says so', async () => {
    const r = await sample.run('_index_earliest=-1d _index_latest=now | stats count', { now: SAMPLE_NOW });
    expect(r.rows).toEqual([{ count: 83 }]);
    expect(r.notes).toEqual([
      "_index_earliest: spelunk has no index time, so this compares the event's own time (_time)",
      "_index_latest: spelunk has no index time, so this compares the event's own time (_time)",
    ]);
  });

  it('compile to constant bounds on _time', () => {
    expect(sqlOf('earliest=-7d@w0 latest=@d eventName=AssumeRole')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("_time" >= 1794700800, false) AND coalesce("_time" < 1795824000, false) AND coalesce("eventName" ILIKE 'AssumeRole', false)
      )
      SELECT "_time", "_raw"
      FROM s0
      ORDER BY "__seq""
    `);
  });

  it('a bad time is an error', () => {
    expect(() => sqlOf('earliest=yesterday')).toThrow(/cannot read "yesterday" as a time/);
  });
});

describe('now(), relative_time and _time arithmetic', () => {
  it('now() is the now option; relative_time over _time runs in SQL', async () => {
    await expectRows(sample, '| makeresults | eval n=now(), d=relative_time(now(), "-1d@d") | table n d', [{ n: SAMPLE_NOW, d: SAMPLE_NOW - 86400 }]);
    await expectRows(sample, 'eventName=CreateAccessKey userIdentity.userName=ana.ops | eval h=relative_time(_time, "@h"), w=relative_time(_time, "@w0"), age_days=floor((now()-_time)/86400) | table h w age_days', [
      { h: Date.parse('2026-11-21T17:00:00Z') / 1000, w: Date.parse('2026-11-15T00:00:00Z') / 1000, age_days: 6 },
    ]);
  });

  // A month offset keeps the day of the month and runs past the end of a shorter month, the same
  // whether the base is now() (computed here) or a field (computed in SQL): Splunk's time modifiers
  // page (docs.splunk.com, Search Manual, "Specify time modifiers in your search") gives no month-end
  // rule; the overflow (March 31 - 1mon = March 3, as C's mktime normalises February 31) rests on
  // memory of Splunk's behaviour. SQL's month interval stopped at February 28 instead, so
  // relative_time(t, "-1mon") and relative_time(now(), "-1mon") named different days for one instant.
  it('a month, quarter or year offset from a field gives what the same offset from now() gives', async () => {
    const march31 = Date.parse('2026-03-31T10:00:00Z') / 1000;
    const leap = Date.parse('2028-02-29T06:00:00Z') / 1000;
    const fmt = (name: string) => `strftime(${name}, "%F %T")`;
    const spl = `| makeresults | eval t=${march31}, l=${leap} | eval a=${fmt('relative_time(t, "-1mon")')}, b=${fmt('relative_time(t, "-1mon@mon")')}, c=${fmt('relative_time(t, "+2q")')}, d=${fmt('relative_time(l, "-1y")')}, e=${fmt('relative_time(l, "+1y@d+8h")')}, f=${fmt('relative_time(t, "-1mon-1d")')} | table a b c d e f`;
    const fromNow = (base: number, mod: string) => new Date(applyRelative(base, parseRelative(mod)!) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const expected = { a: '2026-03-03 10:00:00', b: '2026-03-01 00:00:00', c: '2026-10-01 10:00:00', d: '2027-03-01 06:00:00', e: '2029-03-01 08:00:00', f: '2026-03-02 10:00:00' };
    expect({ a: fromNow(march31, '-1mon'), b: fromNow(march31, '-1mon@mon'), c: fromNow(march31, '+2q'), d: fromNow(leap, '-1y'), e: fromNow(leap, '+1y@d+8h'), f: fromNow(march31, '-1mon-1d') }).toEqual(expected);
    await expectRows(sample, spl, [expected]);
  });

  it('bin span=1h and span=3mon on _time', async () => {
    await expectRows(sample, 'eventName=CreateAccessKey userIdentity.userName=ana.ops | bin _time span=1h as h | bin _time span=3mon as q | table h q', [
      { h: Date.parse('2026-11-21T17:00:00Z') / 1000, q: Date.parse('2026-10-01T00:00:00Z') / 1000 },
    ]);
  });
});
