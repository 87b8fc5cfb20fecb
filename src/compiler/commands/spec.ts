// What a command is, in one place: its options and their types, the words that structure its
// arguments, how it treats rows, what completion offers after it, its reference entry, and the
// function that builds its part of the plan. registry.ts collects every command's spec.
import type { Command } from '../../../grammar/ast.js';
import type { Builder } from '../builder.js';
import type { Relation } from '../types.js';

/** Builds a command's part of the plan from the relation before it. */
export type CommandCompiler = (cmd: Command, rel: Relation, b: Builder) => Relation;

/**
 * The type of a `key=value` option. `bool` takes t/f/true/false/1/0/yes/no; `int` a whole number;
 * a list, one of its words (any case); `text` anything (the command checks it). An option Splunk
 * has and spelunk does not run is `{ unsupported: why }`: giving it is an error naming it, never
 * an option silently ignored. `{ ignored: why }` is one that changes nothing here (a Splunk
 * server setting); it is accepted.
 */
export type OptionType = 'bool' | 'int' | 'text' | readonly string[] | { unsupported: string } | { ignored: string };

export type Options = Readonly<Record<string, OptionType>>;

export type Section = 'Searching and filtering' | 'Fields and values' | 'Statistics' | 'Combining searches and making results';

export interface CommandSpec {
  name: string;
  /** Other names for the same command (`bucket` for `bin`). */
  aliases?: readonly string[];
  options: Options;
  /** Words that structure the arguments (`by`, `over`, `as`, `output`...): highlighting and completion. */
  keywords?: readonly string[];
  /**
   * Keeps every row, in order, and adds none: the newest-rows bound may look through it to a
   * `head` or display cap after it (see the bound in compile.ts).
   */
  rowPreserving: boolean;
  /** Makes its own rows: at the start of a search it reads no events. */
  generating?: boolean;
  /** After it only the fields it outputs exist (completion offers those, not event fields). */
  transforming?: boolean;
  /** Its arguments are stats functions (completion offers them). */
  aggregations?: boolean;
  reference: { section: Section; summary: string; example: string };
  build: CommandCompiler;
}

/** Options every command that takes no options has. */
export const NO_OPTIONS: Options = {};
