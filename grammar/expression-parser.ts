// The eval/where expression language (precedence from OR down to literals and calls), as a
// Chevrotain grammar the SPL parser (parser.ts) extends: `search` clauses, `eval` assignments and
// command arguments all reach it through \`expression\`.
import { EmbeddedActionsParser, type IToken, type TokenType } from './chevrotain.js';
import type { BinaryOp, Expr, Span } from './ast.js';
import { allTokens, And, Comma, CompareOp as CompareOpToken, Dot, Ident, In, Like, LParen, Minus, Not, NumberLit, Or, Percent, Plus, QuotedField, RParen, Slash, Star, StringLit, Xor } from './tokens.js';

export function span(first: IToken, last: IToken): Span {
  return { start: first.startOffset, end: (last.endOffset ?? last.startOffset) + 1 };
}

export function join(a: Span | undefined, b: Span | undefined): Span {
  // During Chevrotain's grammar recording, sub-results are placeholders without spans.
  if (!a || !b) return { start: 0, end: 0 };
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** The value of a double-quoted string: backslash escapes `\"` and `\\`, others kept. */
export function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.replace(/\\(["\\'])/g, '$1');
}
export abstract class ExpressionParser extends EmbeddedActionsParser {
  /** `checked`: run Chevrotain's grammar checks (ambiguities, left recursion...); parser.ts says when. */
  constructor(checked: boolean) {
    super(allTokens, { maxLookahead: 3, recoveryEnabled: false, skipValidations: !checked });
  }

  public expression = this.RULE('expression', (): Expr => this.SUBRULE(this.orExpr));

  protected binaryLevel(operators: TokenType[], first: () => Expr, rest: () => Expr): Expr {
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

  protected orExpr = this.RULE('orExpr', (): Expr => this.binaryLevel([Or, Xor], () => this.SUBRULE(this.andExpr), () => this.SUBRULE2(this.andExpr)));
  protected andExpr = this.RULE('andExpr', (): Expr => this.binaryLevel([And], () => this.SUBRULE(this.notExpr), () => this.SUBRULE2(this.notExpr)));

  protected notExpr = this.RULE('notExpr', (): Expr => {
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

  protected compareExpr = this.RULE('compareExpr', (): Expr => {
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

  protected addExpr = this.RULE('addExpr', (): Expr => this.binaryLevel([Plus, Minus, Dot], () => this.SUBRULE(this.mulExpr), () => this.SUBRULE2(this.mulExpr)));
  protected mulExpr = this.RULE('mulExpr', (): Expr => this.binaryLevel([Star, Slash, Percent], () => this.SUBRULE(this.unaryExpr), () => this.SUBRULE2(this.unaryExpr)));

  protected unaryExpr = this.RULE('unaryExpr', (): Expr => {
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

  protected primaryExpr = this.RULE('primaryExpr', (): Expr => {
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
}
