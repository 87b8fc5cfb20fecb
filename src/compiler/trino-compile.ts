// SPL -> Trino SQL over the Athena CloudTrail table: the same plan the DuckDB dialect prints,
// printed by the Trino plan printer, with the partitions the search reads. A search with no
// faithful Trino form is refused with the reason, at the part of the search that needs it.
import type { Pipeline } from '../../grammar/ast.js';
import { SplError } from '../../grammar/diagnostics.js';
import { outputColumns } from './builder.js';
import { compilePipeline, endingWrite, newBuilder, searchCaps } from './compile.js';
import { prepare, type PreparedSearch, type PrepareOptions } from './index.js';
import { partitionBounds } from './partition-bounds.js';
import type { Builder } from './builder.js';
import { athenaTable, describePartitions, type AthenaTable, type PartitionBounds } from './print/athena-table.js';
import { NoDialectForm } from './print/expr.js';
import { trinoIdent } from './print/trino.js';
import { TrinoPlanPrinter } from './print/trino-plan.js';
import { dropUselessSteps } from './rewrite/clean.js';
import type { CompileOptions, Discovery, FieldType, LookupResolver, OutputAction } from './types.js';

export interface TrinoOptions extends CompileOptions, PrepareOptions {
  table?: AthenaTable;
  /** Multivalue result columns as JSON text (Athena's results are text; see engine/athena.ts). */
  jsonLists?: boolean;
  /**
   * The caller asks the engine the search runs on what the search needs to know of the data
   * (the values a chart's columns are named by): `questions` instead of the SQL, until every
   * answer is in `discovered`.
   */
  askEngine?: boolean;
}

/** A question for the engine: its text-valued rows, each row's `columns` in turn, are the answer. */
export interface TrinoQuestion {
  key: string;
  what: string;
  sql: string;
  columns: string[];
}

export interface TrinoCompiled {
  sql: string;
  columns: string[];
  types: Record<string, FieldType>;
  /** Which partitions the search reads, in words. */
  partitions: string[];
  /** What the output leaves out that the local one has (the events' raw text). */
  notes: string[];
  /** outputlookup: the engine writes the result rows to the local lookup, as for a local search. */
  output?: OutputAction;
  /** askEngine: what to ask first; `sql` is empty until they are answered. */
  questions?: TrinoQuestion[];
}

/** Lookups read from the Athena table of the same name; the local file gives the columns. */
function athenaLookups(local: LookupResolver | undefined): LookupResolver | undefined {
  if (!local) return undefined;
  return {
    ...local,
    resolve(name) {
      const t = local.resolve(name);
      return t && { ...t, sql: `(SELECT *, row_number() OVER () AS "__row" FROM ${trinoIdent(name)})` };
    },
  };
}

/** `source` is SPL text (parameters and macros filled here) or a search already prepared. */
export function compileTrino(source: string | PreparedSearch, options: TrinoOptions): TrinoCompiled {
  const prepared = typeof source === 'string' ? prepare(source, options) : source;
  try {
    return compilePipelineTrino(prepared.pipeline, options);
  } catch (err) {
    if (err instanceof NoDialectForm) {
      const span = err.span ?? { start: 0, end: prepared.text.length };
      throw new SplError({ code: 'unsupported-function', message: `no Trino form: ${err.message}`, span, hints: ['run it locally (without --dialect/--engine), or rewrite that part'] }, prepared.text);
    }
    if (err instanceof SplError) throw new SplError(err.diagnostic, prepared.text);
    throw err;
  }
}

/**
 * A question as Trino SQL over the same table and partitions: only those whose Trino answer is
 * checked to be the local one (Builder.ask's `remote`: a chart's split values, text the engine
 * gives as is; a number's text would differ, 1.0E0 on Trino).
 */
function askable(d: Discovery, b: Builder, table: AthenaTable, bounds: PartitionBounds): TrinoQuestion {
  const rel = d.rows && b.steps.find((s) => s.id === d.rows!.output);
  if (!d.rows || !rel || !d.rows.columns.every((c) => rel.schema.fields.get(c)?.type === 'string')) {
    throw new NoDialectForm(d.what, 'trino', `this search needs ${d.what} before it can be printed, which is asked of the local data only`);
  }
  const { steps, output } = dropUselessSteps(b.steps, d.rows.output);
  const printer = new TrinoPlanPrinter({ steps, output, columns: d.rows.columns }, { table, bounds });
  try {
    return { key: d.key, what: d.what, sql: printer.statement({ unordered: !d.rows.ordered }), columns: d.rows.columns };
  } catch (err) {
    if (err instanceof NoDialectForm) throw new NoDialectForm(d.what, 'trino', `this search needs ${d.what} before it can be printed, and the question has no Trino form: ${err.message}`);
    throw err;
  }
}

function compilePipelineTrino(p: Pipeline, options: TrinoOptions): TrinoCompiled {
  const table = options.table ?? athenaTable();
  const b = newBuilder({ ...options, lookups: athenaLookups(options.lookups), rowCap: undefined, athenaTable: true });
  const rel = compilePipeline(p, b, true);
  // A key no column holds is read locally from each event's text (fields.ts `missing`).
  const fromRaw = [...b.missing.values()].find((m) => m.fromRaw);
  if (fromRaw) throw new NoDialectForm(fromRaw.name, 'trino', `${fromRaw.name}: not a column of the Athena CloudTrail table (spelunk reads such a key from each event's text, which the table does not keep)`);
  // An outputlookup that ends the search writes its rows to the local lookup (engine side).
  if (p.commands.at(-1)?.name === 'outputlookup') {
    b.output = endingWrite(b);
  }
  if (b.writes.length) throw new NoDialectForm('outputlookup', 'trino', 'an outputlookup in the middle of a search writes a local file while the search runs, which a search on Athena cannot');
  // Whether a cap cut rows is asked of DuckDB after a local search (CapCheck); here it is said.
  const notes = [...b.notes, ...new Set(searchCaps(b, rel.id).map((check) => `${check.rule}; whether it cut any is not checked on Athena or Trino`))];
  let columns = outputColumns(rel);
  if (columns.includes('_raw')) {
    columns = columns.filter((c) => c !== '_raw');
    notes.push("_raw is left out: the Athena table keeps parsed columns, not the event's text");
  }
  const bounds = partitionBounds(p, options.now, { earliest: options.earliest, latest: options.latest, within: options.within });
  const pending = b.discoveries.filter((d) => !d.what.startsWith('the time of matching event'));
  if (pending.length) {
    const questions = pending.map((d) => askable(d, b, table, bounds));
    if (!options.askEngine) {
      throw new NoDialectForm(pending[0]!.what, 'trino', `this search needs ${pending[0]!.what} to be printed (they name its columns): run it with --engine athena|trino://..., which asks the engine for them first`);
    }
    return { sql: '', columns: [], types: {}, partitions: describePartitions(table, bounds), notes, questions };
  }
  const types: Record<string, FieldType> = {};
  for (const c of columns) types[c] = rel.fields.get(c)?.type ?? (c === '_time' ? 'number' : 'string');
  const { steps, output } = dropUselessSteps(b.steps, rel.id);
  const printer = new TrinoPlanPrinter({ steps, output, columns }, { table, bounds });
  const sql = printer.statement({ unordered: options.unordered, jsonLists: options.jsonLists ? types : undefined });
  return { sql, columns, types, partitions: describePartitions(table, bounds), notes, ...(b.output ? { output: b.output } : {}) };
}
