// Saved searches in `queries/<id>.spl`: a header of `# key: value` comment lines, then the SPL.
//
//   # title: AWS AssumeRole calls
//   # type: hunting
//   # description: First line of the description,
//   #   continued on lines indented by two or more spaces.
//   # parameters:
//   #   arn: what the $arn$ token stands for
//   `cloudtrail` eventName=AssumeRole ...
//
// The header ends at the first line that is not a `#` comment; everything after it is the search
// (several lines are one search, as in Splunk's editor).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { paramNames } from '../compiler/macros.js';
import { PROJECT_ROOT } from './engine.js';
import { defaultStateDir } from './lookups.js';

const QUERY_TYPES = ['hunting', 'detection', 'baseline', 'investigation'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

export interface QueryParameter {
  name: string;
  description: string;
}

export interface SavedQuery {
  id: string;
  title: string;
  type: QueryType;
  description: string;
  /** e.g. "T1078 Valid Accounts". */
  mitre?: string;
  /** Fields the search reads. */
  fields: string[];
  falsePositives?: string;
  parameters: QueryParameter[];
  /** The search text (without the header). */
  spl: string;
  /** Where it was read from. */
  file: string;
}

export class QueryError extends Error {}

const KEYS = new Set(['id', 'title', 'type', 'description', 'mitre', 'fields', 'false_positives', 'parameters']);
const ID = /^[a-z0-9][a-z0-9_]*$/;

export function bundledQueriesDir(): string {
  return join(PROJECT_ROOT, 'queries');
}

/** The user's own saved searches (the REPL's `:save`), beside the lookups in the state folder. */
export function userQueriesDir(stateDir = defaultStateDir()): string {
  return join(stateDir, 'queries');
}

/** Parse one query file's text. `file` names it in messages and gives the default id. */
export function parseQuery(text: string, file: string): SavedQuery {
  const lines = text.split(/\r?\n/);
  const values = new Map<string, string[]>();
  let key: string | null = null;
  let i = 0;
  const fail = (line: number, message: string) => new QueryError(`${file}:${line + 1}: ${message}`);
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (!line.startsWith('#')) break;
    const body = line.slice(1);
    if (body.trim() === '') continue;
    if (/^\s{2,}\S/.test(body)) {
      // An indented line continues the key above it (a parameter under `parameters:`, or wrapped text).
      if (!key) throw fail(i, 'an indented header line must follow a "key: value" line');
      values.get(key)!.push(body.trim());
      continue;
    }
    const m = /^\s?([A-Za-z_]+):\s*(.*)$/.exec(body);
    if (!m) throw fail(i, `expected "# key: value", found ${JSON.stringify(line)}`);
    key = m[1]!.toLowerCase();
    if (!KEYS.has(key)) throw fail(i, `unknown header key ${JSON.stringify(m[1])} (known: ${[...KEYS].join(', ')})`);
    if (values.has(key)) throw fail(i, `header key ${key} given twice`);
    values.set(key, m[2]!.trim() === '' ? [] : [m[2]!.trim()]);
  }
  const spl = lines.slice(i).join('\n').trim();
  const text1 = (k: string) => values.get(k)?.join(' ').trim() || undefined;
  const fileId = basename(file).replace(/\.spl$/i, '');
  const id = text1('id') ?? fileId;
  if (!ID.test(id)) throw new QueryError(`${file}: id ${JSON.stringify(id)} must be lower-case letters, digits and _`);
  const title = text1('title');
  if (!title) throw new QueryError(`${file}: the header needs a "# title:" line`);
  const type = text1('type') ?? 'hunting';
  if (!(QUERY_TYPES as readonly string[]).includes(type)) throw new QueryError(`${file}: type must be one of ${QUERY_TYPES.join(', ')}, not ${JSON.stringify(type)}`);
  if (!spl) throw new QueryError(`${file}: no search after the header`);
  const parameters = (values.get('parameters') ?? []).map((p) => {
    const pm = /^([A-Za-z_][\w.]*)\s*:\s*(.+)$/.exec(p);
    if (!pm) throw new QueryError(`${file}: a parameter is "name: description", not ${JSON.stringify(p)}`);
    return { name: pm[1]!, description: pm[2]!.trim() };
  });
  const declared = new Set(parameters.map((p) => p.name));
  const used = paramNames(spl);
  const undeclared = used.filter((n) => !declared.has(n));
  if (undeclared.length) throw new QueryError(`${file}: the search uses $${undeclared.join('$, $')}$ but the header's parameters do not describe it`);
  const unused = [...declared].filter((n) => !used.includes(n));
  if (unused.length) throw new QueryError(`${file}: parameter ${unused.join(', ')} is described but the search never uses $${unused[0]}$`);
  return {
    id,
    title,
    type: type as QueryType,
    description: text1('description') ?? '',
    mitre: text1('mitre'),
    fields: (text1('fields') ?? '').split(',').map((f) => f.trim()).filter(Boolean),
    falsePositives: text1('false_positives'),
    parameters,
    spl,
    file,
  };
}

export function loadQueryFile(file: string): SavedQuery {
  return parseQuery(readFileSync(file, 'utf8'), file);
}

/** Every query in a folder, sorted by id. Ids must be unique. */
export function listQueries(dir = bundledQueriesDir()): SavedQuery[] {
  if (!existsSync(dir)) return [];
  const queries = readdirSync(dir)
    .filter((f) => f.endsWith('.spl'))
    .sort()
    .map((f) => loadQueryFile(join(dir, f)));
  const seen = new Map<string, string>();
  for (const q of queries) {
    const other = seen.get(q.id);
    if (other) throw new QueryError(`${q.file}: id ${q.id} is also used by ${other}`);
    seen.set(q.id, q.file);
  }
  return queries.sort((a, b) => a.id.localeCompare(b.id));
}

function findQuery(id: string, dir = bundledQueriesDir()): SavedQuery | undefined {
  return listQueries(dir).find((q) => q.id === id);
}

/** A saved query by id: the bundled ones first, then the user's own (`:save`), if that folder is given. */
function findIn(id: string, dir: string, saved: string | undefined): SavedQuery | undefined {
  const found = findQuery(id, dir);
  if (found || saved === undefined) return found;
  const file = join(saved, `${id}.spl`);
  return existsSync(file) ? loadQueryFile(file) : undefined;
}

/** What `run` was given: a saved query id, a .spl file (with or without a header), or SPL text. */
/** `then`: more pipeline typed after a saved search's id (`aws_sts_assume_role | stats count by src`). */
export type ResolvedSearch = { kind: 'query'; query: SavedQuery; then?: string } | { kind: 'text'; spl: string };

/** The SPL to run for a resolved argument: the text, or the saved search and what follows it. */
export function resolvedSpl(resolved: ResolvedSearch): string {
  if (resolved.kind === 'text') return resolved.spl;
  return resolved.then ? `${resolved.query.spl}\n| ${resolved.then}` : resolved.query.spl;
}

export function resolveSearch(arg: string, dir = bundledQueriesDir(), saved?: string): ResolvedSearch {
  if (/\.spl$/i.test(arg) && existsSync(arg)) {
    const text = readFileSync(arg, 'utf8');
    // A plain .spl file has no header; one that starts with a comment header is a saved query.
    if (/^\s*#/.test(text)) return { kind: 'query', query: parseQuery(text, arg) };
    return { kind: 'text', spl: text };
  }
  if (ID.test(arg)) {
    const query = findIn(arg, dir, saved);
    if (query) return { kind: 'query', query };
  }
  const piped = /^\s*([^\s|]+)\s*\|([\s\S]*)$/.exec(arg);
  if (piped && ID.test(piped[1]!)) {
    const query = findIn(piped[1]!, dir, saved);
    if (query) return { kind: 'query', query, then: piped[2]!.trim() };
  }
  return { kind: 'text', spl: arg };
}
