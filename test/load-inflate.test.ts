// Small {"Records":[...]} files go through Node's zlib and one DuckDB statement per batch
// (load-inflate.ts). The files that path cannot take as one JSON value go to DuckDB's reader and
// load, or are named, exactly as before; a batch that fails for another reason is said in a note.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCloudTrail } from '../src/engine/loader.js';
import { readInflated } from '../src/engine/load-inflate.js';
import { sniffFile, type SniffedFile } from '../src/engine/load-files.js';
import { wholeBeforeCut } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'spelunk-inflate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function folder(): string {
  const dir = path.join(root, String(n++));
  mkdirSync(dir);
  return dir;
}

let conn: DuckDBConnection;
beforeEach(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS().map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
  );
}

const event = (id: string, minute: number): Record<string, unknown> => ({
  eventVersion: '1.08',
  eventTime: `2026-11-20T10:${String(minute).padStart(2, '0')}:00Z`,
  eventSource: 'sts.amazonaws.com',
  eventName: 'GetCallerIdentity',
  awsRegion: 'us-east-1',
  eventID: id,
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ana', accountId: '111122223333' },
});
const wrapper = (...events: Record<string, unknown>[]): string => JSON.stringify({ Records: events });

describe('many small files', () => {
  it('loads 600 delivery files with every event, in order, and names the odd ones as before', async () => {
    const dir = folder();
    for (let i = 0; i < 600; i++) {
      const events = Array.from({ length: 1 + (i % 5) }, (_, j) => event(`e${i}-${j}`, i % 60));
      writeFileSync(path.join(dir, `f${String(i).padStart(3, '0')}.json.gz`), gzipSync(wrapper(...events) + '\n'));
    }
    // Two wrappers back to back: not one JSON value, so DuckDB's reader takes it, whole.
    writeFileSync(path.join(dir, 'two.json.gz'), gzipSync(wrapper(event('t1', 1)) + '\n' + wrapper(event('t2', 2))));
    // Pretty-printed and not gzipped; a wrapper with no records.
    writeFileSync(path.join(dir, 'pretty.json'), JSON.stringify({ Records: [event('p1', 3)] }, null, 2));
    writeFileSync(path.join(dir, 'empty-records.json.gz'), gzipSync('{"Records":[]}'));
    // Damaged: cut short, a bad record, bad UTF-8 in a string.
    const cutEvents = Array.from({ length: 300 }, (_, j) => event(`cut${j}`, 4));
    const big = gzipSync(wrapper(...cutEvents));
    writeFileSync(path.join(dir, 'cut.json.gz'), big.subarray(0, big.length - 40));
    // The whole events before the cut load (they were all lost with the file).
    const beforeCut = wholeBeforeCut(big.subarray(0, big.length - 40), cutEvents);
    expect(beforeCut).toBeGreaterThan(250);
    writeFileSync(path.join(dir, 'bad.json.gz'), gzipSync('{"Records":[{"eventName":"A","eventSource":"s"},{"eventName": oops}]}'));
    writeFileSync(path.join(dir, 'latin1.json.gz'), gzipSync(Buffer.concat([Buffer.from('{"Records":[{"eventName":"'), Buffer.from([0xe9]), Buffer.from('","eventSource":"s"}]}')])));

    const report = await loadCloudTrail(conn, [dir]);
    const expected = Array.from({ length: 600 }, (_, i) => 1 + (i % 5)).reduce((a, b) => a + b, 0) + 3;
    expect(report).toMatchObject({ filesRead: 604, filesSkipped: 2, eventsLoaded: expected + beforeCut });
    expect(Object.fromEntries(report.warnings.map((w) => [path.basename(w.file), `${w.kind}: ${w.reason}`]))).toEqual({
      'empty-records.json.gz': 'note: contains no events',
      'cut.json.gz': `partial: truncated gzip (the compressed data ends early): ${beforeCut} record(s) read from the part before the cut; an event the cut runs through is not read, nor anything after it`,
      'bad.json.gz': expect.stringMatching(/^skipped: invalid JSON/) as unknown as string,
      'latin1.json.gz': expect.stringMatching(/^skipped: .*UTF-8/i) as unknown as string,
    });
    expect(await rows(`SELECT eventID FROM events WHERE source LIKE '%two.json.gz' OR source LIKE '%pretty.json' ORDER BY eventID`)).toEqual([
      { eventID: 'p1' },
      { eventID: 't1' },
      { eventID: 't2' },
    ]);
    // A file's events keep their order in the file, and _raw is the compact event.
    expect(await rows(`SELECT eventID, _raw FROM events WHERE source LIKE '%f004.json.gz' ORDER BY __seq`)).toEqual(
      Array.from({ length: 5 }, (_, j) => ({ eventID: `e4-${j}`, _raw: JSON.stringify(event(`e4-${j}`, 4)) })),
    );
    expect(await rows(`SELECT count(*) AS n, count(DISTINCT eventID) AS ids, count("__p_userIdentity.arn") AS arns FROM events`)).toEqual([
      { n: expected + beforeCut, ids: expected + beforeCut, arns: expected + beforeCut },
    ]);
  });

  it('hands a batch back, and says why, when its statement fails for a reason that is not its files', async () => {
    const dir = folder();
    const files: SniffedFile[] = [];
    for (let i = 0; i < 3; i++) {
      const file = path.join(dir, `f${i}.json.gz`);
      writeFileSync(file, gzipSync(wrapper(event(`x${i}`, i))));
      const sniffed = await sniffFile(file);
      if (!sniffed.ok) throw new Error('sniff');
      files.push(sniffed.file);
    }
    // No events table: the INSERT fails though every file is valid JSON.
    const outcome = await readInflated(conn, files, 'main', () => undefined);
    expect(outcome.fallback.map((f) => path.basename(f.path))).toEqual(['f0.json.gz', 'f1.json.gz', 'f2.json.gz']);
    expect(outcome.batchFailure).toMatchObject({ files: 3, reason: expect.stringMatching(/events/) as unknown as string });
  });
});
