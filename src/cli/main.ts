// The spelunk command line: a thin shell over the engine. Exit status 0 on success, 2 on a usage
// or syntax error, 1 on a runtime error; messages go to stderr, results to stdout.
import { renderDiagnostic, SplError } from '../../grammar/diagnostics.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADDON_PROFILES, addonProfile, type AddonProfile } from '../compiler/addon/profile.js';
import { parseIso, resolveTime } from '../compiler/time.js';
import { defaultCacheDir } from '../engine/cache-files.js';
import { Engine, EngineError, PROJECT_ROOT, type RunOptions } from '../engine/engine.js';
import { missingIndexNote } from '../engine/index-note.js';
import { describeFsError, expandPaths, isSpelunkExport } from '../engine/load-paths.js';
import { removeOnSignals } from '../engine/scratch.js';
import { resolveSearch, resolvedSpl, userQueriesDir } from '../engine/queries.js';
import { loadErrors, type LoadReport } from '../engine/types.js';
import { flag, flagList, has, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { describeLoad, FORMATS, RowWriter, type OutputFormat } from './format.js';
import { visibleLines } from './terminal-text.js';
import { checkRemoteFlags, dialectFromArgs, explainText, REMOTE_FLAGS, REMOTE_USAGE, runOnAthenaCli, tableFromArgs } from './remote.js';

export const COMMON_FLAGS: Record<string, FlagSpec> = {
  data: { kind: 'rest' },
  index: { kind: 'one' },
  format: { kind: 'one' },
  param: { kind: 'many' },
  now: { kind: 'one' },
  earliest: { kind: 'one' },
  latest: { kind: 'one' },
  state: { kind: 'one' },
  'max-rows': { kind: 'one' },
  macros: { kind: 'many' },
  'memory-limit': { kind: 'one' },
  cache: { kind: 'one' },
  'no-cache': { kind: 'bool' },
  'dedup-events': { kind: 'bool' },
  quiet: { kind: 'bool' },
  help: { kind: 'bool' },
  addon: { kind: 'one' },
};

/** Detection content for hunt, queries, run and explain (see content.ts). */
export const CONTENT_FLAGS: Record<string, FlagSpec> = {
  content: { kind: 'many' },
  rules: { kind: 'rest' },
};

export const USAGE = `spelunk: Splunk's search language over AWS CloudTrail files, on your own machine.

Usage:
  spelunk [--data PATH...]     the interactive REPL: type SPL, Tab completes, :help lists its
                               commands (the bundled sample when no --data is given; spelunk repl --help)
  spelunk run "<SPL>" --data PATH... [--format table|csv|json|jsonl] [--param name=value]...
              [--now ISO-8601] [--earliest TIME] [--latest TIME] [--max-rows N] [--index NAME]
  spelunk explain "<SPL>" [--param name=value]... [--now ISO-8601]
${REMOTE_USAGE}
  spelunk load PATH... [--out FILE.parquet [--force]]   convert into the cache (and to one Parquet file;
              --out never replaces a file being loaded or one spelunk did not write, unless --force)

Loading converts each file once into a columnar cache (--cache DIR; default
$XDG_CACHE_HOME/spelunk or ~/.cache/spelunk); unchanged files are not read again.
--no-cache loads into memory only.
  spelunk run <query-id | file.spl> --data PATH... [--param name=value]...
  spelunk queries [--format table|json] [--state DIR] [--content DIR]... [--rules DIR|FILE...]
              (the bundled searches, and yours: the REPL's :save writes them to STATE/queries)
  spelunk hunt --data PATH... [--now ISO-8601] [--state DIR] [--format table|json] [--max-rows N] [--fail-on-hits]
              [--content DIR]... [--rules DIR|FILE...] [--no-queries]

--content DIR: a security_content checkout or a Splunk app folder; --rules: Sigma CloudTrail
rules. run and explain take a detection's or rule's name or id with the same flags (docs/content.md).

PATH may be a file (.json, .json.gz, JSON lines, JSON array, Parquet), a folder (walked
recursively, e.g. AWSLogs/), or a glob ('logs/**/*.json.gz').

--earliest and --latest take ISO-8601 times, epoch seconds or relative times (-4d, -24h@h, @d),
counted back from --now (default: the clock).

--dedup-events keeps one copy of each eventID loaded more than once (an account with several
trails delivers global events once per trail); without it searches count every copy, as Splunk
does, and the load summary says how many there are.

--addon 7.10|5 picks which Splunk Add-on for AWS the add-on fields and data models follow
(default 7.10; 5 puts AssumeRole, GetSessionToken and GetFederationToken in Authentication).

spelunk --version prints the version.

Exit status: 0 success, 1 runtime error or files that could not be read, 2 usage or
syntax error.
`;

export function version(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function write(text: string): void {
  process.stdout.write(text);
}

export function note(text: string, args?: ParsedArgs): void {
  if (args && has(args, 'quiet')) return;
  const shown = visibleLines(text);
  process.stderr.write(shown.endsWith('\n') ? shown : shown + '\n');
}

export function outputFormat(args: ParsedArgs): OutputFormat {
  const f = flag(args, 'format') ?? 'table';
  if (!FORMATS.includes(f as OutputFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not ${f}`);
  return f as OutputFormat;
}

export function params(args: ParsedArgs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of flagList(args, 'param')) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes name=value, not ${JSON.stringify(p)}`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

function timeFlag(args: ParsedArgs, name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const t = parseIso(v) ?? (/^\d+(\.\d+)?$/.test(v) ? Number(v) : null);
  if (t === null) throw new UsageError(`--${name} must be an ISO-8601 time such as 2026-11-28T00:00:00Z, not ${JSON.stringify(v)}`);
  return t;
}

/** --earliest/--latest: what the REPL's :time takes, relative times counted back from `now`. */
function rangeFlag(args: ParsedArgs, name: string, now: number): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const t = resolveTime(v, now);
  if (t === null) throw new UsageError(`--${name} must be an ISO-8601 time such as 2026-11-28T00:00:00Z, not ${JSON.stringify(v)} (epoch seconds and relative times such as -4d or -24h@h work too)`);
  return t;
}

export function runOptions(args: ParsedArgs): RunOptions {
  const maxRows = flag(args, 'max-rows');
  if (maxRows !== undefined && !/^\d+$/.test(maxRows)) throw new UsageError('--max-rows takes a number');
  const now = timeFlag(args, 'now');
  const clock = now ?? Date.now() / 1000;
  return {
    params: params(args),
    now,
    earliest: rangeFlag(args, 'earliest', clock),
    latest: rangeFlag(args, 'latest', clock),
    maxRows: maxRows === undefined ? undefined : Number(maxRows),
  };
}


/** --addon: which Splunk Add-on for AWS the fields follow (default 7.10). */
export function addonFlag(args: ParsedArgs): AddonProfile | undefined {
  const v = flag(args, 'addon');
  if (v === undefined) return undefined;
  const profile = addonProfile(v);
  if (!profile) throw new UsageError(`--addon must be one of ${ADDON_PROFILES.join(', ')}, not ${JSON.stringify(v)}`);
  return profile;
}

export async function openEngine(args: ParsedArgs): Promise<Engine> {
  return Engine.open({ memoryLimit: flag(args, 'memory-limit'), macroFiles: macroFiles(args), stateDir: pathFlag(args, 'state'), cacheDir: cacheDir(args), addon: addonFlag(args), dedupEvents: has(args, 'dedup-events') });
}

/**
 * A flag naming a file or folder. An empty value would name the working directory (`--cache ''`
 * wrote the cache there), so it is refused.
 */
export function pathFlag(args: ParsedArgs, name: string): string | undefined {
  const value = flag(args, name);
  if (value !== undefined && value.trim() === '') throw new UsageError(`--${name} needs a path, not an empty string`);
  return value;
}

/** --macros files: each must be a readable file, or the macros it defines would silently be missing. */
function macroFiles(args: ParsedArgs): string[] {
  const files = flagList(args, 'macros');
  for (const file of files) {
    if (file.trim() === '') throw new UsageError('--macros needs a path, not an empty string');
    let info;
    try {
      info = statSync(file);
    } catch (err) {
      throw new UsageError(`--macros ${file}: ${describeFsError(err)}`);
    }
    if (!info.isFile()) throw new UsageError(`--macros ${file}: not a file (a macros.conf file is expected)`);
  }
  return files;
}

/** The columnar cache folder (--cache DIR, default per user), or none with --no-cache. */
export function cacheDir(args: ParsedArgs): string | undefined {
  if (has(args, 'no-cache')) {
    if (has(args, 'cache')) throw new UsageError('--cache and --no-cache contradict each other');
    return undefined;
  }
  return pathFlag(args, 'cache') ?? defaultCacheDir();
}

const LOAD_FLAGS: Record<string, FlagSpec> = { ...COMMON_FLAGS, out: { kind: 'one' }, force: { kind: 'bool' } };

async function loadCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, LOAD_FLAGS);
  if (has(args, 'help')) return write(USAGE), 0;
  const paths = [...args.positionals, ...flagList(args, 'data')];
  if (paths.length === 0) throw new UsageError('load takes the files to convert: spelunk load PATH... [--out FILE.parquet]');
  const out = pathFlag(args, 'out');
  if (has(args, 'force') && out === undefined) throw new UsageError('--force only applies to --out (replacing an existing file)');
  // Checked before anything is read: a refused --out costs nothing.
  if (out !== undefined) await checkOutput(out, paths, has(args, 'force'));
  const engine = await openEngine(args);
  try {
    const report = await engine.load(paths, { index: flag(args, 'index') });
    for (const line of describeLoad(report)) note(line, args);
    if (out !== undefined) note(`wrote ${await engine.exportEvents(out)} events to ${out}`, args);
    return 0;
  } finally {
    engine.close();
  }
}

const GLOB = /[*?[{]/;

/**
 * `--out` replaces the file it names. Evidence must never be what it replaces: not a file being
 * loaded (`load X --out X` turned the CloudTrail into Parquet), nor any file spelunk did not
 * write, unless --force says so.
 */
async function checkOutput(out: string, inputs: string[], force: boolean): Promise<void> {
  let info;
  try {
    info = statSync(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`--out ${out}: ${describeFsError(err)}`);
  }
  if (info.isDirectory()) throw new UsageError(`--out ${out} is a folder: name the Parquet file to write`);
  if (force) return;
  const same = (file: string): boolean => {
    try {
      const s = statSync(file);
      return s.dev === info.dev && s.ino === info.ino;
    } catch {
      return false;
    }
  };
  if ((await expandPaths(inputs)).files.some(same)) {
    throw new UsageError(`--out ${out} is one of the files being loaded: writing it would replace that evidence. Choose another file (or add --force)`);
  }
  if (!(await isSpelunkExport(out))) {
    throw new UsageError(`--out ${out} already exists and is not a spelunk export: writing it would replace it. Choose another file (or add --force)`);
  }
}

export async function loadData(engine: Engine, args: ParsedArgs): Promise<LoadReport | null> {
  const data = flagList(args, 'data');
  if (data.length === 0) return null;
  // A mistyped path must not turn into an empty answer that reads as "nothing happened".
  const missing = data.filter((p) => !GLOB.test(p) && !existsSync(p));
  if (missing.length === data.length) throw new UsageError(`--data: no such file or folder: ${missing.join(', ')}`);
  const report = await engine.load(data, { index: flag(args, 'index') });
  for (const line of describeLoad(report)) note(line, args);
  if (report.filesRead + report.filesSkipped === 0 && data.every((p) => GLOB.test(p) || missing.includes(p))) {
    throw new UsageError(`--data: ${data.join(' ')} matches no files`);
  }
  if (report.eventsLoaded === 0) note(`warning: no events were loaded from ${data.join(' ')}: every search will find nothing`, args);
  return report;
}

/**
 * Files that could not be read make every answer over the load incomplete: said once more after
 * the results (the load's own lines may have scrolled away), and the caller exits 1.
 */
export function incompleteLoad(report: LoadReport): boolean {
  const errors = loadErrors(report);
  if (errors.length === 0) return false;
  process.stderr.write(`spelunk: ${errors.length} file${errors.length === 1 ? '' : 's'} could not be read (see the errors above): the results may be incomplete\n`);
  return true;
}

/**
 * The SPL a `run` argument names: a saved query id (queries/), optionally followed by more
 * pipeline (`aws_sts_assume_role | stats count by src`), a .spl file, or the text itself.
 */
export function searchText(arg: string, args?: ParsedArgs): string {
  const state = args && pathFlag(args, 'state');
  return resolvedSpl(resolveSearch(arg, undefined, userQueriesDir(state)));
}

/**
 * The engine and search text for `run` and `explain`: with --content/--rules the argument may name
 * a detection or rule (its baselines then run first, through `before`), and the content's macros
 * and lookups are available to any search.
 */
async function searchSetup(args: ParsedArgs, arg: string): Promise<{ engine: Engine; text: string; before?: () => Promise<void> }> {
  if (!has(args, 'content') && !has(args, 'rules')) {
    const engine = await openEngine(args);
    try {
      return { engine, text: searchText(arg, args) };
    } catch (err) {
      engine.close();
      throw err;
    }
  }
  const content = await import('./content.js');
  const set = content.contentFromArgs(args);
  const found = content.contentSearchArg(set, arg);
  if (found?.refused) throw content.refusedError(found);
  const engine = await content.openContentEngine(args, set);
  if (!found) return { engine, text: searchText(arg, args) };
  return { engine, text: found.spl!, before: () => content.runBaselinesFor(engine, set, found, args) };
}

async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...COMMON_FLAGS, ...CONTENT_FLAGS, ...REMOTE_FLAGS });
  if (has(args, 'help')) return write(USAGE), 0;
  if (args.positionals.length !== 1) throw new UsageError('run takes one search (quote it): spelunk run "<SPL>" --data PATH...');
  const format = outputFormat(args);
  const opts = runOptions(args);
  checkRemoteFlags(args, has(args, 'engine'));
  if (has(args, 'engine') && has(args, 'data')) throw new UsageError('--engine athena reads the Athena table, not --data');
  const { engine, text, before } = await searchSetup(args, args.positionals[0]!);
  try {
    if (has(args, 'engine')) {
      if (before) throw new UsageError('--engine athena runs one search; run a detection\'s baselines locally first');
      return await runOnAthenaCli(engine, text, args, opts, format, { write, note: (t) => note(t, args) });
    }
    // A mistake in the search is reported before any data is read (unless baselines must first
    // write the lookups it reads).
    if (!before) engine.prepare(text, opts);
    const report = await loadData(engine, args);
    if (!report) note('note: no --data given, so the search sees no events', args);
    await before?.();
    const started = performance.now();
    let writer: RowWriter | null = null;
    const result = await engine.stream(text, opts, (rows) => {
      writer?.rows(rows);
    }, (columns) => {
      writer = new RowWriter(format, columns, write);
    });
    (writer as RowWriter | null)?.end();
    for (const n of result.compiled.notes ?? []) note(`note: ${n}`, args);
    if (result.rowCount === 0) {
      const missing = await missingIndexNote(engine, text, opts);
      if (missing) note(missing, args);
    }
    note(`${result.rowCount} result${result.rowCount === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(3)} s${result.truncated ? ` (stopped at --max-rows ${opts.maxRows})` : ''}`, args);
    return report && incompleteLoad(report) ? 1 : 0;
  } finally {
    engine.close();
  }
}

async function explainCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...COMMON_FLAGS, ...CONTENT_FLAGS, ...REMOTE_FLAGS });
  if (has(args, 'help')) return write(USAGE), 0;
  if (args.positionals.length !== 1) throw new UsageError('explain takes one search (quote it): spelunk explain "<SPL>"');
  const dialect = dialectFromArgs(args);
  checkRemoteFlags(args, dialect !== undefined);
  if (has(args, 'engine')) throw new UsageError('explain takes --dialect athena|trino, not --engine');
  const { engine, text, before } = await searchSetup(args, args.positionals[0]!);
  try {
    if (dialect) {
      const table = tableFromArgs(args);
      const compiled = await engine.prepareTrino(text, { ...runOptions(args), allowUnfilledParams: true, table });
      write(visibleLines(explainText(compiled, table)));
      return 0;
    }
    // A detection or rule from content: the SPL that runs, then the SQL it compiles to.
    // Both quote content and values: control characters in them are shown, not sent.
    if (before) write(visibleLines(text.split('\n').map((l) => `-- ${l}`).join('\n')) + '\n');
    const opts = { ...runOptions(args), allowUnfilledParams: true, placeholderLookups: true };
    // Without data the SQL shows placeholders where columns depend on the data (timechart's
    // split-by values); with --data those questions are answered first, as `run` does.
    const report = await loadData(engine, args);
    const prepared = report ? await engine.prepareWithData(text, opts) : engine.prepare(text, opts);
    for (const n of prepared.compiled.notes ?? []) write(visibleLines(`-- note: ${n}`) + '\n');
    write(visibleLines(prepared.compiled.sql) + '\n');
    return 0;
  } finally {
    engine.close();
  }
}

export type CliCommand = (argv: string[]) => Promise<number>;

export const CLI_COMMANDS: Record<string, CliCommand> = {
  run: runCommand,
  explain: explainCommand,
  load: loadCommand,
  // Loaded when used: hunt.ts imports this module.
  queries: async (argv) => (await import('./hunt.js')).queriesCommand(argv),
  hunt: async (argv) => (await import('./hunt.js')).huntCommand(argv),
  // Loaded on demand so that non-interactive commands never load Ink or React.
  repl: async (argv) => (await import('../repl/command.js')).replCommand(argv),
};

/** Print an error the way a person can act on it; returns the exit status. */
export function reportError(err: unknown): number {
  // Messages quote searches, values and file names: their control characters are shown.
  const say = (text: string): void => void process.stderr.write(visibleLines(text) + '\n');
  if (err instanceof UsageError) {
    say(`spelunk: ${err.message}\n(spelunk --help for usage)`);
    return 2;
  }
  if (err instanceof SplError) {
    say(renderDiagnostic(err.text ?? '', err.diagnostic));
    return 2;
  }
  if (err instanceof EngineError) {
    say(`spelunk: search failed: ${err.message}`);
    return 1;
  }
  say(`spelunk: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `spelunk --data logs/` opens the REPL too: options with no command are the REPL's.
    const replArgs = command === 'repl' ? rest : command === undefined || (command.startsWith('--') && command !== '--help' && command !== '--version') ? argv : null;
    if (replArgs) {
      const repl = CLI_COMMANDS.repl;
      if (repl) return await repl(replArgs);
      write(USAGE);
      return command === undefined ? 0 : 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') return write(USAGE), 0;
    if (command === '--version' || command === '-V' || command === 'version') return write(`spelunk ${version()}\n`), 0;
    const handler = CLI_COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    return await handler(rest);
  } catch (err) {
    return reportError(err);
  }
}

const invokedDirectly = process.argv[1] && /(?:spelunk(?:\.js)?|main\.[jt]s)$/.test(process.argv[1]);
if (invokedDirectly) {
  // Ctrl-C or a kill during a search that spilled to disk must not leave its scratch behind.
  removeOnSignals();
  // `spelunk run ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
