// Parse+compile time per canned search (issue 11's target: under 2 ms each), as a REPL or a
// hunt meets them: every search in queries/ compiled in one process, one after another, so V8's
// type feedback is as mixed as an analyst's session makes it (one search alone in a process
// measures about half). CPU time of this process (user + system), per search: 10 warm-up
// compilations, then --rounds timed ones; the whole sweep repeated --passes times, and the best
// and median pass printed, with the load average around it. It measures the built JavaScript
// (`dist/`, what bin/spelunk.js runs; built first unless --no-build): run from the TypeScript
// through tsx, the same compile took 1.5-2 times as long.
// node --import tsx test/bench/compile.ts [--rounds 400] [--passes 3] [--no-build]
// `npm run bench` runs it too (its last line is the JSON the benchmark records).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as EngineModule from '../../src/engine/engine.js';
import type * as QueriesModule from '../../src/engine/queries.js';

const arg = (name: string, fallback: string): number => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 ? process.argv[i + 1] : fallback);
};
const rounds = arg('rounds', '400');
const passes = arg('passes', '3');
const TARGET_MS = 2;

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
const { Engine } = (await import(path.join(root, 'dist/src/engine/engine.js'))) as typeof EngineModule;
const { listQueries } = (await import(path.join(root, 'dist/src/engine/queries.js'))) as typeof QueriesModule;

/** A value for every investigation parameter: filling them is part of preparing a search. */
const PARAMS: Record<string, string> = {
  arn: 'arn:aws:iam::111122223333:user/alice', access_key_id: 'AKIAIOSFODNN7EXAMPLE', src_user: 'arn:aws:iam::111122223333:user/alice',
  ip: '203.0.113.7', region: 'us-east-1', user: 'alice', city: 'Berlin', country: 'Germany', geo_region: 'Berlin',
};

// A state folder of its own: the lookups the searches name are read from there (none exist).
const stateDir = mkdtempSync(path.join(tmpdir(), 'spelunk-bench-compile-'));
const engine = await Engine.open({ stateDir });
const searches = listQueries().map((q) => ({ id: q.id, spl: q.spl, params: Object.fromEntries(q.parameters.map((p) => [p.name, PARAMS[p.name] ?? 'x'])) }));
const load = [loadavg()[0]!];
const cpuMs: number[][] = searches.map(() => []);
for (let pass = 0; pass < passes; pass++) {
  for (const [i, s] of searches.entries()) {
    // Given the text, prepare parses it every time (it keeps the compilation of a parsed search only).
    const prepare = () => engine.prepare(s.spl, { params: s.params });
    for (let k = 0; k < 10; k++) prepare();
    const start = process.cpuUsage();
    for (let k = 0; k < rounds; k++) prepare();
    const used = process.cpuUsage(start);
    cpuMs[i]!.push((used.user + used.system) / 1000 / rounds);
  }
}
load.push(loadavg()[0]!);
engine.close();
rmSync(stateDir, { recursive: true, force: true });

const figures = searches.map((s, i) => {
  const sorted = [...cpuMs[i]!].sort((a, b) => a - b);
  return { search: s.id, bestCpuMs: round(sorted[0]!), medianCpuMs: round(sorted[Math.floor(sorted.length / 2)]!) };
});
for (const f of figures) console.log(`${f.bestCpuMs.toFixed(2).padStart(6)} ${f.medianCpuMs.toFixed(2).padStart(6)}  ${f.search}`);
const over = figures.filter((f) => f.medianCpuMs >= TARGET_MS).map((f) => f.search);
console.log(`best / median CPU-ms per parse+compile, ${rounds} rounds x ${passes} passes; load average ${load.map((x) => x.toFixed(1)).join(' -> ')}; ` +
  `${over.length ? `over ${TARGET_MS} ms (median): ${over.join(', ')}` : `all under ${TARGET_MS} ms (median)`}`);
console.log(JSON.stringify({ compile: figures, loadAvg: load.map(round), rounds, passes }));

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
