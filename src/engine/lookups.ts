// CSV lookups in the user's state folder (`<state>/lookups/<name>.csv`): name checks that keep
// every read and write inside the folder, loading into DuckDB temp tables the compiler can name,
// and outputlookup's atomic writes (lookup-writer.ts).
import type { DuckDBConnection } from '@duckdb/node-api';
import { createHash } from 'node:crypto';
import { lstatSync, realpathSync, statSync, readdirSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, sep } from 'node:path';
import { ident } from '../compiler/sql.js';
import type { FieldType, LookupResolver, LookupTable, OutputAction } from '../compiler/types.js';
import { csvProblem, CsvError, LookupError, readCsvFile, readHeader } from './lookup-csv.js';
import { openWriter, type LookupWriter } from './lookup-writer.js';

/** `$XDG_STATE_HOME/spelunk`, else `~/.local/state/spelunk`. */
export function defaultStateDir(): string {
  const xdg = process.env.XDG_STATE_HOME;
  return xdg && isAbsolute(xdg) ? join(xdg, 'spelunk') : join(homedir(), '.local', 'state', 'spelunk');
}

/** The file name for a lookup name given with or without `.csv`; refuses anything path-like. */
function lookupFileName(name: string): string {
  const base = name.replace(/\.csv$/i, '');
  if (base === '' || base === '.' || base === '..' || /[/\\\u0000]/.test(name) || isAbsolute(name) || base.startsWith('.')) {
    throw new LookupError(`invalid lookup name ${JSON.stringify(name)}: a lookup is a plain file name in the lookups folder (no folders, no leading dot)`);
  }
  return `${base}.csv`;
}

/** The temp table a lookup is loaded into: a stable name, so explain shows what run uses. */
function lookupTableName(name: string): string {
  const file = lookupFileName(name).slice(0, -4);
  // DuckDB folds identifier case, file systems do not: `Users` and `users` are two lookups.
  const exact = createHash('sha256').update(file).digest('hex').slice(0, 8);
  return `__lookup_${file.toLowerCase()}_${exact}`;
}

// ---- CSV ---------------------------------------------------------------------------------

export { LookupError, parseCsv } from './lookup-csv.js';

function checkHeader(name: string, header: string[]): string[] {
  const seen = new Set<string>();
  header.forEach((col, i) => {
    if (col === '') throw new LookupError(`lookup ${JSON.stringify(name)}: column ${i + 1} of the header has no name`);
    if (col.startsWith('__')) throw new LookupError(`lookup ${JSON.stringify(name)}: column names starting with "__" are reserved (${JSON.stringify(col)})`);
    if (seen.has(col)) throw new LookupError(`lookup ${JSON.stringify(name)}: column ${JSON.stringify(col)} appears twice in the header`);
    const twin = header.slice(0, i).find((c) => c.toLowerCase() === col.toLowerCase());
    // DuckDB folds the case of column names: the two would be one column.
    if (twin !== undefined) throw new LookupError(`lookup ${JSON.stringify(name)}: columns ${JSON.stringify(twin)} and ${JSON.stringify(col)} differ only in case, which spelunk cannot keep apart in a lookup yet; rename one`);
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
    // A missing file throws nothing (a search names its lookups on every compile); any other failure is as missing.
    try {
      return lstatSync(own, { throwIfNoEntry: false }) ? own : shipped.path;
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
    let link: Stats | undefined;
    try {
      link = lstatSync(path, { throwIfNoEntry: false });
    } catch {
      return path;
    }
    if (link?.isSymbolicLink()) {
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

  /** The lookup file's status; null when there is none; an error for a folder or pipe. */
  stat(name: string): Stats | null {
    let st: Stats | undefined;
    try {
      st = statSync(this.path(name), { throwIfNoEntry: false });
    } catch (err) {
      if (err instanceof LookupError) throw err;
      return null;
    }
    if (!st) return null;
    // Opening a named pipe blocks until something writes to it: a planted one would hang the search.
    if (!st.isFile()) throw new LookupError(`lookup ${JSON.stringify(name)} is not a regular file (${st.isDirectory() ? 'a folder' : 'a pipe, socket or device'})`);
    return st;
  }

  /** Load (or reload, when the file changed) the lookups a search names. Missing ones are skipped. */
  /** Bumped whenever a loaded lookup is loaded again or goes: compilations against the old ones are stale. */
  generation = 0;

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
        if (this.loaded.delete(key)) this.generation++;
        continue;
      }
      if (this.loaded.get(key)?.stamp === stampOf(st)) continue;
      this.loaded.set(key, { table: await this.load(name, key), stamp: stampOf(st) });
      this.generation++;
    }
  }

  private async load(name: string, table: string): Promise<LookupTable> {
    const path = this.path(name);
    const columns = checkHeader(name, readHeader(name, path));
    const stage = `${table}_stage`;
    if (columns.length === 0) {
      await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(table)} ("__row" BIGINT)`);
      return { sql: ident(table), columns, types: {}, unique: [] };
    }
    // Read by spelunk's own strict reader, not DuckDB's: a malformed file is an error naming its
    // line instead of fewer rows, and the columns' traits are gathered in the same pass (a
    // DuckDB query of two aggregates per column took 40 s on a 1,000-column lookup).
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(stage)} (${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
    try {
      const traits = await this.stageRows(name, path, stage, columns.length);
      const types: Record<string, FieldType> = {};
      const unique: string[] = [];
      const select = columns.map((c, i) => {
        // Newline-separated cells are how Splunk stores multivalue fields in a CSV lookup.
        const mv = traits.multivalue[i]!;
        types[c] = mv ? 'mv' : 'string';
        if (!mv && traits.distinct[i] !== null) unique.push(c);
        return mv ? `list_filter(string_split(replace(${ident(c)}, chr(13), ''), chr(10)), __v -> __v <> '') AS ${ident(c)}` : ident(c);
      });
      // rowid is the insertion order, which DuckDB keeps as the file's order.
      await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(table)} AS SELECT rowid + 1 AS "__row", ${select.join(', ')} FROM ${ident(stage)}`);
      return { sql: ident(table), columns, types, unique };
    } catch (err) {
      throw err instanceof LookupError ? err : new LookupError(`lookup ${JSON.stringify(name)} (${path}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    } finally {
      await this.conn.run(`DROP TABLE IF EXISTS ${ident(stage)}`);
    }
  }

  /**
   * Append the file's records (after the header) to the stage table. Empty and missing cells are
   * null; a record with more cells than the header is an error. Returns, per column, whether a
   * cell holds a line break (multivalue) and its distinct values (null once one repeats).
   */
  private async stageRows(name: string, path: string, stage: string, width: number): Promise<{ multivalue: boolean[]; distinct: (Set<string> | null)[] }> {
    const multivalue = new Array<boolean>(width).fill(false);
    const distinct: (Set<string> | null)[] = Array.from({ length: width }, () => new Set<string>());
    const appender = await this.conn.createAppender(stage, 'main', 'temp');
    let header = true;
    try {
      readCsvFile(path, (cells, line) => {
        if (header) {
          header = false;
          return;
        }
        if (cells.length > width) throw new CsvError(line, `${cells.length} fields, but the header names ${width} columns`);
        for (let i = 0; i < width; i++) {
          const cell = cells[i];
          if (cell === undefined || cell === '') {
            appender.appendNull();
            continue;
          }
          appender.appendVarchar(cell);
          if (!multivalue[i] && cell.includes('\n')) multivalue[i] = true;
          const values = distinct[i];
          if (values) {
            if (values.has(cell)) distinct[i] = null;
            else values.add(cell);
          }
        }
        appender.endRow();
      });
    } catch (err) {
      throw csvProblem(name, path, err);
    } finally {
      appender.closeSync();
    }
    return { multivalue, distinct };
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
        return { sql: ident(key), columns: checkHeader(name, readHeader(name, this.path(name))) };
      },
    };
  }

  // ---- writing -----------------------------------------------------------------------------

  /**
   * Write a search's rows as the lookup, chunk by chunk as they stream, atomically and taking
   * turns with other writers: see lookup-writer.ts.
   */
  writer(action: OutputAction, columns: string[]): Promise<LookupWriter> {
    return openWriter(this, action, columns);
  }
}
