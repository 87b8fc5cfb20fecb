// A search that compiled can still fail while DuckDB runs it (a cast of a value that is no
// number, a list past its limit). DuckDB's message names neither the command nor the place in
// the SPL, so the engine finds the first step of the plan whose rows fail and reports the span
// of the command that made it, keeping DuckDB's message.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Span } from '../../grammar/ast.js';
import type { CompiledSearch } from '../compiler/types.js';

/** Steps checked at most: each check runs the search up to that step again. */
const MAX_CHECKS = 64;

/**
 * The span of the command whose step fails first, in plan order (every step reads only earlier
 * ones). Each command's last step is checked: when it fails and the command before it did not,
 * that command made the failing value. Every column of the step's rows is computed (a hash of
 * the whole row): counting rows alone would let DuckDB skip the failing expression.
 */
export async function failingCommand(conn: DuckDBConnection, compiled: CompiledSearch): Promise<Span | undefined> {
  const plan = compiled.plan;
  if (!plan) return undefined;
  const lasts: { name: string; span: Span }[] = [];
  plan.steps.forEach((s, i) => {
    const next = plan.steps[i + 1];
    if (s.span && !(next?.span && next.span.start === s.span.start && next.span.end === s.span.end)) lasts.push({ name: s.name, span: s.span });
  });
  for (const step of lasts.slice(0, MAX_CHECKS)) {
    try {
      await conn.run(`WITH ${plan.ctes}\nSELECT max(hash(${step.name})) FROM ${step.name}`);
    } catch {
      return step.span;
    }
  }
  return undefined;
}
