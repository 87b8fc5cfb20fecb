// Splunk's caps that cut rows without saying so. sort without a count keeps 10,000 results (Search
// Reference, sort: "If no count is specified, the default limit of 10000 is used. If 0 is
// specified, all results are returned"); a subsearch gives at most 10,000 rows (Search Manual,
// "About subsearches"; Splunk Web then warns that it truncated to maxout). spelunk's answer is
// Splunk's, but `| sort x | stats count` answering 10000 over 100,000 events read as a complete
// count: the cut is now noted. It was silent before.
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { compileTrino } from '../src/compiler/trino-compile.js';
import { outcomeJson } from '../src/cli/hunt-report.js';
import { runOne } from '../src/engine/content/runner.js';
import type { HuntSearch } from '../src/engine/content/types.js';
import type { Engine } from '../src/engine/engine.js';
import { SAMPLE_NOW, sampleEngine } from './helpers.js';

const SORT_NOTE = "sort kept the first 10,000 results, as Splunk's sort does without a count: `sort 0 ...` keeps them all";
const SUBSEARCH_NOTE = "a subsearch gave more than 10,000 rows: only the first 10,000 were used, as Splunk's subsearch maxout does";
const numbered = (n: number) => `| makeresults count=${n} | streamstats count as n`;
const capsOf = (spl: string) => compile(spl, { now: SAMPLE_NOW }).caps ?? [];

let engine: Engine;
const run = async (spl: string) => {
  engine ??= await sampleEngine([]);
  return engine.run(spl);
};
afterAll(() => engine?.close());

describe("sort's default count", () => {
  it('cuts a count to 10,000 as Splunk does, and says so', async () => {
    const r = await run(`${numbered(10005)} | sort - n | stats count`);
    expect(r.rows).toEqual([{ count: 10000 }]);
    expect(r.notes).toEqual([SORT_NOTE]);
  });

  it('says nothing when nothing was cut, or a count was given', async () => {
    for (const spl of [`${numbered(10000)} | sort - n | stats count`, `${numbered(10005)} | sort 0 - n | stats count`, `${numbered(10005)} | sort limit=20000 n | stats count`, `${numbered(10005)} | sort 10 n | stats count`]) {
      expect((await run(spl)).notes, spl).toBeUndefined();
    }
  });

  it('notes the rows shown cut at 10,000, and asks nothing when fewer are shown', async () => {
    const cut = await run(`${numbered(10005)} | sort - n | eval m=n*2 | table n m`);
    expect(cut.rows).toHaveLength(10000);
    expect(cut.rows[9999]).toEqual({ n: 6, m: 12 });
    expect(cut.notes).toEqual([SORT_NOTE]);
    expect(capsOf(`${numbered(500)} | sort - n | eval m=n*2 | table n m`)).toMatchObject([{ count: 10000, shownRows: true }]);
    expect((await run(`${numbered(500)} | sort - n | table n`)).notes).toBeUndefined();
  });

  it('asks nothing when a head of at most 10,000 takes the first sorted rows (the cut cannot change them)', async () => {
    expect(capsOf(`${numbered(10005)} | sort - n | head 3`)).toEqual([]);
    expect(capsOf(`${numbered(10005)} | sort - n | eval m=1 | head 10000 | table n`)).toEqual([]);
    const r = await run(`${numbered(10005)} | sort - n | head 3 | table n`);
    expect(r.rows).toEqual([{ n: 10005 }, { n: 10004 }, { n: 10003 }]);
    expect(r.notes).toBeUndefined();
  });

  it('notes a tail or a filter after the sort, whose rows the cut does change', async () => {
    // Splunk's tail of the 10,000 kept: n from 10005 down to 6, the last three in reverse.
    const tail = await run(`${numbered(10005)} | sort - n | tail 3 | table n`);
    expect(tail.rows).toEqual([{ n: 6 }, { n: 7 }, { n: 8 }]);
    expect(tail.notes).toEqual([SORT_NOTE]);
    const where = await run(`${numbered(10005)} | sort - n | where n < 10 | stats count`);
    expect(where.rows).toEqual([{ count: 4 }]);
    expect(where.notes).toEqual([SORT_NOTE]);
  });

  it("is asked with a query of the sort's input, at most 10,001 rows of it", () => {
    const [cap] = capsOf(`${numbered(20)} | sort - n | stats count`);
    expect(cap!.sql).toMatch(/^SELECT count\(\*\) AS n FROM \(SELECT 1 FROM \(WITH [\s\S]*\) LIMIT 10001\)$/);
    expect(cap!.sql).not.toMatch(/row_number/);
  });
});

describe("a subsearch's maxout", () => {
  it('uses the first 10,000 rows as Splunk does, and says so', async () => {
    const r = await run(`${numbered(3)} | search [${numbered(10005)} | fields n] | stats count`);
    expect(r.rows).toEqual([{ count: 3 }]);
    expect(r.notes).toEqual([SUBSEARCH_NOTE]);
    expect((await run(`${numbered(3)} | search [${numbered(50)} | fields n] | stats count`)).notes).toBeUndefined();
  });
});

describe("join's, append's and appendcols' subsearch rows", () => {
  // Splunk's join page: at most 50,000 rows of the right-side dataset are joined; append's and
  // appendcols' maxout= (default 50000) cut their subsearch the same way. All rows were used.
  // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/join
  // https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/appendcols
  const note = (command: string, n: string, maxout: boolean) =>
    `${command}'s subsearch gave more than ${n} rows: only the first ${n} were used, as Splunk's ${command} ${maxout ? 'maxout' : 'limit'} does${maxout ? ' (maxout= sets it)' : ''}`;

  it('join uses the first 50,000 rows of its subsearch, and says so', async () => {
    const r = await run(`${numbered(2)} | eval k=1 | join k max=0 [${numbered(50003)} | eval k=1 | rename n as m] | stats count max(m) as top`);
    expect(r.rows).toEqual([{ count: 100000, top: 50000 }]);
    expect(r.notes).toEqual([note('join', '50,000', false)]);
  });

  it('append takes maxout= (default 50,000), and says when it cut', async () => {
    const r = await run(`${numbered(1)} | append [${numbered(50003)}] | stats count`);
    expect(r.rows).toEqual([{ count: 50001 }]);
    expect(r.notes).toEqual([note('append', '50,000', true)]);
    const small = await run(`${numbered(1)} | append maxout=5 [${numbered(60)}] | stats count max(n) as top`);
    expect(small.rows).toEqual([{ count: 6, top: 5 }]);
    expect(small.notes).toEqual([note('append', '5', true)]);
    expect((await run(`${numbered(1)} | append [${numbered(60)}] | stats count`)).notes).toBeUndefined();
  });

  it('appendcols takes maxout= too', async () => {
    const r = await run(`${numbered(3)} | appendcols maxout=2 [${numbered(3)} | rename n as m] | table n m`);
    expect(r.rows).toEqual([{ n: 1, m: 1 }, { n: 2, m: 2 }, { n: 3, m: null }]);
    expect(r.notes).toEqual([note('appendcols', '2', true)]);
  });
});

describe('on Athena or Trino', () => {
  it('says the cap, which is not checked there, unless a head makes it unseen', () => {
    expect(compileTrino('* | stats count by user | sort - count | where count > 3', { now: SAMPLE_NOW }).notes).toEqual([
      "sort without a count keeps the first 10,000 results, as Splunk's does (`sort 0 ...` keeps them all); whether it cut any is not checked on Athena or Trino",
    ]);
    expect(compileTrino('* | stats count by user | sort - count | head 5', { now: SAMPLE_NOW }).notes).toEqual([]);
  });
});

describe('in a hunt', () => {
  it("carries the note with the search's results (a detection's sort over more than 10,000 rows)", async () => {
    engine ??= await sampleEngine([]);
    const search: HuntSearch = { id: 'x', title: 'x', type: 'hunting', source: 'queries', file: 'x.spl', spl: `${numbered(10005)} | sort n | stats count`, mitre: [], level: 'low', score: 0, needs: [], alerting: false };
    const outcome = await runOne(engine, search, {});
    expect(outcome.notes).toEqual([SORT_NOTE]);
    expect(outcomeJson(outcome)).toMatchObject({ count: 1, notes: [SORT_NOTE], results: [{ count: 10000 }] });
  });
});
