// Probes of SPL semantics an analyst leans on in a CloudTrail hunt, each pinned to what Splunk
// documents (or, where the docs are silent, to what spelunk's other commands do with the same
// values): a silent difference here is a wrong answer nobody sees.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { expectRows, SAMPLE_DIR, sqlOf } from './helpers.js';

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'audit-semantics-'));
  mkdirSync(path.join(dir, 'lookups'));
  // An account ID keeps its leading zero: it is text, as CloudTrail writes it.
  writeFileSync(path.join(dir, 'lookups', 'accounts.csv'), 'acct,name\n012345678901,prod\n111122223333,dev\n');
  engine = await Engine.open({ stateDir: dir });
  await engine.load([SAMPLE_DIR]);
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('join keys: a number on one side, text on the other', () => {
  // Splunk's field values are text; `lookup` matches them as text (lookup.ts), and so must join:
  // DuckDB read the text side as a number, so 12345678901 found the account "012345678901", 5
  // found "5.0" and "05", and a key such as "abc" failed the search with a conversion error.
  const keys = '| makeresults count=3 | streamstats count as n | eval k=case(n=1, "abc", n=2, "5.0", n=3, "05")';
  it('compiles to a comparison of their text', () => {
    expect(sqlOf(`${keys} | join type=left k [| makeresults | eval k=5, v="hit"]`)).toContain('ON l."k" = spl_num2str(r."k")');
    // Like with like stays a plain comparison.
    expect(sqlOf('| makeresults | eval k=5 | join k [| makeresults | eval k=5, v="hit"]')).toContain('ON l."k" = r."k"');
  });

  it('matches text that reads the same, never a number read out of text', async () => {
    await expectRows(engine, `${keys} | join type=left k [| makeresults | eval k=5, v="hit"] | table n k v`, [
      { n: 1, k: 'abc', v: null },
      { n: 2, k: '5.0', v: null },
      { n: 3, k: '05', v: null },
    ]);
    await expectRows(engine, '| makeresults count=2 | streamstats count as n | eval k=n+4 | join type=left k [| makeresults | eval k="5", v="hit"] | table n k v', [
      { n: 1, k: 5, v: 'hit' },
      { n: 2, k: 6, v: null },
    ]);
  });

  it('an account ID computed as a number does not find the account with a leading zero, as lookup does not', async () => {
    const accounts = '| makeresults count=2 | streamstats count as n | eval acct=if(n=1, 12345678901, 111122223333)';
    const expected = [
      { n: 1, acct: 12345678901, name: null },
      { n: 2, acct: 111122223333, name: 'dev' },
    ];
    await expectRows(engine, `${accounts} | join type=left acct [| inputlookup accounts.csv] | table n acct name`, expected);
    await expectRows(engine, `${accounts} | lookup accounts.csv acct OUTPUT name | table n acct name`, expected);
  });
});
