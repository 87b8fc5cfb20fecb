// `:export`: the last result written to a file. Never over the evidence (a loaded file, or a log
// file in a loaded folder), never read back as events: JSON results are listed beside them (see
// not-evidence.ts) and CSV is not read, so a loaded folder may hold them, and the output says
// what its next load does with them. Never over another file without asking: Splunk's outputcsv replaces its file silently, but the file an analyst named
// is as likely an earlier export of the case (evidence too) as a scratch file, and the REPL asks
// before replacing, as :save does; --force (or answering y) replaces it, and says so.
import { statSync } from 'node:fs';
import path from 'node:path';
import { RowWriter } from '../cli/format.js';
import { EXPORTS_LIST, listExport } from '../engine/not-evidence.js';
import { evidenceAt, loadedFolderOf, writeReason, writeTextFile } from '../engine/write-path.js';
import type { HeldResult, OutLine, Outcome } from './outcome.js';
import { expandHome } from './paths.js';
import { SessionCommandError } from './session-commands.js';

type ExportFormat = 'csv' | 'json' | 'jsonl';

export function exportResult(last: HeldResult | null, loaded: readonly string[], maxRows: number, format: ExportFormat, file: string, force: boolean): Outcome {
  if (!last) throw new SessionCommandError('no result to export yet');
  const target = expandHome(file);
  const evidence = force ? undefined : evidenceAt(target, loaded);
  if (evidence) throw new SessionCommandError(`:export ${file}: ${evidence}. Choose another file (or add --force)`);
  const before = fileSize(target);
  if (before !== undefined && !force) {
    const again = `:export ${format} ${commandWord(file)} --force`;
    return { kind: 'confirm', question: `${target} exists (${bytes(before)}): replace it? (y/N)`, yes: again, no: `not written: ${target} exists (${again} replaces it)` };
  }
  const parts: string[] = [];
  const writer = new RowWriter(format, last.columns, (t) => parts.push(t));
  writer.rows(last.rows);
  writer.end();
  const text = parts.join('');
  const made = writeTextFile(target, text);
  const unlisted = format === 'csv' ? undefined : listed(target, text);
  const replaced = before === undefined ? '' : ` (replaced the file that was there, ${bytes(before)})`;
  const out: OutLine[] = [{ text: `wrote ${last.rows.length.toLocaleString('en-US')} rows to ${target}${replaced}${made ? ` (made the folder ${made})` : ''}`, tone: 'info' }];
  if (unlisted) out.push({ text: unlisted, tone: 'warn' });
  const folder = loadedFolderOf(target, loaded);
  if (folder && !unlisted) {
    const next = format === 'csv' ? 'does not read CSV as events' : `leaves it out, as ${EXPORTS_LIST} beside it lists it: its rows are not events`;
    out.push({ text: `it is inside ${folder}, which is loaded: a load of that folder ${next}`, tone: 'info' });
  }
  if (last.truncated) out.push({ text: `warning: the result was capped at ${maxRows.toLocaleString('en-US')} rows; spelunk run "<SPL>" --format ${format} > FILE writes all of it`, tone: 'warn' });
  return { kind: 'lines', lines: out };
}

/**
 * Lists JSON results in their folder's list of exports: a later load of the folder leaves them
 * out, where their rows (eventName, eventSource, userIdentity...) were read as events and counted
 * beside the events they came from. CSV is never read as events. Returns a warning when it cannot.
 */
function listed(file: string, text: string): string | undefined {
  try {
    listExport(file, text);
    return undefined;
  } catch (err) {
    return `warning: could not list it in ${path.join(path.dirname(file), EXPORTS_LIST)} (${writeReason(err)}): a load of that folder would read its rows as events`;
  }
}

/** The size of the file at `p`, or undefined when nothing is there (a folder is writeTextFile's to name). */
function fileSize(p: string): number | undefined {
  try {
    const s = statSync(p);
    return s.isDirectory() ? undefined : s.size;
  } catch {
    return undefined;
  }
}

const bytes = (n: number): string => `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;

/** `word` as one word of a session command line (session-commands.ts splitWords). */
function commandWord(word: string): string {
  return /^[^\s"'\\]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`;
}
