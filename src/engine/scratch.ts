// The engine's private scratch folders (`<root>/spelunk-<pid>-<hex>`): DuckDB spills into them
// and loads after the lock pass through them, hundreds of MB at a time. Each is removed when its
// engine closes, when the process exits, and on a signal (see removeOnSignals); one left by a
// process that died anyway (kill -9, a crash) is removed by the next spelunk that starts.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultCacheDir, isAlive } from './cache-files.js';

const NAME = /^spelunk-(\d+)-[0-9a-f]{12}$/;
/**
 * A folder whose process is gone is removed only once nothing in it changed for this long: a
 * process in another PID namespace (a container sharing /tmp) may own it under a number that
 * means nothing here, and a spilling search writes into it all the time.
 */
const STALE_MS = 10 * 60_000;

const live = new Set<string>();
let onExit = false;

/** statfs types of file systems held in memory: tmpfs, ramfs. */
const IN_MEMORY = new Set([0x01021994, 0x858458f6]);

/**
 * Where scratch folders go: the temp folder, unless it is held in memory (tmpfs, as /tmp is on
 * many Linux desktops), where a spill would take the very memory DuckDB's limit gives back; then
 * a folder beside the user's cache, on disk.
 */
export function scratchRoot(tmp = tmpdir(), onDisk = path.join(defaultCacheDir(), 'scratch')): string {
  try {
    if (!IN_MEMORY.has(Number(statfsSync(tmp).type))) return tmp;
    mkdirSync(onDisk, { recursive: true, mode: 0o700 });
    return onDisk;
  } catch {
    return tmp;
  }
}

/** A new scratch folder name for this process (the folder is created when first needed). */
export function newScratch(root = scratchRoot()): string {
  // Whole (a relative TMPDIR too): DuckDB spills there while a walk works from inside a folder (folder-stat.ts).
  const dir = path.resolve(root, `spelunk-${process.pid}-${randomBytes(6).toString('hex')}`);
  live.add(dir);
  if (!onExit) {
    onExit = true;
    process.once('exit', removeAllScratch);
  }
  return dir;
}

/**
 * DuckDB creates a file per spilled block while a search runs, so removing the folder in place
 * can meet a file created after it was listed and leave the folder behind (ENOTEMPTY). Moved to
 * a new name first, it gets no new files: DuckDB creates them by the old path, which then fails.
 * The new name is still a scratch name, so a removal cut short is collected by the next start.
 */
export function removeScratch(dir: string): void {
  // A second round in case a search thread had the folder made again meanwhile.
  for (let round = 0; round < 2 && existsSync(dir); round++) {
    let doomed = path.join(path.dirname(dir), `spelunk-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      renameSync(dir, doomed);
    } catch {
      doomed = dir;
    }
    rmSync(doomed, { recursive: true, force: true, maxRetries: 3 });
  }
  live.delete(dir);
}

/** Removes every scratch folder of this process; synchronous, so it can run on exit. */
function removeAllScratch(): void {
  for (const dir of live) {
    try {
      removeScratch(dir);
    } catch {
      // Going away anyway: the next start collects what is left.
    }
  }
}

/**
 * For a command-line process: on SIGINT, SIGTERM or SIGHUP remove the scratch folders, then die
 * of the same signal (the shell still sees 130 or 143). Without this Node ends at once and never
 * runs its exit handlers.
 */
export function removeOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeAllScratch();
      process.kill(process.pid, signal);
    });
  }
  process.once('SIGHUP', hangUp);
}

/**
 * The terminal is gone (SIGHUP, or EIO writing to it): remove the scratch folders and die of
 * SIGHUP at once. Nothing may write first: the REPL's own exit handlers (Ink's) wrote to the
 * dead terminal, their EIO became an uncaught error, and Node's exit then asserted on restoring
 * the closed terminal's settings and dumped core. Dying of the signal runs no exit code at all.
 */
export function hangUp(): void {
  removeAllScratch();
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/** collectStaleScratch over the temp folder and, where that is in memory, the folder on disk used instead. */
function collectStaleScratchRoots(): string[] {
  return [...new Set([tmpdir(), scratchRoot()])].flatMap((root) => collectStaleScratch(root));
}

let collected = false;

/** Scratch folders left by spelunk processes that died (kill -9, a crash) go at a process's first engine. */
export function collectStaleOnce(): void {
  if (collected) return;
  collected = true;
  collectStaleScratchRoots();
}

/** Removes scratch folders of processes that no longer run; returns them. */
export function collectStaleScratch(root = tmpdir(), now = Date.now()): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    const dir = path.join(root, name);
    try {
      if (now - newestChange(dir) < STALE_MS) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // Another user's folder, or already gone.
    }
  }
  return removed;
}

/** The latest modification time of a folder and what is directly in it. */
function newestChange(dir: string): number {
  let newest = statSync(dir).mtimeMs;
  for (const name of readdirSync(dir)) {
    try {
      newest = Math.max(newest, statSync(path.join(dir, name)).mtimeMs);
    } catch {
      // Vanished meanwhile.
    }
  }
  return newest;
}
