// New log files arriving during an incident (run by hand, not in `npm test`):
//   npx tsx test/bench/arrive.ts --size 5m --cache DIR[,DIR2] [--files 50] [--runs 3] [--build a/dist,b/dist]
// CloudTrail delivers a file per account and region every five minutes, and the analyst loads
// again: `:load` in the REPL (a second load in the same process) or a new `spelunk run` over the
// same tree (a warm start that finds new files). Either must cost what the new files cost, not
// what the cache holds. Each run copies `--files` of the data's newest day's files under new names into a
// folder beside the tree (one folder per build, growing run by run: the same files for each
// build in a run), and times, in a child process per build (alternated, as listed in --build:
// each a built `dist/` folder, default this checkout's):
// - `repl`: a second load of the tree and the folder in the process that loaded them before,
//   then the REPL's field paths (engine.fieldPaths);
// - `run`: `--files` more, then a new process's load of the same paths (a warm start).
// Each figure is split by what ran: DuckDB statements by kind (the duplicate count, the view, the
// conversion, the field paths; wall and process CPU around each), the manifest's write, and the
// rest (walk, lookup, JSON). CPU seconds are the process's, DuckDB's threads included.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDBConnection } from '@duckdb/node-api';
import { generate } from './generate.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const size = arg('size', '1m');
const files = Number(arg('files', '50'));
const runs = Number(arg('runs', '3'));
const builds = arg('build', path.join(HERE, '..', '..', 'dist')).split(',').map((b) => path.resolve(b));
const data = generate(size);
/** One cache per build (a comma list, in --build's order): builds that write the cache differently must not share one. */
const caches = arg('cache', path.join(path.dirname(data.dir), `cache-${size}`)).split(',').map((c) => path.resolve(c));
const cacheDir = path.resolve(arg('child-cache', caches[0]!));
const stamp = arg('stamp', Date.now().toString(36));
const cpuS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

/** What a statement is for, from its text. */
function kindOf(sql: string): string {
  if (/count\(DISTINCT "eventID"\)|PARTITION BY "eventID"|-- duplicates/.test(sql)) return 'duplicates';
  if (/filename = true\) AS e\s+JOIN \(VALUES/.test(sql)) return 'rewrite';
  if (/json_tree|file_row_number\) FILTER|SELECT count\(\*\)::DOUBLE FROM read_parquet/.test(sql)) return 'paths';
  if (/TEMP VIEW|__spelunk_sources|__spelunk_saved|ATTACH|DETACH/.test(sql)) return 'view';
  return 'convert';
}

type Split = Record<string, { wall: number; cpu: number }>;
let split: Split = {};
const add = (kind: string, wall: number, cpu: number) => {
  const s = (split[kind] ??= { wall: 0, cpu: 0 });
  s.wall += wall;
  s.cpu += cpu;
};

/** Times every statement on every connection (the loads' own DuckDB too), and the manifests' writes. */
let depth = 0;
function instrument(): void {
  for (const m of ['run', 'runAndReadAll', 'streamAndReadAll', 'runAndRead', 'stream', 'start', 'startStream'] as const) {
    const proto = DuckDBConnection.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const orig = proto[m];
    if (!orig) continue;
    // Only the outermost call: one method calls another, and statements that overlap (a warm
    // start's view beside its walk) would count their time twice.
    proto[m] = async function (this: unknown, sql: unknown, ...rest: unknown[]) {
      if (depth > 0) return orig.call(this, sql, ...rest);
      depth++;
      const t = performance.now();
      const c = process.cpuUsage();
      try {
        return await orig.call(this, sql, ...rest);
      } finally {
        depth--;
        add(kindOf(String(sql)), performance.now() - t, cpuS(process.cpuUsage(c)));
      }
    };
  }
  const write = fs.writeFileSync;
  fs.writeFileSync = ((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    const t = performance.now();
    const c = process.cpuUsage();
    try {
      return (write as (...a: unknown[]) => void)(file, ...rest);
    } finally {
      if (/list-[0-9a-f]+\.json/.test(String(file))) add('manifest', performance.now() - t, cpuS(process.cpuUsage(c)));
    }
  }) as typeof fs.writeFileSync;
  syncBuiltinESMExports();
}

async function timed(work: () => Promise<unknown>): Promise<Split> {
  split = {};
  const t = performance.now();
  const c = process.cpuUsage();
  await work();
  const wall = performance.now() - t;
  const cpu = cpuS(process.cpuUsage(c));
  const known = Object.values(split);
  add('rest', wall - known.reduce((s, x) => s + x.wall, 0), cpu - known.reduce((s, x) => s + x.cpu, 0));
  add('total', wall, cpu);
  return split;
}

/** The files of the data's newest day that has at least `files` of them: new deliveries land on the current day. */
function sources(): string[] {
  const all = readdirSync(data.dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json.gz'));
  const day = (f: string) => /(\d{4})\/(\d\d)\/(\d\d)\//.exec(f)?.slice(1).join('') ?? '';
  const byDay = new Map<string, string[]>();
  for (const f of all) byDay.set(day(f), [...(byDay.get(day(f)) ?? []), f]);
  const newest = [...byDay.keys()].filter((d) => byDay.get(d)!.length >= files).sort().pop()!;
  return byDay.get(newest)!.sort();
}

/**
 * `files` of them, copied under new names (batch `batch`: the same files for every build). Names
 * never used before (`stamp`: this invocation's): a name the cache has an entry for is a changed
 * file, whose day is rewritten.
 */
function arrive(folder: string, all: string[], batch: number): void {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < files; i++) copyFileSync(path.join(data.dir, all[(batch * files + i) % all.length]!), path.join(folder, `arrived-${stamp}-${batch}-${i}.json.gz`));
}

async function child(build: string, folder: string, batch: number): Promise<void> {
  instrument();
  const { Engine } = (await import(pathToFileURL(path.join(build, 'src/engine/engine.js')).href)) as typeof import('../../src/engine/engine.js');
  const all = sources();
  const paths = [data.dir, folder];
  const out: Record<string, unknown> = {};
  let engine = await Engine.open({ cacheDir });
  try {
    const first = await timed(() => engine.load(paths));
    out['first'] = first;
    arrive(folder, all, batch);
    let report: Awaited<ReturnType<typeof engine.load>> | undefined;
    out['repl'] = await timed(async () => (report = await engine.load(paths)));
    out['duplicates'] = report?.duplicates?.events;
    out['events'] = report?.eventsLoaded;
    out['paths'] = await timed(() => engine.fieldPaths());
  } finally {
    engine.close();
  }
  arrive(folder, all, batch + 1000);
  engine = await Engine.open({ cacheDir });
  try {
    let report: Awaited<ReturnType<typeof engine.load>> | undefined;
    out['run'] = await timed(async () => (report = await engine.load(paths)));
    out['runDuplicates'] = report?.duplicates?.events;
  } finally {
    engine.close();
  }
  console.log(JSON.stringify(out));
}

const f2 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
const line = (s: Split | undefined) => {
  if (!s) return '-';
  const order = ['total', 'duplicates', 'view', 'convert', 'rewrite', 'manifest', 'paths', 'rest'];
  return order.filter((k) => s[k]).map((k) => `${k} ${f2(s[k]!.wall / 1000)}/${f2(s[k]!.cpu)}`).join('  ');
};

if (process.argv.includes('--child')) {
  await child(arg('child-build', ''), arg('folder', ''), Number(arg('batch', '0')));
} else {
  console.log(`arrive: size ${size}, ${files} files a load, caches ${caches.join(', ')}; figures are wall s / CPU-s`);
  for (let run = 0; run < runs; run++) {
    for (const [b, build] of builds.entries()) {
      const folder = path.join(path.dirname(data.dir), `arrive13-${path.basename(path.dirname(build))}-${size}`);
      if (run === 0 && existsSync(folder)) rmSync(folder, { recursive: true });
      if (run === 0) arrive(folder, sources(), 9999);
      const load = loadavg()[0]!.toFixed(2);
      const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--child', '--child-build', build, '--child-cache', caches[b] ?? caches[0]!, '--folder', folder, '--batch', String(run), '--stamp', stamp], { encoding: 'utf8', maxBuffer: 1e8 });
      const last = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status !== 0 || !last.startsWith('{')) {
        console.log(`${build}: failed (${r.status})\n${r.stdout}\n${r.stderr}`);
        continue;
      }
      const o = JSON.parse(last) as Record<string, Split | number>;
      console.log(`run ${run + 1} ${path.basename(path.dirname(build))} (load ${load}), ${o['events']} events, duplicates ${o['duplicates']} / ${o['runDuplicates']}`);
      console.log(`  first load  ${line(o['first'] as Split)}`);
      console.log(`  repl :load  ${line(o['repl'] as Split)}`);
      console.log(`  field paths ${line(o['paths'] as Split)}`);
      console.log(`  new run     ${line(o['run'] as Split)}`);
    }
  }
}
