// How a load's warnings read on the command line and in the REPL (describeLoad): a note many files
// share is said once, while every file skipped or partly read keeps its own line.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeLoad } from '../src/cli/format.js';
import { Engine } from '../src/engine/engine.js';
import { emptyLoadReport, type LoadWarning } from '../src/engine/types.js';

const empty = (file: string): LoadWarning => ({ file, reason: 'contains no events', kind: 'note' });
const lost = (file: string): LoadWarning => ({ file, reason: 'not JSON: unexpected end of input', kind: 'skipped' });

describe('the lines of a load report', () => {
  it('says a note shared by many files once, with a few of their names and how many more', () => {
    const files = Array.from({ length: 60 }, (_, i) => `/logs/f${i}.json`);
    const lines = describeLoad(emptyLoadReport(files.map(empty)));
    expect(lines.slice(1)).toEqual(['note: 60 files (/logs/f0.json, /logs/f1.json, /logs/f2.json and 57 more): contains no events']);
  });

  it('names each file when only a few share a note', () => {
    const lines = describeLoad(emptyLoadReport(['/a.json', '/b.json', '/c.json', '/d.json'].map(empty)));
    expect(lines.slice(1)).toEqual(['/a.json', '/b.json', '/c.json', '/d.json'].map((f) => `note: ${f}: contains no events`));
  });

  it('keeps a line for every file skipped, however many share the reason, in the order they came', () => {
    const warnings = [lost('/x1.json'), empty('/e1.json'), lost('/x2.json'), ...['/e2', '/e3', '/e4', '/e5'].map((f) => empty(`${f}.json`)), lost('/x3.json'), lost('/x4.json'), lost('/x5.json')];
    const lines = describeLoad(emptyLoadReport(warnings)).slice(1);
    expect(lines).toEqual([
      'warning: /x1.json: not JSON: unexpected end of input',
      'note: 5 files (/e1.json, /e2.json, /e3.json and 2 more): contains no events',
      'warning: /x2.json: not JSON: unexpected end of input',
      'warning: /x3.json: not JSON: unexpected end of input',
      'warning: /x4.json: not JSON: unexpected end of input',
      'warning: /x5.json: not JSON: unexpected end of input',
    ]);
  });

  describe('over real files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-load-notes-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('groups a tree\'s empty delivery files and still names its truncated one', async () => {
      mkdirSync(join(dir, 'logs'));
      for (let i = 0; i < 8; i++) writeFileSync(join(dir, 'logs', `empty${i}.json`), '{"Records":[]}');
      writeFileSync(join(dir, 'logs', 'one.json'), JSON.stringify({ Records: [{ eventName: 'AssumeRole', eventSource: 'sts.amazonaws.com', eventTime: '2026-01-01T00:00:00Z' }] }));
      writeFileSync(join(dir, 'logs', 'cut.json'), '{"Records":[{"eventName":"CreateRole","eventSo');
      const engine = await Engine.open({ cacheDir: join(dir, 'cache') });
      try {
        const lines = describeLoad(await engine.load([join(dir, 'logs')]));
        expect(lines[0]).toMatch(/^loaded 1 events from 9 files .*\(skipped 1 file/);
        expect(lines.filter((l) => l.includes('contains no events'))).toEqual([
          `note: 8 files (${[0, 1, 2].map((i) => join(dir, 'logs', `empty${i}.json`)).join(', ')} and 5 more): contains no events`,
        ]);
        expect(lines.some((l) => l.startsWith(`warning: ${join(dir, 'logs', 'cut.json')}: `))).toBe(true);
      } finally {
        await engine.close();
      }
    });
  });
});
