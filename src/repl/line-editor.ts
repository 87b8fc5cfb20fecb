// The prompt's text and cursor as plain data, with the editing keys of readline (Emacs mode).
// Every operation returns a new state; nothing here knows about Ink.
import type { KeyPress } from './keys.js';

export interface EditorState {
  text: string;
  /** Offset into text, 0..text.length. */
  cursor: number;
}

export const EMPTY: EditorState = { text: '', cursor: 0 };

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);

export function lineStart(s: EditorState): number {
  return s.text.lastIndexOf('\n', s.cursor - 1) + 1;
}

function lineEnd(s: EditorState): number {
  const nl = s.text.indexOf('\n', s.cursor);
  return nl < 0 ? s.text.length : nl;
}

export function insert(s: EditorState, text: string): EditorState {
  return { text: s.text.slice(0, s.cursor) + text + s.text.slice(s.cursor), cursor: s.cursor + text.length };
}

function remove(s: EditorState, from: number, to: number, cursor = from): EditorState {
  return { text: s.text.slice(0, from) + s.text.slice(to), cursor };
}

function wordLeft(s: EditorState): number {
  let i = s.cursor;
  while (i > 0 && !isWordChar(s.text[i - 1])) i--;
  while (i > 0 && isWordChar(s.text[i - 1])) i--;
  return i;
}

function wordRight(s: EditorState): number {
  let i = s.cursor;
  while (i < s.text.length && !isWordChar(s.text[i])) i++;
  while (i < s.text.length && isWordChar(s.text[i])) i++;
  return i;
}

/** Ctrl-W: the whitespace-delimited word before the cursor, as in readline. */
function bigWordLeft(s: EditorState): number {
  let i = s.cursor;
  while (i > 0 && /\s/.test(s.text[i - 1]!)) i--;
  while (i > 0 && !/\s/.test(s.text[i - 1]!)) i--;
  return i;
}

/** Move up or down one line keeping the column; null when already on the first/last line. */
export function verticalMove(s: EditorState, dir: -1 | 1): EditorState | null {
  const start = lineStart(s);
  const column = s.cursor - start;
  if (dir < 0) {
    if (start === 0) return null;
    const prevStart = s.text.lastIndexOf('\n', start - 2) + 1;
    return { text: s.text, cursor: Math.min(prevStart + column, start - 1) };
  }
  const end = lineEnd(s);
  if (end === s.text.length) return null;
  const nextEnd = lineEnd({ text: s.text, cursor: end + 1 });
  return { text: s.text, cursor: Math.min(end + 1 + column, nextEnd) };
}

/** Apply an editing key; null when the key is not an editing key (the caller handles it). */
export function edit(s: EditorState, k: KeyPress): EditorState | null {
  const at = (cursor: number): EditorState => ({ text: s.text, cursor });
  if (k.text) return insert(s, k.text);
  if (k.ctrl) {
    switch (k.name) {
      case 'a': return at(lineStart(s));
      case 'e': return at(lineEnd(s));
      case 'b': return at(Math.max(0, s.cursor - 1));
      case 'f': return at(Math.min(s.text.length, s.cursor + 1));
      case 'k': return remove(s, s.cursor, lineEnd(s) === s.cursor && s.cursor < s.text.length ? s.cursor + 1 : lineEnd(s));
      case 'u': return remove(s, lineStart(s), s.cursor);
      case 'w': return remove(s, bigWordLeft(s), s.cursor);
      case 'h': return s.cursor > 0 ? remove(s, s.cursor - 1, s.cursor) : s;
      case 'left': return at(wordLeft(s));
      case 'right': return at(wordRight(s));
      case 'home': return at(0);
      case 'end': return at(s.text.length);
      default: return null;
    }
  }
  if (k.meta) {
    switch (k.name) {
      case 'b': case 'left': return at(wordLeft(s));
      case 'f': case 'right': return at(wordRight(s));
      case 'd': return remove(s, s.cursor, wordRight(s));
      case 'backspace': return remove(s, wordLeft(s), s.cursor);
      case 'return': return insert(s, '\n');
      default: return null;
    }
  }
  switch (k.name) {
    case 'left': return at(Math.max(0, s.cursor - 1));
    case 'right': return at(Math.min(s.text.length, s.cursor + 1));
    case 'home': return at(lineStart(s));
    case 'end': return at(lineEnd(s));
    case 'backspace': return s.cursor > 0 ? remove(s, s.cursor - 1, s.cursor) : s;
    case 'delete': return s.cursor < s.text.length ? remove(s, s.cursor, s.cursor + 1, s.cursor) : s;
    default: return null;
  }
}

/**
 * Whether Enter should submit: not while the search is visibly unfinished (a line ending in `|`,
 * or an open `[` subsearch), so long pipelines can be typed a stage per line. An open quote does
 * submit: the parser's caret under it says more than a silent new line would.
 */
export function isComplete(text: string): boolean {
  const t = text.trimEnd();
  if (t.endsWith('|')) return false;
  if (t.startsWith(':')) return true;
  let depth = 0;
  let quote = false;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === '"') quote = false;
    } else if (ch === '"') quote = true;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
  }
  return depth <= 0;
}
