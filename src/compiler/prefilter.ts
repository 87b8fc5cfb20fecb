// A search's pre-filter: texts every event it can return must hold in `_raw` (in any case), so a
// first search over files not loaded yet can be answered from the events holding them alone
// (engine/first-answer.ts). A necessary condition, derived from the parsed pipeline, and given
// only when it is provably implied; null otherwise.
//
// A needle comes from a positive term of the first search's top-level conjunction: a bare term
// (matched on `_raw`: search.ts termCondition), or `field=value` on a CloudTrail field read from
// the event's own JSON (a top-level scalar, or a path into a nested object), never an add-on
// field (its value may be computed). A wildcard keeps its literal pieces. A needle must lie
// inside one JSON token of `_raw` and read the same in the file's text: printable ASCII, no
// quote, backslash, slash (JSON may write `\/`), brace, bracket or comma, no leading colon (`:1`
// spans a member's colon and its value, written `: 1` in a file), and nothing a rewritten number
// could hold (DuckDB writes `1e2` as `100.0`).
//
// The rest of the pipeline must read only the rows the first search passes: commands from a list
// that read nothing else (no subsearch, join, append, lookup of events, data model), and no
// bracketed subsearch anywhere.
import type { Arg, Command, Pipeline, SearchExpr } from '../../grammar/ast.js';
import { addonFieldNames } from './addon-fields.js';
import { SCALAR_COLUMNS } from './cloudtrail-schema.js';
import { jsonField, pathSegments } from './fields.js';
import type { CompiledSearch } from './types.js';

/** Commands that read only their input rows (and lookup files): allowed after the first search. */
const ROW_COMMANDS = new Set([
  'search', 'where', 'eval', 'head', 'tail', 'table', 'fields', 'rename', 'sort', 'dedup', 'reverse',
  'stats', 'eventstats', 'streamstats', 'top', 'rare', 'timechart', 'chart', 'bin', 'bucket',
  'rex', 'regex', 'spath', 'lookup', 'iplocation', 'fillnull', 'convert', 'makemv', 'mvexpand',
  'transaction', 'addtotals', 'fieldformat', 'uniq',
]);

const SCALARS = new Set(SCALAR_COLUMNS.map((c) => c.name));
let addonNames: Set<string> | undefined;

/**
 * The needles (lower case) of a search's pre-filter, or null when it has none that is exact; the
 * plan it compiled to must read the events once (any other reading of them is refused above).
 */
export function searchNeedles(pipeline: Pipeline, compiled: CompiledSearch): string[] | null {
  const reads = compiled.plan?.steps.filter((s) => s.step.kind === 'events').length;
  return reads === 1 ? pipelineNeedles(pipeline) : null;
}

function pipelineNeedles(pipeline: Pipeline): string[] | null {
  const [first, ...rest] = pipeline.commands;
  if (pipeline.leadingPipe || first?.kind !== 'search' || !first.expr) return null;
  if (hasSubsearch(first.expr) || !rest.every(readsRowsOnly)) return null;
  const needles = new Set<string>();
  for (const item of conjuncts(first.expr)) {
    for (const piece of piecesOf(item)) {
      const needle = needleOf(piece);
      if (needle !== null) needles.add(needle);
    }
  }
  return needles.size ? [...needles].sort() : null;
}

function conjuncts(e: SearchExpr): SearchExpr[] {
  return e.kind === 'and' ? e.items.flatMap(conjuncts) : [e];
}

/** The literal pieces a conjunct's match must contain, or none it can promise. */
function piecesOf(e: SearchExpr): string[] {
  if (e.kind === 'term') return e.value.value.split('*');
  if (e.kind === 'compare' && e.op === '=' && rawStringField(e.field)) return e.value.value.split('*');
  return [];
}

/** A CloudTrail field read from the event's JSON text as it is written, not an add-on's. */
function rawStringField(name: string): boolean {
  addonNames ??= new Set(addonFieldNames());
  if (name.includes('*') || addonNames.has(name)) return false;
  if (SCALARS.has(name)) return true;
  return pathSegments(name).length > 1 && jsonField(name, true) !== null;
}

/** The piece as a needle (see the top of this file), or null. */
export function needleOf(piece: string): string | null {
  if (!/^[\x20-\x7e]+$/.test(piece) || /["\\/{}[\],]/.test(piece) || piece.startsWith(':') || piece.trim() === '') return null;
  // Inside a number DuckDB writes (one dot at most): `1.2` may be `12e-1` in the file.
  if (/^[0-9.eE+-]+$/.test(piece) && piece.split('.').length <= 2) return null;
  return piece.toLowerCase();
}

function readsRowsOnly(cmd: Command): boolean {
  if (cmd.kind === 'search') return cmd.expr === null || !hasSubsearch(cmd.expr);
  if (cmd.kind === 'eval' || cmd.kind === 'where') return true;
  return ROW_COMMANDS.has(cmd.name) && cmd.args.every(plainArg);
}

function plainArg(a: Arg): boolean {
  switch (a.kind) {
    case 'subsearch':
    case 'template':
      return false;
    case 'option':
      return plainArg(a.value);
    case 'call':
      return a.args.every(plainArg);
    case 'clause':
      return a.expr === null || !hasSubsearch(a.expr);
    default:
      return true;
  }
}

function hasSubsearch(e: SearchExpr): boolean {
  switch (e.kind) {
    case 'subsearch':
      return true;
    case 'and':
    case 'or':
      return e.items.some(hasSubsearch);
    case 'not':
      return hasSubsearch(e.item);
    default:
      return false;
  }
}
