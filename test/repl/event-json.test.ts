// A key an object repeats: the searches read its first value (DuckDB's JSON functions; pinned, and
// why, in test/hostile/formats.test.ts); the REPL read `_raw` with JSON.parse, which keeps the last,
// so the event list, the viewer and the sidebar showed the value `field=value` did not find.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { parseEventJson } from '../../src/repl/event-json.js';
import { nestedPaths } from '../../src/repl/field-stats.js';
import { rowEvent } from '../../src/repl/result-view.js';
import { eventSummary } from '../../src/repl/event-view.js';
import { SAMPLE_NOW } from '../helpers.js';

const RAW = '{"eventTime":"2026-11-26T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateRole","eventID":"dup-1",' +
  '"requestParameters":{"roleName":"first","roleName":"second"},"eventName":"DeleteRole"}';

describe('parseEventJson', () => {
  it('keeps the first value of a repeated key, at any depth, where JSON.parse keeps the last', () => {
    expect((JSON.parse(RAW) as { eventName: string }).eventName).toBe('DeleteRole');
    expect(parseEventJson(RAW)).toEqual({ eventTime: '2026-11-26T10:00:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateRole', eventID: 'dup-1', requestParameters: { roleName: 'first' } });
    expect(parseEventJson('[{"a":1,"a":[2,{"b":true,"b":null}]},{"a":-1.5e3,"c":"x\\"y:z","c":"no"}]')).toEqual([{ a: 1 }, { a: -1500, c: 'x"y:z' }]);
  });

  it('gives what JSON.parse gives when no key repeats (colons inside strings are not members), and throws as it does', () => {
    const text = '{"__proto__":{"x":1},"a":"b:c\\\\","d":[1,{"e":"f"}],"g":{}}';
    expect(parseEventJson(text)).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf(parseEventJson('{"__proto__":{"x":1},"__proto__":2}'))).toBe(Object.prototype);
    expect(Object.keys(parseEventJson('{"__proto__":{"x":1},"__proto__":2}') as object)).toEqual(['__proto__']);
    expect(() => parseEventJson('{"a":')).toThrow(SyntaxError);
    expect(parseEventJson('3')).toBe(3);
  });

  it('an event nested too deep to walk is read as JSON.parse reads it', () => {
    const deep = '{"a":'.repeat(20000) + '1' + '}'.repeat(20000);
    expect(() => parseEventJson(deep)).not.toThrow();
  });
});

describe('the REPL reads a loaded event as the searches do', () => {
  let dir: string;
  let engine: Engine;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spelunk-dupkey-'));
    writeFileSync(path.join(dir, 'e.json'), `{"Records":[${RAW}]}`);
    engine = await Engine.open({ stateDir: path.join(dir, 'state') });
    await engine.load([path.join(dir, 'e.json')]);
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the event list\'s line, the viewer\'s event and the sidebar show the value the search matched', async () => {
    const r = await engine.run('eventName=CreateRole requestParameters.roleName=first', { now: SAMPLE_NOW });
    expect(r.rows).toHaveLength(1);
    const row = r.rows[0]!;
    expect(row._raw).toContain('"DeleteRole"');
    expect(rowEvent(row)).toMatchObject({ eventName: 'CreateRole', requestParameters: { roleName: 'first' } });
    expect(eventSummary(rowEvent(row)!)).toMatch(/^CreateRole /);
    expect(nestedPaths([row]).map((f) => [f.field, f.top])).toEqual([['requestParameters.roleName', [{ value: 'first', count: 1 }]]]);
  });
});
