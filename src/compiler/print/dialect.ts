// What a SQL dialect owns: how names and values are written, lambdas and lists, and which
// template of each library function it uses. The printers read only this interface, so a second
// engine is one more object like DUCKDB (see docs/architecture.md).
import type { Expr, Type } from '../ir/expr.js';
import type { SqlFunction, Template } from '../library/sql-functions.js';

export type DialectName = 'duckdb' | 'trino';

export interface Dialect {
  name: DialectName;
  /** A quoted identifier. */
  ident(name: string): string;
  /** A string literal. */
  string(value: string): string;
  /** A number literal of SPL's number type (64-bit float). */
  number(value: number): string;
  /** A whole-number literal. */
  int(value: number): string;
  bool(value: boolean): string;
  /** A NULL of a type (branches of a CASE must agree). */
  null(type: Type): string;
  /** A lambda over named parameters. */
  lambda(params: string[], body: string): string;
  /** `body` evaluated with `name` bound to `value`, once. */
  let(name: string, value: string, body: string): string;
  /** SQL type names of the compiler's types, for casts. */
  typeName(type: Type): string;
  /**
   * The form of a library function, when the dialect keeps its own table (Trino); `{ none }`
   * when it has none. Without this, the function's template under the dialect's name is used.
   */
  template?(id: string, f: SqlFunction, args: Expr[]): Template | { none: string } | undefined;
}

/** Thrown by a dialect's form for arguments it cannot print (print/expr.ts names the function). */
export class DialectArgumentError extends Error {}
