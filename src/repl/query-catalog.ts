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

export function loadCatalog(dir: string): Catalog {
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
