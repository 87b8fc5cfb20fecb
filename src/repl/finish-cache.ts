// The way out of an interactive session after an answer-first load.
import type { Engine } from '../engine/engine.js';

/**
 * Leaving before the cache an answer-first load owes is written (the first search starts it, and
 * the load summary's own searches count) waits for it: said, so the wait is not a hang. Nothing
 * is said when it is already written. Ctrl-C ends the process at once; the
 * cache is then as a kill leaves it (whole days written, the rest read again next time).
 */
export async function finishCache(engine: Engine, say: (text: string) => void): Promise<void> {
  const dir = engine.cacheOwed();
  if (dir === undefined) return;
  say(`finishing the cache in ${dir}… (Ctrl-C skips it: the days written so far stay cached)\n`);
  await engine.cacheSettled();
  const note = engine.cacheNote();
  if (note) say(`note: ${note}\n`);
}
