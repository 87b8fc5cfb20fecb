// `spelunk queries` (list the saved searches in queries/) and `spelunk hunt` (run every hunting
// search and detection over the data, one section per search).
import { savedQuerySearch } from '../engine/content/index.js';
import { summarizePrincipals } from '../engine/content/principals.js';
import { runHunt, type SearchOutcome } from '../engine/content/runner.js';
import { emptyContent } from '../engine/content/types.js';
import { bundledQueriesDir, listQueries, userQueriesDir, type SavedQuery } from '../engine/queries.js';
import { loadCatalogs } from '../repl/query-catalog.js';
import type { Row } from '../engine/types.js';
import { flag, has, parseArgs, UsageError } from './args.js';
import { checkRemoteFlags, remoteHuntRunner } from './remote.js';
import { contentFromArgs, hasContent, openContentEngine } from './content.js';
import { renderTable } from './format.js';
import { listContent, outcomeJson, renderWide, writeHuntText } from './hunt-report.js';
import { COMMON_FLAGS, CONTENT_FLAGS, incompleteLoad, loadData, note, openEngine, REMOTE_FLAGS, runOptions, settleCache, USAGE, write } from './common.js';

type ListFormat = 'table' | 'json';

function listFormat(value: string | undefined): ListFormat {
  const f = value ?? 'table';
  if (f !== 'table' && f !== 'json') throw new UsageError(`--format must be table or json here, not ${f}`);
  return f;
}

function describeQuery(q: SavedQuery): Record<string, unknown> {
  return {
    id: q.id,
    type: q.type,
    title: q.title,
    parameters: q.parameters,
    description: q.description,
    ...(q.mitre ? { mitre: q.mitre } : {}),
    fields: q.fields,
    ...(q.falsePositives ? { false_positives: q.falsePositives } : {}),
    file: q.file,
  };
}

const TYPE_ORDER = ['hunting', 'detection', 'baseline', 'investigation'];

function byType(a: SavedQuery, b: SavedQuery): number {
  return TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.id.localeCompare(b.id);
}

async function queriesCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { format: { kind: 'one' }, help: { kind: 'bool' }, quiet: { kind: 'bool' }, state: { kind: 'one' }, ...CONTENT_FLAGS });
  if (has(args, 'help')) return write(USAGE), 0;
  if (args.positionals.length) throw new UsageError('queries takes no arguments');
  const format = listFormat(flag(args, 'format'));
  if (hasContent(args)) return listContent(contentFromArgs(args), format), 0;
  // The bundled searches strictly (a broken one is a bug), then the user's own, each file alone.
  listQueries();
  const catalog = loadCatalogs(bundledQueriesDir(), userQueriesDir(flag(args, 'state')));
  for (const problem of catalog.problems) note(`warning: ${problem}`, args);
  const queries = catalog.queries.sort(byType);
  if (format === 'json') {
    write(JSON.stringify(queries.map(describeQuery), null, 2) + '\n');
    return 0;
  }
  const rows: Row[] = queries.map((q) => ({ id: q.id, type: q.type, title: q.title, parameters: q.parameters.map((p) => p.name) }));
  write(renderTable(['id', 'type', 'title', 'parameters'], rows, 80));
  return 0;
}

/** Default width when stdout is not a terminal (a file, a pipe, a CI log). */
const DEFAULT_WIDTH = 160;

async function huntCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...COMMON_FLAGS, ...CONTENT_FLAGS, ...REMOTE_FLAGS, 'fail-on-hits': { kind: 'bool' }, 'no-queries': { kind: 'bool' } });
  if (has(args, 'help')) return write(USAGE), 0;
  if (args.positionals.length) throw new UsageError(`hunt takes no search (it runs the hunting searches in queries/ and the --content and --rules given); found ${JSON.stringify(args.positionals[0])}`);
  const format = listFormat(flag(args, 'format'));
  const opts = runOptions(args);
  const set = hasContent(args) ? contentFromArgs(args) : emptyContent();
  const bundled = has(args, 'no-queries') ? [] : listQueries().filter((q) => q.type === 'hunting' || q.type === 'detection').sort(byType).map(savedQuerySearch);
  const searches = [...bundled, ...set.searches];
  const remote = has(args, 'engine');
  checkRemoteFlags(args, remote);
  if (remote && has(args, 'data')) throw new UsageError('--engine reads the CloudTrail table on Athena or Trino, not --data');
  const engine = hasContent(args) ? await openContentEngine(args, set) : await openEngine(args);
  let outcomes: SearchOutcome[];
  let report: Awaited<ReturnType<typeof loadData>> = null;
  let noEvents = false;
  try {
    const runner = remote ? remoteHuntRunner(engine, args, { write, note: (t) => note(t, args) }) : undefined;
    if (!remote) {
      report = await loadData(engine, args);
      noEvents = report !== null && report.eventsLoaded === 0;
      if (!report) note('note: no --data given, so the searches see no events', args);
    }
    outcomes = await runHunt(engine, searches, set.baselines, opts, undefined, runner);
    await settleCache(engine, args);
  } finally {
    engine.close();
  }
  const principals = summarizePrincipals(outcomes);
  if (format === 'json') write(JSON.stringify(outcomes.map(outcomeJson), null, 2) + '\n');
  else writeHuntText(outcomes, principals, opts.maxRows, process.stdout.isTTY ? process.stdout.columns : DEFAULT_WIDTH);
  const failed = outcomes.filter((o) => o.error);
  const hits = outcomes.filter((o) => o.search.alerting && o.rows.length > 0);
  const total = outcomes.reduce((n, o) => n + o.rows.length, 0);
  note(`${outcomes.length} searches, ${total} results; detections with results: ${hits.length ? hits.map((o) => o.search.id).join(', ') : 'none'}${failed.length ? `; failed: ${failed.length} (${failed.map((o) => o.search.id).join(', ')})` : ''}`, args);
  if (failed.length) return 1;
  // A hunt over no events proves nothing: a gate that asks for hits must not pass on that.
  if (noEvents && has(args, 'fail-on-hits')) {
    note('warning: --fail-on-hits: no events were loaded, so no detection could fire; failing', args);
    return 1;
  }
  // Nor may it pass over evidence it could not read.
  const incomplete = report !== null && has(args, 'fail-on-hits') && incompleteLoad(report);
  return has(args, 'fail-on-hits') && (hits.length || incomplete) ? 1 : 0;
}

export { huntCommand, queriesCommand, renderWide };
