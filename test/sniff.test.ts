// Sniffing inflates only the start of a gzipped file (load-files.ts): files whose first event is
// longer than that start, and small files damaged past it, must still be read or named as before.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffFile } from '../src/engine/load-files.js';
import { Engine } from '../src/engine/engine.js';
import { wholeBeforeCut } from './helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-sniff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text that gzip cannot shrink much, so a line of it spans many compressed kilobytes. */
function noise(n: number, seed: number): string {
  let x = seed;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += 'abcdefghijklmnopqrstuvwxyz0123456789'[x % 36];
  }
  return out;
}

function event(id: string, extra = ''): string {
  return JSON.stringify({ eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'GetUser', eventID: id, requestParameters: { note: extra } });
}

describe('sniffing gzipped files', () => {
  it('reads JSON lines whose first line is longer than the inflated start', async () => {
    const file = path.join(dir, 'long-first-line.jsonl.gz');
    writeFileSync(file, gzipSync([event('a', noise(60_000, 1)), event('b'), event('c')].join('\n') + '\n'));
    const sniffed = await sniffFile(file);
    expect(sniffed.ok && sniffed.file.format).toBe('lines');
    const engine = await Engine.open();
    try {
      const report = await engine.load([file]);
      expect(report.eventsLoaded).toBe(3);
      expect((await engine.run('search * | table eventID')).rows).toEqual([{ eventID: 'a' }, { eventID: 'b' }, { eventID: 'c' }]);
    } finally {
      engine.close();
    }
  });

  it('gives the decompressed size of a small file from its trailer', async () => {
    const text = JSON.stringify({ Records: [JSON.parse(event('r'))] });
    const file = path.join(dir, 'small.json.gz');
    writeFileSync(file, gzipSync(text));
    const sniffed = await sniffFile(file);
    expect(sniffed.ok && sniffed.file).toMatchObject({ format: 'records', gzip: true });
    expect(sniffed.ok && sniffed.file.contentBytes).toBe(Buffer.byteLength(text));
  });

  it('names a small gzipped file cut short past its start, and loads its neighbours', async () => {
    const events = Array.from({ length: 200 }, (_, i) => JSON.parse(event(`t${i}`, noise(200, i))) as unknown);
    const whole = gzipSync(JSON.stringify({ Records: events }));
    expect(whole.length).toBeLessThan(64 * 1024);
    expect(whole.length).toBeGreaterThan(8 * 1024);
    const sub = path.join(dir, 'cut');
    mkdirSync(sub);
    writeFileSync(path.join(sub, 'cut.json.gz'), whole.subarray(0, whole.length - 2000));
    writeFileSync(path.join(sub, 'good.json.gz'), gzipSync(JSON.stringify({ Records: [JSON.parse(event('ok'))] })));
    const engine = await Engine.open();
    try {
      const report = await engine.load([sub]);
      // The whole events before the cut load with it (it was skipped whole).
      const beforeCut = wholeBeforeCut(whole.subarray(0, whole.length - 2000), events);
      expect(beforeCut).toBeGreaterThan(100);
      expect(report.eventsLoaded).toBe(1 + beforeCut);
      expect(report.warnings).toEqual([{ file: path.join(sub, 'cut.json.gz'), kind: 'partial', reason: `truncated gzip (the compressed data ends early): ${beforeCut} record(s) read from the part before the cut; an event the cut runs through is not read, nor anything after it` }]);
    } finally {
      engine.close();
    }
  });
});
