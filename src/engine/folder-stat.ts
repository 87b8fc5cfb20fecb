// The stat of each entry of one folder, for a walk (load-paths.ts): the one part of a warm start's
// walk that is the kernel's, 53,819 calls at 5M events.

import { statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * What a stat of each entry of `dir` says (following links), or why it failed. Synchronous: a
 * stat is a few microseconds, and through promises ten times that (10,000 files took 0.5-1.2 s
 * instead of 0.05 s). Made from inside the folder when it can be: given a whole path, the kernel
 * looks up each of its folders again for every file (nine at 5M; a stat by name alone cost 0.13
 * s for 53,819 files against 0.17). The working folder is the process's own, so it is changed
 * only here, with nothing else of this thread running until it is put back (no await, no
 * callback, in `finally`), never in a worker (where it cannot be), and only while the folder it
 * was can be named again (process.cwd() answers): nothing else looks at it meanwhile but the
 * stat. Anything else this process reads at the same time (DuckDB's threads, libuv's) it names
 * by whole paths.
 */
export function statNames(dir: string, names: Dirent[], fullName: (name: string) => string): (Stats | NodeJS.ErrnoException)[] {
  const home = enter(dir);
  try {
    return names.map((entry) => {
      try {
        return statSync(home === undefined ? fullName(entry.name) : entry.name);
      } catch (err) {
        return err as NodeJS.ErrnoException;
      }
    });
  } finally {
    if (home !== undefined) process.chdir(home);
  }
}

/** Makes `dir` the working folder and returns the one before, or undefined when it cannot (see statNames). */
function enter(dir: string): string | undefined {
  if (!isMainThread || path.sep !== '/') return undefined;
  let home: string;
  try {
    home = process.cwd();
    process.chdir(dir);
  } catch {
    return undefined;
  }
  return home;
}

/** A file's size in bytes, -1 when it is not there (or cannot be stat'ed). */
export function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return -1;
  }
}
