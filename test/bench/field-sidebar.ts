// The REPL's field sidebar (`:fields`) at scale (run by hand, not in `npm test`):
//   npx tsx test/bench/field-sidebar.ts [--size 1m] [--cache DIR] [--runs 3] [--search SPL]
// Loads the generated data through the cache (the first run converts it), then for a few
// searches times each pass of the sidebar's counting, from the search's result to the moment a
// pass is on screen: the event fields (the first list shown), the add-on and pipeline fields, the
// nested paths. Wall time and the process's CPU time (DuckDB's threads included) are both
// printed: on a busy shared machine the CPU time, divided by the cores, is the steadier figure.
// The counts over every row are remembered in the cache folder (src/engine/sidebar-memory.ts):
// they are forgotten first, so run 1 counts as a first sidebar over these files does and later
// runs read them; `--remembered` keeps what an earlier process left (a later session's sidebar).
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { SIDEBAR_FILE } from '../../src/engine/engine-sidebar.js';
import { Engine } from '../../src/engine/engine.js';
import { Session } from '../../src/repl/session.js';
import { generate } from './generate.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const size = arg('size', '1m');
const runs = Number(arg('runs', '3'));
const data = generate(size);
const cacheDir = arg('cache', path.join(path.dirname(data.dir), `cache-${size}`));
const SEARCHES = process.argv.includes('--search') ? [arg('search', '*')] : ['*', 'eventName=AssumeRole', `sourceIPAddress=${data.facts.ip}`, 'eventSource=s3.amazonaws.com errorCode=*'];

if (!process.argv.includes('--remembered')) rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
const engine = await Engine.open({ cacheDir });
const session = new Session(engine, { now: data.facts.end });
let t0 = performance.now();
await session.load([data.dir]);
console.log(`dataset: ${data.events.toLocaleString('en-US')} events, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (cache ${cacheDir}); ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

for (const spl of SEARCHES) {
  for (let run = 1; run <= runs; run++) {
    // A fresh result each time: the sidebar keeps its counts with the result it describes.
    await session.execute(spl);
    const rows = session.last!.truncated ? 'capped' : `${session.last!.rows.length}`;
    const marks: string[] = [];
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    // When each pass was on screen: wall time and the CPU time spent so far.
    const mark = (stage: string) => {
      const c = process.cpuUsage(cpu0);
      return `${stage} done at ${s(performance.now() - t0)} (${s((c.user + c.system) / 1000)} CPU)`;
    };
    let stage = '';
    const stats = await session.fieldStats('auto', (u) => {
      if (u.stage !== stage) {
        if (stage) marks.push(mark(stage));
        stage = u.stage;
      }
    });
    marks.push(mark(stage || 'remembered counts read'));
    const cpu = process.cpuUsage(cpu0);
    console.log(`${spl.padEnd(40)} run ${run}: ${stats.rows?.toLocaleString('en-US')} events (held ${rows}), ${stats.fields.length} fields; ${marks.join(', ')}; total ${s(performance.now() - t0)} wall, ${s((cpu.user + cpu.system) / 1000)} CPU${stats.stopped ? ` STOPPED: ${stats.stopped}` : ''}`);
  }
}
engine.close();
