// Commands published detection content needs: makecontinuous, the MLTK commands refused by name,
// and `rename "All_Changes".* as *` (what drop_dm_object_name("All_Changes") expands to).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../grammar/parser.js';
import { Engine } from '../src/engine/engine.js';
import { expectRows, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await engine.load(['fixtures/public/stratus-red-team']);
});
afterAll(() => engine.close());

describe('makecontinuous', () => {
  // https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/makecontinuous
  it('adds a row for each empty bucket between the first and the last, in order', async () => {
    await expectRows(
      engine,
      '| makeresults count=3 | streamstats count as n | eval _time=3600*(1+n*n) | stats count by _time | makecontinuous _time span=1h',
      [
        { _time: 7200, count: 1 },
        { _time: 10800, count: null },
        { _time: 14400, count: null },
        { _time: 18000, count: 1 },
        { _time: 21600, count: null },
        { _time: 25200, count: null },
        { _time: 28800, count: null },
        { _time: 32400, count: null },
        { _time: 36000, count: 1 },
      ],
    );
  });

  it('bins the values it has, for numbers too, and defaults to _time', async () => {
    await expectRows(engine, '| makeresults | eval x=5 | append [| makeresults | eval x=32] | makecontinuous x span=10 | table x', [{ x: 0 }, { x: 10 }, { x: 20 }, { x: 30 }]);
    await expectRows(engine, '| tstats count where eventName=CreateAccessKey by _time span=1d | makecontinuous span=1d', [
      // 2024-07-30 and 2024-08-01, with the empty day between them.
      { _time: 1722297600, count: 1 },
      { _time: 1722384000, count: null },
      { _time: 1722470400, count: 1 },
    ]);
  });

  it('needs a span it can use', () => {
    expect(() => sqlOf('| makeresults | makecontinuous _time')).toThrow('makecontinuous needs span=');
    expect(() => sqlOf('| makeresults | makecontinuous _time bins=10')).toThrow('makecontinuous bins= is not supported');
  });

  it('refuses more than 50,000 buckets, as timechart does, instead of building millions of rows', async () => {
    const far = '| makeresults | eval x=0 | append [| makeresults | eval x=10000000]';
    await expect(engine.run(`${far} | makecontinuous x span=1`)).rejects.toThrow(/makecontinuous: the span would make 10000001 buckets from the first value to the last, more than 50000: give a larger span=/);
    await expect(engine.run(`${far} | makecontinuous x span=1 start=0 end=60000`)).rejects.toThrow(/makecontinuous: the span would make 60001 buckets between start= and end=/);
    await expectRows(engine, `${far} | makecontinuous x span=1000 | stats count min(x) max(x)`, [{ count: 10001, 'min(x)': 0, 'max(x)': 10000000 }]);
  });
});

describe('Machine Learning Toolkit commands', () => {
  it('fit, apply and summary are refused by name with the reason', () => {
    expect(() => sqlOf('| makeresults | fit DensityFunction x into m')).toThrow('fit trains a model with the Splunk Machine Learning Toolkit (MLTK)');
    expect(() => sqlOf('| makeresults | apply m threshold=0.01')).toThrow("apply runs a model trained by the Splunk Machine Learning Toolkit's fit");
    expect(() => sqlOf('| summary m')).toThrow('summary describes a model');
  });
});

describe('a quoted name glued to a wildcard', () => {
  it('parses as one field pattern, as Splunk reads it', () => {
    const cmd = parse('| rename "All_Changes".* as *').pipeline!.commands[0]!;
    expect(cmd.kind === 'generic' && cmd.args[0]).toEqual({ kind: 'word', value: 'All_Changes.*', quoted: false, span: { start: 9, end: 24 } });
    // Apart, or with a space, they stay two words.
    const apart = parse('| rename "All_Changes" .* as *').pipeline!.commands[0]!;
    expect(apart.kind === 'generic' && apart.args.length).toBe(4);
  });

  it('renames the data model columns', async () => {
    // The add-on's action for DeleteLoginProfile is "modified", and its user is the user acted on.
    await expectRows(engine, '| tstats count from datamodel=Change where All_Changes.command=DeleteLoginProfile by All_Changes.user All_Changes.object | rename "All_Changes".* as *', [
      { user: 'stratus-red-team-login-profile-user', object: 'stratus-red-team-login-profile-user', count: 1 },
    ]);
  });
});
