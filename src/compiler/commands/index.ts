// The command registry: SPL command name -> compiler. A command file exports its table.
import { BASIC, type CommandCompiler } from './basic.js';
import { LOOKUP } from './lookup.js';
import { CHARTS } from './charts.js';
import { STATS } from './stats.js';
import { SUBSEARCH } from './subsearch.js';
import { TSTATS } from './tstats.js';

export const COMMANDS: Record<string, CommandCompiler> = {
  ...BASIC,
  ...STATS,
  ...SUBSEARCH,
  ...LOOKUP,
  ...CHARTS,
  ...TSTATS,
};

/** Commands that make their own rows: at the start of a search they read no input. */
export const GENERATING = new Set(['makeresults', 'inputlookup', 'tstats']);

/** Real SPL commands spelunk does not run yet: named as such instead of "unknown command". */
export const UNSUPPORTED = new Set([
  'transaction', 'cluster', 'kmeans', 'predict', 'trendline', 'anomalydetection', 'associate', 'correlate',
  'datamodel', 'pivot', 'collect', 'sendemail', 'map', 'foreach', 'xyseries', 'untable', 'transpose',
  'appendcols', 'appendpipe', 'multisearch', 'union', 'set', 'geostats', 'geom', 'delta', 'accum',
  'autoregress', 'contingency', 'fieldsummary', 'metadata', 'rest', 'loadjob', 'savedsearch', 'sistats',
  'sichart', 'sitimechart', 'sitop', 'kvform', 'extract', 'xmlkv', 'multikv', 'iconify', 'highlight',
  'abstract', 'diff', 'erex', 'nomv', 'makecontinuous', 'reltime', 'strcat', 'tags', 'typer', 'uniq',
  'localize', 'format', 'gentimes', 'mstats', 'mcollect', 'meventcollect', 'outputcsv', 'inputcsv',
]);
