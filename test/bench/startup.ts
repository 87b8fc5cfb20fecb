// A spelunk process's own start: what `spelunk run` costs before and around its search, as ratios
// against floors measured in the same run (the machine is shared: only same-run ratios and
// alternated pairs say anything).
//   node --import tsx test/bench/startup.ts [--rounds 8] [--against DIR] [--data PATH] [--cache DIR]
// Each round runs every step once, in turn (A B C ... A B C ...), so the load hits them alike:
//   node0     `node -e 0`: Node's own start, the floor of any process.
//   hand      a script that opens @duckdb/node-api and runs makeresults' SQL: Node, DuckDB's API and
//             its native library, one query (the floor of a `run` without data).
//   handdata  the same script over the cache's Parquet files: the floor of a warm `run --data`.
//   version   `spelunk --version`.
//   make      `spelunk run '| makeresults | stats count'`.
//   data      `spelunk run 'eventName=AssumeRole | stats count' --data fixtures/sample` (warm cache).
// --against DIR adds the three spelunk steps of another checkout's build (DIR/bin/spelunk.js), run
// alternately with this one's: a before/after pair in one run. Each process's wall and CPU seconds
// (user + system, every thread) come from /usr/bin/time; medians are printed with the load average.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(HERE, '..', '..');
const arg = (name: string, fallback?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('rounds', '8'));
const data = path.resolve(arg('data', path.join(ROOT, 'fixtures', 'sample'))!);
const work = mkdtempSync(path.join(tmpdir(), 'spelunk-startup-'));
const cache = arg('cache') ?? path.join(work, 'cache');
const against = arg('against');
if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('startup bench: it runs dist/: npm run build first');

function parquetFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? parquetFiles(p) : f.endsWith('.parquet') ? [p] : [];
  });
}

const spelunkSteps = (bin: string, tag: string): Array<[string, string[]]> => [
  [`version${tag}`, [bin, '--version']],
  [`make${tag}`, [bin, 'run', '| makeresults | stats count']],
  [`data${tag}`, [bin, 'run', 'eventName=AssumeRole | stats count', '--data', data, '--cache', cache]],
];
const bin = path.join(ROOT, 'bin', 'spelunk.js');
// The cache is written once, before any timing: every `data` run is a warm start.
const first = spawnSync(process.execPath, [bin, 'run', 'eventName=AssumeRole | stats count', '--data', data, '--cache', cache, '--quiet']);
if (first.status !== 0) throw new Error(`startup bench: the first run failed: ${first.stderr.toString()}`);

// The hand-written floor: DuckDB's API as spelunk loads it (required), one instance, one query.
const hand = path.join(work, 'hand.cjs');
writeFileSync(hand, `const { DuckDBInstance } = require(${JSON.stringify(createRequire(path.join(ROOT, 'package.json')).resolve('@duckdb/node-api'))});
(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const files = JSON.parse(process.argv[2] ?? 'null');
  const sql = files ? \`SELECT count(*) AS count FROM read_parquet(\${JSON.stringify(files).replace(/"/g, "'")}) WHERE eventName = 'AssumeRole'\` : 'SELECT count(*) AS count FROM range(1)';
  const r = await c.runAndReadAll(sql);
  process.stdout.write(String(r.getRows()[0][0]) + '\\n');
  c.closeSync();
  db.closeSync();
})();
`);
const cacheFiles = parquetFiles(cache);
const steps: Array<[string, string[]]> = [
  ['node0', ['-e', '0']],
  ['hand', [hand]],
  ['handdata', [hand, JSON.stringify(cacheFiles)]],
  ...spelunkSteps(bin, ''),
  ...(against ? spelunkSteps(path.join(path.resolve(against), 'bin', 'spelunk.js'), '@against') : []),
];

const figures = new Map<string, Array<{ wall: number; cpu: number }>>();
const loads: number[] = [];
function run(name: string, args: string[]): void {
  const r = spawnSync('/usr/bin/time', ['-f', 'STARTUP-TIME %e %U %S', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const timed = /^STARTUP-TIME ([\d.]+) ([\d.]+) ([\d.]+)$/m.exec(r.stderr.toString());
  if (r.status !== 0 || !timed) throw new Error(`startup bench: ${name} failed (exit ${r.status ?? r.signal}): ${r.stderr.toString().slice(0, 500)}`);
  const list = figures.get(name) ?? [];
  list.push({ wall: Number(timed[1]), cpu: Number(timed[2]) + Number(timed[3]) });
  figures.set(name, list);
}
for (let i = 0; i < rounds; i++) {
  loads.push(loadavg()[0]!);
  // Alternated, and the pair's order swapped every round: neither side always runs first.
  const order = i % 2 === 0 ? steps : [...steps].reverse();
  for (const [name, args] of order) run(name, args);
}
loads.push(loadavg()[0]!);
rmSync(work, { recursive: true, force: true });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const med = new Map([...figures].map(([name, xs]) => [name, { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) }]));
const node0 = med.get('node0')!.cpu;
console.log(`startup: ${rounds} rounds, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
console.log('step              wall s  CPU-s  CPU-s range   CPU / node0  CPU - node0  CPU / floor');
for (const [name, m] of med) {
  const xs = figures.get(name)!.map((x) => x.cpu);
  const floor = name.startsWith('data') ? med.get('handdata')!.cpu : name.startsWith('make') ? med.get('hand')!.cpu : node0;
  console.log(`${name.padEnd(17)} ${m.wall.toFixed(2).padStart(6)}  ${m.cpu.toFixed(2).padStart(5)}  ${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}   ${(m.cpu / node0).toFixed(1).padStart(10)}  ${(m.cpu - node0).toFixed(2).padStart(11)}  ${(m.cpu / floor).toFixed(2).padStart(11)}`);
}
