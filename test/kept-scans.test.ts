// The field sidebar's scans of the event text kept per loaded data (issue 14): the delete event
// type's `_raw` scan, counted over every event by a sidebar of `*`, is read from the kept answer
// by the next sidebars, and never once the events may have changed (a load, a changed file
// loaded again, another time range). Every figure is checked against the per-row count.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupedFields } from '../src/compiler/grouped-fields.js';
import { compilePrepared, prepare } from '../src/compiler/index.js';
import { layoutFolder } from '../src/engine/cache-files.js';
import { Engine } from '../src/engine/engine.js';
import { multivalueSummarySql, readMultivalueSummary, type FieldSummary } from '../src/engine/field-summary.js';
import { s3Call, writeRecords } from './helpers.js';

const NOW = Date.parse('2026-11-28T00:00:00Z') / 1000;
const FIELDS = ['eventtype', 'tag'];
const DELETE = 'aws_cloudtrail_delete_events';


/** Events none of which the delete event type matches. */
const quiet = (day: number) => [s3Call('GetObject', day), s3Call('PutObject', day), s3Call('ListBuckets', day)];

/** The per-row count of the fields over the rows `spl` returns. */
async function perRow(engine: Engine, spl: string, opts: { earliest?: number } = {}): Promise<FieldSummary[]> {
  const { compiled } = await engine.prepareWithData(`${spl}\n| table ${FIELDS.join(' ')}`, { now: NOW, unordered: true, ...opts });
  return readMultivalueSummary(engine.connection, multivalueSummarySql(compiled.sql, FIELDS), FIELDS);
}

const sorted = (fields: FieldSummary[]) => [...fields].sort((a, b) => a.field.localeCompare(b.field));

/** The SQL `work` ran on the engine's connection. */
async function capture(engine: Engine, work: () => Promise<unknown>): Promise<string[]> {
  const ran: string[] = [];
  const conn = engine.connection;
  const run = conn.run.bind(conn);
  const read = conn.runAndReadAll.bind(conn);
  conn.run = ((sql: string, ...rest: unknown[]) => {
    ran.push(sql);
    return (run as (...a: unknown[]) => ReturnType<typeof run>)(sql, ...rest);
  }) as typeof conn.run;
  conn.runAndReadAll = ((sql: string, ...rest: unknown[]) => {
    ran.push(sql);
    return (read as (...a: unknown[]) => ReturnType<typeof read>)(sql, ...rest);
  }) as typeof conn.runAndReadAll;
  try {
    await work();
  } finally {
    conn.run = run;
    conn.runAndReadAll = read;
  }
  return ran;
}

/** The sidebar's figures (every computed field grouped, so the scan is an input) equal the per-row ones; the SQL it ran, returned. */
async function expectSame(engine: Engine, spl: string, opts: { earliest?: number } = {}): Promise<string[]> {
  let got: Awaited<ReturnType<Engine['summarizeFields']>> | undefined;
  const ran = await capture(engine, async () => {
    got = await engine.summarizeFields(spl, { now: NOW, group: 'all', ...opts }, FIELDS);
  });
  const want = await perRow(engine, spl, opts);
  expect(sorted(got!.fields.filter((f) => f.present > 0)), spl).toEqual(sorted(want.filter((f) => f.present > 0)));
  return ran;
}

/** The sidebar scanned `_raw` for the delete event type (keeping the answer, or counting), rather than read the kept answer. */
const scanned = (ran: string[]) => ran.some((sql) => /regexp_matches\("_raw", '\(\?i\)Delete'\)/.test(sql));
const deletes = async (engine: Engine, spl = '*') => (await engine.summarizeFields(spl, { now: NOW, group: 'all' }, FIELDS)).fields.find((f) => f.field === 'eventtype')?.top.find((t) => t.value === DELETE)?.count ?? 0;

describe('the delete event type scanned once per loaded data', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spelunk-kept-scans-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the answer of a sidebar of every event in later sidebars, with the same figures', async () => {
    const logs = path.join(dir, 'later');
    mkdirSync(logs);
    writeRecords(path.join(logs, 'a.json'), [...quiet(20), s3Call('DeleteBucket', 20), s3Call('PutBucketPolicy', 21, { requestParameters: { policy: 'RemoveMe' } })]);
    const engine = await Engine.open();
    try {
      await engine.load([logs]);
      expect(scanned(await expectSame(engine, '*'))).toBe(true);
      // The answer kept: the next sidebars, over every event or some of them, read it.
      expect(scanned(await expectSame(engine, '*'))).toBe(false);
      expect(scanned(await expectSame(engine, 'eventName=DeleteBucket OR eventName=GetObject'))).toBe(false);
      expect(scanned(await expectSame(engine, 'RemoveMe'))).toBe(false);
      expect(await deletes(engine)).toBe(2);
    } finally {
      engine.close();
    }
  });

  it('runs a search that scans `_raw` itself once, keeping the scan from its rows', async () => {
    const logs = path.join(dir, 'bare');
    mkdirSync(logs);
    writeRecords(path.join(logs, 'a.json'), [...quiet(20), s3Call('GetObject', 20, { requestParameters: { key: 'RemoveMe' } })]);
    const engine = await Engine.open();
    try {
      await engine.load([logs]);
      const ran = await expectSame(engine, 'RemoveMe');
      expect(scanned(ran)).toBe(true);
      expect(ran.filter((sql) => /removeme/i.test(sql))).toHaveLength(1);
      expect(scanned(await expectSame(engine, 'RemoveMe'))).toBe(false);
      expect(await deletes(engine, 'RemoveMe')).toBe(1);
      // The event fields too: their counts, the identifiers' and the multivalue fields' read one table.
      const events = await capture(engine, () => engine.summarizeFields('RemoveMe', { now: NOW, group: 'none' }, ['eventName', 'eventtype'], ['eventID']));
      expect(events.filter((sql) => /removeme/i.test(sql))).toHaveLength(1);
    } finally {
      engine.close();
    }
  });

  it('is served only to searches under the conditions it was counted under', async () => {
    const logs = path.join(dir, 'some');
    mkdirSync(logs);
    writeRecords(path.join(logs, 'a.json'), [...quiet(20), s3Call('DeleteBucket', 20)]);
    const engine = await Engine.open();
    try {
      await engine.load([logs]);
      expect(scanned(await expectSame(engine, 'eventName=GetObject'))).toBe(true);
      expect(scanned(await expectSame(engine, 'eventName=GetObject | head 1'))).toBe(false);
      expect(scanned(await expectSame(engine, 'eventName=DeleteBucket'))).toBe(true);
      expect(scanned(await expectSame(engine, '* | head 2'))).toBe(true);
      expect(scanned(await expectSame(engine, '*'))).toBe(true);
    } finally {
      engine.close();
    }
  });

  for (const cache of [false, true]) {
    it(`is never served once the events change: another load, a changed file loaded again (${cache ? 'cache' : 'memory'})`, async () => {
      const logs = path.join(dir, `change-${cache}`);
      mkdirSync(logs);
      const file = path.join(logs, 'a.json');
      writeRecords(file, quiet(20));
      const engine = await Engine.open(cache ? { cacheDir: path.join(dir, `cache-${cache}`) } : {});
      try {
        await engine.load([logs]);
        await expectSame(engine, '*');
        expect(await deletes(engine)).toBe(0);
        // Another file loaded: one delete event more.
        const more = path.join(dir, `more-${cache}`);
        mkdirSync(more);
        writeRecords(path.join(more, 'b.json'), [s3Call('DeleteBucket', 21)]);
        await engine.load([more]);
        expect(scanned(await expectSame(engine, '*'))).toBe(true);
        expect(await deletes(engine)).toBe(1);
        // The first file changed (its events' text now matches) and loaded again.
        writeRecords(file, [...quiet(20), s3Call('GetObject', 20, { requestParameters: { key: 'to-remove' } })]);
        await engine.load([logs]);
        expect(scanned(await expectSame(engine, '*'))).toBe(true);
        expect(await deletes(engine)).toBe(2);
      } finally {
        engine.close();
      }
    });
  }

  it('is never served after a search repaired the cache (which reads changed logs again)', async () => {
    const logs = path.join(dir, 'repair');
    mkdirSync(logs);
    const file = path.join(logs, 'a.json');
    writeRecords(file, quiet(20));
    const cacheDir = path.join(dir, 'cache-repair');
    const engine = await Engine.open({ cacheDir });
    try {
      await engine.load([logs]);
      expect(await deletes(engine)).toBe(0);
      // Another process collected the segments, and the log changed: the next search repairs the view from the logs.
      writeRecords(file, [...quiet(20), s3Call('RebootInstances', 20)]);
      const folder = layoutFolder(cacheDir);
      for (const f of readdirSync(folder).filter((f) => f.endsWith('.parquet'))) rmSync(path.join(folder, f));
      expect((await engine.run('* | stats count')).rows).toEqual([{ count: 4 }]);
      expect(scanned(await expectSame(engine, '*'))).toBe(true);
      expect(await deletes(engine)).toBe(1);
    } finally {
      engine.close();
    }
  });

  it('is not served to a wider time range than it was counted over', async () => {
    const logs = path.join(dir, 'range');
    mkdirSync(logs);
    writeRecords(path.join(logs, 'old.json'), [s3Call('DeleteBucket', 2)]);
    writeRecords(path.join(logs, 'new.json'), quiet(25));
    const engine = await Engine.open({ cacheDir: path.join(dir, 'cache-range') });
    try {
      await engine.load([logs]);
      const earliest = Date.parse('2026-11-20T00:00:00Z') / 1000;
      await expectSame(engine, '*', { earliest });
      expect(scanned(await expectSame(engine, '*'))).toBe(true);
      expect(await deletes(engine)).toBe(1);
    } finally {
      engine.close();
    }
  });
});

describe('what the rows read for a kept scan', () => {
  const split = (spl: string, answers?: Parameters<typeof groupedFields>[3]) => groupedFields(compilePrepared(prepare(`${spl} | table eventtype tag`), { now: NOW, unordered: true }), ['eventtype', 'tag'], new Map(), answers)!;

  it('offers the scan of every event, with the conditions it was counted under', () => {
    const all = split('*');
    expect(all.scans).toHaveLength(1);
    expect(all.scans[0]!.where).toEqual([]);
    expect(all.sql).toMatch(/"__seq"\nFROM/);
    // The events a search's conditions admit: the answer holds for the searches under them.
    expect(split('eventName=GetObject').scans[0]!.where).toHaveLength(1);
    // Some of the events admitted: their answer is not every event's.
    expect(split('* | head 5').scans).toEqual([]);
    expect(split('* | dedup eventName').scans).toEqual([]);
  });

  it('reads the kept events by __seq, or a null where none was kept', () => {
    const key = split('*').scans[0]!.key;
    const some = split('eventName=GetObject', (k, where) => (k === key && where.length === 1 ? { relation: '"__spelunk_scan_7"', values: [DELETE] } : undefined));
    expect(some.sql).not.toMatch(/regexp_matches\("_raw"/);
    expect(some.sql).toMatch(/SELECT \* FROM "__spelunk_scan_7"/);
    expect(some.sql).toMatch(/"__seq" IN \(SELECT "__scan_seq" FROM s\d+ WHERE "__scan_v" = 'aws_cloudtrail_delete_events'\)/);
    const none = split('*', () => ({ relation: '"__spelunk_scan_8"', values: [] }));
    expect(none.sql).not.toMatch(/regexp_matches\("_raw"|__spelunk_scan/);
    // A search whose rows are not the events as loaded reads no kept answer.
    const made = split('* | eval _raw=_raw . "Delete"', () => ({ relation: '"__spelunk_scan_9"', values: [] }));
    expect(made.sql).toMatch(/regexp_matches\("_raw"/);
  });
});
