// What a hunt prints: one section per search (or one JSON object per search, in one shape for
// queries/, content and rules), then who is behind the hits; and the content listing of
// `spelunk queries --content/--rules`.
import type { ContentSet, HuntSearch } from '../engine/content/index.js';
import type { PrincipalSummary } from '../engine/content/principals.js';
import type { SearchOutcome } from '../engine/content/runner.js';
import type { Row } from '../engine/types.js';
import { displayValues, formatTime, jsonRow, renderTable } from './format.js';
import { write } from './common.js';
import { visible, visibleLines } from './terminal-text.js';

/**
 * A table when it fits the terminal; otherwise one block per result with a `field  value` line
 * per non-empty field (hunt results have many wide columns: ARNs, user agents).
 */
export function renderWide(columns: string[], rows: Row[], width: number): string {
  const table = renderTable(columns, rows);
  const widest = Math.max(...table.split('\n').map((l) => l.length));
  if (widest <= width) return table;
  const label = Math.max(...columns.map((c) => visible(c).length));
  const valueWidth = Math.max(20, width - label - 2);
  const out: string[] = [];
  rows.forEach((row, i) => {
    out.push(`--- result ${i + 1} ${'-'.repeat(Math.max(0, Math.min(width, label + 40) - 12 - String(i + 1).length))}`);
    for (const c of columns) {
      displayValues(c, row[c] ?? null).forEach((text, k) => {
        const clipped = text.length > valueWidth ? text.slice(0, valueWidth - 1) + '…' : text;
        out.push(`${(k === 0 ? visible(c) : '').padEnd(label)}  ${clipped}`);
      });
    }
  });
  return out.join('\n') + '\n';
}

/** One search's result, the same keys whatever the search came from. */
export function outcomeJson(o: SearchOutcome): Record<string, unknown> {
  const s = o.search;
  return {
    id: s.id,
    title: s.title,
    type: s.type,
    source: s.source,
    file: s.file,
    mitre: s.mitre,
    level: s.level,
    score: s.score,
    count: o.rows.length,
    ...(o.truncated ? { truncated: true } : {}),
    ...(o.notes ? { notes: o.notes } : {}),
    ...(o.cost ? { cost: o.cost } : {}),
    ...(o.error !== undefined ? { error: o.error } : {}),
    results: o.rows.map((row) => jsonRow(o.columns, row)),
  };
}

export function writeHuntText(outcomes: SearchOutcome[], principals: PrincipalSummary[], maxRows: number | undefined, width: number): void {
  for (const o of outcomes) {
    const count = o.error
      ? o.search.refused ? 'refused' : 'failed'
      : `${o.rows.length} result${o.rows.length === 1 ? '' : 's'}${o.truncated ? ` (stopped at --max-rows ${maxRows})` : ''}`;
    const where = o.search.source === 'queries' || o.search.type === 'baseline' ? '' : ` ${o.search.level}${o.search.mitre.length ? ` ${o.search.mitre.join(' ')}` : ''}`;
    // Titles, ids and errors come from third-party content and quote the data.
    write(visibleLines(`== ${o.search.title} [${o.search.type}: ${o.search.id}${where}]: ${count}`) + '\n');
    for (const n of o.notes ?? []) write(`   ${visibleLines(`note: ${n}`)}\n`);
    for (const c of o.cost ?? []) write(`   cost: ${visibleLines(c)}\n`);
    if (o.error) write(`   ${visibleLines(o.error)}\n`);
    else if (o.rows.length) write(renderWide(o.columns, o.rows, width));
    write('\n');
  }
  if (principals.length) write(principalsText(principals, width));
}

/** Who is behind the hits, highest score first. */
function principalsText(principals: PrincipalSummary[], width: number): string {
  const rows: Row[] = principals.map((p) => ({
    score: p.score,
    principal: p.principal,
    results: p.results,
    first: p.first === null ? null : formatTime(p.first, 'human'),
    last: p.last === null ? null : formatTime(p.last, 'human'),
    techniques: p.techniques,
    searches: p.searches,
  }));
  return `== Who is behind the hits (score: the sum of the scores of the searches that hit; ${LEVEL_NOTE})\n` + renderWide(['score', 'principal', 'results', 'first', 'last', 'techniques', 'searches'], rows, width);
}

const LEVEL_NOTE = 'informational 5, low 25, medium 50, high 75, critical 100, or the content\'s own risk score';

function status(s: HuntSearch): string {
  return s.refused ? `refused: ${s.refused}` : 'runs';
}

/** `spelunk queries --content/--rules`: every search the content gives, with what it needs. */
export function listContent(set: ContentSet, format: 'table' | 'json'): void {
  const all = [...set.baselines, ...set.searches];
  if (format === 'json') {
    const out = all.map((s) => ({ id: s.id, title: s.title, type: s.type, source: s.source, file: s.file, mitre: s.mitre, level: s.level, score: s.score, ...(s.needs.length ? { needs: s.needs } : {}), ...(s.refused ? { refused: s.refused } : {}), spl: s.spl ?? null }));
    write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const rows: Row[] = all.map((s) => ({ id: s.id, type: s.type, level: s.level, mitre: s.mitre, title: s.title, status: status(s) }));
  write(renderTable(['id', 'type', 'level', 'mitre', 'title', 'status'], rows, 80));
}
