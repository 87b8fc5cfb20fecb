// The field sidebar's counts made ahead (issue 14: a first sidebar over 1M events ready under 2 s
// after the analyst asks): started once an event search's rows are shown, on a DuckDB connection
// of their own; joined by `:fields`; stopped by a new search and by Ctrl-C; the same counts as a
// sidebar counted without them, over the cache's view (made again on that connection), over the
// events in memory, and with the extra copies of an eventID dropped.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { SIDEBAR_FILE } from '../../src/engine/engine-sidebar.js';
import { isCancelled } from '../../src/engine/engine-error.js';
import { NOT_AHEAD } from '../../src/engine/sidebar-job.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_DIR, SAMPLE_NOW, sampleEngine } from '../helpers.js';
import { KEY, startRepl, waitFor } from './harness.js';
import { figures, gateAhead, spyCounts } from './sidebar-spies.js';

let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-fields-ahead-'));
  engine = await sampleEngine();
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const open: Engine[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

describe('the counts made ahead', () => {
  // One test a case: the three took 53 s together in a full run, near the 60 s limit.
  it.each([
    ['cache', 'cache', false, {}],
    ['memory', undefined, false, {}],
    ['copies dropped', 'cache-dedup', true, { dedupEvents: true }],
  ] as [string, string | undefined, boolean, { dedupEvents?: boolean }][])('equal a sidebar counted without them: %s', async (what, cacheName, copies, opts) => {
    const cacheDir = cacheName === undefined ? undefined : path.join(dir, cacheName);
    let logs = SAMPLE_DIR;
    if (copies) {
      logs = path.join(dir, 'twice');
      cpSync(SAMPLE_DIR, path.join(logs, 'a'), { recursive: true });
      cpSync(SAMPLE_DIR, path.join(logs, 'b'), { recursive: true });
    }
    const e = await Engine.open({ cacheDir, ...opts });
    open.push(e);
    await e.load([logs]);
    // Every kind of pass over the cache's view (event and add-on fields apart, a bare term's both at once, a field made); two elsewhere.
    const searches = what === 'cache' ? ['*', 'eventName=AssumeRole', 'AccessDenied', '* | eval who=lower(userIdentity.type)'] : ['*', 'AccessDenied'];
    for (const spl of searches) {
      const ahead = new Session(e, { now: SAMPLE_NOW, maxRows: 30 });
      const [shown] = await ahead.execute(spl);
      ahead.countFieldsAhead(shown!.kind === 'result' ? shown.result : ahead.last!);
      const made = await ahead.fieldsAhead!.done;
      expect(made.stopped, `${what}: ${spl}`).toBeUndefined();
      const spy = spyCounts(e);
      const joined = await ahead.fieldStats('auto').finally(spy.restore);
      // Exact at once: nothing counted again, over the first rows or every row.
      expect(spy.passes, `${what}: ${spl}`).toEqual([]);
      if (cacheDir) rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
      const alone = new Session(e, { now: SAMPLE_NOW, maxRows: 30 });
      await alone.execute(spl);
      const counted = await alone.fieldStats('auto');
      expect(figures(joined), `${what}: ${spl}`).toEqual(figures(counted));
    }
    if (what === 'copies dropped') expect((await e.run('* | stats count')).rows).toEqual([{ count: 515 }]);
  });

  it('are not made for a search whose counts depend on more than the loaded events, which :fields then counts as before', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW, maxRows: 30 });
    await session.execute('* | eval r=random()');
    session.countFieldsAhead(session.last!);
    expect((await session.fieldsAhead!.done).stopped).toBe(NOT_AHEAD);
    const spy = spyCounts(engine);
    const stats = await session.fieldStats('auto').finally(spy.restore);
    expect(spy.passes).toEqual(['first', 'first', 'every', 'every']);
    expect(stats.rows).toBe(515);
  });

  it('never start counting once stopped, even when stopped before their first pass was asked', async () => {
    const gate = gateAhead(engine);
    try {
      const session = new Session(engine, { now: SAMPLE_NOW, maxRows: 30 });
      await session.execute('*');
      session.countFieldsAhead(session.last!);
      const job = session.fieldsAhead!;
      session.stopAhead();
      expect((await job.done).stopped).toBe('search cancelled');
      expect(gate.calls).toEqual([]);
    } finally {
      gate.restore();
    }
  });

  it('stop at once when asked, and the next counting ahead runs', async () => {
    const counting = engine.summarizeAhead('*', { now: SAMPLE_NOW }, ['eventName', 'action', 'tag']);
    engine.stopAhead();
    await expect(counting).rejects.toSatisfy(isCancelled);
    const again = await engine.summarizeAhead('*', { now: SAMPLE_NOW }, ['eventName']);
    expect(again.rows).toBe(515);
  });
});

describe('in the REPL', () => {
  it('starts once an event search\'s rows are shown, and :fields shows its counts, exact at once', async () => {
    const { ui, screen, type, run, session } = await startRepl(engine, { height: 30, session: { maxRows: 50 } });
    await run('*', (s) => s.includes('capped at 50'));
    const job = session.fieldsAhead!;
    expect(job.result).toBe(session.last);
    await job.done;
    const spy = spyCounts(engine);
    try {
      await type(':fields');
      await type(KEY.enter);
      const list = await waitFor(screen, (s) => / lines · /.test(s), 'the finished list');
      expect(list).toContain('fields of * · 515 results');
      expect(list).toMatch(/\neventName +100% +\d+\n/);
      expect(spy.passes).toEqual([]);
    } finally {
      spy.restore();
    }
    ui.unmount();
  });

  it('is joined by :fields while under way: its counts so far, then each pass as it ends, never counted again', async () => {
    const gate = gateAhead(engine);
    const spy = spyCounts(engine);
    try {
      const { ui, screen, type, run, session, controller } = await startRepl(engine, { height: 30, session: { maxRows: 50 } });
      await run('*', (s) => s.includes('capped at 50'));
      await type(':fields');
      await type(KEY.enter);
      await waitFor(screen, () => controller.sidebar?.stats.ahead === true, 'the join');
      expect(controller.sidebar!.computing).toBe(true);
      gate.release();
      // The first rows' counts, marked, as :fields alone would show them, then every row's.
      await waitFor(screen, () => controller.sidebar!.stats.fields.find((f) => f.field === 'eventName')?.firstRows === 50, 'the first rows');
      const list = await waitFor(screen, (s) => / lines · /.test(s), 'the finished list');
      expect(list).toContain('fields of * · 515 results');
      expect(gate.calls.length).toBe(4);
      expect(spy.passes).toEqual([]);
      const exact = new Session(engine, { now: SAMPLE_NOW });
      await exact.execute('*');
      const all = await exact.fieldStats('auto');
      for (const field of ['eventName', 'action', 'errorCode', 'src', 'tag']) {
        expect(controller.sidebar!.stats.fields.find((f) => f.field === field), field).toEqual(all.fields.find((f) => f.field === field));
      }
      expect(session.fieldsAhead?.finished).toBe(true);
      expect(controller.sidebar!.stats.ahead).toBeUndefined();
      ui.unmount();
    } finally {
      spy.restore();
      gate.restore();
    }
  });

  it('stops at a new search, which answers as it would alone, without waiting for it', async () => {
    const gate = gateAhead(engine);
    try {
      const { ui, run, session } = await startRepl(engine, { height: 30, session: { maxRows: 50 } });
      await run('*', (s) => s.includes('capped at 50'));
      const job = session.fieldsAhead!;
      await waitFor(() => String(gate.calls.length), (n) => n !== '0', 'the counting ahead');
      // The counting ahead never ends on its own here: the search answers all the same.
      await run('eventName=CreateRole | stats count by userIdentity.arn', (s) => s.includes('rows in') || s.includes('results in'));
      expect(job.stopped).toBe(true);
      expect(gate.stops()).toBeGreaterThan(0);
      const alone = await engine.run('eventName=CreateRole | stats count by userIdentity.arn', { now: SAMPLE_NOW });
      expect(session.last!.rows).toEqual(alone.rows);
      // A table is not counted ahead.
      expect(session.fieldsAhead).toBeNull();
      ui.unmount();
    } finally {
      gate.restore();
    }
  });

  it('stops at :time, at :load, and at Ctrl-C at the prompt; not at :sql or :event, which read the result', async () => {
    const e = await sampleEngine();
    open.push(e);
    const gate = gateAhead(e);
    const { ui, type, run, session } = await startRepl(e, { height: 30, session: { maxRows: 50 } });
    const started = async () => {
      await run('*', (s) => s.includes('capped at 50'));
      await waitFor(() => String(gate.calls.length), (n) => n !== '0', 'the counting ahead');
      gate.calls.length = 0;
      return session.fieldsAhead!;
    };
    let job = await started();
    await run(':sql');
    await run(':event 1', () => true);
    await type(KEY.esc);
    expect(job.stopped).toBe(false);
    await run(':time -30d');
    expect(job.stopped).toBe(true);
    job = await started();
    await type(KEY.ctrlC);
    expect(job.stopped).toBe(true);
    job = await started();
    await run(`:load ${SAMPLE_DIR}`, (s) => s.includes('loaded'));
    expect(job.stopped).toBe(true);
    ui.unmount();
  });

  it('stops, with :fields joined to it, at Ctrl-C; :fields then counts as before', async () => {
    const gate = gateAhead(engine);
    try {
      const { ui, screen, type, run, controller } = await startRepl(engine, { height: 30, session: { maxRows: 50 } });
      await run('*', (s) => s.includes('capped at 50'));
      await type(':fields');
      await type(KEY.enter);
      await waitFor(screen, () => controller.sidebar?.stats.ahead === true, 'the join');
      await type(KEY.ctrlC);
      await waitFor(screen, (x) => x.includes('stopped: search cancelled'), 'the stop');
      expect(gate.stops()).toBeGreaterThan(0);
      await type(KEY.esc);
      const spy = spyCounts(engine);
      try {
        await type(':fields');
        await type(KEY.enter);
        const list = await waitFor(screen, (s) => / lines · /.test(s), 'the list counted again');
        expect(list).toContain('fields of * · 515 results');
        expect(spy.passes).toEqual(['first', 'first', 'every', 'every']);
      } finally {
        spy.restore();
      }
      ui.unmount();
    } finally {
      gate.restore();
    }
  });
});
