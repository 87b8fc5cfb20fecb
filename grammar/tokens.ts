// SPL tokens. SPL lexes differently by command: after `| eval` or `| where` it is an expression
// language (`y+1` is three tokens), elsewhere an unquoted value runs to the next space, pipe or
// bracket (`src=10.0.0.0/8` is a field, `=`, and one value). One Chevrotain lexer serves both:
// mode-dependent tokens use custom matchers that look at the tokens already matched.
import { createToken, Lexer, tokenMatcher, type CustomPatternMatcherFunc, type IToken, type TokenType } from './chevrotain.js';
import { SEARCH_CLAUSES, type SearchClause } from './clauses.js';

type Mode = 'search' | 'expr';

interface Frame {
  mode: Mode;
  /** Right after `|`: the next word names a command. */
  expectCommand: boolean;
  /** No token yet in this frame (query start or just after `[`): only `search` names a command. */
  atStart: boolean;
  /** The frame's command has list-style arguments (neither search, eval nor where). */
  generic?: boolean;
  /** Inside `eval(...)` of a list-style command: parentheses open since the `eval(`. */
  parens?: number;
  /** The search-language clause the frame's command may still open (clauses.ts). */
  clause?: SearchClause;
  /** The frame's list-style command, lower case. */
  command?: string;
}

// Incremental scan of matched tokens: O(1) amortised per token, so long queries stay linear.
let scanned: IToken[] | null = null;
let scannedLength = 0;
let frames: Frame[] = [];

function scan(matched: IToken[]): Frame {
  if (matched !== scanned || matched.length < scannedLength) {
    scanned = matched;
    scannedLength = 0;
    frames = [{ mode: 'search', expectCommand: false, atStart: true }];
  }
  for (; scannedLength < matched.length; scannedLength++) {
    const token = matched[scannedLength]!;
    let top = frames[frames.length - 1]!;
    const type = token.tokenType;
    top.atStart = false;
    if (top.parens !== undefined) {
      // `count(eval(x>1))`: an expression up to the parenthesis that closes `eval(`.
      if (type === LParen) {
        top.parens++;
        continue;
      }
      if (type === RParen && top.parens > 0) {
        top.parens--;
        continue;
      }
      if (type !== RParen && type !== Pipe && type !== LBracket && type !== RBracket) continue;
      // Its closing parenthesis ends the expression (so would a pipe or bracket, which it cannot hold).
      frames.pop();
      if (type === RParen) continue;
      top = frames[frames.length - 1]!;
    }
    if (type === Pipe) {
      top.expectCommand = true;
      top.mode = 'search';
    } else if (type === LBracket) {
      frames.push({ mode: 'search', expectCommand: false, atStart: true });
    } else if (type === RBracket) {
      if (frames.length > 1) frames.pop();
    } else if (top.expectCommand) {
      top.expectCommand = false;
      top.generic = type === CommandWord;
      top.command = type === CommandWord ? token.image.toLowerCase() : undefined;
      top.clause = type === CommandWord ? SEARCH_CLAUSES[token.image.toLowerCase()] : undefined;
      if (type === EvalCmd || type === WhereCmd) top.mode = 'expr';
    } else if (type === ClauseWord) {
      top.clause = undefined;
    } else if (type === EvalParen) {
      frames.push({ mode: 'expr', expectCommand: false, atStart: false, parens: 0 });
    }
  }
  return frames[frames.length - 1]!;
}

function currentMode(matched: IToken[]): Mode {
  return scan(matched).mode;
}

/** A command name: any word right after `|`; at the start of a (sub)search only `search`. */
function commandName(accept: (name: string) => boolean): CustomPatternMatcherFunc {
  const pattern = /[A-Za-z_][\w-]*(?=$|[\s|\]\[])/y;
  return (text, offset, matched) => {
    const frame = scan(matched);
    if (!frame.expectCommand && !frame.atStart) return null;
    pattern.lastIndex = offset;
    const found = pattern.exec(text);
    if (!found) return null;
    const name = found[0].toLowerCase();
    if (!frame.expectCommand && name !== 'search') return null;
    return accept(name) ? found : null;
  };
}

function inMode(mode: Mode, pattern: RegExp): CustomPatternMatcherFunc {
  const sticky = new RegExp(pattern.source, pattern.flags.includes('y') ? pattern.flags : pattern.flags + 'y');
  return (text, offset, matched) => {
    if (currentMode(matched) !== mode) return null;
    sticky.lastIndex = offset;
    return sticky.exec(text);
  };
}

// Characters that end an unquoted search-mode word. `!` only ends it as part of `!=`.
const WORD_STOP = new Set([' ', '\t', '\n', '\r', '\f', '\v', '|', '[', ']', '(', ')', '=', '<', '>', ',', '"', '`']);

const matchWord: CustomPatternMatcherFunc = (text, offset, matched) => {
  if (currentMode(matched) !== 'search') return null;
  let end = offset;
  while (end < text.length) {
    const ch = text[end]!;
    if (WORD_STOP.has(ch)) break;
    if (ch === '!' && text[end + 1] === '=') break;
    end++;
  }
  return end > offset ? [text.slice(offset, end)] : null;
};

/** A keyword: uppercase-only in search mode (as Splunk requires), any case in expressions. */
function keyword(word: string): CustomPatternMatcherFunc {
  const exprPattern = new RegExp(`${word}(?![\\w.{}@])`, 'iy');
  return (text, offset, matched) => {
    const mode = currentMode(matched);
    if (mode === 'search') {
      if (!text.startsWith(word, offset)) return null;
      const next = text[offset + word.length];
      if (next !== undefined && !WORD_STOP.has(next) && next !== '(') return null;
      if (next === '(' && word !== 'NOT' && word !== 'IN') return null;
      return [word];
    }
    exprPattern.lastIndex = offset;
    const found = exprPattern.exec(text);
    // `like(x, "a%")` and `in(x, "a")` are eval functions; the operators follow an operand.
    if (found && (word === 'LIKE' || word === 'IN') && /^\s*\(/.test(text.slice(offset + word.length, offset + word.length + 64))) {
      const previous = matched[matched.length - 1];
      if (!previous || !OPERAND_END.has(previous.tokenType.name)) return null;
    }
    return found;
  };
}

/** The word opening the search clause of the command (`where` in tstats), once, not as a value. */
const matchClauseWord: CustomPatternMatcherFunc = (text, offset, matched) => {
  const frame = scan(matched);
  if (frame.mode !== 'search' || !frame.clause) return null;
  const word = frame.clause.keyword;
  if (text.slice(offset, offset + word.length).toLowerCase() !== word) return null;
  const next = text[offset + word.length];
  if (next !== undefined && !WORD_STOP.has(next)) return null;
  const previous = matched[matched.length - 1];
  if (previous && tokenMatcher(previous, CompareOp)) return null;
  return [text.slice(offset, offset + word.length)];
};

const OPERAND_END = new Set(['Ident', 'NumberLit', 'StringLit', 'QuotedField', 'RParen']);

const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
export const Pipe = createToken({ name: 'Pipe', pattern: /\|/, label: "'|'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: "']'" });
/** `eval(` in a list-style command (`count(eval(x>1))`): an expression follows, up to its `)`. */
const matchEvalParen: CustomPatternMatcherFunc = (text, offset, matched) => {
  if (text[offset] !== '(') return null;
  const frame = scan(matched);
  const previous = matched[matched.length - 1];
  if (frame.mode !== 'search' || !frame.generic || !previous || previous.tokenType !== Word) return null;
  return previous.image.toLowerCase() === 'eval' && (previous.endOffset ?? 0) + 1 === offset ? ['('] : null;
};
export const EvalParen = createToken({ name: 'EvalParen', pattern: matchEvalParen, line_breaks: false, label: "'('" });
/** Commands whose bracket is a template, filled in by the compiler before it is read (foreach's `<<FIELD>>`). */
const TEMPLATE_COMMANDS = new Set(['foreach']);

/** The end of the quoted text opening at `start` (its closing quote), or -1 when it is not closed. */
function quoteEnd(text: string, start: number): number {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === q) return i;
  }
  return -1;
}

/** `[...]` after foreach: the whole bracket as text, up to the `]` that closes it (quotes skipped). */
const matchTemplate: CustomPatternMatcherFunc = (text, offset, matched) => {
  if (text[offset] !== '[') return null;
  const frame = scan(matched);
  if (frame.mode !== 'search' || !frame.command || !TEMPLATE_COMMANDS.has(frame.command)) return null;
  let depth = 0;
  for (let i = offset; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      const end = quoteEnd(text, i);
      if (end < 0) return null;
      i = end;
    } else if (ch === '[') {
      depth++;
    } else if (ch === ']' && --depth === 0) {
      return [text.slice(offset, i + 1)];
    }
  }
  // Never closed: read as a bracket, so the parser names the `[` left open.
  return null;
};
export const Template = createToken({ name: 'Template', pattern: matchTemplate, line_breaks: true, label: 'a template in brackets' });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Macro = createToken({ name: 'Macro', pattern: /`[^`]*`/, label: 'a macro' });
/** Anything that can stand as a value in search or a command argument: words, strings, and keywords used as values (`action=NOT`). */
export const WordLike = createToken({ name: 'WordLike', pattern: Lexer.NA, label: 'a word or quoted string' });
export const StringLit = createToken({
  name: 'StringLit',
  categories: WordLike,
  pattern: /"(?:[^"\\]|\\[\s\S])*"/,
  line_breaks: true,
  label: 'a quoted string',
});

export const CompareOp = createToken({ name: 'CompareOp', pattern: Lexer.NA });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, categories: CompareOp, label: "'=='" });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, categories: CompareOp, label: "'!='" });
export const LtEq = createToken({ name: 'LtEq', pattern: /<=/, categories: CompareOp, label: "'<='" });
export const GtEq = createToken({ name: 'GtEq', pattern: />=/, categories: CompareOp, label: "'>='" });
export const Eq = createToken({ name: 'Eq', pattern: /=/, categories: CompareOp, label: "'='" });
export const Lt = createToken({ name: 'Lt', pattern: /</, categories: CompareOp, label: "'<'" });
export const Gt = createToken({ name: 'Gt', pattern: />/, categories: CompareOp, label: "'>'" });

// Command names get token types of their own so the parser can dispatch on them.
export const SearchCmd = createToken({ name: 'SearchCmd', pattern: commandName((n) => n === 'search'), line_breaks: false, label: "'search'" });
export const EvalCmd = createToken({ name: 'EvalCmd', pattern: commandName((n) => n === 'eval'), line_breaks: false, label: "'eval'" });
export const WhereCmd = createToken({ name: 'WhereCmd', pattern: commandName((n) => n === 'where'), line_breaks: false, label: "'where'" });
export const CommandWord = createToken({
  name: 'CommandWord',
  pattern: commandName((n) => n !== 'search' && n !== 'eval' && n !== 'where'),
  line_breaks: false,
  label: 'a command name',
});

// Keywords first, so that `AND` is not read as a word; `ANDROID` stays a word.
export const And = createToken({ name: 'And', pattern: keyword('AND'), line_breaks: false, categories: WordLike, label: "'AND'" });
export const Or = createToken({ name: 'Or', pattern: keyword('OR'), line_breaks: false, categories: WordLike, label: "'OR'" });
export const Not = createToken({ name: 'Not', pattern: keyword('NOT'), line_breaks: false, categories: WordLike, label: "'NOT'" });
export const Xor = createToken({ name: 'Xor', pattern: keyword('XOR'), line_breaks: false, label: "'XOR'" });
export const Like = createToken({ name: 'Like', pattern: keyword('LIKE'), line_breaks: false, label: "'LIKE'" });
export const In = createToken({ name: 'In', pattern: keyword('IN'), line_breaks: false, categories: WordLike, label: "'IN'" });

// Expression mode.
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: inMode('expr', /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w])/),
  line_breaks: false,
  label: 'a number',
});
export const Ident = createToken({
  name: 'Ident',
  pattern: inMode('expr', /[A-Za-z_@$][\w@$]*(?:\{\}|\.[A-Za-z_@$][\w@$]*)*/),
  line_breaks: false,
  label: 'a field or function name',
});
export const QuotedField = createToken({
  name: 'QuotedField',
  pattern: inMode('expr', /'(?:[^'\\]|\\[\s\S])*'/),
  line_breaks: true,
  label: 'a quoted field name',
});
export const Plus = createToken({ name: 'Plus', pattern: inMode('expr', /\+/), line_breaks: false, label: "'+'" });
export const Minus = createToken({ name: 'Minus', pattern: inMode('expr', /-/), line_breaks: false, label: "'-'" });
export const Star = createToken({ name: 'Star', pattern: inMode('expr', /\*/), line_breaks: false, label: "'*'" });
export const Slash = createToken({ name: 'Slash', pattern: inMode('expr', /\//), line_breaks: false, label: "'/'" });
export const Percent = createToken({ name: 'Percent', pattern: inMode('expr', /%/), line_breaks: false, label: "'%'" });
export const Dot = createToken({ name: 'Dot', pattern: inMode('expr', /\./), line_breaks: false, label: "'.'" });

export const ClauseWord = createToken({ name: 'ClauseWord', pattern: matchClauseWord, line_breaks: false, label: "'where'" });

// Search mode: everything else up to a space, pipe, bracket, paren, comma, quote or operator.
export const Word = createToken({ name: 'Word', pattern: matchWord, line_breaks: false, categories: WordLike, label: 'a word' });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Pipe,
  Template,
  LBracket,
  RBracket,
  EvalParen,
  LParen,
  RParen,
  Comma,
  Macro,
  StringLit,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Eq,
  Lt,
  Gt,
  CompareOp,
  WordLike,
  SearchCmd,
  EvalCmd,
  WhereCmd,
  CommandWord,
  And,
  Or,
  Not,
  Xor,
  Like,
  In,
  NumberLit,
  Ident,
  QuotedField,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Dot,
  ClauseWord,
  Word,
];

const LEXER_CONFIG = { positionTracking: 'full', ensureOptimizations: false, safeMode: true } as const;

// Built without Chevrotain's definition checks (its documented production setting): they cost
// 8-14 ms of every process's start and find nothing in a lexer that does not change at run time.
// test/lexer-parser.test.ts builds the same lexer with them (lexerWarnings) and fails on any finding.
const splLexer = new Lexer(allTokens, { ...LEXER_CONFIG, skipValidations: true });

/** Builds the lexer with Chevrotain's definition checks: throws on an error, returns the warnings. */
export function lexerWarnings(): string[] {
  const checked = new Lexer(allTokens, LEXER_CONFIG);
  return (checked as unknown as { lexerDefinitionWarning: Array<{ message: string }> }).lexerDefinitionWarning.map((w) => w.message);
}

/** Tokenize; the incremental mode scan is reset for each call. */
export function tokenize(text: string) {
  scanned = null;
  return splLexer.tokenize(text);
}
