// Tab completion that knows where the cursor is: a command name after `|`, an aggregation inside
// stats, a function or field inside eval/where, a macro after a backtick, a value after `field=`,
// a query id after `:run`. Context comes from the grammar's lexer, so it agrees with the parser.
import type { IToken } from '../../grammar/chevrotain.js';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tokenize } from '../../grammar/tokens.js';
import { COMMAND_NAMES, COMMAND_SPECS } from '../compiler/commands/registry.js';
import { AGGREGATE_NAMES } from '../compiler/library/aggregates.js';
import { FUNCTION_NAMES } from '../compiler/library/eval-functions.js';
import { expandHome } from './paths.js';
import { SESSION_COMMANDS } from './session-commands.js';

export type CandidateKind = 'command' | 'field' | 'function' | 'aggregate' | 'macro' | 'value' | 'query' | 'session' | 'keyword' | 'path' | 'time';

export interface Candidate {
  /** Text that replaces the word being completed. */
  insert: string;
  /** What the menu shows. */
  label: string;
  kind: CandidateKind;
  detail?: string;
}

export type ContextKind = 'command' | 'aggregate' | 'expression' | 'field' | 'search' | 'macro' | 'value' | 'session' | 'query' | 'param' | 'path' | 'format' | 'time' | 'none';

export interface CompletionContext {
  kind: ContextKind;
  /** Offset where the word being completed starts (it ends at the cursor). */
  start: number;
  prefix: string;
  /** For 'value': the field whose values are wanted; for 'param': the query id. */
  field?: string;
  /** For 'value': the value must be written as a double-quoted string (eval/where). */
  quoted?: boolean;
  /** Fields made by earlier stages of the same pipeline (eval, stats, rename ...). */
  made: string[];
  /** False after a transforming command (stats, top...): the events' own fields are gone. */
  eventFields: boolean;
}

export interface CompletionSources {
  /** Field names of the loaded data (columns, nested paths, add-on fields). */
  fields: () => readonly string[];
  macros: () => readonly string[];
  queries: () => readonly { id: string; title?: string; params: string[] }[];
  /** Values of a field starting with a prefix (case-insensitive), most frequent first (asked of the engine). */
  values?: (field: string, prefix: string) => Promise<string[]>;
}

/** Commands after which only the fields they output exist, as in Splunk. */
const TRANSFORMING = new Set(COMMAND_SPECS.filter((s) => s.transforming).map((s) => s.name));
const STATS_LIKE = new Set(COMMAND_SPECS.filter((s) => s.aggregations).map((s) => s.name));
const WORD_CHARS = /[\w.{}@$*:\-\/]/;

interface Stage {
  name: string;
  tokens: IToken[];
}

/** Split tokens into the stages of the innermost (sub)search enclosing the end of the text. */
function stagesAt(tokens: IToken[]): Stage[] {
  const stack: Stage[][] = [[{ name: 'search', tokens: [] }]];
  for (const t of tokens) {
    const type = t.tokenType.name;
    const stages = stack[stack.length - 1]!;
    if (type === 'LBracket') {
      stages[stages.length - 1]!.tokens.push(t);
      stack.push([{ name: 'search', tokens: [] }]);
    } else if (type === 'RBracket' && stack.length > 1) {
      stack.pop();
      const outer = stack[stack.length - 1]!;
      outer[outer.length - 1]!.tokens.push(t);
    } else if (type === 'Pipe') {
      stages.push({ name: '', tokens: [] });
    } else {
      const stage = stages[stages.length - 1]!;
      if (stage.name === '' && /Cmd$|^CommandWord$/.test(type)) stage.name = t.image.toLowerCase();
      else stage.tokens.push(t);
    }
  }
  return stack[stack.length - 1]!;
}

const isName = (t: IToken | undefined) => !!t && ['Word', 'Ident', 'QuotedField'].includes(t.tokenType.name);
const nameOf = (t: IToken) => (t.tokenType.name === 'QuotedField' ? t.image.slice(1, -1) : t.image);

/** Fields a finished stage makes: eval targets, `as` names, stats outputs, rex groups. */
function stageOutputs(stage: Stage): string[] {
  const out: string[] = [];
  const ts = stage.tokens;
  ts.forEach((t, i) => {
    const prev = ts[i - 1];
    const next = ts[i + 1];
    if (prev && /^as$/i.test(prev.image) && isName(t)) out.push(nameOf(t));
    if (stage.name === 'eval' && isName(t) && next?.tokenType.name === 'Eq' && (!prev || prev.tokenType.name === 'Comma')) out.push(nameOf(t));
    if (stage.name === 'rex' && t.tokenType.name === 'StringLit') {
      for (const m of t.image.matchAll(/\(\?P?<([A-Za-z_]\w*)>/g)) out.push(m[1]!);
    }
    if ((stage.name === 'spath' || stage.name === 'bin') && /^output$/i.test(t.image) && next?.tokenType.name === 'Eq') {
      const v = ts[i + 2];
      if (v) out.push(nameOf(v));
    }
  });
  if (STATS_LIKE.has(stage.name)) {
    // An aggregation without `as` is named after its text: `count`, `dc(user)`.
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (/^by$/i.test(t.image)) break;
      const next = ts[i + 1];
      const named = next && /^as$/i.test(next.image);
      if (t.tokenType.name === 'Word' && next?.tokenType.name === 'LParen') {
        let j = i + 2;
        let inner = '';
        while (j < ts.length && ts[j]!.tokenType.name !== 'RParen') inner += ts[j++]!.image;
        if (!(ts[j + 1] && /^as$/i.test(ts[j + 1]!.image))) out.push(`${t.image}(${inner})`);
        i = j;
      } else if (/^(count|c)$/i.test(t.image) && !named && !(ts[i - 1] && /^as$/i.test(ts[i - 1]!.image))) {
        out.push('count');
      }
    }
  }
  if (stage.name === 'top' || stage.name === 'rare') out.push('count', 'percent');
  return out;
}

function wordStart(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && WORD_CHARS.test(text[i - 1]!)) i--;
  return i;
}

/** Where the cursor is, in SPL terms. */
export function completionContext(text: string, cursor: number): CompletionContext {
  const before = text.slice(0, cursor);
  const base = { made: [] as string[], eventFields: true };
  if (before.trimStart().startsWith(':')) return sessionContext(before, base);

  // A macro: from the opening backtick.
  const tick = before.lastIndexOf('`');
  if (tick >= 0 && (before.slice(0, tick).split('`').length - 1) % 2 === 0 && !/[\s`]/.test(before.slice(tick + 1))) {
    return { ...base, kind: 'macro', start: tick, prefix: before.slice(tick) };
  }

  // A value after `field=` (search) or `field="` / `field=` (where).
  const value = /([A-Za-z_@$'][\w.{}@$']*)\s*(==|!=|=)\s*("?)([^\s"|\]\[()]*)$/.exec(before);
  const start = wordStart(before, cursor);
  const prefix = before.slice(start);
  const { tokens } = tokenize(before.slice(0, start));
  const stages = stagesAt(tokens);
  const current = stages[stages.length - 1]!;
  const made: string[] = [];
  let eventFields = true;
  for (const stage of stages.slice(0, -1)) {
    if (TRANSFORMING.has(stage.name)) {
      made.length = 0;
      eventFields = false;
    }
    made.push(...stageOutputs(stage));
  }
  const ctx = { made: [...new Set(made)], eventFields };
  const last = current.tokens[current.tokens.length - 1];
  const lastType = last?.tokenType.name;

  if (current.name === '' ) return { ...ctx, kind: 'command', start, prefix };
  if (value && (current.name === 'search' || current.name === 'where')) {
    const field = value[1]!.replace(/^'|'$/g, '');
    const quoted = current.name === 'where' || value[3] === '"';
    const vStart = cursor - value[4]!.length - value[3]!.length;
    return { ...ctx, kind: 'value', start: vStart, prefix: value[3]! + value[4]!, field, quoted };
  }
  if (current.name === 'eval' || current.name === 'where') {
    return { ...ctx, kind: 'expression', start, prefix };
  }
  if (STATS_LIKE.has(current.name)) {
    const sawBy = current.tokens.some((t) => /^by$/i.test(t.image));
    const inCall = openParens(current.tokens) > 0;
    if (!sawBy && !inCall && (last === undefined || lastType === 'Comma' || lastType === 'RParen' || isAggregateWord(last))) {
      return { ...ctx, kind: 'aggregate', start, prefix };
    }
    return { ...ctx, kind: 'field', start, prefix };
  }
  if (current.name === 'search') return { ...ctx, kind: 'search', start, prefix };
  return { ...ctx, kind: 'field', start, prefix };
}

function isAggregateWord(t: IToken): boolean {
  return /^(count|c)$/i.test(t.image);
}

function openParens(tokens: IToken[]): number {
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType.name === 'LParen' || t.tokenType.name === 'EvalParen') depth++;
    if (t.tokenType.name === 'RParen') depth--;
  }
  return depth;
}

function sessionContext(before: string, base: { made: string[]; eventFields: boolean }): CompletionContext {
  const lead = before.length - before.trimStart().length;
  const words = before.trimStart().split(/\s+/);
  const start = before.length - words[words.length - 1]!.length;
  const prefix = before.slice(start);
  if (words.length === 1) return { ...base, kind: 'session', start: lead, prefix: before.slice(lead) };
  const command = words[0]!.slice(1).toLowerCase();
  if (command === 'run' && words.length === 2) return { ...base, kind: 'query', start, prefix };
  if (command === 'run') return { ...base, kind: 'param', start, prefix, field: words[1] };
  if (command === 'load') return { ...base, kind: 'path', start, prefix };
  if (command === 'export' && words.length === 2) return { ...base, kind: 'format', start, prefix };
  if (command === 'export') return { ...base, kind: 'path', start, prefix };
  if (command === 'time') return { ...base, kind: 'time', start, prefix };
  if (command === 'fields' || command === 'top') return { ...base, kind: 'field', start, prefix };
  return { ...base, kind: 'none', start, prefix };
}

const TIME_MODIFIERS = ['-15m', '-1h', '-4h', '-24h', '-7d', '-30d', '@d', '-1d@d', '@w0', 'now', 'all'];

function byPrefix(prefix: string, names: Iterable<string>, kind: CandidateKind, make?: (n: string) => Partial<Candidate>): Candidate[] {
  const p = prefix.toLowerCase();
  const out: Candidate[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n) || !n.toLowerCase().startsWith(p)) continue;
    seen.add(n);
    out.push({ insert: n, label: n, kind, ...make?.(n) });
  }
  return out;
}

function pathCandidates(prefix: string): Candidate[] {
  if (prefix === '~') prefix = '~/';
  const dir = prefix.endsWith('/') ? prefix : dirname(prefix);
  const base = prefix.endsWith('/') ? '' : prefix.slice(dir === '.' && !prefix.startsWith('./') ? 0 : dir.length + (dir.endsWith('/') ? 0 : 1));
  try {
    // `~/` is read as the home folder and kept as typed in what is inserted.
    return readdirSync(dir === '' ? '.' : expandHome(dir))
      .filter((n) => n.startsWith(base) && !n.startsWith('.'))
      .sort()
      .slice(0, 200)
      .map((n) => {
        const full = dir === '.' && !prefix.startsWith('./') ? n : join(dir, n);
        let isDir = false;
        try {
          isDir = statSync(expandHome(full)).isDirectory();
        } catch {
          // unreadable entry: offered as a file
        }
        return { insert: isDir ? full + '/' : full, label: isDir ? n + '/' : n, kind: 'path' as const };
      });
  } catch {
    return [];
  }
}

/** Quote a value for the search command when it would not survive as one unquoted word. */
export function quoteValue(v: string, always: boolean): string {
  if (!always && /^[^\s"|\[\]()=<>,!`]+$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface Completion {
  context: CompletionContext;
  candidates: Candidate[];
}

export async function complete(text: string, cursor: number, sources: CompletionSources): Promise<Completion> {
  const ctx = completionContext(text, cursor);
  const p = ctx.prefix;
  const fields = (): Candidate[] => [
    ...byPrefix(p, ctx.made, 'field', () => ({ detail: 'made earlier' })),
    ...(ctx.eventFields ? byPrefix(p, sources.fields(), 'field') : []),
  ];
  const functions = () => byPrefix(p, FUNCTION_NAMES, 'function', (n) => ({ insert: n + '(' }));
  let candidates: Candidate[] = [];
  switch (ctx.kind) {
    case 'command':
      candidates = byPrefix(p, [...COMMAND_NAMES].sort(), 'command', (n) => ({ insert: n + ' ' }));
      break;
    case 'aggregate':
      candidates = [
        ...byPrefix(p, [...AGGREGATE_NAMES].sort(), 'aggregate', (n) => ({ insert: /^(count|c)$/.test(n) ? n : n + '(' })),
        ...byPrefix(p, ['by'], 'keyword', () => ({ insert: 'by ' })),
      ];
      break;
    case 'expression':
      candidates = [...fields(), ...functions()];
      break;
    case 'field':
      candidates = fields();
      break;
    case 'search':
      candidates = [...fields(), ...byPrefix(p, ['AND', 'OR', 'NOT'], 'keyword', (n) => ({ insert: n + ' ' }))];
      break;
    case 'macro': {
      const bare = p.slice(1);
      candidates = byPrefix(bare, sources.macros(), 'macro', (n) => ({ insert: '`' + n + (/\(\d+\)$/.test(n) ? '' : '`'), label: '`' + n + '`' }));
      candidates = candidates.map((c) => (c.insert.endsWith(')') ? { ...c, insert: '`' + c.label.slice(1, -1).replace(/\(\d+\)$/, '(') } : c));
      break;
    }
    case 'value': {
      const typed = p.replace(/^"/, '').toLowerCase();
      const values = sources.values && ctx.field ? await sources.values(ctx.field, typed) : [];
      candidates = values
        .filter((v) => v.toLowerCase().startsWith(typed))
        .map((v) => ({ insert: quoteValue(v, !!ctx.quoted), label: v, kind: 'value' as const }));
      break;
    }
    case 'session':
      candidates = byPrefix(p, SESSION_COMMANDS.map((c) => ':' + c.name), 'session', (n) => ({
        insert: n + ' ',
        detail: SESSION_COMMANDS.find((c) => ':' + c.name === n)?.summary,
      }));
      break;
    case 'query':
      candidates = sources.queries()
        .filter((q) => q.id.toLowerCase().startsWith(p.toLowerCase()))
        .map((q) => ({ insert: q.id + ' ', label: q.id, kind: 'query' as const, detail: q.title }));
      break;
    case 'param': {
      const q = sources.queries().find((x) => x.id === ctx.field);
      candidates = byPrefix(p, q?.params ?? [], 'field', (n) => ({ insert: n + '=' }));
      break;
    }
    case 'path':
      candidates = pathCandidates(p);
      break;
    case 'format':
      candidates = byPrefix(p, ['csv', 'json', 'jsonl'], 'keyword', (n) => ({ insert: n + ' ' }));
      break;
    case 'time':
      candidates = byPrefix(p, TIME_MODIFIERS, 'time', (n) => ({ insert: n + ' ' }));
      break;
    case 'none':
      break;
  }
  return { context: ctx, candidates };
}

/** The longest prefix all candidates share (case-sensitive), to insert on a first Tab. */
export function commonPrefix(items: string[]): string {
  if (items.length === 0) return '';
  let prefix = items[0]!;
  for (const s of items.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < s.length && prefix[i] === s[i]) i++;
    prefix = prefix.slice(0, i);
  }
  return prefix;
}
