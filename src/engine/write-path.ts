// Files the analyst names for spelunk to write (the REPL's :export, :save's folder, load --out):
// a missing folder is made, as spelunk's other writes make theirs (load --out, outputlookup's
// lookups folder, the cache); a path that cannot be written is said in words with the path,
// never as a bare ENOENT/EISDIR.
import { mkdirSync, realpathSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { DATA_FILE } from './load-paths.js';

const REASONS: Record<string, string> = {
  EISDIR: 'it is a folder: name a file in it',
  ENOTDIR: 'a file is in the way of its folder',
  EEXIST: 'a file is in the way of its folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'over the disk quota',
  ENAMETOOLONG: 'the name is too long',
  ENOENT: 'its folder cannot be made',
};

/** Why a write failed, in words. */
export function writeReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code && REASONS[code]) || (err instanceof Error ? err.message.split('\n')[0]! : String(err));
}

class WriteError extends Error {}

/**
 * Writes `text` to `file`, making its folder first when missing. Returns the first folder it
 * made (to be said: a mistyped folder is made too), or undefined.
 */
export function writeTextFile(file: string, text: string): string | undefined {
  try {
    const made = mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, text);
    return made;
  } catch (err) {
    throw new WriteError(`cannot write ${file}: ${writeReason(err)}`);
  }
}

/** A path made whole with its links followed as far as it exists (a file not yet written: its folder's). */
function realPath(p: string): string {
  const whole = path.resolve(p);
  try {
    return realpathSync(whole);
  } catch {
    const parent = path.dirname(whole);
    return parent === whole ? whole : path.join(realPath(parent), path.basename(whole));
  }
}

/**
 * Why writing `file` would replace evidence loaded from `loaded` (files and folders), or
 * undefined: it is one of those files (the same file by any name), or a log file (by its name, as
 * a walk picks them) inside a loaded folder, which its load read.
 */
export function evidenceAt(file: string, loaded: readonly string[]): string | undefined {
  const target = realPath(file);
  const written = statOf(target);
  for (const root of loaded) {
    const real = realPath(root);
    if (statOf(real)?.isDirectory()) {
      if (written?.isFile() && within(real, target) && DATA_FILE.test(target)) return `it is a log file in ${root}, which is loaded: writing it would replace evidence read from it`;
    } else if (written && isFile(real, written)) {
      return `it is ${root}, a file being loaded: writing it would replace that evidence`;
    }
  }
  return undefined;
}

/** The loaded folder (as given) that `file` lies inside, or undefined. */
export function loadedFolderOf(file: string, loaded: readonly string[]): string | undefined {
  const target = realPath(file);
  return loaded.find((root) => {
    const real = realPath(root);
    return statOf(real)?.isDirectory() === true && within(real, target);
  });
}

function within(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function statOf(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** Whether `file` is the file `other` describes, by whatever name (a link, a hard link). */
export function isFile(file: string, other: { dev: number; ino: number }): boolean {
  const s = statOf(file);
  return s !== undefined && s.dev === other.dev && s.ino === other.ino;
}
