// The field sidebar's counts over every row, remembered with the cache (issue 14). Counting the
// add-on's fields over a million events costs 6-10 CPU-s however it is arranged (test/bench/
// README.md): the fields passing ARNs and session names through must be computed for every row to
// give exact coverage, distinct counts and top values. The same search over the same loaded
// events gives the same counts, so they are kept, in a file of the cache folder beside the
// duplicate counts, and served to the next sidebar of that search in this session or a later one.
// The file's form (CacheMemory) also keeps the REPL's opening summary (loaded-summary.ts).
//
// Only what cannot differ is remembered: the key holds spelunk's and DuckDB's versions, the loaded files (each file's path, size,
// times and segment, the index it was loaded into, whether copies are dropped: a changed or added
// file is another key), the time range, the search's whole SQL (every field's rule, every
// condition and literal) and the fields asked; and only for a search whose rows are events as
// loaded, with nothing volatile, no subsearch, no lookup (compiler/grouped-fields.ts eventsAlone).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './cache-files.js';
import { PROJECT_ROOT } from './engine-options.js';
import type { FieldSummary } from './field-summary.js';

export type Summary = { rows: number; fields: FieldSummary[] };

/** Bumped whenever what a summary holds, or how it is counted, changes: older entries are not read. */
const VERSION = 1;
/** spelunk's own version is part of every key too: a release that counts differently never reads an older one's counts. */
let release: string | undefined;
function spelunkVersion(): string {
  if (release === undefined) {
    try {
      release = String((JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version);
    } catch {
      release = 'unknown';
    }
  }
  return release;
}
/** Summaries kept (the newest): at about 30 KB each for the add-on's fields, a file of a megabyte. */
const KEPT = 32;

/**
 * Values of one kind kept in a file of the cache folder, each under its key (see key), the newest
 * KEPT. `valid`: what a value read back must be; anything else is a miss, never an answer.
 */
export class CacheMemory<T> {
  constructor(
    private readonly file: string,
    private readonly valid: (value: unknown) => value is T,
  ) {}

  /** The key of a value: what it was counted over, as parts any JSON value. */
  static key(parts: unknown[]): string {
    return createHash('sha256').update(JSON.stringify([VERSION, spelunkVersion(), ...parts])).digest('hex').slice(0, 32);
  }

  recall(key: string): T | undefined {
    const found = this.entries().find(([k]) => k === key);
    return found?.[1];
  }

  /**
   * Keeps `value` under `key`, the oldest entries dropped past KEPT, and those under `forget`
   * (the parts it was composed of). A cache that cannot be written costs the count next time, nothing else.
   */
  remember(key: string, value: T, forget: string[] = []): void {
    const entries = [...this.entries().filter(([k]) => k !== key && !forget.includes(k)).slice(-(KEPT - 1)), [key, value] as const];
    try {
      writeAtomic(this.file, JSON.stringify({ version: VERSION, entries }));
    } catch {
      // Read-only or full: nothing remembered.
    }
  }

  private entries(): (readonly [string, T])[] {
    let read: unknown;
    try {
      read = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return [];
    }
    const { version, entries } = (read ?? {}) as { version?: unknown; entries?: unknown };
    if (version !== VERSION || !Array.isArray(entries)) return [];
    // A damaged entry is a miss, never an answer.
    return entries.filter((e): e is [string, T] => Array.isArray(e) && typeof e[0] === 'string' && this.valid(e[1]));
  }
}

/** The field sidebar's counts (engine-sidebar.ts). */
export class SidebarMemory extends CacheMemory<Summary> {
  constructor(file: string) {
    super(file, isSummary);
  }
}

function isSummary(s: unknown): s is Summary {
  const { rows, fields } = (s ?? {}) as { rows?: unknown; fields?: unknown };
  return typeof rows === 'number' && Array.isArray(fields) && fields.every((f: Partial<FieldSummary>) =>
    typeof f?.field === 'string' && typeof f.present === 'number' && typeof f.distinct === 'number' && Array.isArray(f.top)
    && f.top.every((t) => typeof t?.value === 'string' && typeof t.count === 'number'));
}
