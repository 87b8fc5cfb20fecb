// A run's load and its first search together (`spelunk run`, the benchmark): over files the cache
// does not hold, a search with a pre-filter (compiler/prefilter.ts) is answered from the events
// that can match it (first-answer.ts), and the files are loaded whole and cached after its rows
// are out. Any other search waits for the load, answered first as before (cache-after.ts).
import { searchNeedles } from '../compiler/prefilter.js';
import type { PreparedSearch } from '../compiler/index.js';
import { isCancelled } from './engine-error.js';
import type { Engine } from './engine.js';
import type { RunOptions, Search } from './engine-options.js';
import type { LoadOptions } from './loader.js';
import type { LoadReport, Row } from './types.js';

export interface FirstSearch {
  search: Search;
  opts: RunOptions;
  onRows: (rows: Row[]) => void | Promise<void>;
  onStart?: (columns: string[]) => void;
  /** The search's rows are all out (before the rest of the load, when answered first). */
  onDone?: () => void;
  /**
   * The load's report, once known: before the search runs, or after its rows when the search was
   * answered from its candidates (`answeredFirst`).
   */
  onLoaded?: (report: LoadReport, answeredFirst: boolean) => void | Promise<void>;
}

export async function loadAndStream(engine: Engine, paths: string[], loadOpts: LoadOptions, first: FirstSearch) {
  const spl = await engine.check(first.search, first.opts);
  const compiled = engine.prepare(spl, first.opts).compiled;
  // A search that writes a lookup writes it from rows no one has checked yet: never on a warm start's word.
  if (!compiled.output && !compiled.writes?.length && (await engine.startWarm(paths, loadOpts))) return warmRun(engine, spl, first);
  const needles = searchNeedles(spl.pipeline, compiled);
  if (needles !== null && (await engine.loadCandidates(paths, loadOpts, needles))) {
    let result: Awaited<ReturnType<Engine['stream']>> | undefined;
    let failure: { err: unknown } | undefined;
    try {
      result = await engine.stream(spl, first.opts, first.onRows, first.onStart);
      first.onDone?.();
    } catch (err) {
      failure = { err };
    }
    // Also after a failed search: the session never stays on the candidates alone.
    const report = await engine.finishFirst();
    if (failure) throw failure.err;
    await first.onLoaded?.(report, true);
    return { ...result!, report, answeredFirst: true };
  }
  const report = await engine.load(paths, { ...loadOpts, answerFirst: true });
  await first.onLoaded?.(report, false);
  const result = await engine.stream(spl, first.opts, first.onRows, first.onStart);
  first.onDone?.();
  return { ...result, report, answeredFirst: false };
}

/** Thrown at the first row of a warm start whose walk did not confirm the manifest: the rows go unseen. */
class Unconfirmed extends Error {}

/**
 * The first search over a warm start (EventStore.startWarm): run over the view the cache's
 * manifest gives while the files are walked. Its first row (or its end, when it has none) waits
 * for the walk: confirmed, the load's lines and then the rows go out; otherwise, or when the
 * search failed before anything went out, the search runs again over the load as it is.
 */
async function warmRun(engine: Engine, spl: PreparedSearch, first: FirstSearch) {
  let columns: string[] | undefined;
  let report: LoadReport | undefined;
  const release = async (): Promise<void> => {
    if (report) return;
    const confirmed = await engine.warmOutcome();
    if (!confirmed) throw new Unconfirmed();
    report = confirmed;
    await first.onLoaded?.(report, false);
    if (columns) first.onStart?.(columns);
  };
  let result: Awaited<ReturnType<Engine['stream']>> | undefined;
  let failure: { err: unknown } | undefined;
  try {
    result = await engine.stream(
      spl,
      first.opts,
      async (rows) => {
        await release();
        await first.onRows(rows);
      },
      (cols) => {
        columns = cols;
      },
    );
    await release();
  } catch (err) {
    failure = { err };
  }
  const settled = await engine.settleWarm();
  if (!failure) {
    first.onDone?.();
    return { ...result!, report: settled.report, answeredFirst: false, warm: 'confirmed' as const };
  }
  // Something went out (the load's lines, rows), or the search was stopped: as without a warm start.
  if (report || isCancelled(failure.err)) throw failure.err;
  await first.onLoaded?.(settled.report, false);
  const again = await engine.stream(spl, first.opts, first.onRows, first.onStart);
  first.onDone?.();
  return { ...again, report: settled.report, answeredFirst: false, warm: settled.verified ? ('again' as const) : ('discarded' as const) };
}
