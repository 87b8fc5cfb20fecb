// Plain data the compiler stages hand each other.
import type { Span } from '../../grammar/ast.js';
import type { AddonProfile } from './addon/profile.js';

import type { Expr, FieldType } from './ir/expr.js';
import type { FieldInfo, Origin, Schema, Step } from './ir/plan.js';

export type { FieldInfo };

export type { FieldType };

/** A compiled expression: the IR (a printer per dialect writes it as SQL). */
export type Compiled = Expr;

/**
 * The relation a command reads: a step of the plan (its id and CTE name) and the schema of its
 * rows. When `raw` is true the relation still carries the event columns (including the nested
 * JSON objects), so dotted paths and add-on aliases can be resolved against it.
 */
export interface Relation extends Schema {
  name: string;
  /** The step's id; -1 for the nothing a generating command starts from. */
  id: number;
  /**
   * Set while compiling an add-on field's own rule: names in it resolve to what the add-on had
   * derived before that rule (see addon-fields.ts), not to every add-on field.
   */
  addonFrom?: AddonPosition;
}

/** A rule's place in the add-on's table: its index and its stage (alias, eval, lookup...). */
export interface AddonPosition {
  index: number;
  stage: number;
}

export interface LookupTable {
  /** SQL relation (already quoted) holding the lookup's rows. */
  sql: string;
  columns: string[];
  /** Column types when the rows were loaded (newline-separated cells are multivalue); else string. */
  types?: Record<string, FieldType>;
  /** Columns whose values are distinct: matching on one gives at most one row (scalar outputs). */
  unique?: string[];
}

export interface LookupResolver {
  /** The table for a lookup name, or undefined if there is no such lookup. */
  resolve(name: string): LookupTable | undefined;
  /** Known names, for "did you mean". */
  names(): string[];
  /** Where lookups are looked for, named in "not found" errors. */
  folder?: string;
}

export interface CompileOptions {
  /** The search's start time in epoch seconds: `now()`, and the base of relative times. */
  now: number;
  /** A time range applied to the whole search (REPL `:time`), epoch seconds. */
  earliest?: number;
  latest?: number;
  /** The main search's events narrowed to this range inside the one it reads (search-range.ts Picker). */
  within?: { earliest?: number; latest?: number };
  lookups?: LookupResolver;
  /** A lookup that is not found is an empty placeholder with a note instead of an error (explain). */
  placeholderLookups?: boolean;
  /** Leave `$name$` tokens that have no value as placeholders instead of failing (explain). */
  allowUnfilledParams?: boolean;
  /** The (macro-expanded) search text the pipeline was parsed from (a number literal is read as written, for its precision). */
  source?: string;
  /** Answers to earlier discoveries, by `Discovery.key` (see `Builder.discover`). */
  discovered?: Record<string, DiscoveredValue[]>;
  /** The engine reads at most this many result rows (a display cap): see newestRowsBound(). */
  rowCap?: number;
  /**
   * Times (epoch seconds, newest first) after which the engine knows a growing share of the
   * events lie (the cache's file times): the newest-rows question is asked over the events since
   * each in turn before over all of them (rewrite/newest-bound.ts). Only its cost depends on them.
   */
  recentSince?: number[];
  /**
   * A view (`table`) with the rows of `events` whose files hold an event at or after `since`: an
   * events step that asks for `_time >= t`, t >= since, reads it instead (print/plan.ts). The
   * same rows in the same order for those times; only fewer files are read.
   */
  newestView?: { table: string; since: number };
  /**
   * The events are the rows of the Athena CloudTrail table (a search printed for Trino): a
   * wildcard matches its columns, asked of the engine (commands/athena-wildcards.ts).
   */
  athenaTable?: boolean;
  /** Which Splunk Add-on for AWS the add-on fields and data models follow (default 7.10). */
  addon?: AddonProfile;
  /**
   * No two loaded events share an eventID (the engine counts the copies at each load): `dedup
   * eventID` over loaded events then has nothing to drop (distinct-events.ts).
   */
  eventIdsUnique?: boolean;
  /** The rows feed an aggregate over them all, so the final ORDER BY is left out. */
  unordered?: boolean;
  /**
   * One CTE per step, none merged: the job inspector profiles each CTE and gives it to the
   * command that made it.
   */
  stepwise?: boolean;
}

/** One row of a discovery's answer: the first column, as text (null stays null). */
export type DiscoveredValue = string | null;

/**
 * A question about the data that the compiler needs answered to finish, e.g. which values a
 * `chart ... by` field has (they become columns). The engine runs `sql`, puts the answer in
 * `CompileOptions.discovered[key]` and compiles again; until then the SQL has a placeholder.
 */
export interface Discovery {
  key: string;
  sql: string;
  /** What is asked, in words (for explain). */
  what: string;
  /** The rows asked for: step `output`'s `columns`, in `__seq` order when `ordered` (printed for another dialect). */
  rows?: { output: number; columns: string[]; ordered: boolean };
}

/** A side effect the engine carries out with the result rows. */
export type OutputAction = {
  kind: 'outputlookup';
  name: string;
  append: boolean;
  span: { start: number; end: number };
  /** With no results: false deletes the file instead of leaving an empty one (Splunk's create_empty). */
  createEmpty?: boolean;
  /** With no results: false keeps the existing file untouched (Splunk's override_if_empty). */
  overrideIfEmpty?: boolean;
  /** Write at most this many rows. */
  max?: number;
  /**
   * For an outputlookup before the end of the main search, or inside a subsearch: the query
   * whose rows it writes (its visible columns `columns`, in order). The engine writes these
   * before running the search; the search itself reads on as if the command were not there.
   */
  sql?: string;
  columns?: string[];
};

/**
 * A cap Splunk applies without saying so (sort without a count keeps 10,000 results; a subsearch
 * gives at most 10,000 rows). spelunk applies it too, as Splunk's answer does, but a count that
 * an analyst reads as complete must not be cut silently: after the search the engine asks whether
 * more than `count` rows reached the cap and, if so, shows `note`.
 */
export interface CapCheck {
  /** Said when the cap cut rows. */
  note: string;
  /** The cap itself, said when whether it cut cannot be asked (a search run remotely, a failed check). */
  rule: string;
  count: number;
  /** The rows the cap cut: `count + 1` of them, or fewer when nothing was cut. */
  readonly sql: string;
  /**
   * The search's own rows are the capped rows, one for one (only eval, table, rename... after the
   * cap): fewer than `count` of them shown means nothing was cut, and no question is asked.
   */
  shownRows?: boolean;
}

export interface CompiledSearch {
  sql: string;
  /**
   * For a result in `__seq` order: the same rows unordered, with `"__seq"` after the columns.
   * The engine sorts them itself after turning each row into what it reads (rows.ts).
   */
  keyed?: string;
  /** Visible result columns in order. */
  columns: string[];
  types: Record<string, FieldType>;
  /** Where each result column's values come from (ir/origin.ts): explain lists them. */
  origins: Record<string, Origin>;
  output?: OutputAction;
  /** What the user should know about the answer (a data model with no events here...). */
  notes?: string[];
  /** Lookups written before the search runs, in pipeline order (outputlookup not last). */
  writes?: OutputAction[];
  /** Splunk's silent caps (sort's 10,000, a subsearch's maxout) this search has: checked after it runs. */
  caps?: CapCheck[];
  /** Questions about the data not answered yet; the SQL holds placeholders for them. */
  discoveries?: Discovery[];
  /** The SQL depends on CompileOptions.eventIdsUnique: compiled again when that changes. */
  readsEventIdsUnique?: boolean;
  /**
   * The plan's steps: each as a CTE of its own (`ctes`, the text after WITH; the search's SQL
   * merges adjacent ones) and, per step, its CTE name and the span of the command that made it.
   * A run-time error is located with them, step by step.
   */
  plan?: { ctes: string; steps: { name: string; schema: Schema; step: Step; span?: Span }[] };
}
