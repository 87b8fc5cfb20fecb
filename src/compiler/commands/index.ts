// The command registry: SPL command name -> compiler. A command file exports its table.
import { BASIC, type CommandCompiler } from './basic.js';
import { LOOKUP } from './lookup.js';
import { CHARTS } from './charts.js';
import { STATS } from './stats.js';
import { SUBSEARCH } from './subsearch.js';
import { TSTATS } from './tstats.js';
import { MAKECONTINUOUS } from './makecontinuous.js';

export const COMMANDS: Record<string, CommandCompiler> = {
  ...BASIC,
  ...STATS,
  ...SUBSEARCH,
  ...LOOKUP,
  ...CHARTS,
  ...TSTATS,
  ...MAKECONTINUOUS,
};

/** Commands that make their own rows: at the start of a search they read no input. */
export const GENERATING = new Set(['makeresults', 'inputlookup', 'tstats']);

/** Real SPL commands spelunk does not run yet: named as such instead of "unknown command". */
/**
 * Commands spelunk refuses for a reason it can name. The Machine Learning Toolkit's commands
 * train and apply models kept inside Splunk; guessing their output would be a silent wrong answer.
 */
export const REFUSED: Record<string, string> = {
  fit: 'fit trains a model with the Splunk Machine Learning Toolkit (MLTK); spelunk has no MLTK and does not imitate its algorithms',
  apply: 'apply runs a model trained by the Splunk Machine Learning Toolkit\'s fit; spelunk has no MLTK models to apply',
  summary: 'summary describes a model trained by the Splunk Machine Learning Toolkit\'s fit; spelunk has no MLTK models',
};

export const UNSUPPORTED = new Set([
  'transaction', 'cluster', 'kmeans', 'predict', 'trendline', 'anomalydetection', 'associate', 'correlate',
  'datamodel', 'pivot', 'collect', 'sendemail', 'map', 'foreach', 'xyseries', 'untable', 'transpose',
  'appendcols', 'appendpipe', 'multisearch', 'union', 'set', 'geostats', 'geom', 'delta', 'accum',
  'autoregress', 'contingency', 'fieldsummary', 'metadata', 'rest', 'loadjob', 'savedsearch', 'sistats',
  'sichart', 'sitimechart', 'sitop', 'kvform', 'extract', 'xmlkv', 'multikv', 'iconify', 'highlight',
  'abstract', 'diff', 'erex', 'nomv', 'reltime', 'strcat', 'tags', 'typer', 'uniq',
  'localize', 'format', 'gentimes', 'mstats', 'mcollect', 'meventcollect', 'outputcsv', 'inputcsv',
]);
