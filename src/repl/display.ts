// Data on its way to the terminal. CloudTrail values are attacker-controlled (a userAgent can
// hold ESC and OSC sequences that clear the screen, retitle the window or write the clipboard):
// every data value a view prints passes through `visible` once, at the view's one call site.

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text with every control character (C0, DEL, C1) shown as an escape such as `\x1b`. */
export function visible(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (ch) => NAMED[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
