// Search macros: macros.conf stanzas with arguments, the bundled file overridden by a user's,
// undefined *_filter macros, and unknown macros.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDiagnostic, SplError } from '../grammar/diagnostics.js';
import { bundledMacrosFile, Engine, loadMacros } from '../src/engine/engine.js';
import { compile } from '../src/compiler/index.js';
import { expectRows, SAMPLE_DIR, SAMPLE_NOW } from './helpers.js';

const USER_FILE = 'fixtures/language/macros-user.conf';
let bundled: Engine;
let local: Engine;
beforeAll(async () => {
  bundled = await Engine.open();
  await bundled.load([SAMPLE_DIR]);
  local = await Engine.open({ macroFiles: [USER_FILE] });
  await local.load([SAMPLE_DIR]);
});
afterAll(() => {
  bundled.close();
  local.close();
});

function message(spl: string, files: string[]): string {
  try {
    compile(spl, { now: SAMPLE_NOW, macros: loadMacros(files) });
  } catch (err) {
    if (err instanceof SplError) return renderDiagnostic(err.text ?? spl, err.diagnostic);
    throw err;
  }
  throw new Error('expected an error');
}

describe('macros', () => {
  it('the bundled queries/macros.conf, and a user file that overrides it', async () => {
    await expectRows(bundled, '`cloudtrail` | stats count', [{ count: 515 }]);
    await expectRows(local, '`cloudtrail` | stats count', [{ count: 8 }]);
  });

  it('arguments fill $name$, one or several, with continuation lines', async () => {
    await expectRows(local, '`by_user(dev.sam)` eventName=GetSessionToken | stats count', [{ count: 2 }]);
    await expectRows(local, '`event_by(CreateAccessKey, svc-backup)` | table eventID', [{ eventID: 'ed219f0f-2f51-4ede-8f11-2f66e2634620' }]);
  });

  it('expands before parsing', () => {
    expect(compile('`event_by(AssumeRole, "a b")`', { now: SAMPLE_NOW, macros: loadMacros([USER_FILE]) }).sql).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("eventName" ILIKE 'AssumeRole', false) AND coalesce("__p_userIdentity.userName" ILIKE 'a b', false)
      )
      SELECT "_time", "_raw"
      FROM s0
      ORDER BY "__seq""
    `);
  });

  it('an undefined *_filter macro is `search *`', async () => {
    await expectRows(bundled, 'eventName=AssumeRole | `aws_cloudtrail_filter` | stats count', [{ count: 101 }]);
  });

  it('an unknown macro is an error naming the nearest known ones', () => {
    expect(message('`by_usr(dev.sam)` | stats count', [bundledMacrosFile(), USER_FILE])).toMatchInlineSnapshot(`
      "error: unknown macro by_usr(1) (line 1, column 1)
        \`by_usr(dev.sam)\` | stats count
        ^^^^^^^^^^^^^^^^^
      hint: did you mean by_user(1)?"
    `);
    expect(message('`by_user` | stats count', [USER_FILE])).toMatchInlineSnapshot(`
      "error: unknown macro by_user (defined with by_user(1)) (line 1, column 1)
        \`by_user\` | stats count
        ^^^^^^^^^
      hint: did you mean by_user(1)?"
    `);
  });
});

describe('parameters', () => {
  it('$$ is a literal dollar sign, never a parameter', async () => {
    const engine = await Engine.open();
    try {
      await expectRows(engine, '| makeresults | eval price="$$5 and $$user$$" | table price', [{ price: '$5 and $user$' }]);
      await expectRows(engine, '| makeresults | eval who=$who$ | table who', [{ who: 'a"b' }], { params: { who: 'a"b' } });
    } finally {
      engine.close();
    }
  });
});
