// Damaged or planted evidence, generated in a temporary folder: each bad file is named in a
// warning with its reason, everything else loads, and the counts add up.
import { execFileSync } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import type { LoadReport } from '../../src/engine/types.js';
import { expectRows, putFile, SAMPLE_NOW, wholeBeforeCut } from '../helpers.js';

let dir: string;

function event(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, awsRegion: 'us-east-1', ...extra };
}
const line = (e: Record<string, unknown>): string => JSON.stringify(e) + '\n';
const records = (events: Record<string, unknown>[]): string => JSON.stringify({ Records: events });

const put = (rel: string, data: string | Buffer): string => putFile(dir, rel, data);

/** The load's warnings as "kind: reason" per file (several per file joined by " | "). */
function reasons(report: LoadReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of report.warnings) {
    const key = path.relative(dir, w.file);
    out[key] = out[key] ? `${out[key]} | ${w.kind}: ${w.reason}` : `${w.kind}: ${w.reason}`;
  }
  return out;
}

async function withEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open({ stateDir: path.join(dir, 'state') });
  try {
    return await fn(engine);
  } finally {
    engine.close();
  }
}

async function expectCountsAddUp(engine: Engine, report: LoadReport, files: number): Promise<void> {
  expect(report.filesRead + report.filesSkipped).toBe(files);
  await expectRows(engine, 'search * | stats count', [{ count: report.eventsLoaded }]);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spelunk-evidence-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a folder of damaged files', () => {
  it('names each bad file with its reason and loads the rest', async () => {
    const gzEvents = Array.from({ length: 2000 }, (_, i) => event(`gz-${i}`, { requestID: `${i}`.repeat(20) }));
    const whole = gzipSync(records(gzEvents));
    // The whole events before the cut load, and the file is named (it was skipped whole).
    const beforeCut = wholeBeforeCut(whole.subarray(0, whole.length >> 1), gzEvents);
    expect(beforeCut).toBeGreaterThan(500);
    put('mixed/empty.json', '');
    put('mixed/truncated.json.gz', whole.subarray(0, whole.length >> 1));
    put('mixed/junk.json', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    put('mixed/brace-junk.json', Buffer.concat([Buffer.from('{'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256))]));
    put('mixed/bad-utf8.jsonl', Buffer.concat([
      Buffer.from(line(event('u1'))),
      Buffer.from(line(event('u2', { userAgent: 'XX' }))).fill(0xff, 150, 152),
      Buffer.from(line(event('u3'))),
    ]));
    put('mixed/cut.jsonl', line(event('c1')) + line(event('c2')) + line(event('c3')).slice(0, 40));
    put('mixed/times.jsonl', [
      line({ ...event('t1'), eventTime: undefined }),
      line(event('t2', { eventTime: 'redacted' })),
      line(event('t3', { eventTime: '2026-13-45T99:00:00Z' })),
      line(event('t4', { eventTime: 12345 })),
      line(event('t5')),
    ].join(''));
    // Built as text: JSON.stringify itself overflows the stack at this depth.
    put('mixed/deep-object.json', `{"Records":[${JSON.stringify(event('d1')).slice(0, -1)},"requestParameters":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}]}`);
    put('mixed/deep-array.json', `{"Records":[${JSON.stringify(event('d2')).slice(0, -1)},"requestParameters":${'['.repeat(10_000)}${']'.repeat(10_000)}}]}`);
    put('mixed/dup-a.json', records([event('dup'), event('a-only')]));
    put('mixed/dup-b.json', records([event('dup')]));
    put('mixed/foreign.json', records([{ hello: 'world' }]));

    await withEngine(async (engine) => {
      const report = await engine.load([path.join(dir, 'mixed')]);
      expect(reasons(report)).toEqual({
        'mixed/empty.json': 'skipped: empty file',
        'mixed/truncated.json.gz': `partial: truncated gzip (the compressed data ends early): ${beforeCut} record(s) read from the part before the cut; an event the cut runs through is not read, nor anything after it`,
        'mixed/junk.json': 'skipped: not JSON, gzip or Parquet (binary data)',
        'mixed/brace-junk.json': expect.stringMatching(/^skipped: invalid JSON/) as unknown as string,
        'mixed/bad-utf8.jsonl': 'partial: skipped 1 line(s) of invalid JSON (the first at line 2: invalid UTF-8 encoding in string)',
        'mixed/cut.jsonl': 'partial: skipped 1 line(s) of invalid JSON (the first at line 3: unexpected end of data)',
        'mixed/times.jsonl': 'note: 1 event(s) without eventTime and 3 event(s) with an unreadable eventTime (e.g. "12345"): their _time is empty',
        'mixed/foreign.json': 'skipped: not CloudTrail: none of its 1 record(s) has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)',
      });
      expect(report).toMatchObject({ filesRead: 8, filesSkipped: 4, eventsLoaded: 2 + 2 + 5 + 1 + 1 + 2 + 1 + beforeCut, eventsSkipped: 1 + 1 + 1 });
      await expectCountsAddUp(engine, report, 12);
      // Duplicates across files are both kept, as Splunk would index both.
      await expectRows(engine, 'eventID=dup | stats count by source | eval source=replace(source, ".*/", "")', [
        { source: 'dup-a.json', count: 1 },
        { source: 'dup-b.json', count: 1 },
      ]);
      await expectRows(engine, 'eventID=t* | stats count(_time) as timed count', [{ timed: 1, count: 5 }], { now: SAMPLE_NOW });
      await expectRows(engine, 'eventID IN (d1, d2) | eval n=len(_raw) | sort eventID | table eventID n', [
        { eventID: 'd1', n: 10_000 * 6 + 1 + JSON.stringify(event('d1')).length + ',"requestParameters":'.length },
        { eventID: 'd2', n: 20_000 + JSON.stringify(event('d2')).length + ',"requestParameters":'.length },
      ]);
    });
  });
});

describe('loading again', () => {
  it('the same files loaded twice, before and after a search, count once; a changed file replaces its rows', async () => {
    const a = put('again/a.json', records([event('a1'), event('a2')]));
    put('again/b.json', records([event('b1')]));
    await withEngine(async (engine) => {
      await engine.load([path.join(dir, 'again')]);
      await engine.load([path.join(dir, 'again')]);
      await expectRows(engine, 'search * | stats count', [{ count: 3 }]);
      // After a search the engine is locked and loads go through a separate instance.
      writeFileSync(a, records([event('a1'), event('a2'), event('a3')]));
      const report = await engine.load([path.join(dir, 'again')]);
      expect(report).toMatchObject({ filesRead: 2, eventsLoaded: 4 });
      await expectRows(engine, 'search * | stats count by eventID', ['a1', 'a2', 'a3', 'b1'].map((eventID) => ({ eventID, count: 1 })));
    });
  });
});

describe('files that change or are not files', () => {
  it('a file that vanishes mid-load is named; a pipe is refused without blocking', async () => {
    const keep = put('moving/keep.json', records([event('k1')]));
    const gone = put('moving/gone.json', records([event('g1')]));
    const pipe = path.join(dir, 'moving', 'pipe.json');
    execFileSync('mkfifo', [pipe]);
    const replaced = put('moving/replaced.jsonl', line(event('r1')));
    await withEngine(async (engine) => {
      let first = true;
      const report = await engine.load([keep, gone, pipe, replaced], {
        onProgress: () => {
          // The first report comes after the files were found and sniffed, before any is read.
          if (!first) return;
          first = false;
          unlinkSync(gone);
          unlinkSync(replaced);
          mkdirSync(replaced);
        },
      });
      expect(reasons(report)).toEqual({
        'moving/gone.json': 'skipped: file vanished during the load',
        'moving/pipe.json': 'skipped: not a regular file (a pipe, socket or device)',
        'moving/replaced.jsonl': expect.stringMatching(/^skipped: /) as unknown as string,
      });
      expect(report).toMatchObject({ filesRead: 1, filesSkipped: 3, eventsLoaded: 1 });
      await expectCountsAddUp(engine, report, 4);
    });
  });

  it.skipIf(process.getuid?.() === 0)('a file that becomes unreadable mid-load is named', async () => {
    const locked = put('perm/locked.json', records([event('l1')]));
    const open = put('perm/open.json', records([event('o1')]));
    await withEngine(async (engine) => {
      const report = await engine.load([locked, open], { onProgress: () => chmodSync(locked, 0) });
      expect(reasons(report)).toEqual({ 'perm/locked.json': 'skipped: permission denied' });
      expect(report).toMatchObject({ filesRead: 1, filesSkipped: 1, eventsLoaded: 1 });
    });
  });

  it('a folder holding a pipe walks past it', async () => {
    put('withpipe/a.json', records([event('p1')]));
    execFileSync('mkfifo', [path.join(dir, 'withpipe', 'b.json')]);
    await withEngine(async (engine) => {
      const report = await engine.load([path.join(dir, 'withpipe')]);
      expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 1 });
    });
  });
});

describe('size', () => {
  it('one 100 MB line loads with the lines around it', async () => {
    const file = path.join(dir, 'big', 'huge.jsonl');
    mkdirSync(path.dirname(file), { recursive: true });
    const out = createWriteStream(file);
    out.write(line(event('h1')));
    const head = JSON.stringify(event('h2')).slice(0, -1) + ',"userAgent":"';
    out.write(head);
    const block = 'u'.repeat(1 << 20);
    for (let i = 0; i < 100; i++) out.write(block);
    out.write('"}\n');
    out.write(line(event('h3')));
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await withEngine(async (engine) => {
      const report = await engine.load([file]);
      expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 3 });
      // More at once than DuckDB's default limit: read again with the limit raised, and said.
      expect(report.warnings.map((w) => w.reason)).toEqual(report.warnings.length ? [expect.stringMatching(/^read with DuckDB's memory limit raised from /)] : []);
      await expectRows(engine, 'search * | eval n=len(userAgent) | sort eventID | table eventID n', [
        { eventID: 'h1', n: null },
        { eventID: 'h2', n: 100 * (1 << 20) },
        { eventID: 'h3', n: null },
      ]);
    });
  }, 120_000);

  it('a folder with 10,000 tiny files loads them all', async () => {
    const folder = path.join(dir, 'many');
    mkdirSync(folder);
    for (let i = 0; i < 10_000; i++) writeFileSync(path.join(folder, `f${String(i).padStart(5, '0')}.json`), records([event(`m${i}`)]));
    await withEngine(async (engine) => {
      const report = await engine.load([folder]);
      expect(report).toMatchObject({ filesRead: 10_000, filesSkipped: 0, eventsLoaded: 10_000, warnings: [] });
      await expectCountsAddUp(engine, report, 10_000);
      await expectRows(engine, 'search * | stats dc(eventID) as ids', [{ ids: 10_000 }]);
    });
  }, 120_000);
});
