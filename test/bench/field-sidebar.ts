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
//
// `--after 0,2,5`: the REPL's counting ahead (src/repl/sidebar-job.ts), started as the REPL starts
// it once the rows are shown; the analyst opens the sidebar that many seconds later, and the times
// are from that key press (the counting ahead's CPU before it is given apart). `--next SPL` (with
// --after): the next search's time while the counting ahead runs, against the same search with
// nothing running, and how long the stop took.
//
// `--idle S` (or `none`): the REPL's summary over every loaded event counted in idle time after the
// load (src/repl/idle-summary.ts); the search is typed S seconds after the load ended (its own time
// printed: what the running summary costs it), and its sidebar asked as soon as its rows are shown
// (as `--after 0`, unless --after says otherwise). `none`: the same process with no idle summary,
// the baseline. One value per process: the summary's kept scans would serve the next cell.
// `--typed N` (with --idle): first, N searches (`--next`, default eventName=ConsoleLogin) typed a
// second apart from the load on, each stopping the summary, which resumes after it: their times,
// against the same with `--idle none`; then the process ends. With `--lookups`, value completions
// instead (which do not stop it).
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
// `none` among them: the sidebar with nothing counted ahead, as before, in the same process.
const AFTER = process.argv.includes('--after') ? arg('after', '0').split(',').map((a) => (a === 'none' ? undefined : Number(a))) : [undefined];
const NEXT = process.argv.includes('--next') ? arg('next', 'eventName=ConsoleLogin') : undefined;
const IDLE = process.argv.includes('--idle') ? arg('idle', 'none') : undefined;
const idleS = IDLE === undefined || IDLE === 'none' ? undefined : Number(IDLE);
if (IDLE !== undefined && !process.argv.includes('--after')) AFTER.splice(0, AFTER.length, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

if (!process.argv.includes('--remembered')) rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
const engine = await Engine.open({ cacheDir });
const session = new Session(engine, { now: data.facts.end, idleSummary: idleS !== undefined });
let t0 = performance.now();
await session.load([data.dir]);
const loaded = performance.now();
const loadCpu = process.cpuUsage();
console.log(`dataset: ${data.events.toLocaleString('en-US')} events, loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s (cache ${cacheDir}); ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}`);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
if (IDLE !== undefined && process.argv.includes('--typed')) {
  const times: string[] = [];
  const typedSpl = NEXT ?? 'eventName=ConsoleLogin';
  // `--lookups`: value completion instead (Tab after `eventName=Cre`, a new prefix each time), which does not stop the summary.
  const lookups = process.argv.includes('--lookups');
  const prefixes = ['Cre', 'Get', 'Lis', 'Des', 'Put', 'Del', 'Ass', 'Upd'];
  for (let i = 0; i < Number(arg('typed', '5')); i++) {
    await sleep(1000);
    const idle = session.sidebars.idle;
    const running = idle !== null && !idle.finished;
    const c = process.cpuUsage();
    const t = performance.now();
    if (lookups) await session.values('eventName', prefixes[i % prefixes.length]!);
    else await session.execute(typedSpl);
    times.push(`${s(performance.now() - t)} (${cpuS(process.cpuUsage(c)).toFixed(2)} CPU-s${IDLE === 'none' ? '' : running ? '' : ', summary done'})`);
  }
  const idle = session.sidebars.idle;
  console.log(`  ${lookups ? 'value completion (eventName=PREFIX)' : typedSpl} typed a second apart, ${IDLE === 'none' ? 'nothing counted in idle time' : `the idle summary running (${idle?.partsCounted.length ?? 0} parts counted by the last)`}: ${times.join(', ')}`);
  engine.close();
  process.exit(0);
}

for (const spl of SEARCHES) {
  for (const after of AFTER) for (let run = 1; run <= runs; run++) {
    // A fresh result each time: the sidebar keeps its counts with the result it describes.
    if (run === 1 && process.argv.includes('--after') && IDLE === undefined) rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
    let typed = '';
    if (IDLE !== undefined && run === 1) {
      // The analyst reads the load's summary for S seconds, then types the search.
      await sleep(Math.max(0, (idleS ?? 0) * 1000 - (performance.now() - loaded)));
      const idle = session.sidebars.idle;
      const state = idle ? `idle summary ${idle.finished ? 'done' : `under way (${idle.partsCounted.length} parts counted)`}${idle.failed ? ` FAILED: ${idle.failed}` : ''}, ${cpuS(process.cpuUsage(loadCpu)).toFixed(2)} CPU-s since the load` : 'no idle summary';
      const c = process.cpuUsage();
      const t = performance.now();
      await session.execute(spl);
      typed = `typed ${IDLE === 'none' ? 'with nothing counted in idle time' : `${idleS} s after the load`} (${state}): the search ${s(performance.now() - t)} (${cpuS(process.cpuUsage(c)).toFixed(2)} CPU-s); `;
    } else await session.execute(spl);
    const rows = session.last!.truncated ? 'capped' : `${session.last!.rows.length}`;
    const marks: string[] = [];
    let ahead = '';
    if (after !== undefined) {
      // As the REPL does once the rows are shown; the analyst reads them for `after` seconds.
      const before = process.cpuUsage();
      session.countFieldsAhead(session.last!);
      await sleep(after * 1000);
      const job = session.fieldsAhead;
      const failed = job?.finished ? (await job.done).stopped : undefined;
      ahead = `after ${after} s (counting ahead ${job?.finished ? 'done' : 'under way'}, ${cpuS(process.cpuUsage(before)).toFixed(2)} CPU-s so far${failed ? `, FAILED: ${failed}` : ''}): `;
    }
    let firstScreen: number | undefined;
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    // When each pass was on screen: wall time and the CPU time spent so far.
    const mark = (stage: string) => {
      const c = process.cpuUsage(cpu0);
      return `${stage} done at ${s(performance.now() - t0)} (${s((c.user + c.system) / 1000)} CPU)`;
    };
    let stage = '';
    const stats = await session.fieldStats('auto', (u) => {
      if (firstScreen === undefined && u.fields.length > 0) firstScreen = performance.now() - t0;
      if (u.stage !== stage) {
        if (stage) marks.push(mark(stage));
        stage = u.stage;
      }
    });
    marks.push(mark(stage || 'remembered counts read'));
    // Counts read at once (made ahead and done, or remembered) reach the screen with the answer.
    if (firstScreen === undefined && stats.fields.length > 0) firstScreen = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // The result's row count comes with the passes over every row (the nested paths are read from the rows held, as ever).
    const exact = !stats.stopped && stats.rows !== null ? `exact at ${s(performance.now() - t0)}` : 'NOT EXACT';
    console.log(`${spl.padEnd(40)} run ${run}: ${typed}${after === undefined && process.argv.includes('--after') ? 'nothing counted ahead: ' : ahead}${stats.rows?.toLocaleString('en-US')} events (held ${rows}), ${stats.fields.length} fields; first screen at ${firstScreen === undefined ? '-' : s(firstScreen)}, ${exact}; ${marks.join(', ')}; total ${s(performance.now() - t0)} wall, ${s((cpu.user + cpu.system) / 1000)} CPU${stats.stopped ? ` STOPPED: ${stats.stopped}` : ''}`);
    if (NEXT !== undefined && after !== undefined) await nextSearch(spl, NEXT);
  }
}

/** The next search typed while the counting ahead of `spl`'s result runs, against the same search with nothing running. */
async function nextSearch(spl: string, next: string): Promise<void> {
  const timed = async () => {
    const c = process.cpuUsage();
    const t = performance.now();
    await session.execute(next);
    return `${s(performance.now() - t)} (${cpuS(process.cpuUsage(c)).toFixed(2)} CPU-s)`;
  };
  const alone = await timed();
  await session.execute(spl);
  // Lookups that do not stop the counting ahead: value completion (Tab after `eventName=Cre`, each
  // prefix asked once a session, so another each time) and the event viewer's lookup of a row
  // without `_raw` (a table of events). What the counting ahead costs them.
  const id = String(session.last!.rows[session.last!.rows.length - 1]!.eventID);
  let prefixes = 0;
  const lookup = async () => {
    const t = performance.now();
    await session.values('eventName', ['Cre', 'Get', 'Lis', 'Des', 'Put', 'Del'][prefixes++ % 6]!);
    const values = performance.now() - t;
    await session.eventById(id);
    return `completion ${s(values)}, event ${s(performance.now() - t - values)}`;
  };
  const eventAlone = await lookup();
  // Not read back from memory: counted.
  rmSync(path.join(cacheDir, SIDEBAR_FILE), { force: true });
  session.countFieldsAhead(session.last!);
  const job = session.fieldsAhead!;
  await sleep(1000);
  const eventDuring = job.finished ? 'ALREADY DONE' : await lookup();
  const running = !job.finished;
  // Session.execute stops it first, as the REPL's next search does; how long until it has stopped.
  const stopAt = performance.now();
  const stopped = new Promise<number>((resolve) => {
    const poll = setInterval(() => job.finished && (clearInterval(poll), resolve(performance.now() - stopAt)), 2);
  });
  const during = await timed();
  const stopS = await stopped;
  const againAlone = await timed();
  console.log(`  next search ${next}: alone ${alone} and ${againAlone}; typed 1 s into the counting ahead (${running ? 'running' : 'ALREADY DONE'}) ${during}; the counting ahead had stopped ${s(stopS)} after it was typed. Lookups: alone ${eventAlone}, while the counting ahead runs ${eventDuring}`);
}
engine.close();
