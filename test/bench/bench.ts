// spelunk at scale: load (cold, into the cache) and warm start against a hand-written read_json,
// each query in queries/ and ten ad-hoc searches against hand-written SQL over the same loaded
// data and against jq over the raw files, parse+compile time per canned search (compile.ts), peak memory.
// npm run bench -- [--size 100k|1m|5m|small] [--only load|queries|compile] [--steps hand,handlimited,first,cold,table,warm,warmrun,warmrepl,warmcli] [--no-jq] [--cache DIR] [--memory-limit SIZE] [--format table|csv|jsonl|json]
//
// Each measured step runs in a child process of its own (`--phase`), so the peak RSS reported
// for it is that step's alone: one process holding a hand-written load, spelunk's load and
// every search would report their sum, which no analyst's run ever is.

import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { RowWriter, FORMATS, type OutputFormat } from '../../src/cli/format.js';
import { Engine } from '../../src/engine/engine.js';
import type { Row } from '../../src/engine/types.js';
import { defaultMemoryLimit } from '../../src/engine/memory.js';
import { generate, type Dataset } from './generate.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  // The usage is this file's header comment, kept in one place.
  const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//'));
  console.log(header.slice(0, header.findIndex((l) => l === '//')).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  console.log('See test/bench/README.md for what each step measures.');
  process.exit(0);
}
const size = arg('size', '100k')!;
const only = arg('only');
const JQ = ['/usr/bin/jq', '/usr/local/bin/jq'].find((p) => existsSync(p));
const useJq = JQ !== undefined && !process.argv.includes('--no-jq');

const phase = arg('phase');
// The searches' rows are written as `spelunk run --format F` writes them (table by default).
const format = arg('format', 'table') as OutputFormat;
if (!FORMATS.includes(format)) throw new Error(`bench: --format must be one of ${FORMATS.join(', ')}`);
/** Peak resident memory of this process so far, in GB (the kernel's high-water mark). */
const peakRssGB = (): number => process.resourceUsage().maxRSS / 1e6;

/** A phase's last line: its figures and its peak RSS, read by the parent (see inChild). */
function phaseDone(figures: Record<string, unknown>): never {
  const usage = process.resourceUsage();
  console.log(JSON.stringify({ ...figures, peakRssGB: peakRssGB(), processCpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
  process.exit(0);
}

/**
 * Runs one phase in a child process and returns what it printed as its last JSON line, with the
 * whole process's wall time, CPU seconds (user + system, every thread) and peak RSS as
 * /usr/bin/time measures them from outside, and the load average around it: on a shared machine
 * wall times swing with the other work, CPU seconds much less.
 */
function inChild(name: string, extra: string[] = []): Record<string, unknown> {
  const node = [process.execPath, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--phase', name, ...extra];
  const timed = existsSync('/usr/bin/time');
  const load1 = loadavg()[0]!;
  const r = spawnSync(timed ? '/usr/bin/time' : node[0]!, timed ? ['-f', 'BENCH-TIME %e %U %S %M', ...node] : node.slice(1), {
    maxBuffer: 1e9,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errLines = r.stderr.toString().trimEnd().split('\n');
  const measured = timed ? /^BENCH-TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(errLines.at(-1) ?? '') : null;
  const forwarded = measured ? errLines.slice(0, -1) : errLines;
  if (forwarded.join('').trim()) process.stderr.write(forwarded.join('\n') + '\n');
  if (r.status !== 0) throw new Error(`bench phase ${name} ${extra.join(' ')} failed (exit ${r.status ?? r.signal})`);
  const lines = r.stdout.toString().trim().split('\n');
  for (const line of lines.slice(0, -1)) console.log(line);
  const figures = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
  figures['loadAvg'] = [load1, loadavg()[0]!].map((x) => Math.round(x * 10) / 10);
  if (measured) {
    figures['wholeWallS'] = Number(measured[1]);
    figures['wholeCpuS'] = Number(measured[2]) + Number(measured[3]);
    figures['wholePeakRssGB'] = Number(measured[4]) / 1e6;
  }
  return figures;
}
/** Wall seconds and CPU seconds of this process (all its threads: DuckDB's included). */
async function timeCpu<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const s = performance.now();
  const c = process.cpuUsage();
  const r = await fn();
  const used = process.cpuUsage(c);
  return [r, (performance.now() - s) / 1000, (used.user + used.system) / 1e6];
}
/**
 * Parse+compile per canned search, every search in one process (compile.ts: the built JS, mixed
 * as a session mixes them); it needs no data.
 */
function compileFigures(): unknown {
  const r = spawnSync(process.execPath, [...process.execArgv, path.join(HERE, 'compile.ts')], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1e8 });
  if (r.status !== 0) throw new Error(`bench compile failed (exit ${r.status ?? r.signal})`);
  const lines = r.stdout.toString().trim().split('\n');
  for (const line of lines.slice(0, -1)) console.log(line);
  return JSON.parse(lines.at(-1)!);
}
if (only === 'compile') {
  writeFigures({ compile: compileFigures(), when: new Date().toISOString() });
  process.exit(0);
}

const data: Dataset = generate(size);
const files = data.dir + '/AWSLogs';
const out: Record<string, unknown> = { size, events: data.events, files: data.files, mb: data.bytes / 1e6, when: new Date().toISOString() };
const cacheDir = arg('cache') ?? path.join(path.dirname(data.dir), `cache-${size}`);
/** DuckDB's memory limit for spelunk's steps (the engine's default when not given), to compare limits. */
const memoryLimit = arg('memory-limit');

// ---- load
const glob = `${files}/**/*.json.gz`;
const HAND_LOAD = `CREATE TABLE hand AS SELECT filename AS source, r::VARCHAR AS _raw,
  epoch(try_cast(r->>'eventTime' AS TIMESTAMP)) AS _time, r->>'eventName' AS eventName, r->>'eventSource' AS eventSource,
  r->>'awsRegion' AS awsRegion, r->>'sourceIPAddress' AS sourceIPAddress, r->>'errorCode' AS errorCode,
  r->>'recipientAccountId' AS recipientAccountId, r->'userIdentity' AS userIdentity,
  r->'requestParameters' AS requestParameters, r->'responseElements' AS responseElements
  FROM (SELECT filename, unnest(Records) AS r FROM read_json('${glob}', columns = {Records: 'JSON[]'}, filename = true, maximum_object_size = 1000000000))`;

if (phase === 'hand-load' || phase === 'hand-limited') {
  // hand-limited: the same statement held to spelunk's memory limit, spilling to a temp folder;
  // the figures compared with spelunk's load at equal memory.
  const scratch = phase === 'hand-limited' ? mkdtempSync(path.join(tmpdir(), 'bench-hand-')) : undefined;
  const config: Record<string, string> = scratch ? { memory_limit: memoryLimit ?? defaultMemoryLimit(), temp_directory: scratch } : {};
  const inst = await DuckDBInstance.create(':memory:', config);
  const conn = await inst.connect();
  let figures: Record<string, unknown>;
  try {
    const [, hand, handCpu] = await timeCpu(() => conn.run(HAND_LOAD));
    figures = { hand, handCpu };
  } catch (err) {
    // Held to spelunk's limit, DuckDB's own load can fail outright: that is the figure.
    if (!scratch) throw err;
    figures = { handError: String((err as Error).message).split('\n')[0] };
  }
  inst.closeSync();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  phaseDone(figures);
}
if (phase === 'cold-load') {
  rmSync(cacheDir, { recursive: true, force: true });
  const cold = await Engine.open({ cacheDir, memoryLimit });
  const [, coldLoad, coldLoadCpu] = await timeCpu(() => cold.load([files]));
  const [, coldFirst] = await timeCpu(() => cold.run('search eventName=ConsoleLogin | head 10'));
  cold.close();
  phaseDone({ coldLoad, coldLoadCpu, coldFirst });
}
if (phase === 'first-search') {
  // A run's first search over files the cache does not hold, as `spelunk run` takes it: answered
  // from the events that can match it, then the files loaded whole and cached (first-search.ts).
  // Its own cache folder, emptied first. firstLoadS is when the load's report is known.
  const firstCache = `${cacheDir}-first`;
  rmSync(firstCache, { recursive: true, force: true });
  const s = performance.now();
  const c = process.cpuUsage();
  const cpu = (): number => {
    const u = process.cpuUsage(c);
    return (u.user + u.system) / 1e6;
  };
  const e = await Engine.open({ cacheDir: firstCache, memoryLimit });
  let loaded: number[] = [];
  let firstRow: number[] | undefined;
  let answered: number[] = [];
  const run = await e.loadAndStream([files], {}, {
    search: 'search eventName=ConsoleLogin | head 10',
    opts: {},
    onRows: () => {
      answered = [(performance.now() - s) / 1000, cpu()];
      firstRow ??= answered;
    },
    onLoaded: () => {
      loaded = [(performance.now() - s) / 1000, cpu()];
    },
  });
  await e.cacheSettled();
  if (e.cacheError) throw e.cacheError;
  const cached = [(performance.now() - s) / 1000, cpu()];
  e.close();
  phaseDone({ answeredFirst: run.answeredFirst, firstLoadS: loaded[0], firstLoadCpu: loaded[1], firstRowS: firstRow?.[0], firstRowCpu: firstRow?.[1], answeredS: answered[0], cacheDoneS: cached[0], cacheDoneCpu: cached[1] });
}
if (phase === 'table-load') {
  const table = await Engine.open({ memoryLimit });
  const [, tableLoad, tableLoadCpu] = await timeCpu(() => table.load([files]));
  table.close();
  phaseDone({ tableLoad, tableLoadCpu });
}
if (phase === 'warm-start') {
  const [, warm, warmCpu] = await timeCpu(async () => {
    const e = await Engine.open({ cacheDir, memoryLimit });
    await e.load([files]);
    await e.run('search eventName=ConsoleLogin | head 10');
    e.close();
  });
  phaseDone({ warm, warmCpu });
}
if (phase === 'warm-repl') {
  // The warm start as the REPL takes it: the load, the opening summary it shows before its
  // prompt (remembered with the cache: engine/loaded-summary.ts), then the search.
  const [, warmRepl, warmReplCpu] = await timeCpu(async () => {
    const e = await Engine.open({ cacheDir, memoryLimit });
    await e.load([files], { answerFirst: true });
    await e.loadedSummary();
    await e.run('search eventName=ConsoleLogin | head 10');
    e.close();
  });
  phaseDone({ warmRepl, warmReplCpu });
}
if (phase === 'warm-cli') {
  // The warm start as an analyst types it: `spelunk run` of the built command (dist/: `npm run
  // build` first), one process from Node's start to its exit: the modules loaded, the warm start,
  // the rows written (to /dev/null) and DuckDB closed. Its wall and CPU seconds from /usr/bin/time.
  const bin = path.join(HERE, '..', '..', 'bin', 'spelunk.js');
  if (!existsSync(path.join(HERE, '..', '..', 'dist', 'src', 'cli', 'main.js'))) throw new Error('bench: the warmcli step runs dist/: npm run build first');
  const args = [bin, 'run', 'search eventName=ConsoleLogin | head 10', '--data', files, '--cache', cacheDir, ...(memoryLimit ? ['--memory-limit', memoryLimit] : [])];
  const r = spawnSync('/usr/bin/time', ['-f', 'CLI-TIME %e %U %S', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const timed = /^CLI-TIME ([\d.]+) ([\d.]+) ([\d.]+)$/m.exec(r.stderr.toString());
  if (r.status !== 0 || !timed) throw new Error(`bench: spelunk run failed (exit ${r.status ?? r.signal}): ${r.stderr.toString().slice(0, 500)}`);
  phaseDone({ warmCli: Number(timed[1]), warmCliCpu: Number(timed[2]) + Number(timed[3]) });
}
if (phase === 'warm-run') {
  // The warm start as `spelunk run` takes it (loadAndStream: the first search's answer-first
  // path looks the files up before the load does), to the search's last row.
  // warmRunHow: whether the walk confirmed the view the cache's manifest gave (first-search.ts).
  let how: string | undefined;
  const [, warmRun, warmRunCpu] = await timeCpu(async () => {
    const e = await Engine.open({ cacheDir, memoryLimit });
    const run = await e.loadAndStream([files], {}, { search: 'search eventName=ConsoleLogin | head 10', opts: {}, onRows: () => undefined });
    how = 'warm' in run ? run.warm : 'not warm';
    e.close();
  });
  phaseDone({ warmRun, warmRunCpu, warmRunHow: how });
}

const round = (x: unknown): number => Math.round(Number(x) * 1000) / 1000;
if (phase === undefined && (only === undefined || only === 'load')) {
  // --steps hand,handlimited,first,cold,table,warm,warmrun,warmrepl,warmcli runs only those (the others print NaN).
  const steps = arg('steps')?.split(',');
  const known = ['hand', 'handlimited', 'first', 'cold', 'table', 'warm', 'warmrun', 'warmrepl', 'warmcli'];
  const unknown = steps?.filter((s) => !known.includes(s)) ?? [];
  // A misspelt step would run nothing and print NaN for it, as if asked to leave it out.
  if (unknown.length > 0) throw new Error(`bench: unknown step ${unknown.join(', ')} (steps: ${known.join(', ')})`);
  const step = (name: string, child: string): Record<string, unknown> => (!steps || steps.includes(name) ? inChild(child) : {});
  const hand = step('hand', 'hand-load');
  const handLimited = step('handlimited', 'hand-limited');
  const first = step('first', 'first-search');
  const cold = step('cold', 'cold-load');
  const table = step('table', 'table-load');
  const warm = step('warm', 'warm-start');
  const warmRun = step('warmrun', 'warm-run');
  const warmRepl = step('warmrepl', 'warm-repl');
  const warmCli = step('warmcli', 'warm-cli');
  const coldLoad = cold['coldLoad'] as number;
  const handS = hand['hand'] as number;
  Object.assign(out, {
    load: {
      handReadJson: handS, spelunkCold: coldLoad, ratio: coldLoad / handS, inMemoryTable: table['tableLoad'], ratioInMemory: (table['tableLoad'] as number) / handS,
      // DuckDB's own load held to spelunk's memory limit: the ratio at equal memory.
      handAtSpelunkLimit: handLimited['hand'] ?? handLimited['handError'], ratioAtSameLimit: coldLoad / (handLimited['hand'] as number),
      wholeWallHandAtLimit: handLimited['wholeWallS'], wholeCpuHandAtLimit: handLimited['wholeCpuS'], peakRssGBHandAtLimit: handLimited['wholePeakRssGB'],
      cpuHand: hand['handCpu'], cpuCold: cold['coldLoadCpu'], cpuRatio: (cold['coldLoadCpu'] as number) / (hand['handCpu'] as number),
      cpuInMemory: table['tableLoadCpu'], cpuRatioInMemory: (table['tableLoadCpu'] as number) / (hand['handCpu'] as number),
      // Whole processes as /usr/bin/time sees them (startup and exit included).
      wholeWallHand: hand['wholeWallS'], wholeWallCold: cold['wholeWallS'], wholeRatio: (cold['wholeWallS'] as number) / (hand['wholeWallS'] as number),
      wholeCpuHand: hand['wholeCpuS'], wholeCpuCold: cold['wholeCpuS'], wholeCpuRatio: (cold['wholeCpuS'] as number) / (hand['wholeCpuS'] as number),
      wholeWallInMemory: table['wholeWallS'], wholeCpuInMemory: table['wholeCpuS'],
      eventsPerSec: data.events / coldLoad, mbPerSec: data.bytes / 1e6 / coldLoad,
      coldFirstResult: coldLoad + (cold['coldFirst'] as number), warmStartToFirstResult: warm['warm'], warmStartCpu: warm['warmCpu'], warmWholeWall: warm['wholeWallS'],
      warmRunToLastRow: warmRun['warmRun'], warmRunCpu: warmRun['warmRunCpu'], warmRunHow: warmRun['warmRunHow'],
      warmReplToFirstResult: warmRepl['warmRepl'], warmReplCpu: warmRepl['warmReplCpu'],
      // The whole `spelunk run` process (startup and exit included), as the analyst waits for it.
      warmCliWhole: warmCli['warmCli'], warmCliCpu: warmCli['warmCliCpu'],
      // Answer first (see the first-search phase): time to the first row, and the whole process
      // with the cache written after the answer, against the hand-written load.
      firstAnsweredFromCandidates: first['answeredFirst'], firstRowS: first['firstRowS'], firstRowRatio: (first['firstRowS'] as number) / handS, firstRowCpu: first['firstRowCpu'],
      firstRowCpuRatio: (first['firstRowCpu'] as number) / (hand['handCpu'] as number), firstCacheDoneS: first['cacheDoneS'], firstCacheDoneCpu: first['cacheDoneCpu'],
      wholeWallFirst: first['wholeWallS'], wholeRatioFirst: (first['wholeWallS'] as number) / (hand['wholeWallS'] as number),
      wholeCpuFirst: first['wholeCpuS'], wholeCpuRatioFirst: (first['wholeCpuS'] as number) / (hand['wholeCpuS'] as number), peakRssGBFirst: first['wholePeakRssGB'],
      peakRssGBHandReadJson: hand['peakRssGB'], peakRssGBSpelunkCold: cold['peakRssGB'], peakRssGBInMemoryTable: table['peakRssGB'], peakRssGBWarmStart: warm['peakRssGB'],
      loadAvg: { hand: hand['loadAvg'], handLimited: handLimited['loadAvg'], first: first['loadAvg'], cold: cold['loadAvg'], inMemory: table['loadAvg'], warm: warm['loadAvg'], warmRun: warmRun['loadAvg'], warmRepl: warmRepl['loadAvg'], warmCli: warmCli['loadAvg'] },
    },
  });
  console.table(Object.fromEntries(Object.entries(out['load'] as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'number' ? round(v) : JSON.stringify(v)])));
}

// ---- queries
type Case = { name: string; spl: string; sql?: string; jq?: string };

/** The searches: every saved search in queries/ with its parameters filled, then ad-hoc ones. */
function caseList(values: Record<string, string>, stateDir: string): Case[] {
  const fill = (text: string): string =>
    text.replace(/\$(\w+)\$/g, (token, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`bench: no value for parameter ${token}`);
      return `"${value.replace(/["\\]/g, '\\$&')}"`;
    });
  const cases: Case[] = [];
  const qdir = path.join(HERE, '..', '..', 'queries');
  for (const file of readdirSync(qdir).filter((x) => x.endsWith('.spl')).sort()) {
    // The header lines (`# title: ...`) describe the query; the search is the rest.
    const text = readFileSync(path.join(qdir, file), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n');
    cases.push({ name: `queries/${file}`, spl: fill(text) });
  }
  cases.push(
    { name: 'bare term', spl: 'search AccessDenied | stats count', sql: `SELECT count(*) FROM events WHERE regexp_matches(_raw, '(?i)(^|[^a-z0-9_])accessdenied($|[^a-z0-9_])')`, jq: `[.Records[] | select(tostring | ascii_downcase | contains("accessdenied"))] | length` },
    { name: 'wildcard field', spl: 'search eventName=Create* | stats count', sql: `SELECT count(*) FROM events WHERE eventName ILIKE 'create%'`, jq: `[.Records[] | select(.eventName | ascii_downcase | startswith("create"))] | length` },
    { name: 'stats by two', spl: 'search * | stats count by eventSource eventName', sql: `SELECT eventSource, eventName, count(*) FROM events GROUP BY ALL ORDER BY ALL` },
    { name: 'timechart', spl: 'search * | timechart span=1d count', sql: `SELECT time_bucket(INTERVAL 1 DAY, to_timestamp(_time)) d, count(*) FROM events GROUP BY d ORDER BY d` },
    { name: 'rex', spl: `search eventName=AssumeRole | rex field=_raw "roleArn\\":\\"arn:aws:iam::(?<target>\\d+)" | stats count by target`, sql: `SELECT regexp_extract(_raw, 'roleArn":"arn:aws:iam::(\\d+)', 1) t, count(*) FROM events WHERE eventName = 'AssumeRole' GROUP BY t ORDER BY t` },
    // `errorCode` is the add-on's filled field ("success" when CloudTrail recorded none), so
    // `errorCode=*` matches every event; `result_id` is CloudTrail's own errorCode (add-on alias).
    { name: 'eventstats', spl: 'search result_id=* | eventstats count as n by result_id | stats max(n) by result_id', sql: `SELECT errorCode, count(*) FROM events WHERE errorCode IS NOT NULL GROUP BY ALL ORDER BY ALL` },
    // Running distinct counts: one ordered pass (they rebuilt a list on every row: 304 s at 30,000 events).
    { name: 'streamstats dc', spl: 'search * | streamstats dc(eventName) as n by userIdentity.type | stats max(n) by userIdentity.type', sql: `SELECT userIdentity->>'type' t, count(DISTINCT eventName) FROM events GROUP BY t ORDER BY t` },
    { name: 'dedup', spl: 'search * | dedup userIdentity.arn | stats count', sql: `SELECT count(DISTINCT userIdentity->>'arn') FROM events` },
    { name: 'sort', spl: 'search eventName=RunInstances | sort - _time | head 20 | table _time eventID', sql: `SELECT _time, eventID FROM events WHERE eventName = 'RunInstances' ORDER BY _time DESC LIMIT 20`, jq: `[.Records[] | select(.eventName == "RunInstances")] | length` },
    {
      name: 'lookup',
      spl: 'search eventName=AssumeRole | lookup bench_accounts.csv recipientAccountId OUTPUT owner | stats count by owner',
      sql: `SELECT l.owner, count(*) FROM events e JOIN read_csv('${path.join(stateDir, 'lookups', 'bench_accounts.csv')}') l ON e.recipientAccountId = l.recipientAccountId::VARCHAR WHERE e.eventName = 'AssumeRole' GROUP BY ALL ORDER BY ALL`,
    },
    { name: 'iplocation', spl: 'search eventName=ConsoleLogin | iplocation sourceIPAddress | stats count by Country' },
  );
  return cases;
}

if (phase === undefined && only === undefined) out['compile'] = compileFigures();
if (phase === undefined && (only === undefined || only === 'queries')) {
  // One process per search, as an analyst's `spelunk run` is: its peak RSS is that search's
  // (with the warm start it needs), not the high-water mark of all of them.
  const count = caseList(new Proxy({}, { get: () => '' }), '').length;
  const searches: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    searches.push(inChild('queries', ['--case', String(i)]));
    console.log(JSON.stringify(searches.at(-1)));
  }
  out['queries'] = searches;
}
if (phase === 'queries') {
  const which = Number(arg('case'));
  // A state folder of its own, with a lookup of the accounts the data has, for the lookup case.
  const stateDir = mkdtempSync(path.join(tmpdir(), 'spelunk-bench-state-'));
  const engine = await Engine.open({ cacheDir, stateDir, memoryLimit });
  await engine.load([files]);
  const f = data.facts;
  // Every parameter gets a value the generated data really has, so each search does real work.
  const place = (await engine.run(`| makeresults | eval ip="${f.ip}" | iplocation ip | table City Country Region`)).rows[0] ?? {};
  const userArn = `arn:aws:iam::${f.account}:user/${f.user}`;
  const values: Record<string, string> = {
    access_key_id: f.accessKey,
    arn: userArn,
    src_user: userArn,
    ip: f.ip,
    user: f.user,
    region: 'us-east-1',
    city: String(place['City'] ?? ''),
    country: String(place['Country'] ?? ''),
    geo_region: String(place['Region'] ?? ''),
  };
  const c = caseList(values, stateDir)[which]!;
  if (c.name === 'lookup') {
    await engine.run('search * | stats count by recipientAccountId | eval owner="team-".recipientAccountId | table recipientAccountId owner | outputlookup bench_accounts.csv');
  }
  const row: Record<string, unknown> = { name: c.name };
  try {
    // As `spelunk run` runs a search: rows stream to its writer in its default format (a table;
    // --format csv|jsonl|json) and are never all held, the text written to /dev/null as stdout
    // writes a file (synchronously). Run once first (it warms the OS file cache), and the
    // process's peak RSS taken before anything holds the rows. `streamS` is the rows alone, to
    // a sink that drops them: what the writer adds is the difference.
    const devNull = openSync('/dev/null', 'w');
    let firstRow = 0;
    const written = async (): Promise<void> => {
      const started = performance.now();
      let writer: RowWriter | undefined;
      const rowsTo = (rows: Row[]): void => {
        firstRow ||= (performance.now() - started) / 1000;
        writer?.rows(rows);
      };
      await engine.stream(c.spl, {}, rowsTo, (columns) => (writer = new RowWriter(format, columns, (t) => void writeSync(devNull, t), undefined, (b) => void writeSync(devNull, b))));
      writer?.end();
    };
    await written();
    firstRow = 0;
    const [, warm, warmCpu] = await timeCpu(written);
    row['spelunkS'] = warm;
    row['spelunkCpuS'] = warmCpu;
    row['firstRowS'] = firstRow;
    row['peakRssGBStreamed'] = peakRssGB();
    const [, streamS, streamCpuS] = await timeCpu(() => engine.stream(c.spl, {}, () => undefined));
    row['streamS'] = streamS;
    row['streamCpuS'] = streamCpuS;
    closeSync(devNull);
    const res = await engine.run(c.spl); // every row, for the answer check
    row['rows'] = res.rows.length;
    // DuckDB alone on spelunk's SQL, the result kept inside DuckDB: what spelunk adds on top.
    const { compiled } = await engine.prepareWithData(c.spl);
    const [, duck] = await timeCpu(() => engine.connection.run(`CREATE OR REPLACE TEMP TABLE bench_result AS ${compiled.sql}`));
    row['duckdbOwnS'] = duck;
    if (c.sql) {
      const [hand, handS] = await timeCpu(async () => (await engine.connection.runAndReadAll(c.sql!)).getRows());
      row['handSqlS'] = handS;
      row['ratioSql'] = warm / handS;
      row['sameAnswer'] = JSON.stringify(hand.map((r) => r.map(String))) ===
        JSON.stringify(res.rows.map((r) => Object.values(r).map(String))) || (hand.length === 1 && hand[0]!.map(String)[0] === String(Object.values(res.rows[0] ?? {})[0]));
    }
    if (c.jq && useJq) {
      const [, jqS] = await timeCpu(async () => execFileSync('sh', ['-c', `for f in $(find '${files}' -name '*.json.gz'); do gzip -dc "$f"; done | ${JQ} -c '${c.jq!.replace(/'/g, `'\\''`)}' > /dev/null`], { maxBuffer: 1e9 }));
      row['jqS'] = jqS;
      row['vsJq'] = jqS / warm;
    }
  } catch (err) {
    row['skipped'] = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 80);
  }
  engine.close();
  rmSync(stateDir, { recursive: true, force: true });
  phaseDone({ ...row, ...(useJq ? {} : { jq: 'jq not found: no jq comparison' }) });
}
writeFigures(out);

/** The run's figures, to test/bench/out/<timestamp>.json (gitignored). */
function writeFigures(figures: Record<string, unknown>): void {
  const dir = path.join(HERE, 'out');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(figures, null, 2));
  console.log(`figures in ${file}`);
}
