// eval functions on time: the search's clock, relative modifiers, and Splunk's time formats
// (translated once, in time.ts timeFormat, for every function and command that takes one).
import type { Expr as Ast } from '../../../grammar/ast.js';
import { toNumber, toString } from '../build/coerce.js';
import { call, lit, type Expr } from '../ir/expr.js';
import { applyRelative, parseRelative, relativeTime, timeFormat, timestampOf } from '../time.js';
import { literalString, type EvalCall, type EvalFunction } from './eval-call.js';

/** A time format argument: a literal is translated to DuckDB's spelling; anything else is used as it is. */
function formatArg(c: EvalCall, e: Ast): Expr {
  const text = literalString(e);
  return text !== undefined ? lit(timeFormat(text)) : toString(c.compile(e));
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
    build: (c) => call('strftime', [timestampOf(toNumber(c.compile(c.nodes[0]!))), formatArg(c, c.nodes[1]!)], 'string'),
  },
  {
    name: 'strptime', min: 2, max: 2, args: 'text, "format"', returns: 'number',
    build: (c) => call('epoch', [call('try_strptime', [toString(c.compile(c.nodes[0]!)), formatArg(c, c.nodes[1]!)], 'timestamp')], 'number'),
  },
];
