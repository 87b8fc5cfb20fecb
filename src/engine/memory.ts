// How much memory DuckDB may use, where the user did not say.
import { totalmem } from 'node:os';

/** 75% of the machine's memory: DuckDB spills to the scratch folder or fails clearly before the OS steps in. */
export function defaultMemoryLimit(): string {
  return `${Math.floor((totalmem() * 0.75) / 2 ** 20)}MB`;
}
