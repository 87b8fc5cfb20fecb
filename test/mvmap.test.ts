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
