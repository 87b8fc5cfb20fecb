// What a walk of evidence leaves out though it looks like log files: spelunk's own cache (a folder
// tagged as one, or a layout folder of it) and spelunk's own Parquet exports. Their events come
// from other files, often the ones beside them, and would count twice (load-paths.ts).

import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EVENT_COLUMNS, PROMOTED_COLUMNS } from '../compiler/cloudtrail-schema.js';

/** The Cache Directory Tagging signature (https://bford.info/cachedir/), which backup tools honour. */
const CACHEDIR_TAG = 'CACHEDIR.TAG';
const CACHEDIR_SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55';
/** A layout folder of spelunk's cache (cache.ts), and the files only it holds. */
const CACHE_LAYOUT = /^v\d+(-[0-9a-f]{8})?$/;
const CACHE_FILE = /^(seg-[0-9a-f]+\.parquet|(load|list)-[0-9a-f]{32}\.json|[0-9a-f]{32}\.json)$/;

/**
 * Marks a folder as a cache: a later walk of a folder holding it (a cache kept beside or inside
 * the evidence) leaves it out instead of loading its files as events.
 */
export async function tagCacheFolder(dir: string): Promise<void> {
  const tag = path.join(dir, CACHEDIR_TAG);
  if ((await readFile(tag, 'latin1').catch(() => '')).startsWith(CACHEDIR_SIGNATURE)) return;
  await mkdir(dir, { recursive: true });
  await writeFile(tag, `${CACHEDIR_SIGNATURE}\n# This file is a cache tag created by spelunk: its columnar cache of CloudTrail events.\n# For information about cache directory tags see https://bford.info/cachedir/\n`);
}

/** Why a folder found inside evidence is a cache rather than evidence, or undefined. */
export async function ownFolder(dir: string, names: string[]): Promise<string | undefined> {
  if (names.includes(CACHEDIR_TAG)) {
    const tag = await readFile(path.join(dir, CACHEDIR_TAG), 'latin1').catch(() => '');
    if (tag.startsWith(CACHEDIR_SIGNATURE)) return 'a cache folder (it holds CACHEDIR.TAG), not evidence: not read';
  }
  if (CACHE_LAYOUT.test(path.basename(dir)) && names.some((n) => CACHE_FILE.test(n))) {
    return "spelunk's cache, not evidence: not read";
  }
  return undefined;
}

/** Columns every spelunk export has (see loader.ts isExport); promoted columns came later. */
const EXPORT_COLUMNS = EVENT_COLUMNS.filter((c) => c.name !== '__seq' && !PROMOTED_COLUMNS.some((p) => p.name === c.name)).map((c) => c.name);
const MAX_FOOTER = 64 * 1024 * 1024;

/**
 * Whether a Parquet file's schema holds every column of a spelunk export. The footer's Thrift
 * encoding writes each column name as its length (one byte below 128) and its bytes, so the names
 * are found without a Parquet reader.
 */
export async function isSpelunkExport(file: string): Promise<boolean> {
  let fd;
  try {
    fd = await open(file, 'r');
    const { size } = await fd.stat();
    if (size < 12) return false;
    const tail = Buffer.alloc(8);
    await fd.read(tail, 0, 8, size - 8);
    if (tail.toString('latin1', 4) !== 'PAR1') return false;
    const length = tail.readUInt32LE(0);
    if (length > MAX_FOOTER || length > size - 12) return false;
    const footer = Buffer.alloc(length);
    await fd.read(footer, 0, length, size - 8 - length);
    return EXPORT_COLUMNS.every((name) => footer.includes(Buffer.concat([Buffer.from([name.length]), Buffer.from(name)])));
  } catch {
    return false;
  } finally {
    await fd?.close();
  }
}
