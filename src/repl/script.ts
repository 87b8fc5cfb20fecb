// Script mode: standard input is not a terminal, so read searches (one per line, or separated by
// `;`; a line ending in `|` continues), print each result in the chosen format with no prompt and
// no colours, and fail (exit 1) if any search failed.
import { RowWriter, type OutputFormat } from '../cli/format.js';
import { visibleLines } from '../cli/terminal-text.js';
import { describeStats } from './field-stats.js';
import { rowEvent } from './result-view.js';
import type { Session } from './session.js';

/** Split a script into searches: newlines and `;` outside quotes and brackets end one. */
export function splitScript(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = false;
  let depth = 0;
  const end = () => {
    const s = cur.trim();
    if (s && !s.startsWith('#')) out.push(s);
    cur = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      cur += ch;
      if (ch === '\\' && i + 1 < text.length) cur += text[++i];
      else if (ch === '"') quote = false;
      continue;
    }
    if (ch === '"') quote = true;
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ';' && depth === 0) {
      end();
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      if (cur.trimEnd().endsWith('|') || depth > 0) {
        cur += '\n';
        continue;
      }
      // A comment line ends here without swallowing the next one.
      end();
      continue;
    }
    cur += ch;
  }
  end();
  return out;
}

export interface ScriptIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export async function runScript(session: Session, text: string, format: OutputFormat, io: ScriptIo): Promise<number> {
  let failed = 0;
  for (const search of splitScript(text)) {
    const outcomes = await session.execute(search);
    for (const o of outcomes) {
      if (o.kind === 'result') {
        const w = new RowWriter(format, o.result.columns, io.out);
        w.rows(o.result.rows);
        w.end();
        // What the analyst should know about the answer, on stderr as `spelunk run` says it.
        for (const n of o.result.notes ?? []) io.err(visibleLines(`note: ${n}`) + '\n');
        io.err(`${o.result.rows.length} result${o.result.rows.length === 1 ? '' : 's'} in ${(o.result.elapsedMs / 1000).toFixed(3)} s${o.result.truncated ? ` (capped at ${session.maxRows} rows)` : ''}\n`);
      } else if (o.kind === 'lines') {
        for (const l of o.lines) (l.tone === 'error' ? io.err : l.tone === 'warn' ? io.err : io.out)(l.text + '\n');
        if (o.lines.some((l) => l.tone === 'error')) failed++;
      } else if (o.kind === 'pivot-menu') {
        o.options.forEach((p, i) => io.out(`${i + 1}. ${p.query.id} ${Object.entries(p.params).map(([n, v]) => `${n}=${v}`).join(' ')}\n`));
        if (o.options.length === 0) io.out('no pivots\n');
      } else if (o.kind === 'fields') {
        const stats = await session.fieldStats(o.scope);
        for (const line of describeStats(stats, 160) ?? []) io.out(line + '\n');
        if (stats.stopped) failed++;
      } else if (o.kind === 'event') {
        // A script gets the event as pretty JSON: what the viewer shows, without the folding.
        const row = session.last!.rows[o.row - 1]!;
        let text: string;
        try {
          text = JSON.stringify(rowEvent(row) ?? row, null, 2);
        } catch {
          // Nested too deep for JSON.stringify: the event's own text.
          text = typeof row._raw === 'string' ? row._raw : String(row._raw);
        }
        io.out(text + '\n');
      } else if (o.kind === 'confirm') {
        // Nobody to ask: the safe answer.
        io.err(o.no + '\n');
        failed++;
      } else if (o.kind === 'quit') {
        return failed ? 1 : 0;
      }
    }
  }
  return failed ? 1 : 0;
}
