// A warm start's walk judged on a worker thread. The walk and its bookkeeping (a path string and
// a stat per file, keeping each file once, the comparison with the manifest, and the garbage of
// all of it) cost the main thread 0.3-0.45 CPU-s at 5M events (53,819 files), the thread that also
// parses the manifest, builds the view and drives the first search. A worker walks the one folder
// given and compares what it finds with the manifest's columns (v3: no object per entry): when
// every file is there as listed and there is nothing else, the lookup takes the manifest's
// entries without walking (cache-lookup.ts). Whatever it cannot judge exactly as the walk would
// (load-paths.ts: a link, a file the walk would leave out and name in a note, a `.parquet` that
// could be an export, a folder named like a cache layout, a hard link, a folder met twice, a name
// with glob characters, a stat that fails), and any difference, is a no: the main thread walks.
import { Worker } from 'node:worker_threads';

/**
 * Whether a walk of `root` (absolute and normal) would find exactly the files `text` (a v3
 * manifest) lists, with their fingerprints, and nothing to warn about. Self-contained (fs and path
 * passed in, no closure): it is the worker's code, run from its text, which holds for the compiled
 * module and for its TypeScript source under tsx and vitest alike.
 */
function sameAsListed(fsm: typeof import('node:fs'), pathm: typeof import('node:path'), root: string, text: string): boolean {
  let m: { v?: unknown; folders?: [string, number][]; names?: unknown } & Record<string, number[]>;
  try {
    m = JSON.parse(text);
  } catch {
    return false;
  }
  if (m === null || m.v !== 3 || typeof m.names !== 'string' || !Array.isArray(m.folders)) return false;
  const names = m.names.split('/');
  const listed: string[] = [];
  for (const [folder, count] of m.folders) {
    if (typeof folder !== 'string' || !Number.isInteger(count) || count < 1 || listed.length + count > names.length) return false;
    for (let k = 0; k < count; k++) listed.push(folder + names[listed.length]);
  }
  if (listed.length !== names.length) return false;
  // DATA_FILE and CACHE_LAYOUT of load-paths.ts (test/walk-verdict.test.ts checks they agree).
  const data = /\.(json|jsonl|ndjson|cloudtrail|parquet|gz)$/i;
  const layout = /^v\d+(-[0-9a-f]{8})?$/;
  const found: string[] = [];
  const numbers: number[] = [];
  const files = new Set<string>();
  const rootInfo = fsm.statSync(root, { throwIfNoEntry: false });
  if (!rootInfo?.isDirectory()) return false;
  const folders = new Set<string>([`${rootInfo.dev}:${rootInfo.ino}`]);
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    if (dir !== root && layout.test(pathm.basename(dir))) return false;
    let entries: import('node:fs').Dirent[];
    try {
      entries = fsm.readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      if (e.isSymbolicLink() || /[*?[\]]/.test(e.name)) return false;
      const full = dir + pathm.sep + e.name;
      let s: import('node:fs').Stats;
      try {
        s = fsm.statSync(full);
      } catch {
        return false;
      }
      const key = `${s.dev}:${s.ino}`;
      if (s.isDirectory()) {
        if (folders.has(key)) return false;
        folders.add(key);
        stack.push(full);
      } else if (s.isFile() && data.test(e.name) && !/\.parquet$/i.test(e.name) && !files.has(key)) {
        files.add(key);
        found.push(full);
        numbers.push(s.size, s.mtimeMs, s.ctimeMs, s.ino);
      } else return false;
    }
  }
  if (found.length !== listed.length) return false;
  // The walk lists the files in path order (load-paths.ts keep), as the manifest does.
  const order = found.map((_, i) => i).sort((a, b) => (found[a]! < found[b]! ? -1 : found[a]! > found[b]! ? 1 : 0));
  const { size, mtimeMs, ctimeMs, ino } = m;
  if (!Array.isArray(size) || !Array.isArray(mtimeMs) || !Array.isArray(ctimeMs) || !Array.isArray(ino)) return false;
  for (let i = 0; i < order.length; i++) {
    const j = order[i]!;
    if (found[j] !== listed[i] || numbers[j * 4] !== size[i] || numbers[j * 4 + 1] !== mtimeMs[i] || numbers[j * 4 + 2] !== ctimeMs[i] || numbers[j * 4 + 3] !== ino[i]) return false;
  }
  return true;
}

const SCRIPT = `const { parentPort, workerData } = require('node:worker_threads');
const sameAsListed = (${sameAsListed.toString()});
let same = false;
try { same = sameAsListed(require('node:fs'), require('node:path'), workerData.root, workerData.text); } catch {}
parentPort.postMessage(same);`;

/**
 * The worker's verdict (sameAsListed) on `root` and the manifest's `text`; false when the worker
 * failed in any way. The worker ends itself once it has answered.
 */
export function judgeWalk(root: string, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(SCRIPT, { eval: true, workerData: { root, text } });
    } catch {
      resolve(false);
      return;
    }
    worker.once('message', (same: unknown) => resolve(same === true));
    worker.once('error', () => resolve(false));
    worker.once('exit', () => resolve(false));
  });
}
