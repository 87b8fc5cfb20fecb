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
// (the tree, the tree and its arrivals, an account or a region of it). A manifest was last used
// when it was written (its mtime) or, if later, when a load read it unchanged (the mtime of its
// mark, `list-<key>.used`): the manifest's own mtime stays its write's, which a load's lookup of
// new files goes by (cache-lookup.ts).
import { utimesSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** A load manifest's name (`load-` is the earlier format's), and its mark of use. */
export const MANIFEST_NAME = /^(load|list)-[0-9a-f]{32}\.json$/;
const MARK_NAME = /^((load|list)-[0-9a-f]{32})\.used$/;
export const KEPT_MANIFESTS = 8;
const MANIFEST_UNUSED_MS = 30 * 86_400_000;

const markOf = (manifest: string): string => manifest.replace(/\.json$/, '.used');

/** Marks a manifest used now, by a load that read it and did not write it again. */
export function markUsed(manifest: string): void {
  const mark = markOf(manifest);
  try {
    const now = new Date();
    utimesSync(mark, now, now);
  } catch {
    try {
      writeFileSync(mark, '');
    } catch {
      // A cache that cannot be written: only the manifest's place among the kept is lost.
    }
  }
}

/**
 * The files among the folder's `names` that collection removes: the manifests not kept (see
 * above) with their marks, and marks whose manifest went (once older than the grace period).
 */
export async function unusedManifests(folder: string, names: string[], now: number, graceMs: number): Promise<string[]> {
  const mtime = async (name: string) => (await stat(path.join(folder, name)).catch(() => undefined))?.mtimeMs;
  const present = new Set(names);
  const found = await Promise.all(
    names.filter((n) => MANIFEST_NAME.test(n)).map(async (n) => {
      const [written, marked] = await Promise.all([mtime(n), present.has(markOf(n)) ? mtime(markOf(n)) : undefined]);
      return { name: n, used: written === undefined ? undefined : Math.max(written, marked ?? -Infinity) };
    }),
  );
  const known = found.filter((f): f is { name: string; used: number } => f.used !== undefined);
  known.sort((a, b) => b.used - a.used || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const unused = known.filter((f, i) => now - f.used >= graceMs && (i >= KEPT_MANIFESTS || now - f.used >= MANIFEST_UNUSED_MS)).map((f) => f.name);
  const marks = unused.map(markOf).filter((m) => present.has(m));
  for (const n of names) {
    const m = MARK_NAME.exec(n);
    if (m && !present.has(`${m[1]}.json`) && now - ((await mtime(n)) ?? now) >= graceMs) marks.push(n);
  }
  return [...unused, ...marks].map((n) => path.join(folder, n));
}
