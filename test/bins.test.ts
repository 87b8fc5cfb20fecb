// Splunk's automatic bins (bin and timechart: bins=, minspan=, start=, end=, aligntime=; bin with
// no span is bins=100) and streamstats time_window=.
// bin: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/bin
// numeric bins are powers of ten ("determines the least power of 10 to use for the span", with
// the date_hour examples): https://docs.splunk.com/Documentation/Splunk/8.1.0/Search/Usingbinsandtimespans
// timechart's spans and minspan thresholds:
// https://help.splunk.com/splunk-enterprise/search/spl2-search-reference/timechart-command/timechart-command-usage
// streamstats: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/streamstats
import { describe, expect, it } from 'vitest';
import { autoNumberSpan, autoTimeSpan } from '../src/compiler/commands/bins.js';
import { compile } from '../src/compiler/index.js';
import { EngineError } from '../src/engine/engine.js';
import { SAMPLE_NOW, expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();
const hours = '| makeresults count=24 | streamstats count as n | eval date_hour=n-1';
const iso = (s: string) => Date.parse(s) / 1000;

async function failure(spl: string, opts = {}): Promise<Error> {
  try {
    await data.sample.run(spl, { now: SAMPLE_NOW, ...opts });
  } catch (e) {
    return e as Error;
  }
  throw new Error(`expected ${spl} to fail`);
}

describe('bin on numbers picks the least power of ten giving at most bins= bins', () => {
  it('the documentation examples: date_hour with bins=12 gives 0-10 10-20 20-30; bins=24 gives one-hour bins', async () => {
    await expectRows(data.sample, `${hours} | bin date_hour bins=12 | stats count by date_hour`, [
      { date_hour: '0-10', count: 10 }, { date_hour: '10-20', count: 10 }, { date_hour: '20-30', count: 4 },
    ]);
    await expectRows(data.sample, `${hours} | bin date_hour bins=24 | stats count by date_hour | head 3`, [
      { date_hour: '0-1', count: 1 }, { date_hour: '1-2', count: 1 }, { date_hour: '10-11', count: 1 },
    ]);
    // "if the given values are [0, 1, 2, ... 59] and bins is 5, the span will be 100".
    await expectRows(data.sample, '| makeresults count=60 | streamstats count as n | eval x=n-1 | bin x bins=5 | stats count by x', [{ x: '0-100', count: 60 }]);
  });

  it('with no span and no bins, 100 bins (Splunk\'s default) instead of an error', async () => {
    await expectRows(data.sample, '| makeresults count=5 | streamstats count as n | eval x=n*7 | bin x | table x', ['7-8', '14-15', '21-22', '28-29', '35-36'].map((x) => ({ x })));
  });

  it('spans below 1 bin exactly (0.3 is in 0.3-0.4)', async () => {
    await expectRows(data.sample, '| makeresults count=5 | streamstats count as n | eval x=n/10 | bin x bins=5 | table x', ['0.1-0.2', '0.2-0.3', '0.3-0.4', '0.4-0.5', '0.5-0.6'].map((x) => ({ x })));
    await expectRows(data.sample, '| makeresults count=5 | streamstats count as n | eval x=n/10 | bin x bins=3 | stats count by x', [{ x: '0-1', count: 5 }]);
  });

  it('start= and end= widen the range the span is picked from, never narrow it', async () => {
    const fifties = '| makeresults count=9 | streamstats count as n | eval x=50+n';
    await expectRows(data.sample, `${fifties} | bin x bins=10 | stats count by x | head 2`, [{ x: '51-52', count: 1 }, { x: '52-53', count: 1 }]);
    await expectRows(data.sample, `${fifties} | bin x start=0 bins=10 | stats count by x`, [{ x: '50-60', count: 9 }]);
    await expectRows(data.sample, `${fifties} | bin x end=1000 bins=10 | stats count by x`, [{ x: '0-1000', count: 9 }]);
    await expectRows(data.sample, `${fifties} | bin x end=10 bins=10 | stats count by x | head 1`, [{ x: '51-52', count: 1 }]);
  });

  it('minspan= is the smallest span it may pick', async () => {
    await expectRows(data.sample, `${hours} | bin date_hour minspan=5 | stats count by date_hour`, [
      { date_hour: '0-10', count: 10 }, { date_hour: '10-20', count: 10 }, { date_hour: '20-30', count: 4 },
    ]);
  });

  it('the rule in numbers', () => {
    expect(autoNumberSpan(0, 100, 10)).toBe(100); // span 10 would touch 11 bins
    expect(autoNumberSpan(0, 99, 10)).toBe(10);
    expect(autoNumberSpan(5, 5, 100)).toBe(1);
    expect(autoNumberSpan(0, 23, 100, 5)).toBe(10);
    expect(autoNumberSpan(-50, 49, 10)).toBe(10);
  });
});

describe('bin _time with no span: 100 bins from the data\'s range', () => {
  it('eight days of events: daily bins', async () => {
    await expectRows(data.sample, 'index=* | bin _time | stats count by _time', [
      ['2026-11-20', 76], ['2026-11-21', 50], ['2026-11-22', 50], ['2026-11-23', 71], ['2026-11-24', 69], ['2026-11-25', 71], ['2026-11-26', 45], ['2026-11-27', 83],
    ].map(([d, count]) => ({ _time: iso(`${d}T00:00:00Z`), count })));
  });

  it('bins=500: 30 minutes (1800 s gives 374 bins over these eight days, 600 s 1,121)', async () => {
    await expectRows(data.sample, 'index=* | bin _time bins=500 | stats count by _time | head 3', [
      { _time: iso('2026-11-20T00:00:00Z'), count: 1 }, { _time: iso('2026-11-20T00:30:00Z'), count: 5 }, { _time: iso('2026-11-20T01:00:00Z'), count: 3 },
    ]);
  });

  it('the time rule: Splunk\'s table of spans', () => {
    expect(autoTimeSpan(0, 15 * 60)).toEqual({ seconds: 10 });
    expect(autoTimeSpan(0, 3600)).toEqual({ seconds: 60 });
    expect(autoTimeSpan(0, 3600, 100, 900)).toEqual({ seconds: 1800 }); // minspan=15m: the next threshold, 30m
    expect(autoTimeSpan(0, 8 * 86400, 3)).toEqual({ months: 1 });
    expect(autoTimeSpan(0, 10 * 365 * 86400, 20)).toEqual({ months: 12 });
  });

  it('asks the data for its range, then bins by the span it gives (golden SQL)', () => {
    const spl = 'index=* | bin _time | stats count by _time';
    const first = compile(spl, { now: SAMPLE_NOW });
    const question = first.discoveries![0]!;
    // The question is plan steps (an aggregate of the lowest and highest value), printed as the search is.
    expect(question.sql).toMatch(/s1 AS \(\n  SELECT min\("_time"\) AS "lo", max\("_time"\) AS "hi" FROM s0\n\)\nSELECT unnest\(\["lo", "hi"\]\)\nFROM s1$/);
    expect(first.notes).toContain('bin _time: the span is picked from the lowest and highest _time when the search runs; a placeholder is shown');
    const answered = compile(spl, { now: SAMPLE_NOW, discovered: { [question.key]: [String(iso('2026-11-20T00:00:00Z')), String(iso('2026-11-20T06:00:00Z'))] } });
    expect(answered.sql).toContain('SELECT * REPLACE (floor("_time" / 300) * 300 AS "_time") FROM s0');
    expect(answered.notes).toBeUndefined();
  });
});

describe('aligntime=', () => {
  it('bins of 12 hours from 03:00 UTC (epoch seconds), and from @d+3h of now', async () => {
    const expected = [{ _time: iso('2026-11-19T15:00:00Z'), count: 9 }, { _time: iso('2026-11-20T03:00:00Z'), count: 47 }];
    await expectRows(data.sample, 'index=* | bin _time span=12h aligntime=10800 | stats count by _time | head 2', expected);
    await expectRows(data.sample, 'index=* | bin _time span=12h aligntime=@d+3h | stats count by _time | head 2', expected);
  });

  it('earliest: from the search\'s start; without one, an error naming it', async () => {
    await expectRows(data.sample, 'index=* | bin _time span=12h aligntime=earliest | stats count by _time | head 2', [
      { _time: iso('2026-11-20T05:00:00Z'), count: 50 }, { _time: iso('2026-11-20T17:00:00Z'), count: 26 },
    ], { earliest: iso('2026-11-20T05:00:00Z') });
    expect(() => sqlOf('index=* | bin _time span=12h aligntime=earliest')).toThrow('aligntime=earliest needs the search\'s time range');
  });

  it('is ignored for spans of a day or more, as Splunk documents', async () => {
    await expectRows(data.sample, 'index=* | bin _time span=1d aligntime=10800 | stats count by _time | head 1', [{ _time: iso('2026-11-20T00:00:00Z'), count: 76 }]);
  });

  // Ignored, but never silently: aligntime=@w1 with span=1w reads as "weeks from Monday" and gave
  // Thursday weeks without a word.
  it('says so when it is ignored (bin and timechart, given spans and picked ones), and not when it applies', () => {
    const said = (spl: string) => compile(spl, { now: SAMPLE_NOW }).notes ?? [];
    const note = (command: string, value: string) => `${command}: aligntime=${value} is ignored with a span of a day or more, as in Splunk: the bins start at 00:00 UTC (weeks on Thursday); for weeks from Monday use relative_time(_time, "@w1") or timechart span=w@w1`;
    expect(said('index=* | bin _time span=1w aligntime=@w1 | stats count by _time')).toEqual([note('bin', '@w1')]);
    expect(said('index=* | bin _time span=1mon aligntime=10800 | stats count by _time')).toEqual([note('bin', '10800')]);
    expect(said('index=* | timechart span=1d aligntime=@d+3h count')).toEqual([note('timechart', '@d+3h')]);
    expect(said('index=* | timechart span=w@w1 aligntime=10800 count')).toEqual([note('timechart', '10800')]);
    expect(said('index=* | bin _time span=12h aligntime=@d+3h | stats count by _time')).toEqual([]);
    expect(said('index=* | timechart span=12h aligntime=10800 count')).toEqual([]);
  });

  it('timechart takes it too', async () => {
    await expectRows(data.sample, 'index=* | timechart span=12h aligntime=10800 count | head 2', [
      { _time: iso('2026-11-19T15:00:00Z'), count: 9 }, { _time: iso('2026-11-20T03:00:00Z'), count: 47 },
    ]);
  });
});

describe('timechart bins= and minspan=', () => {
  it('bins=500 gives 30-minute buckets, every one filled', async () => {
    await expectRows(data.sample, 'index=* | timechart bins=500 count | stats count as buckets sum(count) as events min(_time) as first', [
      { buckets: 374, events: 515, first: iso('2026-11-20T00:00:00Z') },
    ]);
  });

  it('bins=3 and minspan=2d both need more than a day: one month', async () => {
    await expectRows(data.sample, 'index=* | timechart bins=3 count', [{ _time: iso('2026-11-01T00:00:00Z'), count: 515 }]);
    await expectRows(data.sample, 'index=* | timechart minspan=2d count', [{ _time: iso('2026-11-01T00:00:00Z'), count: 515 }]);
  });

  it('span= wins over bins=, as documented', async () => {
    await expectRows(data.sample, 'index=* | timechart span=1d bins=3 count | stats count', [{ count: 8 }]);
  });

  it('chart still refuses them by name (it does not bin its over-field)', () => {
    expect(() => sqlOf('index=* | chart count over eventName bins=3')).toThrow('chart bins= is not supported');
  });
});

describe('streamstats time_window=', () => {
  const GST = 'eventName=GetSessionToken';

  it('in the default order (newest first): the earlier results in the stream within the window, by group', async () => {
    // ana.ops 11-25 16:26 sees 11-27 16:01 (1d23h35m later); 11-24 16:13 does not (2d23h48m).
    await expectRows(data.sample, `${GST} | streamstats time_window=2d count as n by userIdentity.userName | table userIdentity.userName n`, [
      ['ana.ops', 1], ['svc-backup', 1], ['ana.ops', 2], ['dev.sam', 1], ['ana.ops', 2], ['dev.sam', 2], ['ana.ops', 2], ['ana.ops', 1],
    ].map(([u, n]) => ({ 'userIdentity.userName': u, n })));
  });

  it('sorted oldest first, with dc and current=f', async () => {
    await expectRows(data.sample, `${GST} | sort _time | streamstats time_window=1d dc(userIdentity.userName) as users | table users`, [1, 1, 2, 2, 2, 2, 1, 2].map((users) => ({ users })));
    await expectRows(data.sample, `${GST} | sort _time | streamstats time_window=1d current=f count as before | table before`, [0, 0, 1, 1, 2, 1, 0, 1].map((before) => ({ before })));
  });

  it('results with the same _time count only those before them in the stream; window= caps the rows', async () => {
    const ties = '| makeresults count=6 | streamstats count as i | eval _time=1000+i*100-if(i=4,100,0)';
    await expectRows(data.sample, `${ties} | streamstats time_window=200s count as c | table i c`, [[1, 1], [2, 2], [3, 3], [4, 4], [5, 3], [6, 2]].map(([i, c]) => ({ i, c })));
    await expectRows(data.sample, `${ties} | streamstats time_window=200s window=2 count as c | table i c`, [[1, 1], [2, 2], [3, 2], [4, 2], [5, 2], [6, 2]].map(([i, c]) => ({ i, c })));
  });

  it('agrees with counting by hand over every AssumeRole, both orders', async () => {
    const result = await data.sample.run('eventName=AssumeRole | streamstats time_window=1h count as n by sourceIPAddress | table _time sourceIPAddress n', { now: SAMPLE_NOW });
    const rows = result.rows as { _time: number; sourceIPAddress: string; n: number }[];
    const expected = rows.map((r, i) => rows.slice(0, i + 1).filter((p) => p.sourceIPAddress === r.sourceIPAddress && p._time - r._time <= 3600 && p._time >= r._time).length);
    expect(rows.map((r) => r.n)).toEqual(expected);
    expect(Math.max(...expected)).toBeGreaterThan(1);
  });

  it('results out of time order are an error, not a window over the wrong results', async () => {
    const e = await failure('| makeresults count=6 | streamstats count as i | eval _time=if(i=3, 0, 1000+i*100) | streamstats time_window=200s count');
    expect(e).toBeInstanceOf(EngineError);
    expect(e.message).toMatch(/time_window= needs the results in time order/);
  });

  it('golden SQL: a ROWS frame as long as each row\'s reach', () => {
    const sql = sqlOf('| makeresults | streamstats time_window=5m count', { stepwise: true });
    expect(sql).toContain('min("__tpos") OVER (ORDER BY "_time" RANGE BETWEEN 300 PRECEDING AND CURRENT ROW)');
    expect(sql).toContain('count(*) OVER (ORDER BY "__seq" ROWS BETWEEN "__back" PRECEDING AND CURRENT ROW)');
    expect(() => sqlOf('| makeresults | streamstats time_window=1mon count')).toThrow('cannot use time_window=1mon');
  });
});
