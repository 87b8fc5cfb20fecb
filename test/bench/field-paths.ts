// The REPL's field paths for completion (engine.fieldPaths) at scale (run by hand, not in `npm test`):
//   npx tsx test/bench/field-paths.ts [--size 1m] [--cache DIR] [--runs 2] [--new 3] [--arrive 50]
// Over a warm cache, one process: the sample of the whole view (field-paths.ts, still how events
// in memory are found) against the paths found per segment and remembered (segment-paths.ts)
// with nothing remembered (a first load), with `--new` segments forgotten (new files arrived:
// only theirs are found) and with everything remembered (a warm start). CPU time is the
// process's, DuckDB's threads included. Also says how the two lists of paths differ.
// `--arrive N`: then N of the data's files, copied under new names to a folder of their own, are
// loaded as well (new logs arriving: their day's segments may be rewritten too) and both are
// timed again over the view that reads them.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { nestedFieldPaths } from '../../src/engine/field-paths.js';
import { generate } from './generate.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const size = arg('size', '1m');
const runs = Number(arg('runs', '2'));
const fresh = Number(arg('new', '3'));
const arrive = Number(arg('arrive', '0'));
const data = generate(size);
const cacheDir = arg('cache', path.join(path.dirname(data.dir), `cache-${size}`));
const memory = path.join(cacheDir, 'field-paths.json');
const cpuS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await work();
  console.log(`${what.padEnd(34)} wall ${((performance.now() - t0) / 1000).toFixed(2)} s  cpu ${cpuS(process.cpuUsage(c0)).toFixed(2)} s`);
  return out;
}

/** Forgets `n` remembered segments, as if their files had just arrived. */
function forget(n: number): void {
  const m = JSON.parse(readFileSync(memory, 'utf8')) as { v: number; segments: Record<string, unknown> };
  for (const key of Object.keys(m.segments).slice(0, n)) delete m.segments[key];
  writeFileSync(memory, JSON.stringify(m));
}

const engine = await Engine.open({ cacheDir });
try {
  await timed('load (warm)', () => engine.load([data.dir]));
  console.log(`size ${size}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  let before: string[] = [];
  let after: string[] = [];
  for (let run = 1; run <= runs; run++) {
    before = await timed(`run ${run}: whole view, sampled`, () => nestedFieldPaths(engine.connection, 5000, 5000));
    rmSync(memory, { force: true });
    after = await timed(`run ${run}: per segment, none known`, () => engine.fieldPaths());
    forget(fresh);
    await timed(`run ${run}: per segment, ${fresh} new`, () => engine.fieldPaths());
    await timed(`run ${run}: per segment, all known`, () => engine.fieldPaths());
  }
  const a = new Set(after);
  const b = new Set(before);
  console.log(`paths: sampled ${before.length}, per segment ${after.length}; only sampled ${before.filter((p) => !a.has(p)).length} ${JSON.stringify(before.filter((p) => !a.has(p)).slice(0, 8))}; only per segment ${after.filter((p) => !b.has(p)).length} ${JSON.stringify(after.filter((p) => !b.has(p)).slice(0, 8))}`);
  console.log(`first 20 sampled:     ${before.slice(0, 20).join(' ')}`);
  console.log(`first 20 per segment: ${after.slice(0, 20).join(' ')}`);
  if (arrive > 0) {
    const extra = mkdtempSync(path.join(tmpdir(), 'spelunk-arrive-'));
    try {
      const files = readdirSync(data.dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json.gz')).slice(0, arrive);
      mkdirSync(path.join(extra, 'new'));
      files.forEach((f, i) => copyFileSync(path.join(data.dir, f), path.join(extra, 'new', `arrived-${i}.json.gz`)));
      await timed(`load of ${arrive} arrived files`, () => engine.load([extra]));
      await timed('arrived: whole view, sampled', () => nestedFieldPaths(engine.connection, 5000, 5000));
      await timed('arrived: per segment', () => engine.fieldPaths());
      await timed('arrived: per segment, again', () => engine.fieldPaths());
    } finally {
      rmSync(extra, { recursive: true, force: true });
    }
  }
} finally {
  engine.close();
}
