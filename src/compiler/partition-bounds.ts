// What a search itself restricts, read from its first search clause, for the partitions an
// Athena table is read from: `earliest=`/`latest=`, and the accounts and regions it names with
// `recipientAccountId=` / `awsRegion=` (or IN). Only conditions every matching event must meet
// count (those ANDed at the top); anything under OR or NOT reads every partition. Its own
// earliest=/latest= replace the picker's range (`--earliest`, `:time`), as Splunk's do
// (search-range.ts).
import type { Pipeline, SearchValue } from '../../grammar/ast.js';
import type { PartitionBounds } from './print/athena-table.js';
import { effectiveRange, firstConjuncts, readRange, type TimeRange } from './search-range.js';

const ACCOUNT_FIELDS = new Set(['recipientAccountId']);
const REGION_FIELDS = new Set(['awsRegion']);

function exact(v: SearchValue): string | undefined {
  return v.value.includes('*') || v.value === '' ? undefined : v.value;
}

/** Values a set must be within; a second condition on the same field keeps the common ones. */
function narrow(current: string[] | undefined, values: string[]): string[] {
  return current === undefined ? values : current.filter((v) => values.includes(v));
}

export function partitionBounds(p: Pipeline, now: number, picker: { earliest?: number; latest?: number; within?: TimeRange }): PartitionBounds {
  const { earliest, latest } = effectiveRange(p, now, picker);
  // A subsearch's events may lie outside the main search's range: they read every time any part
  // does; a zoom (within) narrows the main search alone.
  const bounds: PartitionBounds = { earliest, latest, global: readRange(p, now, { earliest: picker.earliest, latest: picker.latest }) };
  for (const c of firstConjuncts(p)) {
    const field = c.kind === 'compare' || c.kind === 'in' ? c.field : undefined;
    if (!field || (!ACCOUNT_FIELDS.has(field) && !REGION_FIELDS.has(field))) continue;
    if (c.kind === 'compare' && c.op !== '=') continue;
    const values = (c.kind === 'compare' ? [c.value] : c.kind === 'in' ? c.values : []).map(exact);
    if (values.some((v) => v === undefined)) continue;
    // Folder names are lower case; the search's match is case-insensitive.
    const folded = (values as string[]).map((v) => v.toLowerCase());
    if (ACCOUNT_FIELDS.has(field)) bounds.accounts = narrow(bounds.accounts, folded);
    else bounds.regions = narrow(bounds.regions, folded);
  }
  return bounds;
}
