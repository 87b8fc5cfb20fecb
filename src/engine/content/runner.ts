// Runs a hunt: the baselines the searches need first (they fill lookups in the state folder),
// then every search. One failing search never stops the others: its error is its result.
import { SplError } from '../../../grammar/diagnostics.js';
import { EngineError, type Engine, type RunOptions } from '../engine.js';
import type { Row } from '../types.js';
import type { HuntSearch } from './types.js';

export interface SearchOutcome {
  search: HuntSearch;
  columns: string[];
  rows: Row[];
  truncated?: boolean;
  /** What the analyst should know about the answer (Splunk's caps that cut rows, a field nothing defines...). */
  notes?: string[];
  /** Why the search failed or was refused; absent when it ran. */
  error?: string;
  /** On Athena or Trino: what each query cost (bytes read, time), the questions asked first included. */
  cost?: string[];
}

/** Baselines the searches need, each once, in the order given. */
export function neededBaselines(searches: HuntSearch[], baselines: HuntSearch[]): HuntSearch[] {
  const needed = new Set(searches.flatMap((s) => s.needs));
  return baselines.filter((b) => needed.has(b.id));
}

/** Runs one search somewhere: the local engine by default, Athena with `hunt --engine athena`. */
export type SearchRunner = (spl: string, opts: RunOptions) => Promise<{ columns: string[]; rows: Row[]; truncated?: boolean; notes?: string[]; cost?: string[] }>;

export async function runOne(engine: Engine, search: HuntSearch, opts: RunOptions, runner?: SearchRunner): Promise<SearchOutcome> {
  if (search.refused || !search.spl) return { search, columns: [], rows: [], error: search.refused ?? 'no search text' };
  try {
    const result = await (runner ? runner(search.spl, opts) : engine.run(search.spl, opts));
    return { search, columns: result.columns, rows: result.rows, ...(result.truncated ? { truncated: true } : {}), ...(result.notes?.length ? { notes: result.notes } : {}), ...('cost' in result && result.cost?.length ? { cost: result.cost } : {}) };
  } catch (err) {
    if (!(err instanceof SplError || err instanceof EngineError)) throw err;
    return { search, columns: [], rows: [], error: describeError(err, search.spl) };
  }
}

/** The message, with where in the search an SPL error points (macros expanded, so quote the text). */
function describeError(err: SplError | EngineError, spl: string): string {
  if (!(err instanceof SplError)) return err.message;
  const text = err.text ?? spl;
  const { start, end } = err.diagnostic.span;
  const near = text.slice(start, Math.min(end, start + 60)).replace(/\s+/g, ' ');
  return near ? `${err.message} (at "${near}")` : err.message;
}

export async function runHunt(
  engine: Engine,
  searches: HuntSearch[],
  baselines: HuntSearch[],
  opts: RunOptions,
  onOutcome?: (o: SearchOutcome) => void,
  runner?: SearchRunner,
): Promise<SearchOutcome[]> {
  const out: SearchOutcome[] = [];
  for (const s of [...neededBaselines(searches, baselines), ...searches]) {
    const o = await runOne(engine, s, opts, runner);
    out.push(o);
    onOutcome?.(o);
  }
  return out;
}
