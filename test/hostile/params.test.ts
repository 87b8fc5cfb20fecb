// `--param` values are data wherever their `$name$` stands: a quote inside a single-quoted field
// name, a backtick or a comma in a macro argument, or SPL in the value never turns it into search
// text (issue 18, item 17).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplError } from '../../grammar/diagnostics.js';
import { Engine } from '../../src/engine/engine.js';
import { expectRows, SAMPLE_NOW } from '../helpers.js';

let engine: Engine;
let state: string;
const FIRST = [{ eventID: '00000000-0000-4000-8000-000000000001' }];

beforeAll(async () => {
  state = mkdtempSync(path.join(tmpdir(), 'spelunk-params-'));
  engine = await Engine.open({ stateDir: state, macroFiles: ['fixtures/hostile/macros.conf'] });
  await engine.load(['fixtures/hostile/quotes.jsonl']);
});
afterAll(() => {
  engine?.close();
  rmSync(state, { recursive: true, force: true });
});

function lookupsWritten(): string[] {
  const folder = path.join(state, 'lookups');
  return existsSync(folder) ? readdirSync(folder) : [];
}

describe('a parameter is one value, never SPL', () => {
  it('a double quote inside a single-quoted field name does not make the next value SPL', async () => {
    const attack = '1 | outputlookup pwned';
    await expectRows(engine, `| makeresults | eval 'a"b'=1 | eval x=$v$ | table x`, [{ x: attack }], { params: { v: attack } });
    await expectRows(engine, `| makeresults | where 'a"b'=$v$ OR isnull('a"b') | eval x=$v$ | table x`, [{ x: attack }], { params: { v: attack } });
    expect(lookupsWritten()).toEqual([]);
  });

  it('a value in a single-quoted field name stays inside the name', async () => {
    const attack = "x' | outputlookup pwned2 | eval y='";
    await expectRows(engine, `| makeresults | eval "x' | outputlookup pwned2 | eval y='"=7 | eval z='$f$' | table z`, [{ z: 7 }], { params: { f: attack } });
    expect(lookupsWritten()).toEqual([]);
  });

  it('a backtick or a comma in a macro argument is part of the value', async () => {
    await expectRows(engine, '`by_user($u$)` | table eventID', FIRST, { params: { u: "arn:aws:iam::111122223333:user/o'brien" } });
    await expectRows(engine, '`by_user($u$)` | table eventID', [], { params: { u: 'x`y' } });
    await expectRows(engine, '| makeresults | `pair($a$, $b$)` | table a b', [{ a: 'one, `two`', b: '"three"' }], { params: { a: 'one, `two`', b: '"three"' } });
  });

  it('a parameter inside a longer search word makes that word one quoted value', async () => {
    await expectRows(engine, 'userIdentity.arn=arn:aws:iam::111122223333:user/$name$ | table eventID', FIRST, { params: { name: "o'brien" } });
    await expectRows(engine, 'userIdentity.arn=*:user/$name$ | table eventID', FIRST, { params: { name: "o'brien" } });
  });

  it('$$ stays a literal dollar sign, and a value holding $name$ is not filled again', async () => {
    await expectRows(engine, '| makeresults | eval a="$$x$$", b=$v$ | table a b', [{ a: '$x$', b: '$w$' }], { params: { v: '$w$', w: 'no' } });
  });

  it('a parameter cannot be part of a field name in eval: a clear error at the name', () => {
    try {
      engine.prepare('| makeresults | eval x=foo$v$', { now: SAMPLE_NOW, params: { v: 'bar' } });
      expect.fail('compiled');
    } catch (err) {
      expect(err).toBeInstanceOf(SplError);
      expect((err as SplError).diagnostic).toMatchObject({ code: 'bad-argument', message: 'a parameter is a value and cannot be part of the name "foo$v$"' });
    }
  });
});
