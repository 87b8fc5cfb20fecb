// Counting what a load read: events per source file, and the report naming every file that was
// skipped, partly read or read another way than planned.

import type { DuckDBConnection } from '@duckdb/node-api';
import { EVENTS_TABLE } from '../compiler/cloudtrail-schema.js';
import { NOT_CLOUDTRAIL } from './load-sql.js';
import { emptyLoadReport, type LoadReport, type LoadWarning } from './types.js';

/** What a record is tested for (NOT_CLOUDTRAIL), said whenever records are skipped for lacking it. */
const LOOKED_FOR = 'has eventName, eventSource or insightDetails (an Insights event), nor is a CloudTrail Lake event from outside AWS (eventCategory ActivityAuditLog)';

export interface FileOutcome {
  size: number;
  /** Set when nothing from the file could be read. */
  rejected?: string;
  /** Rows read from a spelunk export, whose rows keep their own `source`. */
  exportedRows?: number;
  /** JSON lines that were not valid JSON; the file's other lines loaded. */
  badLines?: { count: number; reason: string };
  /** How the file was read when that differs from the plan (said in a note: it costs time). */
  fallback?: string;
  /** A gzip file read member by member: what was left unread (load-stream.ts). */
  damaged?: { kind: 'partial' | 'note'; reason: string };
}

export interface FileStats {
  source: string;
  records: number;
  foreign: number;
  noTime: number;
  badTime: number;
  badTimeExample: string | null;
}

export async function collectStats(conn: DuckDBConnection): Promise<FileStats[]> {
  const result = await conn.runAndReadAll(`
    SELECT source,
           count(*) AS records,
           count(*) FILTER (WHERE ${NOT_CLOUDTRAIL}) AS "foreign",
           count(*) FILTER (WHERE NOT (${NOT_CLOUDTRAIL}) AND "eventTime" IS NULL) AS no_time,
           count(*) FILTER (WHERE NOT (${NOT_CLOUDTRAIL}) AND "eventTime" IS NOT NULL AND _time IS NULL) AS bad_time,
           min("eventTime") FILTER (WHERE NOT (${NOT_CLOUDTRAIL}) AND _time IS NULL) AS bad_time_example
    FROM ${EVENTS_TABLE} WHERE __seq IS NULL GROUP BY source`);
  return result.getRowObjectsJS().map((r) => ({
    source: String(r['source']),
    records: Number(r['records']),
    foreign: Number(r['foreign']),
    noTime: Number(r['no_time']),
    badTime: Number(r['bad_time']),
    badTimeExample: r['bad_time_example'] == null ? null : String(r['bad_time_example']),
  }));
}

export function buildReport(
  files: string[],
  expandWarnings: LoadWarning[],
  outcomes: Map<string, FileOutcome>,
  stats: FileStats[],
  elapsedMs: number,
): LoadReport {
  const byFile = new Map(stats.map((s) => [s.source, s]));
  const report = emptyLoadReport(expandWarnings, elapsedMs);
  const warn = (file: string, kind: LoadWarning['kind'], reason: string, eventsSkipped?: number): void => {
    report.warnings.push(eventsSkipped === undefined ? { file, reason, kind } : { file, reason, kind, eventsSkipped });
  };

  for (const file of files) {
    const outcome = outcomes.get(file)!;
    if (outcome.rejected) {
      report.filesSkipped++;
      warn(file, 'skipped', outcome.rejected);
      continue;
    }
    const s = byFile.get(file) ?? (outcome.exportedRows === undefined ? undefined : exportStats(file, outcome.exportedRows));
    const records = s?.records ?? 0;
    const foreign = s?.foreign ?? 0;
    report.eventsSkipped += foreign;
    if (records > 0 && foreign === records) {
      report.filesSkipped++;
      warn(file, 'skipped', `not CloudTrail: none of its ${records} record(s) ${LOOKED_FOR}`, foreign);
      continue;
    }
    report.filesRead++;
    report.bytesRead += outcome.size;
    report.eventsLoaded += records - foreign;
    if (records === 0) warn(file, 'note', 'contains no events');
    if (foreign > 0) {
      warn(file, 'partial', `skipped ${foreign} record(s) that are not CloudTrail: none ${LOOKED_FOR}`, foreign);
    }
    if (outcome.fallback) warn(file, 'note', outcome.fallback);
    if (outcome.damaged) warn(file, outcome.damaged.kind, outcome.damaged.reason);
    if (outcome.badLines) {
      const { count, reason } = outcome.badLines;
      report.eventsSkipped += count;
      warn(file, 'partial', `skipped ${count} line(s) of invalid JSON (the first ${reason.replace(/^invalid JSON /, '')})`, count);
    }
    if (s && s.noTime + s.badTime > 0) warn(file, 'note', describeTimeProblems(s));
  }
  return report;
}

function exportStats(source: string, records: number): FileStats {
  return { source, records, foreign: 0, noTime: 0, badTime: 0, badTimeExample: null };
}

function describeTimeProblems(s: FileStats): string {
  const parts: string[] = [];
  if (s.noTime > 0) parts.push(`${s.noTime} event(s) without eventTime`);
  if (s.badTime > 0) {
    parts.push(`${s.badTime} event(s) with an unreadable eventTime (e.g. ${JSON.stringify(s.badTimeExample)})`);
  }
  return `${parts.join(' and ')}: their _time is empty`;
}
