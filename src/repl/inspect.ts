// `:inspect --rerun`, Splunk's job inspector by running the last search again: each command of
// its pipeline with the rows it took in and gave out and the time DuckDB spent on it (its stages
// kept apart under DuckDB's profiler), and the data it read: the cache's files, days and segments
// for its time range, or the in-memory table. Plain `:inspect` reads the profile recorded while
// the search ran (inspect-ran.ts).
import { parse } from '../../grammar/parser.js';
import { formatTime } from '../cli/format.js';
import type { Engine, RunOptions } from '../engine/engine.js';
import { materialized, type SearchProfile, type StageProfile } from '../engine/profile.js';
import type { DataRead } from '../engine/data-read.js';

export interface InspectedStage {
  /** The command's text (several commands when the compiler fused them), or a CTE's name. */
  label: string;
  rowsIn: number | null;
  rowsOut: number;
  seconds: number;
}

/** How many CTEs a compiled search has (the stages `materialized` marks). */
const cteCount = (sql: string) => (materialized(sql).match(/ AS MATERIALIZED \(\n/g) ?? []).length;

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Which CTEs each command made: each prefix of the pipeline is compiled and its CTEs counted, the
 * new ones belonging to its last command. Null when the counts do not line up with the search's
 * own (an optimisation that only applies to the whole pipeline): the stages are then shown by name.
 */
function commandStages(engine: Engine, text: string, opts: RunOptions, total: number): { label: string; ctes: number }[] | null {
  const pipeline = parse(text).pipeline;
  if (!pipeline || pipeline.commands.length === 0) return null;
  const out: { label: string; ctes: number }[] = [];
  let before = 0;
  for (const cmd of pipeline.commands) {
    let count: number;
    try {
      count = cteCount(engine.prepare(text.slice(0, cmd.span.end), { ...opts, allowUnfilledParams: true, stepwise: true }).compiled.sql);
    } catch {
      return null;
    }
    if (count < before) return null;
    out.push({ label: oneLine(text.slice(cmd.span.start, cmd.span.end)), ctes: count - before });
    before = count;
  }
  return before === total ? out : null;
}

/** `events`: the events the search looked at (its time range's), the first stage's rows in. */
function inspectStages(profile: SearchProfile, commands: { label: string; ctes: number }[] | null, events: number): InspectedStage[] {
  const ctes = profile.stages.slice(0, -1);
  const output = profile.stages.at(-1)!;
  const add = (xs: StageProfile[]) => xs.reduce((s, x) => s + x.seconds, 0);
  const stages: InspectedStage[] = [];
  if (commands) {
    let at = 0;
    for (const c of commands) {
      const mine = ctes.slice(at, at + c.ctes);
      // The first command reads the events; the others read the stage before theirs.
      const rowsIn = at === 0 ? events : ctes[at - 1]!.rowsOut;
      if (mine.length === 0) stages.push({ label: c.label, rowsIn: null, rowsOut: stages.at(-1)?.rowsOut ?? 0, seconds: 0 });
      else stages.push({ label: c.label, rowsIn, rowsOut: mine.at(-1)!.rowsOut, seconds: add(mine) });
      at += c.ctes;
    }
  } else {
    ctes.forEach((x, i) => stages.push({ label: x.name, rowsIn: i === 0 ? events : ctes[i - 1]!.rowsOut, rowsOut: x.rowsOut, seconds: x.seconds }));
  }
  stages.push({ label: '(output: final order, columns and row cap)', rowsIn: ctes.at(-1)?.rowsOut ?? events, rowsOut: output.rowsOut, seconds: output.seconds });
  return stages;
}

const n = (x: number) => x.toLocaleString('en-US');

export function describeData(d: DataRead, range: { earliest?: number; latest?: number }): string {
  const span = range.earliest === undefined && range.latest === undefined ? 'all time' : `${range.earliest === undefined ? 'the first event' : formatTime(range.earliest, 'iso')} .. ${range.latest === undefined ? 'now' : formatTime(range.latest, 'iso')}`;
  const days = `${n(d.days)} day${d.days === 1 ? '' : 's'}`;
  const files = `${n(d.files)} file${d.files === 1 ? '' : 's'}`;
  if (d.kind === 'cache') {
    const mb = ((d.bytes ?? 0) / 1e6).toFixed(1);
    return `data read (${span}): the Parquet cache in ${d.dir}: ${n(d.segments ?? 0)} day segment${d.segments === 1 ? '' : 's'} (${mb} MB) holding ${files} over ${days}, ${n(d.events)} events`;
  }
  const how = d.cacheAfter === undefined ? 'no cache' : `the cache in ${d.cacheAfter} is written after the first answer, for the next run`;
  return `data read (${span}): the in-memory table (the JSON read at load; ${how}): ${n(d.events)} events from ${files} over ${days}`;
}

/** The inspector's lines, widest columns fitted to `width`. */
function inspectLines(search: string, stages: InspectedStage[], profile: SearchProfile, data: string, fused: boolean, width: number): string[] {
  const sec = (s: number) => `${s.toFixed(3)} s`;
  const head = ['#', 'command', 'rows in', 'rows out', 'time'];
  const rows = stages.map((s, i) => [i < stages.length - 1 ? String(i + 1) : '', s.label, s.rowsIn === null ? '' : n(s.rowsIn), n(s.rowsOut), s.rowsIn === null ? '(in the stage above)' : sec(s.seconds)]);
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fixed = w[0]! + w[2]! + w[3]! + w[4]! + 8;
  w[1] = Math.max(12, Math.min(w[1]!, width - fixed));
  const cut = (t: string, k: number) => (t.length > k ? t.slice(0, k - 1) + '…' : t);
  const line = (r: string[]) => [r[0]!.padStart(w[0]!), cut(r[1]!, w[1]!).padEnd(w[1]!), r[2]!.padStart(w[2]!), r[3]!.padStart(w[3]!), r[4]!.padEnd(w[4]!)].join('  ').trimEnd();
  return [
    `job inspector: ${oneLine(search)}`,
    `${n(profile.rows)} result${profile.rows === 1 ? '' : 's'}; run again under DuckDB's profiler, each stage kept apart: ${sec(profile.latency)} (a search runs faster with its stages fused)`,
    data,
    line(head),
    line(w.map((k) => '-'.repeat(k))),
    ...rows.map(line),
    `time: DuckDB's own, summed over the stage's operators and threads${fused ? '; the stages are the compiled SQL\'s (its commands could not be matched to them)' : ''}`,
  ];
}

/** The inspector for a search that ran with `opts` (its own time range and parameters). */
export async function inspectSearch(engine: Engine, search: string, opts: RunOptions, width: number): Promise<string[]> {
  const r = await engine.inspect(search, opts);
  const commands = commandStages(engine, r.text, opts, r.profile.stages.length - 1);
  // The range it read: its own earliest=/latest= in place of :time's (search-range.ts).
  const data = describeData(r.data, engine.readRange(search, opts));
  return inspectLines(search, inspectStages(r.profile, commands, r.data.events), r.profile, data, commands === null, width);
}
