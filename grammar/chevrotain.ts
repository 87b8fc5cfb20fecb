// Chevrotain, loaded from the single-file build its package ships beside its entry point. The
// entry point is ES modules importing lodash-es a function at a time, some 600 files: loading it
// took 0.39 CPU-s (0.55 s) of every process start, the bundle 0.07 (same version, same sources;
// the version is pinned). Every module of the grammar imports Chevrotain from here, so that there
// is one copy of it (its token types and EOF are compared by identity).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

const entry = createRequire(import.meta.url).resolve('chevrotain');
const bundle = path.join(path.dirname(entry), '..', 'chevrotain.mjs');
const chevrotain = (existsSync(bundle) ? await import(pathToFileURL(bundle).href) : await import('chevrotain')) as Chevrotain;

export const { createToken, createSyntaxDiagramsCode, EmbeddedActionsParser, EOF, Lexer, tokenMatcher } = chevrotain;
export type { CustomPatternMatcherFunc, IToken, ParserMethod, TokenType } from 'chevrotain';
