// Picking, out of one file's JSON text, the events a first search can match (first-answer.ts):
// those whose text holds every needle of the search's pre-filter (compiler/prefilter.ts), case
// aside. A structural scan finds each top-level event's exact bounds, jumping from quote to quote
// (strings are most of the bytes) and checking every token between them, so that a file is taken
// only when it is one valid JSON value of the expected shape: `{"Records":[...]}`, or JSON lines
// of objects. Anything else (a truncated file, another shape, an escape or a control character
// out of place, trailing commas, NaN) is null: the caller reads that file the ordinary way, whole.
//
// An event is also kept, whatever its text, when it holds a `\u` escape: DuckDB writes `_raw`
// with escapes resolved (`\u0041` becomes `A`), so the needle may appear only there. A file
// holding a character that DuckDB's lower() turns into ASCII (the Kelvin sign, a dotted capital
// I) is read whole. The other differences between a file's text and `_raw` (whitespace between
// tokens, `\/`, numbers rewritten) are ones the needles cannot straddle (see prefilter.ts).

/** The candidates of one file, as one `{"Records":[...]}` text the ordinary loader reads. */
export interface Candidates {
  /** The picked events, in file order, wrapped as `{"Records":[...]}`; empty when none. */
  text: string;
  /** How many events that is. */
  events: number;
}

/** Deeper than this, a file is read the ordinary way (the scan keeps a stack per level). */
const MAX_DEPTH = 10_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const CONTROL = /[\x00-\x1f]/g;

/**
 * The events of `text` (a file's whole JSON, in `format`) whose text holds every one of
 * `needles` (lower case), or null when the file is not cleanly of that shape.
 */
export function pickCandidates(text: string, format: 'records' | 'lines', needles: string[]): Candidates | null {
  // Each lowers to an ASCII letter in DuckDB (and the long s matches s in its regexes).
  if (text.includes('\u212a') || text.includes('\u0130') || text.includes('\u017f')) return null;
  // Without the u flag a case-insensitive regex pairs ASCII letters only with ASCII letters.
  const distinct = [...new Set(needles)].map((n) => new RegExp(n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'));
  // A file missing a needle has no event to give whatever its shape: nothing in `_raw` holds what
  // its text does not (see above).
  if (!text.includes('\\u') && !distinct.every((n) => n.test(text))) return { text: '', events: 0 };
  const bounds = format === 'records' ? recordsBounds(text) : linesBounds(text);
  if (bounds === null) return null;
  const total = bounds.length / 2;
  // Per event: how many of the needles it holds (each counted once), or -1 when it is kept anyway.
  const held = new Int32Array(total);
  const mark = (needle: RegExp, always: boolean): void => {
    let event = 0;
    let lastMarked = -1;
    needle.lastIndex = 0;
    for (let m = needle.exec(text); m !== null; m = needle.exec(text)) {
      const at = m.index;
      needle.lastIndex = at + 1;
      while (event < total && bounds[2 * event + 1]! <= at) event++;
      if (event === total) break;
      if (at < bounds[2 * event]! || event === lastMarked) continue;
      lastMarked = event;
      if (always) held[event] = -1;
      else if (held[event]! >= 0) held[event]!++;
    }
  };
  mark(/\\u/g, true);
  for (const needle of distinct) mark(needle, false);
  const parts: string[] = [];
  for (let e = 0; e < total; e++) {
    if (held[e] === -1 || held[e] === distinct.length) parts.push(text.slice(bounds[2 * e]!, bounds[2 * e + 1]!));
  }
  return { text: parts.length ? `{"Records":[${parts.join(',')}]}` : '', events: parts.length };
}

/** [start, end) of each event of a `{"Records":[...]}` file, flattened; null when not that. */
export function recordsBounds(text: string): number[] | null {
  const s = new Scanner(text);
  let i = s.ws(0);
  if (text.charCodeAt(i) !== 0x7b) return null;
  i = s.ws(i + 1);
  if (!text.startsWith('"Records"', i)) return null;
  i = s.ws(i + 9);
  if (text.charCodeAt(i) !== 0x3a) return null;
  i = s.ws(i + 1);
  if (text.charCodeAt(i) !== 0x5b) return null;
  i = s.ws(i + 1);
  const bounds: number[] = [];
  if (text.charCodeAt(i) !== 0x5d) {
    for (;;) {
      if (text.charCodeAt(i) !== 0x7b) return null;
      const end = s.value(i);
      if (end < 0) return null;
      bounds.push(i, end);
      i = s.ws(end);
      const c = text.charCodeAt(i);
      if (c === 0x5d) break;
      if (c !== 0x2c) return null;
      i = s.ws(i + 1);
    }
  }
  i = s.ws(i + 1);
  if (text.charCodeAt(i) !== 0x7d) return null;
  i = s.ws(i + 1);
  return i === text.length ? bounds : null;
}

/**
 * [start, end) of each line's event in JSON lines, flattened: every line one object, lines ended
 * by `\n` or `\r\n` (the last may be unended), no blank line, no `{"Records":[...]}` wrapper among
 * them. A wrapper's Records member may come after others (keys sorted): a file holding the text
 * `"Records"` anywhere is read the ordinary way, which tells wrappers apart (load-sql.ts isWrapper).
 */
export function linesBounds(text: string): number[] | null {
  if (text.includes('"Records"')) return null;
  const s = new Scanner(text);
  const bounds: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) !== 0x7b) return null;
    const end = s.value(i);
    if (end < 0) return null;
    bounds.push(i, end);
    i = end;
    if (text.charCodeAt(i) === 0x0d) i++;
    if (i === text.length) break;
    if (text.charCodeAt(i) !== 0x0a) return null;
    i++;
  }
  return bounds.length ? bounds : null;
}

class Scanner {
  /** The next backslash and the next control character at or after where they were last sought. */
  private backslash = -1;
  private control = -1;

  constructor(private readonly text: string) {}

  ws(i: number): number {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return i;
    }
  }

  /** The end of the string starting at `i` (its opening quote), or -1 when it is not valid JSON. */
  private string(i: number): number {
    const t = this.text;
    let from = i + 1;
    for (;;) {
      const quote = t.indexOf('"', from);
      if (quote < 0) return -1;
      if (this.backslash < from) {
        this.backslash = t.indexOf('\\', from);
        if (this.backslash < 0) this.backslash = t.length;
      }
      if (this.backslash < quote) {
        // An escape: checked, and the search goes on after it.
        const at = this.backslash;
        const c = t.charCodeAt(at + 1);
        let next = at + 2;
        if (c === 0x75) {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(at + 2, at + 6))) return -1;
          next = at + 6;
        } else if (c !== QUOTE && c !== BACKSLASH && c !== 0x2f && c !== 0x62 && c !== 0x66 && c !== 0x6e && c !== 0x72 && c !== 0x74) {
          return -1;
        }
        if (this.controlBefore(from, at)) return -1;
        from = next;
        continue;
      }
      if (this.controlBefore(from, quote)) return -1;
      return quote + 1;
    }
  }

  /** Whether a control character (invalid inside a string) lies in [from, to). */
  private controlBefore(from: number, to: number): boolean {
    if (this.control < from) {
      CONTROL.lastIndex = from;
      const m = CONTROL.exec(this.text);
      this.control = m ? m.index : this.text.length;
    }
    return this.control < to;
  }

  /** The end of the JSON value starting at `i`, or -1 when it is not one valid value. */
  value(i: number): number {
    const t = this.text;
    // Per open level: true for an object, false for an array.
    const stack: boolean[] = [];
    for (;;) {
      // A value is expected at i.
      i = this.ws(i);
      const c = t.charCodeAt(i);
      if (c === 0x7b || c === 0x5b) {
        const object = c === 0x7b;
        i = this.ws(i + 1);
        if (t.charCodeAt(i) === (object ? 0x7d : 0x5d)) {
          i++;
        } else {
          if (stack.length >= MAX_DEPTH) return -1;
          stack.push(object);
          if (object) {
            i = this.key(i);
            if (i < 0) return -1;
          }
          continue;
        }
      } else if (c === QUOTE) {
        i = this.string(i);
        if (i < 0) return -1;
      } else {
        LITERAL.lastIndex = i;
        if (!LITERAL.test(t)) return -1;
        i = LITERAL.lastIndex;
      }
      // After a value: close levels until one goes on with a comma.
      for (;;) {
        if (stack.length === 0) return i;
        i = this.ws(i);
        const d = t.charCodeAt(i);
        const object = stack[stack.length - 1]!;
        if (d === 0x2c) {
          i = this.ws(i + 1);
          if (object) {
            i = this.key(i);
            if (i < 0) return -1;
          }
          break;
        }
        if (d !== (object ? 0x7d : 0x5d)) return -1;
        stack.pop();
        i++;
      }
    }
  }

  /** A member's key and its colon, from `i`; the position after the colon, or -1. */
  private key(i: number): number {
    if (this.text.charCodeAt(i) !== QUOTE) return -1;
    i = this.string(i);
    if (i < 0) return -1;
    i = this.ws(i);
    return this.text.charCodeAt(i) === 0x3a ? i + 1 : -1;
  }
}
