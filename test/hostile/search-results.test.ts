// spelunk's own results, written by the shell into a folder that is later loaded:
// `spelunk run '<search>' --format json > case/hits.json`. :export lists what it writes
// (own-exports.test.ts); a redirect cannot be listed. Rows of `table`, `stats` or `top` hold
// eventName and eventSource and were read back as events: every result counted again beside the
// event it came from. Their shape tells them apart: a result is one flat object a line, and holds
// names no CloudTrail record has at its top: Splunk's internal fields, whose "leading underscore is
// reserved for names of internal fields such as _raw and _time"
// (https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.1.2507/search-commands/fields),
// flattened paths (userIdentity.arn, resources{}.ARN), or fields the search made (count). A plain
// event search gives `{_time, _raw}`: the record is inside `_raw` and is read from its own file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RowWriter, type OutputFormat } from '../../src/cli/format.js';
import { Engine } from '../../src/engine/engine.js';
import { SAMPLE_NOW, rows, s3Call, warningLines, writeRecords } from '../helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-search-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const folder = path.join(dir, 'case');
const logs = path.join(folder, 'logs');
mkdirSync(logs, { recursive: true });
const events = [
  s3Call('AssumeRole', 20, { eventSource: 'sts.amazonaws.com', resources: [{ ARN: 'arn:aws:iam::111122223333:role/R', type: 'AWS::IAM::Role' }] }),
  s3Call('GetObject', 21),
  s3Call('PutObject', 22),
  s3Call('DeleteObject', 23),
];
writeRecords(path.join(logs, 'trail.json'), events);

/** What `spelunk run SPL --format FORMAT` writes to stdout (cli/main.ts writes through RowWriter). */
async function written(engine: Engine, spl: string, format: OutputFormat): Promise<string> {
  const result = await engine.run(spl, { now: SAMPLE_NOW });
  const parts: string[] = [];
  const writer = new RowWriter(format, result.columns, (t) => parts.push(t));
  writer.rows(result.rows);
  writer.end();
  return parts.join('');
}

async function loaded(paths: string[], mode: 'cache' | 'memory'): Promise<{ count: unknown; byName: unknown; warnings: string[] }> {
  const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, `cache-${Math.random().toString(36).slice(2)}`) : undefined });
  try {
    const report = await engine.load(paths);
    const [row] = await rows(engine, '* | stats count');
    const byName = await rows(engine, 'eventName=AssumeRole | stats count');
    return { count: row!.count, byName: byName[0]!.count, warnings: warningLines(report).filter((w) => !w.includes('eventIDs')) };
  } finally {
    engine.close();
  }
}

const reason = (why: string) => `search results, not CloudTrail records: its rows are flat and hold ${why}, as spelunk run --format json writes them; not read (their events are read from their own files)`;
const internal = (name: string) => reason(`"${name}" (a field name searches give, never a key of a CloudTrail record)`);

describe("spelunk run's results redirected into a folder that is loaded", () => {
  const searches: [string, string, string][] = [
    ['assume', 'eventName=AssumeRole', internal('_time')],
    ['head', '* | head 5', internal('_time')],
    ['tableall', '* | table *', internal('requestParameters.bucketName')],
    ['table', '* | table _time eventName eventSource userIdentity.arn', internal('_time')],
    ['flat', '* | table eventName eventSource userIdentity.arn resources{}.ARN', internal('userIdentity.arn')],
    ['stats', '* | stats count by eventName eventSource', reason('"count" and no eventTime, eventID or eventVersion (a field a search made)')],
  ];

  it('are not read as events, named or walked, cached or not: each event counts once', async () => {
    const engine = await Engine.open({ stateDir: path.join(dir, 'state') });
    const expected: string[] = [];
    try {
      await engine.load([logs]);
      for (const [name, spl, why] of searches) {
        for (const format of ['json', 'jsonl'] as const) {
          writeFileSync(path.join(folder, `${name}.${format}`), await written(engine, spl, format));
          expected.push(`${name}.${format}: skipped: ${why}`);
        }
      }
      // CSV redirected under a JSON name is not JSON; under its own name a walk passes it over.
      writeFileSync(path.join(folder, 'stats.csv.json'), await written(engine, '* | stats count by eventName', 'csv'));
      writeFileSync(path.join(folder, 'stats.csv'), await written(engine, '* | stats count by eventName', 'csv'));
    } finally {
      engine.close();
    }
    expected.sort();
    const walked = [...expected.slice(0, 8), 'stats.csv.json: skipped: not JSON (starts with "eventName,count")', ...expected.slice(8)];
    for (const mode of ['cache', 'memory'] as const) {
      const got = await loaded([folder], mode);
      // Before, 9 more AssumeRole and 25 more events in all were counted from the results.
      expect({ ...got, warnings: got.warnings.sort() }, mode).toEqual({ count: 4, byName: 1, warnings: ['case: note: ignored 1 file(s) that do not look like log files (e.g. stats.csv)', ...walked].sort() });
    }
    // Named on its own, a result is no more a record.
    expect(await loaded([path.join(folder, 'stats.jsonl')], 'memory')).toEqual({ count: 0, byName: 0, warnings: [expected.find((w) => w.startsWith('stats.jsonl'))] });
  }, 180_000);

  it('records are read as before: a record with a key a pipeline added (_time), a flat record of CloudTrail keys', async () => {
    const other = path.join(dir, 'records');
    mkdirSync(other);
    // A pipeline's copy of a record (Cribl keeps _time beside the parsed fields): userIdentity is an object.
    writeFileSync(path.join(other, 'piped.jsonl'), `${JSON.stringify({ _time: 1763719200, ...s3Call('ListBuckets', 21) })}\n${JSON.stringify({ _time: 1763719201, ...s3Call('ListBuckets', 21) })}\n`);
    // A record cut down by hand keeps CloudTrail's names, and eventTime: read as an event.
    writeFileSync(path.join(other, 'hand.json'), `[\n  ${JSON.stringify({ eventTime: '2026-11-21T10:00:00Z', eventName: 'ListBuckets', eventSource: 's3.amazonaws.com', note: 'x' })}\n]\n`);
    expect(await loaded([other], 'memory')).toEqual({ count: 3, byName: 0, warnings: [] });
  });

  it("a result of CloudTrail's own names only is not told from records (the limit of a shape test)", async () => {
    const engine = await Engine.open({ stateDir: path.join(dir, 'state') });
    const only = path.join(dir, 'only');
    mkdirSync(only);
    try {
      await engine.load([logs]);
      writeFileSync(path.join(only, 'names.jsonl'), await written(engine, 'eventName=AssumeRole | table eventName eventSource', 'jsonl'));
    } finally {
      engine.close();
    }
    expect(await loaded([logs, only], 'memory')).toEqual({ count: 5, byName: 2, warnings: ['names.jsonl: note: 1 event(s) without eventTime: their _time is empty'] });
  });
});
