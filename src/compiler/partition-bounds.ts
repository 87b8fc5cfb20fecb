// What a search itself restricts, read from its first search clause, for the partitions an
// Athena table is read from: `earliest=`/`latest=`, and the accounts and regions it names with
// `recipientAccountId=` / `awsRegion=` (or IN). Only conditions every matching event must meet
// count (those ANDed at the top); anything under OR or NOT reads every partition. The global
// range (`--earliest`, `:time`) narrows it further.
import type { Pipeline, SearchExpr, SearchValue } from '../../grammar/ast.js';
import type { PartitionBounds } from './print/athena-table.js';
import { resolveTime } from './time.js';

const ACCOUNT_FIELDS = new Set(['recipientAccountId']);
const REGION_FIELDS = new Set(['awsRegion']);

function exact(v: SearchValue): string | undefined {
  return v.value.includes('*') || v.value === '' ? undefined : v.value;
}

/** Values a set must be within; a second condition on the same field keeps the common ones. */
function narrow(current: string[] | undefined, values: string[]): string[] {
  return current === undefined ? values : current.filter((v) => values.includes(v));
}

export function partitionBounds(p: Pipeline, now: number, global: { earliest?: number; latest?: number }): PartitionBounds {
  const bounds: PartitionBounds = { earliest: global.earliest, latest: global.latest, global };
  const first = p.commands[0];
  if (p.leadingPipe || !first || first.kind !== 'search' || !first.expr) return bounds;
  const conjuncts = (e: SearchExpr): SearchExpr[] => (e.kind === 'and' ? e.items.flatMap(conjuncts) : [e]);
  for (const c of conjuncts(first.expr)) {
    if (c.kind === 'compare' && c.op === '=' && (c.field === 'earliest' || c.field === 'latest')) {
      const t = resolveTime(c.value.value, now);
      if (t === null) continue;
      if (c.field === 'earliest') bounds.earliest = bounds.earliest === undefined ? t : Math.max(bounds.earliest, t);
      else bounds.latest = bounds.latest === undefined ? t : Math.min(bounds.latest, t);
      continue;
    }
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
