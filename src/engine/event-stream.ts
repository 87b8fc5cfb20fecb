// Splitting a file's bytes into its events without parsing them, in bounded memory: a
// `{"Records":[...]}` file is one JSON value, so a reader that parses whole values (DuckDB's)
// must hold all of it, and its parse, at once. The splitter only tracks strings and brackets;
// each event's text is checked as JSON afterwards (by DuckDB, as any other event is).

import type { FileFormat } from './load-files.js';

export type SplitFormat = Exclude<FileFormat, 'parquet'>;

/** One event's bytes and the (1-based) line of the file it starts on. */
export interface EventText {
  bytes: Buffer;
  line: number;
}

/** The file is not well-formed JSON around its events: nothing from it can be trusted. */
export class StructureError extends Error {
  constructor(
    readonly line: number,
    readonly detail: string,
  ) {
    super(`invalid JSON at line ${line}: ${detail}`);
  }
}

const SPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) SPACE[c] = 1;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const RECORDS = Buffer.from('"Records"');

/**
 * Feeds chunks in, gets whole events out. Events are the elements of each top-level object's
 * `Records` array (`records`), of the top-level array (`array`), each top-level value
 * (`concatenated`), or each non-blank line (`lines`, where a bad line is only that line's
 * problem: see the loader).
 */
export class EventSplitter {
  private line = 1;
  /** Open brackets, innermost last; HOLDS_EVENTS marks the array whose elements are events. */
  private stack: number[] = [];
  private inString = false;
  private escaped = false;
  /** Bytes of the event being read, from earlier chunks. */
  private pending: Buffer[] = [];
  private inEvent = false;
  private eventLine = 0;
  /** The depth the current event started at (its container's depth). */
  private eventDepth = 0;
  /** Inside a records file's top-level object: what comes next, and the last key read. */
  private expect: 'key' | 'colon' | 'value' | 'comma' = 'key';
  private keyParts: Buffer[] | undefined;
  private lastKey = Buffer.alloc(0);
  private topValues = 0;

  constructor(private readonly format: SplitFormat) {}

  /** The events completed by `chunk`. */
  push(chunk: Buffer): EventText[] {
    return this.format === 'lines' ? this.pushLines(chunk) : this.pushJson(chunk);
  }

  /** The last events; throws a StructureError if the file ends inside a value. */
  end(): EventText[] {
    if (this.format === 'lines') {
      const last = Buffer.concat(this.pending);
      this.pending = [];
      return isBlank(last) ? [] : [{ bytes: last, line: this.eventLine }];
    }
    if (this.inEvent && this.stack.length === 0 && !this.inString) {
      // A top-level scalar running to the end of the file.
      this.inEvent = false;
      const bytes = Buffer.concat(this.pending);
      this.pending = [];
      return [{ bytes, line: this.eventLine }];
    }
    if (this.inString || this.stack.length > 0) throw new StructureError(this.line, 'unexpected end of data');
    if (this.topValues === 0) throw new StructureError(this.line, 'no JSON value in the file');
    return [];
  }

  private pushLines(chunk: Buffer): EventText[] {
    const out: EventText[] = [];
    let start = 0;
    if (this.pending.length === 0) this.eventLine = this.line;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const bytes = this.pending.length ? Buffer.concat([...this.pending, piece]) : Buffer.from(piece);
      this.pending = [];
      if (!isBlank(bytes)) out.push({ bytes, line: this.line });
      this.line++;
      this.eventLine = this.line;
      start = nl + 1;
    }
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
    return out;
  }

  private pushJson(chunk: Buffer): EventText[] {
    const out: EventText[] = [];
    const stack = this.stack;
    let eventStart = this.inEvent ? 0 : -1;
    let keyStart = this.keyParts ? 0 : -1;
    const finishEvent = (end: number): void => {
      const piece = chunk.subarray(eventStart, end);
      out.push({ bytes: Buffer.concat([...this.pending, piece]), line: this.eventLine });
      this.pending = [];
      this.inEvent = false;
      eventStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === NEWLINE) this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (keyStart >= 0) {
            this.lastKey = Buffer.concat([...this.keyParts!, chunk.subarray(keyStart, i + 1)]);
            this.keyParts = undefined;
            keyStart = -1;
          }
          if (this.inEvent && stack.length === this.eventDepth) finishEvent(i + 1);
        }
        continue;
      }
      if (SPACE[c]) {
        if (this.inEvent && stack.length === this.eventDepth) finishEvent(i);
        continue;
      }
      const depth = stack.length;
      // A scalar event (a number, true, null) ends at the first byte that is not part of it.
      if (this.inEvent && depth === this.eventDepth && !isScalarByte(c)) finishEvent(i);
      const opensValue = c !== COMMA && c !== COLON && c !== CLOSE_ARRAY && c !== CLOSE_OBJECT;
      if (!this.inEvent && opensValue && this.holdsEvents(depth)) {
        if (depth === 0) this.topValues++;
        this.inEvent = true;
        this.eventDepth = depth;
        this.eventLine = this.line;
        eventStart = i;
      } else if (depth === 0) {
        if (!opensValue || c !== (this.format === 'array' ? OPEN_ARRAY : OPEN_OBJECT)) {
          throw new StructureError(this.line, `unexpected character '${String.fromCharCode(c)}'`);
        }
        this.topValues++;
        this.expect = 'key';
      } else if (depth === 1 && this.format === 'records' && !this.inEvent) {
        if (this.member(c) === 'key') keyStart = i;
      }
      if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        const events = c === OPEN_ARRAY && !this.inEvent &&
          ((this.format === 'array' && depth === 0) || (this.format === 'records' && depth === 1 && this.lastKey.equals(RECORDS)));
        stack.push(events ? c | HOLDS_EVENTS : c);
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        const open = stack.pop();
        if (open === undefined || (open & 0xff) !== (c === CLOSE_OBJECT ? OPEN_OBJECT : OPEN_ARRAY)) {
          throw new StructureError(this.line, `unexpected character '${String.fromCharCode(c)}'`);
        }
        if (this.inEvent && stack.length === this.eventDepth) finishEvent(i + 1);
      }
    }
    if (this.inEvent) this.pending.push(Buffer.from(chunk.subarray(eventStart)));
    if (keyStart >= 0) this.keyParts!.push(Buffer.from(chunk.subarray(keyStart)));
    return out;
  }

  private holdsEvents(depth: number): boolean {
    return depth === 0 ? this.format === 'concatenated' : (this.stack[depth - 1]! & HOLDS_EVENTS) !== 0;
  }

  /**
   * A byte directly inside a records file's top-level object (outside any member's value but
   * scalars): keeps track of keys, so only the `Records` member's array is read for events.
   * Returns 'key' when a key starts.
   */
  private member(c: number): 'key' | undefined {
    switch (this.expect) {
      case 'key':
        if (c === CLOSE_OBJECT) return undefined;
        if (c !== QUOTE) throw new StructureError(this.line, 'expected a key');
        this.keyParts = [];
        this.expect = 'colon';
        return 'key';
      case 'colon':
        if (c !== COLON) throw new StructureError(this.line, "expected ':'");
        this.expect = 'value';
        return undefined;
      case 'value':
        this.expect = 'comma';
        if (c !== OPEN_ARRAY) this.lastKey = Buffer.alloc(0);
        return undefined;
      case 'comma':
        if (c === COMMA) this.expect = 'key';
        else if (c !== CLOSE_OBJECT && !isScalarByte(c)) throw new StructureError(this.line, "expected ',' or '}'");
        return undefined;
    }
  }
}

const HOLDS_EVENTS = 0x100;

/** Bytes a JSON number, true, false or null is made of. */
function isScalarByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

function isBlank(bytes: Buffer): boolean {
  for (const c of bytes) if (!SPACE[c]) return false;
  return true;
}
