// Session commands (`:help`, `:load`, `:run` ...) parsed into plain data. Words split like a shell
// line: whitespace separates, double or single quotes keep spaces, backslash escapes.

export interface SessionCommandInfo {
  name: string;
  usage: string;
  summary: string;
}

export const SESSION_COMMANDS: SessionCommandInfo[] = [
  { name: 'help', usage: ':help', summary: 'keys, commands and pivots' },
  { name: 'load', usage: ':load [--dedup-events] PATH...', summary: 'load more CloudTrail files (added to what is loaded); --dedup-events: one copy of each eventID' },
  { name: 'queries', usage: ':queries', summary: 'list the bundled hunting and investigation searches' },
  { name: 'run', usage: ':run ID [name=value ...]', summary: 'run a bundled search, filling its $name$ parameters' },
  { name: 'save', usage: ':save ID [title]', summary: 'save the last search (its $name$ tokens kept) into your own queries folder, for :queries and :run' },
  { name: 'hunt', usage: ':hunt', summary: 'run every hunting search and detection; the result is who is behind the hits (:pivot from it)' },
  { name: 'time', usage: ':time EARLIEST [LATEST] | :time all', summary: 'time range applied to every search (-24h, @d, ISO...)' },
  { name: 'now', usage: ':now [ISO|clear]', summary: 'the clock relative times count from (replay an incident)' },
  { name: 'zoom', usage: ':zoom [FIRST [LAST]] | :zoom out', summary: 'narrow :time to buckets of the last timeline and search again (no number: choose them); out: back' },
  { name: 'inspect', usage: ':inspect [--rerun]', summary: 'the job inspector: how the last search ran (DuckDB\'s operators by command, rows and time) and the data it read; --rerun: run it again, each command kept apart' },
  { name: 'sql', usage: ':sql [athena|trino]', summary: 'the DuckDB SQL of the last search (athena/trino: its Trino SQL over the Athena table, docs/athena.md)' },
  { name: 'fields', usage: ':fields [data|result] [FIELD]', summary: 'coverage, distinct count and top values of each field' },
  { name: 'export', usage: ':export csv|json|jsonl FILE [--force]', summary: 'write the last result to a file' },
  { name: 'pivot', usage: ':pivot [ROW] [N]', summary: 'investigations that take values from a row of the last result' },
  { name: 'browse', usage: ':browse', summary: 'page through the last result (also PgUp/PgDn)' },
  { name: 'event', usage: ':event [ROW]', summary: 'the whole event of a row of the last result, pretty-printed (also Enter in the browser)' },
  { name: 'summary', usage: ':summary', summary: 'what is loaded: events, time span, accounts, regions' },
  { name: 'clear', usage: ':clear', summary: 'clear the screen' },
  { name: 'quit', usage: ':quit', summary: 'leave (also Ctrl-D)' },
];

export type SessionCommand =
  | { kind: 'help' }
  | { kind: 'load'; paths: string[]; dedupEvents: boolean }
  | { kind: 'queries' }
  | { kind: 'hunt' }
  | { kind: 'save'; id: string; title?: string; replace: boolean }
  | { kind: 'run'; id: string; params: Record<string, string> }
  | { kind: 'time'; earliest: string | null; latest: string | null }
  | { kind: 'now'; value: string | null }
  | { kind: 'zoom'; action: 'pick' } | { kind: 'zoom'; action: 'out' } | { kind: 'zoom'; action: 'buckets'; first: number; last: number }
  | { kind: 'sql'; dialect?: 'trino' }
  | { kind: 'inspect'; rerun: boolean }
  | { kind: 'fields'; scope: 'data' | 'result' | 'auto'; field?: string }
  | { kind: 'export'; format: 'csv' | 'json' | 'jsonl'; file: string; force: boolean }
  | { kind: 'pivot'; row: number; choice?: number }
  | { kind: 'browse' }
  | { kind: 'event'; row: number }
  | { kind: 'summary' }
  | { kind: 'clear' }
  | { kind: 'quit' };

export class SessionCommandError extends Error {}

export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new SessionCommandError(`unclosed ${quote} quote`);
  if (inWord) words.push(cur);
  return words;
}

/** Short forms people type from habit (vim's `:q`, psql's `:e`... ). */
const ALIASES: Record<string, string> = { q: 'quit', exit: 'quit', h: 'help', '?': 'help' };

const usage = (name: string) => SESSION_COMMANDS.find((c) => c.name === name)!.usage;

function count(n: string, what: string): number {
  if (!/^\d+$/.test(n)) throw new SessionCommandError(`${what} must be a number, not ${JSON.stringify(n)}`);
  return Number(n);
}

/** Parse a line that starts with `:`. Unknown names get the nearest known one as a hint. */
export function parseSessionCommand(line: string): SessionCommand {
  const words = splitWords(line.trim().replace(/^:/, ''));
  const typed = (words.shift() ?? '').toLowerCase();
  const name = ALIASES[typed] ?? typed;
  const info = SESSION_COMMANDS.filter((c) => c.name.startsWith(name));
  const exact = SESSION_COMMANDS.find((c) => c.name === name);
  // A unique abbreviation works (`:q`, `:ex`), as in most shells with `:` commands.
  const cmd = exact ?? (name && info.length === 1 ? info[0] : undefined);
  if (!cmd) {
    const options = info.length > 1 ? ` (${info.map((c) => ':' + c.name).join(', ')}?)` : '';
    throw new SessionCommandError(`unknown command :${name}${options}; :help lists them`);
  }
  const none = () => {
    if (words.length) throw new SessionCommandError(`:${cmd.name} takes no arguments`);
  };
  switch (cmd.name) {
    case 'sql': {
      const [dialect, ...more] = words;
      if (more.length || (dialect !== undefined && !['athena', 'trino', 'duckdb'].includes(dialect.toLowerCase()))) throw new SessionCommandError(`usage: ${usage('sql')}`);
      return dialect === undefined || dialect.toLowerCase() === 'duckdb' ? { kind: 'sql' } : { kind: 'sql', dialect: 'trino' };
    }
    case 'inspect':
      if (words.length > 1 || (words.length === 1 && words[0] !== '--rerun')) throw new SessionCommandError(`usage: ${usage('inspect')}`);
      return { kind: 'inspect', rerun: words.length === 1 };
    case 'help': case 'queries': case 'hunt': case 'browse': case 'summary': case 'clear': case 'quit':
      none();
      return { kind: cmd.name } as SessionCommand;
    case 'load': {
      const dedupEvents = words.includes('--dedup-events');
      const paths = words.filter((w) => w !== '--dedup-events');
      const flag = paths.find((w) => w.startsWith('--'));
      if (flag) throw new SessionCommandError(`:load takes --dedup-events, not ${flag} (a path that starts with -- can be given as ./${flag})`);
      // Alone, it drops the copies among what is loaded already.
      if (!paths.length && !dedupEvents) throw new SessionCommandError(`usage: ${usage('load')}`);
      return { kind: 'load', paths, dedupEvents };
    }
    case 'save': {
      // --replace is what the REPL's "replace it?" question runs when the answer is yes.
      const replace = words[0] === '--replace';
      if (replace) words.shift();
      const [id, ...title] = words;
      if (!id) throw new SessionCommandError(`usage: ${usage('save')}`);
      return { kind: 'save', id, title: title.length ? title.join(' ') : undefined, replace };
    }
    case 'run': {
      const [id, ...rest] = words;
      if (!id) throw new SessionCommandError(`usage: ${usage('run')} (:queries lists the ids)`);
      const params: Record<string, string> = {};
      for (const w of rest) {
        const eq = w.indexOf('=');
        if (eq <= 0) throw new SessionCommandError(`:run parameters are name=value, not ${JSON.stringify(w)}`);
        params[w.slice(0, eq)] = w.slice(eq + 1);
      }
      return { kind: 'run', id, params };
    }
    case 'time': {
      if (words.length === 0) return { kind: 'time', earliest: null, latest: null };
      if (words.length > 2) throw new SessionCommandError(`usage: ${usage('time')}`);
      if (words.length === 1 && /^(all|clear|alltime)$/i.test(words[0]!)) return { kind: 'time', earliest: null, latest: null };
      return { kind: 'time', earliest: words[0]!, latest: words[1] ?? null };
    }
    case 'zoom': {
      if (words.length === 0) return { kind: 'zoom', action: 'pick' };
      if (words.length === 1 && /^out$/i.test(words[0]!)) return { kind: 'zoom', action: 'out' };
      if (words.length > 2) throw new SessionCommandError(`usage: ${usage('zoom')}`);
      const first = count(words[0]!, 'the first bucket');
      const last = words[1] === undefined ? first : count(words[1], 'the last bucket');
      if (first < 1 || last < 1) throw new SessionCommandError('buckets are numbered from 1, left to right');
      return { kind: 'zoom', action: 'buckets', first, last };
    }
    case 'now':
      if (words.length > 1) throw new SessionCommandError(`usage: ${usage('now')}`);
      return { kind: 'now', value: words[0] === undefined ? null : words[0] };
    case 'fields': {
      let scope: 'data' | 'result' | 'auto' = 'auto';
      if (words[0] === 'data' || words[0] === 'result') scope = words.shift() as 'data' | 'result';
      if (words.length > 1) throw new SessionCommandError(`usage: ${usage('fields')}`);
      return { kind: 'fields', scope, field: words[0] };
    }
    case 'export': {
      const force = words.at(-1) === '--force';
      const [format, file, ...rest] = force ? words.slice(0, -1) : words;
      if (!format || !file || rest.length) throw new SessionCommandError(`usage: ${usage('export')}`);
      if (format !== 'csv' && format !== 'json' && format !== 'jsonl') throw new SessionCommandError(`:export writes csv, json or jsonl, not ${JSON.stringify(format)}`);
      return { kind: 'export', format, file, force };
    }
    case 'event': {
      if (words.length > 1) throw new SessionCommandError(`usage: ${usage('event')}`);
      const row = words[0] === undefined ? 1 : count(words[0], 'the row');
      if (row < 1) throw new SessionCommandError('rows are numbered from 1');
      return { kind: 'event', row };
    }
    case 'pivot': {
      if (words.length > 2) throw new SessionCommandError(`usage: ${usage('pivot')}`);
      const row = words[0] === undefined ? 1 : count(words[0], 'the row');
      if (row < 1) throw new SessionCommandError('rows are numbered from 1');
      return { kind: 'pivot', row, choice: words[1] === undefined ? undefined : count(words[1], 'the choice') };
    }
  }
  throw new SessionCommandError(`unknown command :${name}`);
}
