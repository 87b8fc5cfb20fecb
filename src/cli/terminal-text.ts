// Data on its way to a terminal. CloudTrail values, file names and third-party content are
// attacker-controlled: a userAgent can hold ESC and OSC sequences that clear the screen, retitle
// the window, write the clipboard (OSC 52) or hide text, and bidirectional-text controls can
// reorder what is shown. Every such character of data is shown as a visible escape (`\x1b`,
// `\u202e`) in tables, messages and the REPL; CSV, JSON and JSON lines stay byte-exact.

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** C0 and C1 controls, DEL, and the bidirectional embedding, override and isolate controls. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function escape(ch: string): string {
  const code = ch.charCodeAt(0);
  return NAMED[ch] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** The text with every control character shown as an escape such as `\x1b`. */
export function visible(text: string): string {
  return text.replace(CONTROL, escape);
}

/** The same for a message of several lines: its line breaks stay line breaks. */
export function visibleLines(text: string): string {
  return text.split('\n').map(visible).join('\n');
}
