// Paths typed in the REPL: the shell is not there to expand `~`, so the REPL does it, for every
// path it takes (`:load`, `:export`, `:save`, path completion, and flags given as --flag=~/x).
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~` and `~/...` as the user's home folder; `~user` and everything else unchanged. */
export function expandHome(path: string, home = process.env.HOME || homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}
