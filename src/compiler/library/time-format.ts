// Splunk's date and time format variables (strftime, strptime, convert ctime/mktime), translated
// once for every function and command that takes a format. Each variable becomes a DuckDB
// strftime/strptime specifier where DuckDB has the same one, and an expression of its own where
// it has not (`%s`, `%e`, `%k`, `%l`, `%Z`, `%:z`, `%<n>N`...), so no format reaches DuckDB with a
// specifier it refuses. Times are UTC: the zone variables print UTC's.
import { call, caseOf, int, lit, type Expr, type Vars } from '../ir/expr.js';
import { timestampOf } from '../time.js';

/** A format variable spelunk does not know: the search is refused with its name. */
export class TimeFormatError extends Error {
  constructor(readonly variable: string, detail = 'is not a Splunk date and time format variable') {
    super(`${variable} ${detail}`);
    this.name = 'TimeFormatError';
  }
}

/** One variable of a format: its letter with any modifier (`-d`, `:z`, `3N`, `Ez`). */
interface Variable {
  text: string;
  flag: string;
  letter: string;
}

type Piece = { kind: 'text'; text: string } | { kind: 'var'; v: Variable };

/** Split a format into literal text and variables. */
function pieces(format: string): Piece[] {
  const out: Piece[] = [];
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      text += ch;
      continue;
    }
    const m = /^%(-|:{1,3}|E|\d+)?(.)?/.exec(format.slice(i))!;
    if (m[2] === undefined) {
      // A % ending the format is text, as C's strftime leaves it.
      text += m[0];
      break;
    }
    if (text) out.push({ kind: 'text', text });
    text = '';
    out.push({ kind: 'var', v: { text: m[0], flag: m[1] ?? '', letter: m[2] } });
    i += m[0].length - 1;
  }
  if (text) out.push({ kind: 'text', text });
  return out;
}

// ---- strftime --------------------------------------------------------------------------

/** Variables DuckDB's strftime prints exactly as Splunk does (with `-` for no padding where allowed). */
const NATIVE = new Set('aAbBdmyYHIMSpjUWVGuwf');
const UNPADDED = new Set('dmyHIMSj');

/** Variables that are other variables in Splunk's (Linux C locale) definitions. */
const COMPOSITE: Record<string, string> = {
  F: '%Y-%m-%d',
  T: '%H:%M:%S',
  D: '%m/%d/%y',
  R: '%H:%M',
  r: '%I:%M:%S %p',
  h: '%b',
  c: '%a %b %e %H:%M:%S %Y',
  '+': '%a %b %e %H:%M:%S %Z %Y',
  // Splunk's documented US English forms: 7/13/2019 and 9:30:00.
  x: '%-m/%-d/%Y',
  X: '%-H:%M:%S',
};

/** Fixed text in UTC for the zone variables. */
const ZONE: Record<string, string> = { Z: 'UTC', z: '+0000', ':z': '+00:00', '::z': '+00:00:00', ':::z': '+00', Ez: '+00:00' };

type Part = { kind: 'duck'; format: string } | { kind: 'expr'; build: (ts: Expr, epoch: Expr) => Expr } | { kind: 'text'; text: string };

const duck = (format: string): Part => ({ kind: 'duck', format });
const spacePadded = (format: string): Part => ({ kind: 'expr', build: (ts) => call('lpad', [call('strftime', [ts, lit(format)], 'string'), int(2), lit(' ')], 'string') });

/** Digits of the fraction of a second: `%3N` milliseconds, `%6N` microseconds, `%9N` nanoseconds. */
function subsecond(digits: number): Part {
  if (digits === 3) return duck('%g');
  if (digits === 6) return duck('%f');
  if (digits < 1 || digits > 9) throw new TimeFormatError(`%${digits}N`, 'needs 1 to 9 digits');
  // Times hold microseconds; DuckDB's own %n pads a longer format with NUL characters.
  const nanos = (ts: Expr) => call('concat', [call('strftime', [ts, lit('%f')], 'string'), lit('000')], 'string');
  return { kind: 'expr', build: (ts) => (digits === 9 ? nanos(ts) : call('substring', [nanos(ts), int(1), int(digits)], 'string')) };
}

function strftimePart(v: Variable): Part[] {
  const { flag, letter } = v;
  if (letter === '%' && !flag) return [{ kind: 'text', text: '%' }];
  if (letter === 'n' && !flag) return [{ kind: 'text', text: '\n' }];
  if (letter === 't' && !flag) return [{ kind: 'text', text: '\t' }];
  const zone = ZONE[flag + letter];
  if (zone !== undefined) return [{ kind: 'text', text: zone }];
  if (letter === 'N' || letter === 'Q') {
    if (flag && !/^\d+$/.test(flag)) throw new TimeFormatError(v.text);
    return [subsecond(flag ? Number(flag) : letter === 'N' ? 9 : 3)];
  }
  if (flag === '-' && UNPADDED.has(letter)) return [duck(`%-${letter}`)];
  if (flag) throw new TimeFormatError(v.text);
  if (NATIVE.has(letter)) return [duck(`%${letter}`)];
  const composite = COMPOSITE[letter];
  if (composite) return strftimeParts(composite);
  switch (letter) {
    case 'e': return [spacePadded('%-d')];
    case 'k': return [spacePadded('%-H')];
    case 'l': return [spacePadded('%-I')];
    case 's': return [{ kind: 'expr', build: (_ts, epoch) => call('to_varchar', [call('to_bigint', [call('floor', [epoch], 'number')], 'int')], 'string') }];
    case 'C': return [{ kind: 'expr', build: (ts) => call('substring', [call('strftime', [ts, lit('%Y')], 'string'), int(1), int(2)], 'string') }];
    case 'g': return [{ kind: 'expr', build: (ts) => call('substring', [call('strftime', [ts, lit('%G')], 'string'), int(3), int(2)], 'string') }];
    default: throw new TimeFormatError(v.text);
  }
}

function strftimeParts(format: string): Part[] {
  return pieces(format).flatMap((p): Part[] => (p.kind === 'text' ? [{ kind: 'text', text: p.text }] : strftimePart(p.v)));
}

/** `strftime(epoch, format)` with Splunk's variables, in UTC; null when the time is null. */
export function formatTime(epoch: Expr, format: string, vars: Vars): Expr {
  const parts = strftimeParts(format);
  return vars.share(epoch, (e) => vars.share(timestampOf(e), (ts) => {
    // Runs of DuckDB specifiers and text are one strftime call; the rest are joined to them.
    const items: Expr[] = [];
    let run = '';
    let runHasVariable = false;
    const flush = () => {
      if (run) items.push(runHasVariable ? call('strftime', [ts, lit(run)], 'string') : lit(run.replace(/%%/g, '%')));
      run = '';
      runHasVariable = false;
    };
    for (const p of parts) {
      if (p.kind === 'text') run += p.text.replace(/%/g, '%%');
      else if (p.kind === 'duck') {
        run += p.format;
        runHasVariable = true;
      } else {
        flush();
        items.push(p.build(ts, e));
      }
    }
    flush();
    const joined = items.length === 0 ? lit('') : items.reduce((a, b) => call('concat', [a, b], 'string'));
    // A null time makes any variable null, and concatenation with it; text alone (or the zone
    // variables) must still be null for an event without a time.
    const readsTime = parts.some((p) => p.kind !== 'text');
    return readsTime ? joined : caseOf([{ when: call('is_null', [e], 'bool'), then: lit(null, 'string') }], joined, 'string');
  }));
}

// ---- strptime --------------------------------------------------------------------------

/** Variables DuckDB's strptime reads as Splunk's strptime does. */
const READ_NATIVE = new Set('aAbBdmyYHIMSpjUWwf');

const READ_COMPOSITE: Record<string, string> = {
  F: '%Y-%m-%d',
  T: '%H:%M:%S',
  D: '%m/%d/%y',
  R: '%H:%M',
  r: '%I:%M:%S %p',
  h: '%b',
  c: '%a %b %d %H:%M:%S %Y',
  '+': '%a %b %d %H:%M:%S %Z %Y',
  x: '%m/%d/%Y',
  X: '%H:%M:%S',
  // DuckDB reads a day or hour without its padding with the padded specifier.
  e: '%d',
  k: '%H',
  l: '%I',
};

/**
 * DuckDB's format for a Splunk one. With `zulu`, a zone variable (%z, %Z) is the letter Z itself:
 * an ISO 8601 time in UTC ends in Z, which Splunk reads with %Z (its format variables page writes
 * `%Y-%m-%dT%H:%M:%S.%Q%Z` for such times) but DuckDB's %z and %Z refuse.
 */
function strptimeFormat(format: string, zulu = false): string {
  return pieces(format)
    .map((p) => {
      if (p.kind === 'text') return p.text.replace(/%/g, '%%');
      const { flag, letter, text } = p.v;
      if (letter === '%' && !flag) return '%%';
      if (letter === 'N' || letter === 'Q') {
        if (flag && !/^\d+$/.test(flag)) throw new TimeFormatError(text);
        const digits = flag ? Number(flag) : letter === 'N' ? 9 : 3;
        if (digits === 3) return '%g';
        if (digits === 6) return '%f';
        if (digits === 9) return '%n';
        throw new TimeFormatError(text, 'can only be read with 3, 6 or 9 digits');
      }
      if (letter === 'z' && (flag === '' || flag === ':' || flag === 'E')) return zulu ? 'Z' : '%z';
      if (letter === 'Z' && !flag) return zulu ? 'Z' : '%Z';
      if (flag === '-' && UNPADDED.has(letter)) return `%-${letter}`;
      if (flag) throw new TimeFormatError(text);
      if (READ_NATIVE.has(letter)) return `%${letter}`;
      const composite = READ_COMPOSITE[letter];
      if (composite) return composite;
      if (letter === 's') throw new TimeFormatError(text, 'can only be read as the whole format ("%s")');
      throw new TimeFormatError(text);
    })
    .join('');
}

/** `strptime(text, format)`: epoch seconds, null when the text does not match (UTC unless it names a zone). */
export function parseTime(text: Expr, format: string): Expr {
  if (format.trim() === '%s') return call('try_double', [call('trim', [text], 'string')], 'number');
  const native = strptimeFormat(format);
  const read = (f: string) => call('epoch', [call('try_strptime', [text, lit(f)], 'timestamp')], 'number');
  const zulu = strptimeFormat(format, true);
  return zulu === native ? read(native) : call('coalesce', [read(native), read(zulu)], 'number');
}
