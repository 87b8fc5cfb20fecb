// CPU seconds of saved searches over a warm cache, for A/B comparisons of the search side:
// node --import tsx test/bench/search-cpu.ts --size 1m --cache DIR [--reps 3] [--match from_city,...] [--sql] [--hash]
// Each search runs --reps times in this process (rows streamed to a sink, never held); it prints
// the best and median CPU seconds (user + system, DuckDB's threads included), the wall, the rows
// and the process's peak RSS. Parameters are filled as bench.ts fills them. --hash adds a digest of
// the rows in order (the last rep's), to compare two builds' answers.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/engine.js';
import { generate } from './generate.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const data = generate(arg('size', '1m')!);
const files = data.dir + '/AWSLogs';
const reps = Number(arg('reps', '3'));
const match = arg('match')?.split(',');
const hash = process.argv.includes('--hash');
// A state folder of its own: the baseline search writes a lookup there, never in the user's.
const stateDir = mkdtempSync(path.join(tmpdir(), 'spelunk-search-cpu-'));
const engine = await Engine.open({ cacheDir: arg('cache'), stateDir });
await engine.load([files]);
const f = data.facts;
const place = (await engine.run(`| makeresults | eval ip="${f.ip}" | iplocation ip | table City Country Region`)).rows[0] ?? {};
const userArn = `arn:aws:iam::${f.account}:user/${f.user}`;
const values: Record<string, string> = {
  access_key_id: f.accessKey, arn: userArn, src_user: userArn, ip: f.ip, user: f.user, region: 'us-east-1',
  city: String(place['City'] ?? ''), country: String(place['Country'] ?? ''), geo_region: String(place['Region'] ?? ''),
};
const qdir = path.join(HERE, '..', '..', 'queries');
const extra = arg('spl');
const cases = extra ? [['adhoc', extra] as const] : readdirSync(qdir).filter((x) => x.endsWith('.spl') && (!match || match.some((m) => x.includes(m)))).sort().map((file) => {
  const text = readFileSync(path.join(qdir, file), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
  return [file.replace('.spl', ''), text.replace(/\$(\w+)\$/g, (_t, name: string) => `"${values[name]!.replace(/["\\]/g, '\\$&')}"`)] as const;
});
for (const [name, spl] of cases) {
  if (process.argv.includes('--sql')) console.log((await engine.prepareWithData(spl)).compiled.sql);
  const cpu: number[] = [];
  const wall: number[] = [];
  let rows = 0;
  let first = 0;
  let digest = createHash('sha256');
  for (let i = 0; i < reps; i++) {
    digest = createHash('sha256');
    const c = process.cpuUsage();
    const s = performance.now();
    rows = 0;
    first = 0;
    await engine.stream(spl, {}, (chunk) => {
      first ||= (performance.now() - s) / 1000;
      rows += chunk.length;
      if (hash) for (const row of chunk) digest.update(JSON.stringify(row) + '\n');
    });
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1e6);
    wall.push((performance.now() - s) / 1000);
  }
  const sorted = [...cpu].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 100) / 100;
  console.log(JSON.stringify({ name, rows, cpuBest: r(sorted[0]!), cpuMedian: r(sorted[Math.floor(reps / 2)]!), wallBest: r(Math.min(...wall)), firstRow: r(first), peakRssGB: r(process.resourceUsage().maxRSS / 1e6), load: r(loadavg()[0]!), ...(hash ? { rowsHash: digest.digest('hex').slice(0, 16) } : {}) }));
}
engine.close();
rmSync(stateDir, { recursive: true, force: true });
