// filldown: a missing value takes the last one before it (Splunk Search Reference, filldown);
// with no fields named, every field of the results.
import { Args } from '../args.js';
import { visibleFields } from '../builder.js';
import { fieldRef } from '../expr.js';
import { aggregate, call } from '../ir/expr.js';
import { assign, expandNames, generic } from './relation.js';
import { NO_OPTIONS, type CommandCompiler, type CommandSpec } from './spec.js';
import { IN_ORDER } from './window.js';

const filldown: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, NO_OPTIONS);
  const words = args.words().map((w) => w.value);
  const names = words.length ? expandNames(rel, words, true, b) : visibleFields(rel);
  return assign(rel, b, names.map((n) => {
    const value = fieldRef(n, { rel, b });
    const last = aggregate('last_value_ignore_nulls', [value], value.type, { over: { partition: [], order: IN_ORDER, frame: { start: null, end: 0 } } });
    return [n, call('coalesce', [value, last], value.type)];
  }));
};

export const FILLDOWN: CommandSpec[] = [
  {
    name: 'filldown',
    options: NO_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Fills a missing value with the last value before it (every field when none is named)', example: '* | table _time user src | filldown user' },
    build: filldown,
  },
];
