// Search history kept across sessions in one file per user: each entry is a JSON string on its
// own line, so multi-line searches survive. Navigation (Up/Down) and reverse search (Ctrl-R) work
// on the entries as plain data.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const HISTORY_LIMIT = 5000;

/** `$SPELUNK_HISTORY`, else `$XDG_STATE_HOME/spelunk/history`, else `~/.local/state/spelunk/history`. */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SPELUNK_HISTORY) return env.SPELUNK_HISTORY;
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'spelunk', 'history');
}

function decodeLine(line: string): string | null {
  if (!line.trim()) return null;
  if (line.startsWith('"')) {
    try {
      const v = JSON.parse(line);
      return typeof v === 'string' ? v : null;
    } catch {
      return null;
    }
  }
  // A hand-edited file with plain lines is still read.
  return line;
}

export class History {
  private entries: string[];
  /** Position while navigating: entries.length means "the line being typed". */
  private index: number;
  private draft = '';

  constructor(entries: string[] = [], private readonly file: string | null = null) {
    this.entries = entries.slice(-HISTORY_LIMIT);
    this.index = this.entries.length;
  }

  static load(file: string | null): History {
    if (!file || !existsSync(file)) return new History([], file);
    try {
      const lines = readFileSync(file, 'utf8').split('\n');
      const entries = lines.map(decodeLine).filter((e): e is string => e !== null);
      const history = new History(entries, file);
      // Keep the file from growing without bound: rewrite it when well past the limit.
      if (entries.length > HISTORY_LIMIT * 1.5) history.rewrite();
      return history;
    } catch {
      return new History([], file);
    }
  }

  get all(): readonly string[] {
    return this.entries;
  }

  /** Record a submitted entry (not a repeat of the previous one) and reset navigation. */
  add(entry: string): void {
    this.index = this.entries.length;
    this.draft = '';
    if (!entry.trim() || this.entries[this.entries.length - 1] === entry) {
      this.index = this.entries.length;
      return;
    }
    this.entries.push(entry);
    if (this.entries.length > HISTORY_LIMIT) this.entries.shift();
    this.index = this.entries.length;
    if (!this.file) return;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, JSON.stringify(entry) + '\n', { mode: 0o600 });
    } catch {
      // History is a convenience: a read-only home must not break the session.
    }
  }

  private rewrite(): void {
    if (!this.file) return;
    try {
      writeFileSync(this.file, this.entries.map((e) => JSON.stringify(e) + '\n').join(''), { mode: 0o600 });
    } catch {
      // as above
    }
  }

  /** Up: the previous entry (the current text is kept as a draft to come back to). */
  previous(current: string): string | null {
    if (this.index === this.entries.length) this.draft = current;
    if (this.index === 0) return null;
    this.index--;
    return this.entries[this.index]!;
  }

  /** Down: the next entry, then the draft. */
  next(): string | null {
    if (this.index >= this.entries.length) return null;
    this.index++;
    return this.index === this.entries.length ? this.draft : this.entries[this.index]!;
  }

  resetNavigation(): void {
    this.index = this.entries.length;
  }

  /**
   * Ctrl-R: the newest entry containing `query` (case-insensitive) strictly before position
   * `before` (default: from the newest). Returns the entry and its position, to search on from.
   */
  search(query: string, before = this.entries.length): { entry: string; index: number } | null {
    const q = query.toLowerCase();
    for (let i = Math.min(before, this.entries.length) - 1; i >= 0; i--) {
      if (this.entries[i]!.toLowerCase().includes(q)) return { entry: this.entries[i]!, index: i };
    }
    return null;
  }
}
