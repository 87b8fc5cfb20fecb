// What the engine is opened and run with, and the macros it reads: plain data and small readers
// shared by the engine and its callers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreparedSearch } from '../compiler/index.js';
import type { AddonProfile } from '../compiler/addon/profile.js';
import { parseMacrosConf, type MacroSet } from '../compiler/macros.js';
import type { CompiledSearch } from '../compiler/types.js';
import type { ContentLookup } from './lookups.js';
import { defaultMemoryLimit } from './memory.js';
import { PROJECT_ROOT } from './project-root.js';

export { PROJECT_ROOT } from './project-root.js';

export interface EngineOptions {
  /** DuckDB memory limit, e.g. '4GB'; default: see `defaultMemoryLimit`. */
  memoryLimit?: string;
  threads?: number;
  /** Extra macros.conf files, applied after the bundled queries/macros.conf. */
  macroFiles?: string[];
  /**
   * Folder of the columnar cache (see cache.ts; the CLI's default is `defaultCacheDir()`). When
   * set, loads convert each file once to Parquet and `events` is a view over the cached files;
   * unset, loads fill an in-memory table.
   */
  cacheDir?: string;
  /** Folder for state such as lookups (`<state>/lookups/*.csv`); default: see `defaultStateDir`. */
  stateDir?: string;
  /** Which Splunk Add-on for AWS the add-on fields and data models follow (default 7.10); a search's own `addon` wins. */
  addon?: AddonProfile;
  /** Keep one copy of each eventID loaded more than once (--dedup-events). */
  dedupEvents?: boolean;
  /** Macros of detection content, applied after the bundled ones and before `macroFiles`. */
  contentMacros?: MacroSet;
  /** Read-only lookups of detection content, by name (see LookupStore). */
  contentLookups?: ReadonlyMap<string, ContentLookup>;
}

export interface RunOptions {
  params?: Record<string, string>;
  /** Search start time (epoch seconds); default: the wall clock. */
  now?: number;
  earliest?: number;
  latest?: number;
  /** The main search narrowed to this range inside the one it reads, its own earliest=/latest= or the picker's (the REPL's zoom). */
  within?: { earliest?: number; latest?: number };
  /** Stop reading after this many rows (the result says it was truncated). */
  maxRows?: number;
  /** Which Splunk Add-on for AWS the add-on fields follow; default the engine's. */
  addon?: AddonProfile;
  /** Record DuckDB's profile of the search as it runs (the REPL's job inspector; see profile.ts). */
  profile?: boolean;
}

/**
 * A search as the engine takes it: SPL text, or text already macro-expanded and parsed by
 * `Engine.parse` (what one run passes from its pre-check to its lookups, rounds and notes, so
 * the search is expanded and parsed once).
 */
export type Search = string | PreparedSearch;

export interface Prepared {
  compiled: CompiledSearch;
  /** The search text after parameters and macros. */
  text: string;
  /** What was asked of the data to compile it (`Discovery.what`), in order. */
  asked?: string[];
}

export function bundledMacrosFile(): string {
  return join(PROJECT_ROOT, 'queries', 'macros.conf');
}

export function loadMacros(files: string[]): MacroSet {
  const macros: MacroSet = new Map();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      // A macros file that is silently skipped leaves its macros undefined: say which file.
      throw new Error(`cannot read macros file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    for (const [key, def] of parseMacrosConf(text, file)) macros.set(key, def);
  }
  return macros;
}

/** The settings of every DuckDB instance spelunk opens. */
export function duckdbConfig(opts: EngineOptions, scratch: string): Record<string, string> {
  return {
    memory_limit: opts.memoryLimit ?? defaultMemoryLimit(),
    ...(opts.threads ? { threads: String(opts.threads) } : {}),
    temp_directory: scratch,
    // DuckDB turns each long IN list (the add-on's event-name lists) into a join with a hash
    // table of its own, and the data models hold dozens: over 60 events one tstats peaked at
    // 1.48 GB of buffer memory and failed about half its runs at the 715 MB limit. Compared
    // in place, 37 MB, and at 1M events within the noise of the join's time (bench README).
    disabled_optimizers: 'in_clause',
    ...NO_EXTENSIONS,
  };
}

/**
 * Everything spelunk needs is built in: no extension is fetched or loaded behind the user's back,
 * by any DuckDB it opens (the cache's converting instance too, which keeps its other settings).
 */
export const NO_EXTENSIONS: Readonly<Record<string, string>> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
};
