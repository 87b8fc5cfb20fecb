// Editing a search the way Splunk's "add to search" does: a term goes into the first search
// clause (before the first pipe), so it filters events before any command runs. Read with the
// grammar's lexer, so macros, quotes and subsearch brackets are skipped correctly.
import { tokenize } from '../../grammar/tokens.js';
import { quoteValue } from './completion.js';

/** A field name that can be written bare in a search clause. */
const SEARCHABLE_FIELD = /^[A-Za-z_@][\w.{}@-]*$/;

/** `field=value` (or `NOT field=value`) as search text; null when the field cannot be written bare. */
export function filterTerm(field: string, value: string, exclude: boolean): string | null {
  if (!SEARCHABLE_FIELD.test(field)) return null;
  // Excluding with NOT keeps the events that lack the field: `!=` would drop them too.
  return `${exclude ? 'NOT ' : ''}${field}=${quoteValue(value, false)}`;
}

/** The search with `term` added to its first search clause. */
export function addTerm(search: string, term: string): string {
  const { tokens } = tokenize(search);
  if (tokens[0]?.tokenType.name === 'Pipe') return `${search.trimEnd()}\n| search ${term}`;
  let depth = 0;
  for (const t of tokens) {
    const type = t.tokenType.name;
    if (type === 'LBracket') depth++;
    else if (type === 'RBracket') depth = Math.max(0, depth - 1);
    else if (type === 'Pipe' && depth === 0) {
      const before = search.slice(0, t.startOffset).trimEnd();
      return `${before}${before ? ' ' : ''}${term} ${search.slice(t.startOffset)}`;
    }
  }
  const all = search.trimEnd();
  return all ? `${all} ${term}` : term;
}
