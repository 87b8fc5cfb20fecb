// outputlookup's writer: rows go to a uniquely named temp file in the lookups folder as they
// stream, then fsync, rename over the old file and fsync the folder. Writers of one lookup take
// turns under an advisory lock file (lookup-lock.ts) from reading the old file to the rename.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { OutputAction } from '../compiler/types.js';
import { cellText, CsvError, csvCell, csvProblem, readCsvFile, readHeader } from './lookup-csv.js';
import { lock } from './lookup-lock.js';
import type { LookupStore } from './lookups.js';
import type { Row } from './types.js';

/**
 * Write a search's rows as the lookup, fed chunk by chunk as they stream (a result of millions
 * of rows is never held in memory), atomically: a uniquely named temp file in the same folder,
 * fsync, rename over the old file, fsync the folder. Nothing replaces the old file before
 * commit(); abort() drops the temp. Writers of one lookup take turns (a lock file held from
 * here to commit or abort), so append=t never loses another process's rows; an old file that
 * does not parse is an error and is left as it is.
 */
export async function openWriter(store: LookupStore, action: OutputAction, columns: string[]): Promise<LookupWriter> {
  // Content lookups are read-only: a write goes to the state folder and shadows them from then on.
  const path = store.statePath(action.name);
  mkdirSync(store.folder, { recursive: true });
  const release = await lock(join(store.folder, `.${basename(path)}.lock`), `lookup ${JSON.stringify(action.name)}`);
  try {
    return lockedWriter(store, action, columns, path, release);
  } catch (err) {
    release();
    throw err;
  }
}

function lockedWriter(store: LookupStore, action: OutputAction, columns: string[], path: string, release: () => void): LookupWriter {
  const from = store.path(action.name);
  const existing = store.stat(action.name);
  // A baseline that finds nothing still leaves a lookup the detection can read: its header
  // names the search's fields (or, failing those, the content's definition of the lookup).
  let header = columns.length ? columns : store.definedFields(action.name) ?? [];
  const oldHeader = action.append && existing ? readHeader(action.name, from) : null;
  // append=t keeps the file's fields: one only the results have is not written (the outputlookup
  // page, "Append results": of A,C,J appended to a file of A,D,J, C is lost and D kept).
  const dropped = oldHeader ? columns.filter((c) => !oldHeader.includes(c)) : [];
  if (oldHeader) header = oldHeader;
  const max = action.max ?? Infinity;
  const temp = join(store.folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  let count = 0;
  let fresh = 0;
  const put = (text: string): void => {
    if (fd === undefined) fd = openSync(temp, 'wx', 0o644);
    writeSync(fd, text);
  };
  const line = (cells: string[]): string => {
    const head = count === 0 ? header.map(csvCell).join(',') + '\n' : '';
    count++;
    return head + cells.map(csvCell).join(',') + '\n';
  };
  const add = (batch: Row[]): void => {
    let text = '';
    for (const row of batch) {
      if (count >= max) break;
      text += line(header.map((c) => cellText(row[c] ?? null)));
    }
    if (text) put(text);
  };
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  const abort = (): void => {
    close();
    try { unlinkSync(temp); } catch { /* never created, or already gone */ }
    release();
  };
  try {
    if (oldHeader) {
      let text = '';
      copyOld(action.name, from, oldHeader.length, header.length, () => count >= max, (cells) => {
        text += line(cells);
        if (text.length >= 1 << 20) {
          put(text);
          text = '';
        }
      });
      if (text) put(text);
    }
  } catch (err) {
    abort();
    throw err;
  }
  return {
    get dropped() {
      return fresh > 0 ? dropped : [];
    },
    rows: (batch) => {
      fresh += batch.length;
      add(batch);
    },
    commit: () => {
      try {
        if (fresh === 0 && !action.append) {
          if (action.overrideIfEmpty === false && existing) return abort();
          if (action.createEmpty === false) {
            if (existing) unlinkSync(path);
            return abort();
          }
        }
        if (count === 0) put(header.length ? header.map(csvCell).join(',') + '\n' : '');
        fsyncSync(fd!);
        close();
        renameSync(temp, path);
        try {
          const dir = openSync(store.folder, 'r');
          try { fsyncSync(dir); } finally { closeSync(dir); }
        } catch {
          // Some filesystems refuse fsync on a folder; the rename itself is still atomic.
        }
        store.invalidate(action.name);
      } finally {
        // After the rename the temp name is gone: this only closes and unlocks.
        abort();
      }
    },
    abort,
  };
}

/** The old file's records (after its header), each padded to the new header's width. */
function copyOld(name: string, from: string, width: number, newWidth: number, full: () => boolean, write: (cells: string[]) => void): void {
  let header = true;
  try {
    readCsvFile(from, (cells, line) => {
      if (header) {
        header = false;
        return;
      }
      if (cells.length > width) throw new CsvError(line, `${cells.length} fields, but the header names ${width} columns`);
      if (full()) return false;
      while (cells.length < newWidth) cells.push('');
      write(cells);
    });
  } catch (err) {
    throw csvProblem(name, from, err);
  }
}

/** An outputlookup in progress: see openWriter. */
export interface LookupWriter {
  /** The results' fields append=t did not write, the existing file not having them (none without rows). */
  readonly dropped: string[];
  rows(batch: Row[]): void;
  commit(): void;
  abort(): void;
}
