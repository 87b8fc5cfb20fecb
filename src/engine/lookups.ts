// CSV lookups in the user's state folder (`<state>/lookups/<name>.csv`): name checks that keep
// every read and write inside the folder, loading into DuckDB temp tables the compiler can name,
// and atomic writes for outputlookup (temp file, fsync, rename).
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, readdirSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, sep } from 'node:path';
import { ident, str } from '../compiler/sql.js';
import type { FieldType, LookupResolver, LookupTable, OutputAction } from '../compiler/types.js';
import { duckdbPath } from './load-paths.js';
import type { Row, Value } from './types.js';

/** `$XDG_STATE_HOME/spelunk`, else `~/.local/state/spelunk`. */
export function defaultStateDir(): string {
  const xdg = process.env.XDG_STATE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'spelunk') : join(homedir(), '.local', 'state', 'spelunk');
}

/** A lookup that cannot be used: a bad name, or a file outside the folder. */
export class LookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LookupError';
  }
}

/** The file name for a lookup name given with or without `.csv`; refuses anything path-like. */
export function lookupFileName(name: string): string {
  const base = name.replace(/\.csv$/i, '');
  if (base === '' || base === '.' || base === '..' || /[/\\\u0000]/.test(name) || isAbsolute(name) || base.startsWith('.')) {
    throw new LookupError(`invalid lookup name ${JSON.stringify(name)}: a lookup is a plain file name in the lookups folder (no folders, no leading dot)`);
  }
  return `${base}.csv`;
}

/** The temp table a lookup is loaded into: a stable name, so explain shows what run uses. */
export function lookupTableName(name: string): string {
  const file = lookupFileName(name).slice(0, -4);
  // DuckDB folds identifier case, file systems do not: `Users` and `users` are two lookups.
  const exact = createHash('sha256').update(file).digest('hex').slice(0, 8);
  return `__lookup_${file.toLowerCase()}_${exact}`;
}

// ---- CSV ---------------------------------------------------------------------------------

/**
 * RFC 4180 records from text: quoted cells may hold commas, doubled quotes and newlines. Returns
 * the records and how many characters were consumed (the rest is an incomplete last record
 * when `complete` is false).
 */
export function parseCsv(text: string, complete = true): { records: string[][]; consumed: number } {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  let recordStart = 0;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = recordStart = 1;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else cell += ch;
      continue;
    }
    if (ch === '"' && cell === '' && !wasQuoted) { quoted = wasQuoted = true; continue; }
    if (ch === ',') { record.push(cell); cell = ''; wasQuoted = false; continue; }
    if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      wasQuoted = false;
      recordStart = i + 1;
      continue;
    }
    cell += ch;
  }
  if (complete && !quoted && (cell !== '' || record.length > 0 || wasQuoted)) {
    record.push(cell);
    records.push(record);
    recordStart = text.length;
  }
  return { records, consumed: complete ? text.length : recordStart };
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell as Splunk writes it: multivalue joined by newlines, `_time` in epoch seconds. */
function cellText(value: Value): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).join('\n');
  return String(value);
}

/** The header of a CSV file, reading only as far as its first record ends. */
function readHeader(path: string): string[] {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    let text = '';
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      text += buffer.subarray(0, n).toString('utf8');
      const { records } = parseCsv(text, n === 0);
      if (records.length > 0) return records[0]!;
      if (n === 0) return [];
    }
  } finally {
    closeSync(fd);
  }
}

function checkHeader(name: string, header: string[]): string[] {
  const seen = new Set<string>();
  header.forEach((col, i) => {
    if (col === '') throw new LookupError(`lookup ${JSON.stringify(name)}: column ${i + 1} of the header has no name`);
    if (col.startsWith('__')) throw new LookupError(`lookup ${JSON.stringify(name)}: column names starting with "__" are reserved (${JSON.stringify(col)})`);
    if (seen.has(col)) throw new LookupError(`lookup ${JSON.stringify(name)}: column ${JSON.stringify(col)} appears twice in the header`);
    seen.add(col);
  });
  return header;
}

// ---- the store ---------------------------------------------------------------------------

interface Loaded {
  table: LookupTable;
  /** File identity when loaded: a rename or an edit changes one of these. */
  stamp: string;
}

function stampOf(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}

/**
 * A lookup shipped with detection content (a security_content checkout, a Splunk app): read from
 * where it is, never written. `fields` is the definition's column list, for an empty file.
 */
export interface ContentLookup {
  path: string;
  fields?: string[];
}

export class LookupStore {
  readonly folder: string;
  private readonly loaded = new Map<string, Loaded>();

  constructor(
    private readonly conn: DuckDBConnection,
    readonly stateDir: string,
    /** Content lookups by name; one in the state folder (a baseline's output) takes precedence. */
    private readonly content: ReadonlyMap<string, ContentLookup> = new Map(),
  ) {
    this.folder = join(stateDir, 'lookups');
  }

  /** The file a lookup is read from: the state folder's, else the content's read-only one. */
  path(name: string): string {
    const own = this.statePath(name);
    const shipped = this.content.get(name) ?? this.content.get(name.replace(/\.csv$/i, ''));
    if (!shipped) return own;
    try {
      lstatSync(own);
      return own;
    } catch {
      return shipped.path;
    }
  }

  /** The columns a content lookup's definition names, for writing an empty result. */
  definedFields(name: string): string[] | undefined {
    return (this.content.get(name) ?? this.content.get(name.replace(/\.csv$/i, '')))?.fields;
  }

  /** The path of a lookup file in the state folder, checked to stay inside it (symlinks included). */
  statePath(name: string): string {
    const path = join(this.folder, lookupFileName(name));
    let link: Stats;
    try {
      link = lstatSync(path);
    } catch {
      return path;
    }
    if (link.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(path);
      } catch {
        throw new LookupError(`lookup ${JSON.stringify(name)} is a symbolic link to a file that does not exist`);
      }
      const root = realpathSync(this.folder);
      if (!target.startsWith(root + sep)) throw new LookupError(`lookup ${JSON.stringify(name)} is a symbolic link to ${target}, outside the lookups folder ${this.folder}`);
    }
    return path;
  }

  /** Lookup names in the folder, for "did you mean". */
  names(): string[] {
    let own: string[] = [];
    try {
      own = readdirSync(this.folder).filter((f) => /\.csv$/i.test(f) && !f.startsWith('.')).map((f) => f.slice(0, -4));
    } catch {
      // no state folder yet
    }
    return [...new Set([...own, ...this.content.keys()])];
  }

  private stat(name: string): Stats | null {
    let st: Stats;
    try {
      st = statSync(this.path(name));
    } catch (err) {
      if (err instanceof LookupError) throw err;
      return null;
    }
    // Opening a named pipe blocks until something writes to it: a planted one would hang the search.
    if (!st.isFile()) throw new LookupError(`lookup ${JSON.stringify(name)} is not a regular file (${st.isDirectory() ? 'a folder' : 'a pipe, socket or device'})`);
    return st;
  }

  /** Load (or reload, when the file changed) the lookups a search names. Missing ones are skipped. */
  async ensure(names: Iterable<string>): Promise<void> {
    for (const name of names) {
      let key: string;
      try {
        key = lookupTableName(name);
      } catch {
        continue; // the compiler reports the bad name with a caret
      }
      let st: Stats | null;
      try {
        st = this.stat(name);
      } catch {
        continue;
      }
      if (!st) {
        this.loaded.delete(key);
        continue;
      }
      if (this.loaded.get(key)?.stamp === stampOf(st)) continue;
      this.loaded.set(key, { table: await this.load(name, key), stamp: stampOf(st) });
    }
  }

  private async load(name: string, table: string): Promise<LookupTable> {
    const path = this.path(name);
    const columns = checkHeader(name, readHeader(path));
    const stage = `${table}_stage`;
    if (columns.length === 0) {
      await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(table)} ("__row" BIGINT)`);
      return { sql: ident(table), columns, types: {}, unique: [] };
    }
    const spec = `{${columns.map((c) => `${str(c)}: 'VARCHAR'`).join(', ')}}`;
    // Explicit dialect and columns: no sniffing, so a lookup reads the same way every time. Short
    // rows are padded with nulls, which DuckDB allows with quoted newlines only when not parallel.
    await this.conn.run(
      `CREATE OR REPLACE TEMP TABLE ${ident(stage)} AS SELECT * FROM read_csv($1, header=true, auto_detect=false, delim=',', quote='"', escape='"', null_padding=true, parallel=false, columns=${spec})`,
      [duckdbPath(path)],
    );
    try {
      const probe = columns.map((c, i) => `bool_or(contains(${ident(c)}, chr(10))) AS "m${i}", count(DISTINCT ${ident(c)}) = count(${ident(c)}) AS "u${i}"`);
      const reader = await this.conn.runAndReadAll(`SELECT ${probe.join(', ')} FROM ${ident(stage)}`);
      const flags = reader.getRows()[0] ?? [];
      const types: Record<string, FieldType> = {};
      const unique: string[] = [];
      const select = columns.map((c, i) => {
        // Newline-separated cells are how Splunk stores multivalue fields in a CSV lookup.
        const mv = flags[2 * i] === true;
        types[c] = mv ? 'mv' : 'string';
        if (!mv && flags[2 * i + 1] === true) unique.push(c);
        return mv ? `list_filter(string_split(replace(${ident(c)}, chr(13), ''), chr(10)), __v -> __v <> '') AS ${ident(c)}` : ident(c);
      });
      // rowid is the insertion order, which DuckDB keeps as the file's order.
      await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(table)} AS SELECT rowid + 1 AS "__row", ${select.join(', ')} FROM ${ident(stage)}`);
      return { sql: ident(table), columns, types, unique };
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS ${ident(stage)}`);
    }
  }

  /** Forget a loaded lookup (after this engine wrote it). */
  invalidate(name: string): void {
    this.loaded.delete(lookupTableName(name));
  }

  /**
   * What the compiler sees: loaded lookups with their types, other existing files by their
   * header only (explain), missing ones as undefined.
   */
  resolver(): LookupResolver {
    return {
      folder: this.folder,
      names: () => this.names(),
      resolve: (name: string) => {
        const key = lookupTableName(name);
        const st = this.stat(name);
        if (!st) return undefined;
        const loaded = this.loaded.get(key);
        if (loaded && loaded.stamp === stampOf(st)) return loaded.table;
        return { sql: ident(key), columns: checkHeader(name, readHeader(this.path(name))) };
      },
    };
  }

  // ---- writing -----------------------------------------------------------------------------

  /**
   * Write rows as the lookup, atomically: a uniquely named temp file in the same folder, fsync,
   * rename over the old file, fsync the folder. A failure before the rename leaves the old file
   * whole; two writers never interleave (the last rename wins).
   */
  write(action: OutputAction, columns: string[], rows: Row[]): void {
    const writer = this.writer(action, columns);
    try {
      writer.rows(rows);
      writer.commit();
    } catch (err) {
      writer.abort();
      throw err;
    }
  }

  /**
   * The same write, fed chunk by chunk as a search's rows stream: a result of millions of rows is
   * never held in memory. Nothing replaces the old file before commit(); abort() drops the temp.
   */
  writer(action: OutputAction, columns: string[]): LookupWriter {
    // Content lookups are read-only: a write goes to the state folder and shadows them from then on.
    const path = this.statePath(action.name);
    const from = this.path(action.name);
    mkdirSync(this.folder, { recursive: true });
    const existing = this.stat(action.name);
    // A baseline that finds nothing still leaves a lookup the detection can read: its header
    // names the search's fields (or, failing those, the content's definition of the lookup).
    let header = columns.length ? columns : this.definedFields(action.name) ?? [];
    let old: Row[] = [];
    if (action.append && existing) {
      const records = parseCsv(readFileSync(from, 'utf8')).records;
      const oldHeader = records[0] ?? [];
      header = [...oldHeader, ...columns.filter((c) => !oldHeader.includes(c))];
      old = records.slice(1).map((r) => Object.fromEntries(oldHeader.map((c, i) => [c, r[i] ?? ''])) as Row);
    }
    const max = action.max ?? Infinity;
    const temp = join(this.folder, `.${lookupFileName(action.name)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    let fd: number | undefined;
    let count = 0;
    let fresh = 0;
    const put = (text: string): void => {
      if (fd === undefined) fd = openSync(temp, 'wx', 0o644);
      writeSync(fd, text);
    };
    const add = (batch: Row[]): void => {
      let text = '';
      for (const row of batch) {
        if (count >= max) break;
        if (count === 0) text += header.map(csvCell).join(',') + '\n';
        text += header.map((c) => csvCell(cellText(row[c] ?? null))).join(',') + '\n';
        count++;
      }
      if (text) put(text);
    };
    const close = (): void => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    };
    add(old);
    return {
      rows: (batch) => {
        fresh += batch.length;
        add(batch);
      },
      commit: () => {
        if (fresh === 0 && !action.append) {
          if (action.overrideIfEmpty === false && existing) return;
          if (action.createEmpty === false) {
            if (existing) unlinkSync(path);
            return;
          }
        }
        if (count === 0) put(header.length ? header.map(csvCell).join(',') + '\n' : '');
        fsyncSync(fd!);
        close();
        renameSync(temp, path);
        try {
          const dir = openSync(this.folder, 'r');
          try { fsyncSync(dir); } finally { closeSync(dir); }
        } catch {
          // Some filesystems refuse fsync on a folder; the rename itself is still atomic.
        }
        this.invalidate(action.name);
      },
      abort: () => {
        close();
        try { unlinkSync(temp); } catch { /* never created, or already gone */ }
      },
    };
  }
}

/** An outputlookup in progress: see LookupStore.writer. */
export interface LookupWriter {
  rows(batch: Row[]): void;
  commit(): void;
  abort(): void;
}
