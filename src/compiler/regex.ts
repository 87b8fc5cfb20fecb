// The PCRE that SPL users write, translated to what DuckDB's RE2 runs. Constructs RE2 cannot
// run are refused with a reason rather than silently matching something else.

export interface TranslatedRegex {
  pattern: string;
  /** Capturing groups in order: a name, or null for an unnamed group. */
  groups: (string | null)[];
}

export class RegexError extends Error {}

export function translateRegex(source: string): TranslatedRegex {
  let out = '';
  const groups: (string | null)[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new RegexError('the pattern ends with a lone backslash');
      if (!inClass && /[1-9]/.test(next)) throw new RegexError(`back-references such as \\${next} are not supported (DuckDB's RE2 has none)`);
      if (!inClass && next === 'k') throw new RegexError('named back-references (\\k<name>) are not supported');
      if (next === 'K' || next === 'G' || next === 'R') throw new RegexError(`\\${next} is not supported by RE2`);
      if (next === 'Q' && !inClass) {
        // \Q...\E quotes its text (to the end when no \E): brackets in it open no group, so the
        // groups after it keep their numbers. Written out escaped, as RE2 reads it either way.
        const end = source.indexOf('\\E', i + 2);
        const quoted = source.slice(i + 2, end < 0 ? source.length : end);
        out += quoted.replace(/[\\^$.*+?()[\]{}|\-/]/g, '\\$&');
        i = end < 0 ? source.length : end + 1;
        continue;
      }
      out += ch + next;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      const head = classHead(source, i);
      out += head;
      i += head.length - 1;
      continue;
    }
    if (ch === '(') {
      const rest = source.slice(i + 1);
      if (rest.startsWith('?<=') || rest.startsWith('?<!')) throw new RegexError('look-behind (?<= or ?<!) is not supported by RE2');
      if (rest.startsWith('?=') || rest.startsWith('?!')) throw new RegexError('look-ahead (?= or ?!) is not supported by RE2');
      if (rest.startsWith('?>')) throw new RegexError('atomic groups (?>...) are not supported by RE2');
      const named = /^\?(?:P?<|')([A-Za-z_][A-Za-z0-9_]*)[>']/.exec(rest);
      if (named) {
        groups.push(named[1]!);
        out += `(?P<${named[1]}>`;
        i += named[0].length;
        continue;
      }
      if (!rest.startsWith('?')) groups.push(null);
      out += ch;
      continue;
    }
    if ((ch === '+' || ch === '*' || ch === '?' || ch === '}') && source[i + 1] === '+') {
      throw new RegexError('possessive quantifiers (such as a++) are not supported by RE2');
    }
    out += ch;
  }
  if (inClass) throw new RegexError('unclosed character class [');
  return { pattern: out, groups };
}

/** The opening of a character class at `i`: `[`, with a leading `^` and a leading `]` (literal there). */
function classHead(pattern: string, i: number): string {
  let head = '[';
  if (pattern[i + 1] === '^') head += '^';
  if (pattern[i + head.length] === ']') head += ']';
  return head;
}

/**
 * A translated (RE2) pattern with its capturing groups made non-capturing, numbered or named, so
 * it can be repeated inside a larger pattern without moving the groups after it.
 */
export function uncaptured(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      const head = classHead(pattern, i);
      out += head;
      i += head.length - 1;
      continue;
    }
    if (ch === '(') {
      const named = /^\?P<[A-Za-z_][A-Za-z0-9_]*>/.exec(pattern.slice(i + 1));
      if (named) { out += '(?:'; i += named[0].length; continue; }
      out += pattern[i + 1] === '?' ? '(' : '(?:';
      continue;
    }
    out += ch;
  }
  return out;
}
