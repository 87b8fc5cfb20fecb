// Files whose layout used to lose events or the process: JSON lines mixing `{"Records":[...]}`
// wrappers and plain events, one event nested far deeper than DuckDB's typed reader survives,
// a valid file after 70,000 blank lines, and event times far outside the usual years. Each loads
// every event, the same way with and without the cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { expectRows, putFile, warningLines } from '../helpers.js';

let dir: string;

function event(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { eventVersion: '1.08', eventTime: '2026-11-20T10:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject', eventID: id, ...extra };
}
const line = (e: Record<string, unknown>): string => JSON.stringify(e) + '\n';
const wrapper = (...events: Record<string, unknown>[]): string => JSON.stringify({ Records: events }) + '\n';

const put = (rel: string, data: string | Buffer): string => putFile(dir, rel, data);

const reasons = warningLines;

const MODES = ['memory', 'cache'] as const;

async function withEngine<T>(mode: (typeof MODES)[number], fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, `cache-${Math.random().toString(36).slice(2)}`) : undefined });
  try {
    return await fn(engine);
  } finally {
    engine.close();
  }
}

const BY_ID = 'search * | stats count by eventID | sort eventID';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostile-formats-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSON lines mixing Records wrappers and plain events', () => {
  beforeAll(() => {
    // The first line decides how a file is sniffed: a wrapper first, then a plain event first.
    put('mixed/wrapper-first.jsonl', wrapper(event('w1'), event('w2')) + line(event('p1')) + wrapper(event('w3')) + line(event('p2')));
    put('mixed/plain-first.jsonl', line(event('p3')) + wrapper(event('w4'), event('w5')) + line(event('p4')));
    put('mixed/gz-first.json.gz', gzipSync(wrapper(event('w6')) + line(event('p5'))));
    // A bad line among them: the good ones, wrappers included, still load.
    put('mixed/with-bad-line.jsonl', wrapper(event('w7')) + '{"eventName": broken\n' + line(event('p6')));
  });

  for (const mode of MODES) {
    it(`every event of every line loads (${mode})`, async () => {
      await withEngine(mode, async (engine) => {
        const report = await engine.load([path.join(dir, 'mixed')]);
        expect(reasons(report)).toEqual(['with-bad-line.jsonl: partial: skipped 1 line(s) of invalid JSON (the first at line 2: unexpected character)']);
        expect(report).toMatchObject({ filesRead: 4, eventsLoaded: 13, eventsSkipped: 1 });
        const ids = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'];
        await expectRows(engine, BY_ID, ids.sort().map((eventID) => ({ eventID, count: 1 })));
      });
    });
  }
});

describe('an event nested 20,000 and 200,000 deep beside real logs', () => {
  beforeAll(() => {
    for (const depth of [20_000, 200_000]) {
      // Built as text: JSON.stringify itself overflows the stack at this depth.
      const deep = `${JSON.stringify(event(`deep-${depth}`)).slice(0, -1)},"requestParameters":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
      put(`deep/records-${depth}.json`, `{"Records":[${JSON.stringify(event(`before-${depth}`))},${deep},${JSON.stringify(event(`after-${depth}`))}]}`);
      put(`deep/lines-${depth}.jsonl`, `${deep}\n`);
    }
    put('deep/ordinary.json.gz', gzipSync(wrapper(event('ordinary'))));
  });

  for (const mode of MODES) {
    it(`loads every event, and searches over them work (${mode})`, async () => {
      await withEngine(mode, async (engine) => {
        const report = await engine.load([path.join(dir, 'deep')]);
        expect(report).toMatchObject({ filesRead: 5, filesSkipped: 0, eventsLoaded: 9, warnings: [] });
        await expectRows(engine, 'search * | eval n=coalesce(len(requestParameters), 0) | stats count by eventID n | sort eventID', [
          { eventID: 'after-20000', n: 0, count: 1 },
          { eventID: 'after-200000', n: 0, count: 1 },
          { eventID: 'before-20000', n: 0, count: 1 },
          { eventID: 'before-200000', n: 0, count: 1 },
          { eventID: 'deep-20000', n: 20_000 * 6 + 1, count: 2 },
          { eventID: 'deep-200000', n: 200_000 * 6 + 1, count: 2 },
          { eventID: 'ordinary', n: 0, count: 1 },
        ]);
        await expectRows(engine, 'search a | spath | stats count', [{ count: 4 }]);
        // Field completion samples nested objects with json_tree, whose work grows with the square
        // of the depth: deep values are left out of the sample rather than stalling the REPL.
        expect(await engine.fieldPaths()).toEqual([]);
      });
    });
  }
});

describe('leading blank lines', () => {
  for (const mode of MODES) {
    it(`a valid file after 70,000 blank lines loads; only blank lines is an empty file (${mode})`, async () => {
      const blank = '\n'.repeat(70_000);
      put(`blank-${mode}/records.json`, blank + wrapper(event('b1')));
      put(`blank-${mode}/lines.jsonl`, '\r\n'.repeat(40_000) + line(event('b2')) + line(event('b3')));
      put(`blank-${mode}/gz.json.gz`, gzipSync(' '.repeat(3_000_000) + wrapper(event('b4'))));
      put(`blank-${mode}/only.json`, blank);
      await withEngine(mode, async (engine) => {
        const report = await engine.load([path.join(dir, `blank-${mode}`)]);
        expect(reasons(report)).toEqual(['only.json: skipped: empty file (only whitespace)']);
        await expectRows(engine, BY_ID, ['b1', 'b2', 'b3', 'b4'].map((eventID) => ({ eventID, count: 1 })));
      });
    });
  }
});

describe('odd event times', () => {
  const times: Record<string, string | number> = {
    'after-2100': '2150-01-01T00:00:00Z',
    'year-9999': '9999-12-31T23:59:59Z',
    'year-1': '0001-01-01T00:00:00Z',
    'before-1970': '1969-07-20T20:17:40Z',
    'offset-hours': '2023-01-01T00:00:00+05',
    'offset-seconds': '2023-01-01T00:00:00+05:00:00',
    'zone-name': '2023-01-01T00:00:00 America/New_York',
    'month-13': '2023-13-45T00:00:00Z',
  };
  const expected: Record<string, string | null> = {
    'after-2100': '2150-01-01T00:00:00Z',
    'before-1970': '1969-07-20T20:17:40Z',
    'month-13': null,
    'offset-hours': '2022-12-31T19:00:00Z',
    'offset-seconds': '2022-12-31T19:00:00Z',
    'year-1': '0001-01-01T00:00:00Z',
    'year-9999': '9999-12-31T23:59:59Z',
    'zone-name': '2023-01-01T05:00:00Z',
  };

  for (const mode of MODES) {
    it(`load with their own times (offsets honoured); unreadable ones with an empty _time and a note (${mode})`, async () => {
      put(`times-${mode}/t.jsonl`, Object.entries(times).map(([id, t]) => line(event(id, { eventTime: t }))).join('') + line(event('normal')));
      await withEngine(mode, async (engine) => {
        const report = await engine.load([path.join(dir, `times-${mode}`)]);
        expect(report.eventsLoaded).toBe(9);
        expect(reasons(report)).toEqual(['t.jsonl: note: 1 event(s) with an unreadable eventTime (e.g. "2023-13-45T00:00:00Z"): their _time is empty']);
        await expectRows(
          engine,
          'search * | eval t=strftime(_time, "%Y-%m-%dT%H:%M:%SZ") | where eventID!="normal" | sort eventID | table eventID t',
          Object.entries(expected).map(([eventID, t]) => ({ eventID, t })),
        );
        // Searches bounded in time, newest first, and timechart all still answer.
        await expectRows(engine, 'search earliest="2100-01-01T00:00:00Z" latest=253402300800 | sort - _time | table eventID', [{ eventID: 'year-9999' }, { eventID: 'after-2100' }]);
        await expectRows(engine, 'search eventID=normal OR eventID=after-2100 | head 1 | table eventID', [{ eventID: 'after-2100' }]);
        await expectRows(engine, 'search latest="1970-01-01T00:00:00Z" | stats count', [{ count: 2 }]);
      });
    });
  }
});

// Unsettled: no Splunk page or thread found says what KV_MODE=json (the add-on's [aws:cloudtrail]
// stanza), INDEXED_EXTRACTIONS=json or spath make of a key an object repeats; JSON itself (RFC 8259
// section 4) leaves it to the reader. CloudTrail's own writer never repeats one, so such a record
// was written by hand or altered. spelunk reads the first value (as DuckDB's JSON functions do) for
// the field, spath and the add-on's fields alike; _raw keeps the text as written, so a term search
// still finds the event by the value that was dropped.
describe('a key repeated in one JSON object', () => {
  it('(unsettled by Splunk\'s pages) the field is the first value, the same through spath; _raw keeps both', async () => {
    put('dup/dup.json', '{"Records":[{"eventVersion":"1.09","eventTime":"2026-11-26T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateRole",' +
      '"eventID":"dup-1","requestParameters":{"roleName":"first","roleName":"second"},"eventName":"DeleteRole"}]}');
    for (const mode of MODES) {
      await withEngine(mode, async (engine) => {
        await engine.load([path.join(dir, 'dup')]);
        await expectRows(engine, '* | spath input=_raw path=requestParameters.roleName output=sp | table eventName requestParameters.roleName sp signature', [
          { eventName: 'CreateRole', 'requestParameters.roleName': 'first', sp: 'first', signature: 'CreateRole' },
        ]);
        await expectRows(engine, 'second DeleteRole | stats count', [{ count: 1 }]);
        await expectRows(engine, 'eventName=DeleteRole | stats count', [{ count: 0 }]);
      });
    }
  });
});
