// `| from datamodel:<Model>.<Dataset>` and `| datamodel <Model> <Dataset> search|flat`: the events
// of a CIM data model dataset. Splunk's from gives the dataset's fields by their own names, as
// the datamodel command's flat mode does; search mode names them as tstats does
// (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/from,
// .../search-commands/datamodel). Each count is the one tstats gives over the same dataset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../src/compiler/index.js';
import { compileTrino } from '../src/compiler/trino-compile.js';
import type { Engine } from '../src/engine/engine.js';
import { errorOf, expectRows, rows, sampleEngine, SAMPLE_NOW } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

/** tstats rows with the dataset prefix taken off the field names. */
async function tstatsRows(spl: string, prefix: string): Promise<Record<string, unknown>[]> {
  return (await rows(engine, spl)).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.startsWith(prefix) ? k.slice(prefix.length) : k, v])));
}

describe('from datamodel', () => {
  it('the events of a dataset, with its filled fields by their own names: the counts tstats gives', async () => {
    const expected = [
      { user: 'ana.ops', action: 'failure', count: 1 },
      { user: 'ana.ops', action: 'success', count: 5 },
      { user: 'unknown', action: 'success', count: 1 },
    ];
    await expectRows(engine, '| from datamodel:Authentication.Authentication | stats count by user action', expected);
    expect(await tstatsRows('| tstats count from datamodel=Authentication.Authentication by Authentication.user Authentication.action', 'Authentication.')).toEqual(expected);
  });

  it('a child dataset: its constraints and its ancestors\'', async () => {
    await expectRows(engine, '| from datamodel:Authentication.Failed_Authentication | table _time user src action', [
      { _time: 1795726110, user: 'ana.ops', src: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', action: 'failure' },
    ]);
    const spl = '| from datamodel:"Change.Account_Management" | stats count by user object_category';
    expect(await rows(engine, spl)).toEqual(await tstatsRows('| tstats count from datamodel=Change.Account_Management by All_Changes.user All_Changes.object_category', 'All_Changes.'));
    expect((await rows(engine, spl)).length).toBe(7);
  });

  it('takes the name as Splunk writes it: datamodel:Model.Dataset, quoted whole or in parts, or after a space', async () => {
    const expected = [{ action: 'created', count: 4 }, { action: 'modified', count: 80 }, { action: 'read', count: 99 }, { action: 'unknown', count: 1 }];
    for (const from of ['datamodel:Change.All_Changes', 'datamodel:"Change.All_Changes"', 'datamodel:"Change"."All_Changes"', 'datamodel Change.All_Changes', 'datamodel:Change']) {
      await expectRows(engine, `| from ${from} | stats count by action`, expected);
    }
    expect(await tstatsRows('| tstats count from datamodel=Change by All_Changes.action', 'All_Changes.')).toEqual(expected);
  });

  it('shows the events: _time, the dataset\'s filled fields, _raw; the events\' other fields still resolve', async () => {
    const [first] = await rows(engine, '| from datamodel:Authentication.Successful_Authentication | head 1');
    expect(Object.keys(first!)).toEqual(['_time', 'action', 'app', 'src', 'src_user', 'dest', 'user', 'result', '_raw']);
    await expectRows(engine, '| from datamodel:Authentication.Failed_Authentication | table eventName errorMessage', [
      { eventName: 'ConsoleLogin', errorMessage: 'Failed authentication' },
    ]);
  });

  it('a CIM model spelunk does not map has no events here, with a note', async () => {
    await expectRows(engine, '| from datamodel:Web.Web | stats count', [{ count: 0 }]);
    expect(compile('| from datamodel:Web.Web', { now: SAMPLE_NOW }).notes).toEqual([
      'data model Web is not mapped to CloudTrail events in spelunk (it maps Authentication, Change): it has no events here',
    ]);
  });

  it('an unknown model or dataset: an error at the name, with the nearest', () => {
    // The caret is under the dataset's name, after `datamodel:`.
    const model = errorOf('| from datamodel:Authentcation.Failed_Authentication');
    expect(model.message).toBe('unknown data model "Authentcation" (spelunk maps Authentication, Change)');
    expect(model.diagnostic.span).toEqual({ start: 17, end: 52 });
    expect(model.diagnostic.hints).toEqual(['did you mean Authentication?']);
    const dataset = errorOf('| from datamodel:"Change"."Acount_Management"');
    expect(dataset.message).toMatch(/^data model Change has no dataset "Acount_Management"/);
    expect(dataset.diagnostic.span).toEqual({ start: 17, end: 45 });
    expect(dataset.diagnostic.hints).toEqual(['did you mean Change.Account_Management?']);
  });

  it('refuses what it does not read, by name', () => {
    expect(errorOf('| from lookup:users').message).toMatch(/from lookup:<name> is not supported: \| inputlookup <name> reads a lookup/);
    expect(errorOf('| from savedsearch:x').message).toMatch(/from savedsearch:<name> is not supported/);
    expect(errorOf('| from datamodel').message).toMatch(/from needs the data model dataset's name/);
    expect(errorOf('eventName=X | from datamodel:Authentication').message).toMatch(/from makes its own results: start the search with it/);
    expect(errorOf('| from datamodel:Authentication.Failed_Authentication x').message).toBe('unexpected "x" after the dataset');
  });

  it('Trino: prints where tstats does, and refuses by name where tstats does', () => {
    expect(compileTrino('| from datamodel:Authentication.Failed_Authentication | stats count by user', { now: SAMPLE_NOW }).sql).toMatch(/^WITH /);
    // The Change model's constraints read _raw, which the Athena table does not keep; its dataset
    // also reads signature_id, a key no column holds (read from each event's text locally).
    expect(() => compileTrino('| tstats count from datamodel=Change by All_Changes.action', { now: SAMPLE_NOW })).toThrow(/^no Trino form: _raw/);
    expect(() => compileTrino('| from datamodel:Change.All_Changes | stats count by action', { now: SAMPLE_NOW })).toThrow(/^no Trino form: signature_id: not a column of the Athena CloudTrail table/);
  });
});

describe('datamodel <Model> <Dataset> search|flat', () => {
  it('search names the fields as tstats does; flat as from does', async () => {
    const expected = [{ 'Authentication.user': 'ana.ops', count: 1 }];
    await expectRows(engine, '| datamodel Authentication Failed_Authentication search | stats count by Authentication.user', expected);
    await expectRows(engine, '| tstats count from datamodel=Authentication.Failed_Authentication by Authentication.user', expected);
    await expectRows(engine, '| datamodel Authentication Failed_Authentication flat | stats count by user', [{ user: 'ana.ops', count: 1 }]);
    await expectRows(engine, '| datamodel Authentication Authentication flat | stats count by app', [{ app: 'AwsConsoleSignIn', count: 7 }]);
  });

  it('the modes that give JSON or search text are refused by name', () => {
    expect(errorOf('| datamodel Authentication').message).toMatch(/^datamodel without search or flat gives the data model as JSON/);
    expect(errorOf('| datamodel Authentication Failed_Authentication search_string').message).toMatch(/^datamodel search_string gives the search Splunk would run/);
    expect(errorOf('| datamodel Authentication Failed_Authentication search extra').message).toMatch(/^unexpected "extra"/);
    expect(errorOf('| datamodel Authentcation search').diagnostic.hints).toEqual(['did you mean Authentication?']);
  });
});
