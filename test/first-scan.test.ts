// The first search's scan (issue 13): which events of a file's text can hold the needles, and
// which files it must leave to the ordinary reader (null) because they are not cleanly of the
// expected shape. Its answers are checked end to end against DuckDB in first-answer.test.ts.
import { describe, expect, it } from 'vitest';
import { linesBounds, pickCandidates, recordsBounds } from '../src/engine/first-scan.js';

const ev = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ eventVersion: '1.08', eventName: name, eventSource: 'x.amazonaws.com', ...extra });
const records = (...events: unknown[]): string => JSON.stringify({ Records: events });
const picked = (text: string | null): unknown[] => (text ? (JSON.parse(text) as { Records: unknown[] }).Records : []);

describe('pickCandidates', () => {
  it('keeps the events holding every needle, in any case, in file order', () => {
    const text = records(ev('ConsoleLogin', { n: 1 }), ev('GetObject', { n: 2 }), ev('consolelogin', { n: 3, u: 'CONSOLELOGIN-x' }));
    const found = pickCandidates(text, 'records', ['consolelogin'])!;
    expect(found.events).toBe(2);
    expect(picked(found.text).map((e) => (e as { n: number }).n)).toEqual([1, 3]);
    expect(picked(pickCandidates(text, 'records', ['consolelogin', 'x.amazon'])!.text)).toHaveLength(2);
    expect(pickCandidates(text, 'records', ['consolelogin', 'getobject'])!.events).toBe(0);
  });

  it('keeps an event whose needle sits inside another string, and never one whose neighbour holds it', () => {
    const text = records(ev('A', { policy: '{"Action":"consolelogin"}' }), ev('B'), ev('C', { note: 'ConsoleLogin' }));
    expect(picked(pickCandidates(text, 'records', ['consolelogin'])!.text).map((e) => (e as { eventName: string }).eventName)).toEqual(['A', 'C']);
  });

  it('keeps every event holding a \\u escape, which DuckDB resolves in _raw', () => {
    const text = `{"Records":[{"eventName":"Console\\u004cogin"},{"eventName":"Other"},{"eventName":"x","k":"\\u00e9"}]}`;
    const found = pickCandidates(text, 'records', ['consolelogin'])!;
    expect(found.events).toBe(2);
    expect(found.text).toBe(`{"Records":[{"eventName":"Console\\u004cogin"},{"eventName":"x","k":"\\u00e9"}]}`);
  });

  it('takes pretty-printed files and keeps each event text as written', () => {
    const text = JSON.stringify({ Records: [ev('ConsoleLogin'), ev('Other')] }, null, 2);
    const found = pickCandidates(text, 'records', ['consolelogin'])!;
    expect(picked(found.text)).toEqual([ev('ConsoleLogin')]);
  });

  it('takes JSON lines, with \\n or \\r\\n', () => {
    const lines = [ev('ConsoleLogin', { n: 1 }), ev('Other'), ev('ConsoleLogin', { n: 2 })].map((e) => JSON.stringify(e));
    expect(picked(pickCandidates(lines.join('\n') + '\n', 'lines', ['consolelogin'])!.text)).toHaveLength(2);
    expect(picked(pickCandidates(lines.join('\r\n'), 'lines', ['consolelogin'])!.text)).toHaveLength(2);
  });

  it('has nothing to give from a file missing a needle, whatever its shape', () => {
    expect(pickCandidates('{"Records":[{"eventName":"Other"', 'records', ['consolelogin'])).toEqual({ text: '', events: 0 });
  });

  it('leaves to the ordinary reader what is not cleanly of the expected shape', () => {
    const good = records(ev('ConsoleLogin'));
    const refused = [
      good.slice(0, -3), // truncated
      good + good, // two wrappers back to back
      good.replace('"Records"', '"Records2"'),
      good.replace(']}', '],"more":1}'),
      good.replace('"1.08"', '"1.08",'), // a trailing comma DuckDB would take
      good.replace('"1.08"', 'NaN'),
      good.replace('"1.08"', '01'),
      good.replace('"1.08"', 'tru'),
      good.replace('"1.08"', '"a\\xb"'), // a bad escape
      good.replace('"1.08"', '"a\\u12"'),
      good.replace('"1.08"', '"a\tb"'), // a control character inside a string
      good.replace('"1.08"', '"a\u0001b"'),
      good.replace('"1.08"', '"\u212a"'), // the Kelvin sign lowers to k in DuckDB
      good.replace('"1.08"', '"\u0130"'),
      good.replace('"1.08"', '"\u017f"'),
      '\ufeff' + good, // a byte-order mark
      '[' + JSON.stringify(ev('ConsoleLogin')) + ']',
      '{"Records":[1,{"eventName":"ConsoleLogin"}]}', // a record that is not an object
    ];
    for (const text of refused) expect(pickCandidates(text, 'records', ['consolelogin']), text).toBeNull();
    const line = JSON.stringify(ev('ConsoleLogin'));
    for (const text of [`${line}\n\n${line}`, ` ${line}`, `${line} ${line}`, `${line}\n${good}`, line.slice(0, -1)]) {
      expect(pickCandidates(text, 'lines', ['consolelogin']), text).toBeNull();
    }
  });

  it('takes escapes, strings holding braces and quotes, and nesting', () => {
    const tricky = ev('ConsoleLogin', { s: 'a"b\\c}{][,:', t: '\\"}', nested: { a: [1, -2.5e3, true, false, null, { b: [] }, {}] } });
    const text = records(tricky, ev('X', { s: '"ConsoleLogin' }));
    expect(picked(pickCandidates(text, 'records', ['consolelogin'])!.text)).toEqual([tricky, ev('X', { s: '"ConsoleLogin' })]);
    expect(recordsBounds(text)).toHaveLength(4);
    expect(recordsBounds('{"Records":[]}')).toEqual([]);
    expect(linesBounds('{"a":1}\n{"b":[2]}')).toEqual([0, 7, 8, 17]);
    // A wrapper whose Records member comes after another: the line is no event; the file is read
    // the ordinary way, which unwraps it (it was taken as one event, and skipped as not CloudTrail).
    expect(linesBounds('{"a":1}\n{"Account":"1","Records":[{"eventName":"ConsoleLogin"}]}')).toBeNull();
  });
});
