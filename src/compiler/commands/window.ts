// Window expressions over the rows in their order (`__seq`): what the streaming commands that
// look at earlier results (reverse, accum, delta, autoregress, filldown) are made of.
import { aggregate, column, int, type Expr, type SortKey } from '../ir/expr.js';

const SEQ = column('__seq', 'number');

/** The rows in the order Splunk shows them. */
export const IN_ORDER: SortKey[] = [{ expr: SEQ, desc: false, nulls: 'last' }];

/** The value `p` rows before this one (null for the first `p` rows). */
export function previous(value: Expr, p: number): Expr {
  return aggregate('lag', [value, int(p)], value.type, { over: { partition: [], order: IN_ORDER } });
}

/** An aggregate over this row and every row before it. */
export function running(fn: string, value: Expr, type = value.type): Expr {
  return aggregate(fn, [value], type, { over: { partition: [], order: IN_ORDER, frame: { start: null, end: 0 } } });
}

/** The rows numbered 1.. by these keys. */
export function renumber(order: SortKey[]): Expr {
  return aggregate('row_number', [], 'number', { over: { partition: [], order } });
}
