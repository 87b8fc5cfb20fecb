// foreach: runs a templated subsearch once per field of a wildcard field list, the template's
// placeholders replaced by the field's name and the parts the wildcards matched.
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/foreach
// The replacement is textual, as in Splunk: `<<FIELD>>` becomes the name as written, so a name
// holding characters an eval name cannot (a dash, a space) needs quotes in the template
// (`'<<FIELD>>'`), as Splunk's usage notes say. The fields are those the search has at that point:
// over events, every top-level key, nested path (`userIdentity.*`) and add-on field some row has,
// in name order; after a transforming command, the fields it made, in their order.
import type { Arg, Command, Span } from '../../../grammar/ast.js';
import { parse } from '../../../grammar/parser.js';
import { Args, describe } from '../args.js';
import type { Builder } from '../builder.js';
import { generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { matchingFields, wildcardRegex } from './wildcards.js';

const COLLECTIONS = 'only mode=multifield (a wildcard field list) is supported: expand a multivalue field with mvexpand, or use mvmap';

const FOREACH_OPTIONS: Options = {
  mode: 'text',
  fieldstr: 'text',
  matchstr: 'text',
  matchseg1: 'text',
  matchseg2: 'text',
  matchseg3: 'text',
  itemstr: { unsupported: COLLECTIONS },
  iterstr: { unsupported: COLLECTIONS },
};

/** The placeholders of multifield mode: option name and default text. */
const PLACEHOLDERS = [
  ['fieldstr', '<<FIELD>>'],
  ['matchstr', '<<MATCHSTR>>'],
  ['matchseg1', '<<MATCHSEG1>>'],
  ['matchseg2', '<<MATCHSEG2>>'],
  ['matchseg3', '<<MATCHSEG3>>'],
] as const;

interface Replacement {
  /** Offset in the template text. */
  at: number;
  length: number;
  text: string;
}

/** Every occurrence of the placeholders in the template, leftmost (then longest) first. */
function occurrences(template: string, placeholders: { text: string; value: (i: number) => string }[]): { at: number; length: number; which: number }[] {
  const found: { at: number; length: number; which: number }[] = [];
  for (let i = 0; i < template.length; ) {
    let best = -1;
    placeholders.forEach((p, k) => {
      if (p.text && template.startsWith(p.text, i) && (best < 0 || p.text.length > placeholders[best]!.text.length)) best = k;
    });
    if (best < 0) {
      i++;
      continue;
    }
    found.push({ at: i, length: placeholders[best]!.text.length, which: best });
    i += placeholders[best]!.text.length;
  }
  return found;
}

/** The template with the replacements made, and a map from offsets in it back to the template's. */
function substitute(template: string, replacements: Replacement[]): { text: string; back: (offset: number) => number } {
  let text = '';
  let from = 0;
  const marks: { start: number; end: number; at: number; length: number }[] = [];
  for (const r of replacements) {
    text += template.slice(from, r.at);
    marks.push({ start: text.length, end: text.length + r.text.length, at: r.at, length: r.length });
    text += r.text;
    from = r.at + r.length;
  }
  text += template.slice(from);
  const back = (offset: number): number => {
    let shift = 0;
    for (const m of marks) {
      if (offset < m.start) break;
      if (offset < m.end) return m.at;
      shift = m.at + m.length - m.end;
    }
    return offset + shift;
  };
  return { text, back };
}

/** Spans of a parsed template, moved from the substituted text to the search's text. */
function remap<T>(node: T, move: (offset: number) => number): T {
  if (Array.isArray(node)) return node.map((n) => remap(n, move)) as T;
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 2 && typeof o.start === 'number' && typeof o.end === 'number') {
    const start = move(o.start);
    return { start, end: Math.max(start, move(o.end - 1) + 1) } as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = remap(o[k], move);
  return out as T;
}

/**
 * The template's commands with the replacements made, spans in the search's text. The template is
 * read as the commands of a pipeline (`[eval ...]`, `[eval ... | where ...]`).
 */
function templateCommands(template: string, base: number, replacements: Replacement[], b: Builder, at: Span): Command[] {
  const { text, back } = substitute(template, replacements);
  const lead = '| ';
  const result = parse(lead + text);
  const move = (offset: number) => base + back(Math.max(0, offset - lead.length));
  if (!result.pipeline) {
    const d = result.diagnostics[0]!;
    throw b.err(d.code, `in the foreach template: ${d.message}`, remap(d.span, move), [...(d.expected ? [`expected ${d.expected.join(', ')}`] : []), ...(d.hints ?? [])]);
  }
  if (result.pipeline.commands.length === 0) throw b.err('bad-argument', 'the foreach template is empty: give the commands to run for each field, e.g. [eval <<FIELD>> = <<FIELD>> * 2]', at);
  return remap(result.pipeline.commands, move);
}

const foreach: CommandCompiler = (cmd, rel, b) => {
  const args = new Args(generic(cmd, b), b, FOREACH_OPTIONS);
  const mode = args.options.get('mode');
  if (mode && mode.value.toLowerCase() !== 'multifield') {
    throw b.err('bad-argument', `foreach mode=${mode.value} is not supported yet: ${COLLECTIONS}`, mode.span);
  }
  const templates = args.items.filter((a): a is Extract<Arg, { kind: 'template' }> => a.kind === 'template');
  if (templates.length !== 1) {
    throw b.err('bad-argument', templates.length ? 'foreach takes one template' : 'foreach needs a template in brackets: foreach <fields> [eval <<FIELD>> = ...]', templates[1]?.span ?? cmd.span);
  }
  const template = templates[0]!;
  const patterns: { value: string; span: Span }[] = [];
  for (const a of args.items) {
    if (a.kind === 'template') continue;
    if (a.kind !== 'word') throw b.err('bad-argument', `expected a field name or wildcard before the template, found ${describe(a)}`, a.span);
    if (a.span.start > template.span.start) throw b.err('bad-argument', `the fields come before the template: ${JSON.stringify(a.value)}`, a.span);
    patterns.push({ value: a.value, span: a.span });
  }
  if (patterns.length === 0) throw b.err('bad-argument', 'foreach needs the fields to run the template for (wildcards allowed: foreach count* [...])', cmd.nameSpan);
  const placeholders = PLACEHOLDERS.map(([key, text]) => ({ key, text: args.option(key) ?? text }));
  // Checked once with the placeholders as names of their own length: an error in the template
  // shows its caret even when no field matches.
  const base = template.span.start + 1;
  const found = occurrences(template.text, placeholders.map((p) => ({ text: p.text, value: () => '' })));
  templateCommands(template.text, base, found.map((f) => ({ at: f.at, length: f.length, text: 'x'.repeat(f.length) })), b, template.span);

  let out = rel;
  const done = new Set<string>();
  for (const p of patterns) {
    const fields = p.value.includes('*') ? matchingFields(rel, p.value, true, b) : [p.value];
    const re = wildcardRegex(p.value);
    for (const field of fields) {
      if (done.has(field)) continue;
      done.add(field);
      const segments = re.exec(field)?.slice(1) ?? [];
      const values = [field, segments.join(''), segments[0] ?? '', segments[1] ?? '', segments[2] ?? ''];
      const replacements = found.map((f) => ({ at: f.at, length: f.length, text: values[f.which]! }));
      out = b.compileCommands(templateCommands(template.text, base, replacements, b, template.span), out);
    }
  }
  return out;
};

export const FOREACH: CommandSpec[] = [
  {
    name: 'foreach',
    options: FOREACH_OPTIONS,
    rowPreserving: false,
    reference: {
      section: 'Fields and values',
      summary: 'Runs a template once per field of a wildcard list, `<<FIELD>>`, `<<MATCHSTR>>` and `<<MATCHSEG1>>`..`<<MATCHSEG3>>` replaced (mode=multifield; `fieldstr=`, `matchstr=`, `matchseg1=`.. rename them)',
      example: '* | stats count(eval(errorCode="success")) as ok_n count as all_n by eventName | foreach *_n [eval <<MATCHSTR>>_share = round(<<FIELD>> / all_n, 2)]',
    },
    build: foreach,
  },
];
