// The `events` view over the cache: the segments a search's time range needs, each joined with
// the sources whose current entry points at it, in Splunk's order (newest first).

import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENT_COLUMNS, EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { POSITION, uniqueTemp, type CacheEntry } from './cache-files.js';
import { DUPLICATES_TABLE, filesKey } from './duplicates.js';
import { duckdbPath } from './load-paths.js';
import { quoteIdent, sqlString } from './load-sql.js';
import { recentTimes } from './recent-times.js';

/** One load's files (CachedEvents.add). */
type Load = { entries: CacheEntry[]; index: string; saved?: string; inPathOrder?: boolean };

/** Time bounds of a search: [earliest, latest) in epoch seconds. */
export interface TimeRange {
  earliest?: number;
  latest?: number;
}

/** Whether a file can hold an event in the range (events without _time match no range). */
export function overlaps(entry: CacheEntry, range: TimeRange): boolean {
  if (range.earliest === undefined && range.latest === undefined) return true;
  if (entry.minTime === null || entry.maxTime === null) return false;
  if (range.earliest !== undefined && entry.maxTime < range.earliest) return false;
  if (range.latest !== undefined && entry.minTime >= range.latest) return false;
  return true;
}

// Newest first; equal times by source path, then by place in the file: the loader's own order.
// The key is a HUGEINT: the time above the source's rank among the view's files and the row's
// position in its file, so the order needs no pass over the whole table when files are added.
// The time part is 2^61 minus the time in microseconds, clamped to +-2^61 us (73,000 years
// either side of 1970; DuckDB's timestamps reach 294,247 AD, and an event may say so): it stays
// within [0, 2^62], events without time (2^62 + 1) come last, and the shift by 64 stays inside
// the 127 bits of a HUGEINT whatever the time (least and greatest pass over NULL, so events
// without time are tested for first). The subtraction is done on integers: as a DOUBLE,
// 2^61 - t keeps only 256 us of precision. The rank comes from a join with a small table of the
// files (one row each).
const TIME_SPAN = '2305843009213693952';
const SEQ = `((CASE WHEN e."_time" IS NULL THEN 4611686018427387905::HUGEINT
        ELSE ${TIME_SPAN}::HUGEINT - greatest(least(round(e."_time" * 1000000), ${TIME_SPAN}), -${TIME_SPAN})::HUGEINT END << 64)
      + (f.rank::HUGEINT << 32) + ${POSITION})`;

/** The `events` view's statement, what it was built for, and the temporary tables it reads. */
export interface BuiltView {
  key: string;
  view: string;
  temps: string[];
}

/** The (segment, source, rank) rows the `events` view joins its segments with. */
const SOURCES_TABLE = '__spelunk_sources';
/** The saved sources table's database, attached read-only (see fillSources). */
const SAVED = '__spelunk_saved';
/** The view over the newest files only, and its sources (see applyNewest). */
const NEWEST_VIEW = '__spelunk_newest';
const NEWEST_SOURCES = '__spelunk_newest_sources';

/**
 * The loaded files, by the index they were loaded into. A file loaded again (the REPL's `:load`
 * of the same folder) replaces its earlier entry instead of duplicating its events.
 */
export class CachedEvents {
  /** The loads, in order: a later load's entry for a file replaces an earlier one's (see all). */
  private readonly loads: Load[] = [];
  /** The view built last, and its sources: as rows, or the saved table they were read from. */
  private current: { view: string; table: string; rows?: SourceRow[]; saved?: string } | undefined;
  /** The saved sources table attached as SAVED, if one is. */
  private attached: string | undefined;
  /** The files and range the view was last built for: rebuilding its text costs 3 ms at 2,500 files. */
  private built: string | undefined;
  /** The view over the newest files, what it was built for (as `built`), and the time it starts at. */
  private newest: { key: string; since: number; view: string } | undefined;
  private version = 0;
  /** Leave out the extra copies of each eventID listed in DUPLICATES_TABLE (--dedup-events). */
  private dropDuplicates = false;

  setDropDuplicates(on: boolean): void {
    if (on !== this.dropDuplicates) this.version++;
    this.dropDuplicates = on;
  }

  /**
   * `saved`: where the sources table of these entries is saved (or is to be), when they are the
   * list of a manifest (see sourcesFile): read back when they are all the view reads.
   * `inPathOrder`: the entries are known to be in the order of their paths (see select).
   */
  add(entries: CacheEntry[], index: string, saved?: string, inPathOrder?: boolean): void {
    this.loads.push({ entries, index, saved, inPathOrder });
    this.version++;
  }

  /** What a selection, its times and the views built for it are kept under: these files, this range. */
  private rangeKey = (range: TimeRange): string => JSON.stringify([this.version, range.earliest ?? null, range.latest ?? null]);
  /** The files the last load named. */
  lastLoad = (): CacheEntry[] => this.loads[this.loads.length - 1]?.entries ?? [];

  /** Forgets every file, before the loads are added again. */
  reset(): void {
    this.loads.length = 0;
    this.version++;
  }

  /** Every loaded file once, for one version, and the load that names them all, if one does. */
  private files: { version: number; files: { entry: CacheEntry; index: string }[]; sole?: Load } | undefined;

  /**
   * Every loaded file once, with the index of the last load that named it. One load lists each of
   * its files once (the walk does): a map by path is made only for several (it hashed 53,819 long
   * paths on every warm start at 5M).
   */
  private all(): { entry: CacheEntry; index: string }[] {
    if (this.files?.version === this.version) return this.files.files;
    let sole = this.loads.length === 1 ? this.loads[0] : undefined;
    let files: { entry: CacheEntry; index: string }[] | undefined;
    if (sole === undefined) {
      const byPath = new Map<string, { entry: CacheEntry; index: string }>();
      for (const { entries, index } of this.loads) for (const entry of entries) byPath.set(entry.path, { entry, index });
      // The last load names every file an earlier one did (the REPL's `:load` of the same folders
      // once new logs arrived): the view is that load's alone, as a new process's would be.
      const last = this.loads[this.loads.length - 1];
      if (last !== undefined && last.entries.length === byPath.size) sole = last;
      else files = [...byPath.values()];
    }
    files ??= sole!.entries.map((entry) => ({ entry, index: sole!.index }));
    this.files = { version: this.version, files, sole };
    return files;
  }

  /** The load that names every loaded file (see all), if one does. */
  private sole(): Load | undefined {
    this.all();
    return this.files!.sole;
  }

  /**
   * What names the loaded files for the duplicate count remembered (see rememberedCount): the
   * manifest's digest when one load's manifest lists them, which costs nothing; else their key.
   */
  countKey(): string {
    const only = this.sole();
    // The saved table's name says the manifest's digest.
    if (only?.saved !== undefined) return `${path.basename(only.saved, '.duckdb')}\0${only.index}`;
    return filesKey(this.select({}));
  }

  /** The segments every loaded file's events are in, each once, with its size when written. */
  segments = (): { file: string; bytes: number | null }[] => [...new Map(this.select({}).map(({ entry }) => [entry.parquet!, entry.parquetBytes]))].map(([file, bytes]) => ({ file, bytes }));

  /** All loaded files' paths in order (a file's place is its rank: the view's tie order), for one version. */
  private ranks: { version: number; paths: string[] } | undefined;
  /** The last selection: a load and its first search select the same range (53,819 files at 5M). */
  private selected: { key: string; files: { entry: CacheEntry; index: string }[] } | undefined;

  /** The entries a range reads, in a stable order (the array is shared: not to be changed). */
  select(range: TimeRange): { entry: CacheEntry; index: string }[] {
    const key = this.rangeKey(range);
    if (this.selected?.key === key) return this.selected.files;
    const files = this.all().filter((f) => f.entry.parquet !== null && overlaps(f.entry, range));
    // Not sorted again when one load's entries are in order already: comparing them built each path in one piece (30-50 ms at 5M).
    if (!this.sole()?.inPathOrder) files.sort((a, b) => (a.entry.path < b.entry.path ? -1 : a.entry.path > b.entry.path ? 1 : 0));
    this.selected = { key, files };
    return files;
  }

  /** The last answer of recentSince, for one selection. */
  private recent: { key: string; times: number[] } | undefined;

  /** Times after which about 1/64 and 1/8 of the range's events lie (recentTimes), newest first. */
  recentSince(range: TimeRange): number[] {
    const files = this.select(range);
    const key = this.rangeKey(range);
    if (this.recent?.key === key) return this.recent.times;
    const times = recentTimes(files, range);
    this.recent = { key, times };
    return times;
  }

  /**
   * SQL of the `events` view reading only the segments a range needs. Each segment is joined with
   * the sources whose current entry points at it: a segment also holds rows of files the range
   * does not need (other files of a day) and may hold a changed file's old rows, whose new entry
   * points at another segment: the join drops both.
   */
  viewSql(range: TimeRange): string {
    const { rows, view: viewOf } = this.plan(range);
    const view = viewOf(SOURCES_TABLE);
    const sources = rows();
    if (sources.length === 0) return view;
    const values = sources.map(([part, segment, src, rank]) => `(${part}, ${segment}, ${sqlString(src)}, ${rank})`);
    return `INSERT INTO ${SOURCES_TABLE} VALUES ${values.join(', ')};\n${view}`;
  }

  /**
   * The view, and the rows of its sources table. The (segment, source, rank) rows live in a table
   * of their own rather than in the view's text: DuckDB parses the view again for every statement
   * that reads `events`, and with 2,500 files in its text planning `SELECT count(*) FROM events`
   * took 50 ms, paid two or three times per search. They reach the table through an appender:
   * as a VALUES list, DuckDB's parse of 25,000 of them was most of a warm start's CPU. When the
   * view reads every file of one load whose manifest is known, they are the table saved for that
   * manifest (`saved`): appending 53,819 rows was 0.1 CPU-s of a warm start at 5M. The view's text
   * is made for the table that holds them.
   */
  private plan(range: TimeRange): Plan {
    const selected = this.select(range);
    const indexes = [...new Set(selected.map((f) => f.index))];
    const parts: ((sources: string, list?: string[]) => string)[] = [];
    const partSegments: Map<string, number>[] = [];
    const lists: string[][] = [];
    indexes.forEach((index, part) => {
      const cols = EVENT_COLUMNS.map((c) => {
        if (c.name === '__seq') return `${SEQ} AS "__seq"`;
        if (c.name === 'index') return `coalesce(e."index", ${sqlString(index)}) AS "index"`;
        return `e.${quoteIdent(c.name)}`;
      });
      const segments = [...new Set(selected.filter((f) => f.index === index).map((f) => f.entry.parquet!))].sort();
      partSegments.push(new Map(segments.map((s, i) => [s, i])));
      lists.push(segments);
      parts.push((sources, list = segments) => `SELECT ${cols.join(', ')}
FROM read_parquet([${list.map((s) => sqlString(duckdbPath(s))).join(', ')}]) AS e
JOIN ${sources} AS f ON f.part = ${part} AND e.file_index = f.segment AND e.__src = f.src`);
    });
    const rows = (): SourceRow[] => {
      if (this.ranks?.version !== this.version) this.ranks = { version: this.version, paths: this.all().map((f) => f.entry.path).sort() };
      const all = this.ranks.paths;
      const sources: SourceRow[] = [];
      indexes.forEach((index, part) => {
        const place = partSegments[part]!;
        // The files are in path order, as all paths are: each one's rank is found by walking on
        // from the last (a map by path hashed 53,819 long paths at 5M).
        let rank = 0;
        for (const f of selected) {
          if (f.index !== index) continue;
          while (all[rank] !== f.entry.path) if (++rank >= all.length) throw new Error(`cache: ${f.entry.path} is not among the loaded files`);
          sources.push([part, place.get(f.entry.parquet!)!, f.entry.path, rank]);
        }
      });
      return sources;
    };
    const whole = range.earliest === undefined && range.latest === undefined;
    const saved = whole ? this.sole()?.saved : undefined;
    if (parts.length === 0) {
      const cols = EVENT_COLUMNS.map((c) => `NULL::${c.name === '__seq' ? 'HUGEINT' : c.type} AS ${quoteIdent(c.name)}`);
      return { count: 0, rows, segments: lists, view: (_, name = EVENTS_TABLE) => `CREATE OR REPLACE TEMP VIEW ${name} AS\nSELECT ${cols.join(', ')} WHERE false` };
    }
    // The copies are keyed by __seq, which depends on every loaded file, not on the range: the
    // list stays right for every range until the files change (and is made again then).
    const dropDuplicates = this.dropDuplicates;
    const view = (sources: string, name = EVENTS_TABLE, only?: string[][]): string => {
      const union = parts.map((p, i) => p(sources, only?.[i])).join('\nUNION ALL\n');
      const body = dropDuplicates ? `SELECT * FROM (\n${union}\n) AS v ANTI JOIN ${DUPLICATES_TABLE} AS d ON d.seq = v."__seq"` : union;
      return `CREATE OR REPLACE TEMP VIEW ${name} AS\n${body}`;
    };
    return { count: selected.length, rows, saved, segments: lists, view };
  }

  /**
   * The view as apply() built it last, what it was built for (`key`), and the temporary tables it
   * reads, which no other connection sees: for the sidebar's job connection (sidebar-job.ts).
   */
  builtView(): BuiltView | undefined {
    if (this.current === undefined || this.built === undefined) return undefined;
    const views = [this.current.view, ...(this.newest?.key === this.built ? [this.newest.view] : [])];
    // A view of no file reads neither.
    const temps = [SOURCES_TABLE, NEWEST_SOURCES, DUPLICATES_TABLE].filter((t) => (t !== SOURCES_TABLE || this.current!.table === t) && views.some((v) => v.includes(t)));
    return { key: this.built, view: views.join(';\n'), temps };
  }

  /**
   * The view over the newest files and the time it starts at (CompileOptions.newestView), when it
   * is built for these files and this range: a statement whose every read of the events asks for
   * times at or after it reads only those files' segments.
   */
  newestView(range: TimeRange): { table: string; since: number } | undefined {
    const key = this.rangeKey(range);
    return this.newest?.key === key && this.built === key ? { table: NEWEST_VIEW, since: this.newest.since } : undefined;
  }

  /** Points `events` at the files a range needs (a no-op when that is already so). */
  async apply(conn: DuckDBConnection, range: TimeRange): Promise<void> {
    const built = this.rangeKey(range);
    if (built === this.built) return;
    const plan = this.plan(range);
    const current = this.current;
    const same =
      current !== undefined &&
      plan.view(current.table) === current.view &&
      (plan.saved !== undefined && plan.saved === current.saved ? true : current.rows !== undefined && sameSources(plan.rows(), current.rows));
    if (!same) {
      const filled = plan.count > 0 ? await this.fillSources(conn, plan) : { table: SOURCES_TABLE };
      const view = plan.view(filled.table);
      await conn.run(view);
      this.current = { view, table: filled.table, rows: filled.rows, saved: filled.rows === undefined ? plan.saved : undefined };
    }
    this.built = built;
    await this.applyNewest(conn, range, built, plan);
  }

  /**
   * A second view, over the files holding the range's newest events (those after its first
   * recentSince time, about 1/64 of them), with the same rows, ranks and order as `events` gives
   * for those times. A search's newest-rows question and its bounded rows ask only for such times:
   * over `events` each statement read the footers of every segment and joined every file (126
   * segments and 53,819 files at 5M: 50-70 CPU ms each, twice per search); here 2 segments and
   * 790 files. Built with the view, so a warm start builds it while its files are walked.
   */
  private async applyNewest(conn: DuckDBConnection, range: TimeRange, built: string, plan: Plan): Promise<void> {
    this.newest = undefined;
    const since = this.recentSince(range)[0];
    const [segments, ...more] = plan.segments;
    if (since === undefined || segments === undefined || more.length > 0 || this.current === undefined) return;
    const holding = new Set<string>();
    for (const { entry } of this.select(range)) if (entry.maxTime !== null && entry.maxTime >= since) holding.add(entry.parquet!);
    const keep = segments.flatMap((s, i) => (holding.has(s) ? [i] : []));
    if (keep.length === 0 || keep.length === segments.length) return;
    // The rows of `events`' own sources for those segments, numbered as the new list numbers them:
    // the same ranks, and files of those segments with no event that new are read but never kept.
    const list = `[${keep.join(', ')}]`;
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${NEWEST_SOURCES} AS
SELECT part, (list_position(${list}, segment) - 1)::INTEGER AS segment, src, rank FROM ${this.current.table} WHERE part = 0 AND list_contains(${list}, segment)`);
    const view = plan.view(NEWEST_SOURCES, NEWEST_VIEW, [keep.map((i) => segments[i]!)]);
    await conn.run(view);
    this.newest = { key: built, since, view };
  }

  /**
   * The table of the view's sources: the saved one, attached read-only, when there is one with the
   * rows expected (attaching it took 1-2 ms where copying it into a table took 55-90 at 5M); else
   * a table filled through an appender (and saved, for the next process), whose rows are returned.
   */
  private async fillSources(conn: DuckDBConnection, plan: { count: number; rows: () => SourceRow[]; saved?: string }): Promise<{ table: string; rows?: SourceRow[] }> {
    if (plan.saved !== undefined) {
      try {
        if (this.attached !== plan.saved) {
          await this.detach(conn);
          await conn.run(`ATTACH ${sqlString(plan.saved)} AS ${SAVED} (READ_ONLY)`);
          this.attached = plan.saved;
        }
        // Every value read once: DuckDB checks each block it reads, so a damaged file is found
        // here, not by a search; and a table with other rows than the files listed is not used.
        // One part: its least and greatest are one (a count of distinct parts hashed every row: 13-33 CPU ms at 5M).
        const [rows, least, most] = (await conn.runAndReadAll(`SELECT count(*)::INTEGER, min(part), max(part) FROM ${SAVED}.main.sources WHERE src IS NOT NULL AND segment >= 0 AND rank >= 0`)).getRows()[0] ?? [];
        if (rows === plan.count && least !== null && least === most) return { table: `${SAVED}.main.sources` };
      } catch {
        // Not saved yet, collected, damaged, or the session is locked (no file can be attached).
      }
      await this.detach(conn).catch(() => undefined);
    }
    const sources = plan.rows();
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${SOURCES_TABLE} (part INTEGER, segment INTEGER, src VARCHAR, rank INTEGER)`);
    const appender = await conn.createAppender(SOURCES_TABLE, 'main', 'temp');
    try {
      for (const [part, segment, src, rank] of sources) {
        appender.appendInteger(part);
        appender.appendInteger(segment);
        appender.appendVarchar(src);
        appender.appendInteger(rank);
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
    if (plan.saved !== undefined) await saveSources(conn, plan.saved);
    return { table: SOURCES_TABLE, rows: sources };
  }

  private async detach(conn: DuckDBConnection): Promise<void> {
    if (this.attached === undefined) return;
    this.attached = undefined;
    await conn.run(`DETACH ${SAVED}`);
  }
}

type SourceRow = [part: number, segment: number, src: string, rank: number];

/**
 * A view's text for the table holding its sources (as `name`, over only the segments `only` lists
 * per part when given), its files, the rows of its sources, the saved table of them (see plan),
 * and each part's segments, in the order the sources number them.
 */
interface Plan {
  view: (sources: string, name?: string, only?: string[][]) => string;
  count: number;
  rows: () => SourceRow[];
  saved?: string;
  segments: string[][];
}

/** Saves the sources table at `file`, whole or not at all; a cache it cannot be written to only loses the saving. */
async function saveSources(conn: DuckDBConnection, file: string): Promise<void> {
  const temp = uniqueTemp(file);
  try {
    await conn.run(`ATTACH ${sqlString(temp)} AS __spelunk_save`);
    try {
      await conn.run(`CREATE TABLE __spelunk_save.main.sources AS SELECT * FROM temp.main.${SOURCES_TABLE}`);
    } finally {
      await conn.run('DETACH __spelunk_save');
    }
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
    rmSync(`${temp}.wal`, { force: true });
  }
}

function sameSources(a: SourceRow[], b: SourceRow[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x[0] !== y[0] || x[1] !== y[1] || x[2] !== y[2] || x[3] !== y[3]) return false;
  }
  return true;
}
