// REPL responsiveness with a large dataset loaded (run by hand, not in `npm test`):
//   npx tsx test/bench/repl-keypress.ts [--size 1m] [--keys 300]
// 1. Time to the first prompt: the built binary in a pseudo-terminal (util-linux `script`), from
//    spawn to the first frame (progress shown) and to the prompt after the load and its summary.
// 2. Keypress redraw: the Ink app in-process over an engine with the data loaded; each typed key
//    is timed from stdin to the frame that shows it (Ink's debug mode, so no render throttle).
//    The search typed is a long multi-stage pipeline, so highlighting works on a realistic line.
//    `--cache DIR` loads through that cache folder (a warm start when it holds the data);
//    `--idle` gives the session the REPL's idle summary (the `*` sidebar counted after the load,
//    session-sidebar.ts), so the keys are timed while it counts on the sidebar job's connection
//    (typing at the prompt does not stop it: only a command does); `--wait MS` starts the keys
//    that long after the prompt; `--search S` runs S first (its sidebar then counted ahead).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.js';
import { History } from '../../src/repl/history.js';
import { Session } from '../../src/repl/session.js';
import { generate } from './generate.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const size = arg('size', '1m');
const keyCount = Number(arg('keys', '300'));
const cacheDir = process.argv.includes('--cache') ? arg('cache', '') : undefined;
const idleSummary = process.argv.includes('--idle');
const ROOT = join(import.meta.dirname, '..', '..');
const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1]! };
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function firstPrompt(dir: string): Promise<{ firstFrame: number; prompt: number }> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'repl', 'command.js'))) spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'ignore' });
  const started = performance.now();
  const child = spawn('script', ['-qfec', `stty cols 140 rows 40; exec node bin/spelunk.js --data ${dir} --history /dev/null`, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let firstFrame = 0;
  let done = false;
  child.stdin.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no prompt after 10 minutes:\n${out.slice(-2000)}`));
    }, 600_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (!firstFrame && /loading|no --data/.test(out)) firstFrame = performance.now() - started;
      if (!done && out.includes('Type a search')) {
        done = true;
        const prompt = performance.now() - started;
        clearTimeout(timer);
        child.stdin.write('\x04');
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
        resolve({ firstFrame, prompt });
      }
    });
  });
}

async function keypresses(dir: string): Promise<number[]> {
  // React's build as users get it (bin/spelunk.js picks production; NODE_ENV=development measures
  // the other): set before React first loads, so the UI's modules are imported here.
  process.env.NODE_ENV ??= 'production';
  const [{ render }, { default: React }, { App }, { createRepl }] = await Promise.all([
    import('ink-testing-library'), import('react'), import('../../src/repl/components/app.js'), import('../../src/repl/interactive.js'),
  ]);
  const engine = await Engine.open(cacheDir ? { cacheDir } : {});
  const session = new Session(engine, { idleSummary });
  const { controller, output } = createRepl(session, new History(), { width: () => 140, height: () => 40 });
  const ui = render(React.createElement(App, { controller, output }));
  const t0 = performance.now();
  await controller.start([dir], null);
  console.log(`in-process load + summary: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // --search S: a search run first (its sidebar is then counted ahead: sidebar-job.ts).
  if (process.argv.includes('--search')) {
    ui.stdin.write(`${arg('search', '*')}\r`);
    while (controller.mode !== 'prompt') await new Promise((r) => setTimeout(r, 10));
    console.log(`search ${arg('search', '*')} answered at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  // --wait MS: the keys start that long after the prompt (the idle summary under way by then).
  await new Promise((r) => setTimeout(r, Number(arg('wait', '0'))));
  const text = '`cloudtrail` eventName=AssumeRole errorCode!=* | eval acct=mvindex(split(user_arn, ":"), 4), late=if(_time > relative_time(now(), "-1d@d"), 1, 0) | stats count dc(src) as ips values(region) as regions by acct user | where count > 5 | sort - count | ';
  const times: number[] = [];
  for (let i = 0; i < keyCount; i++) {
    const ch = text[i % text.length]!;
    const before = ui.frames.length;
    const start = performance.now();
    ui.stdin.write(ch);
    while (ui.frames.length === before) await new Promise((r) => setImmediate(r));
    times.push(performance.now() - start);
    // Keep the line from growing past a long realistic search.
    if ((i + 1) % text.length === 0) ui.stdin.write('\x15');
  }
  const idle = session.sidebars.idle;
  if (idleSummary) console.log(`idle summary after the keys: ${idle ? (idle.finished ? 'finished' : `${idle.partsCounted.length} part(s) counted, still counting`) : 'not started'}`);
  ui.unmount();
  engine.close();
  return times;
}

const data = generate(size);
console.log(`dataset: ${data.events.toLocaleString('en-US')} events in ${data.files} files (${(data.bytes / 1024 / 1024).toFixed(0)} MB) at ${data.dir}`);
if (!process.argv.includes('--no-binary')) {
  const fp = await firstPrompt(data.dir);
  console.log(`binary: first frame ${ms(fp.firstFrame)}, prompt after load and summary ${(fp.prompt / 1000).toFixed(1)} s`);
}
const times = await keypresses(data.dir);
const s = stat(times);
console.log(`keypress to redraw over ${times.length} keys: p50 ${ms(s.p50)}, p95 ${ms(s.p95)}, p99 ${ms(s.p99)}, max ${ms(s.max)} (target < 16 ms: ${s.p95 < 16 ? 'met' : 'missed'})`);
process.exit(0);
