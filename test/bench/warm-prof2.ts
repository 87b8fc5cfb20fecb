// scratch: warm start statements
import { DuckDBConnection } from '@duckdb/node-api';
import { Engine } from '../../src/engine/engine.js';
const arg = (n: string) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1] : undefined; };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (const m of ['run', 'runAndReadAll', 'stream', 'prepare', 'streamAndReadAll']) {
  const orig = (DuckDBConnection.prototype as any)[m];
  (DuckDBConnection.prototype as any)[m] = async function (sql: string, ...rest: unknown[]) {
    const c = cpu(); const w = performance.now();
    const r = await orig.call(this, sql, ...rest);
    console.log(`  ${m} ${(cpu() - c).toFixed(3)} ${((performance.now() - w) / 1000).toFixed(3)} ${String(sql).replace(/\s+/g, ' ').slice(0, 110)}`);
    return r;
  };
}
const t0 = cpu();
const mark = (what: string) => console.log(what, (cpu() - t0).toFixed(3));
const e = await Engine.open({ cacheDir: arg('cache') });
mark('open');
await e.load([arg('data')!]);
mark('load');
await e.run(arg('spl') ?? 'search eventName=ConsoleLogin | head 10');
mark('first');
e.close();
