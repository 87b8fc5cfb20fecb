// Issue 14: `:save ID [title]` writes the last search into the user's own queries folder (in the
// state folder), listed by :queries and `spelunk queries`, its $name$ tokens kept; it never
// replaces a saved search without asking, and ids are safe file names.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { parseQuery } from '../../src/engine/queries.js';
import { checkId, savedQueryText } from '../../src/repl/save-search.js';
import type { Outcome } from '../../src/repl/outcome.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_DIR, SAMPLE_NOW } from '../helpers.js';
import { KEY, startRepl, waitFor } from './harness.js';

const text = (outcomes: Outcome[]) => outcomes.flatMap((o) => (o.kind === 'lines' ? o.lines.map((l) => l.text) : []));

describe('the saved file', () => {
  it('keeps the $name$ tokens with their descriptions, and reads back as a saved query', () => {
    const t = savedQueryText({
      id: 'ip_then_calls', title: 'Calls from an address', spl: '`cloudtrail` sourceIPAddress=$ip$\n| stats count by eventName',
      parameters: [{ name: 'ip', description: 'a source IP address' }], range: '-7d..now', savedAt: new Date('2026-12-06T03:00:00.123Z'),
    });
    expect(t).toBe([
      '# title: Calls from an address',
      '# type: investigation',
      '# description: Saved from the spelunk REPL at 2026-12-06T03:00:00Z; it ran over the time range -7d..now.',
      '# parameters:',
      '#   ip: a source IP address',
      '`cloudtrail` sourceIPAddress=$ip$',
      '| stats count by eventName',
      '',
    ].join('\n'));
    const q = parseQuery(t, 'ip_then_calls.spl');
    expect(q).toMatchObject({ id: 'ip_then_calls', type: 'investigation', parameters: [{ name: 'ip', description: 'a source IP address' }] });
    expect(parseQuery(savedQueryText({ id: 'x', spl: 'eventName=CreateRole', savedAt: new Date(0) }), 'x.spl')).toMatchObject({ title: 'x', type: 'hunting' });
  });

  it('refuses ids that are not safe file names', () => {
    for (const id of ['../evil', 'a/b', '.hidden', 'My Search', 'x.spl', '', 'a'.repeat(81), 'con\u0000']) {
      expect(() => checkId(id), id).toThrow(/takes lower-case letters, digits and _/);
    }
    expect(() => checkId('My Search')).toThrow(/e\.g\. my_search\)/);
    expect(() => checkId('new_pair_2')).not.toThrow();
  });
});

describe(':save in a session', () => {
  let engine: Engine;
  const state = mkdtempSync(join(tmpdir(), 'spelunk-state-'));
  const saved = join(state, 'queries');
  beforeAll(async () => {
    engine = await Engine.open({ stateDir: state });
    await engine.load([SAMPLE_DIR]);
  });
  afterAll(() => engine.close());

  it('saves a search run from a saved one with its tokens; :queries and :run find it', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW, savedQueriesDir: saved });
    expect(text(await session.execute(':save nothing_yet'))).toEqual(['no search to save yet: :save ID saves the last search you ran']);
    await session.execute(':run aws_activity_from_ip ip=185.220.101.47');
    const before = session.last!.rows.length;
    expect(text(await session.execute(':save from_address Activity from one address'))).toEqual([`saved to ${join(saved, 'from_address.spl')}: :run from_address ip=… runs it`]);
    const file = readFileSync(join(saved, 'from_address.spl'), 'utf8');
    expect(file).toContain('`cloudtrail` sourceIPAddress=$ip$\n| `aws_activity_table`\n');
    expect(file).toContain('#   ip: a source IP address');
    expect(text(await session.execute(':queries'))).toContain('  from_address                  Activity from one address  (ip=…)  [saved]');
    const again = await session.execute(':run from_address ip=185.220.101.47');
    expect(again[0]!.kind === 'result' && again[0]!.result.rows.length).toBe(before);
    // A bundled id is never taken.
    expect(text(await session.execute(':save aws_activity_from_ip'))[0]).toMatch(/^aws_activity_from_ip is a bundled search \(.*\): choose another id$/);
    expect(text(await session.execute(':save ../x'))[0]).toMatch(/^cannot save as "\.\.\/x"/);
  });

  it('asks before replacing a saved search; a script, which cannot answer, keeps the old one', async () => {
    const session = new Session(engine, { now: SAMPLE_NOW, savedQueriesDir: saved });
    await session.execute('eventName=CreateRole | stats count by userName');
    await session.execute(':save roles_by_user');
    await session.execute('eventName=DeleteTrail');
    const asked = await session.execute(':save roles_by_user');
    expect(asked).toEqual([{ kind: 'confirm', question: 'roles_by_user is saved already: replace it? (y/N)', yes: ':save --replace roles_by_user', no: 'not saved: roles_by_user exists (:save --replace roles_by_user replaces it)' }]);
    expect(readFileSync(join(saved, 'roles_by_user.spl'), 'utf8')).toContain('\neventName=CreateRole | stats count by userName\n');
    await session.execute(':save --replace roles_by_user');
    expect(readFileSync(join(saved, 'roles_by_user.spl'), 'utf8')).toContain('\neventName=DeleteTrail\n');
  });

  it('in the REPL: y replaces, anything else keeps', async () => {
    const { ui, screen, run, type } = await startRepl(engine, { session: { savedQueriesDir: saved } });
    await run('eventName=ConsoleLogin', (s) => s.includes('results in'));
    await run(':save logins Console logins', (s) => s.includes('saved to'));
    await run('eventName=ConsoleLogin errorCode=*', (s) => s.split('errorCode=*')[1]?.includes('results in') ?? false);
    await type(':save logins');
    await type(KEY.enter);
    await waitFor(screen, (s) => s.includes('logins is saved already: replace it? (y/N)'), 'the question');
    await type('n');
    await waitFor(screen, (s) => s.includes('not saved: logins exists'), 'the refusal');
    expect(readFileSync(join(saved, 'logins.spl'), 'utf8')).toMatch(/\neventName=ConsoleLogin\n$/);
    await type(':save logins');
    await type(KEY.enter);
    await waitFor(screen, (s) => s.split('not saved')[1]?.includes('replace it? (y/N)') ?? false, 'the question again');
    await type('y');
    await waitFor(screen, (s) => s.includes('> :save --replace logins'), 'the replacement');
    await waitFor(() => readFileSync(join(saved, 'logins.spl'), 'utf8'), (f) => f.endsWith('\neventName=ConsoleLogin errorCode=*\n'), 'the file replaced');
    ui.unmount();
  });

  it('spelunk queries lists it and spelunk run runs it, with --state', () => {
    expect(existsSync(join(saved, 'from_address.spl'))).toBe(true);
    const list = spawnSync('node', ['bin/spelunk.js', 'queries', '--state', state, '--format', 'json'], { encoding: 'utf8', timeout: 60_000 });
    const ids = (JSON.parse(list.stdout) as { id: string; file: string }[]).map((q) => q.id);
    expect(ids).toEqual(expect.arrayContaining(['from_address', 'roles_by_user', 'aws_activity_from_ip']));
    const r = spawnSync('node', ['bin/spelunk.js', 'run', 'from_address', '--state', state, '--param', 'ip=185.220.101.47', '--data', SAMPLE_DIR, '--no-cache', '--now', '2026-11-28T00:00:00Z', '--format', 'csv'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('_time,recipientAccountId,awsRegion,eventSource,eventName,errorCode,caller_type,caller,user_arn,userIdentity.accessKeyId,src,user_agent,eventID');
  }, 120_000);
});
