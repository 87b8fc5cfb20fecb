// The fixture content and rules over the whole Stratus Red Team sample in ../shared/data (one
// file per attack technique): each technique they cover is found, and only those.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../src/engine/content/index.js';
import { runHunt, type SearchOutcome } from '../src/engine/content/runner.js';
import { Engine } from '../src/engine/engine.js';

const SHARED = [join(process.cwd(), '..', 'shared', 'data', 'stratus-red-team'), '/work/shared/data/stratus-red-team'].find((d) => existsSync(d));

describe.skipIf(!SHARED)('fixture content on the Stratus Red Team sample', () => {
  let engine: Engine;
  let outcomes: SearchOutcome[];
  beforeAll(async () => {
    const set = loadContent(['fixtures/content/security_content'], ['fixtures/content/sigma']);
    engine = await Engine.open({ contentMacros: set.macros, contentLookups: set.lookups, stateDir: mkdtempSync(join(tmpdir(), 'spelunk-stratus-')) });
    await engine.load([SHARED!]);
    outcomes = await runHunt(engine, set.searches, set.baselines, { now: Date.parse('2024-08-10T00:00:00Z') / 1000 });
  });
  afterAll(() => engine?.close());

  const hits = (title: string) => {
    const o = outcomes.find((x) => x.search.title === title)!;
    expect(o.error, title).toBeUndefined();
    return o.rows;
  };

  it('defense evasion: the trail stopped (cloudtrail-stop) and deleted (cloudtrail-delete)', () => {
    // Newest first, as a search lists events.
    expect(hits('Trail deleted or stopped').map((r) => [r.eventName, r['userIdentity.arn']])).toEqual([
      ['StopLogging', 'arn:aws:iam::143434273843:user/christophe'],
      ['DeleteTrail', 'arn:aws:iam::847129010505:user/christophe'],
    ]);
  });

  it('persistence: the administrator policy attached to the created user (iam-create-admin-user)', () => {
    expect(hits('AWS Admin Policy Attached To Unapproved Identity')).toEqual([
      { 'userIdentity.arn': 'arn:aws:iam::229654561268:user/christophe', eventName: 'AttachUserPolicy', 'requestParameters.policyArn': 'arn:aws:iam::aws:policy/AdministratorAccess', count: 1, firstTime: '2024-08-01T13:33:28', lastTime: '2024-08-01T13:33:28' },
    ]);
  });

  it('initial access: the console login without MFA (console-login-without-mfa), by both the detection and the rule', () => {
    expect(hits('AWS Console Login From Unseen IP').map((r) => r['userIdentity.arn'])).toEqual(['arn:aws:iam::562283505220:user/stratus-red-team-nmfalu-jfzdtsvchl']);
    expect(hits('Console login without MFA').map((r) => r['userIdentity.arn'])).toEqual(['arn:aws:iam::562283505220:user/stratus-red-team-nmfalu-jfzdtsvchl']);
  });
});
