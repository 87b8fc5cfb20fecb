// SPL parser: tokens -> AST. Commands with their own syntax (search, eval, where) get rules of
// their own; every other command is parsed as a list of words, options and calls and checked
// by the compiler, which gives better messages than a rule per option could.
import { EOF, type IToken } from './chevrotain.js';
import type { Arg, Assignment, Command, CompareOp, Expr, Pipeline } from './ast.js';
import { Comma, Eq, Ident, LBracket, LParen, Pipe, QuotedField, RBracket, RParen, StringLit, Template, tokenize, EvalParen, ClauseWord, Word, SearchCmd, EvalCmd, WhereCmd, CommandWord, WordLike, CompareOp as CompareOpToken } from './tokens.js';
import type { Diagnostic } from './diagnostics.js';
import { findSlips, forgottenPipeAt } from './slips.js';
import { SEARCH_CLAUSES, type SearchClause } from './clauses.js';
import { join, span, unquote } from './expression-parser.js';
import { SearchParser } from './search-parser.js';
import { expectedFrom, WILDCARD_HINT, wildcardInExpression, closesNothing, closerHint, unclosedOpener } from './parse-hints.js';

class SplParser extends SearchParser {
  constructor(checked: boolean) {
    super(checked);
    this.performSelfAnalysis();
  }

  /** The search-language clause the arguments of the command being parsed may hold. */
  private clause: SearchClause | undefined;

  /** The first token the last parse did not consume (EOF when it consumed everything). */
  public leftover(): IToken {
    return this.LA(1);
  }

  public pipeline = this.RULE('pipeline', (): Pipeline => {
    const commands: Command[] = [];
    let leadingPipe = false;
    const first = this.LA(1);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(Pipe);
          leadingPipe = true;
          commands.push(this.SUBRULE(this.command));
        },
      },
      {
        ALT: () => {
          const c = this.SUBRULE(this.implicitSearch);
          if (c) commands.push(c);
        },
      },
    ]);
    this.MANY(() => {
      this.CONSUME2(Pipe);
      commands.push(this.SUBRULE2(this.command));
    });
    const last = this.LA(0);
    return {
      commands,
      leadingPipe,
      span: this.RECORDING_PHASE ? { start: 0, end: 0 } : { start: first.startOffset, end: (last?.endOffset ?? first.startOffset) + 1 },
    };
  });

  private implicitSearch = this.RULE('implicitSearch', (): Command | null => {
    let nameToken: IToken | undefined;
    this.OPTION(() => (nameToken = this.CONSUME(SearchCmd)));
    const expr = this.OPTION2(() => this.SUBRULE(this.searchAnd));
    if (this.RECORDING_PHASE) return null;
    if (!nameToken && !expr) return null;
    const start = nameToken ?? this.LA(0);
    const s = expr ? (nameToken ? join(span(nameToken, nameToken), expr.span) : expr.span) : span(start, start);
    return { kind: 'search', name: 'search', expr: expr ?? null, span: s, nameSpan: nameToken ? span(nameToken, nameToken) : { start: s.start, end: s.start } };
  });

  private command = this.RULE('command', (): Command => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(SearchCmd);
          const nameSpan = span(t, t);
          const expr = this.OPTION(() => this.SUBRULE(this.searchAnd));
          return { kind: 'search', name: 'search', expr: expr ?? null, span: expr ? join(nameSpan, expr.span) : nameSpan, nameSpan } as Command;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(EvalCmd);
          const nameSpan = span(t, t);
          const assignments: Assignment[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => assignments.push(this.SUBRULE(this.assignment)) });
          const last = assignments[assignments.length - 1];
          return { kind: 'eval', name: 'eval', assignments, span: last ? join(nameSpan, last.span) : nameSpan, nameSpan } as Command;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(WhereCmd);
          const nameSpan = span(t, t);
          const expr = this.SUBRULE(this.expression);
          return { kind: 'where', name: 'where', expr, span: join(nameSpan, expr?.span), nameSpan } as Command;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(CommandWord);
          const nameSpan = span(t, t);
          const args: Arg[] = [];
          const outer = this.clause;
          this.clause = this.RECORDING_PHASE ? undefined : SEARCH_CLAUSES[t.image.toLowerCase()];
          this.MANY(() => args.push(this.SUBRULE(this.arg)));
          this.clause = outer;
          const last = args[args.length - 1];
          return { kind: 'generic', name: t.image.toLowerCase(), args, span: last ? join(nameSpan, last.span) : nameSpan, nameSpan } as Command;
        },
      },
    ]);
  });

  private assignment = this.RULE('assignment', (): Assignment => {
    const target = this.OR([
      { ALT: () => this.CONSUME(Ident) },
      { ALT: () => this.CONSUME(QuotedField) },
      { ALT: () => this.CONSUME(StringLit) },
    ]);
    this.CONSUME(Eq);
    const expr = this.SUBRULE(this.expression);
    if (this.RECORDING_PHASE) return { field: '', fieldSpan: { start: 0, end: 0 }, expr, span: { start: 0, end: 0 } };
    const field = target.tokenType === Ident ? target.image : unquote(target.image);
    const fieldSpan = span(target, target);
    return { field, fieldSpan, expr, span: join(fieldSpan, expr.span) };
  });

  // ---- generic arguments --------------------------------------------------------------
  private arg = this.RULE('arg', (): Arg => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.searchClause) },
      {
        ALT: () => {
          const c = this.CONSUME(Comma);
          return { kind: 'comma', span: span(c, c) } as Arg;
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(LBracket);
          const pipeline = this.SUBRULE(this.pipeline);
          const close = this.CONSUME(RBracket);
          return { kind: 'subsearch', pipeline, span: span(open, close) } as Arg;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(Template);
          return { kind: 'template', text: this.RECORDING_PHASE ? '' : t.image.slice(1, -1), span: span(t, t) } as Arg;
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(LParen);
          const args: Arg[] = [];
          this.MANY(() => args.push(this.SUBRULE(this.arg)));
          const close = this.CONSUME(RParen);
          return { kind: 'call', name: '', args, span: span(open, close) } as Arg;
        },
      },
      { ALT: () => this.SUBRULE(this.wordArg) },
    ]);
  });

  /** `where <search>` inside a command's arguments, up to a word that ends the clause. */
  private searchClause = this.RULE('searchClause', (): Arg => {
    const keyword = this.CONSUME(ClauseWord);
    const until = this.clauseUntil;
    this.clauseUntil = this.clause?.until;
    const expr = this.OPTION({ GATE: () => !this.endsClause(), DEF: () => this.SUBRULE(this.searchAnd) });
    this.clauseUntil = until;
    if (this.RECORDING_PHASE) return { kind: 'clause', keyword: '', keywordSpan: { start: 0, end: 0 }, expr: null, span: { start: 0, end: 0 } };
    const keywordSpan = span(keyword, keyword);
    return { kind: 'clause', keyword: keyword.image.toLowerCase(), keywordSpan, expr: expr ?? null, span: expr ? join(keywordSpan, expr.span) : keywordSpan };
  });

  private wordArg = this.RULE('wordArg', (): Arg => {
    const t = this.CONSUME(WordLike);
    let quoted = t.tokenType === StringLit;
    let word: Arg = { kind: 'word', value: this.RECORDING_PHASE ? '' : quoted ? unquote(t.image) : t.image, quoted, span: span(t, t) };
    // `"All_Changes".*` (what drop_dm_object_name("All_Changes") expands to): Splunk reads a
    // quoted name glued to a wildcard suffix as one field pattern, All_Changes.*.
    this.OPTION9({
      GATE: () => quoted && this.LA(1).tokenType === Word && this.LA(1).startOffset === (t.endOffset ?? 0) + 1 && /^[.*]/.test(this.LA(1).image),
      DEF: () => {
        const rest = this.CONSUME(Word);
        if (!this.RECORDING_PHASE && word.kind === 'word') {
          word = { kind: 'word', value: word.value + rest.image, quoted: false, span: span(t, rest) };
          quoted = false;
        }
      },
    });
    return this.OR2({
      IGNORE_AMBIGUITIES: true,
      DEF: [
      {
        // `count(eval(x>1))`: the lexer reads an expression inside `eval(` (tokens.ts).
        ALT: () => {
          const open = this.CONSUME(EvalParen);
          const expr = this.SUBRULE(this.expression);
          const close = this.CONSUME3(RParen);
          if (this.RECORDING_PHASE) return word;
          return { kind: 'call', name: 'eval', args: [{ kind: 'expr', expr, span: expr.span ?? span(open, close) }], span: span(t, close) } as Arg;
        },
      },
      {
        GATE: () => !quoted && this.LA(1).tokenType === LParen && this.LA(1).startOffset === (t.endOffset ?? 0) + 1,
        ALT: () => {
          this.CONSUME(LParen);
          const args: Arg[] = [];
          this.MANY(() => args.push(this.SUBRULE(this.arg)));
          const close = this.CONSUME(RParen);
          return { kind: 'call', name: word.kind === 'word' ? word.value : '', args, span: span(t, close) } as Arg;
        },
      },
      {
        ALT: () => {
          const op = this.CONSUME(CompareOpToken);
          const value = this.SUBRULE2(this.wordArg);
          return { kind: 'option', key: word.kind === 'word' ? word.value : '', op: (op.image === '==' ? '=' : op.image) as CompareOp, value, span: join(word.span, value.span) } as Arg;
        },
      },
      { ALT: () => word },
    ]});
  });
}

// Built without Chevrotain's grammar checks (its documented production setting): they took 16-37
// ms of every process's start, and the grammar is fixed when it is built. The tests build it with
// them (checkGrammar in test/lexer-parser.test.ts): a grammar that fails them fails there.
const parser = new SplParser(false);

/** Builds the parser with Chevrotain's grammar checks: throws on any definition error. */
export function checkGrammar(): void {
  new SplParser(true);
}

export interface ParseResult {
  pipeline: Pipeline | null;
  diagnostics: Diagnostic[];
}


export function parse(text: string): ParseResult {
  const lexed = tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of lexed.errors) {
    const ch = text[e.offset];
    if (ch === '"') {
      diagnostics.push({ code: 'unclosed-quote', message: 'unclosed double quote', span: { start: e.offset, end: e.offset + 1 }, hints: ['close the string with a matching "'] });
    } else if (ch === "'") {
      diagnostics.push({ code: 'unclosed-quote', message: 'unclosed single quote', span: { start: e.offset, end: e.offset + 1 }, hints: ["in eval and where, single quotes name a field: close it with a matching '"] });
    } else if (ch === '`') {
      diagnostics.push({ code: 'unclosed-quote', message: 'unclosed macro backtick', span: { start: e.offset, end: e.offset + 1 } });
    } else {
      diagnostics.push({ code: 'syntax', message: `unexpected character ${JSON.stringify(ch ?? '')}`, span: { start: e.offset, end: e.offset + Math.max(1, e.length) } });
    }
  }
  if (diagnostics.length > 0) return { pipeline: null, diagnostics };
  if (lexed.tokens.length === 0) return { pipeline: { commands: [], leadingPipe: false, span: { start: 0, end: 0 } }, diagnostics };
  parser.input = lexed.tokens;
  const pipeline = parser.pipeline();
  for (const e of parser.errors) {
    const t = e.token;
    const atEnd = t.tokenType === EOF;
    const start = atEnd ? text.length : t.startOffset;
    // At the end, an empty span just past the last character: the caret still shows there.
    const end = atEnd ? text.length : (t.endOffset ?? t.startOffset) + 1;
    const found = atEnd ? 'end of search' : JSON.stringify(t.image);
    const expected = expectedFrom(e.message);
    const opener = atEnd ? unclosedOpener(lexed.tokens) : undefined;
    const closer = !atEnd && closesNothing(lexed.tokens, t);
    const slip = atEnd ? undefined : forgottenPipeAt(lexed.tokens, t);
    if (slip) {
      diagnostics.push(slip);
      break;
    }
    diagnostics.push({
      code: opener || closer ? 'unclosed-bracket' : 'syntax',
      message: `unexpected ${found}`,
      span: { start, end },
      expected: expected.length ? expected : undefined,
      hints: opener
        ? [`the ${opener.image} at column ${opener.startColumn ?? opener.startOffset + 1} is never closed: add ${opener.image === '[' ? ']' : ')'}`]
        : closer ? [closerHint(t.image)] : wildcardInExpression(lexed.tokens, t) ? [WILDCARD_HINT] : undefined,
    });
    break;
  }
  const t = parser.leftover();
  if (diagnostics.length === 0 && t.tokenType !== EOF) {
    // Leftover tokens: typically an unmatched closing bracket or parenthesis.
    const closer = closesNothing(lexed.tokens, t);
    diagnostics.push({
      code: closer ? 'unclosed-bracket' : 'syntax',
      message: `unexpected ${JSON.stringify(t.image)}`,
      span: { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 },
      expected: ["'|'", 'end of search'],
      hints: closer ? [closerHint(t.image)] : undefined,
    });
  }
  if (diagnostics.length === 0) diagnostics.push(...findSlips(pipeline).slice(0, 1));
  return { pipeline: diagnostics.length ? null : pipeline, diagnostics };
}

/** Parse a standalone eval expression (used for calculated fields and tests). */
export function parseExpression(text: string): ParseResult & { expr: Expr | null } {
  const result = parse(`| eval __x=${text}`);
  const offset = '| eval __x='.length;
  const shift = (d: Diagnostic): Diagnostic => ({ ...d, span: { start: Math.max(0, d.span.start - offset), end: Math.max(0, d.span.end - offset) } });
  const command = result.pipeline?.commands[0];
  const expr = command && command.kind === 'eval' ? command.assignments[0]!.expr : null;
  return { pipeline: null, diagnostics: result.diagnostics.map(shift), expr };
}

/** The grammar's rules for the diagrams page, from the pipeline down (the layers it extends last). */
export function serializedGrammar() {
  const rules = parser.getSerializedGastProductions();
  const top = rules.findIndex((r) => 'name' in r && r.name === 'pipeline');
  return [...rules.slice(top), ...rules.slice(0, top)];
}
