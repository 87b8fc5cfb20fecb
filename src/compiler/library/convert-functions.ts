// The conversion functions of the `convert` command: one table, like the eval and stats tables.
// Time formats go through the same translation of Splunk's variables as strftime (time-format.ts).
import { toNumber, toString } from '../build/coerce.js';
import { call, int, lit, type Expr, type Vars } from '../ir/expr.js';
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
    doc: 'HH:MM:SS as seconds',
    build: (v, _format, vars) => vars.share(toString(v), (t) =>
      call('add', [call('add', [call('mul', [part(t, 1), int(3600)], 'number'), call('mul', [part(t, 2), int(60)], 'number')], 'number'), part(t, 3)], 'number')),
  },
];

const byName = new Map(CONVERT_FUNCTIONS.map((f) => [f.name, f]));

export function convertFunction(name: string): ConvertFunction | undefined {
  return byName.get(name);
}
