// scratch: EXPLAIN ANALYZE of a search's SQL over the warm cache
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine } from '../../src/engine/engine.js';
const arg = (n: string) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1] : undefined; };
const engine = await Engine.open({ cacheDir: arg('cache'), stateDir: mkdtempSync(path.join(tmpdir(), 'sp5-')) });
await engine.load([arg('data')!]);
const conn = (engine as any).conn;
let sql = arg('sqlfile') ? (await import('node:fs')).readFileSync(arg('sqlfile')!, 'utf8') : (await engine.prepareWithData(arg('spl')!)).compiled.sql;
if (process.argv.includes('--print')) console.log(sql);
for (let i = 0; i < Number(arg('reps') ?? 1); i++) {
  const c = process.cpuUsage();
  const r = await conn.runAndReadAll(`CREATE OR REPLACE TEMP TABLE __sink AS ${sql}`);
  const u = process.cpuUsage(c);
  console.log('ctas cpu', (u.user + u.system) / 1e6);
}
if (process.argv.includes('--analyze')) {
  const r = await conn.runAndReadAll(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
  for (const row of r.getRows()) console.log(String(row[1]));
}
engine.close();
