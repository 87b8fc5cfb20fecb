// Compiles searches on its own thread so the fuzz test can put a deadline on each one: a search
// that hangs the parser or the compiler is caught by terminating this worker, which a test on the
// main thread could not do for synchronous code.
import { parentPort } from 'node:worker_threads';
import { SplError } from '../../grammar/diagnostics.js';
import { compile } from '../../src/compiler/index.js';
import { readFileSync } from 'node:fs';
import { parseMacrosConf, type MacroSet } from '../../src/compiler/macros.js';
import type { CompileRequest, CompileOutcome } from './sandbox.js';

/** The bundled macros and the hostile fixtures' macros, as `spelunk --macros` would read them. */
const MACRO_FILES = ['queries/macros.conf', 'fixtures/hostile/macros.conf'].map((f) => new URL(`../../${f}`, import.meta.url));
const MACROS: MacroSet = new Map();
for (const file of MACRO_FILES) for (const [k, v] of parseMacrosConf(readFileSync(file, 'utf8'))) MACROS.set(k, v);

function outcome(req: CompileRequest): CompileOutcome {
  try {
    const compiled = compile(req.text, { now: 1795824000, macros: MACROS, params: req.params });
    return { kind: 'compiled', sql: compiled.sql };
  } catch (err) {
    if (err instanceof SplError) {
      return { kind: 'diagnostic', code: err.diagnostic.code, span: err.diagnostic.span, against: err.text ?? req.text, message: err.message };
    }
    const e = err as Error;
    return { kind: 'crash', message: `${e?.name}: ${e?.message}\n${e?.stack ?? ''}` };
  }
}

parentPort!.on('message', (req: CompileRequest) => {
  parentPort!.postMessage({ id: req.id, ...outcome(req) });
});
