// tojson and fromjson, as Splunk's pages describe them:
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tojson
//   (output in _raw by default, output_field=; no function means none(*); datatype functions
//   auto/bool/json/none/num/str; default_type, fill_null, include_internal; multivalue fields
//   become JSON arrays)
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/fromjson
//   (top-level keys become fields, prefix= before their names, arrays become multivalue fields)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../src/engine/engine.js';
import { errorOf, expectRows, rows, sampleEngine, SAMPLE_NOW } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await sampleEngine();
});
afterAll(() => engine.close());

const ROW = '| makeresults | eval a=1, b="x\\"y", c=mvappend("1","true","z"), d="{\\"k\\": [1,2]}", e="yes", f=null()';

describe('tojson', () => {
  it('writes every field (none(*)) into _raw: numbers as numbers, text as strings, multivalue as arrays, internal fields left out', async () => {
    const r = await rows(engine, `${ROW} | tojson`);
    expect(r[0]!._raw).toBe('{"a":1,"b":"x\\"y","c":["1","true","z"],"d":"{\\"k\\": [1,2]}","e":"yes"}');
    expect(JSON.parse(r[0]!._raw as string)).toEqual({ a: 1, b: 'x"y', c: ['1', 'true', 'z'], d: '{"k": [1,2]}', e: 'yes' });
  });

  it('datatype functions: auto, num, json, bool, str; skipped values left out, or null with fill_null=t', async () => {
    await expectRows(engine, `${ROW} | tojson auto(c) json(d) bool(e) str(a) f output_field=out | table out`, [
      { out: '{"c":[1,true,"z"],"d":{"k":[1,2]},"e":true,"a":"1"}' },
    ]);
    await expectRows(engine, `${ROW} | tojson num(c) num(b) f fill_null=t output_field=out | table out`, [
      { out: '{"c":[1],"b":null,"f":null}' },
    ]);
    await expectRows(engine, `${ROW} | tojson json(b) bool(b) output_field=out | table out`, [{ out: '{}' }]);
  });

  it('default_type= types the fields named without a function; include_internal=t adds _time', async () => {
    await expectRows(engine, `${ROW} | tojson a e default_type=str output_field=out | table out`, [{ out: '{"a":"1","e":"yes"}' }]);
    const r = await rows(engine, `${ROW} | tojson include_internal=t output_field=out | table out`);
    expect(JSON.parse(r[0]!.out as string)._time).toBe(SAMPLE_NOW);
  });

  it('wildcards expand over the event fields, nested paths included', async () => {
    await expectRows(engine, 'eventName=ConsoleLogin userIdentity.type=IAMUser | head 1 | tojson str(userIdentity.*) output_field=o | table o', [
      { o: '{"userIdentity.accountId":"111122223333","userIdentity.arn":"arn:aws:iam::111122223333:user/ana.ops","userIdentity.principalId":"AIDATNUQV2K5MTGE4Z2KV","userIdentity.type":"IAMUser","userIdentity.userName":"ana.ops"}' },
    ]);
  });

  it('refuses what it does not know, by name', () => {
    expect(errorOf('| makeresults | tojson date(x)').diagnostic.message).toMatch(/unknown tojson datatype "date"/);
    expect(errorOf('| makeresults | tojson default_type=xml').diagnostic.message).toMatch(/default_type= takes auto, bool, json, none, num, str/);
    expect(errorOf('| makeresults | tojson str()').diagnostic.message).toMatch(/needs a field or wildcard/);
  });
});

describe('fromjson', () => {
  const J = '| makeresults | eval j="{\\"user\\": \\"ana\\", \\"n\\": 5, \\"ok\\": true, \\"roles\\": [\\"a\\", \\"b\\", {\\"x\\":1}], \\"o\\": {\\"p\\": 1}, \\"z\\": null}"';

  it('makes a field of each top-level key: arrays multivalue, objects as JSON text, prefix=', async () => {
    await expectRows(engine, `${J} | fromjson j prefix=j_ | fields - _time j`, [
      { j_n: 5, j_o: '{"p":1}', j_ok: 'true', j_roles: ['a', 'b', '{"x":1}'], j_user: 'ana', j_z: null },
    ]);
  });

  it('keys differ per row; a row without the key, or without an object, has no value', async () => {
    await expectRows(engine, '| makeresults count=3 | streamstats count as i | eval j=case(i==1, "{\\"a\\": 1}", i==2, "{\\"b\\": [\\"x\\"], \\"a\\": \\"two\\"}", true(), "not json") | fromjson j | table i a b', [
      { i: 1, a: '1', b: null },
      { i: 2, a: 'two', b: ['x'] },
      { i: 3, a: null, b: null },
    ]);
  });

  it('round-trips tojson', async () => {
    await expectRows(engine, '| makeresults | eval user="ana", n=3, tags=mvappend("p","q") | tojson output_field=doc | table doc | fromjson doc | fields - doc', [
      { n: 3, tags: ['p', 'q'], user: 'ana' },
    ]);
  });

  it('takes one field', () => {
    expect(errorOf('| makeresults | fromjson').diagnostic.message).toMatch(/fromjson takes one field/);
  });
});
