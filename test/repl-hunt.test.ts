// `:hunt` in the REPL: the same hunt as `spelunk hunt`, its result the principal summary, which
// `:pivot` then works from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSessionCommand } from '../src/repl/session-commands.js';
import { Session } from '../src/repl/session.js';
import { sampleEngine, SAMPLE_NOW } from './helpers.js';
import type { Engine } from '../src/engine/engine.js';

let engine: Engine;
let session: Session;
beforeAll(async () => {
  engine = await sampleEngine();
  session = new Session(engine, { now: SAMPLE_NOW });
});
afterAll(() => engine.close());

describe(':hunt', () => {
  it('parses with no arguments', () => {
    expect(parseSessionCommand(':hunt')).toEqual({ kind: 'hunt' });
    expect(() => parseSessionCommand(':hunt x')).toThrow(':hunt takes no arguments');
  });

  it('lists each search, then shows who is behind the hits, highest score first', async () => {
    const [listing, result] = await session.execute(':hunt');
    expect(listing!.kind === 'lines' && listing!.lines.map((l) => l.text)).toEqual([
      'AWS cross-account activity from a previously unseen account [detection]: 1 result',
      'AWS IAM policy attached to a role [hunting]: 3 results',
      'AWS permanent access key created by an IAM user [hunting]: 3 results',
      'AWS IAM role another account may assume, created or changed [hunting]: 2 results',
      'AWS STS AssumeRole calls [hunting]: 34 results',
      'AWS STS GetSessionToken by IAM users [hunting]: 8 results',
    ]);
    expect(result!.kind).toBe('result');
    const rows = result!.kind === 'result' ? result!.result.rows : [];
    // The outside account: the new-pair detection (medium, 50) and the AssumeRole listing (5).
    expect(rows[0]).toEqual({
      score: 55,
      principal: null,
      account: '999988887777',
      results: 3,
      first: '2026-11-27T02:31:05Z',
      last: '2026-11-27T14:12:50Z',
      techniques: ['T1078'],
      searches: ['AWS cross-account activity from a previously unseen account', 'AWS STS AssumeRole calls'],
    });
    expect(rows[1]).toMatchObject({ score: 20, principal: 'arn:aws:iam::111122223333:user/svc-backup', results: 4 });
  });

  it(':pivot works from the summary: the principal ARN opens its investigation', async () => {
    await session.execute(':hunt');
    const options = session.pivotOptions(2);
    expect(options.map((o) => o.query.id)).toContain('aws_investigate_user_arn');
  });
});
