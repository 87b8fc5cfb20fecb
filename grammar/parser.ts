// SPL parser: tokens -> AST. Commands with their own syntax (search, eval, where) get rules of
// their own; every other command is parsed as a list of words, options and calls and checked
// by the compiler, which gives better messages than a rule per option could.
import { EmbeddedActionsParser, EOF, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import type { Arg, Assignment, Command, CompareOp, Expr, Pipeline, SearchExpr, SearchValue, Span, BinaryOp } from './ast.js';
import {
  allTokens,
  And,
  Comma,
  CompareOp as CompareOpToken,
  Dot,
  Eq,
  Ident,
  In,
  LBracket,
  Like,
  LParen,
  Minus,
  Not,
  NumberLit,
  Or,
  Percent,
  Pipe,
  Plus,
  QuotedField,
  RBracket,
  RParen,
  Slash,
  Star,
  StringLit,
  Template,
  tokenize,
  EvalParen,
  ClauseWord,
  Word,
  Xor,
  Macro,
  SearchCmd,
  EvalCmd,
  WhereCmd,
  CommandWord,
  WordLike,
} from './tokens.js';
import type { Diagnostic } from './diagnostics.js';
import { findSlips, forgottenPipeAt } from './slips.js';
import { SEARCH_CLAUSES, type SearchClause } from './clauses.js';

function span(first: IToken, last: IToken): Span {
  return { start: first.startOffset, end: (last.endOffset ?? last.startOffset) + 1 };
}

function join(a: Span | undefined, b: Span | undefined): Span {
  // During Chevrotain's grammar recording, sub-results are placeholders without spans.
  if (!a || !b) return { start: 0, end: 0 };
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** The value of a double-quoted string: backslash escapes `\"` and `\\`, others kept. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\(["\\'])/g, '$1');
}

class SplParser extends EmbeddedActionsParser {
  constructor() {
    super(allTokens, { maxLookahead: 3, recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  /** The search-language clause the arguments of the command being parsed may hold. */
  private clause: SearchClause | undefined;
  /** Words that end the search clause being parsed (`by` in tstats). */
  private clauseUntil: string[] | undefined;

  private endsClause(): boolean {
    const t = this.LA(1);
    return this.clauseUntil !== undefined && t.tokenType === Word && this.clauseUntil.includes(t.image.toLowerCase());
  }

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

  // ---- search expressions -------------------------------------------------------------
  // Implicit AND binds loosest; OR binds tighter than the implicit AND, as in Splunk.
  private searchAnd = this.RULE('searchAnd', (): SearchExpr => {
    const items: SearchExpr[] = [this.SUBRULE(this.searchOr)];
    this.MANY({
      GATE: () => !this.endsClause(),
      DEF: () => {
        this.OPTION(() => this.CONSUME(And));
        items.push(this.SUBRULE2(this.searchOr));
      },
    });
    if (items.length === 1) return items[0]!;
    return { kind: 'and', items, span: this.RECORDING_PHASE ? { start: 0, end: 0 } : join(items[0]!.span, items[items.length - 1]!.span) };
  });

  private searchOr = this.RULE('searchOr', (): SearchExpr => {
    const items: SearchExpr[] = [this.SUBRULE(this.searchNot)];
    this.MANY(() => {
      this.CONSUME(Or);
      items.push(this.SUBRULE2(this.searchNot));
    });
    if (items.length === 1) return items[0]!;
    return { kind: 'or', items, span: this.RECORDING_PHASE ? { start: 0, end: 0 } : join(items[0]!.span, items[items.length - 1]!.span) };
  });

  private searchNot = this.RULE('searchNot', (): SearchExpr => {
    return this.OR([
      {
        ALT: () => {
          const not = this.CONSUME(Not);
          const item = this.SUBRULE(this.searchNot);
          return { kind: 'not', item, span: this.RECORDING_PHASE ? { start: 0, end: 0 } : join(span(not, not), item.span) } as SearchExpr;
        },
      },
      { ALT: () => this.SUBRULE(this.searchPrimary) },
    ]);
  });

  private searchPrimary = this.RULE('searchPrimary', (): SearchExpr => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(LParen);
          const inner = this.SUBRULE(this.searchAnd);
          this.CONSUME(RParen);
          return inner;
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(LBracket);
          const until = this.clauseUntil;
          this.clauseUntil = undefined;
          const pipeline = this.SUBRULE(this.pipeline);
          this.clauseUntil = until;
          const close = this.CONSUME(RBracket);
          return { kind: 'subsearch', pipeline, span: span(open, close) } as SearchExpr;
        },
      },
      { ALT: () => this.SUBRULE(this.searchComparison) },
    ]);
  });

  private searchComparison = this.RULE('searchComparison', (): SearchExpr => {
    const first = this.OR([{ ALT: () => this.CONSUME(Word) }, { ALT: () => this.CONSUME(StringLit) }]);
    const firstValue = this.RECORDING_PHASE ? '' : first.tokenType === StringLit ? unquote(first.image) : first.image;
    const firstSpan = span(first, first);
    return this.OR2([
      {
        ALT: () => {
          const opToken = this.CONSUME(CompareOpToken);
          const value = this.SUBRULE(this.searchValue);
          const op = (opToken.image === '==' ? '=' : opToken.image) as CompareOp;
          return { kind: 'compare', field: firstValue, fieldSpan: firstSpan, op, value, span: join(firstSpan, value.span) } as SearchExpr;
        },
      },
      {
        ALT: () => {
          this.CONSUME(In);
          this.CONSUME(LParen);
          const values: SearchValue[] = [];
          this.MANY_SEP({ SEP: Comma, DEF: () => values.push(this.SUBRULE2(this.searchValue)) });
          const close = this.CONSUME(RParen);
          return { kind: 'in', field: firstValue, fieldSpan: firstSpan, values, span: join(firstSpan, span(close, close)) } as SearchExpr;
        },
      },
      {
        ALT: () => ({ kind: 'term', value: { value: firstValue, quoted: first.tokenType === StringLit, span: firstSpan }, span: firstSpan }) as SearchExpr,
      },
    ]);
  });

  private searchValue = this.RULE('searchValue', (): SearchValue => {
    // Keywords as values too: `action=NOT` is rare but legal.
    const t = this.CONSUME(WordLike);
    if (this.RECORDING_PHASE) return { value: '', quoted: false, span: { start: 0, end: 0 } };
    const quoted = t.tokenType === StringLit;
    return { value: quoted ? unquote(t.image) : t.image, quoted, span: span(t, t) };
  });

  // ---- eval / where expressions -------------------------------------------------------
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

  public expression = this.RULE('expression', (): Expr => this.SUBRULE(this.orExpr));

  private binaryLevel(operators: TokenType[], first: () => Expr, rest: () => Expr): Expr {
    let left = first();
    this.MANY(() => {
      const op = this.OR(operators.map((tokenType) => ({ ALT: () => this.CONSUME(tokenType) })));
      const right = rest();
      if (!this.RECORDING_PHASE) {
        const image = op.image.toUpperCase() as BinaryOp;
        left = { kind: 'binary', op: image, left, right, span: join(left.span, right.span) };
      }
    });
    return left;
  }

  private orExpr = this.RULE('orExpr', (): Expr => this.binaryLevel([Or, Xor], () => this.SUBRULE(this.andExpr), () => this.SUBRULE2(this.andExpr)));
  private andExpr = this.RULE('andExpr', (): Expr => this.binaryLevel([And], () => this.SUBRULE(this.notExpr), () => this.SUBRULE2(this.notExpr)));

  private notExpr = this.RULE('notExpr', (): Expr => {
    return this.OR([
      {
        ALT: () => {
          const not = this.CONSUME(Not);
          const arg = this.SUBRULE(this.notExpr);
          return { kind: 'unary', op: 'NOT', arg, span: this.RECORDING_PHASE ? { start: 0, end: 0 } : join(span(not, not), arg.span) } as Expr;
        },
      },
      { ALT: () => this.SUBRULE(this.compareExpr) },
    ]);
  });

  private compareExpr = this.RULE('compareExpr', (): Expr => {
    let left = this.SUBRULE(this.addExpr);
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            const op = this.CONSUME(CompareOpToken);
            const right = this.SUBRULE2(this.addExpr);
            if (!this.RECORDING_PHASE) left = { kind: 'binary', op: op.image as BinaryOp, left, right, span: join(left.span, right.span) };
          },
        },
        {
          ALT: () => {
            this.CONSUME(Like);
            const right = this.SUBRULE3(this.addExpr);
            if (!this.RECORDING_PHASE) left = { kind: 'binary', op: 'LIKE', left, right, span: join(left.span, right.span) };
          },
        },
        {
          ALT: () => {
            let negated = false;
            this.OPTION2(() => {
              this.CONSUME2(Not);
              negated = true;
            });
            this.CONSUME(In);
            this.CONSUME(LParen);
            const values: Expr[] = [];
            this.MANY_SEP({ SEP: Comma, DEF: () => values.push(this.SUBRULE(this.expression)) });
            const close = this.CONSUME(RParen);
            if (!this.RECORDING_PHASE) left = { kind: 'in', arg: left, values, negated, span: join(left.span, span(close, close)) };
          },
        },
      ]);
    });
    return left;
  });

  private addExpr = this.RULE('addExpr', (): Expr => this.binaryLevel([Plus, Minus, Dot], () => this.SUBRULE(this.mulExpr), () => this.SUBRULE2(this.mulExpr)));
  private mulExpr = this.RULE('mulExpr', (): Expr => this.binaryLevel([Star, Slash, Percent], () => this.SUBRULE(this.unaryExpr), () => this.SUBRULE2(this.unaryExpr)));

  private unaryExpr = this.RULE('unaryExpr', (): Expr => {
    return this.OR([
      {
        ALT: () => {
          const minus = this.CONSUME(Minus);
          const arg = this.SUBRULE(this.unaryExpr);
          if (this.RECORDING_PHASE) return arg;
          if (arg.kind === 'num') return { ...arg, value: -arg.value, span: join(span(minus, minus), arg.span) };
          return { kind: 'unary', op: '-', arg, span: join(span(minus, minus), arg.span) } as Expr;
        },
      },
      {
        ALT: () => {
          this.CONSUME(Plus);
          return this.SUBRULE2(this.unaryExpr);
        },
      },
      { ALT: () => this.SUBRULE(this.primaryExpr) },
    ]);
  });

  private primaryExpr = this.RULE('primaryExpr', (): Expr => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(NumberLit);
          return { kind: 'num', value: Number(t.image), span: span(t, t) } as Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(StringLit);
          return { kind: 'str', value: this.RECORDING_PHASE ? '' : unquote(t.image), span: span(t, t) } as Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(QuotedField);
          return { kind: 'field', name: this.RECORDING_PHASE ? '' : unquote(t.image), span: span(t, t) } as Expr;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(Ident);
          return this.OR2([
            {
              ALT: () => {
                this.CONSUME(LParen);
                const args: Expr[] = [];
                this.MANY_SEP({ SEP: Comma, DEF: () => args.push(this.SUBRULE(this.expression)) });
                const close = this.CONSUME(RParen);
                return { kind: 'call', name: t.image.toLowerCase(), args, span: span(t, close), nameSpan: span(t, t) } as Expr;
              },
            },
            { ALT: () => ({ kind: 'field', name: t.image, span: span(t, t) }) as Expr },
          ]);
        },
      },
      {
        ALT: () => {
          this.CONSUME2(LParen);
          const inner = this.SUBRULE2(this.expression);
          this.CONSUME2(RParen);
          return inner;
        },
      },
    ]);
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

const parser = new SplParser();
void EOF;
void Macro;
void Eq;

export interface ParseResult {
  pipeline: Pipeline | null;
  diagnostics: Diagnostic[];
}

/** What Chevrotain says it expected, as the first token of each possible sequence. */
function expectedFrom(message: string): string[] {
  const found = new Set<string>();
  const single = /Expecting --> (.+?) <--/.exec(message);
  if (single) found.add(single[1]!);
  for (const m of message.matchAll(/(?:^\s*\d+\. |<)\[([^\]]+)\]/gm)) found.add(m[1]!);
  return [...found];
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

const WILDCARD_HINT = 'in eval and where, * multiplies: match a pattern with like(field, "%text%") or match(field, "regex"), or filter with | search field=*text*';

/** `| where user=*admin*`: a search-style wildcard right after a comparison in an expression. */
function wildcardInExpression(tokens: IToken[], token: IToken): boolean {
  if (token.tokenType !== Star) return false;
  const i = tokens.indexOf(token);
  const previous = i > 0 ? tokens[i - 1] : undefined;
  return previous !== undefined && tokenMatcher(previous, CompareOpToken);
}

/** True when `token` is a `)` or `]` with no opener of its kind before it. */
function closesNothing(tokens: IToken[], token: IToken): boolean {
  if (token.tokenType !== RParen && token.tokenType !== RBracket) return false;
  const [open, close] = token.tokenType === RParen ? [LParen, RParen] : [LBracket, RBracket];
  let depth = 0;
  for (const t of tokens) {
    if (t === token) return depth === 0;
    if (t.tokenType === open || (open === LParen && t.tokenType === EvalParen)) depth++;
    else if (t.tokenType === close) depth = Math.max(0, depth - 1);
  }
  return false;
}

function closerHint(image: string): string {
  return `this ${image} closes nothing: remove it, or add the ${image === ')' ? '(' : '['} it belongs to`;
}

/** The innermost `[` or `(` left open at the end of the text, if any. */
function unclosedOpener(tokens: IToken[]): IToken | undefined {
  const open: IToken[] = [];
  for (const t of tokens) {
    if (t.tokenType === LBracket || t.tokenType === LParen || t.tokenType === EvalParen) open.push(t);
    else if (t.tokenType === RBracket || t.tokenType === RParen) open.pop();
  }
  return open[open.length - 1];
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

export function serializedGrammar() {
  return parser.getSerializedGastProductions();
}
