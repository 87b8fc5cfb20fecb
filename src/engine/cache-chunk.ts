// Writing one conversion chunk of a load into the cache (see cache.ts): its events into one
// segment per UTC day of each file's first event, then the files' entries in one pack. The quick
// way parses the staged JSON values into columns on their way to Parquet; the slower way, kept
// for what the quick one cannot take, writes them from an events table.
import { rmSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { cacheWriteProblem, dayOf, fingerprintOf, POSITION, STORED, writePack, writeSegment, type CacheEntry, type Segment } from './cache-files.js';
import type { Miss } from './cache-lookup.js';
import { duckdbPath } from './load-paths.js';
import {
  eventsSelect,
  NOT_CLOUDTRAIL,
  sqlString,
  TEXTS_COLUMNS,
  TEXTS_FIRST_TIMES,
  TEXTS_TABLE,
  textsOfValues,
  VALUES_TABLE,
  valuesEvents,
  valuesFirstTimes,
} from './load-sql.js';
import { commonFolder } from './load-batches.js';
import { loadCloudTrail, memoryLimitOf, raisedNote, type LoadOptions, type ValuesRead } from './loader.js';
import type { FileStats } from './load-report.js';
import { machineMemoryLimit } from './memory.js';
import type { LoadReport, LoadWarning } from './types.js';

/** A chunk's staged values could not be written the quick way: see writeValuesChunk. */
class NotQuick extends Error {}

/**
 * Values unwrapped per statement (stageTexts): the unwrap of a `{"Records":[...]}` value holds
 * its parse and all its events at once, for a whole chunk in one statement (one vector of values)
 * about 100 MB more on top of the previous chunk's write. Each statement scans the chunk's values
 * again: 4 MB slices cost 0.08 CPU-s a chunk more than one statement, 16 MB 0.02, but a first
 * load of 5M events peaked at 1.22 GB with 4 MB, 1.36 with 8 and 1.39 with 16 (bench README,
 * 2026-12-07 01:50).
 */
const TEXT_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * Unwraps the chunk's staged values (loadValues) into TEXTS_TABLE, a slice of values per
 * statement, sets each event's day, and drops the values; returns the days. The load asks it
 * while the previous chunk is written (cache.ts): the write, which parsed the values again for
 * their days and unwrapped them in its COPY, was the longer half (1M events: about 7 CPU-s read,
 * 17 written), and the read's core waited on it. When it fails (a value too large for the memory
 * limit, say), the texts are dropped and undefined returned: the write takes the values as they
 * are, with its own handling of what went wrong.
 */
export async function stageTexts(conn: DuckDBConnection): Promise<string[] | undefined> {
  try {
    const sizes = (await conn.runAndReadAll(`SELECT rowid::BIGINT, strlen(value)::BIGINT FROM ${VALUES_TABLE} ORDER BY rowid`)).getRows();
    await conn.run(`CREATE OR REPLACE TABLE ${TEXTS_TABLE} (${TEXTS_COLUMNS})`);
    for (let first = 0, bytes = 0, i = 0; i <= sizes.length; i++) {
      if (i === sizes.length || (i > first && bytes + Number(sizes[i]![1]) > TEXT_SLICE_BYTES)) {
        if (i > first) await conn.run(textsOfValues(`rowid BETWEEN ${Number(sizes[first]![0])} AND ${Number(sizes[i - 1]![0])}`));
        first = i;
        bytes = 0;
      }
      if (i < sizes.length) bytes += Number(sizes[i]![1]);
    }
    const days = await setDays(conn, TEXTS_TABLE, TEXTS_FIRST_TIMES);
    await conn.run(`DROP TABLE ${VALUES_TABLE}`);
    return days;
  } catch {
    await conn.run(`DROP TABLE IF EXISTS ${TEXTS_TABLE}`).catch(() => undefined);
    return undefined;
  }
}

/**
 * The days of the files `table` holds (of each file's first event, which `firstTimes` gives),
 * each row's `day` set when there are several.
 */
async function setDays(conn: DuckDBConnection, table: string, firstTimes: string): Promise<string[]> {
  const firsts = (await conn.runAndReadAll(firstTimes)).getRowObjectsJS();
  const dayOfFile = new Map(firsts.map((r) => [String(r['file']), dayOf({ minTime: r['lo'] == null ? null : Number(r['lo']) })]));
  const days = [...new Set(dayOfFile.values())];
  if (days.length > 1) {
    await conn.run(`CREATE OR REPLACE TEMP TABLE __spelunk_days (file VARCHAR, day VARCHAR)`);
    const appender = await conn.createAppender('__spelunk_days', 'main', 'temp');
    try {
      for (const [file, day] of dayOfFile) {
        appender.appendVarchar(file);
        appender.appendVarchar(day);
        appender.endRow();
      }
    } finally {
      appender.closeSync();
    }
    await conn.run(`UPDATE ${table} SET day = d.day FROM temp.main.__spelunk_days AS d WHERE ${table}.file = d.file`);
  }
  return days;
}

/**
 * Writes the chunk's staged values (loadValues) as one segment per day, each event parsed into
 * its columns on the way to Parquet, then the entries. The day of each file (of its first event)
 * is read from the values first, and checked against the rows written; `staged` is the days
 * stageTexts gave, when the events were unwrapped already. Anything that goes wrong
 * but the cache's own writing (a value the reader took whole but that does not parse, a day that
 * does not match) reads the chunk again through the events table, as before this path, with a
 * note: the answers are the same, the chunk costs about twice.
 */
export async function writeValuesChunk(
  conn: DuckDBConnection,
  folder: string,
  chunk: Miss[],
  read: ValuesRead,
  report: LoadReport,
  loadOpts: LoadOptions,
  staged?: string[],
  rowGroupRows?: number,
): Promise<CacheEntry[]> {
  const segments = new Map<string, Segment>();
  const write = async (): Promise<{ stats: FileStats[]; bySource: Map<string, { n: number; lo: number | null; hi: number | null }> }> => {
    const days = staged ?? (await setDays(conn, VALUES_TABLE, valuesFirstTimes()));
    for (const day of days) {
      const where = days.length > 1 ? `day = ${sqlString(day)}` : 'true';
      // Records that are not CloudTrail events are written without a source, counted, and then
      // taken out again (below): the events' columns exist only in the COPY.
      segments.set(day, await writeSegment(conn, folder, `
          SELECT ${STORED.join(', ')}, NULL::UINTEGER AS __pos, CASE WHEN ${NOT_CLOUDTRAIL} THEN NULL ELSE source END AS __src
          FROM (${eventsSelect(staged ? `SELECT file, raw FROM ${TEXTS_TABLE} WHERE ${where}` : valuesEvents(where), 'NULL::VARCHAR')})`, rowGroupRows));
    }
    const dayOfSegment = new Map([...segments].map(([day, g]) => [g.file, day]));
    const files = [...segments.values()].map((g) => sqlString(duckdbPath(g.file)));
    const rows = files.length === 0 ? [] : (
      await conn.runAndReadAll(`
        SELECT source, filename,
               count(*)::BIGINT AS records,
               count(*) FILTER (WHERE __src IS NULL)::BIGINT AS "foreign",
               count(*) FILTER (WHERE __src IS NOT NULL AND "eventTime" IS NULL)::BIGINT AS no_time,
               count(*) FILTER (WHERE __src IS NOT NULL AND "eventTime" IS NOT NULL AND _time IS NULL)::BIGINT AS bad_time,
               min("eventTime") FILTER (WHERE __src IS NOT NULL AND _time IS NULL) AS bad_time_example,
               count(*) FILTER (WHERE __src IS NOT NULL)::BIGINT AS n,
               min(_time) FILTER (WHERE __src IS NOT NULL) AS lo, max(_time) FILTER (WHERE __src IS NOT NULL) AS hi
        FROM read_parquet([${files.join(', ')}], filename = true) GROUP BY source, filename`)
    ).getRowObjectsJS();
    const stats: FileStats[] = [];
    const bySource = new Map<string, { n: number; lo: number | null; hi: number | null }>();
    const withForeign = new Set<string>();
    for (const r of rows) {
      const source = String(r['source']);
      const day = dayOfSegment.get(String(r['filename']));
      const lo = r['lo'] == null ? null : Number(r['lo']);
      const n = Number(r['n']);
      // Each file's rows in one segment, the one of its first event's day (as writeChunk puts them).
      if (bySource.has(source) || (n > 0 && day !== dayOf({ minTime: lo }))) throw new NotQuick(`${source}: its rows are not all in the segment of its day`);
      bySource.set(source, { n, lo, hi: r['hi'] == null ? null : Number(r['hi']) });
      if (Number(r['foreign']) > 0) withForeign.add(day!);
      stats.push({
        source,
        records: Number(r['records']),
        foreign: Number(r['foreign']),
        noTime: Number(r['no_time']),
        badTime: Number(r['bad_time']),
        badTimeExample: r['bad_time_example'] == null ? null : String(r['bad_time_example']),
      });
    }
    for (const [day, segment] of segments) {
      if (!withForeign.has(day)) continue;
      const kept = (await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${sqlString(duckdbPath(segment.file))}) WHERE __src IS NOT NULL`)).getRowObjectsJS()[0]!;
      if (Number(kept['n']) > 0) {
        segments.set(day, await writeSegment(conn, folder, `
            SELECT ${STORED.map((c) => `e.${c}`).join(', ')}, ${POSITION} AS __pos, e.__src
            FROM read_parquet(${sqlString(duckdbPath(segment.file))}) AS e WHERE e.__src IS NOT NULL`, rowGroupRows));
      } else segments.delete(day);
      rmSync(segment.file, { force: true });
    }
    return { stats, bySource };
  };
  const discard = (): void => {
    // Not referenced yet: nothing reads them.
    for (const segment of segments.values()) rmSync(segment.file, { force: true });
    segments.clear();
  };
  try {
    let written: Awaited<ReturnType<typeof write>>;
    let note: LoadWarning | undefined;
    const raisedTo = async (limit: string): Promise<{ written: typeof written; before: string }> => {
      const before = await memoryLimitOf(conn);
      await conn.run(`SET memory_limit = ${sqlString(limit)}`);
      try {
        return { written: await write(), before };
      } finally {
        await conn.run(`SET memory_limit = ${sqlString(before)}`);
      }
    };
    if (read.raised) {
      // The files needed more than the limit to be read (the report says so): to be parsed too.
      ({ written } = await raisedTo(read.raised));
    } else {
      try {
        written = await write();
      } catch (err) {
        // One huge event needs several times its size at once (as in loadRaised): written again
        // with the limit raised, once, and said.
        if (!/Out of Memory/i.test(String(err))) throw err;
        discard();
        const raised = machineMemoryLimit();
        const again = await raisedTo(raised);
        written = again.written;
        note = raisedNote(chunk.map((m) => m.abs), again.before, raised, err);
      }
    }
    const chunkReport = read.finish(written.stats);
    if (note) chunkReport.warnings.push(note);
    return chunkEntries(folder, chunk, chunkReport, report, written.bySource, segments);
  } catch (err) {
    if (cacheWriteProblem(err, folder)) throw err;
    discard();
    await conn.run(`DROP TABLE IF EXISTS ${VALUES_TABLE}; DROP TABLE IF EXISTS ${TEXTS_TABLE}`);
    const again = await loadCloudTrail(conn, chunk.map((m) => m.abs), loadOpts);
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    report.warnings.push({
      file: commonFolder(chunk.map((m) => m.abs)),
      kind: 'note',
      reason: `${chunk.length} file(s) converted for the cache a second time, the slower way: ${reason}`,
    });
    return writeChunk(conn, folder, chunk, again, report, rowGroupRows);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${VALUES_TABLE}; DROP TABLE IF EXISTS ${TEXTS_TABLE}`).catch(() => undefined);
  }
}

/**
 * Writes the chunk's rows into one segment per day, then the entries. The loader inserts a
 * file's rows together and in file order, so rowid orders a file's rows and a day's files (read
 * in delivery order) are mostly one run of rowids: each day is one COPY of a rowid range, which
 * costs a third less than one COPY partitioned by day. Files of other days inside the range (a
 * file delivered after midnight whose first event is the day before) are filtered out by name.
 */
async function writeChunk(
  conn: DuckDBConnection,
  folder: string,
  chunk: Miss[],
  chunkReport: LoadReport,
  report: LoadReport,
  rowGroupRows?: number,
): Promise<CacheEntry[]> {
  try {
    const counts = (
      await conn.runAndReadAll(
        `SELECT source, count(*)::BIGINT AS n, min(_time) AS lo, max(_time) AS hi,
                min(rowid)::BIGINT AS first, max(rowid)::BIGINT AS last
         FROM ${EVENTS_TABLE} GROUP BY source`,
      )
    ).getRowObjectsJS();
    const bySource = new Map(counts.map((r) => [String(r['source']), r]));
    const days = new Map<string, { first: number; last: number; rows: number; sources: string[] }>();
    for (const r of counts) {
      const day = dayOf({ minTime: r['lo'] == null ? null : Number(r['lo']) });
      const d = days.get(day) ?? { first: Infinity, last: -Infinity, rows: 0, sources: [] };
      d.first = Math.min(d.first, Number(r['first']));
      d.last = Math.max(d.last, Number(r['last']));
      d.rows += Number(r['n']);
      d.sources.push(String(r['source']));
      days.set(day, d);
    }
    const segments = new Map<string, Segment>();
    for (const [day, d] of days) {
      const mixed = d.last - d.first + 1 !== d.rows ? ` AND source IN (${d.sources.map(sqlString).join(', ')})` : '';
      segments.set(day, await writeSegment(conn, folder, `
          SELECT ${STORED.join(', ')}, rowid::UINTEGER AS __pos, source AS __src
          FROM ${EVENTS_TABLE} WHERE rowid BETWEEN ${d.first} AND ${d.last}${mixed}`, rowGroupRows));
    }
    const sources = new Map([...bySource].map(([source, r]) => [source, { n: Number(r['n']), lo: r['lo'] == null ? null : Number(r['lo']), hi: r['hi'] == null ? null : Number(r['hi']) }]));
    return chunkEntries(folder, chunk, chunkReport, report, sources, segments);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${EVENTS_TABLE}`);
  }
}

/** The entries of a chunk's files, whose rows are in `segments` (one per day), written together. */
function chunkEntries(
  folder: string,
  chunk: Miss[],
  chunkReport: LoadReport,
  report: LoadReport,
  bySource: Map<string, { n: number; lo: number | null; hi: number | null }>,
  segments: Map<string, Segment>,
): CacheEntry[] {
  const entries: CacheEntry[] = [];
  // Notes about the load rather than a file (a batch read the slow way) are this load's alone.
  const paths = new Set(chunk.map((m) => m.abs));
  report.warnings.push(...chunkReport.warnings.filter((w) => !paths.has(w.file)));
  for (const miss of chunk) {
    const warnings = chunkReport.warnings.filter((w) => w.file === miss.abs);
    if (warnings.some((w) => w.kind === 'skipped')) {
      // Rejected files are not cached: the cause (a half-written file, permissions) may pass.
      report.filesSkipped++;
      // A file of records none of which is an event counts them, as in memory.
      report.eventsSkipped += warnings.reduce((sum, w) => sum + (w.eventsSkipped ?? 0), 0);
      report.warnings.push(...warnings);
      continue;
    }
    report.warnings.push(...warnings);
    const found = bySource.get(miss.abs);
    const row = found && found.n > 0 ? found : undefined;
    const times = { minTime: row ? row.lo : null, maxTime: row ? row.hi : null };
    let segment: Segment | null = null;
    if (row) {
      segment = segments.get(dayOf(times)) ?? null;
      if (segment === null) throw new Error(`cache: no segment for day ${dayOf(times)} of ${miss.abs}`);
    }
    entries.push({
      path: miss.abs,
      ...fingerprintOf(miss),
      rows: row ? row.n : 0,
      ...times,
      warnings,
      eventsSkipped: warnings.reduce((sum, w) => sum + (w.eventsSkipped ?? 0), 0),
      parquet: segment?.file ?? null,
      parquetBytes: segment?.bytes ?? null,
    });
  }
  // The entries are written last, together: a crash before leaves misses, never a wrong hit.
  writePack(folder, entries);
  return entries;
}
