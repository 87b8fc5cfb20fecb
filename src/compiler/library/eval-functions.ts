// SPL's eval functions: one table from name to signature and meaning. Each entry builds IR from
// its compiled arguments, calling the SQL library (sql-functions.ts) by id; nothing here writes
// SQL. Completion, "did you mean" and the reference read the same table.
import type { EvalFunction } from './eval-call.js';
import { FORMAT_FUNCTIONS } from './eval-format.js';
import { GENERAL, MATH } from './eval-general.js';
import { MULTIVALUE_FUNCTIONS } from './eval-multivalue.js';
import { NUMERIC_FUNCTIONS } from './eval-numeric.js';
import { STATISTICAL_FUNCTIONS } from './eval-stats.js';
import { TEXT_FUNCTIONS } from './eval-text.js';
import { TIME_FUNCTIONS } from './eval-time.js';

export const EVAL_FUNCTIONS: readonly EvalFunction[] = [...GENERAL, ...MATH, ...STATISTICAL_FUNCTIONS, ...NUMERIC_FUNCTIONS, ...TEXT_FUNCTIONS, ...FORMAT_FUNCTIONS, ...MULTIVALUE_FUNCTIONS, ...TIME_FUNCTIONS];

const byName = new Map(EVAL_FUNCTIONS.map((f) => [f.name, f]));

export function evalFunction(name: string): EvalFunction | undefined {
  return byName.get(name);
}

export const FUNCTION_NAMES = EVAL_FUNCTIONS.map((f) => f.name);

export type { EvalCall, EvalFunction } from './eval-call.js';
