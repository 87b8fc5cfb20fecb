// The field sidebar's computed fields (the add-on's `tag`, `eventtype`, `user_type`...) counted
// over the distinct combinations of what each one reads instead of row by row (issue 14). A field
// such as `tag` is a function of a few event columns; a million events hold a few thousand
// combinations of them, so evaluating its 20 KB of SQL once per combination, weighted by how many
// rows have it, gives the same counts for a fraction of the work.
//
// What a field reads is taken from its compiled expression, never from a list written by hand:
// its inputs are the columns and JSON paths it reads, except that a part of it reading only whole
// wide columns (`_raw`, a nested object as text: the delete event type's scan of the raw text) is
// an input of its own, computed once per row (a boolean there, where the text itself would make
// every row its own combination). An expression that is not a pure function of its row (random(),
// an aggregate, a subsearch) keeps the row-by-row count.
import { JSON_COLUMNS } from './cloudtrail-schema.js';
import { conditionsOf, domainsSql, exprKey, foldConditions, type Conditions, type KnownConditions } from './fold-conditions.js';
import { children, hasAggregate, hasWindow, isVolatile, mapExpr, namesStep, readsColumn, type Expr } from './ir/expr.js';
import { COMPUTED } from './ir/origin.js';
import { stepExprs, type Column, type Step } from './ir/plan.js';
import { keptScans, type Scan, type ScanAnswers } from './kept-scans.js';
import { DUCKDB, duckdbPrinter } from './print/duckdb.js';
import { PlanPrinter } from './print/plan.js';
import type { CompiledSearch, FieldType } from './types.js';

/** A field counted over combinations: its value as SQL over the input columns, and which inputs it reads. */
export interface GroupedField {
  field: string;
  type: FieldType;
  /** DuckDB SQL of the field's value over the columns named by `GroupedFields.inputs`. */
  value: string;
  /** Indexes into `GroupedFields.inputs`, ascending. */
  inputs: number[];
}

export interface GroupedFields {
  /** One row per result row: the columns counted row by row (`columns`) and the inputs. */
  sql: string;
  /**
   * The same columns over the events as loaded, for a search that scans `_raw` and only keeps
   * some of the events: a sample of rows to see how many combinations the inputs have without
   * running its scan again (which sets are dense is a matter of speed, never of the answer).
   */
  sample?: string;
  /** The result's columns still counted row by row (quoted by the reader). */
  columns: string[];
  /** Names of the input columns in `sql`. */
  inputs: string[];
  fields: GroupedField[];
  /**
   * Inputs scanning the event text (`_raw`) whose answer over every row of `sql` is the answer
   * for every event its events step admits: the engine may keep it for later searches (kept-scans.ts).
   */
  scans: Scan[];
}

/** Columns too wide to group by: the event text and the nested objects as text. */
const WIDE = new Set(['_raw', ...JSON_COLUMNS.map((c) => c.name)]);

const inputName = (i: number) => `__in_${i}`;

/**
 * The search `compiled` (ending in `| table f1 f2 ...`, as the sidebar compiles it) split into
 * the columns of `fields` that are counted over combinations and the rest; undefined when none
 * can be (or the plan does not end in the table's projection). `known`: conditions with one
 * answer over the search's rows (tableConditions), folded into every pure column first.
 */
export function groupedFields(compiled: CompiledSearch, fields: string[], known: KnownConditions = new Map(), answers?: ScanAnswers): GroupedFields | undefined {
  const last = tableStep(compiled);
  if (!last) return undefined;
  const wanted = new Set(fields);
  const grouped: { field: string; expr: Expr }[] = [];
  const perRow: Column[] = [];
  for (const c of last.columns) {
    const pure = !hasAggregate(c.expr) && !isVolatile(c.expr) && !namesStep(c.expr);
    const expr = pure ? foldConditions(c.expr, known) : c.expr;
    if (wanted.has(c.name) && compiled.columns.includes(c.name) && pure && !isLeaf(c.expr) && readsInput(c.expr)) {
      grouped.push({ field: c.name, expr });
    } else {
      perRow.push(expr === c.expr ? c : { ...c, expr });
    }
  }
  if (grouped.length === 0) return undefined;
  const inputs = new Inputs();
  const rewritten = grouped.map(({ field, expr }) => {
    const used = new Set<number>();
    return { field, value: inputs.rewrite(expr, [], used), used };
  });
  // An input read only in branches no row takes (a folded condition) is not computed: in those
  // branches it is a null of its type, which DuckDB drops with the branch.
  const live = inputs.live();
  const at = new Map(live.map((i, k) => [i, k]));
  const out: GroupedField[] = rewritten.map(({ field, value, used }) => ({
    field,
    type: compiled.types[field] ?? 'string',
    value: duckdbPrinter().print(inputs.withoutDead(value, at)),
    inputs: [...used].filter((i) => at.has(i)).map((i) => at.get(i)!).sort((a, b) => a - b),
  }));
  const events = keepsEvents(compiled, last) ? (before(compiled, last).find((s) => s.kind === 'events') as Extract<Step, { kind: 'events' }>) : undefined;
  // Every event the conditions admit: no other step. (A newest-rows bound, which reads fewer, is
  // one of the conditions, so an answer kept under it is served only under the same bound.)
  const every = events !== undefined && before(compiled, last).length === 1;
  const firstId = Math.max(...compiled.plan!.steps.map((s) => s.step.id)) + 2;
  const inputColumns = inputs.columns();
  const { columns, tables, scans } = keptScans(live.map((i) => ({ column: inputColumns[i]!, scan: inputs.scan(i) })), events?.where.map(exprKey), every, firstId, answers);
  const kept = perRow.map((c) => c.name).filter((n) => compiled.columns.includes(n));
  const names = columns.map((c) => c.name);
  const all = [...perRow, ...columns];
  if (scans.length && !all.some((c) => c.name === '__seq')) all.push({ name: '__seq', expr: { kind: 'column', name: '__seq', type: 'int' } });
  const selected = [...kept, ...names, ...(scans.length ? ['__seq'] : [])];
  const sample = scansRaw(compiled, last) && keepsEvents(compiled, last) ? eventsSql(compiled, last, all, selected, tables) : undefined;
  return { sql: tableSql(compiled, last, all, selected, tables), ...(sample ? { sample } : {}), columns: kept, inputs: names, fields: out, scans };
}


/**
 * The conditions of the table's pure columns that read one stored column, and a query of how
 * each answers over that column's values among the search's rows (fold-conditions.ts).
 */
export function tableConditions(compiled: CompiledSearch): { conditions: Conditions; sql: string } | undefined {
  const last = tableStep(compiled);
  if (!last || !sameRowsEachRun(compiled.plan!.steps.map((s) => s.step))) return undefined;
  const pure = last.columns.filter((c) => !hasAggregate(c.expr) && !isVolatile(c.expr) && !namesStep(c.expr));
  const conditions = conditionsOf(pure.map((c) => c.expr));
  if (conditions.atoms.length === 0) return undefined;
  const columns = conditions.columns.map((expr, i) => ({ name: `__c${i}`, expr }));
  let rows: string;
  if (!scansRaw(compiled, last)) {
    rows = tableSql(compiled, last, columns, columns.map((c) => c.name));
  } else if (keepsEvents(compiled, last)) {
    // A search that scans `_raw` (a bare term) costs more run again than the folding saves. It
    // keeps rows of the events as loaded: the values of every event in its range are a superset
    // of its rows' (an answer the same on all is so on these), listed from the events.
    rows = eventsSql(compiled, last, columns, columns.map((c) => c.name));
  } else {
    return undefined;
  }
  return { conditions, sql: domainsSql(conditions, rows) };
}

/** Steps that keep some of the events' rows as loaded, changing none. */
const SUBSET = new Set<Step['kind']>(['events', 'filter', 'limit', 'distinct']);

const before = (compiled: CompiledSearch, last: Project) => compiled.plan!.steps.map((s) => s.step).filter((s) => s !== last);

/** The search (compiled for the sidebar, ending in its table) scans `_raw` for its rows: a bare term, costly to run again. */
export function rowsScanRaw(compiled: CompiledSearch): boolean {
  const last = tableStep(compiled);
  return last !== undefined && scansRaw(compiled, last);
}

/** Steps that make each row from one row of their input, or drop it: eval, rex, fields, where, search. */
const ROW_BY_ROW = new Set<Step['kind']>(['extend', 'project', 'filter']);

/**
 * The search's rows are made from the events its conditions admit, as loaded, each row from one
 * event by commands that read that event alone (eval, rex, fields, where...): nothing volatile
 * (random(), time()), no aggregate, window or subsearch, no lookup or address location (which
 * read files that may change), no head or dedup. Its counts then depend on the loaded events
 * alone (the engine remembers them: sidebar-memory.ts).
 */
export function eventsAlone(compiled: CompiledSearch): boolean {
  const last = tableStep(compiled);
  if (!last) return false;
  const steps = before(compiled, last);
  return steps.filter((s) => s.kind === 'events').length === 1 && steps.every((s) => s.kind === 'events' || ROW_BY_ROW.has(s.kind))
    && [...steps, last].every((s) => stepExprs(s).every((e) => !isVolatile(e) && !hasAggregate(e) && !hasWindow(e) && !namesStep(e) && !callsFile(e)));
}

/** Calls a function reading a file beside the data: iplocation's database. */
function callsFile(e: Expr): boolean {
  return (e.kind === 'call' && e.fn === 'iplocation') || children(e).some(callsFile);
}

/** The search reads `_raw` before its table (a bare term's scan): running it again costs. */
function scansRaw(compiled: CompiledSearch, last: Project): boolean {
  return before(compiled, last).some((s) => stepExprs(s).some((e) => readsColumn(e, '_raw')));
}

/** The table's rows are some of the events, as loaded. */
function keepsEvents(compiled: CompiledSearch, last: Project): boolean {
  const steps = before(compiled, last);
  return steps.every((s) => SUBSET.has(s.kind)) && steps.filter((s) => s.kind === 'events').length === 1;
}

/** `columns` over every event the search's range holds (keepsEvents: the same columns as its rows'). */
function eventsSql(compiled: CompiledSearch, last: Project, columns: Column[], names: string[], tables: Step[] = []): string {
  const events = before(compiled, last).find((s) => s.kind === 'events')!;
  const all: Step = { ...events, where: [] } as Step;
  const schema = { fields: new Map(columns.map((c) => [c.name, { type: 'string' as FieldType, origin: COMPUTED }])), raw: false, removed: new Set<string>() };
  const step: Step = { kind: 'project', input: events.id, columns, id: Math.max(events.id, ...tables.map((t) => t.id)) + 1, schema };
  const steps = [...tables, all, step];
  return new PlanPrinter(DUCKDB, duckdbPrinter, steps).query(steps, step.id, names, { unordered: true });
}

/** Steps whose rows are the same set each time the plan runs, given the same for their inputs. */
const STABLE = new Set<Step['kind']>(['events', 'generate', 'table', 'none', 'extend', 'project', 'filter', 'distinct', 'unnest', 'union', 'limit']);

/**
 * The plan gives the same rows each time it runs: the conditions' answers are found in one run
 * and used in another. Not so with random(), an aggregate or window (first(), ties in an order),
 * a subsearch, or a limit after a sort (ties cut differently); a limit in `__seq` order is.
 */
function sameRowsEachRun(steps: Step[]): boolean {
  return steps.every((s) => STABLE.has(s.kind) && !(s.kind === 'limit' && s.order)
    && stepExprs(s).every((e) => !isVolatile(e) && !hasAggregate(e) && !namesStep(e)));
}

type Project = Extract<Step, { kind: 'project' }>;

/** The plan's last step when it is the table's projection. */
function tableStep(compiled: CompiledSearch): Project | undefined {
  const last = compiled.plan?.steps.at(-1)?.step;
  return last?.kind === 'project' ? last : undefined;
}

/** The search with `columns` in place of the table's projection. */
function tableSql(compiled: CompiledSearch, last: Project, columns: Column[], names: string[], tables: Step[] = []): string {
  // The table's own projection (every field's whole SQL) is replaced, not read: printing it cost DuckDB binding it.
  const steps: Step[] = [...tables, ...compiled.plan!.steps.map((s) => s.step).filter((s) => s !== last)];
  const schema = { fields: new Map(columns.map((c) => [c.name, { type: 'string' as FieldType, origin: COMPUTED }])), raw: false, removed: new Set<string>() };
  const step: Step = { kind: 'project', input: last.input, columns, id: Math.max(...steps.map((s) => s.id)) + 1, schema };
  return new PlanPrinter(DUCKDB, duckdbPrinter, [...steps, step]).query([...steps, step], step.id, names, { unordered: true });
}

/**
 * The inputs of the grouped fields, each with the conditions under which some field reads it. A
 * path that a rule reads only in the branch of one event name is null on every other row (no
 * field looks at it there): the per-row work is the branch's condition, not a JSON parse, and
 * the rows of other event names do not multiply the combinations.
 */
class Inputs {
  private readonly exprs: Expr[] = [];
  /** Per input: the guards under which it is read (each a list of conditions, all true), or null once read unguarded. */
  private readonly guards: (Map<string, Expr[]> | null)[] = [];
  private readonly keys = new Map<string, number>();
  private readonly facts = new Map<Expr, Facts>();

  /** `e` over the input columns, its inputs recorded with `guard` (conditions, all true where `e` is evaluated). */
  rewrite(e: Expr, guard: Expr[], used: Set<number>): Expr {
    const f = this.factsOf(e);
    if (!f.reads) return e;
    if (e.kind === 'column' || e.kind === 'path' || (f.wideOnly && f.free.size === 0)) {
      const i = this.add(e, guard);
      used.add(i);
      return { kind: 'column', name: inputName(i), type: e.type };
    }
    if (e.kind === 'case') {
      // A THEN is evaluated only where its WHEN is true (CASE semantics; a null WHEN is not taken).
      // Later WHENs and the ELSE keep the outer guard (a weaker one is still right).
      return {
        ...e,
        whens: e.whens.map((w) => ({
          when: this.rewrite(w.when, guard, used),
          then: this.rewrite(w.then, this.factsOf(w.when).vars ? guard : [...guard, w.when], used),
        })),
        else: e.else ? this.rewrite(e.else, guard, used) : null,
      };
    }
    return mapExpr(e, (n) => (n === e ? undefined : this.rewrite(n, guard, used)));
  }

  /** Input columns: each input, null where none of its guards holds. */
  columns(): Column[] {
    return this.exprs.map((e, i) => {
      const guards = this.guards[i];
      if (!guards) return { name: inputName(i), expr: e };
      // CASEs only: exactly the conditions the rules' own CASEs test, null as not taken.
      return { name: inputName(i), expr: { kind: 'case', whens: [...guards.values()].map((conds) => ({ when: conjunction(conds), then: e })), else: null, type: e.type } };
    });
  }

  /**
   * Input `i`'s expression when it scans the event text: read unguarded, a function of the wide
   * columns alone, `_raw` among them, of a type a literal holds exactly (text or boolean).
   */
  scan(i: number): Expr | undefined {
    const e = this.exprs[i]!;
    const f = this.factsOf(e);
    return this.guards[i] === null && f.wideOnly && f.free.size === 0 && (e.type === 'string' || e.type === 'bool') && readsColumn(e, '_raw') ? e : undefined;
  }

  /** The inputs some row reads, ascending: unguarded, or with a guard whose conditions are not all folded away. */
  live(): number[] {
    return this.guards.flatMap((g, i) => (!g || [...g.values()].some((conds) => !conds.some(never)) ? [i] : []));
  }

  /** `e` with each input not in `live` (input -> its place among the live ones) a null of its type. */
  withoutDead(e: Expr, live: Map<number, number>): Expr {
    return mapExpr(e, (n) => {
      if (n.kind !== 'column' || !n.name.startsWith('__in_')) return undefined;
      const i = Number(n.name.slice(5));
      return live.has(i) ? undefined : { kind: 'literal', value: null, type: this.exprs[i]!.type };
    });
  }

  private add(e: Expr, guard: Expr[]): number {
    const key = exprKey(e);
    let i = this.keys.get(key);
    if (i === undefined) {
      this.keys.set(key, (i = this.exprs.push(e) - 1));
      this.guards.push(new Map());
    }
    const guards = this.guards[i];
    if (guards) {
      if (guard.length === 0) this.guards[i] = null;
      else guards.set(guard.map(exprKey).join('\u0001'), guard);
    }
    return i;
  }

  private factsOf(n: Expr): Facts {
    let f = this.facts.get(n);
    if (f) return f;
    if (n.kind === 'column') f = { reads: true, wideOnly: WIDE.has(n.name), free: new Set(), vars: false };
    else if (n.kind === 'path') f = { reads: true, wideOnly: false, free: new Set(), vars: false };
    else if (n.kind === 'var') f = { reads: false, wideOnly: true, free: new Set([n.id]), vars: true };
    else {
      f = { reads: false, wideOnly: true, free: new Set(), vars: n.kind === 'lambda' || n.kind === 'let' };
      for (const c of children(n)) {
        const g = this.factsOf(c);
        f.reads ||= g.reads;
        f.wideOnly &&= g.wideOnly;
        f.vars ||= g.vars;
        for (const v of g.free) f.free.add(v);
      }
      if (n.kind === 'lambda') for (const p of n.params) f.free.delete(p);
      // The let's variable is bound in its body only.
      if (n.kind === 'let') f.free = new Set([...this.factsOf(n.value).free, ...[...this.factsOf(n.body).free].filter((v) => v !== n.id)]);
    }
    this.facts.set(n, f);
    return f;
  }
}

/** A condition that no row meets: a false or null constant (a folded condition). */
function never(e: Expr): boolean {
  return e.kind === 'literal' && (e.value === false || e.value === null);
}

/** True where every condition is true, else null (a CASE per condition, as a CASE's WHEN reads it). */
function conjunction(conds: Expr[]): Expr {
  return conds.reduceRight<Expr>((body, when) => ({ kind: 'case', whens: [{ when, then: body }], else: null, type: 'bool' }), { kind: 'literal', value: true, type: 'bool' });
}

interface Facts {
  /** Reads a column or a path. */
  reads: boolean;
  /** Every column it reads is wide (and it reads no path). */
  wideOnly: boolean;
  /** Variables it reads that are bound outside it. */
  free: Set<number>;
  /** Holds a variable or a binder: not a condition a row can test on its own. */
  vars: boolean;
}

/** Reads a column or a path (a constant is as cheap row by row). */
function readsInput(e: Expr): boolean {
  return isLeaf(e) || children(e).some(readsInput);
}

/** A column or JSON path: counting it directly is the same work. */
function isLeaf(e: Expr): boolean {
  return e.kind === 'column' || e.kind === 'path';
}
