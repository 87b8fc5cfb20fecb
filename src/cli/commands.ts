// The commands that open the engine (run, explain, load), loaded by main.ts when one is run: the
// parser, compiler and DuckDB come with them, and --help, --version or a mistyped command
// answer without them.
import { statSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { missingIndexNote } from '../engine/index-note.js';
import type { LoadReport, Row } from '../engine/types.js';
import { expandPaths, isSpelunkExport } from '../engine/load-paths.js';
import { isFile, writeReason } from '../engine/write-path.js';
import { resolveSearch, resolvedSpl, userQueriesDir } from '../engine/queries.js';
import { flag, flagList, has, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { describeLoad, RowWriter } from './format.js';
import { visibleLines } from './terminal-text.js';
import { fieldsText } from '../compiler/print/plan-text.js';
import { checkRemoteFlags, dialectFromArgs, explainText, runRemoteCli, tableFromArgs } from './remote.js';
import { COMMON_FLAGS, CONTENT_FLAGS, incompleteLoad, loadAndSearch, loadData, note, openEngine, outputFormat, pathFlag, REMOTE_FLAGS, runOptions, settleCache, USAGE, write } from './common.js';

const LOAD_FLAGS: Record<string, FlagSpec> = { ...COMMON_FLAGS, out: { kind: 'one' }, force: { kind: 'bool' } };

export async function loadCommand(argv: string[]): Promise<number> {
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
    throw new UsageError(`--out ${out}: ${writeReason(err)}`);
  }
  if (info.isDirectory()) throw new UsageError(`--out ${out} is a folder: name the Parquet file to write`);
  if (force) return;
  if ((await expandPaths(inputs)).files.some((file) => isFile(file, info))) {
    throw new UsageError(`--out ${out} is one of the files being loaded: writing it would replace that evidence. Choose another file (or add --force)`);
  }
  if (!(await isSpelunkExport(out))) {
    throw new UsageError(`--out ${out} already exists and is not a spelunk export: writing it would replace it. Choose another file (or add --force)`);
  }
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

export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...COMMON_FLAGS, ...CONTENT_FLAGS, ...REMOTE_FLAGS });
  if (has(args, 'help')) return write(USAGE), 0;
  if (args.positionals.length !== 1) throw new UsageError('run takes one search (quote it): spelunk run "<SPL>" --data PATH...');
  const format = outputFormat(args);
  // One clock for the whole run: its pre-check and its rounds compile the same search.
  const opts = runOptions(args);
  opts.now ??= Date.now() / 1000;
  checkRemoteFlags(args, has(args, 'engine'));
  if (has(args, 'engine') && has(args, 'data')) throw new UsageError('--engine reads the CloudTrail table on Athena or Trino, not --data');
  const { engine, text, before } = await searchSetup(args, args.positionals[0]!);
  try {
    if (has(args, 'engine')) {
      if (before) throw new UsageError('--engine runs one search; run a detection\'s baselines locally first');
      return await runRemoteCli(engine, text, args, opts, format, { write, note: (t) => note(t, args) });
    }
    // A mistake in the search is reported before any data is read (unless baselines must first
    // write the lookups it reads). It is expanded and parsed once, here, for the whole run.
    const search = before ? engine.parse(text, opts) : await engine.check(text, opts);
    let writer: RowWriter | null = null;
    const first = {
      search,
      opts,
      onRows: (rows: Row[]) => void writer?.rows(rows),
      onStart: (columns: string[]) => void (writer = new RowWriter(format, columns, write, undefined, write)),
    };
    let started = performance.now();
    let answered: number | undefined;
    let report: LoadReport | null;
    let result: Awaited<ReturnType<typeof engine.stream>>;
    if (!before && has(args, 'data')) {
      // The rows are written out before the rest of the load when the search is answered first;
      // the time said is then to the answer, its candidates' load included.
      const onLoaded = (_report: LoadReport, answeredFirst: boolean): void => {
        if (!answeredFirst) started = performance.now();
      };
      const onDone = (): void => {
        (writer as RowWriter | null)?.end();
        answered = performance.now();
      };
      ({ report, ...result } = await loadAndSearch(engine, args, { ...first, onLoaded, onDone }));
    } else {
      report = await loadData(engine, args);
      if (!report) note('note: no --data given, so the search sees no events', args);
      await before?.();
      started = performance.now();
      result = await engine.stream(search, opts, first.onRows, first.onStart);
      (writer as RowWriter | null)?.end();
    }
    for (const n of result.notes ?? []) note(`note: ${n}`, args);
    if (result.rowCount === 0) {
      const missing = await missingIndexNote(engine, search, opts);
      if (missing) note(missing, args);
    }
    note(`${result.rowCount} result${result.rowCount === 1 ? '' : 's'} in ${(((answered ?? performance.now()) - started) / 1000).toFixed(3)} s${result.truncated ? ` (stopped at --max-rows ${opts.maxRows})` : ''}`, args);
    await settleCache(engine, args);
    return report && incompleteLoad(report) ? 1 : 0;
  } finally {
    engine.close();
  }
}

export async function explainCommand(argv: string[]): Promise<number> {
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
    const { compiled } = prepared;
    for (const n of compiled.notes ?? []) write(visibleLines(`-- note: ${n}`) + '\n');
    for (const c of compiled.caps ?? []) write(visibleLines(`-- note: ${c.rule}; run asks afterwards whether it cut any and says so`) + '\n');
    // With nothing loaded no eventID repeats, so the SQL below leaves the dedup out; over files
    // where copies exist the same search compiles with it. Said, so the SQL is not read as general.
    if (!report && compiled.readsEventIdsUnique) write('-- note: no data given: `dedup eventID` is left out of this SQL (no eventID repeats in nothing); over data where an eventID repeats it keeps one of each (--data shows that SQL)\n');
    // Each result field with its type and where its values come from, then the SQL.
    const fields = fieldsText(compiled.columns, compiled.types, compiled.origins);
    if (fields) write(visibleLines(fields) + '\n');
    write(visibleLines(compiled.sql) + '\n');
    await settleCache(engine, args);
    return 0;
  } finally {
    engine.close();
  }
}
