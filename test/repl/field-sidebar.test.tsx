// The field sidebar of the last search: issue 14's "Field sidebar".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { describeStats, type FieldEntry, type FieldStats, fieldStats, nestedPaths } from '../../src/repl/field-stats.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_NOW, sampleEngine } from '../helpers.js';
import { KEY, startRepl, waitFor } from './harness.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const pick = <T extends { field: string }>(fields: T[], name: string) => fields.find((f) => f.field === name);

describe('the counts', () => {
  it('covers the event fields, the add-on fields and the nested paths of every row, in a few passes whatever the number of fields', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.execute('eventName=CreateRole OR eventName=CreateAccessKey');
    let passes = 0;
    const original = engine.summarizeFields.bind(engine);
    engine.summarizeFields = (...args: Parameters<Engine['summarizeFields']>) => (passes++, original(...args));
    try {
      const stats = await session.fieldStats('auto');
      expect(passes).toBe(2);
      expect(stats.rows).toBe(8);
      expect(stats.fields.length).toBeGreaterThan(60);
      expect(pick(stats.fields, 'eventName')).toMatchObject({ present: 8, distinct: 2, top: [{ value: 'CreateAccessKey', count: 4 }, { value: 'CreateRole', count: 4 }] });
      // The add-on's errorCode (success when CloudTrail recorded none) replaces the event's own.
      expect(pick(stats.fields, 'errorCode')).toMatchObject({ present: 8, distinct: 2, kind: 'addon', top: [{ value: 'success', count: 7 }, { value: 'AccessDenied', count: 1 }] });
      expect(stats.fields.filter((f) => f.field === 'errorCode' || f.field === 'app')).toHaveLength(2);
      // An add-on field, an alias of one, a userIdentity path, a nested path (arrays as {}).
      expect(pick(stats.fields, 'action')?.top.map((t) => t.value).sort()).toEqual(['created', 'modified']);
      expect(pick(stats.fields, 'src')).toMatchObject({ field: 'src', present: 8, distinct: pick(stats.fields, 'sourceIPAddress')!.distinct });
      expect(pick(stats.fields, 'userIdentity.arn')).toMatchObject({ present: 8 });
      expect(pick(stats.fields, 'responseElements.accessKey.userName')).toMatchObject({ present: 3, distinct: 3, kind: 'nested' });
      expect(pick(stats.fields, 'responseElements.accessKey.userName')!.top[0]).toEqual({ value: 'ci-deployer', count: 1 });
      expect(pick(stats.fields, 'eventID')).toMatchObject({ present: 8, estimated: true, top: [] });
      // Counted, and none of these rows has it: the sidebar leaves it out.
      expect(pick(stats.fields, 'vpcEndpointId')?.present).toBe(0);
    } finally {
      engine.summarizeFields = original;
    }
  });

  it('counts a table result from its rows, and every loaded event with :fields data', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.execute('* | stats count by awsRegion');
    const table = await session.fieldStats('auto');
    expect(table.fields.map((f) => [f.field, f.present, f.distinct])).toEqual([['awsRegion', 3, 3], ['count', 3, 3]]);
    const all = await session.fieldStats('data');
    expect(all.rows).toBe(515);
    expect(pick(all.fields, 'recipientAccountId')).toMatchObject({ present: 515, distinct: 3, top: [{ value: '111122223333', count: 370 }, { value: '222233334444', count: 100 }, { value: '444455556666', count: 45 }] });
  });

  it('reads nested paths once per event, arrays as {}, however deep the event is nested', () => {
    const deep = '{"userIdentity":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}';
    const rows = [
      { _raw: JSON.stringify({ resources: [{ ARN: 'a' }, { ARN: 'a' }, { ARN: 'b' }], requestParameters: { x: 1 } }) },
      { _raw: JSON.stringify({ resources: [{ ARN: 'a' }] }) },
      { _raw: deep },
    ];
    expect(nestedPaths(rows).map((f) => [f.field, f.present, f.distinct, f.top])).toEqual([
      ['resources{}.ARN', 2, 2, [{ value: 'a', count: 2 }, { value: 'b', count: 1 }]],
      ['requestParameters.x', 1, 1, [{ value: '1', count: 1 }]],
    ]);
  });
});

describe('the sidebar in the REPL', () => {
  it('lists the fields, unfolds one, and adds a chosen value to the search', async () => {
    const { ui, screen, type, run, session, controller } = await startRepl(engine, { height: 30 });
    await run('eventName=CreateRole OR eventName=CreateAccessKey', (s) => s.includes('8 results'));
    await type(':fields');
    await type(KEY.enter);
    const list = await waitFor(screen, (s) => / lines · /.test(s), 'the finished list');
    expect(list).toContain('fields of eventName=CreateRole OR eventName=CreateAccessKey · 8 results');
    expect(list).toMatch(/\naction +100% +2\n/);
    const at = controller.sidebar!.lines().findIndex((l) => l.field.field === 'errorCode');
    for (let i = 0; i < at; i++) await type(KEY.down);
    expect(screen()).toMatch(/\nerrorCode +100% +2\n/);
    expect(controller.sidebar!.lines().some((l) => l.field.field === 'vpcEndpointId')).toBe(false);
    await type(KEY.right);
    await waitFor(screen, (x) => /\n {4}AccessDenied +1 +12\.5%/.test(x), 'the top values');
    await type(KEY.down);
    await type(KEY.down);
    await type('-');
    await waitFor(screen, (x) => x.includes('> eventName=CreateRole OR eventName=CreateAccessKey NOT errorCode=AccessDenied\n'), 'the new search');
    await waitFor(screen, () => session.last?.rows.length === 7, 'its 7 results');
    ui.unmount();
  });

  it('stops counting on Ctrl-C and shows what it had', async () => {
    const { ui, screen, type, run } = await startRepl(engine, { height: 30 });
    // A search slow enough to stop: its subsearch makes two million rows each time it runs.
    const slow = 'eventName=* NOT [| makeresults count=2000000 | eval eventName=md5(tostring(random())) | fields eventName]';
    await run(slow, (s) => s.includes('results in'));
    await type(':fields');
    await type(KEY.enter);
    await waitFor(screen, (x) => x.includes('Ctrl-C stops'), 'the counting');
    await type(KEY.ctrlC);
    await waitFor(screen, (x) => x.includes('stopped: search cancelled'), 'the stop');
    await type(KEY.esc);
    await run('eventName=CreateRole | stats count', (x) => /count\n-+\n4/.test(x));
    ui.unmount();
  });
});

describe('over many rows', () => {
  it('estimates the add-on fields from a sample of the events first, marked, then counts them exactly', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.execute('*');
    const exact = await fieldStats(engine, session.last!, { now: SAMPLE_NOW }, { onUpdate: () => {} });
    expect(exact.addonSampled).toBeUndefined();
    const updates: FieldStats[] = [];
    // 100 of 515 events: the add-on fields are estimated first.
    const stats = await fieldStats(engine, session.last!, { now: SAMPLE_NOW }, { onUpdate: (s) => updates.push(s), sampleRows: 100 });
    expect(updates.map((u) => u.stage)).toEqual(['counting the event fields', 'estimating the add-on fields', 'counting the add-on fields exactly']);
    const estimate = updates[2]!;
    expect(estimate.addonSampled).toBeGreaterThan(40);
    expect(estimate.addonSampled).toBeLessThan(250);
    expect(pick(estimate.fields, 'action')?.sampled).toBe(estimate.addonSampled);
    // Event fields were counted over every row, and the estimate does not touch them.
    expect(pick(estimate.fields, 'eventName')).toEqual(pick(exact.fields, 'eventName'));
    expect(pick(estimate.fields, 'recipientAccountId')?.sampled).toBeUndefined();
    // An alias of an event field is exact; the nested paths are there while the exact pass runs.
    expect(pick(estimate.fields, 'region')?.sampled).toBeUndefined();
    expect(estimate.fields.some((f) => f.kind === 'nested')).toBe(true);
    const sortByName = (fields: FieldEntry[]) => [...fields].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
    expect(stats.addonSampled).toBeUndefined();
    expect(sortByName(stats.fields)).toEqual(sortByName(exact.fields));
    expect(describeStats(estimate, 200)![0]).toMatch(/add-on fields \(~\) from a sample of \d+/);
  });

  it('counts a search that changes rows exactly at once: a sample of its input is not one of its output', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    await session.execute('* | dedup eventName');
    const updates: string[] = [];
    const stats = await fieldStats(engine, session.last!, { now: SAMPLE_NOW }, { onUpdate: (s) => updates.push(s.stage), sampleRows: 5 });
    expect(updates).toEqual(['counting the event fields', 'estimating the add-on fields']);
    expect(stats.addonSampled).toBeUndefined();
    expect(stats.fields.some((f) => f.sampled !== undefined && f.kind !== 'nested')).toBe(false);
  });
});
