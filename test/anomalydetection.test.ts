// anomalydetection method=histogram, as Splunk documents it:
// https://help.splunk.com/splunk-enterprise/search/spl-search-reference/10.0/search-commands/anomalydetection
// An event's probability is the product of its values' frequencies (a category: its count over
// all events; a number: its histogram bin's count over all events); log_event_prob is its natural
// logarithm, probable_cause the field of the rarest value, probable_cause_freq that value's
// frequency, max_freq the largest; the threshold is Q1 - k * IQR of the log probabilities. The
// expected numbers below are worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { expectRows, rows, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await engine.load(['fixtures/public/stratus-red-team']);
});
afterAll(() => engine.close());

// Five events: user alice 3 times, bob twice; ip 10.0.0.1 four times, 10.0.0.9 once.
const FIVE = '| makeresults count=5 | streamstats count as n | eval user=if(n<=3,"alice","bob"), ip=if(n==5,"10.0.0.9","10.0.0.1")';
const ROUNDED = '| eval log_event_prob=round(log_event_prob, 9) | table n user ip log_event_prob probable_cause probable_cause_freq max_freq';
const ln = (x: number) => Math.round(Math.log(x) * 1e9) / 1e9;

describe('anomalydetection method=histogram', () => {
  it('annotates every event with the probability of its values together', async () => {
    await expectRows(engine, `${FIVE} | anomalydetection user ip action=annotate ${ROUNDED}`, [
      // alice (3/5) from 10.0.0.1 (4/5): the rarer value is the user's.
      { n: 1, user: 'alice', ip: '10.0.0.1', log_event_prob: ln(0.6 * 0.8), probable_cause: 'user', probable_cause_freq: 0.6, max_freq: 0.8 },
      { n: 2, user: 'alice', ip: '10.0.0.1', log_event_prob: ln(0.6 * 0.8), probable_cause: 'user', probable_cause_freq: 0.6, max_freq: 0.8 },
      { n: 3, user: 'alice', ip: '10.0.0.1', log_event_prob: ln(0.6 * 0.8), probable_cause: 'user', probable_cause_freq: 0.6, max_freq: 0.8 },
      { n: 4, user: 'bob', ip: '10.0.0.1', log_event_prob: ln(0.4 * 0.8), probable_cause: 'user', probable_cause_freq: 0.4, max_freq: 0.8 },
      // bob (2/5) from 10.0.0.9 (1/5): the address is the cause.
      { n: 5, user: 'bob', ip: '10.0.0.9', log_event_prob: ln(0.4 * 0.2), probable_cause: 'ip', probable_cause_freq: 0.2, max_freq: 0.4 },
    ]);
  });

  it('keeps only the anomalous events by default, below Q1 - 3 IQR (cutoff=true) or Q1 - 1.5 IQR', async () => {
    // Sorted log probabilities: ln .08, ln .32, ln .48 (x3). Q1 = ln .32, Q3 = ln .48.
    const only5 = [{ n: 5, user: 'bob', ip: '10.0.0.9', log_event_prob: ln(0.08), probable_cause: 'ip', probable_cause_freq: 0.2, max_freq: 0.4 }];
    // ln .08 = -2.526 is below ln .32 - 3 (ln .48 - ln .32) = -2.356.
    await expectRows(engine, `${FIVE} | anomalydetection user ip ${ROUNDED}`, only5);
    await expectRows(engine, `${FIVE} | anomalydetection method=histogram action=filter cutoff=false user ip ${ROUNDED}`, only5);
    // pthresh is a probability: 0.4 keeps the events less likely than 0.4 (bob's two).
    expect((await rows(engine, `${FIVE} | anomalydetection pthresh=0.4 user ip | table n`)).map((r) => r.n)).toEqual([4, 5]);
    expect(await rows(engine, `${FIVE} | anomalydetection pthresh=0.01 user ip | table n`)).toEqual([]);
  });

  it('summarises: the count of anomalies, the threshold as a probability, the log probabilities\' range and quartiles', async () => {
    const [summary] = await rows(engine, `${FIVE} | anomalydetection user ip action=summary`);
    const q1 = Math.log(0.32);
    const q3 = Math.log(0.48);
    expect(Object.keys(summary!)).toEqual(['num_anomalies', 'thresh', 'max_logprob', 'min_logprob', '1st_quartile', '3rd_quartile']);
    expect(summary!.num_anomalies).toBe(1);
    expect(summary!.thresh).toBeCloseTo(Math.exp(q1 - 3 * (q3 - q1)), 12);
    expect(summary!.max_logprob).toBeCloseTo(q3, 12);
    expect(summary!.min_logprob).toBeCloseTo(Math.log(0.08), 12);
    expect(summary!['1st_quartile']).toBeCloseTo(q1, 12);
    expect(summary!['3rd_quartile']).toBeCloseTo(q3, 12);
    const [loose] = await rows(engine, `${FIVE} | anomalydetection user ip action=summary cutoff=f`);
    expect(loose!.thresh).toBeCloseTo(Math.exp(q1 - 1.5 * (q3 - q1)), 12);
  });

  it('puts numbers into Sturges\' equal-width bins between the smallest and largest value', async () => {
    // 8 values: ceil(log2 8) + 1 = 4 bins of width 12.25 over [1, 50]; 1, 2 and 3 share the first.
    const spl = '| makeresults count=8 | streamstats count as n | eval c=case(n<=2,1,n<=5,2,n<=7,3,true(),50) | anomalydetection c action=annotate | eval log_event_prob=round(log_event_prob, 9) | table c log_event_prob probable_cause_freq';
    const common = { log_event_prob: ln(7 / 8), probable_cause_freq: 7 / 8 };
    await expectRows(engine, spl, [
      { c: 1, ...common }, { c: 1, ...common }, { c: 2, ...common }, { c: 2, ...common }, { c: 2, ...common }, { c: 3, ...common }, { c: 3, ...common },
      { c: 50, log_event_prob: ln(1 / 8), probable_cause_freq: 1 / 8 },
    ]);
    // The same values as text are categories: 1 is 2/8, 50 is 1/8.
    const text = await rows(engine, '| makeresults count=8 | streamstats count as n | eval c=case(n<=2,"1",n<=5,"2",n<=7,"3",true(),"50x") | anomalydetection c action=annotate | table c probable_cause_freq');
    expect(text.map((r) => r.probable_cause_freq)).toEqual([0.25, 0.25, 0.375, 0.375, 0.375, 0.25, 0.25, 0.125]);
  });

  it('leaves a missing value out of the product, and replaces annotations already there', async () => {
    await expectRows(engine, '| makeresults count=4 | streamstats count as n | eval a=if(n<=3,"x",null()), log_event_prob="old" | anomalydetection a action=annotate | table n log_event_prob probable_cause probable_cause_freq max_freq', [
      { n: 1, log_event_prob: Math.log(0.75), probable_cause: 'a', probable_cause_freq: 0.75, max_freq: 0.75 },
      { n: 2, log_event_prob: Math.log(0.75), probable_cause: 'a', probable_cause_freq: 0.75, max_freq: 0.75 },
      { n: 3, log_event_prob: Math.log(0.75), probable_cause: 'a', probable_cause_freq: 0.75, max_freq: 0.75 },
      { n: 4, log_event_prob: 0, probable_cause: null, probable_cause_freq: null, max_freq: null },
    ]);
  });

  it('uses every field of the results when none is named', async () => {
    const named = await rows(engine, `${FIVE} | table user ip | anomalydetection user ip action=annotate`);
    expect(await rows(engine, `${FIVE} | table user ip | anomalydetection action=annotate`)).toEqual(named);
  });

  it('frequencies on the fixture are each value\'s share of the events', async () => {
    const total = (await rows(engine, '* | stats count'))[0]!.count as number;
    const bySource = await rows(engine, '* | stats count by eventSource');
    const annotated = await rows(engine, '* | anomalydetection eventSource action=annotate | stats count by eventSource probable_cause_freq');
    expect(annotated).toEqual(bySource.map((r) => ({ eventSource: r.eventSource, probable_cause_freq: (r.count as number) / total, count: r.count })));
  });

  it('runs twice in one search, and after outlier (its own columns are gone after it)', async () => {
    const again = await rows(engine, `${FIVE} | anomalydetection user ip action=annotate | outlier n | anomalydetection ip action=annotate | table n probable_cause probable_cause_freq`);
    expect(again).toEqual([1, 2, 3, 4, 5].map((n) => ({ n, probable_cause: 'ip', probable_cause_freq: n === 5 ? 0.2 : 0.8 })));
  });

  it('compiles to window functions over the results (golden SQL)', () => {
    expect(sqlOf('| makeresults | eval user="a" | anomalydetection user action=annotate')).toMatchSnapshot();
  });

  it('refuses what it does not run, by name', () => {
    expect(() => sqlOf('| makeresults | anomalydetection method=zscore x')).toThrow('anomalydetection method=zscore is not supported: it runs anomalousvalue');
    expect(() => sqlOf('| makeresults | anomalydetection method=iqr pthresh=0.1 x')).toThrow('pthresh= is for method=histogram or zscore, not method=iqr');
    expect(() => sqlOf('| makeresults | anomalydetection param=3 x')).toThrow('param= is for method=iqr');
    expect(() => sqlOf('| makeresults | anomalydetection x action=tf')).toThrow('action=tf is for method=iqr');
    expect(() => sqlOf('| makeresults | anomalydetection x minsupcount=3')).toThrow('anomalydetection minsupcount= is not supported');
    expect(() => sqlOf('| makeresults | anomalydetection x pthresh=2')).toThrow('pthresh= is a probability');
    expect(() => sqlOf('* | anomalydetection')).toThrow('anomalydetection on events needs its fields named');
  });
});

// https://help.splunk.com/splunk-enterprise/search/spl-search-reference/10.0/search-commands/outlier
// A number above Q3 + param * IQR (below Q1 - param * IQR too with uselower) is an outlier.
// c: 1 1 2 2 2 3 3 50, Q1 = 1.75, Q3 = 3 (interpolated), IQR 1.25; d: -40 2 3 4 5 6 7 8,
// Q1 = 2.75, Q3 = 6.25, IQR 3.5.
const EIGHT = '| makeresults count=8 | streamstats count as n | eval c=case(n<=2,1,n<=5,2,n<=7,3,true(),50), d=if(n==1,-40,n)';

describe('outlier and anomalydetection method=iqr', () => {
  it('truncates an outlying number to the threshold (transform, param=2.5, upper side: the defaults)', async () => {
    const expected = [1, 1, 2, 2, 2, 3, 3, 3 + 2.5 * 1.25].map((c, i) => ({ n: i + 1, c, d: i === 0 ? -40 : i + 1 }));
    await expectRows(engine, `${EIGHT} | outlier c d | table n c d`, expected);
    await expectRows(engine, `${EIGHT} | anomalydetection method=iqr c d | table n c d`, expected);
    await expectRows(engine, `${EIGHT} | anomalydetection method=iqr action=tf c d | table n c d`, expected);
  });

  it('looks below too with uselower, marks with 000, removes with action=remove', async () => {
    await expectRows(engine, `${EIGHT} | outlier mark=t uselower=t param=1 d | table n d`, [
      { n: 1, d: '000-0.75' }, { n: 2, d: '2' }, { n: 3, d: '3' }, { n: 4, d: '4' }, { n: 5, d: '5' }, { n: 6, d: '6' }, { n: 7, d: '7' }, { n: 8, d: '8' },
    ]);
    const kept = async (spl: string) => (await rows(engine, spl)).map((r) => r.n);
    expect(await kept(`${EIGHT} | anomalydetection method=iqr action=rm uselower=t c d | table n`)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(await kept(`${EIGHT} | outlier action=remove d | table n`)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Text that reads as a number is truncated as text; other text is left alone.
    await expectRows(engine, `${EIGHT} | eval e=if(n==8,"50",tostring(c)), f="x" | outlier e f | table n e f`, [
      ...['1', '1', '2', '2', '2', '3', '3'].map((e, i) => ({ n: i + 1, e, f: 'x' })),
      { n: 8, e: '6.125', f: 'x' },
    ]);
  });

  it('on the fixture, keeps every result but the outlying counts', async () => {
    // Events per eventSource: 43 (ssm), 10, 4, 1, 1, 1: Q1 = 1, Q3 = 8.5, so ssm's 43 is above 27.25.
    expect(await rows(engine, '* | stats count by eventSource | outlier action=rm count | stats count')).toEqual([{ count: (await rows(engine, '* | stats count by eventSource')).length - 1 }]);
  });
});
