// What the scrollback and the screen show around a search: issue 14's items 5-8, 11, 15 and 16.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { CLEAR_SCREEN } from '../../src/repl/controller.js';
import { sampleEngine } from '../helpers.js';
import { KEY, startRepl, waitFor } from './harness.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

describe('the scrollback', () => {
  it('5. :clear writes the clear sequence to the terminal itself, not as a line of output', async () => {
    const { ui, run } = await startRepl(engine);
    const before = ui.frames.length;
    await run(':clear');
    const written = ui.frames.slice(before);
    expect(written.some((f) => f.startsWith(CLEAR_SCREEN))).toBe(true);
    ui.unmount();
  });

  it('7. echoes a long search whole, and 16. shows it once while it runs', async () => {
    const { ui, screen, type } = await startRepl(engine, { width: 80 });
    const search = '| makeresults count=20000000 | eval padding="' + 'x'.repeat(60) + '", y=md5(tostring(random())) | stats dc(y)';
    await type(search);
    await type(KEY.enter);
    const running = await waitFor(screen, (s) => s.includes('running…'), 'the running search');
    expect(running.split(search).length - 1).toBe(1);
    await type(KEY.ctrlC);
    await waitFor(screen, (s) => s.includes('search cancelled'), 'the cancel');
    ui.unmount();
  });

  it('6. :sql prints whole lines (the test terminal is 100 columns wide)', async () => {
    const { ui, screen, run } = await startRepl(engine, { width: 60 });
    await run('eventName=CreateRole | eval note="a long literal that pushes this line well past the hundred columns of the test terminal, so Ink would cut it" | table note', (s) => s.includes('4 results'));
    await run(':sql', (s) => s.includes('ORDER BY'));
    const sql = screen().split('> :sql')[1]!;
    expect(sql).toMatch(/SELECT .*'a long literal that pushes this line well past the hundred columns of the test terminal, so Ink would cut it'.* AS "note".* FROM s0/);
    ui.unmount();
  });

  it('8. PgDn from the table continues at the next unseen row; on a short result it stays put', async () => {
    const { ui, screen, run, type, controller } = await startRepl(engine, { height: 14 });
    await run('eventName=AssumeRole | table _time user', (s) => s.includes('101 results'));
    // 14 lines: the scrollback showed 6 rows (height - 8); the browser continues at row 7.
    await type(KEY.pgdn);
    await waitFor(screen, (s) => /rows \d+-\d+ of 101/.test(s), 'the browser');
    expect(controller.browse).toMatchObject({ from: 6, selected: 6 });
    await type(KEY.esc);
    await run('eventName=CreateRole | table _time user', (s) => s.includes('4 results'));
    await type(KEY.pgdn);
    await waitFor(screen, (s) => /rows 1-4 of 4/.test(s), 'the browser on a short result');
    expect(controller.browse).toMatchObject({ from: 0, selected: 0 });
    await type(KEY.pgdn);
    expect(controller.browse).toMatchObject({ from: 0, selected: 0 });
    ui.unmount();
  });

  it('11. expands ~ in :export', async () => {
    const home = mkdtempSync(join(tmpdir(), 'spelunk-home-'));
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const { ui, run } = await startRepl(engine);
      await run('eventName=CreateRole | stats count', (s) => s.includes('1 result'));
      await run(':export csv ~/case/out.csv'.replace('/case', ''), (s) => s.includes('wrote 1 rows'));
      expect(readFileSync(join(home, 'out.csv'), 'utf8')).toBe('count\n4\n');
      expect(existsSync('~')).toBe(false);
      ui.unmount();
    } finally {
      process.env.HOME = saved;
    }
  });

  it('15. names the loaded indexes when a search names one that holds nothing', async () => {
    const { ui, run } = await startRepl(engine);
    const s = await run('index=aws eventName=CreateRole', (x) => x.includes('no results'));
    expect(s).toContain('note: no loaded events are in index aws; the indexes loaded: main (515 events)');
    const none = await run('index=main eventName=NoSuchCall', (x) => x.split('index=main eventName=NoSuchCall')[1]?.includes('no results') ?? false);
    expect(none.split('index=main eventName=NoSuchCall')[1]).not.toContain('note: no loaded events');
    ui.unmount();
  });
});
