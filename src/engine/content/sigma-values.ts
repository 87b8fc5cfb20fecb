// Sigma values and the value modifiers that rewrite them before matching: wildcards and their
// escapes, base64/base64offset, the UTF-16 encodings, windash.
// Sigma specification: https://github.com/SigmaHQ/sigma-specification (Sigma_specification.md,
// "Value modifiers" and "Wildcards"); the base64offset variants follow its description of the
// three alignments a value can have inside a longer base64 text.

/** Why a rule cannot be run: named to the analyst next to the rule. */
export class SigmaRefusal extends Error {}

/** A Sigma string: literal text, `*` (any run of characters) and `?` (one character). */
export type Part = { lit: string } | { star: true } | { one: true };

/**
 * Reads a Sigma string: `*` and `?` are wildcards; `\*`, `\?` and `\\` are the characters
 * themselves; any other backslash is a plain backslash (the specification's rule).
 */
export function parseSigmaString(text: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ lit });
    lit = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && (text[i + 1] === '*' || text[i + 1] === '?' || text[i + 1] === '\\')) {
      lit += text[++i];
    } else if (ch === '*') {
      flush();
      parts.push({ star: true });
    } else if (ch === '?') {
      flush();
      parts.push({ one: true });
    } else {
      lit += ch;
    }
  }
  flush();
  return parts;
}

/** Literal text only (after an encoding, wildcards are gone: they were encoded as characters). */
export function literal(text: string): Part[] {
  return text ? [{ lit: text }] : [];
}

export function partsText(parts: Part[]): string | null {
  return parts.every((p) => 'lit' in p) ? parts.map((p) => (p as { lit: string }).lit).join('') : null;
}

export type Encoding = 'utf8' | 'utf16le' | 'utf16be';

function bytesOf(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  const le = Buffer.from(text, 'utf16le');
  if (encoding === 'utf16le') return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

export function base64(text: string, encoding: Encoding): string {
  return bytesOf(text, encoding).toString('base64');
}

/**
 * The three texts that appear in a longer base64 text containing `text` at any byte offset: the
 * value is shifted by 0, 1 and 2 bytes, encoded, and the characters that depend on the unknown
 * neighbouring bytes are cut from both ends.
 */
export function base64Offsets(text: string, encoding: Encoding): string[] {
  const bytes = bytesOf(text, encoding);
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Leading characters that mix the padding bytes in: none, 2 or 3 (4 chars cover 3 bytes).
    const start = [0, 2, 3][shift]!;
    // Trailing characters that depend on the bytes after the value (and the `=` padding).
    const rest = (bytes.length + shift) % 3;
    const end = rest === 0 ? encoded.length : encoded.length - (rest === 1 ? 3 : 2);
    out.push(encoded.slice(start, end));
  }
  return out;
}

/** Dashes a Windows command line accepts for an option's leading `-`. */
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

/**
 * windash: every form of the value with each option dash (`-` at the start or after a space)
 * written as each dash Windows accepts, in every combination. Past 4 dashes (625 forms) the rule
 * is refused by the caller rather than cut short.
 */
export function windashVariants(text: string): string[] | null {
  const positions: number[] = [];
  for (let i = 0; i < text.length; i++) if (text[i] === '-' && (i === 0 || /\s/.test(text[i - 1]!))) positions.push(i);
  if (positions.length > 4) return null;
  let forms = [text];
  for (const p of positions) forms = forms.flatMap((f) => DASHES.map((d) => f.slice(0, p) + d + f.slice(p + 1)));
  return forms;
}

/** A regular expression matching the parts exactly (the caller anchors or not). */
export function partsRegex(parts: Part[]): string {
  return parts.map((p) => ('lit' in p ? escapeRegex(p.lit) : 'star' in p ? '.*' : '.')).join('');
}

export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => `\\${c}`);
}
