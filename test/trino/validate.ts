// Trino's own grammar, for tests: dt-sql-parser's TrinoSQL is generated from Trino's ANTLR
// grammar (SqlBase.g4), so a statement it accepts is one Trino's parser accepts.
//
// The parser is slow on the long nested expressions the Trino printer writes (ANTLR looks ahead
// across a whole coalesce(...) or ARRAY[...] to choose between alternatives that both match):
// seconds per add-on field, minutes for the suite. Its answer depends only on the text and on
// the parser's version, so each statement it accepted is remembered in accepted.txt (the
// SHA-256 of version and text, one a line), as a snapshot is: a statement found there was
// accepted by this very parser. Any other statement is parsed, and when it is accepted its line
// is added (not under CI, where the file is only read). A change to the printer changes the text,
// so its statements are parsed again; a new dt-sql-parser version parses everything again. To
// drop lines no test writes any more, delete the file and run the test/trino-*.test.ts files.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrinoSQL } from 'dt-sql-parser';

const ACCEPTED_FILE = join(dirname(fileURLToPath(import.meta.url)), 'accepted.txt');
const VERSION = (createRequire(import.meta.url)('dt-sql-parser/package.json') as { version: string }).version;

let parser: TrinoSQL | undefined;
let accepted: Set<string> | undefined;

function key(sql: string): string {
  return createHash('sha256').update(`dt-sql-parser ${VERSION}\0${sql}`).digest('hex');
}

function acceptedKeys(): Set<string> {
  accepted ??= new Set(existsSync(ACCEPTED_FILE) ? readFileSync(ACCEPTED_FILE, 'utf8').split('\n').filter(Boolean) : []);
  return accepted;
}

/** The parser, loaded only when a statement is not remembered (the package is large). */
async function trino(): Promise<TrinoSQL> {
  parser ??= new (await import('dt-sql-parser')).TrinoSQL();
  return parser;
}

/** The parser itself, never the memory. */
export async function parseTrino(sql: string): Promise<string[]> {
  return (await trino()).validate(sql).map((e) => `line ${e.startLine}:${e.startColumn} ${e.message}`);
}

/** Syntax errors Trino's grammar finds in `sql` (empty when it parses). */
export async function trinoSyntaxErrors(sql: string): Promise<string[]> {
  const k = key(sql);
  if (acceptedKeys().has(k)) return [];
  const errors = await parseTrino(sql);
  if (errors.length === 0) {
    acceptedKeys().add(k);
    // One short line per append: test files in parallel workers do not tear each other's lines.
    if (!process.env.CI) appendFileSync(ACCEPTED_FILE, `${k}\n`);
  }
  return errors;
}

/** Whether `sql` is remembered as accepted (for the test of this memory). */
export function rememberedAsAccepted(sql: string): boolean {
  return acceptedKeys().has(key(sql));
}
