// Trino's own grammar, for tests: dt-sql-parser's TrinoSQL is generated from Trino's ANTLR
// grammar (SqlBase.g4), so a statement it accepts is one Trino's parser accepts.
import { TrinoSQL } from 'dt-sql-parser';

const parser = new TrinoSQL();

/** Syntax errors Trino's grammar finds in `sql` (empty when it parses). */
export function trinoSyntaxErrors(sql: string): string[] {
  return parser.validate(sql).map((e) => `line ${e.startLine}:${e.startColumn} ${e.message}`);
}
