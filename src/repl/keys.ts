// Raw terminal input (one key press or one pasted chunk, as Ink splits it) decoded into a key.
// Decoded here rather than through Ink's `useInput`, which reports Backspace (DEL, 0x7f) and the
// Delete key alike and drops the Alt modifier on Enter.

export interface KeyPress {
  /** A named key ('left', 'return', 'backspace', 'pageup', ...) or a letter for Ctrl/Alt chords; '' for text. */
  name: string;
  ctrl: boolean;
  meta: boolean;
  shift: boolean;
  /** Printable text to insert (typed or pasted); '' for a control key. */
  text: string;
}

const key = (name: string, mods: Partial<KeyPress> = {}): KeyPress => ({ name, ctrl: false, meta: false, shift: false, text: '', ...mods });

const CSI_NAMES: Record<string, string> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Z: 'tab',
  '1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '3~': 'delete', '5~': 'pageup', '6~': 'pagedown', '2~': 'insert',
};

function decodeCsi(body: string): KeyPress | null {
  // ESC [ params final, e.g. `1;5D` (Ctrl-Left), `3~` (Delete), `1;3C` (Alt-Right).
  const m = /^(\d*)(?:;(\d+))?([~A-Za-z])$/.exec(body);
  if (!m) return null;
  const [, first, modifier, final] = m;
  const name = final === '~' ? CSI_NAMES[`${first}~`] : CSI_NAMES[final!];
  if (!name) return null;
  const mod = modifier ? Number(modifier) - 1 : 0;
  return key(name, { shift: (mod & 1) !== 0 || final === 'Z', meta: (mod & 2) !== 0, ctrl: (mod & 4) !== 0 });
}

export function decodeKey(seq: string): KeyPress {
  if (seq === '\r' || seq === '\n') return key('return');
  if (seq === '\t') return key('tab');
  if (seq === '\x7f' || seq === '\b') return key('backspace');
  if (seq === '\x1b') return key('escape');
  if (seq === '\x00') return key('space', { ctrl: true });
  if (seq.startsWith('\x1b[') || seq.startsWith('\x1bO')) {
    const decoded = decodeCsi(seq.slice(2));
    if (decoded) return decoded;
    return key('unknown');
  }
  if (seq.length === 2 && seq[0] === '\x1b') {
    const ch = seq[1]!;
    if (ch === '\r' || ch === '\n') return key('return', { meta: true });
    if (ch === '\x7f' || ch === '\b') return key('backspace', { meta: true });
    if (/^[a-zA-Z]$/.test(ch)) return key(ch.toLowerCase(), { meta: true, shift: ch !== ch.toLowerCase() });
    return key(ch, { meta: true });
  }
  if (seq.length === 1) {
    const code = seq.charCodeAt(0);
    if (code >= 1 && code <= 26) return key(String.fromCharCode(code + 96), { ctrl: true });
    if (code < 32) return key('unknown');
  }
  // Printable text, possibly pasted: keep newlines (a pasted multi-line search) and tabs as spaces.
  const text = seq.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  return key('', { text });
}

/**
 * Split a chunk of input into keys: Ink separates escape sequences, but fast typing (or a paste,
 * or a pseudo-terminal) delivers `text\r` or `\x15text` in one chunk. Control characters become
 * keys of their own; the text between them stays one insertion. A newline inside pasted text is
 * kept as text (a multi-line search); a carriage return is Enter.
 */
export function splitInput(chunk: string): string[] {
  if (chunk.length <= 1) return [chunk];
  // Escape sequences (arrows, PgDn, Alt+key) also come several to a chunk when keys repeat.
  return chunk.match(/\x1b\[[\d;]*[A-Za-z~]|\x1bO[A-Za-z]|\x1b[\s\S]?|\r\n|[\x00-\x09\x0b-\x1a\x1c-\x1f\x7f]|[^\x00-\x09\x0b-\x1f\x7f]+/g)?.map((p) => (p === '\r\n' ? '\r' : p)) ?? [];
}
