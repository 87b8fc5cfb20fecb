// Merged CTEs against one CTE per step, on the same loaded events in one process:
// `npx tsx test/bench/merge-steps.ts [--size 1m] [--cache DIR] [--reps 2]`. For each search it
// prints the CTE counts and, for both forms, the wall and CPU seconds (user + system, DuckDB's
// threads included) of DuckDB computing the whole result into a temporary table, the two forms
// alternating so a change of load hits both alike. The data comes from generate.ts, as bench.ts's.
import { loadavg } from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { listQueries } from '../../src/engine/queries.js';
import { generate } from './generate.js';

const arg = (name: string, fallback?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const size = arg('size', '1m')!;
const reps = Number(arg('reps', '2'));
const data = generate(size as Parameters<typeof generate>[0]);
const cacheDir = arg('cache') ?? path.join(path.dirname(data.dir), `cache-${size}`);

const engine = await Engine.open({ cacheDir });
await engine.load([data.dir + '/AWSLogs']);

const searches: [string, string][] = [
  ...listQueries().filter((q) => q.parameters.length === 0).map((q): [string, string] => [q.id, q.spl]),
  ['eval chain', 'search eventName=AssumeRole | eval a=len(eventName), b=a*2 | eval c=b+1 | where c > 3 | stats count by c'],
  ['stats by path', 'search * | stats count by userIdentity.type eventSource'],
];

const ctes = (sql: string) => (sql.match(/ AS \(\n/g) ?? []).length;

async function timed(sql: string): Promise<[number, number]> {
  const s = performance.now();
  const c = process.cpuUsage();
  await engine.connection.run(`CREATE OR REPLACE TEMP TABLE __bench AS ${sql}`);
  const used = process.cpuUsage(c);
  return [(performance.now() - s) / 1000, (used.user + used.system) / 1e6];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
for (const [name, spl] of searches) {
  const merged = (await engine.prepareWithData(spl, {})).compiled.sql;
  const stepwise = (await engine.prepareWithData(spl, { stepwise: true })).compiled.sql;
  const m: [number, number][] = [];
  const s: [number, number][] = [];
  const load = loadavg()[0]!;
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      m.push(await timed(merged));
      s.push(await timed(stepwise));
    } else {
      s.push(await timed(stepwise));
      m.push(await timed(merged));
    }
  }
  const sum = (xs: [number, number][], k: 0 | 1) => r3(xs.reduce((a, x) => a + x[k], 0) / xs.length);
  console.log(JSON.stringify({ name, ctes: { merged: ctes(merged), stepwise: ctes(stepwise) }, merged: { wallS: sum(m, 0), cpuS: sum(m, 1) }, stepwise: { wallS: sum(s, 0), cpuS: sum(s, 1) }, loadAvg: [r3(load), r3(loadavg()[0]!)] }));
}
engine.close();
