// Large files are read through Node: split into events without parsing (event-stream.ts), then
// checked and inserted by DuckDB (load-stream.ts). The split must find exactly the events
// DuckDB's own readers find, wherever the chunks break, and name the same problems.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSplitter, StructureError, type SplitFormat } from '../src/engine/event-stream.js';
import { loadCloudTrail } from '../src/engine/loader.js';
import { sniffFile, type SniffedFile } from '../src/engine/load-files.js';

/** The events' texts and lines, with the input fed in chunks of `size` bytes. */
function split(format: SplitFormat, text: string, size = Infinity): { text: string; line: number; whole?: false }[] {
  const bytes = Buffer.from(text);
  const s = new EventSplitter(format);
  const out = [];
  for (let i = 0; i < bytes.length; i += Math.min(size, bytes.length)) out.push(...s.push(bytes.subarray(i, i + size)));
  out.push(...s.end());
  return out.map((e) => ({ text: e.bytes.toString(), line: e.line, ...(e.whole ? {} : { whole: false as const }) }));
}

/** Every way of cutting the text into chunks of 1, 2, 3, 7 and all bytes gives the same events. */
function splitAnyhow(format: SplitFormat, text: string): ReturnType<typeof split> {
  const whole = split(format, text);
  for (const size of [1, 2, 3, 7]) expect(split(format, text, size), `chunks of ${size}`).toEqual(whole);
  return whole;
}

describe('EventSplitter', () => {
  it('takes the elements of a wrapper\'s Records, passing over its other members, strings holding brackets and escapes', () => {
    const text = '{ "Records" : [{"a":"]}\\"[{"},\n {"b":[1,{"c":[]}]} , 7,"str",null],"meta":{"Records":[9]},"n":-1.5e3,"after":[1]}\n{"Records":[]} {"Records":[{"d":1}]}';
    const element = (t: string, line: number) => ({ text: t, line, whole: false as const });
    expect(splitAnyhow('records', text)).toEqual([
      element('{"a":"]}\\"[{"}', 1),
      element('{"b":[1,{"c":[]}]}', 2),
      element('7', 2),
      element('"str"', 2),
      element('null', 2),
      element('{"d":1}', 3),
    ]);
  });

  it('an object is a wrapper when any of its own members is a Records array, as load-sql.ts isWrapper reads it; any other is one event', () => {
    // A Records member after others (keys reordered by a tool) made the whole wrapper one event,
    // skipped as not CloudTrail; a Records array deeper down does not make a wrapper.
    const text = '{"x":{"Records":[{"no":1}]},"a":[1,{"b":2}],"Records":[{"yes":1},\n{"yes":2}],"z":{"Records":[{"no":2}]},"Records":[{"no":3}]}\n' +
      '{"Records":{"a":1}} {"eventName":"E","y":{"Records":[1]}} {"k":"Records","Records":"[]"}';
    expect(splitAnyhow('records', text)).toEqual([
      { text: '{"yes":1}', line: 1, whole: false },
      { text: '{"yes":2}', line: 2, whole: false },
      { text: '{"Records":{"a":1}}', line: 3 },
      { text: '{"eventName":"E","y":{"Records":[1]}}', line: 3 },
      { text: '{"k":"Records","Records":"[]"}', line: 3 },
    ]);
  });

  it('arrays, concatenated values and lines', () => {
    expect(splitAnyhow('array', '[\n{"a":1},\n{"b":[2]}\n]')).toEqual([{ text: '{"a":1}', line: 2 }, { text: '{"b":[2]}', line: 3 }]);
    expect(splitAnyhow('concatenated', '{"a":1}\n\n{\n "b":2\n}{"c":3}')).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{\n "b":2\n}', line: 3 },
      { text: '{"c":3}', line: 5 },
    ]);
    expect(splitAnyhow('lines', '{"a":1}\n\n  \n{"b":2}\r\n{"c":3')).toEqual([
      { text: '{"a":1}', line: 1 },
      { text: '{"b":2}\r', line: 4 },
      { text: '{"c":3', line: 5 },
    ]);
  });

  it('names the line where the structure breaks', () => {
    const problem = (format: SplitFormat, text: string): string => {
      try {
        split(format, text);
        return 'none';
      } catch (err) {
        expect(err).toBeInstanceOf(StructureError);
        return (err as Error).message;
      }
    };
    expect(problem('records', '{"Records":[{"a":1},\n{"b":2}')).toBe('invalid JSON at line 2: unexpected end of data');
    expect(problem('records', '{"Records":[{"a":1}\n}')).toBe("invalid JSON at line 2: unexpected character '}'");
    expect(problem('array', '[{"a":1}] x')).toBe("invalid JSON at line 1: unexpected character 'x'");
    expect(problem('records', '{"Records":[{"a":"never closed}]}')).toBe('invalid JSON at line 1: unexpected end of data');
  });
});

describe('a file read in parts', () => {
  let dir: string;
  let db: DuckDBInstance;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spelunk-stream-'));
    db = await DuckDBInstance.create(':memory:');
  });
  afterAll(() => {
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  const event = (id: string): string => JSON.stringify({ eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id });
  async function sniffed(name: string, data: string | Buffer): Promise<SniffedFile> {
    const file = path.join(dir, name);
    writeFileSync(file, data);
    const s = await sniffFile(file);
    if (!s.ok) throw new Error(`not sniffed: ${JSON.stringify(s.file)}`);
    return s.file;
  }

  /** What a load of the file reports, read by DuckDB's readers or through Node in parts. */
  async function load(file: SniffedFile, streamBytes?: number): Promise<{ events: number; warnings: string[]; rows: unknown[] }> {
    const own = await db.connect();
    try {
      await own.run('CREATE SCHEMA IF NOT EXISTS s; USE s; DROP TABLE IF EXISTS events');
      const report = await loadCloudTrail(own, [file.path], { index: null, streamBytes });
      const rows = (await own.runAndReadAll('SELECT _raw, _time, "eventName", "userIdentity" FROM events ORDER BY __seq')).getRows();
      return { events: report.eventsLoaded, warnings: report.warnings.map((w) => `${w.kind}: ${w.reason}`), rows };
    } finally {
      own.closeSync();
    }
  }

  it('gives what DuckDB reading the whole file gives: events, bad lines, bad files', async () => {
    const cases: [string, string | Buffer][] = [
      ['good.json.gz', gzipSync(`{"Records":[${event('a')},${event('b')}]}`)],
      ['bad-event.json', `{"Records":[${event('a')},\n{"eventName":tru}]}`],
      ['cut.jsonl', `${event('a')}\n${event('b')}\n${event('c').slice(0, 30)}`],
      ['bad-utf8.jsonl', Buffer.concat([Buffer.from(event('a') + '\n'), Buffer.from(event('b') + '\n').fill(0xff, 20, 22), Buffer.from(event('c') + '\n')])],
      ['pretty.json', `${JSON.stringify(JSON.parse(event('a')), null, 2)}\n${JSON.stringify(JSON.parse(event('b')), null, 2)}`],
      ['array.json', `[${event('a')},\n${event('b')}]`],
      ['deep.json', `{"Records":[${event('a').slice(0, -1)},"requestParameters":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}]}`],
      ['mixed.jsonl', `{"Records":[${event('a')},${event('b')}]}\n${event('c')}\n{"Records":[${event('d')}]}\n`],
      ['wrapper-then-plain.json', `{"Records":[${event('a')}],"other":[1]} ${event('b')} {"x":1,"Records":[${event('c')}]}`],
      ['truncated.json.gz', gzipSync(`{"Records":[${event('a')},${event('b')}]}`).subarray(0, 40)],
    ];
    for (const [name, data] of cases) {
      const file = await sniffed(name, data);
      expect(await load(file, 0), name).toEqual(await load(file));
    }
  });
});
