// The saved searches the REPL offers (`:queries`, `:run`, pivots), read file by file so that one
// broken query file is reported instead of hiding all the others.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadQueryFile, type SavedQuery } from '../engine/queries.js';

export interface Catalog {
  queries: SavedQuery[];
  /** Files that could not be read, with why. */
  problems: string[];
}

/**
 * The bundled searches and the user's own (`:save`). A saved one may not take a bundled id: it is
 * skipped, and said so, rather than silently replacing the bundled search.
 */
export function loadCatalogs(bundled: string, user: string | null): Catalog {
  const mine = loadCatalog(bundled);
  if (!user) return mine;
  const theirs = loadCatalog(user);
  const ids = new Set(mine.queries.map((q) => q.id));
  const queries = [...mine.queries];
  for (const q of theirs.queries) {
    if (ids.has(q.id)) theirs.problems.push(`${q.file}: id ${q.id} is a bundled search's; rename the file to use it`);
    else queries.push(q);
  }
  queries.sort((a, b) => a.id.localeCompare(b.id));
  return { queries, problems: [...mine.problems, ...theirs.problems] };
}

function loadCatalog(dir: string): Catalog {
  const queries: SavedQuery[] = [];
  const problems: string[] = [];
  if (!existsSync(dir)) return { queries, problems };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.spl')).sort()) {
    try {
      queries.push(loadQueryFile(join(dir, f)));
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  queries.sort((a, b) => a.id.localeCompare(b.id));
  return { queries, problems };
}
