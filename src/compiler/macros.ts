// Search macros in Splunk's macros.conf format, and `$name$` parameters. Macros are text
// substitutions before parsing, as in Splunk; parameters are values filled into the tokens.
import { SplError, splError } from '../../grammar/diagnostics.js';
import type { IToken } from '../../grammar/chevrotain.js';
import { Ident, QuotedField, StringLit, tokenize } from '../../grammar/tokens.js';
import { nearest } from './suggest.js';

export interface MacroDef {
  name: string;
  args: string[];
  definition: string;
  /** Where it was defined, for messages. */
  file?: string;
}

/** Macros keyed as Splunk keys them: `name` or `name(N)` for N arguments. */
export type MacroSet = Map<string, MacroDef>;

/** Parse macros.conf text: `[name(2)]` stanzas with `args =` and `definition =` (with `\` continuations). */
export function parseMacrosConf(text: string, file?: string): MacroSet {
  const macros: MacroSet = new Map();
  let current: { key: string; values: Map<string, string> } | null = null;
  const flush = () => {
    if (!current) return;
    const m = /^([^()\s]+)(?:\((\d+)\))?$/.exec(current.key.trim());
    const definition = current.values.get('definition');
    if (m && definition !== undefined) {
      const args = (current.values.get('args') ?? '').split(',').map((a) => a.trim()).filter(Boolean);
      const key = m[2] ? `${m[1]}(${m[2]})` : m[1]!;
      macros.set(key, { name: m[1]!, args, definition, file });
    }
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (/^\s*[#;]/.test(line) || line.trim() === '') continue;
    const stanza = /^\s*\[(.+)\]\s*$/.exec(line);
    if (stanza) {
      flush();
      current = { key: stanza[1]!, values: new Map() };
      continue;
    }
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + '\n' + lines[++i]!;
    const kv = /^\s*([A-Za-z_.]+)\s*=\s?(.*)$/s.exec(line);
    if (kv && current) current.values.set(kv[1]!.toLowerCase(), kv[2]!.trim());
  }
  flush();
  return macros;
}

/** Split macro arguments at top-level commas (quotes and parentheses respected). */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && quote) { cur += ch + (text[i + 1] ?? ''); i++; continue; }
    if (ch === '"') quote = !quote;
    if (!quote && ch === '(') depth++;
    if (!quote && ch === ')') depth--;
    if (!quote && depth === 0 && ch === ',') { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur.trim());
  return out;
}

const MAX_DEPTH = 20;
/** Far beyond any real search; a few lines of macros doubling each other would otherwise take gigabytes. */
const MAX_EXPANDED = 1_000_000;

/** Replace every `` `macro(args)` `` (outside double quotes), recursively. */
export function expandMacros(text: string, macros: MacroSet, depth = 0): string {
  if (!text.includes('`')) return text;
  let out = '';
  let i = 0;
  let quote = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && quote) { out += ch + (text[i + 1] ?? ''); i += 2; continue; }
    if (ch === '"') { quote = !quote; out += ch; i++; continue; }
    if (ch !== '`' || quote) { out += ch; i++; continue; }
    const end = text.indexOf('`', i + 1);
    if (end < 0) throw splError('unclosed-quote', 'unclosed macro backtick', { start: i, end: i + 1 });
    const span = { start: i, end: end + 1 };
    if (depth >= MAX_DEPTH) throw splError('unknown-macro', `macros nest more than ${MAX_DEPTH} deep (a macro that uses itself?)`, span);
    const call = text.slice(i + 1, end).trim();
    const m = /^([^\s(]+)\s*(?:\((.*)\))?$/s.exec(call);
    if (!m) throw splError('unknown-macro', `cannot read macro call ${JSON.stringify(call)}`, span);
    const name = m[1]!;
    const args = m[2] !== undefined ? splitArgs(m[2]) : [];
    const key = args.length ? `${name}(${args.length})` : name;
    const def = macros.get(key);
    let body: string;
    if (def) {
      body = def.definition;
      def.args.forEach((argName, k) => {
        body = body.split(`$${argName}$`).join(args[k] ?? '');
      });
    } else if (name.endsWith('_filter') && args.length === 0) {
      // Published content leaves *_filter macros for local tuning; undefined means no filter.
      body = 'search *';
    } else {
      const known = [...new Set([...macros.values()].map((d) => (d.args.length ? `${d.name}(${d.args.length})` : d.name)))];
      const hints = nearest(key, known);
      const other = [...macros.keys()].filter((k) => k.startsWith(name + '(') || k === name);
      const why = other.length ? ` (defined with ${other.join(', ')})` : '';
      throw splError('unknown-macro', `unknown macro ${key}${why}`, span, hints.length ? [`did you mean ${hints.join(', ')}?`] : undefined);
    }
    try {
      out += expandMacros(body, macros, depth + 1);
    } catch (err) {
      // A problem inside a macro's body is shown at the call in the search the user typed.
      if (err instanceof SplError) throw new SplError({ ...err.diagnostic, span }, err.text);
      throw err;
    }
    if (out.length > MAX_EXPANDED) {
      throw splError('too-complex', `macros expand to more than ${MAX_EXPANDED.toLocaleString('en')} characters (a macro that repeats another many times?)`, span);
    }
    i = end + 1;
  }
  return out;
}

/** Names of `$name$` tokens in a search, in order of first appearance. */
export function paramNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\$|\$([A-Za-z_][\w.]*)\$/g)].filter((m) => m[1]).map((m) => m[1]!))];
}

/** `$$` (a literal dollar sign, as in Splunk's saved searches) or a `$name$` token. */
const PARAM = /\$\$|\$([A-Za-z_][\w.]*)\$/g;
const HAS_PARAM = /\$\$|\$[A-Za-z_][\w.]*\$/;

/**
 * Fill `$name$` tokens with parameter values. A value is always data, never SPL: the search is
 * cut into the lexer's own tokens, so a value lands exactly where the parser will look for it.
 * Inside a quoted string or a quoted field name it is escaped for that quote; anywhere else the
 * word holding it becomes a quoted string. Macros are expanded before this (see prepare), so a
 * value never passes through macro expansion either.
 */
export function fillParams(text: string, params: Record<string, string>, allowUnfilled: boolean): string {
  // Only a text holding a `$name$` or `$$` is lexed: a `$` in a regex (`"^.*$"`) made the
  // whole search be lexed here and again by the parser.
  if (!HAS_PARAM.test(text)) return text;
  const lexed = tokenize(text);
  // The parser reports these same errors on this same text; a value must not paper over them.
  if (lexed.errors.length > 0) return text;
  let out = '';
  let at = 0;
  for (const token of lexed.tokens) {
    if (!token.image.includes('$')) continue;
    out += text.slice(at, token.startOffset) + fillToken(token, params, allowUnfilled);
    at = token.startOffset + token.image.length;
  }
  return out + text.slice(at);
}

function fillToken(token: IToken, params: Record<string, string>, allowUnfilled: boolean): string {
  const type = token.tokenType;
  const quote = type === StringLit ? '"' : type === QuotedField ? "'" : null;
  const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(quote === "'" ? /'/g : /"/g, `\\${quote ?? '"'}`);
  let filled = false;
  let whole = false;
  const body = token.image.replace(PARAM, (match: string, name: string | undefined, offset: number) => {
    if (name === undefined) return '$';
    const value = params[name];
    if (value === undefined) {
      if (!allowUnfilled) throw splError('missing-parameter', `missing parameter ${name}: pass --param ${name}=VALUE`, { start: token.startOffset + offset, end: token.startOffset + offset + match.length });
      return match;
    }
    filled = true;
    whole = match.length === token.image.length;
    return quote ? escape(value) : value;
  });
  if (quote || !filled) return body;
  // In eval and where a word is a field name: a value may stand for a whole operand, not part of a name.
  if (type === Ident && !whole) {
    throw splError('bad-argument', `a parameter is a value and cannot be part of the name ${JSON.stringify(token.image)}`, { start: token.startOffset, end: token.startOffset + token.image.length }, ['use the parameter on its own, as in x=$name$, or inside a quoted string']);
  }
  return `"${body.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
