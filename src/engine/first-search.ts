// A run's load and its first search together (`spelunk run`, the benchmark): over files the cache
// does not hold, a search with a pre-filter (compiler/prefilter.ts) is answered from the events
// that can match it (first-answer.ts), and the files are loaded whole and cached after its rows
// are out. Any other search waits for the load, answered first as before (cache-after.ts).
import { searchNeedles } from '../compiler/prefilter.js';
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
  const needles = searchNeedles(spl.pipeline, engine.prepare(spl, first.opts).compiled);
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
