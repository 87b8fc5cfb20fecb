// The command line beyond one machine (docs/athena.md): `explain --dialect athena|trino` prints
// the Trino SQL and the partitions it reads; `run --engine athena` (or `trino://...`) submits it
// to Athena (or a Trino server), shows progress, streams the rows to the usual output formats and
// stops the query on Ctrl-C; `hunt --engine ...` runs the hunts there.
import { athenaTable, TableOptionError, type AthenaTable } from '../compiler/print/athena-table.js';
import { raisedMessage } from '../compiler/print/trino-plan.js';
import type { TrinoCompiled } from '../compiler/trino-compile.js';
import { athenaClient, AthenaError, athenaSettings, runOnAthena, type AthenaSender, type AthenaSettings } from '../engine/athena.js';
import type { SearchRunner } from '../engine/content/runner.js';
import { EngineError, type Engine, type RunOptions } from '../engine/engine.js';
import { runOnTrino, trinoClient, TrinoError, trinoSettings, type TrinoSender, type TrinoSettings } from '../engine/trino.js';
import type { Row } from '../engine/types.js';
import type { DiscoveredValue } from '../compiler/types.js';
import { flag, has, UsageError, type ParsedArgs } from './args.js';
import { RowWriter, type OutputFormat } from './format.js';

/** The table the Trino SQL reads, from --table and --partitions. */
export function tableFromArgs(args: ParsedArgs): AthenaTable {
  try {
    return athenaTable(flag(args, 'table'), flag(args, 'partitions'));
  } catch (err) {
    if (err instanceof TableOptionError) throw new UsageError(err.message);
    throw err;
  }
}

/** `--dialect`: undefined for DuckDB (the default), else trino (athena is Trino's dialect). */
export function dialectFromArgs(args: ParsedArgs): 'trino' | undefined {
  const d = flag(args, 'dialect');
  if (d === undefined || d === 'duckdb') return undefined;
  if (d === 'athena' || d === 'trino') return 'trino';
  throw new UsageError(`--dialect ${JSON.stringify(d)}: use duckdb, athena or trino`);
}

const ATHENA_ONLY = ['workgroup', 'output', 'database', 'region'];

/** Flags that only make sense with a remote dialect or engine, given without one (or the other). */
export function checkRemoteFlags(args: ParsedArgs, remote: boolean): void {
  if (!remote) {
    for (const name of ['table', 'partitions', ...ATHENA_ONLY]) {
      if (has(args, name)) throw new UsageError(`--${name} applies to --dialect athena|trino or --engine athena|trino://...`);
    }
    return;
  }
  if (flag(args, 'engine')?.startsWith('trino')) {
    for (const name of ATHENA_ONLY) {
      if (has(args, name)) throw new UsageError(`--${name} applies to --engine athena, not to a Trino server (name its catalog and schema in the trino:// URL)`);
    }
  }
}

/** explain's text for a Trino search: what it reads, then the SQL. */
export function explainText(compiled: TrinoCompiled, table: AthenaTable): string {
  const head = [`-- Trino SQL over ${table.name} (docs/athena.md)`, ...compiled.partitions.map((p) => `-- reads ${p}`), ...compiled.notes.map((n) => `-- note: ${n}`)];
  return `${head.join('\n')}\n${compiled.sql}\n`;
}

export interface RemoteRunIo {
  write(text: string): void;
  note(text: string): void;
  /** For tests: the Athena client (default: the SDK's, with the usual credential chain). */
  client?: AthenaSender;
  /** For tests: the Trino client (default: trino-client's, for the URL's server). */
  trino?: TrinoSender;
  /** For tests: the abort signal (default: Ctrl-C). */
  signal?: AbortSignal;
}

/** Where `--engine` runs a search. */
type Remote =
  | { kind: 'athena'; settings: AthenaSettings; client: AthenaSender }
  | { kind: 'trino'; settings: TrinoSettings; client: TrinoSender };

/** The engine from the flags, as usage errors. */
function remoteFromArgs(args: ParsedArgs, io: RemoteRunIo): Remote {
  const which = flag(args, 'engine') ?? '';
  try {
    if (which === 'athena') {
      const settings = athenaSettings(flag(args, 'workgroup'), flag(args, 'output'), flag(args, 'database'), flag(args, 'region'));
      return { kind: 'athena', settings, client: io.client ?? athenaClient(settings) };
    }
    if (which.startsWith('trino')) {
      const settings = trinoSettings(which);
      return { kind: 'trino', settings, client: io.trino ?? trinoClient(settings) };
    }
  } catch (err) {
    if (err instanceof AthenaError || err instanceof TrinoError) throw new UsageError(err.message);
    throw err;
  }
  throw new UsageError(`--engine ${JSON.stringify(which)}: use athena or trino://host:port/catalog/schema`);
}

interface RemoteHandlers {
  rows(rows: Row[]): void;
  /** A line of progress, when it changes. */
  progress?(line: string): void;
  signal?: AbortSignal;
}

/** A query's rows, and what it cost: `N results from Athena query ID (X scanned, T s)` (Athena bills the bytes). */
interface RemoteCost {
  rowCount: number;
  summary: string;
}

/**
 * Run a compiled search on the engine; the closing line says what it read. A message the search
 * raised itself (timechart's bucket cap) reaches the analyst as itself, not inside Trino's
 * failed cast that carried it.
 */
async function runRemote(remote: Remote, compiled: TrinoCompiled, h: RemoteHandlers): Promise<RemoteCost> {
  try {
    return await runQuery(remote, compiled, h);
  } catch (err) {
    const raised = remoteError(err) ? raisedMessage(err.message) : undefined;
    if (raised === undefined) throw err;
    const query = /\bquery (\S+) failed\b/.exec((err as Error).message)?.[1];
    const message = `${raised}${query ? ` (${remote.kind === 'athena' ? 'Athena' : 'Trino'} query ${query})` : ''}`;
    throw err instanceof AthenaError ? new AthenaError(message) : new TrinoError(message);
  }
}

async function runQuery(remote: Remote, compiled: TrinoCompiled, h: RemoteHandlers): Promise<RemoteCost> {
  const results = (n: number) => `${n} result${n === 1 ? '' : 's'}`;
  const time = (ms: number | undefined) => (ms === undefined ? '' : `, ${(ms / 1000).toFixed(1)} s`);
  if (remote.kind === 'athena') {
    const run = await runOnAthena(remote.client, remote.settings, compiled.sql, compiled.columns, compiled.types, {
      signal: h.signal,
      rows: h.rows,
      progress: (p) => h.progress?.(`athena: ${p.state.toLowerCase()}, ${formatBytes(p.scannedBytes)} scanned`),
    });
    return { rowCount: run.rowCount, summary: `${results(run.rowCount)} from Athena query ${run.queryId} (${formatBytes(run.scannedBytes)} scanned${time(run.millis)})` };
  }
  const run = await runOnTrino(remote.client, remote.settings, compiled.sql, compiled.columns, compiled.types, {
    signal: h.signal,
    rows: h.rows,
    progress: (p) => h.progress?.(`trino: ${p.state.toLowerCase()}, ${formatBytes(p.processedBytes)} read`),
  });
  return { rowCount: run.rowCount, summary: `${results(run.rowCount)} from Trino query ${run.queryId} (${formatBytes(run.processedBytes)} read${time(run.millis)})` };
}

/**
 * The search compiled for the engine, after asking it what the SQL needs to know of the data
 * (the values a chart's or timechart's columns are named by, ranked as locally), as a local run
 * asks the loaded data (engine/data-questions.ts): each answer can raise another question (a
 * chart after a chart), so again until none is left.
 */
async function compileAsking(engine: Engine, remote: Remote, spl: string, opts: Parameters<Engine['prepareTrino']>[1] & object, signal?: AbortSignal, note?: (line: string) => void): Promise<TrinoCompiled> {
  const discovered: Record<string, DiscoveredValue[]> = {};
  for (let round = 0; ; round++) {
    const compiled = await engine.prepareTrino(spl, { ...opts, askEngine: true, discovered });
    if (!compiled.questions?.length) return compiled;
    if (round >= 16) throw new EngineError('the search kept asking new questions about the data (more than 16 rounds)', '');
    for (const q of compiled.questions) {
      const rows: Row[] = [];
      const types = Object.fromEntries(q.columns.map((c) => [c, 'string' as const]));
      try {
        const run = await runRemote(remote, { ...compiled, sql: q.sql, columns: q.columns, types }, { signal, rows: (r) => rows.push(...r) });
        note?.(`asked ${q.what}: ${run.summary}`);
      } catch (err) {
        if (remoteError(err)) throw new EngineError(`asking ${q.what}: ${err.message}`, q.sql);
        throw err;
      }
      discovered[q.key] = rows.flatMap((r) => q.columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
    }
  }
}

function remoteError(err: unknown): err is AthenaError | TrinoError {
  return err instanceof AthenaError || err instanceof TrinoError;
}

/**
 * `hunt --engine athena|trino://...`: each search runs there; an outputlookup (a baseline) is
 * written to the local lookup, so the detections after it read it from the table of that name
 * once it is uploaded there (docs/athena.md).
 */
export function remoteHuntRunner(engine: Engine, args: ParsedArgs, io: RemoteRunIo): SearchRunner {
  const remote = remoteFromArgs(args, io);
  const table = tableFromArgs(args);
  return async (spl, opts) => {
    // What each query cost, the questions asked first included, as `run` notes it.
    const cost: string[] = [];
    const compiled = await compileAsking(engine, remote, spl, { ...opts, table, jsonLists: true }, io.signal, (line) => cost.push(line));
    const rows: Row[] = [];
    const sink = compiled.output ? await engine.lookupSink(compiled.output, compiled.columns) : undefined;
    try {
      cost.push((await runRemote(remote, compiled, { signal: io.signal, rows: (r) => rows.push(...r) })).summary);
      if (sink) {
        await sink.rows(rows);
        await sink.commit();
      }
    } catch (err) {
      sink?.abort();
      if (remoteError(err)) throw new EngineError(err.message, compiled.sql);
      throw err;
    }
    const max = opts.maxRows ?? Infinity;
    return { columns: compiled.columns, rows: rows.slice(0, max), ...(rows.length > max ? { truncated: true } : {}), ...(compiled.notes.length ? { notes: compiled.notes } : {}), cost };
  };
}

/** `run --engine athena|trino://...`: the rows on stdout in `format`; returns the exit status. */
export async function runRemoteCli(engine: Engine, text: string, args: ParsedArgs, opts: RunOptions, format: OutputFormat, io: RemoteRunIo): Promise<number> {
  const remote = remoteFromArgs(args, io);
  const table = tableFromArgs(args);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  if (!io.signal) process.once('SIGINT', onSigint);
  const signal = io.signal ?? abort.signal;
  let compiled: TrinoCompiled;
  try {
    compiled = await compileAsking(engine, remote, text, { ...opts, table, jsonLists: true }, signal, io.note);
  } catch (err) {
    process.removeListener('SIGINT', onSigint);
    throw err;
  }
  for (const p of compiled.partitions) io.note(`reads ${p}`);
  const writer = new RowWriter(format, compiled.columns, io.write);
  const sink = compiled.output ? await engine.lookupSink(compiled.output, compiled.columns) : undefined;
  let last = '';
  // Lookup rows are written in order, one page after the other, before the commit.
  let written: Promise<void> = Promise.resolve();
  try {
    const run = await runRemote(remote, compiled, {
      signal,
      progress: (line) => {
        if (line !== last) io.note(line);
        last = line;
      },
      rows: (rows) => {
        writer.rows(rows);
        if (sink) written = written.then(() => sink.rows(rows));
      },
    });
    writer.end();
    await written;
    await sink?.commit();
    io.note(run.summary);
    return 0;
  } catch (err) {
    sink?.abort();
    if (remoteError(err)) {
      io.note(`error: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v.toFixed(1)} ${units[u]}`;
}
