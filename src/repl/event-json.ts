// An event's `_raw` read as the searches read it. A key an object repeats (CloudTrail's writer never
// does; a record written by hand or altered can) has its first value in every search, as DuckDB's
// JSON functions read it, where JSON.parse keeps the last: the event list, the viewer and the
// sidebar showed a value that `field=value` did not find, and hid the one it did.

/** Members written in the text: the colons outside strings (indexOf skips each string whole). */
function membersInText(text: string): number {
  let n = 0;
  let i = 0;
  for (;;) {
    const quote = text.indexOf('"', i);
    const end = quote < 0 ? text.length : quote;
    for (let j = i; j < end; j++) if (text.charCodeAt(j) === 58) n++;
    if (quote < 0) return n;
    let close = quote;
    for (;;) {
      close = text.indexOf('"', close + 1);
      if (close < 0) return n;
      let slashes = 0;
      while (text.charCodeAt(close - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 0) break;
    }
    i = close + 1;
  }
}

/** Members of the parsed value, nested ones included. */
function membersIn(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + membersIn(x), 0);
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  for (const k in v) n += 1 + membersIn((v as Record<string, unknown>)[k]);
  return n;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** JSON text whose objects keep the first value of a repeated key (the text is known to parse). */
function parseFirstWins(text: string): unknown {
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): unknown => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      space();
      if (text[i] === '}') return i++, obj;
      for (;;) {
        space();
        const key = string();
        space();
        i++; // :
        const v = value();
        // defineProperty: a "__proto__" key is a member, as JSON.parse makes it, not the prototype.
        if (!Object.prototype.hasOwnProperty.call(obj, key)) Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        space();
        if (text[i++] === '}') return obj;
      }
    }
    if (c === '[') {
      i++;
      const list: unknown[] = [];
      space();
      if (text[i] === ']') return i++, list;
      for (;;) {
        list.push(value());
        space();
        if (text[i++] === ']') return list;
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) return (i += word.length), v;
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text)!;
    i += m[0].length;
    return Number(m[0]);
  };
  return value();
}

/** `_raw` parsed as JSON (throws as JSON.parse does), a repeated key keeping its first value. */
export function parseEventJson(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  if (parsed === null || typeof parsed !== 'object') return parsed;
  try {
    return membersIn(parsed) === membersInText(text) ? parsed : parseFirstWins(text);
  } catch {
    // Nested deeper than a walk's stack (an event built to exhaust it): JSON.parse's reading.
    return parsed;
  }
}
