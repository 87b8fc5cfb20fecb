// A gzipped JSON lines file cut short inside a line that holds a whole `{"Records":[...]}` wrapper
// (a tool that appends each delivery file as one line). The cut line was one bad line of invalid
// JSON, and every event of it was lost with it, the whole ones before the cut included: a file of
// one such line lost all its events. They are read now, as they are from a cut `.json.gz` that is
// one wrapper, and the warning names the line, how many of its events were read and that the rest
// was cut.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { rows, s3Call, wholeBeforeCut } from '../helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-cut-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a gzipped JSON lines file cut inside a wrapper line', () => {
  const first = s3Call('ListBuckets', 3);
  // Enough events that the cut lands far past the part the sniffer inflates.
  const wrapped = Array.from({ length: 3000 }, (_, i) => s3Call('GetObject', 4 + (i % 20), { requestParameters: { bucketName: `b${i}`, key: 'x'.repeat(i % 97) } }));
  const whole = gzipSync(`${JSON.stringify(first)}\n${JSON.stringify({ Records: wrapped })}\n${JSON.stringify(s3Call('PutObject', 25))}\n`);
  const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
  const file = path.join(dir, 'appended.jsonl.gz');
  writeFileSync(file, cut);
  const rescued = wholeBeforeCut(cut, wrapped);

  for (const mode of ['cache', 'memory'] as const) {
    it(`reads the whole events of the cut line and says so (${mode})`, async () => {
      expect(rescued).toBeGreaterThan(1000);
      const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, `cache-${mode}`) : undefined });
      try {
        const report = await engine.load([file]);
        expect(report.warnings).toEqual([
          {
            file,
            kind: 'partial',
            reason: `truncated gzip (the compressed data ends early): ${1 + rescued} record(s) read from the part before the cut; line 2, a {"Records":[...]} wrapper the cut runs through, gave its ${rescued} whole event(s) before the cut, the rest of it was cut; nothing after it is read`,
          },
        ]);
        expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 1 + rescued, eventsSkipped: 0 });
        expect(await rows(engine, '* | stats count by eventName | sort eventName')).toEqual([
          { eventName: 'GetObject', count: rescued },
          { eventName: 'ListBuckets', count: 1 },
        ]);
        // The last event read is the last whole one before the cut.
        const [last] = await rows(engine, `eventName=GetObject | stats max(eval(tonumber(substr('requestParameters.bucketName', 2)))) as last`);
        expect(last).toEqual({ last: rescued - 1 });
      } finally {
        engine.close();
      }
    });
  }
});

// The same line in a plain (not gzipped) file: a copy taken while a tool appended its last wrapper.
// DuckDB's reader counted the line as one bad line ("skipped 1 line(s) of invalid JSON (the first at
// line 2: unexpected end of data)") and every event of it was lost; Node's reader (small files after
// DuckDB refused them, large ones always) reads its whole events.
describe('a plain JSON lines file cut inside a wrapper line', () => {
  const wrapped = Array.from({ length: 3000 }, (_, i) => s3Call('GetObject', 4 + (i % 20), { requestParameters: { bucketName: `b${i}`, key: 'x'.repeat(i % 97) } }));
  const text = `${JSON.stringify(s3Call('ListBuckets', 3))}\n${JSON.stringify({ Records: wrapped })}\n`;
  const cut = text.slice(0, Math.floor(text.length * 0.6));
  const file = path.join(dir, 'appended.jsonl');
  writeFileSync(file, cut);
  const rescued = wrapped.filter((e) => cut.includes(JSON.stringify(e))).length;

  for (const [mode, streamBytes] of [['cache', undefined], ['memory', undefined], ['memory, read in parts', 1000]] as const) {
    it(`reads the whole events of the cut line and says so (${mode})`, async () => {
      expect(rescued).toBeGreaterThan(1000);
      const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, 'cache-plain') : undefined });
      try {
        const report = await engine.load([file], { streamBytes });
        expect(report.warnings).toEqual([
          {
            file,
            kind: 'partial',
            reason: `the file ends inside line 2, a {"Records":[...]} wrapper cut short: its ${rescued} whole event(s) before the cut were read, the rest of it was cut`,
          },
        ]);
        expect(report).toMatchObject({ filesRead: 1, eventsLoaded: 1 + rescued, eventsSkipped: 0 });
        expect(await rows(engine, '* | stats count by eventName | sort eventName')).toEqual([
          { eventName: 'GetObject', count: rescued },
          { eventName: 'ListBuckets', count: 1 },
        ]);
      } finally {
        engine.close();
      }
    });
  }

  it('a last line that is a whole wrapper without its newline is read as any line', async () => {
    const whole = path.join(dir, 'no-newline.jsonl');
    writeFileSync(whole, `${JSON.stringify(s3Call('ListBuckets', 3))}\n${JSON.stringify({ Records: wrapped.slice(0, 5) })}`);
    const engine = await Engine.open({ stateDir: path.join(dir, 'state') });
    try {
      const report = await engine.load([whole]);
      expect(report.warnings).toEqual([]);
      expect(report).toMatchObject({ eventsLoaded: 6 });
    } finally {
      engine.close();
    }
  });
});

// A cut gzip whose last line is an event, not a wrapper: the event the cut runs through was said
// twice, as the cut and as "1 line(s) of invalid JSON", as if the file held a bad line besides.
describe('a gzipped JSON lines file cut inside its last event', () => {
  const events = Array.from({ length: 4000 }, (_, i) => s3Call('GetObject', 4 + (i % 20), { requestParameters: { bucketName: `b${i}`, key: 'x'.repeat(i % 97) } }));
  const whole = gzipSync(events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
  const file = path.join(dir, 'events.jsonl.gz');
  writeFileSync(file, cut);
  const read = wholeBeforeCut(cut, events);

  for (const mode of ['cache', 'memory'] as const) {
    it(`says the cut once, naming the file (${mode})`, async () => {
      const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, 'cache-events') : undefined });
      try {
        const report = await engine.load([file]);
        expect(report.warnings).toEqual([
          { file, kind: 'partial', reason: `truncated gzip (the compressed data ends early): ${read} record(s) read from the part before the cut; an event the cut runs through is not read, nor anything after it` },
        ]);
        expect(report).toMatchObject({ filesRead: 1, eventsLoaded: read, eventsSkipped: 0 });
        expect(await rows(engine, '* | stats count')).toEqual([{ count: read }]);
      } finally {
        engine.close();
      }
    });
  }
});

// A plain `.json` delivery file (one wrapper) or a JSON array cut short: a copy or download that
// stopped. Every event was lost ("invalid JSON at line 1: unexpected end of data") where the same
// file gzipped and cut kept its whole events; now the plain one keeps them as well, and says so.
describe('a plain .json file cut short', () => {
  const events = (n: number) => Array.from({ length: n }, (_, i) => s3Call('GetObject', 4 + (i % 20), { requestParameters: { bucketName: `b${i}`, key: 'x'.repeat(i % 97) } }));
  const cases = [
    // One event a line, as `jq` or an S3 console download pretty enough to read shows it.
    { name: 'wrapper.json', events: events(40), text: (e: unknown[]) => `{"Records":[\n${e.map((x) => JSON.stringify(x)).join(',\n')}\n]}\n` },
    { name: 'big-wrapper.json', events: events(3000), text: (e: unknown[]) => JSON.stringify({ Records: e }) },
    { name: 'array.json', events: events(40), text: (e: unknown[]) => JSON.stringify(e) },
  ];
  for (const c of cases) {
    const whole = c.text(c.events);
    const cut = whole.slice(0, Math.floor(whole.length * 0.6));
    const file = path.join(dir, c.name);
    writeFileSync(file, cut);
    // The events whose text ends before the cut (each is unique: its bucket name).
    const read = c.events.filter((e) => whole.indexOf(JSON.stringify(e)) + JSON.stringify(e).length <= cut.length).length;
    for (const mode of ['cache', 'memory'] as const) {
      it(`${c.name}: reads the whole events before the cut and says so (${mode})`, async () => {
        const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, `cache-plain-${c.name}`) : undefined });
        try {
          const report = await engine.load([file]);
          const n = report.eventsLoaded;
          expect(report.warnings).toEqual([
            { file, kind: 'partial', reason: `the file ends inside line ${cut.split('\n').length}, cut short: its ${n} whole event(s) before the cut were read; an event the cut runs through is not read` },
          ]);
          expect(report).toMatchObject({ filesRead: 1, eventsSkipped: 0 });
          expect(n).toBe(read);
          expect(await rows(engine, '* | stats count, max(eval(tonumber(substr(\'requestParameters.bucketName\', 2)))) as last')).toEqual([{ count: n, last: n - 1 }]);
        } finally {
          engine.close();
        }
      });
    }
  }

  it('one cut before its first whole event is skipped, named, with the reason', async () => {
    const file = path.join(dir, 'stub.json');
    writeFileSync(file, '{"Records":[{"eventVersion":"1.08","eventTi');
    const engine = await Engine.open({ stateDir: path.join(dir, 'state') });
    try {
      const report = await engine.load([file]);
      expect(report.warnings).toEqual([{ file, kind: 'skipped', reason: 'the file ends inside line 1, cut short before its first whole event' }]);
      expect(report).toMatchObject({ filesRead: 0, filesSkipped: 1, eventsLoaded: 0 });
    } finally {
      engine.close();
    }
  });
});
