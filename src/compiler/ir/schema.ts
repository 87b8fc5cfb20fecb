// The schema of a step, derived from the step and the schemas of the steps it reads: what
// fields its rows hold, in order, with their types and origins. Commands state a schema by hand
// only where the step alone cannot say it (a lookup's columns, a join's two sides). The origin of
// a column is the one field resolution marked on its expression, or, for a column copied from the
// input, the input field's; anything else an expression builds is computed (ir/origin.ts).
import { eventColumn, META_COLUMNS, SCALAR_COLUMNS } from '../cloudtrail-schema.js';
import { fieldType } from '../build/coerce.js';
import type { Expr } from './expr.js';
import { COMPUTED, copiedOrigin, EVENT, INTERNAL, rawPath, type Origin } from './origin.js';
import { isHidden, type Column, type FieldInfo, type Schema, type Step } from './plan.js';

/** A step without its id and schema: what a command describes. */
export type StepBody = Step extends infer S ? (S extends Step ? Omit<S, 'id' | 'schema'> : never) : never;

/** The events' own columns, as fields of the `events` step. */
export function eventFields(): Map<string, FieldInfo> {
  const fields = new Map<string, FieldInfo>();
  for (const c of [...META_COLUMNS, ...SCALAR_COLUMNS]) {
    fields.set(c.name, { type: c.type === 'DOUBLE' || c.type === 'BIGINT' ? 'number' : 'string', origin: EVENT });
  }
  return fields;
}

/**
 * Where the values of an expression come from, over rows of `input`: the origin field resolution
 * marked on it, or the origin of the input field a column node copies; otherwise computed.
 */
export function originOf(e: Expr, input?: Schema): Origin {
  if (e.origin) return e.origin;
  if (e.kind !== 'column' || e.side !== undefined || !input) return COMPUTED;
  const info = input.fields.get(e.name);
  if (info) return copiedOrigin(e.name, info.origin);
  return input.raw && !isHidden(e.name) && eventColumn(e.name) ? rawPath(e.name) : COMPUTED;
}

/** A field holding an expression's values: shown unless its name is one of the compiler's own (`__`). */
export function fieldOf(name: string, e: Expr, input?: Schema): FieldInfo {
  return { type: fieldType(e.type), origin: isHidden(name) ? INTERNAL : originOf(e, input) };
}

function computed(c: Column, input: Schema): FieldInfo {
  return fieldOf(c.name, c.expr, input);
}

function fresh(columns: Column[], input: Schema): Map<string, FieldInfo> {
  const fields = new Map<string, FieldInfo>();
  for (const c of columns) if (!fields.has(c.name)) fields.set(c.name, computed(c, input));
  return fields;
}

/**
 * The schema of a step's rows, or undefined for steps whose schema is not in the step (a table,
 * nothing, a join, a union, an unnest): their command states it.
 */
export function deriveSchema(body: StepBody, schemaOf: (id: number) => Schema): Schema | undefined {
  switch (body.kind) {
    case 'events':
      return { fields: eventFields(), raw: true, removed: new Set() };
    case 'filter':
    case 'limit':
    case 'distinct':
      return schemaOf(body.input);
    case 'extend': {
      const input = schemaOf(body.input);
      const fields = new Map(input.fields);
      const removed = new Set(input.removed);
      for (const name of body.drop ?? []) {
        fields.delete(name);
        // An event column dropped while the events' columns are there reads as null from now on.
        if (input.raw && eventColumn(name)) removed.add(name);
      }
      for (const c of body.columns) {
        // A shown field computed again moves to the end (the order fields were last made in);
        // the compiler's own columns keep their place.
        if (!isHidden(c.name)) fields.delete(c.name);
        fields.set(c.name, computed(c, input));
      }
      for (const c of body.columns) removed.delete(c.name);
      return { fields, raw: input.raw, removed };
    }
    case 'project':
      return { fields: fresh(body.columns, schemaOf(body.input)), raw: false, removed: new Set() };
    case 'aggregate':
      return { fields: fresh([...body.groups, ...body.aggregates], schemaOf(body.input)), raw: false, removed: new Set() };
    default:
      return undefined;
  }
}
