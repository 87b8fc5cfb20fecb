// Which Athena (or Trino) table the Trino dialect reads, and which of its partitions a search
// needs. The table is docs/athena.md's: the day as one partition `timestamp` (yyyy/MM/dd) or as
// three (`year`, `month`, `day`, AWS's organisation table), and for an organisation trail
// `account` and `region` too; `--table` and `--partitions` name them.
import { trinoIdent } from './trino.js';

export interface AthenaTable {
  /** As given: `table`, `db.table` or `catalog.db.table`. */
  name: string;
  /** The name quoted for Trino. */
  sqlName: string;
  /** Partition columns by role: the day as `timestamp`, or as `year`, `month` and `day`. */
  partitions: Partial<Record<PartitionRole, string>>;
}

const ROLES = ['timestamp', 'year', 'month', 'day', 'account', 'region'] as const;
export type PartitionRole = (typeof ROLES)[number];

const DEFAULT_TABLE = 'cloudtrail_logs_pp';

export class TableOptionError extends Error {}

/** `--table NAME --partitions LIST` as a table (see docs/athena.md). */
export function athenaTable(name = DEFAULT_TABLE, partitions = 'timestamp'): AthenaTable {
  const parts = name.split('.');
  if (parts.length > 3 || parts.some((p) => !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p))) {
    throw new TableOptionError(`--table ${JSON.stringify(name)}: give table, db.table or catalog.db.table (letters, digits, _ and -)`);
  }
  const roles: AthenaTable['partitions'] = {};
  for (const item of partitions.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [role, column = role] = item.split('=').map((s) => s.trim()) as [string, string?];
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new TableOptionError(`--partitions: ${JSON.stringify(role)} is not a partition spelunk knows (${ROLES.join(', ')})`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column)) throw new TableOptionError(`--partitions: ${JSON.stringify(column)} is not a column name`);
    if (roles[role as PartitionRole] !== undefined) throw new TableOptionError(`--partitions names ${role} twice`);
    roles[role as PartitionRole] = column;
  }
  const parts3 = [roles.year, roles.month, roles.day].filter((c) => c !== undefined).length;
  if (roles.timestamp !== undefined ? parts3 > 0 : parts3 !== 3) {
    throw new TableOptionError('--partitions must name the day partition: timestamp (one yyyy/MM/dd column) or year, month and day');
  }
  return { name, sqlName: parts.map(trinoIdent).join('.'), partitions: roles };
}

/** What a search restricts: its time range, and the accounts and regions it names. */
export interface PartitionBounds {
  earliest?: number;
  latest?: number;
  accounts?: string[];
  regions?: string[];
  /** The range every events step is within (the picker's, subsearches' own): subsearches read this. */
  global?: { earliest?: number; latest?: number };
}

const DAY = 86400;

function day(epoch: number): string {
  const d = new Date(Math.floor(epoch) * 1000);
  if (Number.isNaN(d.getTime())) throw new TableOptionError(`time ${epoch} is out of range`);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
}

function list(values: string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ');
}

/**
 * The first and last day folder a time range can be in. CloudTrail writes a file some minutes
 * after its events, so an event just before midnight may be in the next day's folder: the last
 * folder is the day after the latest bound's; never one before the earliest's.
 */
function dayRange(bounds: PartitionBounds): { from?: string; to?: string } {
  return {
    from: bounds.earliest !== undefined ? day(bounds.earliest) : undefined,
    to: bounds.latest !== undefined ? day(bounds.latest + DAY) : undefined,
  };
}

/** A day partition as a number, yyyymmdd: year, month and day compared whatever their padding. */
function dayNumber(p: AthenaTable['partitions']): string {
  const n = (c: string) => `CAST(${trinoIdent(c)} AS INTEGER)`;
  return `${n(p.year!)} * 10000 + ${n(p.month!)} * 100 + ${n(p.day!)}`;
}

/** Predicates on the partition columns (Athena lists and reads only matching folders). */
export function partitionPredicates(table: AthenaTable, bounds: PartitionBounds): string[] {
  const out: string[] = [];
  const p = table.partitions;
  const { from, to } = dayRange(bounds);
  if (p.timestamp !== undefined) {
    const ts = trinoIdent(p.timestamp);
    if (from !== undefined) out.push(`${ts} >= '${from}'`);
    if (to !== undefined) out.push(`${ts} <= '${to}'`);
  } else {
    // The year alone is a condition the catalog can answer before listing the days.
    const year = trinoIdent(p.year!);
    if (from !== undefined) out.push(`${year} >= '${from.slice(0, 4)}'`, `${dayNumber(p)} >= ${from.replace(/\//g, '')}`);
    if (to !== undefined) out.push(`${year} <= '${to.slice(0, 4)}'`, `${dayNumber(p)} <= ${to.replace(/\//g, '')}`);
  }
  if (p.account && bounds.accounts?.length) out.push(`${trinoIdent(p.account)} IN (${list(bounds.accounts)})`);
  if (p.region && bounds.regions?.length) out.push(`${trinoIdent(p.region)} IN (${list(bounds.regions)})`);
  return out;
}

/** In words, for explain: which partitions the search reads. */
export function describePartitions(table: AthenaTable, bounds: PartitionBounds): string[] {
  const { from, to } = dayRange(bounds);
  const days = from === undefined && to === undefined ? 'every day (no time bound: the whole table is read)' : `days ${from ?? 'the first'} to ${to ?? 'today'}`;
  const p = table.partitions;
  const lines = [`${p.timestamp ?? `${p.year}/${p.month}/${p.day}`}: ${days}`];
  if (table.partitions.account) lines.push(`${table.partitions.account}: ${bounds.accounts?.length ? bounds.accounts.join(', ') : 'every account'}`);
  if (table.partitions.region) lines.push(`${table.partitions.region}: ${bounds.regions?.length ? bounds.regions.join(', ') : 'every region'}`);
  return lines;
}
