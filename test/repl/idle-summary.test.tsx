// The sidebar over every loaded event counted in the REPL's idle time (issue 14): served to a later
// `*` sidebar exact at once, with the counts of one counted without it; its add-on pass counted in
// parts, each remembered as it ends, so a stopped summary resumes (in this session or the next)
// rather than starting again; stopped by a typed search, which answers as it would alone, and
// resumed after; stopped by :load; never started without the REPL asking for it (`spelunk run`,
// a script).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { SIDEBAR_FILE } from '../../src/engine/engine-sidebar.js';
import { compose, partsOf, PART_FIELDS, type IdleSummary } from '../../src/repl/idle-summary.js';
import type { FieldStats } from '../../src/repl/field-stats.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_DIR, SAMPLE_NOW } from '../helpers.js';
import { KEY, startRepl, waitFor } from './harness.js';
import { figures, gateAhead, spyCounts } from './sidebar-spies.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-idle-summary-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open: Engine[] = [];
afterEach(() => {
  for (const e of open.splice(0)) e.close();
});

/** An engine over the sample in a cache folder of its own (the counts are remembered there). */
async function cachedEngine(name: string): Promise<{ e: Engine; cacheDir: string }> {
  const cacheDir = path.join(dir, name);
  const e = await Engine.open({ cacheDir });
  open.push(e);
  await e.load([SAMPLE_DIR]);
  return { e, cacheDir };
}

/** The `*` sidebar counted with nothing remembered and nothing counted in idle time. */
async function countedAlone(e: Engine, cacheDir: string, maxRows = 30): Promise<FieldStats> {
  rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
  const alone = new Session(e, { now: SAMPLE_NOW, maxRows });
  await alone.execute('*');
  return alone.fieldStats('auto');
}

/** A session over `e` whose idle summary has started, and the summary (see Session.load). */
async function idleSession(e: Engine): Promise<{ session: Session; idle: IdleSummary }> {
  const session = new Session(e, { now: SAMPLE_NOW, idleSummary: true });
  await session.load([]);
  return { session, idle: session.sidebars.idle! };
}

/** An idle session whose part after the first `through` is held (gateAhead): the summary under way. */
async function heldSummary(e: Engine, through: number) {
  const gate = gateAhead(e, through);
  const { session, idle } = await idleSession(e);
  await waitFor(() => String(gate.held()), (n) => n === '1', 'the held part');
  return { gate, session, idle };
}

describe('the idle summary', () => {
  it('counts the add-on pass in parts whose composition is the pass counted whole', async () => {
    const { e } = await cachedEngine('compose');
    const { idle } = await idleSession(e);
    await idle.done;
    expect(idle.failed).toBeUndefined();
    const [events, addon] = idle.passes;
    expect(partsOf(events!)).toHaveLength(1);
    expect(partsOf(addon!).length).toBe(Math.ceil(addon![0].length / PART_FIELDS));
    expect(idle.partsCounted).toEqual([events, ...partsOf(addon!)]);
    const whole = await e.summarizeFields('*', { now: SAMPLE_NOW, group: 'auto' }, addon![0], []);
    const parts = await Promise.all(partsOf(addon!).map(([f]) => e.summarizeFields('*', { now: SAMPLE_NOW }, f, [])));
    expect(compose(addon!, parts)).toEqual(whole);
    expect(idle.known(addon!)).toEqual(whole);
  });

  it('is served to a later `*` sidebar exact at once, in this session and the next, with the counts of one counted without it', async () => {
    const { e, cacheDir } = await cachedEngine('served');
    const { ui, screen, type, run, session } = await startRepl(e, { height: 30, session: { maxRows: 50, idleSummary: true } });
    await session.sidebars.idle!.done;
    await run('*', (s) => s.includes('capped at 50'));
    const spy = spyCounts(e);
    let shown: FieldStats;
    try {
      await type(':fields');
      await type(KEY.enter);
      const list = await waitFor(screen, (s) => / lines · /.test(s), 'the finished list');
      expect(list).toContain('fields of * · 515 results');
      shown = await session.fieldStats('auto');
      // Every field the passes count exact from the start (the nested paths are read from the rows held, as ever).
      const counted = new Set(session.sidebars.idle!.passes.flatMap(([f, i]) => [...f, ...i]));
      expect(shown.fields.filter((f) => counted.has(f.field) && f.firstRows !== undefined)).toEqual([]);
      expect(spy.passes).toEqual([]);
    } finally {
      spy.restore();
    }
    ui.unmount();
    // The next session, nothing counted in idle time: the remembered counts, at once.
    const next = new Session(e, { now: SAMPLE_NOW, maxRows: 50 });
    await next.execute('*');
    const spyNext = spyCounts(e);
    const later = await next.fieldStats('auto').finally(spyNext.restore);
    expect(spyNext.passes).toEqual([]);
    const alone = await countedAlone(e, cacheDir, 50);
    expect(figures(shown)).toEqual(figures(alone));
    expect(figures(later)).toEqual(figures(alone));
  });

  it('stops at a typed search, which answers as it would alone, and resumes after without counting a finished part again', async () => {
    const { e, cacheDir } = await cachedEngine('typed');
    // The event pass and the add-on pass's first part go through; the second part is held.
    const gate = gateAhead(e, 2);
    try {
      const { ui, run, session } = await startRepl(e, { height: 30, session: { maxRows: 50, idleSummary: true } });
      const idle = session.sidebars.idle!;
      await waitFor(() => String(gate.held()), (n) => n === '1', 'the held part');
      await run('eventName=CreateRole | stats count by userIdentity.arn', (s) => s.includes('rows in') || s.includes('results in'));
      expect(gate.stops()).toBeGreaterThan(0);
      const alone = await e.run('eventName=CreateRole | stats count by userIdentity.arn', { now: SAMPLE_NOW });
      expect(session.last!.rows).toEqual(alone.rows);
      expect(idle.stopped).toBe(false);
      gate.release();
      await idle.done;
      expect(idle.failed).toBeUndefined();
      const [events, addon] = idle.passes;
      // The held part counted again after the stop; the finished ones once.
      expect(idle.partsCounted).toEqual([events, ...partsOf(addon!)]);
      const second = partsOf(addon!)[1]![0];
      expect(gate.calls.filter((c) => JSON.stringify(c[2]) === JSON.stringify(second)).length).toBe(2);
      ui.unmount();
      const served = new Session(e, { now: SAMPLE_NOW, maxRows: 30 });
      await served.execute('*');
      const stats = await served.fieldStats('auto');
      expect(figures(stats)).toEqual(figures(await countedAlone(e, cacheDir)));
    } finally {
      gate.restore();
    }
  });

  it('starts no part while keys are typed at the prompt (its compile held a redraw 0.2-0.3 s), and goes on once the typing pauses', async () => {
    const { e } = await cachedEngine('keys');
    // Nothing starts until the gate opens, so the first part is the one the keys hold back.
    const gate = gateAhead(e, 0);
    const { ui, type, session } = await startRepl(e, { session: { idleSummary: true } });
    try {
      const idle = session.sidebars.idle!;
      await waitFor(() => String(gate.held()), (n) => n === '1', 'the first part');
      // Keys 200 ms apart for 2.4 s; the first part, let go after the first key, ends meanwhile.
      for (let i = 0; i < 12; i++) {
        await type(i % 2 ? KEY.backspace : 'a');
        if (i === 0) gate.release();
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(idle.partsCounted).toHaveLength(1);
      expect(gate.calls).toHaveLength(1);
      await idle.done;
      expect(idle.failed).toBeUndefined();
      expect(idle.finished).toBe(true);
    } finally {
      gate.restore();
      ui.unmount();
    }
  });

  it('stops at value completion (the analyst is typing), which answers as it would alone, and resumes after', async () => {
    const { e } = await cachedEngine('completion');
    const { gate, session, idle } = await heldSummary(e, 1);
    try {
      const values = await session.values('eventName', 'Cre');
      expect(gate.stops()).toBe(1);
      expect(values).toEqual(await new Session(e, { now: SAMPLE_NOW }).values('eventName', 'Cre'));
      gate.release();
      await idle.done;
      expect(idle.failed).toBeUndefined();
      expect(idle.known(idle.passes[1]!)).toBeDefined();
    } finally {
      gate.restore();
    }
  });

  it('is joined by a `*` sidebar asked while it counts, which counts nothing over every row itself', async () => {
    const { e, cacheDir } = await cachedEngine('joined');
    const gate = gateAhead(e, 1);
    try {
      const session = new Session(e, { now: SAMPLE_NOW, maxRows: 30, idleSummary: true });
      await session.load([]);
      await waitFor(() => String(gate.held()), (n) => n === '1', 'the held part');
      await session.execute('*');
      const spy = spyCounts(e);
      const stats = session.fieldStats('auto').finally(spy.restore);
      // Held: the sidebar waits for the idle summary's pass.
      await new Promise((r) => setTimeout(r, 300));
      gate.release();
      const shown = await stats;
      expect(spy.passes).toEqual(['first', 'first']);
      expect(figures(shown)).toEqual(figures(await countedAlone(e, cacheDir)));
    } finally {
      gate.restore();
    }
  });

  it('is served to a search command matching every loaded event (`index=main`), never to one matching fewer or changing a field', async () => {
    const { e, cacheDir } = await cachedEngine('every');
    const session = new Session(e, { now: SAMPLE_NOW, maxRows: 30, idleSummary: true });
    await session.load([]);
    await session.sidebars.idle!.done;
    const served = async (spl: string) => {
      await session.execute(spl);
      const spy = spyCounts(e);
      const stats = await session.fieldStats('auto').finally(spy.restore);
      return { stats, counted: spy.passes.includes('every') };
    };
    const all = await served('index=main');
    expect(all.counted).toBe(false);
    expect((await served('index=main earliest=0')).counted).toBe(false);
    expect((await served('index=other')).counted).toBe(true);
    const some = await served('eventName=AssumeRole');
    expect(some.counted).toBe(true);
    const changed = await served('* | eval eventName="x"');
    expect(changed.counted).toBe(true);
    expect(changed.stats.fields.find((f) => f.field === 'eventName')!.top).toEqual([{ value: 'x', count: 515 }]);
    rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
    const alone = new Session(e, { now: SAMPLE_NOW, maxRows: 30 });
    await alone.execute('index=main');
    expect(figures(all.stats)).toEqual(figures(await alone.fieldStats('auto')));
  });

  it('reads back the parts an earlier summary finished before it was stopped, counting only the rest', async () => {
    const { e } = await cachedEngine('resume');
    const { gate, session: first, idle } = await heldSummary(e, 3);
    try {
      // What a load does first, and leaving.
      await first.sidebars.stopAll();
      expect(idle.stopped).toBe(true);
      expect(idle.partsCounted).toHaveLength(3);
    } finally {
      gate.restore();
    }
    const next = new Session(e, { now: SAMPLE_NOW, idleSummary: true });
    next.sidebars.startIdle();
    const again = next.sidebars.idle!;
    await again.done;
    const [, addon] = again.passes;
    // The event pass and the first two add-on parts were remembered: only the rest is counted.
    expect(again.partsCounted).toEqual(partsOf(addon!).slice(2));
  });

  it('stops at :load of other files, and counts again over what is loaded then', async () => {
    const { e } = await cachedEngine('load');
    const { gate, session, idle } = await heldSummary(e, 1);
    try {
      await session.execute(':load fixtures/language');
      expect(idle.stopped).toBe(true);
      const next = session.sidebars.idle!;
      expect(next).not.toBe(idle);
      gate.release();
      await next.done;
      expect(next.failed).toBeUndefined();
      expect(next.known(next.passes[0]!)!.rows).toBe((await e.run('* | stats count')).rows[0]!.count);
    } finally {
      gate.restore();
    }
  });

  it('after a first load answered from memory, starts once the first search has had the cache written, and serves `*` from what it counted', async () => {
    const cacheDir = path.join(dir, 'first-load');
    const e = await Engine.open({ cacheDir });
    open.push(e);
    const session = new Session(e, { now: SAMPLE_NOW, maxRows: 30, idleSummary: true });
    await session.load([SAMPLE_DIR]);
    // The cache is owed until the first search has answered: nothing counted meanwhile.
    expect(e.cacheOwed()).toBeDefined();
    expect(session.sidebars.idle).toBeNull();
    await session.execute('eventName=AssumeRole');
    await waitFor(() => String(session.sidebars.idle !== null), (x) => x === 'true', 'the idle summary');
    const idle = session.sidebars.idle!;
    await idle.done;
    expect(idle.failed).toBeUndefined();
    expect(e.cacheOwed()).toBeUndefined();
    await session.execute('*');
    const spy = spyCounts(e);
    const stats = await session.fieldStats('auto').finally(spy.restore);
    expect(spy.passes).toEqual([]);
    const alone = new Session(e, { now: SAMPLE_NOW, maxRows: 30 });
    await alone.execute('*');
    expect(figures(stats)).toEqual(figures(await alone.fieldStats('auto')));
  });

  it('in a later session, with the passes remembered, keeps the delete event type\'s scan for the other sidebars, which count as they would alone', async () => {
    const { e, cacheDir } = await cachedEngine('scans');
    const { session: first } = await idleSession(e);
    await first.sidebars.idle!.done;
    // Counting the passes kept it.
    expect(first.sidebars.idle!.scansKept).toBe(0);
    const later = await Engine.open({ cacheDir });
    open.push(later);
    await later.load([SAMPLE_DIR]);
    const session = new Session(later, { now: SAMPLE_NOW, maxRows: 30, idleSummary: true });
    await session.load([]);
    const idle = session.sidebars.idle!;
    await idle.done;
    expect(idle.partsCounted).toEqual([]);
    expect(idle.scansKept).toBe(1);
    for (const spl of ['eventName=AssumeRole', 'AccessDenied', 'eventSource=iam.amazonaws.com']) {
      const [shown] = await session.execute(spl);
      session.countFieldsAhead(shown!.kind === 'result' ? shown.result : session.last!);
      const made = await session.fieldsAhead!.done;
      expect(made.stopped, spl).toBeUndefined();
      rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
      const alone = new Session(e, { now: SAMPLE_NOW, maxRows: 30 });
      await alone.execute(spl);
      expect(figures(made), spl).toEqual(figures(await alone.fieldStats('auto')));
    }
  });

  it('is not started unless asked for (spelunk run, a script), nor over a time range', async () => {
    const { e } = await cachedEngine('none');
    const plain = new Session(e, { now: SAMPLE_NOW });
    await plain.load([]);
    expect(plain.sidebars.idle).toBeNull();
    const ranged = new Session(e, { now: SAMPLE_NOW, earliest: '-30d', idleSummary: true });
    await ranged.load([]);
    expect(ranged.sidebars.idle).toBeNull();
  });
});
