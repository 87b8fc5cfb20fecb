// The field sidebar of the last search: issue 14's "Field sidebar".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { describeStats, type FieldEntry, type FieldStats, firstRowsSince, nestedPaths } from '../../src/repl/field-stats.js';
import type { HeldResult } from '../../src/repl/outcome.js';
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
    const passes: string[][] = [];
    const original = engine.summarizeFields.bind(engine);
    engine.summarizeFields = (...args: Parameters<Engine['summarizeFields']>) => (passes.push(args[2]), original(...args));
    try {
      const stats = await session.fieldStats('auto');
      // The event fields at once, then the add-on fields in one more pass, each add-on field once.
      expect(passes[0]).toContain('eventName');
      expect(passes).toHaveLength(2);
      const addon = passes[1]!;
      expect(new Set(addon).size).toBe(addon.length);
      expect(addon).toEqual(expect.arrayContaining(['action', 'tag', 'eventtype', 'object', 'user']));
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

  it('counts a batch of multivalue fields alone (it asked DuckDB for a grouping of no column)', async () => {
    const counted = await engine.summarizeFields('eventName=CreateRole OR eventName=CreateAccessKey', { now: SAMPLE_NOW }, ['tag', 'eventtype']);
    expect(counted.rows).toBe(8);
    expect(counted.fields.map((f) => f.field).sort()).toEqual(['eventtype', 'tag']);
    expect(pick(counted.fields, 'tag')!.present).toBe(8);
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
  // Splunk lists a search's events newest first and says when a summary is not exact (fieldsummary's
  // is_exact: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.1/search-commands/fieldsummary).
  // A capped result is first counted over the rows it holds, marked, then over every row.
  // Its first rows were narrowed by the picker's earliest, which a search's own earliest= sets aside
  // (search-range.ts): the first-rows pass of `* earliest=-30d` read every file and row of its 30 days.
  it('counts the first rows of a search with its own earliest= over their times only', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW, maxRows: 100 });
    await session.execute(':time -1h');
    await session.execute('* earliest=-30d');
    expect(session.last!.truncated).toBe(true);
    const since = Math.min(...session.last!.rows.map((r) => r._time as number));
    const read: { earliest?: number; latest?: number }[] = [];
    const summarize = engine.summarizeFields;
    engine.summarizeFields = (spl, opts, ...rest) => {
      if (opts.first !== undefined) read.push(engine.readRange(spl, opts));
      return summarize(spl, opts, ...rest);
    };
    const updates: FieldStats[] = [];
    try {
      await session.fieldStats('auto', (u) => updates.push(u));
    } finally {
      engine.summarizeFields = summarize;
    }
    expect(read[0]).toEqual({ earliest: since, latest: SAMPLE_NOW });
    const newest = (await engine.run('* | head 100 | stats count by eventName', { now: SAMPLE_NOW })).rows;
    expect(pick(updates[2]!.fields, 'eventName')).toMatchObject({ present: 100, distinct: newest.length, firstRows: 100 });
  });

  it('counts the first rows held first when the result is capped, marked ~, then every row exactly', async () => {
    const exactSession = new Session(engine, { now: SAMPLE_NOW });
    await exactSession.execute('*');
    const exact = await exactSession.fieldStats('auto');
    expect(exact.first).toBeNull();
    const session = new Session(engine, { now: SAMPLE_NOW, maxRows: 100 });
    await session.execute('*');
    expect(session.last!.truncated).toBe(true);
    const updates: FieldStats[] = [];
    const stats = await session.fieldStats('auto', (u) => updates.push(u));
    // The add-on fields in one pass over the first rows (a bare term's scan of `_raw` ran once per
    // batch when they came in batches), then every row.
    expect(updates.map((u) => u.stage)).toEqual([
      'counting the first 100 results', 'counting the first 100 results: the add-on fields', 'counting every result: the event fields', 'counting every result: the add-on fields',
    ]);
    // The event fields and the nested paths of the 100 newest events first, then their add-on fields.
    expect(pick(updates[1]!.fields, 'eventName')?.firstRows).toBe(100);
    expect(updates[1]!.fields.some((f) => f.kind === 'nested' && f.firstRows === 100)).toBe(true);
    expect(pick(updates[1]!.fields, 'action')).toBeUndefined();
    // After the first rows: every kind of field over the 100 newest events, each marked with it.
    const firstPass = updates[2]!;
    expect(firstPass.first).toBe(100);
    expect(firstPass.rows).toBeNull();
    const newest = (await engine.run('* | head 100 | stats count by eventName', { now: SAMPLE_NOW })).rows;
    const eventName = pick(firstPass.fields, 'eventName')!;
    expect(eventName).toMatchObject({ present: 100, distinct: newest.length, firstRows: 100 });
    expect(eventName.top[0]!.count).toBe(Math.max(...newest.map((r) => Number(r.count))));
    expect(pick(firstPass.fields, 'action')?.firstRows).toBe(100);
    expect(pick(firstPass.fields, 'src')?.firstRows).toBe(100);
    expect(firstPass.fields.some((f) => f.kind === 'nested' && f.firstRows === 100)).toBe(true);
    expect(describeStats(firstPass, 200)![0]).toBe('fields of *: more than 100 results; ~ over the first 100 results only (newest first), not all');
    // At the end: the event and add-on fields exact over all 515 rows; the nested paths still the first 100's.
    expect(stats.rows).toBe(515);
    expect(stats.first).toBe(100);
    const partial = new Set(stats.fields.filter((f) => f.firstRows).map((f) => f.field));
    const counted = (fields: FieldEntry[]) => fields.filter((f) => f.kind !== 'nested' && !partial.has(f.field)).sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
    expect(counted(stats.fields)).toEqual(counted(exact.fields));
    expect(counted(stats.fields).length).toBeGreaterThan(70);
    // A nested path and the add-on alias of one (temp_access_key) stay the first 100's.
    expect(stats.fields.filter((f) => f.kind === 'nested').every((f) => f.firstRows === 100)).toBe(true);
    expect(pick(stats.fields, 'temp_access_key')).toMatchObject({ kind: 'addon', firstRows: 100 });
    expect(pick(exact.fields, 'temp_access_key')).toMatchObject({ kind: 'addon', present: 108 });
    expect(describeStats(stats, 200)![0]).toBe('fields of *: 515 results; ~ over the first 100 results only (newest first), not all');
    expect(describeStats(stats, 200, 'eventName')![2]).toBe(`  ${exact.fields.find((f) => f.field === 'eventName')!.top[0]!.value} (${exact.fields.find((f) => f.field === 'eventName')!.top[0]!.count})`);
  });

  it('counts a bare term\'s event and add-on fields in one pass each time: its scan of _raw runs once per pass, and the figures are the same', async () => {
    // `AssumeRole` as a bare term is a scan of every event's text (105 events in the sample).
    const session = new Session(engine, { now: SAMPLE_NOW, maxRows: 20 });
    await session.execute('AssumeRole');
    expect(session.last!.truncated).toBe(true);
    const passes: string[][] = [];
    const original = engine.summarizeFields.bind(engine);
    engine.summarizeFields = (...args: Parameters<Engine['summarizeFields']>) => (passes.push(args[2]), original(...args));
    const updates: string[] = [];
    let stats: FieldStats;
    try {
      stats = await session.fieldStats('auto', (u) => updates.push(u.stage));
    } finally {
      engine.summarizeFields = original;
    }
    expect(updates).toEqual(['counting the first 20 results', 'counting every result']);
    expect(passes).toHaveLength(2);
    for (const names of passes) expect(names).toEqual(expect.arrayContaining(['eventName', 'action', 'user', 'tag']));
    // The same figures as the event and add-on fields counted in passes of their own.
    const apart = new Session(engine, { now: SAMPLE_NOW, maxRows: 20 });
    await apart.execute('AssumeRole');
    const scansRaw = engine.scansRaw;
    engine.scansRaw = async () => false;
    let separate: FieldStats;
    try {
      separate = await apart.fieldStats('auto');
    } finally {
      engine.scansRaw = scansRaw;
    }
    expect(stats.rows).toBe(105);
    expect(separate.rows).toBe(105);
    const sorted = (fields: FieldEntry[]) => [...fields].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
    expect(sorted(stats.fields)).toEqual(sorted(separate.fields));
    expect(pick(stats.fields, 'action')?.firstRows).toBeUndefined();
    expect(pick(stats.fields, 'eventName')).toMatchObject({ present: 105 });
  });

  it('is exact at once when the first rows were all of them', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW });
    const updates: string[] = [];
    const all = await session.fieldStats('data', (u) => updates.push(u.stage));
    expect(updates).toEqual(['counting the first 10,000 results', 'counting the first 10,000 results: the add-on fields']);
    expect(all.rows).toBe(515);
    expect(all.first).toBeNull();
    expect(all.fields.some((f) => f.firstRows !== undefined)).toBe(false);
  });
});

describe('the newest-first window of the first rows', () => {
  const held = (search: string, times: unknown[], truncated = true) => ({ search, truncated, rows: times.map((t) => ({ _time: t })) }) as unknown as HeldResult;
  it('is the last held row\'s time when the rows are the newest events and the commands keep rows as they are', () => {
    expect(firstRowsSince(held('eventName=AssumeRole | eval x=1 | rex field=userName "(?<u>.)" | fields x u', [30, 20, 20, 10]))).toBe(10);
    expect(firstRowsSince(held('* | accum x | delta x', [3, 2, 1]))).toBe(1);
  });
  it('is none when another order, another command, a subsearch or a macro could make the narrower range change the rows', () => {
    for (const search of ['* | sort _time', '* | dedup userName', '* | where x=1', '* | eventstats count', '* [search eventName=X | fields userName]', '`aws_cloudtrail` | eval x=1', '| makeresults']) {
      expect(firstRowsSince(held(search, [3, 2, 1])), search).toBeUndefined();
    }
    expect(firstRowsSince(held('*', [1, 2, 3]))).toBeUndefined();
    expect(firstRowsSince(held('*', [3, null, 1]))).toBeUndefined();
    expect(firstRowsSince(held('*', [3, 2, 1], false))).toBeUndefined();
  });
  it('counts a result over the range it ran with, not a :time set after it', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW, maxRows: 50 });
    await session.execute(':time 2026-11-27T00:00:00Z');
    await session.execute('eventName=AssumeRole');
    const ran = (await engine.run('eventName=AssumeRole | stats count', { now: SAMPLE_NOW, earliest: session.last!.range.earliest })).rows[0]!.count;
    await session.execute(':time 2026-11-20T00:00:00Z 2026-11-21T00:00:00Z');
    const stats = await session.fieldStats('auto');
    expect(stats.rows).toBe(Number(ran));
    expect(pick(stats.fields, 'eventName')).toMatchObject({ present: Number(ran), top: [{ value: 'AssumeRole', count: Number(ran) }] });
  });
});

