// What the commands of the command line share: flags, the usage text, output, run options,
// opening the engine and loading --data. main.ts, hunt.ts, content.ts and the REPL's command
// import it and it imports none of them, so the command line has no import circle.
import { existsSync, statSync } from 'node:fs';
import { ADDON_PROFILES, addonProfile, type AddonProfile } from '../compiler/addon/profile.js';
import { parseIso, resolveTime } from '../compiler/time.js';
import { defaultCacheDir } from '../engine/cache-files.js';
import { Engine, type RunOptions } from '../engine/engine.js';
import type { FirstSearch } from '../engine/first-search.js';
import { describeFsError } from '../engine/load-paths.js';
import { loadErrors, type LoadReport } from '../engine/types.js';
import { flag, flagList, has, UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { describeLoad, FORMATS, type OutputFormat } from './format.js';
import { visibleLines } from './terminal-text.js';

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

/** Athena and Trino (docs/athena.md): explain --dialect, run and hunt --engine. */
export const REMOTE_FLAGS: Record<string, FlagSpec> = {
  dialect: { kind: 'one' },
  table: { kind: 'one' },
  partitions: { kind: 'one' },
  engine: { kind: 'one' },
  workgroup: { kind: 'one' },
  output: { kind: 'one' },
  database: { kind: 'one' },
  region: { kind: 'one' },
};

export { USAGE, version } from './usage.js';

export function write(text: string | Uint8Array): void {
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

const GLOB = /[*?[{]/;

export async function loadData(engine: Engine, args: ParsedArgs): Promise<LoadReport | null> {
  const data = dataPaths(args);
  if (data === null) {
    // No events, but an events table all the same: a search over nothing answers nothing.
    await engine.load([]);
    return null;
  }
  // The search answers from memory; the cache is written after the answer (cache-after.ts).
  const report = await engine.load(data, { index: flag(args, 'index'), answerFirst: true });
  loaded(report, data, args);
  return report;
}

/**
 * `run`'s load (--data given) and its search together: a search with a pre-filter is answered
 * from the events that can match it, and the load's lines come after its rows (first-search.ts).
 */
export async function loadAndSearch(engine: Engine, args: ParsedArgs, first: FirstSearch): Promise<ReturnType<Engine['loadAndStream']>> {
  const data = dataPaths(args)!;
  return engine.loadAndStream(data, { index: flag(args, 'index') }, {
    ...first,
    onLoaded: async (report, answeredFirst) => {
      loaded(report, data, args);
      await first.onLoaded?.(report, answeredFirst);
    },
  });
}

/** The --data paths, or null when none is given; every one missing is a usage error. */
function dataPaths(args: ParsedArgs): string[] | null {
  const data = flagList(args, 'data');
  if (data.length === 0) return null;
  // A mistyped path must not turn into an empty answer that reads as "nothing happened".
  const missing = data.filter((p) => !GLOB.test(p) && !existsSync(p));
  if (missing.length === data.length) throw new UsageError(`--data: no such file or folder: ${missing.join(', ')}`);
  return data;
}

/** Says what a load read, and refuses --data that matched no file. */
function loaded(report: LoadReport, data: string[], args: ParsedArgs): void {
  for (const line of describeLoad(report)) note(line, args);
  if (report.filesRead + report.filesSkipped === 0 && data.every((p) => GLOB.test(p) || !existsSync(p))) {
    throw new UsageError(`--data: ${data.join(' ')} matches no files`);
  }
  if (report.eventsLoaded === 0) note(`warning: no events were loaded from ${data.join(' ')}: every search will find nothing`, args);
}

/**
 * After an answer-first load the cache is written once the answer is out (engine.close() waits
 * for it): a cache that could not be written is said, since the next run will be as slow.
 */
export async function settleCache(engine: Engine, args: ParsedArgs): Promise<void> {
  await engine.cacheSettled();
  const text = engine.cacheNote();
  if (text) note(`note: ${text}`, args);
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

