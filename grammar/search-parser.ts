// The search language (`search`, the implicit search, and search clauses of other commands):
// terms, field comparisons, IN lists, NOT/OR/implicit AND, brackets and subsearches, as a layer
// between the expression grammar (expression-parser.ts) and the pipeline (parser.ts).
import type { IToken, ParserMethod } from './chevrotain.js';
import type { CompareOp, Pipeline, SearchExpr, SearchValue } from './ast.js';
import { And, Comma, CompareOp as CompareOpToken, In, LBracket, LParen, Not, Or, RBracket, RParen, StringLit, Word, WordLike } from './tokens.js';
import { ExpressionParser, join, span, unquote } from './expression-parser.js';

export abstract class SearchParser extends ExpressionParser {
  /** A whole pipeline: a subsearch in brackets holds one (parser.ts defines it). */
  abstract pipeline: ParserMethod<[], Pipeline>;

  /** Words that end the search clause being parsed (`by` in tstats). */
  protected clauseUntil: string[] | undefined;

  /**
   * Splunk's search modifiers TERM(x) and CASE(x): the word, then a bracket right after it. A space
   * before the bracket keeps the old reading, a word and a group (`TERM (a OR b)`).
   */
  protected modifierAhead(word: IToken): boolean {
    const next = this.LA(1);
    return word.tokenType === Word && (word.image === 'TERM' || word.image === 'CASE') && next.tokenType === LParen && next.startOffset === (word.endOffset ?? 0) + 1;
  }

  protected endsClause(): boolean {
    const t = this.LA(1);
    return this.clauseUntil !== undefined && t.tokenType === Word && this.clauseUntil.includes(t.image.toLowerCase());
  }

  // ---- search expressions -------------------------------------------------------------
  // Implicit AND binds loosest; OR binds tighter than the implicit AND, as in Splunk.
  protected searchAnd = this.RULE('searchAnd', (): SearchExpr => {
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

  protected searchOr = this.RULE('searchOr', (): SearchExpr => {
    const items: SearchExpr[] = [this.SUBRULE(this.searchNot)];
    this.MANY(() => {
      this.CONSUME(Or);
      items.push(this.SUBRULE2(this.searchNot));
    });
    if (items.length === 1) return items[0]!;
    return { kind: 'or', items, span: this.RECORDING_PHASE ? { start: 0, end: 0 } : join(items[0]!.span, items[items.length - 1]!.span) };
  });

  protected searchNot = this.RULE('searchNot', (): SearchExpr => {
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

  protected searchPrimary = this.RULE('searchPrimary', (): SearchExpr => {
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

  protected searchComparison = this.RULE('searchComparison', (): SearchExpr => {
    const first = this.OR([{ ALT: () => this.CONSUME(Word) }, { ALT: () => this.CONSUME(StringLit) }]);
    const firstValue = this.RECORDING_PHASE ? '' : first.tokenType === StringLit ? unquote(first.image) : first.image;
    const firstSpan = span(first, first);
    return this.OR2([
      {
        GATE: () => this.modifierAhead(first),
        ALT: () => {
          this.CONSUME2(LParen);
          const inner = this.CONSUME(WordLike);
          const close = this.CONSUME2(RParen);
          if (this.RECORDING_PHASE) return { kind: 'term', value: { value: '', quoted: false, span: firstSpan }, span: firstSpan } as SearchExpr;
          const quoted = inner.tokenType === StringLit;
          const value: SearchValue = { value: quoted ? unquote(inner.image) : inner.image, quoted, span: span(inner, inner), modifier: first.image as 'TERM' | 'CASE' };
          return { kind: 'term', value, span: join(firstSpan, span(close, close)) } as SearchExpr;
        },
      },
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

  protected searchValue = this.RULE('searchValue', (): SearchValue => {
    // Keywords as values too: `action=NOT` is rare but legal.
    const t = this.CONSUME(WordLike);
    let inner: IToken | undefined;
    this.OPTION({
      GATE: () => this.modifierAhead(t),
      DEF: () => {
        this.CONSUME(LParen);
        inner = this.CONSUME2(WordLike);
        this.CONSUME(RParen);
      },
    });
    if (this.RECORDING_PHASE) return { value: '', quoted: false, span: { start: 0, end: 0 } };
    const v = inner ?? t;
    const quoted = v.tokenType === StringLit;
    return { value: quoted ? unquote(v.image) : v.image, quoted, span: span(v, v), ...(inner ? { modifier: t.image as 'TERM' | 'CASE' } : {}) };
  });

  // ---- eval / where expressions -------------------------------------------------------
}
