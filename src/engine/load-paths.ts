// Finding the files a load names: files, folders (walked), globs. Each real file is listed once,
// however many names reach it (symbolic links, hard links, a folder given twice), and spelunk's
// own cache and exports met inside a folder are left out: they are not evidence. No DuckDB here.

import { readdirSync, type Dirent, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { statNames } from './folder-stat.js';
import { FoundFiles } from './found-files.js';
import { EXPORTS_LIST, isSpelunkExport, listedExport, listedExports, ownFolder, PassedOver } from './not-evidence.js';
import type { LoadWarning } from './types.js';

export type { FileState } from './found-files.js';
export { isSpelunkExport, tagCacheFolder } from './not-evidence.js';

/** Extensions picked up when walking a folder; other files there (README, LICENSE) are ignored. */
export const DATA_FILE = /\.(json|jsonl|ndjson|cloudtrail|parquet|gz)$/i;
/** A path holding these is a glob, unless it names a file or folder as it is (expandPaths). */
export const GLOB_CHAR = /[*?]/;

export interface Expansion {
  files: string[];
  warnings: LoadWarning[];
  /**
   * What the walk's stat said of each file listed (following links), in the order of `files`
   * (its paths): a warm start over 25,000 files needs every fingerprint, and a second stat of
   * each, through promises, cost it seconds (and a map by path, hashing each long path, 0.07
   * CPU-s at 5M).
   */
  states: FoundFiles;
}

/**
 * `path.resolve` of a file name, without its work for a name that is absolute and normal already
 * (every file a walk of an absolute folder finds: 53,819 at 5M). A file's `source` is this name,
 * cached or not: the cache's must not depend on the folder spelunk was started in.
 */
export function absolutePath(file: string): string {
  const normal = file.startsWith('/') && !file.endsWith('/') && !file.includes('//') && !file.includes('/./') && !file.includes('/../') && !file.endsWith('/.') && !file.endsWith('/..');
  return normal && path.sep === '/' ? file : path.resolve(file);
}

/** State shared by the walks of one expansion. */
interface Walk {
  warnings: LoadWarning[];
  /** Folders walked so far, by `dev:ino`, with the path they were walked under. */
  folders: Map<string, string>;
  /** Symbolic links to folders, followed once the real folders are walked (see walkTree). */
  links: { path: string; info: Stats; depth: number }[];
  /** Files left out as results :export wrote (named in warnings), so far. */
  exported: number;
}

const keyOf = (info: Stats): string => `${info.dev}:${info.ino}`;

/**
 * Expands paths to a list of files, each real file once, keeping the order the paths were given
 * in and sorting within each folder or glob so the same arguments always give the same list.
 */
export async function expandPaths(paths: string[]): Promise<Expansion> {
  const walk: Walk = { warnings: [], folders: new Map(), links: [], exported: 0 };
  let states = new FoundFiles();
  /**
   * The name each real file is listed under, by device then inode; made only when a second
   * path is kept or one path's files share an inode (see distinct): a map of every file's inode
   * was 53,819 entries to make and keep through a warm start at 5M, for nothing.
   */
  let kept: Map<number, Map<number, string>> | undefined;
  const noted = new Set<string>();
  /** Adds the files found for one given path; files already listed under another name are noted. */
  const keep = (given: string, found: FoundFiles): void => {
    // One path's files, all reached by their own names and no two of them one file: all kept, as found.
    if (states.length === 0 && found.distinct()) {
      states = found.inPathOrder();
      return;
    }
    if (kept === undefined) {
      kept = new Map();
      for (let i = 0; i < states.length; i++) byInode(kept, states.dev(i)).set(states.ino(i), states.paths[i]!);
    }
    // Direct names first, so a file reached both directly and through a link keeps its own path.
    const all = Array.from({ length: found.length }, (_, i) => i);
    const ordered = all.some((i) => found.viaLink(i)) ? [...all.filter((i) => !found.viaLink(i)), ...all.filter((i) => found.viaLink(i))] : all;
    const chosen: number[] = [];
    const again: [string, string][] = [];
    for (const i of ordered) {
      const file = found.paths[i]!;
      const inodes = byInode(kept, found.dev(i));
      const first = inodes.get(found.ino(i));
      if (first === undefined) {
        inodes.set(found.ino(i), file);
        chosen.push(i);
      } else if (path.resolve(first) !== path.resolve(file) && !noted.has(file)) {
        noted.add(file);
        again.push([file, first]);
      }
    }
    for (const i of chosen.sort((a, b) => compareStrings(found.paths[a]!, found.paths[b]!))) states.pushFrom(found, i);
    // A few are named one by one; a whole second copy (hard links, a folder given twice) in one note.
    if (again.length <= 3) {
      for (const [file, first] of again) walk.warnings.push({ file, reason: `the same file as ${first}: read once`, kind: 'note' });
    } else {
      const [file, first] = again[0]!;
      walk.warnings.push({ file: given, reason: `${again.length} files here are files already read under other names (e.g. ${file} is ${first}): each read once`, kind: 'note' });
    }
  };

  for (const given of paths) {
    // Whole before anything is asked of the file system: the walk stats a folder's files from
    // inside it (folder-stat.ts), and while it does, a relative name handed to libuv's threads
    // (this stat, a CACHEDIR.TAG or an export's footer) is read from inside a log folder.
    const whole = absolutePath(given);
    const info = await stat(whole).catch((err: NodeJS.ErrnoException) => err);
    if (!(info instanceof Error)) {
      if (info.isDirectory()) {
        const from = walk.warnings.length;
        const found = await walkFolder(whole, info, walk);
        namedAsGiven(walk.warnings, from, whole, given);
        keep(given, found);
      } else {
        const one = new FoundFiles();
        one.push(literalName(whole), info, false);
        keep(given, one);
      }
      continue;
    }
    // A path that exists is taken literally even if it contains '*' or '?'.
    if (info.code === 'ENOENT' && GLOB_CHAR.test(given)) {
      const matched = await expandGlob(given, walk);
      if (matched.length === 0) walk.warnings.push({ file: given, reason: 'no files match this pattern', kind: 'skipped' });
      keep(given, matched);
      continue;
    }
    walk.warnings.push({ file: given, reason: describeFsError(info), kind: 'skipped' });
  }
  return { files: states.paths, warnings: walk.warnings, states };
}

/**
 * The warnings since `from` about `whole` or what lies below it, named below `given` (as the
 * analyst typed it: `perm/closed: folder not read`), though the walk went by whole paths.
 */
function namedAsGiven(warnings: LoadWarning[], from: number, whole: string, given: string): void {
  if (whole === given) return;
  for (let i = from; i < warnings.length; i++) {
    const file = warnings[i]!.file;
    if (file === whole) warnings[i] = { ...warnings[i]!, file: given };
    else if (file.startsWith(whole + path.sep)) warnings[i] = { ...warnings[i]!, file: path.join(given, file.slice(whole.length + 1)) };
  }
}

/** The inodes of device `dev` kept so far (expandPaths). */
function byInode(kept: Map<number, Map<number, string>>, dev: number): Map<number, string> {
  let inodes = kept.get(dev);
  if (inodes === undefined) kept.set(dev, (inodes = new Map()));
  return inodes;
}

/** Every data file below a folder (found by walking, so spelunk's own exports are left out). */
async function walkFolder(folder: string, info: Stats, walk: Walk): Promise<FoundFiles> {
  const previous = walk.folders.get(keyOf(info));
  if (previous !== undefined) {
    walk.warnings.push({ file: folder, reason: `the same folder as ${previous}: read once`, kind: 'note' });
    return new FoundFiles();
  }
  const found = new FoundFiles();
  const ignored: string[] = [];
  const passed = new PassedOver();
  const exported = walk.exported;
  await walkTree(folder, info, Infinity, walk, (file, stats, viaLink, isDir, dir, name) => {
    if (isDir || passed.take(file)) return;
    // The name alone is tested when there is one: a pattern tested on a path joined from pieces builds it in one piece.
    if (DATA_FILE.test(name ?? file)) found.push(file, stats, viaLink, dir, name);
    else ignored.push(file);
  });
  const evidence = await withoutExports(found, walk);
  for (const reason of passed.notes()) walk.warnings.push({ file: folder, reason, kind: 'note' });
  if (found.length === 0 && walk.exported === exported && passed.count === 0) {
    walk.warnings.push({ file: folder, reason: 'folder holds no .json, .jsonl, .ndjson, .cloudtrail, .parquet or .gz files', kind: 'skipped' });
  } else if (ignored.length > 0) {
    const example = path.basename(ignored.sort(compareStrings)[0]!);
    walk.warnings.push({
      file: folder,
      reason: `ignored ${ignored.length} file(s) that do not look like log files (e.g. ${example})`,
      kind: 'note',
    });
  }
  return evidence;
}

/**
 * Told of each file and folder met: its name as listed (see literalName), its stat, whether a
 * link led there, and its folder (ending in '/') and name when it is absolute and in normal form
 * (see FoundFiles.dirs).
 */
type Visit = (file: string, info: Stats, viaLink: boolean, isDir: boolean, dir?: string, name?: string) => boolean | void;

/**
 * Visits what lies below `root`, at most `depth` levels down; hidden entries are skipped, and so
 * are cache folders inside it. Real folders are walked first (together: an S3 layout has
 * hundreds), then the symbolic links to folders, one at a time in name order, each only if its
 * target has not been walked yet: the order, and so which name a file is listed under, never
 * depends on timing. A link back to a folder above it (a loop) is reported and not followed.
 */
async function walkTree(root: string, info: Stats, depth: number, walk: Walk, visit: Visit): Promise<void> {
  walk.folders.set(keyOf(info), root);
  walk.links = [];
  await walkReal(root, depth, false, walk, visit, true);
  while (walk.links.length > 0) {
    const links = walk.links.sort((a, b) => compareStrings(a.path, b.path));
    walk.links = [];
    for (const link of links) {
      if (walkedBefore(link.path, link.info, walk)) continue;
      walk.folders.set(keyOf(link.info), link.path);
      await walkReal(link.path, link.depth, true, walk, visit);
    }
  }
}

/** `name` in `dir`: `slashed` (`dir` and a separator) and the name, below a folder already in normal form (`plain`). */
function joined(dir: string, plain: boolean, slashed: string, name: string): string {
  return plain ? slashed + name : path.join(dir, name);
}

/** Whether a folder was walked already (reported: a loop, or a second name of one folder). */
function walkedBefore(folder: string, info: Stats, walk: Walk): boolean {
  const walked = walk.folders.get(keyOf(info));
  if (walked === undefined) return false;
  const loop = (path.resolve(folder) + path.sep).startsWith(path.resolve(walked) + path.sep);
  walk.warnings.push({
    file: folder,
    reason: loop
      ? `symbolic link loop: leads back to ${walked}, a folder above it; not followed`
      : `another name of a folder already read (${walked}); not read twice`,
    kind: 'note',
  });
  return true;
}

// A rule of what a walk lists or leaves out is also the worker's (walk-verdict.ts): there it must
// list the same files, or give no answer for a folder holding what the rule is about.
async function walkReal(dir: string, depth: number, viaLink: boolean, walk: Walk, visit: Visit, root = false): Promise<void> {
  let names: Dirent[];
  let listed = false;
  try {
    // Synchronous, one folder at a time, with a turn of the event loop after each: the libuv
    // threads stay free for the work beside the walk (a warm start's first search runs its
    // DuckDB statements there: behind 833 readdir calls it waited for the whole walk at 5M).
    await new Promise(setImmediate);
    names = readdirSync(dir, { withFileTypes: true }).filter((entry) => {
      if (entry.name === EXPORTS_LIST) listed = true;
      return !entry.name.startsWith('.');
    });
  } catch (err) {
    walk.warnings.push({ file: dir, reason: `folder not read: ${describeFsError(err)}`, kind: 'skipped' });
    return;
  }
  // A folder given by name is read even if it is a cache: only what a walk meets is left out.
  const own = root ? undefined : await ownFolder(dir, names.map((n) => n.name));
  if (own) {
    walk.warnings.push({ file: dir, reason: own, kind: 'note' });
    return;
  }
  names.sort((a, b) => compareStrings(a.name, b.name));
  // A name read from a folder holds no separator and is never `.` or `..`, so below a folder
  // name that is already in normal form, joining is putting a separator between.
  const plain = dir !== '.' && !dir.endsWith(path.sep) && path.normalize(dir) === dir;
  const slashed = dir + path.sep;
  // Then every name below it is too, and literalName leaves it as it is.
  const normal = plain && path.sep === '/' && dir.startsWith('/');
  const infos = statNames(dir, names, (name) => joined(dir, plain, slashed, name));
  const exports = listed ? listedExports(dir) : undefined;
  const folders: string[] = [];
  names.forEach((entry, i) => {
    const link = entry.isSymbolicLink();
    const full = joined(dir, plain, slashed, entry.name);
    const target = infos[i]!;
    if (target instanceof Error) {
      // An entry that vanished, or a dangling link to something that is not a log file, is
      // passed over; a log file that cannot be looked at is named.
      if (target.code !== 'ENOENT' || (link && DATA_FILE.test(full))) {
        walk.warnings.push({ file: full, reason: link && target.code === 'ENOENT' ? 'symbolic link to a missing file' : describeFsError(target), kind: 'skipped' });
      }
      return;
    }
    const file = normal ? full : literalName(full);
    const at = normal ? slashed : undefined;
    const name = normal ? entry.name : undefined;
    // What :export wrote here and listed is left out (a log file's name only: a walk reads no other).
    const exported = exports && target.isFile() && DATA_FILE.test(entry.name) ? listedExport(full, target.size, exports.get(entry.name)) : undefined;
    if (exported) {
      walk.warnings.push({ file: full, reason: exported, kind: 'note' });
      walk.exported++;
    } else if (target.isFile()) visit(file, target, viaLink || link, false, at, name);
    else if (target.isDirectory() && visit(file, target, viaLink || link, true, at, name) !== false && depth > 1) {
      if (link) walk.links.push({ path: full, info: target, depth: depth - 1 });
      // A real folder is met once, unless the file system reports links as plain entries.
      else if (!walkedBefore(full, target, walk)) {
        walk.folders.set(keyOf(target), full);
        folders.push(full);
      }
    }
  });
  for (const folder of folders) await walkReal(folder, depth - 1, viaLink, walk, visit);
}

/**
 * Leaves out spelunk's own Parquet exports (`load --out`) found inside a folder: their events
 * come from other files, often the ones beside them, and would count twice. Named on their own
 * they load as usual.
 */
async function withoutExports(found: FoundFiles, walk: Walk): Promise<FoundFiles> {
  // Only Parquet files are looked at, and only they wait on a promise (53,819 files at 5M).
  const parquet: number[] = [];
  for (let i = 0; i < found.length; i++) if (/\.parquet$/i.test(found.names[i] ?? found.paths[i]!)) parquet.push(i);
  if (parquet.length === 0) return found;
  const exports = new Set((await Promise.all(parquet.map(async (i) => ((await isSpelunkExport(found.paths[i]!)) ? i : -1)))).filter((i) => i >= 0));
  const kept = new FoundFiles();
  found.paths.forEach((file, i) => {
    if (!exports.has(i)) kept.pushFrom(found, i);
    else walk.warnings.push({ file, reason: "a spelunk export (events already read from their own files), found in a folder: not read; name the file itself to load it", kind: 'note' });
  });
  return kept;
}

async function expandGlob(pattern: string, walk: Walk): Promise<FoundFiles> {
  const segments = pattern.split('/');
  const firstGlob = segments.findIndex((s) => GLOB_CHAR.test(s));
  const baseSegments = segments.slice(0, firstGlob);
  // Only the part before the first glob is made whole: the working folder's own name may hold '*'.
  const given = baseSegments.length === 0 ? '.' : baseSegments.join('/') || '/';
  const base = path.resolve(given);
  const rest = segments.slice(firstGlob);
  const regex = globToRegExp(rest);
  const depth = rest.includes('**') ? Infinity : rest.length;
  const info = await stat(base).catch(() => undefined);
  if (!info?.isDirectory()) return new FoundFiles();
  const matches = new FoundFiles();
  const folders: { path: string; viaLink: boolean }[] = [];
  await walkTree(base, info, depth, walk, (file, stats, viaLink, isDir) => {
    const rel = path.relative(base, file).split(path.sep).join('/');
    if (!regex.test(rel)) return true;
    // `logs/*` matching a folder means everything in it, as a shell would pass it.
    if (isDir) {
      folders.push({ path: file, viaLink });
      return false;
    }
    matches.push(file, stats, viaLink);
    return true;
  });
  const out = await withoutExports(matches, walk);
  for (const folder of folders.sort((a, b) => compareStrings(a.path, b.path))) {
    const folderInfo = await stat(folder.path).catch(() => undefined);
    if (!folderInfo) continue;
    const inside = await walkFolder(folder.path, folderInfo, walk);
    for (let i = 0; i < inside.length; i++) out.pushFrom(inside, i, folder.viaLink);
  }
  return out;
}

/** `**` spans folders, `*` and `?` stay within one path segment. */
function globToRegExp(segments: string[]): RegExp {
  let source = '';
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      source += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    for (const ch of segment) {
      if (ch === '*') source += '[^/]*';
      else if (ch === '?') source += '[^/]';
      else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    if (!last) source += '/';
  });
  return new RegExp(`^${source}$`);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The name a file is listed (and shown) under, in the form DuckDB reports back for it. DuckDB's
 * readers expand `*`, `?` and `[...]` in every file name they are given, so a name holding them is
 * passed through `duckdbPath`; DuckDB then reports the matched file with its path normalised
 * (`a//b` as `a/b`), so such names are normalised here too. A leading `~` would be read as the
 * home folder.
 */
function literalName(file: string): string {
  if (!/[*?[\]]/.test(file) && !file.startsWith('~')) return file;
  const normal = path.normalize(file);
  return normal.startsWith('~') ? `.${path.sep}${normal}` : normal;
}

/**
 * A file name for a DuckDB reader that matches only that file: each glob character becomes a
 * one-character class (`[` as `[[]`, `*` as `[*]`, `?` as `[?]`). Never build a reader's pattern
 * from a name any other way.
 */
export function duckdbPath(file: string): string {
  return file.replace(/[[*?]/g, (ch) => `[${ch}]`);
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'symbolic link loop';
    default:
      return `cannot be read (${code ?? String(err)})`;
  }
}
