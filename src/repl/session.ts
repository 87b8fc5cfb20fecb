// The REPL's state and actions, without any UI: what is loaded, the time range and clock, the
// last result (capped), and every session command. The Ink app and the script mode both drive it.
import { SplError } from '../../grammar/diagnostics.js';
import { describeLoad, formatTime } from '../cli/format.js';
import { explainText } from '../cli/remote.js';
import { fieldsText } from '../compiler/print/plan-text.js';
import { athenaTable } from '../compiler/print/athena-table.js';
import { parseIso, resolveTime } from '../compiler/time.js';
import { rowsToRead, type Engine, type RunOptions } from '../engine/engine.js';
import type { ContentSet } from '../engine/content/types.js';
import { missingIndexNote } from '../engine/index-note.js';
import { bundledQueriesDir, userQueriesDir, type SavedQuery } from '../engine/queries.js';
import type { LoadProgress, LoadReport, Row } from '../engine/types.js';
import { quoteValue } from './completion.js';
import { describeSummary, discoverFields, knownFields, topValues } from './data-profile.js';
import { exportResult } from './export-result.js';
import { describeStats, type FieldStats } from './field-stats.js';
import { describeData, inspectSearch } from './inspect.js';
import { ranLines, ranSearch } from './inspect-ran.js';
import { describeError, error, helpText, lines, type HeldResult, type OutLine, type Outcome, type SearchHooks } from './outcome.js';
import { expandHome } from './paths.js';
import { matchPivots, type PivotOption } from './pivot.js';
import { loadCatalogs } from './query-catalog.js';
import { searchShape, searchTimeline } from './search-shape.js';
import { SessionSidebars } from './session-sidebar.js';
import type { FieldsAhead } from './sidebar-job.js';
import { parseSessionCommand, SessionCommandError, type SessionCommand } from './session-commands.js';
import { huntCommand, queryList, runQuery, saveCommand, withParameters } from './session-queries.js';
import { zoom, zoomedWithin } from './zoom.js';
import { parseEventJson } from './event-json.js';

const DEFAULT_MAX_ROWS = 10_000;

export interface SessionOptions {
  queriesDir?: string;
  /** The user's own saved searches (`:save` writes there); default: `queries` in the state folder; null: none. */
  savedQueriesDir?: string | null;
  maxRows?: number;
  /** Fixed clock (epoch seconds); default: the wall clock at each search. */
  now?: number;
  earliest?: string;
  latest?: string;
  /** Detection content (--content, --rules) that :hunt runs after the bundled searches. */
  content?: Pick<ContentSet, 'searches' | 'baselines'>;
  /** Count the sidebar over every loaded event in idle time after each load (the interactive REPL: idle-summary.ts). */
  idleSummary?: boolean;
}

export class Session {
  readonly maxRows: number;
  now: number | null;
  earliest: string | null;
  latest: string | null;
  last: HeldResult | null = null;
  private fields: string[] = [];
  private pathsFound: Promise<string | undefined> = Promise.resolve(undefined);
  private readonly loadedPaths: string[] = [];
  /** Where lines that arrive after their command go (the REPL's scrollback). */
  onNote: ((lines: OutLine[]) => void) | undefined;
  private valueCache = new Map<string, Promise<string[]>>();
  readonly queriesDir: string;
  readonly savedQueriesDir: string | null;
  failures = 0;
  /** Loads so far (a result remembers it: :inspect says when the data changed since). */
  private loads = 0;

  constructor(readonly engine: Engine, opts: SessionOptions = {}) {
    this.maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
    this.now = opts.now ?? null;
    this.earliest = opts.earliest ?? null;
    this.latest = opts.latest ?? null;
    this.queriesDir = opts.queriesDir ?? bundledQueriesDir();
    this.savedQueriesDir = opts.savedQueriesDir === undefined ? userQueriesDir() : opts.savedQueriesDir;
    this.content = opts.content ?? { searches: [], baselines: [] };
    this.sidebars = new SessionSidebars(this, opts.idleSummary ?? false);
  }

  readonly content: Pick<ContentSet, 'searches' | 'baselines'>;

  catalog() {
    return loadCatalogs(this.queriesDir, this.savedQueriesDir);
  }

  clock(): number {
    return this.now ?? Date.now() / 1000;
  }

  /** Options every search runs with: the session's clock and time range. */
  runOptions(extra: RunOptions = {}): RunOptions {
    const now = this.clock();
    const resolve = (t: string | null) => (t === null ? undefined : resolveTime(t, now) ?? undefined);
    return { now, earliest: resolve(this.earliest), latest: resolve(this.latest), maxRows: this.maxRows, ...extra };
  }

  /** The time range as the prompt shows it, or '' for all time. */
  timeLabel(): string {
    if (this.earliest === null && this.latest === null) return '';
    return `${this.earliest ?? 'all'}..${this.latest ?? 'now'}`;
  }

  async load(paths: string[], onProgress?: (p: LoadProgress) => void, dedupEvents = false): Promise<LoadReport> {
    // The session's first load answers first when every file is new to the cache: its searches
    // read the events in memory (spilled past DuckDB's limit) and the cache is written after the
    // first search has answered (cache-after.ts). The engine takes the cache's path otherwise.
    // A load may drop the table the sidebar's job reads: it waits for the job to have stopped (well under 0.1 s).
    await this.sidebars.stopAll();
    const whole = paths.map((p) => expandHome(p));
    // Every path loaded this session: :export must not write over or into them.
    this.loadedPaths.push(...whole);
    const report = await this.engine.load(whole, { onProgress, dedupEvents, answerFirst: true });
    const loads = ++this.loads;
    this.valueCache.clear();
    // The nested paths are found meanwhile (Engine.fieldPaths: a search does not wait for them);
    // until they are, completion offers the columns and the add-on's fields.
    this.fields = knownFields();
    this.pathsFound = discoverFields(this.engine).then(({ fields, note }) => {
      if (loads !== this.loads) return undefined;
      this.fields = fields;
      if (note) this.onNote?.([{ text: note, tone: 'dim' }]);
      return note;
    });
    this.sidebars.startIdle(this.pathsFound);
    return report;
  }

  /** The field paths of the last load are found (see load); with the line said, when there was one. */
  fieldsFound = (): Promise<string | undefined> => this.pathsFound;

  describeLoad(report: LoadReport): OutLine[] {
    return describeLoad(report).map((text) => ({ text, tone: text.startsWith('warning') ? 'warn' : text.startsWith('note') ? 'dim' : 'info' }));
  }

  async summary(): Promise<OutLine[]> {
    // Shown right after a load, as the sidebar counted in idle time starts: it waits.
    const release = this.sidebars.hold();
    const s = await this.engine.loadedSummary(this.clock()).finally(() => release(false));
    const out: OutLine[] = describeSummary(s).map((text, i) => ({ text, tone: i === 0 ? 'heading' : 'plain' }));
    // Relative times count back from now; an old capture finds nothing in `-24h` unless the clock is set.
    if (this.now === null && s.latest !== null && Date.now() / 1000 - s.latest > 86400) {
      out.push({ text: `hint: the newest event is ${formatTime(s.latest, 'iso')}; :now ${formatTime(Math.ceil(s.latest / 86400) * 86400, 'iso')} makes -24h mean its last day`, tone: 'dim' });
    }
    return out;
  }

  fieldNames(): readonly string[] {
    return this.fields;
  }

  macroNames(): string[] {
    return [...this.engine.macros.keys()];
  }

  queries(): SavedQuery[] {
    return this.catalog().queries;
  }

  /** Values of a field starting with a prefix, most frequent first (cached until the data or time range changes). */
  values(field: string, prefix = ''): Promise<string[]> {
    const key = JSON.stringify([field, prefix.toLowerCase()]);
    let p = this.valueCache.get(key);
    if (!p) {
      // The analyst is typing: the sidebar counted in idle time stops (it slowed this 2-4x).
      const release = this.sidebars.hold();
      p = topValues(this.engine, field, this.runOptions({ maxRows: undefined }), prefix).catch(() => []).finally(() => release(false));
      this.valueCache.set(key, p);
    }
    return p;
  }

  /** The last search as Trino SQL over the Athena table (the REPL's `:sql athena`). */
  private async trinoSql(last: HeldResult): Promise<string> {
    if (!last.search || last.search.startsWith(':')) throw new SessionCommandError(':sql athena shows the Trino SQL of the last search, and the last result is not from one');
    try {
      // The range the search read (its :time then, its zoom), as :inspect names it, not today's :time.
      const compiled = await this.engine.prepareTrino(last.search, { ...this.runOptions({ params: last.params }), ...last.range });
      return explainText(compiled, athenaTable());
    } catch (err) {
      if (err instanceof SplError) throw new SessionCommandError(err.message);
      throw err;
    }
  }

  async search(spl: string, hooks: SearchHooks = {}, extra: RunOptions = {}): Promise<HeldResult> {
    const started = performance.now();
    const rows: Row[] = [];
    const opts = this.runOptions({ ...zoomedWithin(this, spl), ...extra });
    const prepared = this.engine.parse(spl, opts);
    // Profiled as it runs, so that :inspect shows how it ran without running it again.
    const { compiled, truncated, profile, asked, notes } = await this.engine.stream(prepared, { ...opts, profile: true }, (chunk) => {
      rows.push(...chunk);
      hooks.onRows?.(rows.length);
    });
    const result: HeldResult = {
      search: spl, params: extra.params, columns: compiled.columns, rows, truncated, elapsedMs: performance.now() - started, sql: compiled.sql,
      fields: fieldsText(compiled.columns, compiled.types, compiled.origins),
      shape: searchShape(this.engine, spl, extra.params), timeline: null, range: { earliest: opts.earliest, latest: opts.latest, ...(opts.within ? { within: opts.within } : {}) },
      ...(notes?.length ? { notes } : {}),
      ran: ranSearch(compiled, prepared.text, profile ?? null, rowsToRead(opts), asked), loads: this.loads,
    };
    if (hooks.timelineBuckets && result.shape.events && rows.length > 0) {
      result.timeline = await searchTimeline(this.engine, result, opts, hooks.timelineBuckets);
    }
    this.last = result;
    return result;
  }

  interrupt(): void {
    this.engine.interrupt();
    this.sidebars.interrupt();
  }

  /** The loaded event with this eventID (the first, when it was loaded twice), or null. */
  async eventById(eventID: string): Promise<Record<string, unknown> | null> {
    const release = this.sidebars.hold();
    const r = await this.engine.run(`eventID=${quoteValue(eventID, true)} | head 1 | table _raw`, { now: this.clock(), maxRows: 1 }).finally(() => release(false));
    const raw = r.rows[0]?._raw;
    if (typeof raw !== 'string') return null;
    const v = parseEventJson(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  }

  /** Under a result with no rows: why, when the search names an index nothing was loaded into. */
  private async emptyNote(result: HeldResult): Promise<Outcome[]> {
    if (result.rows.length > 0) return [];
    const note = await missingIndexNote(this.engine, result.search, this.runOptions({ maxRows: undefined })).catch(() => null);
    return note ? [lines({ text: note, tone: 'dim' })] : [];
  }

  /** Run one line: a `:command` or a search. Errors become error lines (and count as failures). */
  async execute(line: string, hooks: SearchHooks = {}): Promise<Outcome[]> {
    const text = line.trim();
    if (!text) return [];
    // The sidebar counted in idle time waits while the analyst's command runs.
    const release = this.sidebars.hold();
    try {
      if (text.startsWith(':')) {
        const cmd = parseSessionCommand(text);
        if (cmd.kind === 'quit') this.sidebars.quit();
        if (movesOn(cmd)) this.stopAhead();
        return await this.command(cmd, hooks);
      }
      this.stopAhead();
      const result = await this.search(text, hooks);
      return [{ kind: 'result', result }, ...(await this.emptyNote(result))];
    } catch (err) {
      this.failures++;
      return [error(describeError(err, text))];
    } finally {
      release(!text.startsWith(':'));
    }
  }

  private async command(cmd: SessionCommand, hooks: SearchHooks): Promise<Outcome[]> {
    switch (cmd.kind) {
      case 'help': return [helpText()];
      case 'quit': return [{ kind: 'quit' }];
      case 'clear': return [{ kind: 'clear' }];
      case 'browse':
        if (!this.last) throw new SessionCommandError('no result to browse yet: run a search first');
        return [{ kind: 'browse' }];
      case 'event': {
        if (!this.last) throw new SessionCommandError('no result yet: :event N shows the event of row N of the last result');
        const n = this.last.rows.length;
        if (cmd.row > n) throw new SessionCommandError(`the last result has ${n} row${n === 1 ? '' : 's'}, not ${cmd.row}`);
        return [{ kind: 'event', row: cmd.row }];
      }
      case 'summary': return [{ kind: 'lines', lines: await this.summary() }];
      case 'load': {
        const report = await this.load(cmd.paths, undefined, cmd.dedupEvents);
        return [{ kind: 'lines', lines: [...this.describeLoad(report), ...(await this.summary())] }];
      }
      case 'queries': return [queryList(this)];
      case 'hunt': return huntCommand(this);
      case 'save': return [saveCommand(this, cmd.id, cmd.title, cmd.replace)];
      case 'run': return [await runQuery(this, cmd.id, cmd.params, hooks)];
      case 'time':
        // A range typed by hand starts a new zoom history.
        this.zoomStack.length = 0;
        this.zoomed = null;
        return [this.setTime(cmd.earliest, cmd.latest)];
      case 'now': return [this.setNow(cmd.value)];
      case 'zoom': return zoom(this, cmd, hooks);
      case 'sql':
        if (!this.last) throw new SessionCommandError('no search yet: :sql shows the SQL of the last search');
        if (cmd.dialect) return [lines({ text: await this.trinoSql(this.last), tone: 'dim' })];
        return [lines({ text: [this.last.fields, this.last.sql].filter(Boolean).join('\n'), tone: 'dim' })];
      case 'fields': return this.fieldsCommand(cmd.scope, cmd.field);
      case 'inspect': {
        const last = this.last;
        if (!last || last.search.startsWith(':')) throw new SessionCommandError('no search to inspect yet: :inspect shows how the last search ran');
        const width = process.stdout.columns || 100;
        let out: string[];
        if (cmd.rerun || !last.ran) {
          // Again, as it ran: its own time range and parameters, and the session's row cap.
          const opts = { ...this.runOptions({ params: last.params }), ...last.range };
          out = await inspectSearch(this.engine, last.search, opts, width);
        } else {
          // What it read: its own earliest=/latest= stand for :time's range (search-range.ts).
          const read = this.engine.readRange(last.search, { ...this.runOptions({ params: last.params }), ...last.range });
          const data = describeData(await this.engine.dataRead(read), read);
          const since = last.loads !== this.loads ? ' (what is loaded now: files were loaded since the search)' : '';
          out = ranLines(last.search, last.ran, last.rows.length, last.truncated, data + since, width);
        }
        return [lines(...out.map((text, i): OutLine => ({ text, tone: i === 0 ? 'heading' : i === out.length - 1 ? 'dim' : 'plain' })))];
      }
      case 'export': return [exportResult(this.last, this.loadedPaths, this.maxRows, cmd.format, cmd.file, cmd.force)];
      case 'pivot': {
        const options = this.pivotOptions(cmd.row);
        if (cmd.choice === undefined) return [{ kind: 'pivot-menu', row: cmd.row, options }];
        const option = options[cmd.choice - 1];
        if (!option) throw new SessionCommandError(`row ${cmd.row} has ${options.length} pivot${options.length === 1 ? '' : 's'}; :pivot ${cmd.row} lists them`);
        return [await this.runPivot(option, hooks)];
      }
    }
  }

  pivotOptions(row: number): PivotOption[] {
    if (!this.last) throw new SessionCommandError('no result to pivot from: run a search first');
    const r = this.last.rows[row - 1];
    if (!r) throw new SessionCommandError(`the last result has ${this.last.rows.length} row${this.last.rows.length === 1 ? '' : 's'}, not ${row}`);
    const investigations = this.queries().filter((q) => q.type === 'investigation');
    return matchPivots(r, this.last.columns, investigations);
  }

  async runPivot(option: PivotOption, hooks: SearchHooks = {}): Promise<Outcome> {
    const q = this.queries().find((x) => x.id === option.query.id);
    if (!q) throw new SessionCommandError(`saved search ${option.query.id} is gone`);
    return { kind: 'result', result: withParameters(await this.search(q.spl, hooks, { params: option.params }), q) };
  }

  /** Ranges `:zoom` replaced, and the search each was zoomed from, newest last: `:zoom out` goes back to them. */
  readonly zoomStack: { earliest: string | null; latest: string | null; zoomed: string | null }[] = [];
  /** The search `:time` was zoomed from: its own earliest=/latest= are narrowed to `:time`, not replaced (zoom.ts). */
  zoomed: string | null = null;

  setTime(earliest: string | null, latest: string | null): Outcome {
    const now = this.clock();
    for (const t of [earliest, latest]) {
      if (t !== null && resolveTime(t, now) === null) {
        throw new SessionCommandError(`cannot read time ${JSON.stringify(t)}: use -24h, -7d@d, @w0, now, an ISO time or epoch seconds`);
      }
    }
    this.earliest = earliest;
    this.latest = latest;
    this.valueCache.clear();
    if (earliest === null && latest === null) return lines({ text: 'time range: all time', tone: 'info' });
    const e = earliest === null ? 'the first event' : formatTime(resolveTime(earliest, now)!, 'human');
    const l = latest === null ? 'now' : formatTime(resolveTime(latest, now)!, 'human');
    return lines({ text: `time range: ${earliest ?? 'all'} .. ${latest ?? 'now'} (${e} .. ${l} UTC, relative to the clock at each search)`, tone: 'info' });
  }

  private setNow(value: string | null): Outcome {
    if (value === null) return lines({ text: `now: ${formatTime(this.clock(), 'iso')}${this.now === null ? ' (wall clock)' : ' (set)'}`, tone: 'info' });
    if (/^(clear|reset|wall)$/i.test(value)) {
      this.now = null;
      this.valueCache.clear();
      return lines({ text: 'now: the wall clock', tone: 'info' });
    }
    const t = parseIso(value) ?? (/^\d+(\.\d+)?$/.test(value) ? Number(value) : null);
    if (t === null) throw new SessionCommandError(`:now takes an ISO time such as 2026-11-28T00:00:00Z, or clear; not ${JSON.stringify(value)}`);
    this.now = t;
    this.valueCache.clear();
    return lines({ text: `now: ${formatTime(t, 'iso')} (relative times count from here)`, tone: 'info' });
  }

  /** The field sidebars: counted ahead, in idle time, kept with their results (session-sidebar.ts). */
  readonly sidebars: SessionSidebars;

  /**
   * Starts counting the fields of `result`, the last one, over every row ahead of `:fields` (the
   * REPL, once its rows are shown): an event search with rows. The next line that moves on, a
   * load or Ctrl-C stops it (execute, load, interrupt).
   */
  countFieldsAhead(result: HeldResult): void {
    this.sidebars.countAhead(result);
  }

  /** The counting ahead, while it runs (the bench, the tests). */
  get fieldsAhead(): FieldsAhead | null {
    return this.sidebars.ahead;
  }

  stopAhead(): void {
    this.sidebars.stopAhead();
  }

  /**
   * The field sidebar's counts: of the last result (`auto`, `result`) or of every loaded event
   * (`data`), passed to `onUpdate` as each pass finishes. Kept with the result it describes.
   */
  async fieldStats(scope: 'data' | 'result' | 'auto', onUpdate: (s: FieldStats) => void = () => {}): Promise<FieldStats> {
    const target = scope === 'data' ? null : this.last;
    if (scope !== 'data' && !target) throw new SessionCommandError('no result yet: run a search first, or :fields data for every loaded event');
    return this.sidebars.fieldStats(target, onUpdate);
  }

  private async fieldsCommand(scope: 'data' | 'result' | 'auto', field: string | undefined): Promise<Outcome[]> {
    if (!field) return [{ kind: 'fields', scope }];
    const stats = await this.fieldStats(scope);
    const width = process.stdout.columns || 100;
    const lines = describeStats(stats, width, field);
    if (!lines) throw new SessionCommandError(`${scope === 'data' ? 'no loaded event' : 'no row of the last result'} has a field ${field}`);
    return [{ kind: 'lines', lines: lines.map((text, i) => ({ text, tone: i === 0 ? 'heading' : 'plain' })) }];
  }
}

/** A command that leaves the last result behind (a search, a load, a new range, leaving): the counting ahead stops. */
function movesOn(cmd: SessionCommand): boolean {
  return ['load', 'run', 'hunt', 'time', 'zoom', 'quit'].includes(cmd.kind) || (cmd.kind === 'inspect' && cmd.rerun) || (cmd.kind === 'pivot' && cmd.choice !== undefined);
}
