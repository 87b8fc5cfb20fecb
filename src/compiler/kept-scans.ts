// The field sidebar's scans of the event text, answered once per loaded data (issue 14). The
// add-on's delete event type (`*Delete* OR *Remove* OR *Reboot*`) is a case-insensitive scan of
// every event's `_raw`: about a quarter of the sidebar's add-on pass at 1M events, and its answer
// is the same for every search over the same events. Counted over every event the search admits
// (`*`), the events where such an input is not null are kept by `__seq` in a temporary table
// (the engine's ScanAnswers, valid until the loaded events change); a later search whose rows
// are some of those events reads its input from that table instead of scanning `_raw` again.
import { exprKey } from './fold-conditions.js';
import type { Expr } from './ir/expr.js';
import { COMPUTED } from './ir/origin.js';
import type { Column, Step } from './ir/plan.js';
import type { FieldType } from './types.js';

/** An input scanning `_raw`, computed over all the events that `where` admits. */
export interface Scan {
  /** Its column in the rows' SQL. */
  column: string;
  /** The input's expression (exprKey). */
  key: string;
  /** The events step's conditions (exprKey each): the answer holds for every event meeting them. */
  where: string[];
}

/** A kept answer of a scan: the events (column `__scan_seq`) whose value (`__scan_v`) is not null, in `relation`. */
export interface ScanAnswer {
  /** The temporary table's quoted name. */
  relation: string;
  /** Its distinct values of `__scan_v` (none: the input is null on every event). */
  values: (string | boolean)[];
}

/**
 * The kept answer for input `key`, when it holds for rows that are events meeting every
 * condition of `where` (kept over events meeting some of them, on the same loaded data).
 */
export type ScanAnswers = (key: string, where: string[]) => ScanAnswer | undefined;

/**
 * The inputs' columns, each scan with a kept answer read from that answer's table (`tables`: the
 * steps reading them, ids from `firstId`), and the scans whose answer these rows give for every
 * event admitted. `where`: the events step's conditions when the rows are some events as loaded
 * (else nothing is kept or read); `every`: the rows are every event it admits.
 */
export function keptScans(
  inputs: { column: Column; scan: Expr | undefined }[], where: string[] | undefined, every: boolean, firstId: number, answers: ScanAnswers | undefined,
): { columns: Column[]; tables: Step[]; scans: Scan[] } {
  const tables: Step[] = [];
  const scans: Scan[] = [];
  let id = firstId;
  const columns = inputs.map(({ column, scan }): Column => {
    if (!scan || where === undefined) return column;
    const key = exprKey(scan);
    const answer = answers?.(key, where);
    if (!answer) {
      if (every) scans.push({ column: column.name, key, where });
      return column;
    }
    if (answer.values.length === 0) return { ...column, expr: { kind: 'literal', value: null, type: scan.type } };
    const schema = { fields: new Map<string, { type: FieldType; origin: typeof COMPUTED }>([['__scan_seq', { type: 'number', origin: COMPUTED }], ['__scan_v', { type: 'string', origin: COMPUTED }]]), raw: false, removed: new Set<string>() };
    const table: Step = { kind: 'table', relation: answer.relation, id: id++, schema };
    tables.push(table);
    // The event's value is the one kept with its `__seq`, else null.
    const seq: Expr = { kind: 'column', name: '__seq', type: 'int' };
    const whens = answer.values.map((v) => {
      const value: Expr = { kind: 'literal', value: v, type: scan.type };
      const kept: Expr = { kind: 'call', fn: 'eq', args: [{ kind: 'column', name: '__scan_v', type: scan.type }, value], type: 'bool' };
      const listed: Expr = { kind: 'in_rows', values: [seq], step: table.id, select: [{ kind: 'column', name: '__scan_seq', type: 'int' }], where: kept, type: 'bool' };
      return { when: listed, then: value };
    });
    return { ...column, expr: { kind: 'case', whens, else: null, type: scan.type } };
  });
  return { columns, tables, scans };
}
