// The RE2 patterns the compiler holds (regex.ts translates SPL's PCRE to RE2), rewritten for
// java.util.regex, which Trino's regexp_* functions run. Where the two read the same text
// differently the pattern is rewritten so Java means what RE2 meant; a construct with no Java
// form is refused by name, never passed through to match something else.

export class JavaRegexError extends Error {}

/** RE2's POSIX classes, as Java's ASCII property classes (RE2's are ASCII too). */
const POSIX: Record<string, string> = {
  alnum: 'Alnum', alpha: 'Alpha', ascii: 'ASCII', blank: 'Blank', cntrl: 'Cntrl', digit: 'Digit', graph: 'Graph',
  lower: 'Lower', print: 'Print', punct: 'Punct', space: 'Space', upper: 'Upper', xdigit: 'XDigit',
};

/** RE2's `\s` is these five; Java's also has \x0B. */
const RE2_SPACE = '\\t\\n\\f\\r ';

/**
 * `pattern` (RE2 syntax) for Java. Java's `.` and `^`/`$` treat \r, \u0085, \u2028 and \u2029 as
 * line ends too: the `d` flag (UNIX_LINES) makes only \n one, as in RE2. RE2's `$` outside
 * multi-line mode is the end of the text only; Java's also matches before a final line end, so it
 * becomes `\z`. RE2's case folding is Unicode's; Java's is ASCII unless `u` is set.
 */
export function javaRegex(pattern: string): string {
  let out = '';
  let inClass = false;
  // A leading flag group sets the mode for the whole pattern; an `m` flag further in would change
  // what the `$`s around it mean, group by group.
  const multiline = /^\(\?[imsU]*m[imsU]*[:)]/.test(pattern);
  if (/.\(\?[imsU]*(?:-[imsU]*)?m/.test(pattern)) throw new JavaRegexError('a multi-line flag (?m) after the start of the pattern has no Java form that means the same');
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new JavaRegexError('the pattern ends with a lone backslash');
      i++;
      if (next === 's') { out += inClass ? RE2_SPACE : `[${RE2_SPACE}]`; continue; }
      if (next === 'S') {
        if (inClass) throw new JavaRegexError('\\S inside a character class has no Java form that means the same');
        out += `[^${RE2_SPACE}]`;
        continue;
      }
      if (next === 'v') { out += '\\x0B'; continue; }
      if (next === 'C') throw new JavaRegexError('\\C (any byte) has no Java form');
      if (next === '0') throw new JavaRegexError('octal escapes (\\0...) differ between RE2 and Java; write \\x{..} instead');
      if (next === 'z' || next === 'A' || next === 'b' || next === 'B' || /[dDwWpPx.\\^$|?*+()[\]{}\-/tnrfae]/.test(next) || !/[A-Za-z0-9]/.test(next)) {
        out += '\\' + next;
        continue;
      }
      throw new JavaRegexError(`the escape \\${next} has no Java form that means the same`);
    }
    if (inClass) {
      if (ch === ']') { inClass = false; out += ch; continue; }
      if (ch === '[' && pattern[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (m) {
          const name = m[2]!;
          if (name === 'word') out += m[1] ? '\\W' : '\\w';
          else if (POSIX[name]) out += `\\${m[1] ? 'P' : 'p'}{${POSIX[name]}}`;
          else throw new JavaRegexError(`the character class [:${name}:] is unknown`);
          i += m[0].length - 1;
          continue;
        }
      }
      // Java reads `[` inside a class as a nested class and `&&` as an intersection; RE2 as text.
      if (ch === '[') { out += '\\['; continue; }
      if (ch === '&' && pattern[i + 1] === '&') { out += '&\\&'; i++; continue; }
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      if (pattern[i + 1] === '^') { out += '^'; i++; }
      if (pattern[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      // Group names are read by position (rex numbers them), and Java's allow no underscore.
      const named = /^P?<[A-Za-z_][A-Za-z0-9_]*>/.exec(rest);
      if (named) { out += '('; i += 1 + named[0].length; continue; }
      const flags = /^([imsU]*)(?:-([imsU]*))?([:)])/.exec(rest);
      if (flags) {
        const on = flags[1]!;
        const off = flags[2] ?? '';
        if (on.includes('U') || off.includes('U')) throw new JavaRegexError('the flag U (ungreedy) has no Java form');
        const javaOn = on.includes('i') ? on + 'u' : on;
        out += `(?${javaOn}${flags[2] !== undefined ? '-' + off : ''}${flags[3]}`;
        i += 1 + flags[0].length;
        continue;
      }
      if (rest.startsWith(':')) { out += '(?:'; i += 2; continue; }
      throw new JavaRegexError(`the group (?${rest.slice(0, 2)} has no Java form`);
    }
    if (ch === '$' && !multiline) { out += '\\z'; continue; }
    if (ch === '{' && !isQuantifier(pattern, i)) { out += '\\{'; continue; }
    out += ch;
  }
  if (inClass) throw new JavaRegexError('unclosed character class [');
  return '(?d)' + out;
}

/** `{n}`, `{n,}` or `{n,m}` at `i`: a counted repetition (anything else is text in RE2). */
function isQuantifier(pattern: string, i: number): boolean {
  return /^\{\d+(,\d*)?\}/.test(pattern.slice(i));
}
