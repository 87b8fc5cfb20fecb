// What a walk of evidence leaves out though it looks like log files: spelunk's own cache (a folder
// tagged as one, or a layout folder of it), spelunk's own Parquet exports and the JSON results its
// :export wrote. Their events come from other files, often the ones beside them, and would count
// twice (load-paths.ts). And what no load reads as events, named or walked: rows of search results
// (searchResults, asked by the sniff in load-files.ts).

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EVENT_COLUMNS, JSON_COLUMNS, PROMOTED_COLUMNS, SCALAR_COLUMNS } from '../compiler/cloudtrail-schema.js';

/**
 * CloudTrail's digest files (log file validation: hourly hashes of the logs, not events), which
 * AWS delivers beside the logs under AWSLogs/<account>/CloudTrail-Digest/: a synced bucket holds
 * one per hour, region and trail, each once a warning of its own.
 */
export const DIGEST_PATH = /CloudTrail-Digest/i;
/** Logs other AWS services deliver into the same bucket beside CloudTrail's: never its events. */
const SERVICE_LOGS = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?\d{12}\/(Config|vpcflowlogs|elasticloadbalancing)\//i;
/** Either: what a walk passes over by the path alone (the worker walk's test of it). */
export const PASSED_OVER_PATH = new RegExp(`${DIGEST_PATH.source}|${SERVICE_LOGS.source}`, 'i');

/**
 * The walk's notes for the files it passed over by their path, one for each kind: a synced bucket
 * holds thousands, and a warning each buried the ones about evidence.
 */
export class PassedOver {
  private digests = 0;
  private readonly services = new Map<string, number>();

  /** Whether `file` is passed over (and counted). */
  take(file: string): boolean {
    if (DIGEST_PATH.test(file)) {
      this.digests++;
      return true;
    }
    const service = SERVICE_LOGS.exec(file)?.[1];
    if (service !== undefined) this.services.set(service, (this.services.get(service) ?? 0) + 1);
    return service !== undefined;
  }

  get count(): number {
    return this.digests + [...this.services.values()].reduce((a, b) => a + b, 0);
  }

  notes(): string[] {
    const notes = this.digests > 0 ? [`passed over ${this.digests} CloudTrail digest file(s) (integrity hashes, not events)`] : [];
    const services = [...this.services].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, n]) => `${name} ${n}`);
    if (services.length > 0) notes.push(`passed over ${this.count - this.digests} log file(s) other AWS services delivered beside CloudTrail's, not its events (${services.join(', ')})`);
    return notes;
  }
}

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
 * eventName and eventSource; their shape tells most of them from events (searchResults), but not
 * rows of CloudTrail's own names only (`table eventName eventSource`): what was written is known
 * for sure only where it was written. A walk (load-paths.ts) leaves out a file listed
 * there whose bytes are still the ones written.
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
  return w && `results spelunk's :export wrote (${w.at.slice(0, 16).replace('T', ' ')} UTC; listed in ${EXPORTS_LIST}), not events: their rows came from events read elsewhere; not read`;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Keys CloudTrail writes at the top of a record (a row holding others may be a search's). */
const RECORD_KEYS = new Set([...SCALAR_COLUMNS, ...JSON_COLUMNS].map((c) => c.name).concat(['addendum', 'annotation', 'eventData']));
/** Rows of a file's first part looked at. */
const ROWS_LOOKED_AT = 50;

/**
 * Why the rows at the start of a JSON lines or array file (`head`, its first bytes) are search
 * results rather than CloudTrail records, or undefined. `spelunk run --format json|jsonl > FILE`
 * (and Splunk's exports) write each result as one flat object a line: fields as values, never an
 * object, and names CloudTrail never writes at a record's top: Splunk's own (`_time`, `_raw`),
 * flattened paths (`userIdentity.arn`, `resources{}.ARN`), or, in a row without the eventTime,
 * eventID and eventVersion every record has, a name of the search's making (`count`). Read as
 * events, a folder holding them counted every result again beside the event it came from; and a
 * record CloudTrail writes always holds an object (userIdentity, insightDetails), so no such file
 * is a trail's. A plain event search's rows are `{_time, _raw}`: the record inside `_raw` is read
 * from its own file. A result of CloudTrail's own names only (`table eventName eventSource`) is
 * not told from a record here.
 */
export function searchResults(head: string): string | undefined {
  let why: string | undefined;
  let rows = 0;
  for (const line of head.split('\n', ROWS_LOOKED_AT + 2)) {
    // A JSON array as spelunk writes it: `[`, then a row a line, each but the last ending in a comma.
    const text = line.trim().replace(/^\[/, '').replace(/,$/, '');
    if (text === '' || text === ']') continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      // The line cut at the end of the part looked at; any other tells nothing either way.
      continue;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return undefined;
    const seen = resultField(row as Record<string, unknown>);
    if (seen === undefined) return undefined;
    why ??= seen;
    rows++;
  }
  if (rows === 0) return undefined;
  return `search results, not CloudTrail records: its rows are flat and hold ${why}, as spelunk run --format json writes them; not read (their events are read from their own files)`;
}

/** What shows `row` to be a search's result (see searchResults), or undefined. */
function resultField(row: Record<string, unknown>): string | undefined {
  const keys = Object.keys(row);
  const nested = (v: unknown): boolean => typeof v === 'object' && v !== null && (!Array.isArray(v) || v.some(nested));
  // A row that names no field of a record is not CloudTrail either way (load-report.ts says so).
  if (keys.some((k) => nested(row[k])) || !keys.some((k) => k === '_raw' || RECORD_KEYS.has(k))) return undefined;
  const splunk = keys.find((k) => k.startsWith('_') || /[.{}]/.test(k));
  if (splunk !== undefined) return `${JSON.stringify(splunk)} (a field name searches give, never a key of a CloudTrail record)`;
  if (keys.some((k) => k === 'eventTime' || k === 'eventID' || k === 'eventVersion')) return undefined;
  const made = keys.find((k) => !RECORD_KEYS.has(k));
  return made === undefined ? undefined : `${JSON.stringify(made)} and no eventTime, eventID or eventVersion (a field a search made)`;
}
