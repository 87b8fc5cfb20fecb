// Files the analyst names for spelunk to write (the REPL's :export, :save's folder, load --out):
// a missing folder is made, as spelunk's other writes make theirs (load --out, outputlookup's
// lookups folder, the cache); a path that cannot be written is said in words with the path,
// never as a bare ENOENT/EISDIR.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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
