// A real S3 delivery tree built from public CloudTrail records (fixtures/public/stratus-red-team,
// DataDog's detonation logs, Apache-2.0: see its LICENSE and SOURCE.txt there): each record goes
// where CloudTrail would deliver it, `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` in a
// gzipped `{"Records":[...]}` file per account, region and 5 minutes. A second, organisation trail
// (`AWSLogs/<org id>/<account>/...`) delivers the IAM calls again, as a second trail delivers
// global-service events: those events are loaded twice, with the same eventID.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const SOURCE = join(import.meta.dirname, '..', '..', 'fixtures', 'public', 'stratus-red-team');

interface Record_ {
  eventTime: string;
  eventSource: string;
  awsRegion: string;
  recipientAccountId: string;
}

/** The records of every detonation log, in file order. */
export function stratusRecords(): Record_[] {
  return readdirSync(SOURCE)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(join(SOURCE, f), 'utf8')) as Record_[]);
}

/** Writes the tree under `root` and says what it holds. */
export function writeS3Layout(root: string): { files: number; events: number; duplicates: number } {
  const files = new Map<string, Record_[]>();
  const deliver = (prefix: string, r: Record_) => {
    const t = r.eventTime;
    const minute = String(Math.floor(Number(t.slice(14, 16)) / 5) * 5).padStart(2, '0');
    const stamp = `${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}T${t.slice(11, 13)}${minute}Z`;
    const dir = join(prefix, r.recipientAccountId, 'CloudTrail', r.awsRegion, t.slice(0, 4), t.slice(5, 7), t.slice(8, 10));
    const file = join(dir, `${r.recipientAccountId}_CloudTrail_${r.awsRegion}_${stamp}_stratus${files.size.toString(36).padStart(4, '0')}.json.gz`);
    const key = `${dir}|${stamp}`;
    const name = [...files.keys()].find((k) => k.startsWith(key + '|')) ?? `${key}|${file}`;
    files.set(name, [...(files.get(name) ?? []), r]);
  };
  const records = stratusRecords();
  for (const r of records) deliver(join(root, 'AWSLogs'), r);
  const global = records.filter((r) => r.eventSource === 'iam.amazonaws.com');
  for (const r of global) deliver(join(root, 'AWSLogs', 'o-exampleorg1'), r);
  for (const [name, recs] of files) {
    const file = name.split('|')[2]!;
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, gzipSync(JSON.stringify({ Records: recs })));
  }
  return { files: files.size, events: records.length + global.length, duplicates: global.length };
}
