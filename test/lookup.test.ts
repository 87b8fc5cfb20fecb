import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, SplError } from '../src/compiler/index.js';
import type { LookupResolver } from '../src/compiler/types.js';
import { Engine } from '../src/engine/engine.js';
import { parseCsv } from '../src/engine/lookups.js';
import { expectRows, rows, SAMPLE_DIR, SAMPLE_NOW, sqlOf } from './helpers.js';

let state: string;
let folder: string;
let engine: Engine;

function writeLookup(name: string, text: string): void {
  writeFileSync(join(folder, name), text);
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), 'spelunk-lookups-'));
  folder = join(state, 'lookups');
  mkdirSync(folder);
  // ci-deployer has two rows: a search matching it gets both teams.
  writeLookup('users.csv', 'user,team,level\nana.ops,ops,3\nsvc-backup,infra,1\nci-deployer,ci,2\nci-deployer,build,2\n');
  writeLookup('accounts.csv', 'account_id,account_name,env\n111122223333,prod,production\n222233334444,dev,development\n444455556666,security,\n');
  engine = await Engine.open({ stateDir: state });
  await engine.load([SAMPLE_DIR]);
});
afterAll(() => {
  engine.close();
  rmSync(state, { recursive: true, force: true });
});

const resolver: LookupResolver = {
  folder: '/state/lookups',
  names: () => ['accounts'],
  resolve: (name) => (name === 'accounts' ? { sql: '"__lookup_accounts"', columns: ['account_id', 'account_name', 'env'], unique: ['account_id'] } : undefined),
};

describe('lookup', () => {
  it('compiles to a join of the event keys with the loaded table, no file path in the SQL', () => {
    const sql = sqlOf('| makeresults | eval acct="111122223333" | lookup accounts account_id AS acct OUTPUT account_name AS name', { lookups: resolver });
    expect(sql).not.toMatch(/read_csv|\.csv/);
    expect(sql).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT 1795824000::DOUBLE AS "_time", range + 1 AS "__seq" FROM range(1)
      ),
      s1 AS (
        SELECT *, '111122223333' AS "acct" FROM s0
      ),
      s2 AS (
        SELECT "__seq", "acct" AS "__k0" FROM s1
      ),
      s3 AS (
        SELECT * FROM "__lookup_accounts"
      ),
      s4 AS (
        SELECT "__row", "account_name" AS "__o0", "account_id" AS "__m0" FROM s3
      ),
      s5 AS (
        SELECT l."__seq" AS "__seq", r."__row" AS "__row", r."__o0" AS "__o0"
          FROM s2 l JOIN s4 r ON l."__k0" = r."__m0"
      ),
      s6 AS (
        SELECT "__seq", first("__o0" ORDER BY "__row") AS "__o0" FROM s5
          GROUP BY "__seq"
      ),
      s7 AS (
        SELECT l.*, r."__o0" AS "name"
          FROM s1 l LEFT JOIN s6 r ON r."__seq" = l."__seq"
      )
      SELECT "_time", "acct", "name"
      FROM s7
      ORDER BY "__seq""
    `);
  });

  it('adds every other column by default, keeps unmatched rows, and is case-sensitive', async () => {
    await expectRows(engine, '* | stats count by recipientAccountId | append [| makeresults | eval recipientAccountId="PROD"] | fields - _time | lookup accounts account_id AS recipientAccountId', [
      { recipientAccountId: '111122223333', count: 370, account_name: 'prod', env: 'production' },
      { recipientAccountId: '222233334444', count: 100, account_name: 'dev', env: 'development' },
      { recipientAccountId: '444455556666', count: 45, account_name: 'security', env: null },
      { recipientAccountId: 'PROD', count: null, account_name: null, env: null },
    ]);
  });

  it('gives the distinct values of several matching rows as a multivalue field, in file order', async () => {
    await expectRows(engine, '* | stats count by userName | lookup users user AS userName OUTPUT team level | search team=*', [
      { userName: 'ana.ops', count: 13, team: ['ops'], level: ['3'] },
      { userName: 'ci-deployer', count: 12, team: ['ci', 'build'], level: ['2'] },
      { userName: 'svc-backup', count: 31, team: ['infra'], level: ['1'] },
    ]);
  });

  it('OUTPUT overwrites on a match only; OUTPUTNEW fills only null fields', async () => {
    const base = '| makeresults count=3 | streamstats count AS n | eval acct=case(n=1, "111122223333", n=2, "222233334444", n=3, "999988887777"), env=if(n=2, "mine", null()) | table acct env';
    await expectRows(engine, `${base} | lookup accounts account_id AS acct OUTPUT env`, [
      { acct: '111122223333', env: 'production' },
      { acct: '222233334444', env: 'development' },
      { acct: '999988887777', env: null },
    ]);
    await expectRows(engine, `${base} | lookup accounts account_id AS acct OUTPUTNEW env`, [
      { acct: '111122223333', env: 'production' },
      { acct: '222233334444', env: 'mine' },
      { acct: '999988887777', env: null },
    ]);
  });

  it('matches a multivalue event field on any of its values', async () => {
    await expectRows(engine, '| makeresults | eval accts=split("999988887777,222233334444,111122223333", ",") | lookup accounts account_id AS accts OUTPUT account_name | table account_name', [
      { account_name: ['prod', 'dev'] },
    ]);
  });

  it('names the missing lookup, the folder, and unknown columns', async () => {
    await expect(engine.run('| makeresults | lookup nosuch x')).rejects.toThrow(`lookup "nosuch" not found in ${folder}`);
    await expect(engine.run('| makeresults | lookup accounts acct_id')).rejects.toThrow('lookup "accounts" has no column "acct_id"');
  });
});

describe('inputlookup', () => {
  it('reads the rows in file order, with start and max', async () => {
    await expectRows(engine, '| inputlookup users.csv', [
      { user: 'ana.ops', team: 'ops', level: '3' },
      { user: 'svc-backup', team: 'infra', level: '1' },
      { user: 'ci-deployer', team: 'ci', level: '2' },
      { user: 'ci-deployer', team: 'build', level: '2' },
    ]);
    await expectRows(engine, '| inputlookup start=1 max=2 users', [
      { user: 'svc-backup', team: 'infra', level: '1' },
      { user: 'ci-deployer', team: 'ci', level: '2' },
    ]);
  });

  it('joined with max=0, a row\'s matches follow in the subsearch\'s order (they came second row first)', async () => {
    // Splunk's join keeps the subsearch's rows in their order; ci-deployer's rows are ci, then build.
    await expectRows(engine, 'user=ci-deployer | table eventID user | join max=0 user [| inputlookup users] | table eventID team', [
      { eventID: 'ed219f0f-2f51-4ede-8f11-2f66e2634620', team: 'ci' },
      { eventID: 'ed219f0f-2f51-4ede-8f11-2f66e2634620', team: 'build' },
    ]);
  });

  it('names that differ only in case are two lookups, as they are two files', async () => {
    writeLookup('Teams.csv', 'team\nupper\n');
    writeLookup('teams.csv', 'team\nlower\n');
    await expectRows(engine, '| inputlookup Teams.csv | inputlookup append=t teams.csv', [{ team: 'upper' }, { team: 'lower' }]);
  });

  it('filters with a where clause in search syntax (case-insensitive values, wildcards, OR)', async () => {
    await expectRows(engine, '| inputlookup users where user=CI-* OR team="OPS" | table team', [{ team: 'ops' }, { team: 'ci' }, { team: 'build' }]);
  });

  it('append=t adds the rows after the results; a missing lookup is then empty', async () => {
    await expectRows(engine, '| makeresults | eval user="first" | table user | inputlookup append=t users | table user team', [
      { user: 'first', team: null },
      { user: 'ana.ops', team: 'ops' },
      { user: 'svc-backup', team: 'infra' },
      { user: 'ci-deployer', team: 'ci' },
      { user: 'ci-deployer', team: 'build' },
    ]);
    await expectRows(engine, '| makeresults | eval user="first" | table user | inputlookup append=t not_there_yet', [{ user: 'first' }]);
  });

  it('a missing lookup is an error naming it and the folder', async () => {
    const err = await engine.run('| inputlookup missing_baseline').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SplError);
    expect((err as SplError).message).toBe(`lookup "missing_baseline" not found in ${folder}`);
  });
});

describe('outputlookup', () => {
  it('writes the results (multivalue cells newline-joined, _time in epoch seconds) and passes them through', async () => {
    const out = await rows(engine, '| makeresults | eval who=split("a,b", ","), note="say \\"hi\\", ok" | outputlookup written');
    expect(out).toEqual([{ _time: SAMPLE_NOW, who: ['a', 'b'], note: 'say "hi", ok' }]);
    expect(readFileSync(join(folder, 'written.csv'), 'utf8')).toBe(`_time,who,note\n${SAMPLE_NOW},"a\nb","say ""hi"", ok"\n`);
    // Read back by the same engine: the newline-separated cell is multivalue again.
    await expectRows(engine, '| inputlookup written.csv', [{ _time: String(SAMPLE_NOW), who: ['a', 'b'], note: 'say "hi", ok' }]);
  });

  it('replaces the file, or appends with append=t (the file\'s columns), visible to the next run', async () => {
    await rows(engine, '* | stats count by eventSource | head 2 | outputlookup sources.csv');
    await expectRows(engine, '| inputlookup sources', [
      { eventSource: 'cloudformation.amazonaws.com', count: '12' },
      { eventSource: 'cloudtrail.amazonaws.com', count: '4' },
    ]);
    // The outputlookup page (append, and "Append results"): append=t writes only the fields the
    // existing file has (A,C,J appended to A,D,J: C is lost, D kept). extra was added to the
    // header before, and read back by every later inputlookup and lookup.
    const appended = await engine.run('| makeresults | eval eventSource="x", extra="y" | table eventSource extra | outputlookup append=t sources');
    expect(appended.notes).toEqual(['outputlookup append=t sources: extra not written, the lookup having no such column (as in Splunk, append keeps the file\'s fields; write it without append=t to change them)']);
    await expectRows(engine, '| inputlookup sources', [
      { eventSource: 'cloudformation.amazonaws.com', count: '12' },
      { eventSource: 'cloudtrail.amazonaws.com', count: '4' },
      { eventSource: 'x', count: null },
    ]);
    expect(readFileSync(join(folder, 'sources.csv'), 'utf8')).toBe('eventSource,count\ncloudformation.amazonaws.com,12\ncloudtrail.amazonaws.com,4\nx,\n');
    // Before the end of the search too, and nothing to say when no row is appended.
    const inside = await engine.run('| makeresults | eval eventSource="z", more=1 | table eventSource more | outputlookup append=t sources | where false() | outputlookup append=t sources');
    expect(inside.notes).toEqual(['outputlookup append=t sources: more not written, the lookup having no such column (as in Splunk, append keeps the file\'s fields; write it without append=t to change them)']);
    expect(readFileSync(join(folder, 'sources.csv'), 'utf8')).toBe('eventSource,count\ncloudformation.amazonaws.com,12\ncloudtrail.amazonaws.com,4\nx,\nz,\n');
    await rows(engine, '| makeresults | eval eventSource="only" | table eventSource | outputlookup sources');
    await expectRows(engine, '| inputlookup sources', [{ eventSource: 'only' }]);
    expect(readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('with no results writes only the header, or leaves the old one (override_if_empty=f)', async () => {
    writeLookup('keep.csv', 'a\n1\n');
    await rows(engine, '| makeresults | where false() | outputlookup override_if_empty=f keep');
    expect(readFileSync(join(folder, 'keep.csv'), 'utf8')).toBe('a\n1\n');
    // A baseline that finds nothing must leave a lookup its detection can still read.
    await rows(engine, '| makeresults | where false() | eval user="x", firstTime=1 | table user firstTime | outputlookup keep');
    expect(readFileSync(join(folder, 'keep.csv'), 'utf8')).toBe('user,firstTime\n');
    await expectRows(engine, '| makeresults | eval user="u" | lookup keep user OUTPUT firstTime | table user firstTime', [{ user: 'u', firstTime: null }]);
    await rows(engine, '| makeresults | where false() | outputlookup create_empty=f keep');
    expect(existsSync(join(folder, 'keep.csv'))).toBe(false);
  });

  it('a failed write leaves the old lookup whole and no temp file behind', async () => {
    writeLookup('precious.csv', 'k\nv\n');
    // A read-only folder makes the temp file impossible: the old file must be untouched.
    chmodSync(folder, 0o555);
    try {
      if (process.getuid?.() === 0) return; // root ignores permissions
      await expect(engine.run('| makeresults | eval k="new" | table k | outputlookup precious')).rejects.toThrow('cannot write lookup "precious"');
    } finally {
      chmodSync(folder, 0o755);
    }
    expect(readFileSync(join(folder, 'precious.csv'), 'utf8')).toBe('k\nv\n');
    expect(readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  // Splunk Search Reference, outputlookup: it writes the results and passes them on, so it may
  // stand anywhere, subsearches included (https://help.splunk.com/en/splunk-enterprise/spl-search-reference/10.0/search-commands/outputlookup).
  it('anywhere in the pipeline: writes the rows it sees and passes them on', async () => {
    await expectRows(engine, '* | stats count by eventSource | head 2 | outputlookup mid_sources | stats count', [{ count: 2 }]);
    await expectRows(engine, '| inputlookup mid_sources', [
      { eventSource: 'cloudformation.amazonaws.com', count: '12' },
      { eventSource: 'cloudtrail.amazonaws.com', count: '4' },
    ]);
    // Two in one search, each with its own rows and options.
    await expectRows(engine, '| makeresults count=3 | streamstats count as n | table n | outputlookup all_n | where n>1 | outputlookup max=1 big_n | stats sum(n) as total', [{ total: 5 }]);
    expect(readFileSync(join(folder, 'all_n.csv'), 'utf8')).toBe('n\n1\n2\n3\n');
    expect(readFileSync(join(folder, 'big_n.csv'), 'utf8')).toBe('n\n2\n');
  });

  it('inside a subsearch: the subsearch\'s rows are written, the outer search runs on', async () => {
    await expectRows(
      engine,
      '* | stats count by eventSource | join eventSource [search eventName=StopLogging | stats count as stops by eventSource | outputlookup sub_stops] | table eventSource count stops',
      [{ eventSource: "cloudtrail.amazonaws.com", count: 4, stops: 1 }],
    );
    await expectRows(engine, '| inputlookup sub_stops', [{ eventSource: "cloudtrail.amazonaws.com", stops: "1" }]);
  });

  it('the SQL of the search reads on as if it were not there; the write has its own query', () => {
    const compiled = compile('| makeresults | eval k=1 | outputlookup x | eval y=2', { now: SAMPLE_NOW });
    expect(compiled.sql).not.toMatch(/outputlookup|\.csv/);
    expect(compiled.output).toBeUndefined();
    expect(compiled.writes).toEqual([expect.objectContaining({ name: 'x', append: false, columns: ['_time', 'k'] })]);
    expect(compiled.writes![0]!.sql).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT 1795824000::DOUBLE AS "_time", range + 1 AS "__seq" FROM range(1)
      ),
      s1 AS (
        SELECT *, 1::DOUBLE AS "k" FROM s0
      )
      SELECT "_time", "k"
      FROM s1
      ORDER BY "__seq""
    `);
    expect(compile('| makeresults | outputlookup x', { now: SAMPLE_NOW }).writes).toBeUndefined();
  });
});

describe('lookup names stay inside the lookups folder', () => {
  it('refuses ../, absolute paths, separators and symlinks that point outside', async () => {
    const outside = join(state, 'secret.csv');
    writeFileSync(outside, 'a\n1\n');
    symlinkSync(outside, join(folder, 'escape.csv'));
    for (const [spl, message] of [
      ['| inputlookup ../secret', 'invalid lookup name "../secret"'],
      ['| inputlookup /etc/passwd', 'invalid lookup name "/etc/passwd"'],
      ['| makeresults | lookup sub\\x a', 'invalid lookup name'],
      ['| makeresults | outputlookup ../x', 'invalid lookup name "../x"'],
      ['| inputlookup escape', `lookup "escape" is a symbolic link to ${outside}, outside the lookups folder`],
      ['| makeresults | outputlookup escape', 'outside the lookups folder'],
    ] as const) {
      const err = await engine.run(spl).catch((e: unknown) => e);
      expect(err, spl).toBeInstanceOf(SplError);
      expect((err as SplError).message, spl).toContain(message);
    }
    expect(readFileSync(outside, 'utf8')).toBe('a\n1\n');
    expect(existsSync(join(state, 'x.csv'))).toBe(false);
  });
});

describe('CSV parsing', () => {
  it('reads quotes, doubled quotes, newlines in cells, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x,1","say ""hi""\nthere"\r\n,\n').records).toEqual([['a', 'b'], ['x,1', 'say "hi"\nthere'], ['', '']]);
  });
});

describe('explain without the lookups a search names', () => {
  const none: LookupResolver = { resolve: () => undefined, names: () => [] };
  it('an empty placeholder with the columns the search names stands in, with a note', () => {
    const compiled = compile('* | lookup baseline user OUTPUT firstTime as ft | inputlookup append=t other | table user ft', { now: SAMPLE_NOW, lookups: none, placeholderLookups: true });
    expect(compiled.sql).toContain('FROM (SELECT CAST(NULL AS VARCHAR) AS "user", CAST(NULL AS VARCHAR) AS "firstTime^5", CAST(0 AS BIGINT) AS "__row" WHERE false) AS "placeholder for lookup baseline"');
    expect(compiled.notes).toEqual(['lookup "baseline" not found: an empty placeholder with the columns the search names stands in for it']);
    expect(compiled.columns).toEqual(['user', 'ft']);
    expect(() => compile('* | lookup baseline user', { now: SAMPLE_NOW, lookups: none })).toThrow('lookup "baseline" not found');
  });
});
