// CSV for lookups, read strictly: RFC 4180 records (quoted cells may hold commas, doubled quotes
// and line breaks), fed in chunks so a lookup of any size streams. A malformed file is an error
// naming its line, never a shorter table: a stray opening quote used to swallow every row after
// it without a word, and outputlookup append=t then rewrote the file without them.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Value } from './types.js';

/** A lookup that cannot be used: a bad name, a file outside the folder, a file that does not parse. */
export class LookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LookupError';
  }
}

/** A malformed CSV file: `line` is where the problem starts (1-based). */
export class CsvError extends Error {
  constructor(readonly line: number, readonly problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'CsvError';
  }
}

type State = 'cellStart' | 'unquoted' | 'quoted' | 'quoteSeen';

/** Characters that end an unquoted cell. */
const UNQUOTED_END = /[,\r\n]/g;

/**
 * A strict CSV reader fed text in chunks. Calls `onRecord` with each record's cells and the line
 * it starts on; empty lines are skipped. Throws CsvError on text after a closing quote and, at
 * end(), on a quoted cell that never closes.
 */
export class CsvReader {
  private state: State = 'cellStart';
  private cell = '';
  private cells: string[] = [];
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private skipLf = false;
  private first = true;

  constructor(private readonly onRecord: (cells: string[], line: number) => void) {}

  feed(text: string): void {
    let i = 0;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    if (this.skipLf && i < text.length) {
      this.skipLf = false;
      if (text[i] === '\n') i++;
    }
    while (i < text.length) {
      switch (this.state) {
        case 'cellStart':
          if (text[i] === '"') {
            this.state = 'quoted';
            this.quoteLine = this.line;
            i++;
          } else this.state = 'unquoted';
          break;
        case 'unquoted': {
          UNQUOTED_END.lastIndex = i;
          const m = UNQUOTED_END.exec(text);
          const end = m ? m.index : text.length;
          this.cell += text.slice(i, end);
          i = end;
          if (m) i = this.separator(text, i);
          break;
        }
        case 'quoted': {
          const end = text.indexOf('"', i);
          const stop = end < 0 ? text.length : end;
          this.countLines(text, i, stop);
          this.cell += text.slice(i, stop);
          i = stop;
          if (end >= 0) {
            this.state = 'quoteSeen';
            i++;
          }
          break;
        }
        case 'quoteSeen': {
          const ch = text[i]!;
          if (ch === '"') {
            this.cell += '"';
            this.state = 'quoted';
            i++;
          } else if (ch === ',' || ch === '\r' || ch === '\n') {
            i = this.separator(text, i);
          } else {
            throw new CsvError(this.line, `text after the closing quote of a quoted cell (the quote opened on line ${this.quoteLine}; a stray " ?)`);
          }
          break;
        }
      }
    }
  }

  /** The end of the input: the last record, or an error for a quoted cell left open. */
  end(): void {
    if (this.state === 'quoted') throw new CsvError(this.quoteLine, 'a quoted cell opened on this line is never closed (a stray " ?)');
    if (this.state !== 'cellStart' || this.cells.length > 0) this.endRecord();
  }

  /** Handle the `,` or line break at `i`; returns the index after it. */
  private separator(text: string, i: number): number {
    const ch = text[i]!;
    if (ch === ',') {
      this.cells.push(this.cell);
      this.cell = '';
      this.state = 'cellStart';
      return i + 1;
    }
    this.endRecord();
    this.line++;
    this.recordLine = this.line;
    if (ch === '\r') {
      if (i + 1 === text.length) this.skipLf = true;
      else if (text[i + 1] === '\n') return i + 2;
    }
    return i + 1;
  }

  private endRecord(): void {
    const blank = this.cells.length === 0 && this.cell === '' && this.state === 'unquoted';
    this.cells.push(this.cell);
    const cells = this.cells;
    this.cells = [];
    this.cell = '';
    this.state = 'cellStart';
    if (!blank) this.onRecord(cells, this.recordLine);
  }

  private countLines(text: string, from: number, to: number): void {
    for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) this.line++;
  }
}

/** All records of a CSV text (tests and small files). Throws CsvError when malformed. */
export function parseCsv(text: string): { records: string[][] } {
  const records: string[][] = [];
  const reader = new CsvReader((cells) => records.push(cells));
  reader.feed(text);
  reader.end();
  return { records };
}

/**
 * Read a CSV file record by record. `onRecord` returns false to stop early (the header alone is
 * enough for some callers). Bytes are decoded as UTF-8 across chunk boundaries.
 */
export function readCsvFile(path: string, onRecord: (cells: string[], line: number) => boolean | void): void {
  const fd = openSync(path, 'r');
  let stop = false;
  const reader = new CsvReader((cells, line) => {
    if (!stop && onRecord(cells, line) === false) stop = true;
  });
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      reader.feed(decoder.write(buffer.subarray(0, n)));
      if (stop) return;
    }
    reader.feed(decoder.end());
    reader.end();
  } finally {
    closeSync(fd);
  }
}

/** A cell as written: quoted when it holds a quote, comma, line break or edge whitespace. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A cell as Splunk writes it: multivalue joined by newlines, `_time` in epoch seconds. */
export function cellText(value: Value): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).join('\n');
  return String(value);
}

/** A CSV problem as a lookup error naming the lookup, its file and the line. */
export function csvProblem(name: string, path: string, err: unknown): unknown {
  return err instanceof CsvError ? new LookupError(`lookup ${JSON.stringify(name)} (${path}), ${err.message}`) : err;
}

/** The header of a lookup file, reading only as far as its first record ends. */
export function readHeader(name: string, path: string): string[] {
  let header: string[] = [];
  try {
    readCsvFile(path, (cells) => {
      header = cells;
      return false;
    });
  } catch (err) {
    throw csvProblem(name, path, err);
  }
  return header;
}
