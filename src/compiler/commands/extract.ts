// Commands that read fields out of others: rex (regular expressions), spath (JSON), makemv and
// mvexpand (multivalue fields).
import type { Span } from '../../../grammar/ast.js';
import { Args } from '../args.js';
import { made, withFields, type Builder } from '../builder.js';
import { toString } from '../build/coerce.js';
import { fieldRef, priorValue } from '../expr.js';
import { call, caseOf, column, int, lit, nullOf, type Expr } from '../ir/expr.js';
import { extractPath } from '../library/eval-call.js';
import type { Compiled, Relation } from '../types.js';
import { type CommandCompiler, type CommandSpec, type Options } from './spec.js';
import { assign, generic, regexOrFail, rowNumber, SEQ } from './relation.js';
import { uncaptured } from '../regex.js';
import { INTERNAL } from '../ir/origin.js';

const REX_OPTIONS: Options = {
  field: 'text',
  max_match: 'int',
  mode: ['sed'],
  offset_field: { unsupported: 'match offsets are not recorded' },
};
const SPATH_OPTIONS: Options = { input: 'text', output: 'text', path: 'text' };
const MVEXPAND_OPTIONS: Options = { limit: 'int' };
const MAKEMV_OPTIONS: Options = {
  delim: 'text',
  tokenizer: 'text',
  allowempty: 'bool',
  setsv: { unsupported: 'setsv=true keeps a single value; spelunk always makes the multivalue field' },
};

const rex: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, REX_OPTIONS);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'rex takes one quoted regular expression', words[1]?.span ?? cmd.span);
  const field = args.option('field') ?? '_raw';
  const source = fieldRef(field, { rel, b });
  const text = toString(source);
  if ((args.option('mode') ?? '').toLowerCase() === 'sed') return rexSed(rel, b, field, source, words[0]!.value, words[0]!.span);
  const re = regexOrFail(b, words[0]!.value, words[0]!.span);
  const maxMatch = args.int('max_match', 1);
  const named = re.groups.map((name, i) => [name, i + 1] as const).filter(([name]) => name !== null) as [string, number][];
  if (named.length === 0) throw b.err('bad-argument', 'rex needs at least one named group such as (?<user>[^/]+)', words[0]!.span);
  const pat = lit(re.pattern);
  const values: [string, Compiled][] = named.map(([name, index]) => {
    if (maxMatch === 1) {
      // No match leaves the field as it was, as in Splunk.
      const previous = priorValue(name, { rel, b });
      const keep = previous.type === 'unknown' ? nullOf('string') : toString(previous);
      return [name, b.vars.share(text, (t) => caseOf([{ when: call('regexp_matches', [t, pat], 'bool'), then: call('regexp_extract', [t, pat, int(index)], 'string') }], keep, 'string'))];
    }
    const all = call('regexp_extract_all', [text, pat, int(index)], 'mv');
    return [name, call('null_if_empty', [maxMatch === 0 ? all : call('list_slice', [all, int(1), int(maxMatch)], 'mv')], 'mv')];
  });
  return assign(rel, b, values);
};

function rexSed(rel: Relation, b: Builder, field: string, source: Compiled, expr: string, span: Span): Relation {
  const m = /^([sy])(.)(.*)$/s.exec(expr);
  if (!m) throw b.err('bad-argument', 'mode=sed takes "s/regex/replacement/flags" or "y/from/to/"', span);
  const [, kind, delim, rest] = m;
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < rest!.length; i++) {
    const ch = rest![i]!;
    if (ch === '\\' && rest![i + 1] === delim) { cur += delim; i++; continue; }
    if (ch === delim) { parts.push(cur); cur = ''; continue; }
    cur += ch;
  }
  parts.push(cur);
  if (parts.length < 2) throw b.err('bad-argument', `incomplete sed expression ${JSON.stringify(expr)}`, span);
  const text = toString(source);
  if (kind === 'y') return assign(rel, b, [[field, call('translate', [text, lit(parts[0]!), lit(parts[1]!)], 'string')]]);
  const re = regexOrFail(b, parts[0]!, span);
  const flags = parts[2] ?? '';
  // Splunk's flags: g (every match) or a number (that match only), and i here; `s/a/b/2` replaced
  // the first match, and other letters were dropped, in silence.
  const nth = /\d+/.exec(flags)?.[0];
  const unknown = flags.replace(/\d+/g, '').replace(/[gi]/g, '');
  if (unknown) throw b.err('bad-argument', `mode=sed has no flag ${JSON.stringify(unknown[0])}: its flags are g (every match), i (any case) and a match number`, span);
  const replacement = parts[1]!.replace(/\$(\d)/g, '\\$1');
  if (nth !== undefined && Number(nth) > 1) {
    if (flags.includes('g')) throw b.err('bad-argument', `mode=sed takes g (every match) or a match number, not both (${flags})`, span);
    return assign(rel, b, [[field, nthReplaced(b, text, re.pattern, replacement, Number(nth), flags.includes('i'), span)]]);
  }
  const mode = (flags.includes('g') ? 'g' : '') + (flags.includes('i') ? 'i' : '');
  return assign(rel, b, [[field, call('regexp_replace', [text, lit(re.pattern), lit(replacement), lit(mode)], 'string')]]);
}

/**
 * `s/re/repl/N`: the Nth match replaced (rex page: a number flag replaces that match only), found
 * as a global scan finds it: one pattern anchored at the start whose first group is the text up
 * to it, `(?s:.*?)` and a match N-1 times and then `(?s:.*?)`. Its first choice at each step is the
 * scan's (the nearest match, then the match the pattern prefers there), so when the scan finds N
 * matches it is the scan's path; with fewer the pattern could still match by choosing shorter
 * matches, so the text is then left as it is. Matches are read in the whole text, so ^ and \b
 * mean what they mean for the scan. RE2 reads \0-\9 only: a group past 7 cannot be named.
 * https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
 */
function nthReplaced(b: Builder, text: Expr, pattern: string, replacement: string, n: number, anyCase: boolean, span: Span): Expr {
  if (n > 1000) throw b.err('bad-argument', `mode=sed replaces a match up to the 1000th, not the ${n}th`, span);
  let repl = '\\1';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i]!;
    const next = replacement[i + 1];
    if (ch === '\\' && next !== undefined && /\d/.test(next)) {
      const group = Number(next) + 2;
      if (group > 9) throw b.err('bad-argument', `mode=sed's replacement names group ${next}: with a match number, groups 1 to 7 only`, span);
      repl += `\\${group}`;
      i++;
      continue;
    }
    if (ch === '\\' && next !== undefined) { repl += ch + next; i++; continue; }
    repl += ch;
  }
  const flag = anyCase ? '(?i)' : '';
  const skip = '(?s:.*?)';
  const whole = `^${flag}((?:${skip}(?:${uncaptured(pattern)})){${n - 1}}${skip})(${pattern})`;
  return b.vars.share(text, (t) => caseOf(
    [{ when: call('ge', [call('len', [call('regexp_extract_all', [t, lit(flag + pattern), int(0)], 'mv')], 'int'), int(n)], 'bool'), then: call('regexp_replace', [t, lit(whole), lit(repl)], 'string') }],
    t, 'string',
  ));
}

const spath: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, SPATH_OPTIONS);
  const words = args.words();
  const path = args.option('path') ?? words[0]?.value;
  const input = args.option('input') ?? '_raw';
  // Without a path, spath extracts every field; loaded events already expose every path of
  // their own _raw. Any other input would need fields named by the data: refuse, never ignore.
  if (!path) {
    if (input === '_raw' && rel.raw) return rel;
    throw b.err('bad-argument', `spath input=${input} without path= is not supported yet: name the path (spath input=${input} path=a.b output=x)`, cmd.span);
  }
  const output = args.option('output') ?? path;
  const source = input === '_raw' && rel.raw ? column('_raw', 'string') : fieldRef(input, { rel, b });
  return assign(rel, b, [[output, extractPath(toString(source), path)]]);
};

const mvexpand: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, MVEXPAND_OPTIONS);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'mvexpand takes one field', cmd.span);
  const name = words[0]!.value;
  const c = fieldRef(name, { rel, b });
  // A result without the field is dropped, as when it has no values (Splunk's mvexpand; the
  // misp42splunk saved search keeps such rows by filling the field first, remg427/misp42splunk#127).
  if (c.type !== 'mv') return b.step({ kind: 'filter', input: rel.id, condition: call('is_not_null', [c], 'bool') });
  const limit = args.int('limit', 0);
  const list = limit > 0 ? call('list_slice', [c, int(1), int(limit)], 'mv') : c;
  // Each value becomes its own row, in the original row's place.
  const fields = withFields(rel, [[name, made('string')]]);
  const expanded = b.step(
    { kind: 'unnest', input: rel.id, column: name, list, ordinal: '__sub' },
    { fields: withFields({ ...rel, fields }, [['__sub', { type: 'number', origin: INTERNAL }]]), raw: rel.raw, removed: rel.removed },
  );
  const order = [{ expr: SEQ, desc: false, nulls: 'last' as const }, { expr: column('__sub', 'number'), desc: false, nulls: 'last' as const }];
  return b.step({ kind: 'extend', input: expanded.id, columns: [{ name: '__seq', expr: rowNumber(order) }], drop: ['__sub'] }, { fields, raw: rel.raw, removed: rel.removed });
};

const makemv: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, MAKEMV_OPTIONS);
  const words = args.words();
  if (words.length !== 1) throw b.err('bad-argument', 'makemv takes one field', cmd.span);
  const name = words[0]!.value;
  const text = toString(fieldRef(name, { rel, b }));
  const tokenizer = args.option('tokenizer');
  let list: Expr;
  if (tokenizer) {
    const re = regexOrFail(b, tokenizer, args.options.get('tokenizer')!.span);
    list = call('regexp_extract_all', [text, lit(re.pattern), int(re.groups.length > 0 ? 1 : 0)], 'mv');
  } else {
    list = call('string_split', [text, lit(args.option('delim') ?? ' ')], 'mv');
    if (!args.bool('allowempty', false)) list = call('list_filter', [list, b.vars.lambda('string', (v) => call('ne', [v, lit('')], 'bool'))], 'mv');
  }
  // A null text stays null (string_split would give an empty list).
  return assign(rel, b, [[name, caseOf([{ when: call('is_null', [text], 'bool'), then: nullOf('mv') }], list, 'mv')]]);
};

export const EXTRACT: CommandSpec[] = [
  {
    name: 'rex',
    options: REX_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Extracts fields with named groups, or edits with `mode=sed`', example: '* | rex field=userAgent "^(?<agent>[^/]+)/"' },
    build: rex,
  },
  {
    name: 'spath',
    options: SPATH_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Reads a path out of a JSON field', example: '* | spath input=requestParameters path=roleArn output=role' },
    build: spath,
  },
  {
    name: 'makemv',
    options: MAKEMV_OPTIONS,
    rowPreserving: true,
    reference: { section: 'Fields and values', summary: 'Splits a text field into a multivalue field', example: '* | eval ids="a,b" | makemv delim="," ids' },
    build: makemv,
  },
  {
    name: 'mvexpand',
    options: MVEXPAND_OPTIONS,
    rowPreserving: false,
    reference: { section: 'Fields and values', summary: 'One result per value of a multivalue field', example: '* | mvexpand resources{}.ARN' },
    build: mvexpand,
  },
];
