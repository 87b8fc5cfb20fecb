// The command line around detection content: --content DIR (a security_content checkout or a
// Splunk app) and --rules DIR|FILE... (Sigma) for hunt, queries, run and explain.
import { Engine } from '../engine/engine.js';
import { ContentError, findContentSearch, loadContent, type ContentSet, type HuntSearch } from '../engine/content/index.js';
import { neededBaselines, runOne } from '../engine/content/runner.js';
import { flag, flagList, has, UsageError, type ParsedArgs } from './args.js';
import { addonFlag, cacheDir, note, runOptions } from './common.js';

export function hasContent(args: ParsedArgs): boolean {
  return has(args, 'content') || has(args, 'rules');
}

/** The content the flags name, its notes printed (what was skipped and why). */
export function contentFromArgs(args: ParsedArgs): ContentSet {
  let set: ContentSet;
  try {
    set = loadContent(flagList(args, 'content'), flagList(args, 'rules'));
  } catch (err) {
    if (err instanceof ContentError) throw new UsageError(err.message);
    throw err;
  }
  for (const line of set.notes) note(line, args);
  return set;
}

/** An engine with the content's macros and read-only lookups (the user's --macros still win). */
export async function openContentEngine(args: ParsedArgs, set: ContentSet): Promise<Engine> {
  return Engine.open({
    memoryLimit: flag(args, 'memory-limit'),
    macroFiles: flagList(args, 'macros'),
    stateDir: flag(args, 'state'),
    cacheDir: cacheDir(args),
    contentMacros: set.macros,
    contentLookups: set.lookups,
    addon: addonFlag(args),
    dedupEvents: has(args, 'dedup-events'),
  });
}

/** The content search a `run` or `explain` argument names (id, title or file name), if any. */
export function contentSearchArg(set: ContentSet, arg: string): HuntSearch | undefined {
  return findContentSearch(set, arg.trim());
}

/** Run the baselines a search needs (into --state) before it, saying how each went. */
export async function runBaselinesFor(engine: Engine, set: ContentSet, search: HuntSearch, args: ParsedArgs): Promise<void> {
  for (const b of neededBaselines([search], set.baselines)) {
    const o = await runOne(engine, b, runOptions(args));
    note(o.error ? `baseline "${b.title}" failed: ${o.error}` : `baseline "${b.title}": ${o.rows.length} row(s)`, args);
  }
}

/** The SPL a refused search would have needed, as an error the analyst can act on. */
export function refusedError(search: HuntSearch): UsageError {
  return new UsageError(`"${search.title}" (${search.file}) cannot run: ${search.refused}`);
}
