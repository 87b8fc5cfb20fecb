// The command registry: every command spelunk runs, by name, with what it is (spec.ts). The
// compiler, completion, highlighting, the newest-rows bound and the reference all read this one
// table; adding a command is an entry in a command file's list and its plan builder.
import { ACCUM } from './accum.js';
import { ANOMALYDETECTION } from './anomalydetection.js';
import { APPENDCOLS } from './appendcols.js';
import { AUTOREGRESS } from './autoregress.js';
import { CHARTS } from './charts.js';
import { CLUSTER } from './cluster.js';
import { CONCURRENCY } from './concurrency.js';
import { DELTA } from './delta.js';
import { EVENTCOUNT } from './eventcount.js';
import { EXTRACT } from './extract.js';
import { FIELD_COMMANDS } from './field-commands.js';
import { FIELDFORMAT } from './fieldformat.js';
import { FILLDOWN } from './filldown.js';
import { FILTERING } from './filtering.js';
import { FOREACH } from './foreach.js';
import { FROM_DATAMODEL } from './from-datamodel.js';
import { JSON_COMMANDS } from './json-commands.js';
import { LOOKUP } from './lookup.js';
import { MAKECONTINUOUS } from './makecontinuous.js';
import { MVCOMBINE } from './mvcombine.js';
import { NOMV } from './nomv.js';
import { OUTLIER } from './outlier.js';
import { RANGEMAP } from './rangemap.js';
import { RESHAPE } from './reshape.js';
import { REVERSE } from './reverse.js';
import type { CommandSpec } from './spec.js';
import { SPLUNK_COMMANDS } from './splunk-commands.js';
import { STATS } from './stats.js';
import { STRCAT } from './strcat.js';
import { TRANSACTION } from './transaction.js';
import { SUBSEARCH } from './subsearch.js';
import { TSTATS } from './tstats.js';

/** Every command, in the order the reference lists them within a section. */
export const COMMAND_SPECS: readonly CommandSpec[] = [...FILTERING, ...FIELD_COMMANDS, ...EXTRACT, ...STATS, ...CHARTS, ...TSTATS, ...FROM_DATAMODEL, ...SUBSEARCH, ...APPENDCOLS, ...LOOKUP, ...MAKECONTINUOUS,
  ...REVERSE, ...ACCUM, ...DELTA, ...AUTOREGRESS, ...FILLDOWN, ...STRCAT, ...NOMV, ...RANGEMAP, ...TRANSACTION, ...MVCOMBINE, ...ANOMALYDETECTION, ...OUTLIER,
  ...RESHAPE, ...EVENTCOUNT, ...FIELDFORMAT, ...CONCURRENCY, ...FOREACH, ...JSON_COMMANDS, ...CLUSTER,
];

const byName = new Map<string, CommandSpec>();
for (const spec of COMMAND_SPECS) {
  for (const name of [spec.name, ...(spec.aliases ?? [])]) {
    if (byName.has(name)) throw new Error(`command ${name} is registered twice`);
    byName.set(name, spec);
  }
}

/** The command of that name (or alias), if spelunk runs it. */
export function commandSpec(name: string): CommandSpec | undefined {
  return byName.get(name);
}

/** Every name spelunk runs, aliases included. */
export const COMMAND_NAMES: readonly string[] = [...byName.keys()];

/**
 * Commands spelunk refuses for a reason it can name. The Machine Learning Toolkit's commands
 * train and apply models kept inside Splunk; guessing their output would be a silent wrong answer.
 */
export const REFUSED: Readonly<Record<string, string>> = {
  fit: 'fit trains a model with the Splunk Machine Learning Toolkit (MLTK); spelunk has no MLTK and does not imitate its algorithms',
  apply: 'apply runs a model trained by the Splunk Machine Learning Toolkit\'s fit; spelunk has no MLTK models to apply',
  summary: 'summary describes a model trained by the Splunk Machine Learning Toolkit\'s fit; spelunk has no MLTK models',
};

/** Real SPL commands spelunk does not run yet: named as such instead of "unknown command". */
export const UNSUPPORTED: ReadonlySet<string> = new Set(SPLUNK_COMMANDS.filter((n) => !byName.has(n) && !(n in REFUSED)));

/** The commands that keep rows as they are, for the reference's note on `head`. */
export function rowPreservingNames(): string[] {
  return COMMAND_SPECS.filter((s) => s.rowPreserving).map((s) => s.name);
}
