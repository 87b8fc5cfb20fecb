// Reading files of one kind through one DuckDB reader call per batch (JSON of one format and
// compression, Parquet of one schema, a spelunk export alone), into the events table or staged
// as JSON values (see loader.ts). Only when a batch fails are its files read one by one, to name
// the bad ones; when none of them is bad, a note says the load took the slow way.

import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from './duckdb.js';
import { EVENTS_TABLE, EVENT_COLUMNS } from '../compiler/cloudtrail-schema.js';
import { explainReadFailure } from './load-diagnose.js';
import type { FileFormat, SniffedFile } from './load-files.js';
import { duckdbPath } from './load-paths.js';
import type { FileOutcome } from './load-report.js';
import { endsInCutWrapper, readStreamed } from './load-stream.js';
import {
  exportSource,
  insertSql,
  insertValuesOfEvents,
  isExport,
  jsonSource,
  jsonValuesInsert,
  quoteIdent,
} from './load-sql.js';
import { athenaJsonSource, parquetSource, type ParquetColumn } from './parquet-source.js';
import { throwIfInterrupted, type LoadWarning } from './types.js';

/** A batch stays small enough that one bad file costs a bounded re-read. */
const BATCH_BYTES = 64 * 1024 * 1024;
const BATCH_FILES = 2000;
const DEFAULT_MAX_OBJECT = 16 * 1024 * 1024;
const LARGEST_MAX_OBJECT = 0xffffffff;

interface Batch {
  files: SniffedFile[];
  /** SELECT producing (file, raw) for the files bound as $files. */
  source: (files: SniffedFile[]) => string;
  /** Set for JSON files: how they are read (see jsonSource and jsonValuesInsert). */
  json?: { format: FileFormat; gzip: boolean };
  /** Set for spelunk's own exports: a SELECT giving every event column as it was written. */
  exported?: boolean;
}

export async function planBatches(
  conn: DuckDBConnection,
  good: SniffedFile[],
  outcomes: Map<string, FileOutcome>,
): Promise<Batch[]> {
  const groups = new Map<string, { files: SniffedFile[]; source: Batch['source']; exported?: boolean; json?: Batch['json'] }>();
  for (const file of good) {
    let key: string;
    let source: Batch['source'];
    let exported = false;
    let json: Batch['json'];
    if (file.format === 'parquet') {
      const columns = await describeParquet(conn, file, outcomes);
      if (!columns) continue;
      // Files with the same columns can share one read_parquet call.
      key = `parquet ${JSON.stringify(columns)}`;
      exported = isExport(columns);
      source = exported ? () => exportSource() : () => parquetSource(columns);
    } else if (file.athena) {
      // Read with the table's columns, as its Parquet is: never as events with lower-case keys.
      key = `athena ${file.gzip}`;
      source = (files) => athenaJsonSource(file.gzip, maxObjectSize(files));
    } else {
      key = `${file.format} ${file.gzip}`;
      source = (files) => jsonSource(file.format, file.gzip, maxObjectSize(files));
      json = { format: file.format, gzip: file.gzip };
    }
    const group = groups.get(key) ?? { files: [], source, exported, json };
    group.files.push(file);
    groups.set(key, group);
  }

  const batches: Batch[] = [];
  for (const group of groups.values()) {
    let current: SniffedFile[] = [];
    let bytes = 0;
    for (const file of group.files) {
      // An export is read on its own: its rows name their original sources, not the file.
      if (current.length > 0 && (group.exported || bytes + file.size > BATCH_BYTES || current.length >= BATCH_FILES)) {
        batches.push({ files: current, source: group.source, exported: group.exported, json: group.json });
        current = [];
        bytes = 0;
      }
      current.push(file);
      bytes += file.size;
    }
    if (current.length > 0) batches.push({ files: current, source: group.source, exported: group.exported, json: group.json });
  }
  return batches;
}

/** A `{"Records":[...]}` file is one JSON object, so DuckDB's object limit must cover the file. */
function maxObjectSize(files: SniffedFile[]): number {
  const largest = Math.max(...files.map((f) => f.contentBytes));
  return Math.min(LARGEST_MAX_OBJECT, Math.max(DEFAULT_MAX_OBJECT, Math.ceil(largest * 1.5)));
}

async function describeParquet(
  conn: DuckDBConnection,
  file: SniffedFile,
  outcomes: Map<string, FileOutcome>,
): Promise<ParquetColumn[] | undefined> {
  try {
    const result = await conn.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($file)', {
      file: duckdbPath(file.path),
    });
    return result.getRowObjectsJS().map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
  } catch (err) {
    outcomes.get(file.path)!.rejected = `not a readable Parquet file (${firstLine(err)})`;
    return undefined;
  }
}

async function insertFiles(
  conn: DuckDBConnection,
  batch: Batch,
  files: SniffedFile[],
  index: string | null,
  values: boolean,
): Promise<number> {
  // A spelunk export names its rows' own sources: no place in VALUES_TABLE (the cache copies
  // exports as they are, before any load in that mode).
  if (batch.exported && values) throw new Error('a spelunk export cannot be staged as JSON values');
  const sql = batch.exported
    ? `INSERT INTO ${EVENTS_TABLE} (${EVENT_COLUMNS.map((c) => quoteIdent(c.name)).join(', ')}) ${batch.source(files)}`
    : !values
      ? insertSql(batch.source(files))
      : batch.json
        ? jsonValuesInsert(batch.json.format, batch.json.gzip, maxObjectSize(files))
        : insertValuesOfEvents(batch.source(files));
  const list = listValue(files.map((f) => duckdbPath(f.path)));
  // Staged values take no index (it is given when they are parsed); DuckDB refuses a parameter the SQL does not name.
  const result = await conn.run(sql, values && !batch.exported ? { files: list } : { files: list, index });
  return result.rowsChanged;
}

export async function readBatch(
  conn: DuckDBConnection,
  batch: Batch,
  index: string | null,
  outcomes: Map<string, FileOutcome>,
  report: (done: SniffedFile[], events: number) => void,
  notes: LoadWarning[],
  signal: AbortSignal | undefined,
  values: boolean,
): Promise<void> {
  let batchError: unknown;
  try {
    const inserted = await insertFiles(conn, batch, batch.files, index, values);
    if (batch.exported) outcomes.get(batch.files[0]!.path)!.exportedRows = inserted;
    report(batch.files, inserted);
    return;
  } catch (err) {
    if (isInterrupt(err)) throw err;
    if (batch.files.length === 1) {
      report(batch.files, await readFailed(conn, batch.files[0]!, index, err, outcomes.get(batch.files[0]!.path)!, signal, values));
      return;
    }
    batchError = err;
  }
  // A failed statement inserts nothing, so each file can now be read again on its own.
  let failed = 0;
  for (const file of batch.files) {
    throwIfInterrupted(signal);
    try {
      report([file], await insertFiles(conn, batch, [file], index, values));
    } catch (err) {
      if (isInterrupt(err)) throw err;
      failed++;
      report([file], await readFailed(conn, file, index, err, outcomes.get(file.path)!, signal, values));
    }
  }
  // No file failed alone: the batch failed for its size (memory, say), and reading one file per
  // statement costs many times more. Said, never silent.
  if (failed === 0) {
    notes.push({
      file: commonFolder(batch.files.map((f) => f.path)),
      kind: 'note',
      reason: `${batch.files.length} files read one at a time, which is slower: reading them together failed (${firstLine(batchError)})`,
    });
  }
}

/** The deepest folder holding every file: where a note about a batch of them points. */
export function commonFolder(files: string[]): string {
  let prefix = path.dirname(files[0]!);
  for (const file of files) {
    while (prefix !== path.dirname(prefix) && !file.startsWith(prefix + path.sep)) prefix = path.dirname(prefix);
  }
  return prefix;
}

/**
 * A file DuckDB refused. JSON lines with some bad lines (a last line cut short by a copy made
 * while the file was written, a corrupt record) keep their good lines, as Splunk would index
 * them; any other file is skipped whole. Returns the events inserted.
 */
async function readFailed(
  conn: DuckDBConnection,
  file: SniffedFile,
  index: string | null,
  err: unknown,
  outcome: FileOutcome,
  signal: AbortSignal | undefined,
  values: boolean,
): Promise<number> {
  // Node's reader instead of DuckDB's (load-stream.ts), its outcome the file's.
  const inNode = async (members = false): Promise<number> => {
    const result = await readStreamed(conn, file, index, signal, values, members);
    Object.assign(outcome, { rejected: result.rejected, badLines: result.badLines, damaged: result.damaged });
    return result.inserted;
  };
  if (file.format !== 'parquet' && /Out of Memory|failed to allocate/i.test(firstLine(err))) {
    // DuckDB's reader holds a whole JSON value and its parse: Node's reads it in parts.
    const inserted = await inNode();
    outcome.fallback = `read in parts: DuckDB's reader ran out of memory on it (${firstLine(err)})`;
    return inserted;
  }
  if (file.format !== 'parquet' && /byte order mark/i.test(firstLine(err))) {
    // DuckDB's JSON lines reader refuses a file that starts with a BOM (when it reads that file
    // alone), and its lenient read drops the first line as invalid: Node's reader skips the BOM.
    return await inNode();
  }
  const reason = await explainReadFailure(file, err);
  if (file.gzip && (/gzip/i.test(reason) || /GZIP/.test(firstLine(err)))) {
    // Bytes after the last member, a member cut short or damaged: DuckDB's reader (and zlib)
    // refuse the whole file; read member by member, as gzip -d reads it, the whole members'
    // events load, and a warning says what was left unread.
    return await inNode(true);
  }
  if (reason.startsWith('invalid JSON') && (await endsInCutWrapper(file))) {
    // Its last line, a wrapper cut short, gives its whole events in Node's reader (load-stream.ts).
    return await inNode();
  }
  if (!file.gzip && file.format !== 'lines' && reason.startsWith('invalid JSON') && reason.endsWith('unexpected end of data')) {
    // A plain `.json` cut short (a copy that stopped): its whole events, in Node's reader, as a cut gzip's.
    return await inNode();
  }
  if (file.format === 'lines' && reason.startsWith('invalid JSON')) {
    const params = { files: listValue([duckdbPath(file.path)]), index };
    try {
      const sql = values ? jsonValuesInsert('lines', file.gzip, maxObjectSize([file]), true) : insertSql(jsonSource('lines', file.gzip, maxObjectSize([file]), true));
      const inserted = (await conn.run(sql, values ? { files: params.files } : params)).rowsChanged;
      if (inserted > 0) {
        const bad = await conn.runAndReadAll(
          `SELECT count(*) AS n FROM read_json_objects($files, format = 'newline_delimited', ignore_errors = true, compression = '${file.gzip ? 'gzip' : 'uncompressed'}', maximum_object_size = ${maxObjectSize([file])}) WHERE "json" IS NULL`,
          { files: params.files },
        );
        outcome.badLines = { count: Number(bad.getRowObjectsJS()[0]!['n']), reason };
        return inserted;
      }
    } catch (retryErr) {
      if (isInterrupt(retryErr)) throw retryErr;
    }
  }
  outcome.rejected = reason;
  return 0;
}

function isInterrupt(err: unknown): boolean {
  return /INTERRUPT/i.test(firstLine(err));
}

export function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim();
}
