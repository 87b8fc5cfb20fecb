// eval functions that format values as text: tostring (hex, commas, duration) and printf.
// https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions
import type { Expr as Ast } from '../../../grammar/ast.js';
import { caseOf, toNumber, toString } from '../build/coerce.js';
import { call, int, lit, type Expr } from '../ir/expr.js';
import { literalString, type EvalCall, type EvalFunction } from './eval-call.js';

const bigint = (e: Expr): Expr => call('to_bigint', [call('trunc', [toNumber(e)], 'number')], 'int');
const isNull = (e: Expr): Expr => call('is_null', [e], 'bool');

/**
 * `tostring(x, "duration")`: seconds as HH:MM:SS, with days as D+HH:MM:SS; a negative count is
 * the same text after a minus (DuckDB's remainder keeps the sign: -5 gave "00:00:-5").
 */
function duration(c: EvalCall, x: Expr): Expr {
  return c.vars.share(bigint(x), (secs) => c.vars.share(call('abs', [secs], 'int'), (a) => {
    const days = call('int_div', [a, int(86400)], 'int');
    const hours = call('int_div', [call('int_mod', [a, int(86400)], 'int'), int(3600)], 'int');
    const minutes = call('int_div', [call('int_mod', [a, int(3600)], 'int'), int(60)], 'int');
    const seconds = call('int_mod', [a, int(60)], 'int');
    const clock = call('printf', [lit('%02d:%02d:%02d'), hours, minutes, seconds], 'string');
    const text = caseOf([
      { when: call('ge', [a, int(86400)], 'bool'), then: call('concat', [call('concat', [call('to_varchar', [days], 'string'), lit('+')], 'string'), clock], 'string') },
    ], clock, 'string');
    return c.vars.share(text, (t) => caseOf([
      { when: isNull(secs), then: lit(null, 'string') },
      { when: call('lt', [secs, int(0)], 'bool'), then: call('concat', [lit('-'), t], 'string') },
    ], t, 'string'));
  }));
}

/** `tostring(x, "commas")`: thousands separated; whole numbers as they are, others to two decimals. */
function commas(c: EvalCall, x: Expr): Expr {
  return c.vars.share(toNumber(x), (n) => caseOf([
    { when: isNull(n), then: lit(null, 'string') },
    { when: call('eq', [n, call('trunc', [n], 'number')], 'bool'), then: call('format', [lit('{:,}'), call('to_bigint', [n], 'int')], 'string') },
  ], call('format', [lit('{:,.2f}'), n], 'string'), 'string'));
}

/** `tostring(x, "hex")`: 0x and upper-case digits (Splunk's example: tostring(15, "hex") is 0xF). */
function hex(x: Expr): Expr {
  return call('concat', [lit('0x'), call('hex', [bigint(x)], 'string')], 'string');
}

function tostring(c: EvalCall): Expr {
  const x = c.compile(c.nodes[0]!);
  const formatNode = c.nodes[1];
  if (formatNode === undefined) {
    // A boolean prints as Splunk prints it: tostring(1==1) is "True".
    if (x.type === 'bool') return caseOf([{ when: x, then: lit('True') }, { when: call('not', [x], 'bool'), then: lit('False') }], null, 'string');
    return toString(x);
  }
  const format = literalString(formatNode);
  if (format === 'hex') return hex(x);
  if (format === 'commas') return commas(c, x);
  if (format === 'duration') return duration(c, x);
  throw c.err('bad-argument', `tostring() formats are "hex", "commas" and "duration", not ${format === undefined ? 'a computed value' : JSON.stringify(format)}`, formatNode.span);
}

// ---- printf --------------------------------------------------------------------------------

interface Conversion {
  flags: string;
  width: string;
  precision: string | undefined;
  conv: string;
  text: string;
}

type Piece = { kind: 'text'; text: string } | { kind: 'conv'; c: Conversion };

const CONVERSION = /%([-+ #0']*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])/y;

function parsePrintf(format: string, c: EvalCall, node: Ast): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let text = '';
  while (i < format.length) {
    if (format[i] !== '%') {
      text += format[i++];
      continue;
    }
    CONVERSION.lastIndex = i;
    const m = CONVERSION.exec(format);
    if (!m) throw c.err('bad-argument', `printf(): cannot read the conversion at ${JSON.stringify(format.slice(i, i + 6))}`, node.span);
    if (text) out.push({ kind: 'text', text });
    text = '';
    out.push({ kind: 'conv', c: { flags: m[1]!, width: m[2] ?? '', precision: m[3], conv: m[4]!, text: m[0] } });
    i += m[0].length;
  }
  if (text) out.push({ kind: 'text', text });
  return out;
}

/** A conversion of one value, through DuckDB's printf with the value typed as the letter needs. */
function convert(conv: Conversion, value: Expr, width: Expr | null, precision: Expr | null, c: EvalCall, node: Ast): Expr {
  const grouped = conv.flags.includes("'");
  const flags = conv.flags.replace(/'/g, '');
  const spec = (letter: string, withPrecision = true) =>
    `%${flags}${width ? '*' : conv.width}${withPrecision && conv.precision !== undefined ? `.${precision ? '*' : conv.precision}` : ''}${letter}`;
  const extra = (withPrecision = true): Expr[] => [...(width ? [width] : []), ...(withPrecision && precision ? [precision] : [])];
  const printf = (format: string, args: Expr[]) => call('printf', [lit(format), ...args], 'string');
  switch (conv.conv) {
    case 'd': case 'i': case 'u':
      // Grouped digits (the ' flag) are formatted first, then padded as text.
      if (grouped) return printf(spec('s', false), [...extra(false), call('format', [lit('{:,}'), bigint(value)], 'string')]);
      return printf(spec('d'), [...extra(), bigint(value)]);
    case 'o': case 'x': case 'X':
      return printf(spec(conv.conv), [...extra(), bigint(value)]);
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
      if (grouped && (conv.conv === 'f' || conv.conv === 'F') && !precision) {
        const digits = conv.precision === undefined ? 6 : Number(conv.precision || '0');
        return printf(spec('s', false), [...extra(false), call('format', [lit(`{:,.${digits}f}`), toNumber(value)], 'string')]);
      }
      return printf(spec(conv.conv), [...extra(), toNumber(value)]);
    case 's':
      return printf(spec('s'), [...extra(), toString(value)]);
    case 'c': {
      // A number is a character code; text gives its first character.
      const ch = value.type === 'number' || value.type === 'int'
        ? call('chr', [call('to_integer', [call('trunc', [toNumber(value)], 'number')], 'int')], 'string')
        : call('substring', [toString(value), int(1), int(1)], 'string');
      return printf(spec('s', false), [...extra(false), ch]);
    }
    default:
      throw c.err('bad-argument', `printf(): ${conv.text} is not a conversion Splunk's printf has (%d %i %u %o %x %X %e %E %f %F %g %G %s %c %%)`, node.span);
  }
}

function printf(c: EvalCall): Expr {
  const formatNode = c.nodes[0]!;
  const format = literalString(formatNode);
  const args = c.args().slice(1);
  if (format === undefined) {
    // A format known only per row goes to DuckDB as it is.
    return call('printf', [toString(c.args()[0]!), ...args.map((r) => (r.type === 'number' ? r : toString(r)))], 'string');
  }
  let next = 0;
  const take = (what: string): Expr => {
    const a = args[next++];
    if (!a) throw c.err('bad-argument', `printf(): the format needs more arguments (one for ${what})`, c.span);
    return a;
  };
  const items: Expr[] = [];
  let text = '';
  for (const p of parsePrintf(format, c, formatNode)) {
    if (p.kind === 'text') text += p.text;
    else if (p.c.conv === '%') text += '%';
    else {
      if (text) items.push(lit(text));
      text = '';
      const width = p.c.width === '*' ? bigint(take(`the width of ${p.c.text}`)) : null;
      const precision = p.c.precision === '*' ? bigint(take(`the precision of ${p.c.text}`)) : null;
      items.push(convert(p.c, take(p.c.text), width, precision, c, formatNode));
    }
  }
  if (text) items.push(lit(text));
  return items.length === 0 ? lit('') : items.reduce((a, b) => call('concat', [a, b], 'string'));
}

export const FORMAT_FUNCTIONS: EvalFunction[] = [
  { name: 'tostring', min: 1, max: 2, args: 'value, "hex"|"commas"|"duration"', returns: 'string', build: tostring },
  { name: 'printf', min: 1, max: 100, args: '"format", value, ...', returns: 'string', build: printf },
];
