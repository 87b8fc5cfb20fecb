// The compiler's public face: SPL text in, DuckDB SQL out. No database is touched here.
import type { Arg, Command, Pipeline, SearchExpr } from '../../grammar/ast.js';
import { SplError, type Diagnostic } from '../../grammar/diagnostics.js';
import { parse } from '../../grammar/parser.js';
import { compileAst } from './compile.js';
import { expandMacros, fillParams, type MacroSet } from './macros.js';
import type { CompiledSearch, CompileOptions } from './types.js';

export interface PrepareOptions {
  macros?: MacroSet;
  params?: Record<string, string>;
  allowUnfilledParams?: boolean;
}

export interface PreparedSearch {
  /** The search after parameters and macros were filled in: what was parsed. */
  text: string;
  pipeline: Pipeline;
}

/** Fill parameters, expand macros, parse. Throws SplError (with the text it is about). */
export function prepare(source: string, opts: PrepareOptions = {}): PreparedSearch {
  let text = source;
  try {
    // Macros first: a parameter's value then never passes through macro expansion (a backtick
    // or comma in a value cannot change a macro call), and is filled in as one token.
    text = expandMacros(text, opts.macros ?? new Map());
    text = fillParams(text, opts.params ?? {}, opts.allowUnfilledParams ?? false);
  } catch (err) {
    if (err instanceof SplError) throw new SplError(within(err.diagnostic, text), text);
    throw err;
  }
  let parsed;
  try {
    parsed = parse(text);
  } catch (err) {
    // Chevrotain's own bookkeeping can fail in other ways once the stack ran out (an "Invalid
    // array length" while unwinding), so any RangeError from the parser counts as too deep.
    throw err instanceof RangeError ? tooDeep(new RangeError('call stack'), text) : err;
  }
  if (!parsed.pipeline) throw new SplError(within(parsed.diagnostics[0]!, text), text);
  return { text, pipeline: parsed.pipeline };
}

/** Compile a prepared search. Throws SplError for problems in the search. */
export function compilePrepared(prepared: PreparedSearch, options: CompileOptions): CompiledSearch {
  try {
    return compileAst(prepared.pipeline, { ...options, source: prepared.text });
  } catch (err) {
    if (err instanceof SplError) throw new SplError(within(err.diagnostic, prepared.text), prepared.text);
    throw tooDeep(err, prepared.text);
  }
}

/**
 * A span that points past the end (a missing word after the last one) becomes an empty span at
 * the end: every diagnostic's span lies inside the text it is shown with.
 */
function within(d: Diagnostic, text: string): Diagnostic {
  const clamp = (n: number): number => Math.max(0, Math.min(n, text.length));
  const start = clamp(d.span.start);
  return { ...d, span: { start, end: Math.max(start, clamp(d.span.end)) } };
}

/**
 * The parser and the compiler recurse over the search's nesting; a pasted or generated search
 * nested thousands deep overflows the stack. That is the user's search at fault, not a crash:
 * report it at the most deeply nested bracket. Other errors pass through unchanged.
 */
function tooDeep(err: unknown, text: string): unknown {
  if (!(err instanceof RangeError) || !/call stack/i.test(err.message)) return err;
  let depth = 0;
  let deepest = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[') {
      if (++depth > deepest) [deepest, at] = [depth, i];
    } else if ((ch === ')' || ch === ']') && depth > 0) depth--;
  }
  const span = deepest > 0 ? { start: at, end: at + 1 } : { start: 0, end: text.length };
  return new SplError({ code: 'too-complex', message: 'search is nested too deeply to compile', span, hints: ['split it into simpler steps: fewer nested brackets, parentheses or chained operators'] }, text);
}

export function compile(source: string, options: CompileOptions & PrepareOptions): CompiledSearch {
  return compilePrepared(prepare(source, options), options);
}

function argLookups(args: Arg[], out: Set<string>): void {
  for (const a of args) {
    if (a.kind === 'subsearch') pipelineLookups(a.pipeline, out);
    else if (a.kind === 'clause') searchLookups(a.expr, out);
  }
}

function searchLookups(e: SearchExpr | null, out: Set<string>): void {
  if (!e) return;
  if (e.kind === 'and' || e.kind === 'or') e.items.forEach((i) => searchLookups(i, out));
  else if (e.kind === 'not') searchLookups(e.item, out);
  else if (e.kind === 'subsearch') pipelineLookups(e.pipeline, out);
}

function commandLookups(c: Command, out: Set<string>): void {
  if (c.kind === 'search') return searchLookups(c.expr, out);
  if (c.kind !== 'generic') return;
  argLookups(c.args, out);
  if (c.name === 'lookup' || c.name === 'inputlookup') {
    const name = c.args.find((a) => a.kind === 'word');
    if (name && name.kind === 'word') out.add(name.value);
  }
}

/** Names of the lookups a search reads, so the engine can load them before compiling. */
export function pipelineLookups(p: Pipeline, out = new Set<string>()): Set<string> {
  p.commands.forEach((c) => commandLookups(c, out));
  return out;
}

export { SplError };
export type { CompiledSearch, CompileOptions };
