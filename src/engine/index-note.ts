// Splunk answers a search of an index that holds nothing (`index=aws`, a name from a Splunk
// install) with no events and no word why. spelunk names the indexes that do exist, so an empty
// answer is never mistaken for "nothing happened".
import type { Pipeline, SearchExpr, SearchValue } from '../../grammar/ast.js';
import type { Engine, RunOptions, Search } from './engine.js';

/** The values `index=` is compared with in the search clauses of a pipeline (subsearches too). */
function searchedIndexes(p: Pipeline, out: SearchValue[] = []): SearchValue[] {
  const visit = (e: SearchExpr | null): void => {
    if (!e) return;
    if (e.kind === 'and' || e.kind === 'or') e.items.forEach(visit);
    else if (e.kind === 'compare' && e.field.toLowerCase() === 'index' && e.op === '=') out.push(e.value);
    else if (e.kind === 'in' && e.field.toLowerCase() === 'index') out.push(...e.values);
    else if (e.kind === 'subsearch') searchedIndexes(e.pipeline, out);
  };
  for (const c of p.commands) if (c.kind === 'search') visit(c.expr);
  return out;
}

/** Splunk's index names match case-insensitively, with `*` as a wildcard. */
function matches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(name);
}

/**
 * For a search that found nothing: a note when it names an index no loaded event is in, with
 * the indexes there are. Null when every index it names exists (or it names none).
 */
export async function missingIndexNote(engine: Engine, spl: Search, opts: RunOptions = {}): Promise<string | null> {
  let named: SearchValue[];
  try {
    named = searchedIndexes(engine.parse(spl, opts).pipeline);
  } catch {
    return null;
  }
  if (named.length === 0) return null;
  const result = await engine.run('* | stats count by index', { now: opts.now, maxRows: 1000 });
  const loaded = result.rows.map((r) => ({ name: String(r.index), count: Number(r.count) })).filter((r) => r.name !== 'null');
  const missing = named.filter((v) => !loaded.some((l) => matches(v.value, l.name)));
  if (missing.length === 0) return null;
  const list = loaded.length ? loaded.map((l) => `${l.name} (${l.count.toLocaleString('en-US')} events)`).join(', ') : 'none: no events are loaded';
  const names = [...new Set(missing.map((v) => v.value))].join(', ');
  return `note: no loaded events are in index ${names}; the indexes loaded: ${list}; files load into index main unless --index NAME names another`;
}
