// The conversion functions of the `convert` command: one table, like the eval and stats tables.
// Time formats go through the same translation of Splunk's variables as strftime (time-format.ts).
import { toNumber, toString } from '../build/coerce.js';
import { call, caseOf, int, lit, type Expr, type Vars } from '../ir/expr.js';
import { formatTime, parseTime } from './time-format.js';

export interface ConvertFunction {
  name: string;
  /** What it does, for the reference and completion. */
  doc: string;
  /** The converted value; `format` is the command's timeformat= (Splunk's spelling). */
  build(value: Expr, format: string, vars: Vars): Expr;
}

/** Splunk's default timeformat for ctime and mktime. */
export const DEFAULT_TIME_FORMAT = '%m/%d/%Y %H:%M:%S';

const sum = (xs: Expr[]): Expr => xs.reduce((x, y) => call('add', [x, y], 'number'));
const part = (text: Expr, i: number) => call('try_double', [call('split_part', [text, lit(':'), int(i)], 'string')], 'number');

export const CONVERT_FUNCTIONS: readonly ConvertFunction[] = [
  {
    name: 'ctime',
    doc: 'epoch seconds as text in timeformat',
    build: (v, format, vars) => formatTime(toNumber(v), format, vars),
  },
  {
    name: 'mktime',
    doc: 'text in timeformat as epoch seconds',
    build: (v, format) => parseTime(toString(v), format),
  },
  { name: 'num', doc: 'text as a number', build: (v) => toNumber(v) },
  { name: 'auto', doc: 'text as a number', build: (v) => toNumber(v) },
  {
    name: 'dur2sec',
    doc: '[D+]HH:MM:SS as seconds',
    // Splunk's convert page: dur2sec reads "[D+]HH:MM:SS"; a leading day count was read as no
    // duration at all. https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/convert
    build: (v, _format, vars) => vars.share(toString(v), (t) => {
      const plus = call('contains', [t, lit('+')], 'bool');
      const days = caseOf([{ when: plus, then: call('try_double', [call('split_part', [t, lit('+'), int(1)], 'string')], 'number') }], int(0), 'number');
      const clock = caseOf([{ when: plus, then: call('split_part', [t, lit('+'), int(2)], 'string') }], t, 'string');
      return vars.share(clock, (c) => sum([call('mul', [days, int(86400)], 'number'), call('mul', [part(c, 1), int(3600)], 'number'), call('mul', [part(c, 2), int(60)], 'number'), part(c, 3)]));
    }),
  },
];

const byName = new Map(CONVERT_FUNCTIONS.map((f) => [f.name, f]));

export function convertFunction(name: string): ConvertFunction | undefined {
  return byName.get(name);
}
