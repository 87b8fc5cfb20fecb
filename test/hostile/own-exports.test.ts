// The JSON results :export writes, met again by a load of the folder they were written in. Their
// rows carry eventName and eventSource (and userIdentity.arn, as a SIEM flattens CloudTrail): a load
// of the case folder read `hits.json` as events and counted every hit twice, beside the events it
// came from. Their shape does not tell every result from events (`table eventName eventSource`;
// search-results.test.ts tells the rest), so :export lists what it wrote in the folder's hidden .spelunk-exports, and a walk
// leaves a listed file out, named, while its bytes are the ones written.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { Session } from '../../src/repl/session.js';
import { SAMPLE_NOW, rows, s3Call, warningLines, writeRecords } from '../helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'spelunk-own-exports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const said = async (session: Session, line: string) => (await session.execute(line)).flatMap((o) => ('lines' in o ? o.lines.map((l) => l.text) : []));

async function counted(paths: string[], mode: 'cache' | 'memory'): Promise<{ count: unknown; notes: string[] }> {
  const engine = await Engine.open({ stateDir: path.join(dir, 'state'), cacheDir: mode === 'cache' ? path.join(dir, `cache-${Math.random().toString(36).slice(2)}`) : undefined });
  try {
    const report = await engine.load(paths);
    const [row] = await rows(engine, '* | stats count');
    return { count: row!.count, notes: warningLines(report).filter((w) => !w.includes('eventID')) };
  } finally {
    engine.close();
  }
}

describe("spelunk's own JSON results in a folder it loads", () => {
  const folder = path.join(dir, 'case');
  const logs = path.join(folder, 'logs');
  mkdirSync(logs, { recursive: true });
  writeRecords(path.join(logs, 'trail.json'), [s3Call('GetObject', 20), s3Call('PutObject', 21), s3Call('DeleteObject', 22)]);

  it('are left out, named, by a load of that folder (cached or not): each event counts once', async () => {
    const engine = await Engine.open({ stateDir: path.join(dir, 'state') });
    try {
      const session = new Session(engine, { now: SAMPLE_NOW });
      await session.load([logs]);
      await session.execute('* | sort eventName | table _time eventName eventSource userIdentity.arn');
      expect(await said(session, `:export json ${path.join(folder, 'hits.json')}`)).toEqual([`wrote 3 rows to ${path.join(folder, 'hits.json')}`]);
      expect(await said(session, `:export jsonl ${path.join(folder, 'hits.jsonl')}`)).toEqual([`wrote 3 rows to ${path.join(folder, 'hits.jsonl')}`]);
      expect(JSON.parse(readFileSync(path.join(folder, 'hits.json'), 'utf8'))[0]).toEqual({
        _time: expect.stringMatching(/^2026-11-22T10:00:\d\dZ$/), eventName: 'DeleteObject', eventSource: 's3.amazonaws.com', 'userIdentity.arn': 'arn:aws:iam::111122223333:user/alice',
      });
    } finally {
      engine.close();
    }
    const note = (name: string) => expect.stringMatching(new RegExp(`^${name}: note: results spelunk's :export wrote \\(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC; listed in \\.spelunk-exports\\), not events: their rows came from events read elsewhere; not read$`));
    for (const mode of ['cache', 'memory'] as const) {
      // Read back as events, the folder counted 9 (3 events, and each again from each export).
      expect(await counted([folder], mode), mode).toEqual({ count: 3, notes: [note('hits.json'), note('hits.jsonl')] });
    }
    // Named on its own, its rows are no more events: flat, with _time and userIdentity.arn (search-results.test.ts).
    expect(await counted([path.join(folder, 'hits.jsonl')], 'memory')).toEqual({
      count: 0,
      notes: ['hits.jsonl: skipped: search results, not CloudTrail records: its rows are flat and hold "_time" (a field name searches give, never a key of a CloudTrail record), as spelunk run --format json writes them; not read (their events are read from their own files)'],
    });
  });

  it('are read again once their bytes are not the ones written (evidence put in their place)', async () => {
    const other = path.join(dir, 'other');
    mkdirSync(other);
    const engine = await Engine.open({ stateDir: path.join(dir, 'state') });
    try {
      const session = new Session(engine, { now: SAMPLE_NOW });
      await session.load([logs]);
      await session.execute('* | head 1 | table eventName eventSource');
      await said(session, `:export jsonl ${path.join(other, 'one.jsonl')}`);
    } finally {
      engine.close();
    }
    const written = readFileSync(path.join(other, 'one.jsonl'), 'utf8');
    // Same name, same size, other bytes: a file the list does not describe is evidence.
    writeFileSync(path.join(other, 'one.jsonl'), written.replace('Object', 'Objecx'));
    expect(await counted([other], 'memory')).toEqual({ count: 1, notes: ['one.jsonl: note: 1 event(s) without eventTime: their _time is empty'] });
  });
});
