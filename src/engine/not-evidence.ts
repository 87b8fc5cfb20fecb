// What a walk of evidence leaves out though it looks like log files: spelunk's own cache (a folder
// tagged as one, or a layout folder of it), spelunk's own Parquet exports and the JSON results its
// :export wrote. Their events come from other files, often the ones beside them, and would count
// twice (load-paths.ts).

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EVENT_COLUMNS, PROMOTED_COLUMNS } from '../compiler/cloudtrail-schema.js';

/** The Cache Directory Tagging signature (https://bford.info/cachedir/), which backup tools honour. */
const CACHEDIR_TAG = 'CACHEDIR.TAG';
const CACHEDIR_SIGNATURE = 'Signature: 8a477f597d28d172789f06886806bc55';
/** A layout folder of spelunk's cache (cache.ts), and the files only it holds. */
export const CACHE_LAYOUT = /^v\d+(-[0-9a-f]{8})?$/;
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

/**
 * The hidden file, beside the JSON results `:export` writes, that lists them. Such rows hold
 * eventName, eventSource and CloudTrail's nested keys (`table eventName userIdentity.arn`), and no
 * test of their shape tells them from events (a SIEM's flattened CloudTrail looks the same): what
 * was written is known only where it was written. A walk (load-paths.ts) leaves out a file listed
 * there whose bytes are still the ones written; named on its own it loads as usual.
 */
export const EXPORTS_LIST = '.spelunk-exports';

interface Written {
  size: number;
  sha256: string;
  at: string;
}

/** Lists `file`, just written with `text`, in its folder's EXPORTS_LIST (made when missing). */
export function listExport(file: string, text: string): void {
  const list = path.join(path.dirname(file), EXPORTS_LIST);
  const head = existsSync(list) ? '' : `# Results spelunk's :export wrote in this folder. Their rows came from CloudTrail events read elsewhere:\n# a load of this folder leaves these files out (name one to load it). One JSON object a line.\n`;
  const bytes = Buffer.from(text);
  const entry: Written & { name: string } = { name: path.basename(file), size: bytes.length, sha256: sha256(bytes), at: new Date().toISOString() };
  appendFileSync(list, head + JSON.stringify(entry) + '\n');
}

/** The exports `dir`'s EXPORTS_LIST names, by file name (undefined when it has none). */
export function listedExports(dir: string): Map<string, Written[]> | undefined {
  const listed = new Map<string, Written[]>();
  let text = '';
  try {
    text = readFileSync(path.join(dir, EXPORTS_LIST), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const { name, size, sha256: hash, at } = JSON.parse(line) as Written & { name: string };
      if (typeof name === 'string' && typeof size === 'number' && typeof hash === 'string') listed.set(name, [...(listed.get(name) ?? []), { size, sha256: hash, at: String(at) }]);
    } catch {
      // A damaged line lists nothing: the file it meant loads as evidence, never the reverse.
    }
  }
  return listed;
}

/** When `file` (of `size` bytes) is still an export its folder lists, why it is not read. */
export function listedExport(file: string, size: number, written: Written[] | undefined): string | undefined {
  const same = written?.filter((w) => w.size === size);
  if (!same?.length) return undefined;
  let hash: string;
  try {
    hash = sha256(readFileSync(file));
  } catch {
    return undefined;
  }
  const w = same.find((s) => s.sha256 === hash);
  return w && `results spelunk's :export wrote (${w.at.slice(0, 16).replace('T', ' ')} UTC; listed in ${EXPORTS_LIST}), not events: their rows came from events read elsewhere; not read (name the file itself to load it)`;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
