// cluster: Splunk documents its options and output, not its algorithm:
// https://help.splunk.com/splunk-cloud-platform/spl-search-reference/9.3.2408/search-commands/cluster
// https://help.splunk.com/splunk-enterprise/search/search-manual/10.0/advanced-statistics/detecting-patterns
// (labels 1..n; labelonly=false, the default, returns one event per cluster; showcount=false, the
// default, adds no count; t between 0 and 1, closer to 1 = more alike). spelunk's rule is its own
// and exact (src/compiler/commands/cluster.ts, docs/reference.md): terms at the delimiters;
// termlist = same term at the same position over the longer list, termset = Jaccard of terms,
// ngramset = Jaccard of 3-character pieces; patterns in order of first appearance join the first
// cluster whose first pattern is at least t alike. Splunk may group differently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPatterns, similarity } from '../src/compiler/commands/cluster.js';
import type { Engine } from '../src/engine/engine.js';
import { errorOf, expectRows, sampleEngine } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const MSGS = '| makeresults count=5 | streamstats count as n | eval msg=case(n==1, "user alice failed login from 10.0.0.1", n==2, "user bob failed login from 10.0.0.2", ' +
  'n==3, "disk full on host a", n==4, "user carol failed login from 10.0.0.3", n==5, "disk full on host b")';

describe('cluster', () => {
  it('termlist (default, t=0.8): 7 of 9 terms in place is not enough; one result per cluster, labels in order of appearance', async () => {
    await expectRows(engine, `${MSGS} | cluster field=msg showcount=t | table n cluster_label cluster_count`, [
      { n: 1, cluster_label: 1, cluster_count: 1 },
      { n: 2, cluster_label: 2, cluster_count: 1 },
      { n: 3, cluster_label: 3, cluster_count: 2 },
      { n: 4, cluster_label: 4, cluster_count: 1 },
    ]);
  });

  it('t=0.7 with labelonly=t keeps every result, labelled; countfield= and labelfield= name the fields', async () => {
    await expectRows(engine, `${MSGS} | cluster field=msg t=0.7 labelonly=t showcount=t countfield=size labelfield=grp | table n grp size`, [
      { n: 1, grp: 1, size: 3 },
      { n: 2, grp: 1, size: 3 },
      { n: 3, grp: 2, size: 2 },
      { n: 4, grp: 1, size: 3 },
      { n: 5, grp: 2, size: 2 },
    ]);
  });

  it('showcount=f (the default) adds no count', async () => {
    await expectRows(engine, `${MSGS} | cluster field=msg t=0.7 | fields - _time`, [
      { n: 1, msg: 'user alice failed login from 10.0.0.1', cluster_label: 1 },
      { n: 3, msg: 'disk full on host a', cluster_label: 2 },
    ]);
  });

  it('termset ignores order; ngramset compares pieces of the text; delims= sets the cut', async () => {
    await expectRows(engine, '| makeresults count=2 | streamstats count as n | eval m=if(n==1, "a b c d", "d c b a") | cluster field=m match=termset | table n cluster_label', [
      { n: 1, cluster_label: 1 },
    ]);
    await expectRows(engine, '| makeresults count=2 | streamstats count as n | eval m=if(n==1, "a b c d", "d c b a") | cluster field=m labelonly=t | table n cluster_label', [
      { n: 1, cluster_label: 1 },
      { n: 2, cluster_label: 2 },
    ]);
    // Terms x 1 y and x 2 y: 2 of 3 in place; cut only at "|": x-1 y and x-2 y, 1 of 2.
    await expectRows(engine, '| makeresults count=2 | streamstats count as n | eval m=if(n==1, "x-1|y", "x-2|y") | cluster field=m labelonly=t t=0.6 | table n cluster_label', [
      { n: 1, cluster_label: 1 },
      { n: 2, cluster_label: 1 },
    ]);
    await expectRows(engine, '| makeresults count=2 | streamstats count as n | eval m=if(n==1, "x-1|y", "x-2|y") | cluster field=m delims="|" labelonly=t t=0.6 | table n cluster_label', [
      { n: 1, cluster_label: 1 },
      { n: 2, cluster_label: 2 },
    ]);
    expect(similarity('GetObject', 'GetObjectAcl', 'ngramset')).toBeCloseTo(7 / 10);
  });

  it('the rule, in numbers', () => {
    expect(similarity(['a', 'b', 'c'].join('\u0001'), ['a', 'x', 'c', 'd'].join('\u0001'), 'termlist')).toBe(0.5);
    expect(similarity(['a', 'b'].join('\u0001'), ['b', 'c'].join('\u0001'), 'termset')).toBeCloseTo(1 / 3);
    // A pattern joins the first cluster whose first pattern is alike enough, not the closest.
    expect(clusterPatterns(['abcdef', 'abcxyz', 'abcdeg'], 'ngramset', 0.3)).toEqual([1, 2, 1]);
  });

  it('over events: a one-term field clusters by equal values; _raw by default covers every event', async () => {
    const dc = await engine.run('index=* | stats dc(eventName) as d', { now: 0 });
    const r = await engine.run('index=* | cluster field=eventName showcount=t | stats sum(cluster_count) as n count as clusters', { now: 0 });
    expect(r.rows).toEqual([{ n: 515, clusters: dc.rows[0]!.d }]);
    const raw = await engine.run('index=* | cluster labelonly=t | stats count as n dc(cluster_label) as clusters max(cluster_label) as top', { now: 0 });
    expect(raw.rows[0]!.n).toBe(515);
    expect(raw.rows[0]!.clusters).toBe(raw.rows[0]!.top);
  });

  it('errors', () => {
    expect(errorOf('| makeresults | cluster t=1.5').diagnostic.message).toMatch(/t= must be a number greater than 0 and less than 1/);
    expect(errorOf('| makeresults | cluster match=words').diagnostic.message).toMatch(/match= takes termlist, termset, ngramset/);
    expect(errorOf('| makeresults | cluster msg').diagnostic.message).toMatch(/cluster takes options only/);
  });
});
