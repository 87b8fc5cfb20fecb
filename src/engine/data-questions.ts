// The compiler's questions about the loaded data (`Discovery`: a subsearch's rows, the values a
// chart splits by), answered on the engine's connection until a compilation asks none.
import type { DuckDBConnection } from '@duckdb/node-api';
import { JSDuckDBValueConverter } from './duckdb.js';
import type { DiscoveredValue } from '../compiler/types.js';
import { describeDuckDBError, EngineError } from './engine-error.js';
import type { Prepared } from './engine-options.js';
import { toValue } from './rows.js';

/**
 * Compiles (`compile`, given the answers so far), answers the questions its plan asks, and
 * compiles again until it has none left. Each round can only ask questions that depend on earlier
 * answers (a pivot after a pivot), so the rounds are few; the cap guards against a loop.
 */
export async function answerQuestions(conn: DuckDBConnection, compile: (discovered: Record<string, DiscoveredValue[]>) => Prepared): Promise<Prepared> {
  const discovered: Record<string, DiscoveredValue[]> = {};
  const asked: string[] = [];
  for (let round = 0; ; round++) {
    const prepared = compile(discovered);
    const pending = (prepared.compiled.discoveries ?? []).filter((d) => !(d.key in discovered));
    if (pending.length === 0) return asked.length ? { ...prepared, asked } : prepared;
    asked.push(...pending.map((d) => d.what));
    if (round >= 16) throw new EngineError('the search kept asking new questions about the data (more than 16 rounds)', prepared.compiled.sql);
    for (const d of pending) {
      let reader;
      try {
        reader = await conn.runAndReadAll(d.sql);
      } catch (err) {
        throw new EngineError(describeDuckDBError(err), d.sql);
      }
      discovered[d.key] = reader.convertRows(JSDuckDBValueConverter).map((row) => {
        const v = toValue(row[0]);
        return v === null ? null : Array.isArray(v) ? v.join('\n') : String(v);
      });
    }
  }
}
