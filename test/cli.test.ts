// The command line as a user meets it: exit statuses, formats, a pipe closed early.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function spelunk(args: string[], shell?: string) {
  const r = shell
    ? spawnSync('bash', ['-c', shell], { encoding: 'utf8' })
    : spawnSync('node', ['bin/spelunk.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('spelunk explain', () => {
  it('shows placeholders for data-dependent columns without data, and the real columns with --data', () => {
    const spl = '* | timechart span=1d count by action limit=2';
    const bare = spelunk(['explain', spl]);
    expect(bare.status).toBe(0);
    expect(bare.stdout).toContain('discovered when the search runs');
    const withData = spelunk(['explain', spl, '--data', 'fixtures/sample', '--no-cache', '--quiet']);
    expect(withData.status).toBe(0);
    // The add-on's action is empty for the calls its lookup does not list: their column is NULL.
    expect(withData.stdout).toContain('SELECT "_time", "read", "success", "NULL", "OTHER"');
  });

  it('says, without data, that the SQL leaves out a dedup by eventID that data with copies keeps', () => {
    const spl = '* | dedup eventID | table eventID';
    const bare = spelunk(['explain', spl]);
    expect(bare.status).toBe(0);
    expect(bare.stdout).not.toContain('GROUP BY');
    expect(bare.stdout).toContain('-- note: no data given: `dedup eventID` is left out of this SQL');
    // Two trails deliver the same call: its eventID repeats, and the SQL keeps the dedup.
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-explain-'));
    const call = { eventVersion: '1.09', eventTime: '2026-11-27T02:10:00Z', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', eventID: 'e1', awsRegion: 'us-east-1' };
    for (const trail of ['a.json', 'b.json']) writeFileSync(join(dir, trail), JSON.stringify({ Records: [call] }));
    const withCopies = spelunk(['explain', spl, '--data', dir, '--no-cache', '--quiet']);
    rmSync(dir, { recursive: true, force: true });
    expect(withCopies.status).toBe(0);
    expect(withCopies.stdout).toContain('GROUP BY "eventID"');
    expect(withCopies.stdout).not.toContain('no data given');
  });

  it('lists each result field with its type and origin before the SQL', () => {
    const out = spelunk(['explain', '* | stats count by user, userIdentity.arn | rename userIdentity.arn as arn']);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^-- field  type    origin\n-- user   string  add-on user\n-- arn    string  raw userIdentity.arn\n-- count  number  computed\nWITH /);
  });
});

describe('--addon', () => {
  it('picks the add-on profile: 5 puts AssumeRole in the Authentication data model, 7.10 (the default) does not', () => {
    const spl = '| tstats count from datamodel=Authentication where Authentication.signature=AssumeRole';
    const v5 = spelunk(['run', spl, '--data', 'fixtures/sample', '--no-cache', '--quiet', '--format', 'jsonl', '--addon', '5']);
    expect(v5.status).toBe(0);
    expect(v5.stdout).toBe('{"count":101}\n');
    const v710 = spelunk(['run', spl, '--data', 'fixtures/sample', '--no-cache', '--quiet', '--format', 'jsonl']);
    expect(v710.stdout).toBe('{"count":0}\n');
    expect(spelunk(['explain', spl, '--addon=7.10']).status).toBe(0);
  });

  // fixtures/addon: 3 ConsoleLogin and 5 AssumeRole events. Add-on 7.10 tags only the console logins
  // authentication; 5.x also tagged aws_cloudtrail_auth (AssumeRole*) so.
  it('reaches the REPL (script mode)', () => {
    const spl = '| tstats count from datamodel=Authentication by Authentication.signature';
    const repl = (...flags: string[]) => spawnSync('node', ['bin/spelunk.js', 'repl', '--data', 'fixtures/addon', '--no-cache', '--format', 'csv', ...flags], { input: `${spl}\n`, encoding: 'utf8' });
    const v5 = repl('--addon', '5');
    expect(v5.status).toBe(0);
    expect(v5.stdout).toBe('Authentication.signature,count\nAssumeRole,5\nConsoleLogin,3\n');
    expect(repl().stdout).toBe('Authentication.signature,count\nConsoleLogin,3\n');
  });

  it("says a result's notes in script mode, as run does (a cap that cut rows, a field nothing defines); it said none before", () => {
    const input = '| makeresults count=10005 | streamstats count as n | sort - n | stats count\n| makeresults | eval x=usr\n';
    const r = spawnSync('node', ['bin/spelunk.js', 'repl', '--no-cache', '--format', 'csv'], { input, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('count\n10000\n');
    expect(r.stderr).toContain("note: sort kept the first 10,000 results, as Splunk's sort does without a count: `sort 0 ...` keeps them all\n");
    expect(r.stderr).toMatch(/note: field usr does not exist where the search reads it .*: it is null on every row/);
  });

  it('reaches hunt --content: a published tstats detection over Authentication', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-addon-content-'));
    try {
      mkdirSync(join(dir, 'detections', 'cloud'), { recursive: true });
      writeFileSync(join(dir, 'detections', 'cloud', 'assumed_roles.yml'), [
        'name: AWS Roles Assumed', 'id: 5a1c0de0-0000-4000-8000-000000000017', 'version: 1', 'status: production', 'type: Hunting',
        'data_source:', '- AWS CloudTrail AssumeRole',
        "search: '| tstats count from datamodel=Authentication where Authentication.signature=AssumeRole by Authentication.user'", '',
      ].join('\n'));
      const hunt = (...flags: string[]) => {
        const r = spelunk(['hunt', '--content', dir, '--no-queries', '--data', 'fixtures/addon', '--no-cache', '--quiet', '--format', 'json', ...flags]);
        expect(r.status, r.stderr).toBe(0);
        return (JSON.parse(r.stdout) as { title: string; results: unknown[] }[]).find((o) => o.title === 'AWS Roles Assumed')!.results;
      };
      // user of AssumeRole: the session in responseElements.assumedRoleUser.arn, the role name for
      // role chaining; the refused call and the AWS service's have none ("unknown", the CIM fill).
      expect(hunt('--addon', '5')).toEqual([
        { 'Authentication.user': 'carol-deploy', count: 1 },
        { 'Authentication.user': 'night-sync', count: 1 },
        { 'Authentication.user': 'release-role', count: 1 },
        { 'Authentication.user': 'unknown', count: 2 },
      ]);
      expect(hunt()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown profile is a usage error (exit 2), before any data is read', () => {
    const r = spelunk(['run', 'eventName=AssumeRole', '--addon', '6', '--data', 'does-not-exist']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--addon must be one of 7.10, 5, not "6"');
    expect(r.stderr).not.toContain('does-not-exist');
  });
});

describe('spelunk run', () => {
  it('prints jsonl in column order, nulls left out, multivalue as arrays', () => {
    const r = spelunk(['run', 'eventName=CreateAccessKey result_id=* | table userIdentity.userName errorCode resources{}.accountId', '--data', 'fixtures/sample', '--format', 'jsonl', '--no-cache']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"userIdentity.userName":"dev.sam","errorCode":"AccessDenied"}\n');
  });

  it('writes a multivalue field of one value as that value in JSON, as Splunk does (one value is one value: mvcount is 1), an empty one not at all, two or more as an array', () => {
    // Splunk's Multivalue eval functions page: "If the field contains a single value, this function returns 1."
    const spl = 'eventName=AssumeRole | stats values(eventSource) as one values(recipientAccountId) as many count | eval none=mvfilter(one=="x"), dest_one=mvappend(one)';
    const r = spelunk(['run', spl, '--data', 'fixtures/sample', '--format', 'jsonl', '--no-cache', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"one":"sts.amazonaws.com","many":["111122223333","222233334444","444455556666"],"count":101,"dest_one":"sts.amazonaws.com"}\n');
  });

  it('exits 2 with a caret on a syntax error, before reading data', () => {
    const r = spelunk(['run', 'eventName=X | stats count by', '--data', 'does-not-exist']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('^');
    expect(r.stderr).not.toContain('does-not-exist');
  });

  it('exits quietly when the reader closes the pipe early', () => {
    const r = spelunk([], "node bin/spelunk.js run '| makeresults count=200000 | eval x=\"abcdefghij\"' --format csv | head -1; echo \"status=${PIPESTATUS[0]}\"");
    expect(r.stdout).toBe('_time,x\nstatus=0\n');
    expect(r.stderr).not.toContain('EPIPE');
  });
});

describe('the command as installed (bin/spelunk.js)', () => {
  // React's own build choice: react-reconciler loads its development build unless NODE_ENV is
  // "production" (its package's index.js). The development build doubled the REPL's redraw per
  // keystroke (test/bench/README.md, fourteenth session): an analyst's terminal gets production.
  const envAtExit = (env: NodeJS.ProcessEnv) => {
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-env-'));
    try {
      const hook = join(dir, 'hook.mjs');
      writeFileSync(hook, 'process.on("exit", () => process.stderr.write(`NODE_ENV=${process.env.NODE_ENV}\\n`));\n');
      const r = spawnSync('node', ['--import', hook, 'bin/spelunk.js', '--version'], { encoding: 'utf8', env });
      expect(r.status).toBe(0);
      return /NODE_ENV=(\S*)/.exec(r.stderr)?.[1];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("runs the build's bundle (scripts/bundle.ts), not dist/'s modules one by one", () => {
    // Each ES module costs Node 20 about a millisecond to load: the bundle saves ~0.2 CPU-s of every
    // start (test/bench/README.md, start-up). Needs `npm run build`, as every test of bin/ does.
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-loads-'));
    try {
      writeFileSync(join(dir, 'hooks.mjs'), 'export async function load(url, context, next) { process.stderr.write(`LOADED ${url}\\n`); return next(url, context); }\n');
      writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(join(dir, 'hooks.mjs'))}, import.meta.url);\n`);
      const r = spawnSync('node', ['--import', join(dir, 'register.mjs'), 'bin/spelunk.js', 'run', '| makeresults | stats count', '--format', 'csv'], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('count\n1\n');
      const loaded = [...r.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
      expect(loaded.some((url) => url.endsWith('/dist/bundle/spelunk.js'))).toBe(true);
      expect(loaded.filter((url) => url.includes('/dist/src/') || url.includes('/dist/grammar/'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs React in its production build unless the user set NODE_ENV', () => {
    const { NODE_ENV: _, ...env } = process.env;
    expect(envAtExit(env)).toBe('production');
    expect(envAtExit({ ...env, NODE_ENV: 'development' })).toBe('development');
  });
});

describe('a folder given by a relative path', () => {
  // Splunk's `source` for a monitored file is its path on the machine ("Use default fields",
  // help.splunk.com). The cache always kept the absolute path (its entries must not depend on the
  // folder spelunk starts in); --no-cache kept the name as typed, so `source="logs/*"` matched in
  // one and not the other. The skipped files' warnings also came in delivery order from the cache.
  it('gives the same sources and the same skipped-file warnings, in the same order, cached or not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spelunk-relative-'));
    const event = (day: string) => ({ eventVersion: '1.09', eventTime: `2026-11-${day}T02:10:00Z`, eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', eventID: `e${day}`, awsRegion: 'us-east-1' });
    const file = (region: string, day: string, tag: string) => {
      const folder = join(dir, 'logs', '111122223333', 'CloudTrail', region, '2026', '11', day);
      mkdirSync(folder, { recursive: true });
      return join(folder, `111122223333_CloudTrail_${region}_202611${day}T0${tag}Z_${tag}.json`);
    };
    // In path order eu-west-1 comes first; in delivery order the 20th (us-east-1) does.
    writeFileSync(file('eu-west-1', '23', '1'), JSON.stringify({ Records: [event('23')] }));
    writeFileSync(file('eu-west-1', '23', '2'), '{"Records":[{');
    writeFileSync(file('us-east-1', '20', '3'), JSON.stringify({ Records: [event('20')] }));
    writeFileSync(file('us-east-1', '20', '4'), 'garbage');
    const run = (...flags: string[]) => {
      const r = spawnSync('node', [join(process.cwd(), 'bin/spelunk.js'), 'run', '* | table source', '--data', 'logs', '--format', 'csv', ...flags], { encoding: 'utf8', cwd: dir });
      return { status: r.status, stdout: r.stdout, warnings: r.stderr.split('\n').filter((l) => l.startsWith('warning:')) };
    };
    try {
      const memory = run('--no-cache');
      const cold = run('--cache', join(dir, 'cache'));
      const warm = run('--cache', join(dir, 'cache'));
      const abs = join(dir, 'logs', '111122223333', 'CloudTrail');
      expect(memory.status).toBe(0);
      expect(memory.stdout.split('\n').slice(1, 3).sort()).toEqual([`${abs}/eu-west-1/2026/11/23/111122223333_CloudTrail_eu-west-1_20261123T01Z_1.json`, `${abs}/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_20261120T03Z_3.json`]);
      expect(memory.warnings.map((w) => w.slice(0, w.indexOf('.json'))).map((w) => w.slice(-1))).toEqual(['2', '4']);
      expect(memory.warnings[0]).toContain(`warning: ${abs}/eu-west-1/`);
      for (const cached of [cold, warm]) {
        expect(cached.stdout).toBe(memory.stdout);
        expect(cached.warnings).toEqual(memory.warnings);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
