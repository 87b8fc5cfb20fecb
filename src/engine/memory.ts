// How much memory DuckDB may use, where the user did not say.
import { totalmem } from 'node:os';

/** 75% of the machine's memory: DuckDB spills to the scratch folder or fails clearly before the OS steps in. */
export function defaultMemoryLimit(): string {
  return `${Math.floor((totalmem() * 0.75) / 2 ** 20)}MB`;
}

/**
 * The most (compressed) bytes an answer-first load holds in memory: a `.json.gz` of CloudTrail
 * takes about 20 times its size as a DuckDB table (1M events: 160 MB of files, 3.3 GB), and half
 * the memory limit is left for the searches. Larger first loads go through the cache's chunks.
 */
export function answerFirstBytes(memoryLimit = defaultMemoryLimit()): number {
  return parseBytes(memoryLimit) / 2 / 20;
}

function parseBytes(size: string): number {
  const m = /^\s*([\d.]+)\s*([KMGT]?i?B)?\s*$/i.exec(size);
  if (!m) return 0;
  const unit = (m[2] ?? 'B').toUpperCase().replace('I', '');
  return Number(m[1]) * 1024 ** ['B', 'KB', 'MB', 'GB', 'TB'].indexOf(unit);
}
