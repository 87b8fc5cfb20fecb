// SPL pipeline -> DuckDB SQL: one CTE per stage that needs one, ending in a SELECT of the
// visible fields in pipeline order. Every relation carries `__seq`, the row order Splunk would
// show (newest event first, then whatever sort/stats decided), so order-sensitive commands
// (head, dedup, first, streamstats) are deterministic.
import type { Command, Pipeline } from '../../grammar/ast.js';
import { Builder, outputColumns } from './builder.js';
import { EVENTS_TABLE } from './cloudtrail-schema.js';
import { applyFormats } from './commands/fieldformat.js';
import { COMMAND_NAMES, commandSpec, REFUSED, UNSUPPORTED } from './commands/registry.js';
import { compileSearchExpr } from './search.js';
import { EmptyNameError } from './print/duckdb.js';
import { stepName, type Expr } from './ir/expr.js';
import type { Step } from './ir/plan.js';
import { copiedOrigin, EVENT, type Origin } from './ir/origin.js';
import { nearest } from './suggest.js';
import type { CapCheck, CompiledSearch, CompileOptions, FieldType, OutputAction, Relation } from './types.js';
import { subsearchCondition } from './commands/subsearch.js';
import { emptyRelation, eventFields, eventsOwnRange, eventsRelation, NO_INPUT } from './events.js';
import { extractJsonOnce } from './rewrite/json-once.js';
import { boundNewestRows, type CommandSteps } from './rewrite/newest-bound.js';
import { dropUselessSteps } from './rewrite/clean.js';
import { dropUnreadColumns } from './rewrite/unread-columns.js';
import { effectiveRange, narrow, type TimeRange } from './search-range.js';

/** SQL words typed as a command after `|`, and what SPL says instead. */
const SQL_COMMANDS: Record<string, string> = {
  select: '| table f1 f2 (or | fields f1 f2)',
  from: 'a search before the first pipe: spelunk searches the loaded events',
  group: '| stats count by f',
  order: '| sort f (descending: | sort - f)',
  limit: '| head N',
  having: '| where after | stats',
};

function compileCommand(cmd: Command, rel: Relation | null, b: Builder): Relation {
  const spec = commandSpec(cmd.name);
  if (!spec) {
    const refused = REFUSED[cmd.name];
    if (refused) throw b.err('unsupported-command', refused, cmd.nameSpan);
    if (UNSUPPORTED.has(cmd.name)) {
      throw b.err('unsupported-command', `${cmd.name} is a Splunk command that spelunk does not support yet`, cmd.nameSpan);
    }
    const near = nearest(cmd.name, [...COMMAND_NAMES]);
    const hints = near.length ? [`did you mean ${near.join(', ')}?`] : [];
    const sql = SQL_COMMANDS[cmd.name];
    if (sql) hints.push(`${cmd.name.toUpperCase()} is SQL; in SPL use ${sql}`);
    throw b.err('unknown-command', `unknown command ${JSON.stringify(cmd.name)}`, cmd.nameSpan, hints.length ? hints : undefined);
  }
  // `| search ...` reads the events; a generating command makes its own rows; any other
  // first command after `|` starts from no events.
  if (rel === null) rel = cmd.name === 'search' ? eventsRelation(b) : spec.generating ? NO_INPUT : emptyRelation(b);
  return spec.build(cmd, rel, b);
}

export function compilePipeline(p: Pipeline, b: Builder, top = false): Relation {
  const outerRange = b.range;
  // Each pipeline its own range: its own earliest=/latest= override the picker's (search-range.ts);
  // the main search's is narrowed to options.within (a zoom), a subsearch's is not.
  const within = top ? b.options.within : undefined;
  const { inline, upToNow, ...range } = effectiveRange(p, b.options.now, { earliest: b.options.earliest, latest: b.options.latest, within });
  if (inline && (b.options.earliest !== undefined || b.options.latest !== undefined || within)) overrideNote(b, range, within !== undefined, top ? undefined : p);
  b.range = range;
  try {
    return compileCommands(p, b, top, inline ? narrow(upToNow === undefined ? {} : { latest: upToNow }, within ?? {}) : undefined);
  } finally {
    b.range = outerRange;
  }
}

/**
 * Said when a search's own earliest=/latest= set aside the range the analyst gave: never silently.
 * A subsearch's is named by its text, since its range holds in it alone and the main search's rows
 * come from the range given.
 */
function overrideNote(b: Builder, range: { earliest?: number; latest?: number }, narrowed: boolean, sub?: Pipeline): void {
  const at = (t: number | undefined, none: string) => (t === undefined ? none : new Date(t * 1000).toISOString().replace('.000Z', 'Z'));
  const how = narrowed ? 'as in Splunk, and the zoom narrows them' : 'as in Splunk';
  const where = sub ? `the subsearch [${excerpt(b.options.source, sub)}]` : 'the search';
  const alone = sub ? ' in it alone' : '';
  const note = `earliest=/latest= in ${where} replace the time range given (--earliest/--latest, :time)${alone}, ${how}: it reads ${at(range.earliest, 'the first event')} .. ${at(range.latest, 'the last event')}`;
  if (!b.notes.includes(note)) b.notes.push(note);
}

/** A pipeline's text on one line, cut to a length a note can carry. */
function excerpt(source: string | undefined, p: Pipeline): string {
  const text = source === undefined ? '…' : source.slice(p.span.start, p.span.end).replace(/\s+/g, ' ').trim();
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** `own`: the first search's earliest=/latest= are the range, and `own` the bounds its text does not say. */
function compileCommands(p: Pipeline, b: Builder, top: boolean, own?: TimeRange): Relation {
  let rel: Relation | null = null;
  let commands = p.commands;
  if (!p.leadingPipe) {
    const first = commands[0];
    if (first && first.kind === 'search') {
      b.span = first.span;
      const condition = first.expr ? compileFirstSearch(first, b) : undefined;
      commands = commands.slice(1);
      // Its own earliest=/latest= are among its conditions already.
      rel = own ? eventsOwnRange(b, condition, own) : eventsRelation(b, condition);
    } else {
      rel = eventsRelation(b);
    }
  }
  const events = rel && b.steps[rel.id];
  const trail: CommandSteps[] = [];
  // A subsearch's fieldformat shapes nothing shown: dropped when it ends.
  const formats = b.formats.length;
  const outer = b.span;
  for (const cmd of commands) {
    const before = b.steps.length;
    const input = rel?.id ?? -1;
    rel = compileOne(cmd, rel, b, outer);
    trail.push({ name: cmd.name, input, steps: b.steps.slice(before) });
    if (b.steps.length > MAX_STEPS) {
      throw b.err('too-complex', `this search needs more than ${MAX_STEPS} steps, more than DuckDB can nest`, cmd.span, ['split it: write an intermediate result with outputlookup and read it back with inputlookup']);
    }
  }
  if (top && events?.kind === 'events') {
    boundNewestRows(b, events, trail);
  }
  if (!top) b.formats.splice(formats);
  return rel ?? emptyRelation(b);
}

function compileOne(cmd: Command, rel: Relation | null, b: Builder, outer: Builder['span']): Relation {
  b.span = cmd.span;
  try {
    return compileCommand(cmd, rel, b);
  } catch (err) {
    // `stats count as ""`, `table ""`, `eval ""=1`: DuckDB would say "zero-length delimited identifier".
    if (err instanceof EmptyNameError) throw b.err('bad-argument', 'a field name cannot be empty ("")', cmd.span);
    throw err;
  } finally {
    b.span = outer;
  }
}

/**
 * Each step is a CTE reading the one before; DuckDB binds the chain recursively and refuses
 * one of about 1,000 (`Max expression depth`, or `Maximum tree depth` from its planner) with
 * nothing that names the search. Real searches have tens of steps; half the limit leaves room
 * for the expressions inside them.
 */
const MAX_STEPS = 500;

function compileFirstSearch(first: Extract<Command, { kind: 'search' }>, b: Builder): Expr {
  // Conditions are compiled against the events relation; the base CTE holds them directly.
  const probe: Relation = { name: EVENTS_TABLE, id: -1, fields: eventFields(), raw: true, removed: new Set() };
  return compileSearchExpr(first.expr!, probe, b);
}

export function newBuilder(options: CompileOptions): Builder {
  const b: Builder = new Builder(
    options,
    compilePipeline,
    (pipeline, outer, span) => subsearchCondition(pipeline, outer, span, b),
    (e, rel, locals) => compileSearchExpr(e, rel, b, locals),
    (commands, rel) => commands.reduce((r, cmd) => compileOne(cmd, r, b, b.span), rel),
  );
  return b;
}

export function compileAst(p: Pipeline, options: CompileOptions): CompiledSearch {
  const b = newBuilder(options);
  let rel = compilePipeline(p, b, true);
  // fieldformat shapes what is shown; a search ending in outputlookup writes the values themselves.
  if (b.formats.length && p.commands.at(-1)?.name !== 'outputlookup') rel = applyFormats(rel, b);
  // An outputlookup that ends the main search writes the result itself, as it streams.
  if (p.commands.at(-1)?.name === 'outputlookup') {
    b.output = endingWrite(b);
  }
  const columns = outputColumns(rel);
  const types: Record<string, FieldType> = {};
  const origins: Record<string, Origin> = {};
  for (const c of columns) {
    const info = rel.fields.get(c);
    types[c] = info?.type ?? (c === '_time' ? 'number' : 'string');
    // An event column shown (`_time`, `_raw`) is its value as recorded.
    origins[c] = copiedOrigin(c, info?.origin ?? EVENT);
  }
  const clean = dropUselessSteps(b.steps, rel.id);
  // DuckDB's plan reads each step's JSON paths with one parse per column (the Trino printer
  // takes the steps without it: trino-compile.ts).
  const { steps, output } = extractJsonOnce(dropUnreadColumns(clean.steps, columns), clean.output);
  // Rows that feed an aggregate (the REPL's field summary) need no order: sorting a million wide
  // rows for nothing doubled its cost.
  const { sql, keyed } = b.queries(steps, output, columns, { unordered: options.unordered, stepwise: options.stepwise });
  noteMissingFields(b);
  // One CTE per step, printed only when asked (a run-time error being located): a second print
  // of every search cost parse+compile about a tenth more.
  let stepwise: string | undefined;
  const plan = { get ctes() { return (stepwise ??= b.ctes(steps)); }, steps: steps.map((s) => ({ name: stepName(s.id), schema: s.schema, step: s, ...(s.span ? { span: s.span } : {}) })) };
  const caps = searchCaps(b, rel.id);
  return { sql, ...(keyed ? { keyed } : {}), columns, types, origins, output: b.output, writes: b.writes.length ? b.writes : undefined, ...(caps.length ? { caps } : {}), notes: b.notes.length ? [...new Set(b.notes)] : undefined, discoveries: b.discoveries.length ? b.discoveries : undefined, ...(b.readsEventIdsUnique ? { readsEventIdsUnique: true } : {}), plan };
}

/**
 * The outputlookup that ends the main search, taken off the writes done before it runs: it
 * writes the result's rows as they stream. Its own query (`sql`, printed on demand) is not read.
 */
export function endingWrite(b: Builder): OutputAction {
  const { kind, name, append, span, createEmpty, overrideIfEmpty, max } = b.writes.pop()!;
  return { kind, name, append, span, createEmpty, overrideIfEmpty, max };
}

/** The caps of the search whose rows are step `output`'s that can change what it shows (see capSeen). */
export function searchCaps(b: Builder, output: number): CapCheck[] {
  return b.caps.flatMap(({ check, step }) => {
    const seen = capSeen(b.steps, output, step, check.count);
    if (seen === 'unseen') return [];
    if (seen === 'kept') check.shownRows = true;
    return [check];
  });
}

/**
 * What the search's own rows tell of a cap at step `from` (see CapCheck): 'kept' when they are
 * its rows one for one (only columns added or chosen between); 'unseen' when a head of at most
 * `count` rows takes the first of them in their order (whatever the cap cut, no row shown would
 * have been another); otherwise nothing.
 */
function capSeen(steps: Step[], output: number, from: number, count: number): 'kept' | 'unseen' | undefined {
  let head = false;
  let kept = true;
  for (let id = output; ; ) {
    if (id === from) return head ? 'unseen' : kept ? 'kept' : undefined;
    const s = steps[id];
    if (!s || !('input' in s)) return undefined;
    if (s.kind === 'limit' && s.count <= count && !s.offset && !s.order) {
      head = true;
      kept = false;
    } else if (s.kind === 'extend' || s.kind === 'project') {
      // A new order (tail's) between the cap and the head: the head's rows are not the first.
      if (s.columns.some((c) => c.name === '__seq')) head = false;
    } else {
      head = false;
      kept = false;
    }
    id = s.input;
  }
}

/** A note for each field name the search reads that nothing defines (see fields.ts `missing`). */
function noteMissingFields(b: Builder): void {
  for (const m of b.missing.values()) {
    const hint = m.near.length ? `; did you mean ${m.near.join(', ')}?` : '';
    if (m.fromRaw) {
      b.notes.push(`${m.name} is no CloudTrail field spelunk keeps as a column: it is read from each event's text, null where an event has no such key (field names are case-sensitive)${hint}`);
      continue;
    }
    const what = m.afterReshape
      ? `field ${m.name} does not exist where the search reads it (an earlier command replaced the events by its own rows)`
      : `no event field, add-on field or earlier command gives a field ${m.name}`;
    b.notes.push(`${what}: it is null on every row (field names are case-sensitive)${hint}`);
  }
}
