// `spelunk queries` (list the saved searches in queries/) and `spelunk hunt` (run every hunting
// search and detection over the data, one section per search).
import { SplError } from '../../grammar/diagnostics.js';
import { EngineError } from '../engine/engine.js';
import { listQueries, type SavedQuery } from '../engine/queries.js';
import type { Row } from '../engine/types.js';
import { flag, has, parseArgs, UsageError } from './args.js';
import { cellValues, jsonRow, renderTable } from './format.js';
import { COMMON_FLAGS, incompleteLoad, loadData, note, openEngine, runOptions, USAGE, write } from './main.js';

type ListFormat = 'table' | 'json';

function listFormat(value: string | undefined): ListFormat {
  const f = value ?? 'table';
  if (f !== 'table' && f !== 'json') throw new UsageError(`--format must be table or json here, not ${f}`);
  return f;
}

function describeQuery(q: SavedQuery): Record<string, unknown> {
  return {
    id: q.id,
    type: q.type,
    title: q.title,
    parameters: q.parameters,
    description: q.description,
    ...(q.mitre ? { mitre: q.mitre } : {}),
    fields: q.fields,
    ...(q.falsePositives ? { false_positives: q.falsePositives } : {}),
    file: q.file,
  };
}

const TYPE_ORDER = ['hunting', 'detection', 'baseline', 'investigation'];

function byType(a: SavedQuery, b: SavedQuery): number {
  return TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) || a.id.localeCompare(b.id);
}

async function queriesCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { format: { kind: 'one' }, help: { kind: 'bool' } });
  if (has(args, 'help')) return write(USAGE), 0;
  if (args.positionals.length) throw new UsageError('queries takes no arguments');
  const format = listFormat(flag(args, 'format'));
  const queries = listQueries().sort(byType);
  if (format === 'json') {
    write(JSON.stringify(queries.map(describeQuery), null, 2) + '\n');
    return 0;
  }
  const rows: Row[] = queries.map((q) => ({ id: q.id, type: q.type, title: q.title, parameters: q.parameters.map((p) => p.name) }));
  write(renderTable(['id', 'type', 'title', 'parameters'], rows, 80));
  return 0;
}

/** Default width when stdout is not a terminal (a file, a pipe, a CI log). */
const DEFAULT_WIDTH = 160;

/**
 * A table when it fits the terminal; otherwise one block per result with a `field  value` line
 * per non-empty field (hunt results have many wide columns: ARNs, user agents).
 */
export function renderWide(columns: string[], rows: Row[], width: number): string {
  const table = renderTable(columns, rows);
  const widest = Math.max(...table.split('\n').map((l) => l.length));
  if (widest <= width) return table;
  const label = Math.max(...columns.map((c) => c.length));
  const valueWidth = Math.max(20, width - label - 2);
  const out: string[] = [];
  rows.forEach((row, i) => {
    out.push(`--- result ${i + 1} ${'-'.repeat(Math.max(0, Math.min(width, label + 40) - 12 - String(i + 1).length))}`);
    for (const c of columns) {
      const values = cellValues(c, row[c] ?? null);
      values.forEach((v, k) => {
        const text = v.replace(/[\r\n\t]+/g, ' ');
        const clipped = text.length > valueWidth ? text.slice(0, valueWidth - 1) + '…' : text;
        out.push(`${(k === 0 ? c : '').padEnd(label)}  ${clipped}`);
      });
    }
  });
  return out.join('\n') + '\n';
}

interface HuntResult {
  query: SavedQuery;
  columns: string[];
  rows: Row[];
  truncated?: boolean;
  error?: string;
}

async function huntCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...COMMON_FLAGS, 'fail-on-hits': { kind: 'bool' } });
  if (has(args, 'help')) return write(USAGE), 0;
  if (args.positionals.length) throw new UsageError(`hunt takes no search (it runs the hunting searches in queries/); found ${JSON.stringify(args.positionals[0])}`);
  const format = listFormat(flag(args, 'format'));
  const opts = runOptions(args);
  const queries = listQueries().filter((q) => q.type === 'hunting' || q.type === 'detection').sort(byType);
  const engine = await openEngine(args);
  const results: HuntResult[] = [];
  let report: Awaited<ReturnType<typeof loadData>> = null;
  try {
    report = await loadData(engine, args);
    if (!report) note('note: no --data given, so the searches see no events', args);
    for (const query of queries) {
      try {
        const result = await engine.run(query.spl, opts);
        results.push({ query, columns: result.columns, rows: result.rows, truncated: result.truncated });
      } catch (err) {
        // One broken search (say, a local macro edit) must not hide the others' results.
        if (!(err instanceof SplError || err instanceof EngineError)) throw err;
        results.push({ query, columns: [], rows: [], error: err.message });
      }
    }
  } finally {
    engine.close();
  }
  if (format === 'json') {
    const out = results.map((r) => ({
      id: r.query.id,
      type: r.query.type,
      title: r.query.title,
      count: r.rows.length,
      ...(r.truncated ? { truncated: true } : {}),
      ...(r.error ? { error: r.error } : {}),
      results: r.rows.map((row) => jsonRow(r.columns, row)),
    }));
    write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const width = process.stdout.isTTY ? process.stdout.columns : DEFAULT_WIDTH;
    for (const r of results) {
      const count = r.error
        ? 'failed'
        : `${r.rows.length} result${r.rows.length === 1 ? '' : 's'}${r.truncated ? ` (stopped at --max-rows ${opts.maxRows})` : ''}`;
      write(`== ${r.query.title} [${r.query.type}: ${r.query.id}]: ${count}\n`);
      if (r.error) write(`   ${r.error}\n`);
      else if (r.rows.length) write(renderWide(r.columns, r.rows, width));
      write('\n');
    }
  }
  const failed = results.filter((r) => r.error);
  const hits = results.filter((r) => r.query.type === 'detection' && r.rows.length > 0);
  note(`${results.length} searches, ${results.reduce((n, r) => n + r.rows.length, 0)} results; detections with results: ${hits.length ? hits.map((r) => r.query.id).join(', ') : 'none'}${failed.length ? `; failed: ${failed.map((r) => r.query.id).join(', ')}` : ''}`, args);
  if (failed.length) return 1;
  // A gate that passes over evidence it could not read would pass for the wrong reason.
  const incomplete = report !== null && has(args, 'fail-on-hits') && incompleteLoad(report);
  return has(args, 'fail-on-hits') && (hits.length || incomplete) ? 1 : 0;
}

export { huntCommand, queriesCommand };
