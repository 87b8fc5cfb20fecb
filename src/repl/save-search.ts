// `:save ID [title]`: the last search, written as a saved query (`ID.spl` with a `# key: value`
// header, see engine/queries.ts) into the user's own queries folder, where `:queries`, `:run`,
// pivots and `spelunk queries` find it. A search run from a saved one keeps its `$name$` tokens
// and their descriptions, so the saved copy takes parameters too.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { writeReason } from '../engine/write-path.js';
import { join } from 'node:path';
import { paramNames } from '../compiler/macros.js';
import { parseQuery, type QueryParameter } from '../engine/queries.js';

export class SaveError extends Error {}

/** Ids are file names too: lower-case letters, digits and `_`, as the query files' own ids. */
const ID = /^[a-z0-9][a-z0-9_]*$/;
const MAX_ID = 80;

/** The id a person probably meant, for the message when theirs is refused. */
function suggestId(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, MAX_ID) || 'my_search';
}

export function checkId(id: string): void {
  if (ID.test(id) && id.length <= MAX_ID) return;
  throw new SaveError(`cannot save as ${JSON.stringify(id)}: an id names the file ID.spl, so it takes lower-case letters, digits and _ (at most ${MAX_ID}; e.g. ${suggestId(id)})`);
}

export interface SaveRequest {
  id: string;
  title?: string;
  spl: string;
  /** Descriptions of the `$name$` tokens, from the saved search the last one ran (if any). */
  parameters?: QueryParameter[];
  /** The session's time range when it ran, for the description (it is not part of the search). */
  range?: string;
  savedAt: Date;
}

/** The file's text; parsed back before it is written, so a saved search always loads. */
export function savedQueryText(req: SaveRequest): string {
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  const names = paramNames(req.spl);
  const known = new Map((req.parameters ?? []).map((p) => [p.name, p.description]));
  const header = [
    `# title: ${oneLine(req.title ?? '') || req.id}`,
    // A search with parameters is an investigation (pivots offer it); else a hunt to run again.
    `# type: ${names.length ? 'investigation' : 'hunting'}`,
    `# description: Saved from the spelunk REPL at ${req.savedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}${req.range ? `; it ran over the time range ${oneLine(req.range)}` : ''}.`,
  ];
  if (names.length) {
    header.push('# parameters:');
    for (const n of names) header.push(`#   ${n}: ${oneLine(known.get(n) ?? '') || `the value of $${n}$`}`);
  }
  return `${header.join('\n')}\n${req.spl.trim()}\n`;
}

/**
 * Writes the query into `dir`, refusing to replace a file unless `replace` (the REPL asks first).
 * Returns the file written.
 */
export function saveQuery(dir: string, req: SaveRequest, replace: boolean): string {
  checkId(req.id);
  if (/^\s*#/.test(req.spl)) throw new SaveError('cannot save a search that starts with #: it would be read as part of the header');
  const file = join(dir, `${req.id}.spl`);
  const text = savedQueryText(req);
  parseQuery(text, file);
  try {
    return writeQuery(dir, file, text, replace);
  } catch (err) {
    if (err instanceof SaveError) throw err;
    throw new SaveError(`cannot save ${file}: ${writeReason(err)}`);
  }
}

function writeQuery(dir: string, file: string, text: string, replace: boolean): string {
  mkdirSync(dir, { recursive: true });
  if (!replace) {
    if (existsSync(file)) throw new SaveError(`${file} exists`);
    // 'wx' creates the file or fails: another session saving the same id at once cannot be overwritten.
    const fd = openSync(file, 'wx');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return file;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
  return file;
}
