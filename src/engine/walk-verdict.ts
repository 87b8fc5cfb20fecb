// A warm start's walk made on a thread of its own (a worker) and compared there with the cache's
// manifest: the walk (a readdir of each folder, a stat of each file: 53,819 at 5M events) was
// most of the main thread's work before the first result, while the view and the search wait
// for that thread between their DuckDB statements. The worker walks one folder as walkReal does
// (load-paths.ts) and answers with one of three:
// - `same`: the walk found exactly the files the manifest lists, in its order, each with the
//   fingerprint listed (the lookup is the manifest's own: sameAsListed in cache-lookup.ts);
// - the files it found, in the form the walk gives them (FoundFiles): the lookup compares them
//   as it compares a walk's;
// - nothing: the tree holds something this walk does not decide as the main one would (a
//   symbolic link, a hidden rule's exception, a list of :export's results, a file that is not a log (a digest or another service's log too), a Parquet file, a cache
//   folder, a stat or readdir that failed, anything neither file nor folder, one file under two
//   names): the main thread walks, as without a worker.
// Listings are made after the load began, as the main walk's would be: a file changed before the
// load is never missed. Only plain JavaScript runs in the worker (no loader, no spelunk module).

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { FoundFiles } from './found-files.js';
import type { Expansion } from './load-paths.js';
import { EXPORTS_LIST, PASSED_OVER_PATH } from './not-evidence.js';

/** A manifest's files (cache-manifest.ts manifestFiles): runs of one folder, the names, and size, mtimeMs, ctimeMs, ino as columns. */
export interface ListedFiles {
  runs: [folder: string, count: number][];
  names: string;
  numbers: Float64Array;
}

/** What the worker found when it differs from the manifest: each file's folder (ending in '/') by runs, names, and size, mtimeMs, ctimeMs, ino, dev per file. */
export interface WalkedFiles {
  runs: [folder: string, count: number][];
  names: string[];
  numbers: Float64Array;
}

type Answer = { same: true } | { same: false; found?: WalkedFiles };

const WORKER = `
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
const { readdirSync, statSync } = require('node:fs');
const { root, port, dataFile, cacheLayout, exportsList, digestPath } = workerData;
const DATA = new RegExp(dataFile, 'i');
const DIGEST = new RegExp(digestPath, 'i');
const LAYOUT = new RegExp(cacheLayout);
const PARQUET = /\\.parquet$/i;
const runs = [];
const names = [];
let numbers = new Float64Array(5 * 4096);
let n = 0;
const seen = new Set();
class Complex extends Error {}
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
function walk(dir, top) {
  const list = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    // The list of :export's results (not-evidence.ts): the main walk leaves them out.
    if (e.name === exportsList) throw new Complex('exports');
    if (e.name.startsWith('.')) continue;
    if (e.isSymbolicLink()) throw new Complex('link');
    list.push(e.name);
  }
  if (!top && (list.includes('CACHEDIR.TAG') || LAYOUT.test(dir.slice(dir.lastIndexOf('/') + 1)))) throw new Complex('cache');
  list.sort(cmp);
  const slashed = dir + '/';
  const folders = [];
  let run;
  for (const name of list) {
    const s = statSync(slashed + name);
    if (s.isFile()) {
      if (!DATA.test(name) || PARQUET.test(name) || DIGEST.test(slashed + name)) throw new Complex('not a log');
      if (run === undefined) {
        const last = runs[runs.length - 1];
        // Files of one folder come together, and the folders' files in the order of their paths.
        if (last !== undefined && !(last[0] + names[n - 1] < slashed + name)) throw new Complex('order');
        run = [slashed, 0];
        runs.push(run);
      }
      run[1]++;
      if (5 * n + 5 > numbers.length) {
        const grown = new Float64Array(numbers.length * 2);
        grown.set(numbers);
        numbers = grown;
      }
      numbers[5 * n] = s.size;
      numbers[5 * n + 1] = s.mtimeMs;
      numbers[5 * n + 2] = s.ctimeMs;
      numbers[5 * n + 3] = s.ino;
      numbers[5 * n + 4] = s.dev;
      names.push(name);
      n++;
    } else if (s.isDirectory()) {
      const key = s.dev + ':' + s.ino;
      if (seen.has(key)) throw new Complex('again');
      seen.add(key);
      folders.push(slashed + name);
    } else throw new Complex('other');
  }
  for (const folder of folders) walk(folder, false);
}
function distinct() {
  const inodes = new Float64Array(n);
  for (let i = 0; i < n; i++) inodes[i] = numbers[5 * i + 3];
  inodes.sort();
  for (let i = 1; i < n; i++) if (inodes[i] === inodes[i - 1]) return false;
  return true;
}
function same(listed) {
  if (listed.runs.length !== runs.length) return false;
  for (let r = 0; r < runs.length; r++) if (listed.runs[r][0] !== runs[r][0] || listed.runs[r][1] !== runs[r][1]) return false;
  const listedNames = listed.names.split('/');
  if (listedNames.length !== n) return false;
  const x = listed.numbers;
  for (let i = 0; i < n; i++) {
    const at = 5 * i;
    if (listedNames[i] !== names[i] || x[i] !== numbers[at] || x[n + i] !== numbers[at + 1] || x[2 * n + i] !== numbers[at + 2] || x[3 * n + i] !== numbers[at + 3]) return false;
  }
  return true;
}
let answer;
try {
  const s = statSync(root);
  if (!s.isDirectory()) throw new Complex('not a folder');
  seen.add(s.dev + ':' + s.ino);
  walk(root, true);
  if (n === 0 || !distinct()) throw new Complex('none or twice');
  // The manifest's files, posted once read (they come while the walk runs).
  let listed;
  for (;;) {
    const got = receiveMessageOnPort(port);
    if (got !== undefined) {
      listed = got.message;
      break;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
  }
  if (listed !== null && same(listed)) answer = { same: true };
  else {
    const kept = numbers.slice(0, 5 * n);
    answer = { same: false, found: { runs, names, numbers: kept } };
  }
} catch (err) {
  answer = { same: false };
}
parentPort.postMessage(answer);
`;

export class WalkVerdict {
  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    /** The worker's answer; undefined when it has none (it failed, or was stopped). */
    readonly answer: Promise<Answer | undefined>,
  ) {}

  /**
   * Starts walking `root` (absolute and in normal form, as the main walk names it), or undefined
   * when no worker can. `dataFile` and `cacheLayout`: the walk's own patterns (load-paths.ts,
   * not-evidence.ts), as sources.
   */
  static start(root: string, dataFile: RegExp, cacheLayout: RegExp): WalkVerdict | undefined {
    if (!root.startsWith('/') || root === '/') return undefined;
    const { port1, port2 } = new MessageChannel();
    let worker: Worker;
    try {
      worker = new Worker(WORKER, { eval: true, workerData: { root, port: port2, dataFile: dataFile.source, cacheLayout: cacheLayout.source, exportsList: EXPORTS_LIST, digestPath: PASSED_OVER_PATH.source }, transferList: [port2], execArgv: [], stdout: true, stderr: true });
    } catch {
      port1.close();
      return undefined;
    }
    // Never what keeps the process alive: a run that fails before the walk ends exits at once.
    worker.unref();
    port1.unref();
    const answer = new Promise<Answer | undefined>((resolve) => {
      worker.once('message', (m: Answer) => resolve(m));
      worker.once('error', () => resolve(undefined));
      worker.once('exit', () => resolve(undefined));
    });
    void answer.then(() => port1.close());
    return new WalkVerdict(worker, port1, answer);
  }

  /** Hands the worker the manifest's files to compare with (null: none, it answers with what it found). */
  compare(listed: ListedFiles | null): void {
    this.port.postMessage(listed);
  }

  /** Stops the worker (the walk is made on the main thread instead, or not at all). */
  stop(): void {
    void this.worker.terminate();
  }
}

/** What the worker found, as the main walk gives it (expandPaths): the files in the order of their paths, no warnings. */
export function walkedExpansion(found: WalkedFiles): Expansion {
  const states = new FoundFiles();
  const info = { size: 0, mtimeMs: 0, ctimeMs: 0, ino: 0, dev: 0 };
  const x = found.numbers;
  let i = 0;
  for (const [dir, count] of found.runs) {
    for (let k = 0; k < count; k++, i++) {
      const at = 5 * i;
      info.size = x[at]!;
      info.mtimeMs = x[at + 1]!;
      info.ctimeMs = x[at + 2]!;
      info.ino = x[at + 3]!;
      info.dev = x[at + 4]!;
      const name = found.names[i]!;
      states.push(dir + name, info, false, dir, name);
    }
  }
  return { files: states.paths, warnings: [], states };
}
