// Large files are read through Node: split into events without parsing (event-stream.ts), then
// checked and inserted by DuckDB (load-stream.ts). The split must find exactly the events
// DuckDB's own readers find, wherever the chunks break, and name the same problems.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventSplitter, StructureError, type SplitFormat } from '../src/engine/event-stream.js';
import { readStreamed } from '../src/engine/load-stream.js';
import { loadCloudTrail } from '../src/engine/loader.js';
import { sniffFile, type SniffedFile } from '../src/engine/load-files.js';

/** The events' texts and lines, with the input fed in chunks of `size` bytes. */
function split(format: SplitFormat, text: string, size = Infinity): { text: string; line: number }[] {
  const bytes = Buffer.from(text);
  const s = new EventSplitter(format);
  const out = [];
  for (let i = 0; i < bytes.length; i += Math.min(size, bytes.length)) out.push(...s.push(bytes.subarray(i, i + size)));
  out.push(...s.end());
  return out.map((e) => ({ text: e.bytes.toString(), line: e.line }));
}

/** Every way of cutting the text into chunks of 1, 2, 3, 7 and all bytes gives the same events. */
function splitAnyhow(format: SplitFormat, text: string): { text: string; line: number }[] {
  const whole = split(format, text);
  for (const size of [1, 2, 3, 7]) expect(split(format, text, size), `chunks of ${size}`).toEqual(whole);
  return whole;
}

describe('EventSplitter', () => {
  it('takes the elements of Records, passing over other members, strings holding brackets and escapes', () => {
    const text = '{"meta":{"Records":[9]},"n":-1.5e3,"s":"x","Records":[{"a":"]}\\"[{"},\n {"b":[1,{"c":[]}]} , 7,"str",null],"after":[1]}\n{"Records":[]} {"Records":[{"d":1}]}';
    expect(splitAnyhow('records', text)).toEqual([
      { text: '{"a":"]}\\"[{"}', line: 1 },
      { text: '{"b":[1,{"c":[]}]}', line: 2 },
      { text: '7', line: 2 },
      { text: '"str"', line: 2 },
      { text: 'null', line: 2 },
      { text: '{"d":1}', line: 3 },
    ]);
  });

  it('a key named Records only counts at the top of the object', () => {
    expect(splitAnyhow('records', '{"x":{"Records":[{"no":1}]},"Records":[{"yes":1}]}')).toEqual([{ text: '{"yes":1}', line: 1 }]);
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
    expect(problem('records', '{"Records" [1]}')).toBe("invalid JSON at line 1: expected ':'");
    expect(problem('records', '[{"a":1}]')).toBe("invalid JSON at line 1: unexpected character '['");
    expect(problem('array', '[{"a":1}] x')).toBe("invalid JSON at line 1: unexpected character 'x'");
    expect(problem('records', '{"Records":[{"a":"never closed}]}')).toBe('invalid JSON at line 1: unexpected end of data');
  });
});

describe('readStreamed', () => {
  let dir: string;
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spelunk-stream-'));
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
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

  /** What DuckDB's own reader path says about the file: events and the warning, if any. */
  async function whole(file: SniffedFile): Promise<{ inserted: number; warning?: string }> {
    const own = await (await db.connect());
    await own.run('CREATE SCHEMA IF NOT EXISTS whole; USE whole; DROP TABLE IF EXISTS events');
    const report = await loadCloudTrail(own, [file.path], { index: null, renumber: false });
    own.closeSync();
    return { inserted: report.eventsLoaded, ...(report.warnings[0] ? { warning: report.warnings[0].reason } : {}) };
  }

  async function streamed(file: SniffedFile): Promise<{ inserted: number; warning?: string }> {
    await conn.run('CREATE SCHEMA IF NOT EXISTS parts; USE parts; DROP TABLE IF EXISTS events');
    await loadCloudTrail(conn, [], { index: null, renumber: false });
    const r = await readStreamed(conn, file, null);
    const warning = r.rejected ?? (r.badLines && `skipped ${r.badLines.count} line(s) of invalid JSON (the first ${r.badLines.reason.replace(/^invalid JSON /, '')})`);
    return { inserted: r.inserted, ...(warning ? { warning } : {}) };
  }

  it('gives what DuckDB reading the whole file gives: events, bad lines, bad files', async () => {
    const cases: [string, string | Buffer][] = [
      ['good.json.gz', gzipSync(`{"Records":[${event('a')},${event('b')}]}`)],
      ['bad-event.json', `{"Records":[${event('a')},\n{"eventName":tru}]}`],
      ['cut.jsonl', `${event('a')}\n${event('b')}\n${event('c').slice(0, 30)}`],
      ['bad-utf8.jsonl', Buffer.concat([Buffer.from(event('a') + '\n'), Buffer.from(event('b') + '\n').fill(0xff, 20, 22), Buffer.from(event('c') + '\n')])],
      ['pretty.json', `${JSON.stringify(JSON.parse(event('a')), null, 2)}\n${JSON.stringify(JSON.parse(event('b')), null, 2)}`],
      ['array.json', `[${event('a')},\n${event('b')}]`],
      ['truncated.json.gz', gzipSync(`{"Records":[${event('a')},${event('b')}]}`).subarray(0, 40)],
    ];
    for (const [name, data] of cases) {
      const file = await sniffed(name, data);
      expect(await streamed(file), name).toEqual(await whole(file));
    }
  });
});
