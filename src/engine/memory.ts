// How much memory DuckDB may use, where the user did not say, and what that lets a first load do.
import { totalmem } from 'node:os';

/**
 * The peak resident memory spelunk aims to stay under whatever the data's size (issue 13): past
 * its share DuckDB spills to its scratch folder (tables included) rather than grow.
 */
export const RESIDENT_TARGET = 1.5e9;
/**
 * What DuckDB's limit does not cover, measured at peak (a load of 1M events, 2026-12-06): Node
 * and the text of the loader's batches about 0.2 GB, DuckDB's allocations outside its buffer
 * pool and the pages the C allocator keeps after a free about 0.45 GB. A 700 MB limit peaked at
 * 1.32-1.45 GB, 1 GB at 1.67 GB, the old default (75% of 24 GB) at 3.8-4.2 GB.
 */
const NOT_COVERED = 0.75e9;

/** The target's share for DuckDB, or 75% of the machine's memory where that is less. */
export function defaultMemoryLimit(total = totalmem()): string {
  return `${Math.floor(Math.min(total * 0.75, RESIDENT_TARGET - NOT_COVERED) / 2 ** 20)}MB`;
}

/** 75% of the machine's memory: what a load that cannot spill (one huge event) is allowed. */
export function machineMemoryLimit(total = totalmem()): string {
  return `${Math.floor((total * 0.75) / 2 ** 20)}MB`;
}

/**
 * The most (compressed) bytes an answer-first load holds in DuckDB's table: a `.json.gz` of
 * CloudTrail takes about 20 times its size as a table (1M events: 160 MB of files, 3.3 GB), and
 * half the memory limit is left for the searches. Past that the table spills, and answering first
 * is no longer first: 1M events under the default limit gave the first row at 2.0x the hand-written
 * load (1.9x its CPU), where the cache's chunked path gave it at 1.2x (2026-12-06). Larger first
 * loads go through the cache's chunks.
 */
export function answerFirstBytes(memoryLimit = defaultMemoryLimit()): number {
  return parseBytes(memoryLimit) / 2 / 20;
}

/**
 * The most JSON text of candidate events a first search is answered from (first-answer.ts): their
 * table takes about three times their text (1M events: 1.2 GB of JSON, 3.3 GB as a table) and half
 * the memory limit is left for the search. Past that, the first load is the ordinary one.
 */
export function candidateBytes(memoryLimit = defaultMemoryLimit()): number {
  return parseBytes(memoryLimit) / 2 / 3;
}

function parseBytes(size: string): number {
  const m = /^\s*([\d.]+)\s*([KMGT]?i?B)?\s*$/i.exec(size);
  if (!m) return 0;
  const unit = (m[2] ?? 'B').toUpperCase().replace('I', '');
  return Number(m[1]) * 1024 ** ['B', 'KB', 'MB', 'GB', 'TB'].indexOf(unit);
}
