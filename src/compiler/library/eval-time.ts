// eval functions on time: the search's clock, relative modifiers, and Splunk's time formats
// (translated once, in time-format.ts, for every function and command that takes one).
import type { Expr as Ast } from '../../../grammar/ast.js';
import { toNumber, toString } from '../build/coerce.js';
import { call, lit, type Expr } from '../ir/expr.js';
import { applyRelative, parseRelative, relativeTime, timestampOf } from '../time.js';
import { literalString, type EvalCall, type EvalFunction } from './eval-call.js';
import { formatTime, parseTime, TimeFormatError } from './time-format.js';

/**
 * A function of a literal time format, translated from Splunk's variables; a format known only per
 * row (a field) goes to DuckDB as it is.
 */
function withFormat(c: EvalCall, e: Ast, literal: (format: string) => Expr, dynamic: (format: Expr) => Expr): Expr {
  const text = literalString(e);
  if (text === undefined) return dynamic(toString(c.compile(e)));
  try {
    return literal(text);
  } catch (err) {
    if (err instanceof TimeFormatError) throw c.err('bad-argument', `${c.name}(): ${err.message}`, e.span, ['see Splunk\'s "Date and time format variables", e.g. "%Y-%m-%d %H:%M:%S"']);
    throw err;
  }
}

export const TIME_FUNCTIONS: EvalFunction[] = [
  { name: 'now', min: 0, max: 0, args: '', returns: 'number', build: (c) => lit(c.now, 'number') },
  { name: 'time', min: 0, max: 0, args: '', returns: 'number', build: () => call('epoch', [call('now_timestamp', [], 'timestamp')], 'number') },
  {
    name: 'relative_time', min: 2, max: 2, args: 'time, "modifier"', returns: 'number',
    build: (c) => {
      const [baseNode, modNode] = c.nodes as [Ast, Ast];
      const mod = literalString(modNode);
      const base = c.compile(baseNode);
      if (mod === undefined) throw c.err('bad-argument', 'relative_time() needs a quoted time modifier such as "-24h@h"', modNode.span);
      const steps = parseRelative(mod);
      if (!steps) throw c.err('bad-time', `not a relative time modifier: ${JSON.stringify(mod)}`, modNode.span, ['examples: "-24h", "-24h@h", "@d", "-7d@w0", "+1d@d"']);
      if (baseNode.kind === 'call' && baseNode.name === 'now') return lit(applyRelative(c.now, steps), 'number');
      return relativeTime(toNumber(base), steps, c.vars);
    },
  },
  {
    name: 'strftime', min: 2, max: 2, args: 'time, "format"', returns: 'string',
    build: (c) => {
      const time = toNumber(c.compile(c.nodes[0]!));
      return withFormat(c, c.nodes[1]!, (f) => formatTime(time, f, c.vars), (f) => call('strftime', [timestampOf(time), f], 'string'));
    },
  },
  {
    name: 'strptime', min: 2, max: 2, args: 'text, "format"', returns: 'number',
    build: (c) => {
      const text = toString(c.compile(c.nodes[0]!));
      return withFormat(c, c.nodes[1]!, (f) => parseTime(text, f), (f) => call('epoch', [call('try_strptime', [text, f], 'timestamp')], 'number'));
    },
  },
];
