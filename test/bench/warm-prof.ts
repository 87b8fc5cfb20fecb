// scratch: warm start phases
import { Engine } from '../../src/engine/engine.js';
const arg = (n: string) => { const i = process.argv.indexOf(`--${n}`); return i > 0 ? process.argv[i + 1] : undefined; };
const t0 = process.cpuUsage(); const w0 = performance.now();
const mark = (what: string) => { const u = process.cpuUsage(t0); console.log(what, ((u.user + u.system) / 1e6).toFixed(3), ((performance.now() - w0) / 1000).toFixed(3)); };
const e = await Engine.open({ cacheDir: arg('cache') });
mark('open');
await e.load([arg('data')!]);
mark('load');
await e.run('search eventName=ConsoleLogin | head 10');
mark('first');
await e.run('search eventName=ConsoleLogin | head 10');
mark('second');
e.close();
