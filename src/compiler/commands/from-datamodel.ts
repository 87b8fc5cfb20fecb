// `| from datamodel:<Model>.<Dataset>` and `| datamodel <Model> <Dataset> search|flat`: the events
// of a CIM data model dataset (datamodels.ts), with the dataset's fields. Splunk's `from` gives
// the fields by their own names (`action`, `user`), as `datamodel ... flat` does; `datamodel ...
// search` names them as tstats does (`Authentication.user`). Both read the events the dataset's
// constraints (and its ancestors') select, as tstats over the same dataset counts them.
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/from
// https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/datamodel
import type { Arg, Span } from '../../../grammar/ast.js';
import { Args, describe } from '../args.js';
import type { Builder } from '../builder.js';
import { qualifiedName } from '../datamodels.js';
import type { Relation } from '../types.js';
import { eventsRelation } from '../events.js';
import { lit } from '../ir/expr.js';
import { datasetEvents, fieldValue, resolveTarget, unmappedModel } from './model-dataset.js';
import { assign, generic } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';

const SUMMARIES = { ignored: 'every search reads the events; there are no summaries' } as const;
const DATAMODEL_OPTIONS: Options = { allow_old_summaries: SUMMARIES, summariesonly: SUMMARIES };

/**
 * The events of the dataset `name` (`Model.Dataset`) with its fields: by their own names (`flat`),
 * or as tstats names them (`search`). A CIM model spelunk does not map has no events, with a note.
 */
function datasetRows(name: string, span: Span, b: Builder, mode: 'flat' | 'search'): Relation {
  if (unmappedModel(name, b)) return eventsRelation(b, lit(false));
  const target = resolveTarget(name, span, b);
  const base = datasetEvents(target, b);
  const values = target.datasets.flatMap((d) => d.fields
    // A field the model takes as it is (no fill) is the event's own field already, under its own name.
    .filter((f) => mode === 'search' || f.calc !== undefined)
    .map((f): [string, ReturnType<typeof fieldValue>] => [mode === 'search' ? qualifiedName(target.model, d, f) : f.name, fieldValue(target, { dataset: d, field: f }, base, b)]));
  return values.length ? assign(base, b, values) : base;
}

/** Adjacent words as one (`datamodel:"Change"."Auditing_Changes"` comes as three), with their span. */
function joinedWords(items: Arg[], b: Builder): { text: string; span: Span }[] {
  const out: { text: string; span: Span }[] = [];
  for (const a of items) {
    if (a.kind !== 'word') throw b.err('bad-argument', `expected a dataset (datamodel:<Model>.<Dataset>), found ${describe(a)}`, a.span);
    const last = out[out.length - 1];
    if (last && last.span.end === a.span.start) {
      last.text += a.value;
      last.span = { start: last.span.start, end: a.span.end };
    } else {
      out.push({ text: a.value, span: a.span });
    }
  }
  return out;
}

const EXAMPLE = '| from datamodel:Authentication.Failed_Authentication';

const from: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  if (rel.name !== 'none') throw b.err('bad-argument', `from makes its own results: start the search with it (${EXAMPLE})`, cmd.nameSpan);
  const args = new Args(g, b, {});
  const words = joinedWords(args.items, b);
  // `datamodel:<name>` or `datamodel <name>` (Splunk takes a colon or a space).
  const first = words[0];
  if (!first) throw b.err('bad-argument', `from needs a dataset: ${EXAMPLE}`, cmd.span);
  const colon = first.text.indexOf(':');
  const type = (colon >= 0 ? first.text.slice(0, colon) : first.text).toLowerCase();
  const named = colon >= 0 ? { text: first.text.slice(colon + 1), span: { start: first.span.start + colon + 1, end: first.span.end } } : words[1];
  const extra = words[colon >= 0 ? 1 : 2];
  if (extra) throw b.err('bad-argument', `unexpected ${JSON.stringify(extra.text)} after the dataset`, extra.span);
  if (type === 'lookup') throw b.err('bad-argument', 'from lookup:<name> is not supported: | inputlookup <name> reads a lookup', first.span);
  if (type === 'savedsearch') throw b.err('bad-argument', 'from savedsearch:<name> is not supported: spelunk runs saved searches with `spelunk run <name>` or :run', first.span);
  if (type !== 'datamodel') throw b.err('bad-argument', `from reads a data model dataset (${EXAMPLE}), not ${JSON.stringify(type)}`, first.span);
  if (!named || named.text === '') throw b.err('bad-argument', `from needs the data model dataset's name: ${EXAMPLE}`, first.span);
  return datasetRows(named.text, named.span, b, 'flat');
};

const datamodel: CommandCompiler = (cmd, rel, b) => {
  const g = generic(cmd, b);
  if (rel.name !== 'none') throw b.err('bad-argument', 'datamodel makes its own results: start the search with it (| datamodel <Model> <Dataset> search)', cmd.nameSpan);
  const args = new Args(g, b, DATAMODEL_OPTIONS);
  const words = args.words();
  const modeAt = words.findIndex((w) => !w.quoted && /^(search|flat|search_string|flat_string|acceleration_search|acceleration_search_string)$/i.test(w.value));
  const mode = modeAt >= 0 ? words[modeAt]!.value.toLowerCase() : undefined;
  if (mode !== 'search' && mode !== 'flat') {
    throw b.err('bad-argument', mode
      ? `datamodel ${mode} gives the search Splunk would run, which spelunk does not: use search or flat`
      : 'datamodel without search or flat gives the data model as JSON, which spelunk does not: add search (fields named Model.field) or flat', words[modeAt]?.span ?? cmd.span,
    ['| datamodel Authentication Failed_Authentication search']);
  }
  const names = words.slice(0, modeAt);
  if (names.length === 0) throw b.err('bad-argument', 'datamodel needs the data model (and dataset) before the mode: | datamodel Authentication Failed_Authentication search', words[modeAt]!.span);
  if (names.length > 2 || words.length > modeAt + 1) {
    const bad = names[2] ?? words[modeAt + 1]!;
    throw b.err('bad-argument', `unexpected ${JSON.stringify(bad.value)}: datamodel takes <Model> [<Dataset>] search|flat`, bad.span);
  }
  const span = { start: names[0]!.span.start, end: names[names.length - 1]!.span.end };
  return datasetRows(names.map((n) => n.value).join('.'), span, b, mode);
};

export const FROM_DATAMODEL: CommandSpec[] = [
  {
    name: 'from',
    options: {},
    generating: true,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'The events of a CIM data model dataset (Authentication, Change), with its fields by their own names; see [datamodels.md](datamodels.md)', example: `${EXAMPLE} | stats count by user` },
    build: from,
  },
  {
    name: 'datamodel',
    options: DATAMODEL_OPTIONS,
    keywords: ['search', 'flat'],
    generating: true,
    rowPreserving: false,
    reference: { section: 'Searching and filtering', summary: 'The events of a data model dataset: `search` names its fields as tstats does (`Authentication.user`), `flat` by their own names (as `from`)', example: '| datamodel Authentication Failed_Authentication search | stats count by Authentication.user' },
    build: datamodel,
  },
];
