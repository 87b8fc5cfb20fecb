// The session commands about saved searches: `:queries` lists them, `:run` runs one with its
// `$name$` values, `:save` writes the last search into the user's own folder, `:hunt` runs every
// hunting search and detection.
import { formatTime } from '../cli/format.js';
import { savedQuerySearch } from '../engine/content/index.js';
import { summarizePrincipals } from '../engine/content/principals.js';
import { runHunt } from '../engine/content/runner.js';
import type { SavedQuery } from '../engine/queries.js';
import type { Row } from '../engine/types.js';
import { lines, type HeldResult, type OutLine, type Outcome, type SearchHooks } from './outcome.js';
import { loadCatalogs } from './query-catalog.js';
import { checkId, saveQuery } from './save-search.js';
import { SessionCommandError } from './session-commands.js';
import type { Session } from './session.js';

export function saveCommand(session: Session, id: string, title: string | undefined, replace: boolean): Outcome {
  const last = session.last;
  if (!last || last.search.startsWith(':')) throw new SessionCommandError('no search to save yet: :save ID saves the last search you ran');
  if (!session.savedQueriesDir) throw new SessionCommandError('no folder for saved searches in this session');
  checkId(id);
  const bundled = loadCatalogs(session.queriesDir, null).queries.find((q) => q.id === id);
  if (bundled) throw new SessionCommandError(`${id} is a bundled search (${bundled.file}): choose another id`);
  const again = `:save --replace ${id}${title ? ` ${JSON.stringify(title)}` : ''}`;
  if (!replace && session.queries().some((q) => q.id === id)) {
    return { kind: 'confirm', question: `${id} is saved already: replace it? (y/N)`, yes: again, no: `not saved: ${id} exists (${again} replaces it)` };
  }
  const file = saveQuery(session.savedQueriesDir, { id, title, spl: last.search, parameters: last.parameters, range: session.timeLabel() || undefined, savedAt: new Date() }, replace);
  const params = last.parameters?.length ? ` ${last.parameters.map((p) => `${p.name}=…`).join(' ')}` : '';
  return lines({ text: `saved to ${file}: :run ${id}${params} runs it`, tone: 'info' });
}

export function queryList(session: Session): Outcome {
  const catalog = session.catalog();
  const out: OutLine[] = [];
  if (catalog.queries.length === 0) out.push({ text: `no saved searches in ${session.queriesDir}`, tone: 'dim' });
  const idWidth = Math.max(2, ...catalog.queries.map((q) => q.id.length));
  for (const type of ['detection', 'hunting', 'baseline', 'investigation'] as const) {
    const qs = catalog.queries.filter((q) => q.type === type);
    if (!qs.length) continue;
    out.push({ text: `${type}:`, tone: 'heading' });
    for (const q of qs) {
      const params = q.parameters.map((p) => ` ${p.name}=…`).join('');
      const mine = session.savedQueriesDir !== null && q.file.startsWith(session.savedQueriesDir) ? '  [saved]' : '';
      out.push({ text: `  ${q.id.padEnd(idWidth)}  ${q.title}${params ? `  (${params.trim()})` : ''}${mine}` });
    }
  }
  for (const problem of catalog.problems) out.push({ text: `warning: ${problem}`, tone: 'warn' });
  out.push({ text: ':run ID [name=value ...] runs one', tone: 'dim' });
  return { kind: 'lines', lines: out };
}

export async function runQuery(session: Session, id: string, params: Record<string, string>, hooks: SearchHooks): Promise<Outcome> {
  const catalog = session.catalog();
  const q = catalog.queries.find((x) => x.id === id);
  if (!q) {
    const close = catalog.queries.filter((x) => x.id.includes(id)).map((x) => x.id).slice(0, 5);
    throw new SessionCommandError(`no saved search ${JSON.stringify(id)}${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}; :queries lists them`);
  }
  const missing = q.parameters.filter((p) => params[p.name] === undefined);
  if (missing.length) {
    throw new SessionCommandError(`${id} needs ${missing.map((p) => `${p.name}= (${p.description})`).join(', ')}: :run ${id} ${q.parameters.map((p) => `${p.name}=VALUE`).join(' ')}`);
  }
  const unknown = Object.keys(params).filter((k) => !q.parameters.some((p) => p.name === k));
  if (unknown.length) throw new SessionCommandError(`${id} has no parameter ${unknown.join(', ')} (it takes ${q.parameters.map((p) => p.name).join(', ') || 'none'})`);
  return { kind: 'result', result: withParameters(await session.search(q.spl, hooks, { params }), q) };
}

/** A result of a saved search keeps its `$name$` descriptions (for :save). */
export function withParameters(result: HeldResult, q: SavedQuery): HeldResult {
  result.parameters = q.parameters;
  return result;
}

/**
 * The hunt of `spelunk hunt`: every hunting search and detection, one line each, then who is
 * behind the hits as the result (so `:pivot N` opens investigations of a principal).
 */
export async function huntCommand(session: Session): Promise<Outcome[]> {
  const started = performance.now();
  const bundled = session.queries().filter((q) => q.type === 'hunting' || q.type === 'detection').map(savedQuerySearch);
  const outcomes = await runHunt(session.engine, [...bundled, ...session.content.searches], session.content.baselines, session.runOptions());
  const out: OutLine[] = outcomes.map((o) =>
    o.error ? { text: `${o.search.title} [${o.search.type}]: failed: ${o.error}`, tone: 'error' } : { text: `${o.search.title} [${o.search.type}]: ${o.rows.length} result${o.rows.length === 1 ? '' : 's'}` },
  );
  const rows: Row[] = summarizePrincipals(outcomes).map((p) => {
    const account = /^account (\d{12})$/.exec(p.principal)?.[1] ?? null;
    return {
      score: p.score,
      principal: account ? null : p.principal.replace(/^user /, ''),
      account,
      results: p.results,
      first: p.first === null ? null : formatTime(p.first, 'iso'),
      last: p.last === null ? null : formatTime(p.last, 'iso'),
      techniques: p.techniques,
      searches: p.searches,
    };
  });
  session.last = { search: ':hunt', columns: ['score', 'principal', 'account', 'results', 'first', 'last', 'techniques', 'searches'], rows, truncated: false, elapsedMs: performance.now() - started, sql: '', shape: { events: false, timechart: false }, timeline: null, range: {} };
  return [{ kind: 'lines', lines: out }, { kind: 'result', result: session.last }];
}
