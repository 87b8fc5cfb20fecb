import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { expectRows, sqlOf } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

describe('mvmap', () => {
  it('maps each value, naming it by the field, and drops null results (filter by another field)', async () => {
    await expectRows(
      engine,
      '| makeresults | eval own="111122223333", acct=split("111122223333,999988887777,444455556666", ",") | eval other=mvmap(acct, if(acct!=own, acct, null())), tagged=mvmap(acct, "a-".acct) | table other tagged',
      [{ other: ['999988887777', '444455556666'], tagged: ['a-111122223333', 'a-999988887777', 'a-444455556666'] }],
    );
  });

  it('is null when every result is null, and works on a single value', async () => {
    await expectRows(engine, '| makeresults | eval x="a" | eval none=mvmap(x, null()), one=mvmap(x, upper(x)) | table none one', [{ none: null, one: ['A'] }]);
  });

  it('needs a field as its first argument', () => {
    expect(() => sqlOf('| makeresults | eval y=mvmap("a", 1)')).toThrow(/mvmap\(\) takes a field/);
  });
});

describe('nested lambdas', () => {
  // Each lambda names its value afresh: with one shared name the inner lambda read its own
  // value where the outer one's was meant (this returned ["xx","xx"]).
  it('mvmap inside mvmap sees both values; a multivalue result contributes all its values', async () => {
    await expectRows(
      engine,
      '| makeresults | eval a=split("x,y",","), b=split("q,r",",") | eval r=mvmap(b, mvmap(a, a . b)), s=mvmap(a, mvmap(b, a . b)) | table r s',
      [{ r: ['xq', 'yq', 'xr', 'yr'], s: ['xq', 'xr', 'yq', 'yr'] }],
    );
  });

  it('a multivalue comparison inside mvmap compares with the outer value', async () => {
    await expectRows(
      engine,
      '| makeresults | eval a=split("x,q",","), b=split("q,r",",") | eval r=mvmap(b, if(a==b, b, null())), d=mvmap(b, mvdedup(mvappend(b, a, b))) | table r d',
      [{ r: ['q'], d: ['q', 'x', 'r', 'x', 'q'] }],
    );
  });

  it('mvfilter inside mvmap, and mvmap inside mvfilter', async () => {
    await expectRows(
      engine,
      '| makeresults | eval a=split("x,y",","), b=split("q,r",",") | eval r=mvmap(b, mvjoin(mvfilter(a!="x"), "") . b), f=mvfilter(isnotnull(mvmap(a, if(a=="y", a, null())))) | table r f',
      [{ r: ['yq', 'yr'], f: ['y'] }],
    );
  });

  it('gives each lambda its own variable', () => {
    const sql = sqlOf('| makeresults | eval a=split("x,y",","), b=split("q,r",",") | eval r=mvmap(b, mvmap(a, a . b))');
    expect(sql).toContain('flatten(list_transform("b", __v0 -> coalesce(list_transform([list_filter(list_transform("a", __v1 -> __v1 || __v0), __v2 -> __v2 IS NOT NULL)]');
  });
});
