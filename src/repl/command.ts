// `spelunk` with no command, or `spelunk repl --data PATH...`: the interactive session when the
// terminal is interactive, script mode when standard input is a pipe or a file. Loaded by the CLI
// with a dynamic import, so `run` and `explain` never load Ink or React.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { flag, flagList, has, parseArgs, UsageError } from '../cli/args.js';
import { COMMON_FLAGS, CONTENT_FLAGS, openEngine, outputFormat, write } from '../cli/common.js';
import { contentFromArgs, hasContent, openContentEngine } from '../cli/content.js';
import { parseIso } from '../compiler/time.js';
import { PROJECT_ROOT } from '../engine/engine.js';
import { userQueriesDir } from '../engine/queries.js';
import { History, historyPath } from './history.js';
import { finishCache } from './finish-cache.js';
import { expandHome } from './paths.js';
import { runScript } from './script.js';
import { Session } from './session.js';

const REPL_USAGE = `spelunk: interactive SPL over CloudTrail.

Usage:
  spelunk [repl] [--data PATH...] [--now ISO-8601] [--earliest TIME] [--latest TIME]
          [--max-rows N] [--format table|csv|json|jsonl] [--history FILE] [--queries DIR]
          [--addon 7.10|5] [--dedup-events] [--content DIR]... [--rules DIR|FILE...]

With no --data the bundled sample is loaded. When standard input is not a terminal, searches
are read from it (one per line or separated by ;) and printed in --format. --content and
--rules add detection content (docs/content.md): its macros and lookups, and its searches to :hunt.
`;

const REPL_FLAGS = { ...COMMON_FLAGS, ...CONTENT_FLAGS, history: { kind: 'one' as const }, queries: { kind: 'one' as const } };

/** A path flag given as --flag=~/x reaches the program with `~` unexpanded. */
const optionalPath = (p: string | undefined) => (p === undefined ? undefined : expandHome(p));

function sampleDir(): string {
  return join(PROJECT_ROOT, 'fixtures', 'sample');
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export async function replCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, REPL_FLAGS);
  if (has(args, 'help')) return write(REPL_USAGE), 0;
  if (args.positionals.length) throw new UsageError(`the REPL takes no search argument (got ${JSON.stringify(args.positionals[0])}); use spelunk run "<SPL>"`);
  const format = outputFormat(args);
  const maxRows = flag(args, 'max-rows');
  if (maxRows !== undefined && !/^\d+$/.test(maxRows)) throw new UsageError('--max-rows takes a number');
  const nowText = flag(args, 'now');
  const now = nowText === undefined ? undefined : parseIso(nowText) ?? undefined;
  if (nowText !== undefined && now === undefined) throw new UsageError(`--now must be an ISO-8601 time, not ${JSON.stringify(nowText)}`);
  const queriesDir = optionalPath(flag(args, 'queries'));
  if (queriesDir !== undefined && !existsSync(queriesDir)) throw new UsageError(`--queries: no folder ${queriesDir}`);

  const data = flagList(args, 'data').map((p) => expandHome(p));
  const paths = data.length ? data : [sampleDir()];
  // A person at a terminal gets live redraws even when CI is set in their environment: Ink reads
  // CI when it loads and then draws only the final frame, which left menus and the running search
  // invisible (the pivot menu never appeared).
  if (process.stdin.isTTY) {
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  // Ink and React load while DuckDB opens: the first frame comes sooner.
  const interactive = process.stdin.isTTY ? import('./interactive.js') : null;
  const content = hasContent(args) ? contentFromArgs(args) : null;
  const engine = content ? await openContentEngine(args, content) : await openEngine(args);
  const session = new Session(engine, {
    content: content ?? undefined,
    maxRows: maxRows === undefined ? undefined : Number(maxRows),
    now,
    earliest: flag(args, 'earliest'),
    latest: flag(args, 'latest'),
    queriesDir,
    savedQueriesDir: userQueriesDir(optionalPath(flag(args, 'state'))),
    // At a terminal, the sidebar over every loaded event is counted while the analyst reads (idle-summary.ts); not for a script.
    idleSummary: Boolean(process.stdin.isTTY),
  });
  try {
    if (!process.stdin.isTTY) {
      const report = await session.load(paths);
      for (const l of session.describeLoad(report)) if (!has(args, 'quiet')) process.stderr.write(l.text + '\n');
      const text = await readStdin();
      return await runScript(session, text, format, { out: write, err: (t) => process.stderr.write(t) });
    }
    const { startInteractive } = await interactive!;
    const history = History.load(optionalPath(flag(args, 'history')) ?? historyPath());
    const code = await startInteractive(session, history, paths, data.length ? null : `no --data given: opening the bundled sample (${paths[0]})`);
    await finishCache(session.engine, (t) => process.stderr.write(t));
    return code;
  } finally {
    engine.close();
  }
}
