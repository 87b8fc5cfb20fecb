// Which load manifests a cache folder keeps (cache-manifest.ts is one manifest's format). Each set
// of paths ever loaded has its own (`list-<key>.json`: 8.4 MB at 5M events, beside its saved
// sources table), and a tree loaded with a folder of newly arrived files is a set of its own: none
// was ever removed, and every collection read them all (30 of them: 2 of the 4.3 s a load of 50
// new files took at 5M). A manifest only saves reads (the packs hold every entry), so a removed
// one costs the next first load of its paths the packs' read, never an answer.
//
// Kept: the KEPT most recently used, unless unused for UNUSED_MS; and any used within the grace
// period, whatever the count (another process may be about to read it). A count bounds the disk
// and the collection's reads whatever the analyst does (a new folder of arrivals every five
// minutes made 30 in an afternoon); eight covers the few path sets an investigation goes back to
// (the tree, the tree and its arrivals, an account or a region of it). A manifest's mtime says when
// it was last used: written by a load that changed it, touched by one that read it unchanged.
import { utimesSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** A load manifest's name (`load-` is the earlier format's). */
export const MANIFEST_NAME = /^(load|list)-[0-9a-f]{32}\.json$/;
export const KEPT_MANIFESTS = 8;
const MANIFEST_UNUSED_MS = 30 * 86_400_000;

/** Marks a manifest used now (its mtime), by a load that read it and did not write it again. */
export function markUsed(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Gone meanwhile, or a cache that cannot be written: only its place among the kept is lost.
  }
}

/** The manifests among the folder's `names` that collection removes (see above). */
export async function unusedManifests(folder: string, names: string[], now: number, graceMs: number): Promise<string[]> {
  const found = await Promise.all(
    names.filter((n) => MANIFEST_NAME.test(n)).map(async (n) => ({ file: path.join(folder, n), used: (await stat(path.join(folder, n)).catch(() => undefined))?.mtimeMs })),
  );
  const known = found.filter((f): f is { file: string; used: number } => f.used !== undefined);
  known.sort((a, b) => b.used - a.used || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return known.filter((f, i) => now - f.used >= graceMs && (i >= KEPT_MANIFESTS || now - f.used >= MANIFEST_UNUSED_MS)).map((f) => f.file);
}
