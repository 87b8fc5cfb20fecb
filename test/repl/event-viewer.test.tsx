// The event viewer and the event list: issue 14's "Event viewer".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { buildTree, eventLines, eventSummary, initiallyUnfolded } from '../../src/repl/event-view.js';
import { addTerm, filterTerm } from '../../src/repl/search-edit.js';
import { sampleEngine } from '../helpers.js';
import { KEY, startRepl, waitFor } from './harness.js';

const EVENT = {
  eventName: 'AssumeRole',
  userIdentity: { type: 'AWSAccount', principalId: 'AIDA:ops', accountId: '999988887777' },
  requestParameters: { roleArn: 'arn:aws:iam::111122223333:role/ops-sync-role', policy: 'x'.repeat(70) },
  resources: [{ ARN: 'arn:aws:iam::111122223333:role/ops-sync-role', accountId: '111122223333' }],
  readOnly: true,
  errorCode: null,
};

describe('the event as pretty JSON', () => {
  it('names each value by its SPL field, arrays as {}', () => {
    const root = buildTree(EVENT);
    const arn = root.children.find((c) => c.key === 'resources')!.children[0]!.children[0]!;
    expect(arn.field).toBe('resources{}.ARN');
    expect(root.children.find((c) => c.key === 'userIdentity')!.children[2]!.field).toBe('userIdentity.accountId');
  });
  it('wraps long strings under themselves, never cuts them, and folds what is folded', () => {
    const root = buildTree(EVENT);
    const lines = eventLines(root, initiallyUnfolded(root), 50).map((l) => l.pieces.map((p) => p.text).join(''));
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(50);
    const policy = lines.findIndex((l) => l.includes('"policy"'));
    expect(lines.slice(policy, policy + 3).join('').replace(/\s+/g, '')).toContain(`"policy":"${'x'.repeat(70)}"`);
    expect(lines).toContain('  "readOnly": true,');
    expect(lines).toContain('  "errorCode": null');
    const folded = eventLines(root, new Set(['']), 80).map((l) => l.pieces.map((p) => p.text).join(''));
    expect(folded).toContain('  "userIdentity": {…} 3 keys,');
    expect(folded).toContain('  "resources": […] 1 item,');
  });
  it('shows control characters in values as escapes', () => {
    const lines = eventLines(buildTree({ userAgent: 'a\x1b]52;c;aGk=\x07b\x9b' }), new Set(['']), 80).map((l) => l.pieces.map((p) => p.text).join(''));
    expect(lines[1]).toBe('  "userAgent": "a\\u001b]52;c;aGk=\\u0007b\\x9b"');
  });
  it('sums an event up in one line, most telling first', () => {
    expect(eventSummary({ ...EVENT, errorCode: 'AccessDenied', sourceIPAddress: '185.220.101.47', eventSource: 'sts.amazonaws.com', awsRegion: 'us-east-1' }))
      .toBe('AssumeRole  ops (AWSAccount)  roleArn=arn:aws:iam::111122223333:role/ops-sync-role  error AccessDenied  from 185.220.101.47  sts  us-east-1');
  });
});

describe('adding a value to the search', () => {
  it('goes into the first search clause, before the first pipe, past macros and subsearches', () => {
    expect(addTerm('eventName=CreateRole | table _time user', 'user=svc-backup')).toBe('eventName=CreateRole user=svc-backup | table _time user');
    expect(addTerm('`cloudtrail` [search x | head 1] | stats count', 'src=1.2.3.4')).toBe('`cloudtrail` [search x | head 1] src=1.2.3.4 | stats count');
    expect(addTerm('eventName=X', 'NOT a=b')).toBe('eventName=X NOT a=b');
    expect(addTerm('| inputlookup x.csv', 'a=b')).toBe('| inputlookup x.csv\n| search a=b');
  });
  it('quotes values that need it, and excludes with NOT so events without the field stay', () => {
    expect(filterTerm('userAgent', 'aws-cli/2.0 Python/3.9', false)).toBe('userAgent="aws-cli/2.0 Python/3.9"');
    expect(filterTerm('errorCode', 'AccessDenied', true)).toBe('NOT errorCode=AccessDenied');
    expect(filterTerm('resources{}.ARN', 'arn:aws:iam::1:role/a', false)).toBe('resources{}.ARN=arn:aws:iam::1:role/a');
    expect(filterTerm('odd key', 'x', false)).toBeNull();
  });
});

describe('the event viewer in the REPL', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await sampleEngine();
  });
  afterAll(() => engine.close());

  it('lists a bare search as time and summary, opens an event with Enter, and adds a value with +', async () => {
    const { ui, screen, type, run, session } = await startRepl(engine, { height: 30 });
    const list = await run('eventName=CreateRole', (s) => s.includes('4 results'));
    expect(list).toMatch(/_time +event\n/);
    expect(list).toContain('2026-11-27 02:09:12  CreateRole  svc-backup (IAMUser)  roleName=ops-sync-role  from 185.220.101.47');
    await type(KEY.pgdn);
    await type(KEY.enter);
    const viewer = await waitFor(screen, (s) => s.includes('event 1 of 4 · 2026-11-27 02:09:12 UTC'), 'the viewer');
    expect(viewer).toContain('"arn": "arn:aws:iam::111122223333:user/svc-backup",');
    expect(viewer).toMatch(/"assumeRolePolicyDocument": "\{\\n  \\"Version\\"/);
    // userIdentity, then into it: type, principalId, arn.
    await type(KEY.down);
    await type(KEY.right);
    for (let i = 0; i < 2; i++) await type(KEY.down);
    await waitFor(screen, (s) => s.includes('userIdentity.arn · lines'), 'userIdentity.arn selected');
    await type('+');
    await waitFor(screen, (s) => s.includes('> eventName=CreateRole userIdentity.arn=arn:aws:iam::111122223333:user/svc-backup\n'), 'the narrowed search');
    await waitFor(screen, () => session.last?.rows.length === 1 && !screen().includes('running…'), 'its result');
    ui.unmount();
  });

  it('excludes with -, steps through rows with ] and [, copies with c, and folds with ←', async () => {
    const { ui, screen, type, run, session } = await startRepl(engine, { height: 30 });
    await run('eventName=CreateRole | table _time eventName errorCode eventID', (s) => s.includes('4 results'));
    await run(':event 2', (s) => s.includes('event 2 of 4'));
    await type(']');
    await waitFor(screen, (s) => s.includes('event 3 of 4'), 'the next event');
    await type('[');
    await type('[');
    await waitFor(screen, (s) => s.includes('event 1 of 4'), 'the first event');
    await type(KEY.down);
    expect(screen()).toContain('  "userIdentity": {');
    await type(KEY.left);
    expect(screen()).toContain('  "userIdentity": {…} 6 keys,');
    const frames = ui.frames.length;
    await type(KEY.down);
    await type('c');
    expect(ui.frames.slice(frames).some((f) => f.startsWith(`\x1b]52;c;${Buffer.from('2026-11-27T02:09:12Z').toString('base64')}\x07`))).toBe(true);
    expect(screen()).toContain('copied eventTime: 2026-11-27T02:09:12Z');
    for (let i = 0; i < 2; i++) await type(KEY.down);
    await type('-');
    await waitFor(screen, (s) => s.includes('> eventName=CreateRole NOT eventName=CreateRole | table _time eventName errorCode eventID'), 'the excluding search');
    await waitFor(screen, () => session.last?.rows.length === 0, 'no rows');
    ui.unmount();
  });

  it('shows a row without an event as its own fields', async () => {
    const { ui, screen, run } = await startRepl(engine, { height: 30 });
    // By the caller's ARN: the add-on's user of a CreateRole is userIdentity.userName, which the
    // three role sessions among the four callers do not have.
    await run('eventName=CreateRole | stats count by userIdentity.arn', (s) => s.includes('4 results'));
    const s = await run(':event 1', (x) => x.includes('row 1 of 4'));
    expect(s).toContain("row 1 of 4 (the search's own fields: the row has no event behind it)");
    expect(screen()).toContain('"count": 1');
    ui.unmount();
  });
});
