// sep= and format=: the names of the columns when several data series are split by a field.
// xyseries: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/xyseries
// chart: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/chart
// (format= takes $AGG$ and $VAL$ and wins over sep=; in spelunk's search text a literal $ is
// written $$, as in Splunk's saved searches, since $name$ is a parameter.)
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { expectRows, sampleEngine } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const ROWS = '| makeresults count=4 | streamstats count as n | eval k=if(n<3,"a","b"), v=n*10';

describe('sep= and format=', () => {
  it('xyseries with several data fields: sep= between the data field and the value', async () => {
    await expectRows(engine, `${ROWS} | xyseries k n v n sep=_`, [
      { k: 'a', v_1: 10, v_2: 20, v_3: null, v_4: null, n_1: 1, n_2: 2, n_3: null, n_4: null },
      { k: 'b', v_1: null, v_2: null, v_3: 30, v_4: 40, n_1: null, n_2: null, n_3: 3, n_4: 4 },
    ]);
  });

  it('one data field: columns are the values, whatever sep= says', async () => {
    await expectRows(engine, `${ROWS} | xyseries k n v sep=_`, [
      { k: 'a', 1: 10, 2: 20, 3: null, 4: null },
      { k: 'b', 1: null, 2: null, 3: 30, 4: 40 },
    ]);
  });

  it('chart and timechart: format= with $AGG$ and $VAL$ (or $VALUE$), over sep=', async () => {
    await expectRows(engine, `${ROWS} | chart avg(v) max(v) over k by n limit=2 useother=f sep=- format="$$VALUE$$ ($$AGG$$)"`, [
      { k: 'a', '3 (avg(v))': null, '4 (avg(v))': null, '3 (max(v))': null, '4 (max(v))': null },
      { k: 'b', '3 (avg(v))': 30, '4 (avg(v))': 40, '3 (max(v))': 30, '4 (max(v))': 40 },
    ]);
    // $VAL$ is the value's placeholder on the chart page; only $VALUE$ was read, so every column
    // was named "avg(v):$VAL$" and made unique with (2), (3).
    await expectRows(engine, `${ROWS} | chart avg(v) max(v) over k by n limit=2 useother=f format="$$AGG$$:$$VAL$$"`, [
      { k: 'a', 'avg(v):3': null, 'avg(v):4': null, 'max(v):3': null, 'max(v):4': null },
      { k: 'b', 'avg(v):3': 30, 'avg(v):4': 40, 'max(v):3': 30, 'max(v):4': 40 },
    ]);
    await expectRows(engine, `${ROWS} | timechart span=1d count max(v) by k format="$$VAL$$.$$AGG$$"`, [
      { _time: 1795824000, 'a.count': 2, 'b.count': 2, 'a.max(v)': 20, 'b.max(v)': 40 },
    ]);
    await expectRows(engine, `${ROWS} | timechart span=1d count max(v) by k sep=/`, [
      { _time: 1795824000, 'count/a': 2, 'count/b': 2, 'max(v)/a': 20, 'max(v)/b': 40 },
    ]);
  });
});
