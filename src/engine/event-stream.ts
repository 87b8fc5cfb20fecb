// Splitting a file's bytes into its events without parsing them, in bounded memory: a
// `{"Records":[...]}` file is one JSON value, so a reader that parses whole values (DuckDB's)
// must hold all of it, and its parse, at once. The splitter only tracks strings and brackets;
// each event's text is checked as JSON afterwards (by DuckDB, as any other event is).

import type { FileFormat } from './load-files.js';

export type SplitFormat = Exclude<FileFormat, 'parquet'>;

/**
 * One value's bytes and the (1-based) line of the file it starts on. `whole` is a value of its
 * own (a line, an array element, a top-level value), which may still be a `{"Records":[...]}`
 * wrapper DuckDB unwraps (see load-stream.ts); otherwise it is one element of a wrapper's array.
 */
export interface EventText {
  bytes: Buffer;
  line: number;
  whole: boolean;
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

/** The file ends inside a value: cut short (a copy or download that stopped), the events before it whole. */
export class CutError extends StructureError {
  constructor(line: number) {
    super(line, 'unexpected end of data');
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
 * Feeds chunks in, gets whole events out: each non-blank line (`lines`), each element of the
 * top-level array (`array`), each top-level value (`records`, `concatenated`). A top-level object
 * with a `Records` array among its members is a wrapper (load-sql.ts isWrapper): its elements come
 * out one by one, so a 200 MB wrapper is never held whole, and its other members, before or after
 * it, are passed over, as DuckDB's `json_extract(value, '$.Records[*]')` does.
 */
export class EventSplitter {
  private line = 1;
  /** Open brackets, innermost last; HOLDS_EVENTS marks an array whose elements are events. */
  private stack: number[] = [];
  private inString = false;
  private escaped = false;
  /** Bytes of the event being read, from earlier chunks. */
  private pending: Buffer[] = [];
  private inEvent = false;
  private eventLine = 0;
  /** The depth the current event started at (its container's depth). */
  private eventDepth = 0;
  /** Inside a top-level object, from a member's start until its value starts: is it Records? */
  private member: 'key' | 'colon' | 'value' | undefined;
  private keyParts: Buffer[] | undefined;
  private memberKey = Buffer.alloc(0);
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
      return isBlank(last) ? [] : [{ bytes: last, line: this.eventLine, whole: true }];
    }
    if (this.inEvent && this.stack.length === 0 && !this.inString) {
      // A top-level scalar running to the end of the file.
      this.inEvent = false;
      const bytes = Buffer.concat(this.pending);
      this.pending = [];
      return [{ bytes, line: this.eventLine, whole: true }];
    }
    if (this.inString || this.stack.length > 0) throw new CutError(this.line);
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
      if (!isBlank(bytes)) out.push({ bytes, line: this.line, whole: true });
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
      out.push({ bytes: Buffer.concat([...this.pending, piece]), line: this.eventLine, whole: this.eventDepth === 0 || (stack[0]! & 0xff) === OPEN_ARRAY });
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
            this.memberKey = Buffer.concat([...this.keyParts!, chunk.subarray(keyStart, i + 1)]);
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
      if (depth === 1 && c === COMMA && this.inEvent && this.eventDepth === 0 && stack[0] === OPEN_OBJECT) {
        // The next member of a top-level object still read as one event (no Records array yet).
        this.member = 'key';
      } else if (depth === 1 && this.member !== undefined) {
        // A member of a top-level object read as an event: a Records array makes it a wrapper.
        if (this.member === 'key') {
          if (c === QUOTE) {
            keyStart = i;
            this.keyParts = [];
            this.member = 'colon';
          } else this.member = undefined;
        } else if (this.member === 'colon') {
          this.member = c === COLON ? 'value' : undefined;
        } else {
          this.member = undefined;
          if (c === OPEN_ARRAY && this.memberKey.equals(RECORDS)) {
            // A wrapper: its elements are the events, not the object.
            this.inEvent = false;
            this.pending = [];
            eventStart = -1;
            stack.push(OPEN_ARRAY | HOLDS_EVENTS);
            continue;
          }
        }
      }
      if (!this.inEvent && opensValue && this.holdsEvents(depth)) {
        if (depth === 0) {
          this.topValues++;
          if (this.format === 'array' && c !== OPEN_ARRAY) throw new StructureError(this.line, `unexpected character '${String.fromCharCode(c)}'`);
        }
        if (!(depth === 0 && this.format === 'array')) {
          this.inEvent = true;
          this.eventDepth = depth;
          this.eventLine = this.line;
          eventStart = i;
          if (depth === 0 && c === OPEN_OBJECT) this.member = 'key';
        }
      } else if (depth === 0) {
        throw new StructureError(this.line, `unexpected character '${String.fromCharCode(c)}'`);
      }
      if (c === QUOTE) {
        this.inString = true;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        stack.push(depth === 0 && this.format === 'array' ? c | HOLDS_EVENTS : c);
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
    return depth === 0 ? true : (this.stack[depth - 1]! & HOLDS_EVENTS) !== 0;
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
