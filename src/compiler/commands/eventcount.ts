// eventcount: how many events the indexes hold
// (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/eventcount).
// Here an index is the name the events were loaded under (`--index NAME`, one per loaded source;
// the `index` field of every event), and the count is of the events loaded into this session: the
// files given to --data, after any --dedup-events. As in Splunk, the search's time range does not
// apply: every loaded event of the index is counted (with a time range spelunk reads only the
// files in it, so eventcount refuses one). summarize=f gives a row per index.
import { Args } from '../args.js';
import { made } from '../builder.js';
import { eventFields } from '../events.js';
import { aggregate, call, column, int, type Expr } from '../ir/expr.js';
import { wildcardMatch } from '../patterns.js';
import type { FieldInfo } from '../types.js';
import { generic, rowNumber } from './relation.js';
import type { CommandCompiler, CommandSpec, Options } from './spec.js';
import { INTERNAL } from '../ir/origin.js';

const OPTIONS: Options = {
  index: 'text',
  summarize: 'bool',
  report_size: { unsupported: 'index sizes on disk are Splunk\'s; spelunk counts loaded events' },
  list_vix: { ignored: 'there are no virtual indexes' },
};

const eventcount: CommandCompiler = (cmd, _rel, b) => {
  const g = generic(cmd, b);
  const args = new Args(g, b, OPTIONS);
  // The engine reads only the files a time range selects: the count would be of some of them.
  if (b.options.earliest !== undefined || b.options.latest !== undefined) {
    throw b.err('bad-argument', 'eventcount counts every loaded event whatever the time range, as in Splunk; with a time range spelunk reads only the files in it: run eventcount without --earliest/--latest (or :time)', cmd.nameSpan);
  }
  if (args.words().length) throw b.err('bad-argument', 'eventcount takes only options (index=, summarize=)', args.words()[0]!.span);
  // index= may be given several times; each may hold wildcards.
  const patterns = g.args.flatMap((a) => (a.kind === 'option' && a.key.toLowerCase() === 'index' && a.value.kind === 'word' ? [a.value.value] : []));
  const index = column('index', 'string');
  const where: Expr[] = patterns.length ? [patterns.map((p) => wildcardMatch(index, p)).reduce((x, y) => call('or', [x, y], 'bool'))] : [];
  const events = b.step({ kind: 'events', where }, { fields: eventFields(), raw: true, removed: new Set() });
  const count = aggregate('count_star', [], 'number');
  const seq: FieldInfo = { type: 'number', origin: INTERNAL };
  if (args.bool('summarize', true)) {
    return b.step({ kind: 'aggregate', input: events.id, groups: [], aggregates: [{ name: 'count', expr: count }, { name: '__seq', expr: int(1) }] },
      { fields: new Map([['count', made('number')], ['__seq', seq]]), raw: false, removed: new Set() });
  }
  const grouped = b.step({ kind: 'aggregate', input: events.id, groups: [{ name: 'index', expr: index }], aggregates: [{ name: 'count', expr: count }] },
    { fields: new Map([['count', made('number')], ['index', made('string')]]), raw: false, removed: new Set() });
  return b.step({ kind: 'extend', input: grouped.id, columns: [{ name: '__seq', expr: rowNumber([{ expr: column('index', 'string'), desc: false, nulls: 'last' }]) }] },
    { fields: new Map([...grouped.fields, ['__seq', seq]]), raw: false, removed: new Set() });
};

export const EVENTCOUNT: CommandSpec[] = [
  {
    name: 'eventcount',
    options: OPTIONS,
    generating: true,
    transforming: true,
    rowPreserving: false,
    reference: { section: 'Combining searches and making results', summary: 'The number of loaded events (all of them, whatever the time range), in the indexes named (`index=`, wildcards); `summarize=f`: one row per index', example: '| eventcount summarize=f index=*' },
    build: eventcount,
  },
];
