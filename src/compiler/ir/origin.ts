// Where a field's values come from, as the plan knows it: the schema of every step carries it
// (ir/schema.ts derives it), and explain lists it for each result field. Field resolution
// (fields.ts, expr.ts) marks what it returns; a command that copies a field (rename, table,
// fields, stats by) keeps its origin; anything an expression builds is computed.

export type Origin =
  /** A column of the loaded events, carried as loaded: shown only where a command names it (table, fields). */
  | { kind: 'event' }
  /** One of the compiler's own columns (`__seq`, keys, the originals add-on fields read): never shown. */
  | { kind: 'internal' }
  /** The value CloudTrail recorded at `path` (`eventName`, `userIdentity.arn`, `resources{}.accountId`). */
  | { kind: 'raw'; path: string }
  /** A field the Splunk Add-on for AWS derives from the event (`user`, `src`, `action`). */
  | { kind: 'addon'; field: string }
  /** Column `column` of the lookup table `lookup`. */
  | { kind: 'lookup'; lookup: string; column: string }
  /** Built by an expression of the search (eval, stats, rex, spath...). */
  | { kind: 'computed' };

export const EVENT: Origin = Object.freeze({ kind: 'event' });
export const INTERNAL: Origin = Object.freeze({ kind: 'internal' });
export const COMPUTED: Origin = Object.freeze({ kind: 'computed' });

export function rawPath(path: string): Origin {
  return { kind: 'raw', path };
}

/** True for a field the pipeline made (shown), false for the events' own columns and the compiler's. */
export function isMade(origin: Origin | undefined): boolean {
  return origin !== undefined && origin.kind !== 'event' && origin.kind !== 'internal';
}

/** The origin of a copy of a field: an event column copied is its raw path; an internal column's value is computed. */
export function copiedOrigin(name: string, origin: Origin): Origin {
  if (origin.kind === 'event') return rawPath(name);
  if (origin.kind === 'internal') return COMPUTED;
  return origin;
}

/** The origin in words, as explain shows it: `raw userIdentity.arn`, `add-on user`, `lookup users: name`, `computed`. */
export function originText(origin: Origin): string {
  switch (origin.kind) {
    case 'raw': return `raw ${origin.path}`;
    case 'addon': return `add-on ${origin.field}`;
    case 'lookup': return `lookup ${origin.lookup}: ${origin.column}`;
    default: return origin.kind;
  }
}

export function sameOrigin(a: Origin, b: Origin): boolean {
  return originText(a) === originText(b);
}
