// Running a search's Trino SQL on a Trino server (`--engine trino://host:port/catalog/schema`)
// through the trino-client package: submit it, follow the server's pages (progress from their
// stats, rows converted to spelunk's values by the column types the compiler gave), and cancel
// the query when the caller aborts (Ctrl-C). The client is injected so tests check the requests.
//
// trino-client's own iterator skips the pages that carry no rows (so a long query shows no
// progress and cannot be cancelled until its first rows), and does not give the first answer
// (an error there would end the rows silently). So the pages are followed here, each request
// made by trino-client's connection (its headers, authentication and session handling).
import type { QueryResult, Trino } from 'trino-client';
import type { FieldType } from '../compiler/types.js';
import { setField, type Row, type Value } from './types.js';

export interface TrinoSettings {
  /** http(s)://host:port */
  server: string;
  catalog: string;
  schema?: string;
  user: string;
  /** From TRINO_PASSWORD, sent only over https. */
  password?: string;
}

/** The Trino client protocol's three requests (a test may pass its own). */
export interface TrinoSender {
  /** POST /v1/statement: the first page. */
  start(sql: string, s: TrinoSettings): Promise<QueryResult>;
  /** GET a page's nextUri. */
  next(uri: string): Promise<QueryResult>;
  /** DELETE /v1/query/ID. */
  cancel(queryId: string): Promise<unknown>;
}

export interface TrinoProgress {
  state: string;
  processedBytes: number;
  processedRows: number;
}

export interface TrinoRun {
  queryId: string;
  rowCount: number;
  processedBytes: number;
  /** The query's time on the server (queued, planned and run), when it reports it. */
  millis?: number;
}

export class TrinoError extends Error {}

/**
 * `trino://[user@]host[:port]/catalog[/schema]` (http) or `trino+https://...`. The user is the
 * URL's or $USER; a password only from TRINO_PASSWORD, never on the command line.
 */
export function trinoSettings(url: string, env: NodeJS.ProcessEnv = process.env): TrinoSettings {
  const m = /^trino(\+https)?:\/\/(?:([^@/:]+)@)?([^/:@]+)(?::(\d{1,5}))?\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url);
  if (!m) throw new TrinoError(`--engine ${JSON.stringify(url)}: give trino://[user@]host[:port]/catalog[/schema] (or trino+https://...)`);
  const [, https, user, host, port, catalog, schema] = m;
  const password = env.TRINO_PASSWORD || undefined;
  if (password && !https) throw new TrinoError('TRINO_PASSWORD is set: use trino+https://... so the password is not sent in clear text');
  const who = user ?? env.USER ?? env.USERNAME;
  if (!who) throw new TrinoError(`--engine ${url}: name the Trino user (trino://user@host/...), $USER is not set`);
  return {
    server: `${https ? 'https' : 'http'}://${host}:${port ?? (https ? '443' : '8080')}`,
    catalog: decodeURIComponent(catalog!),
    ...(schema ? { schema: decodeURIComponent(schema) } : {}),
    user: decodeURIComponent(who),
    ...(password ? { password } : {}),
  };
}

/** trino-client 0.2.9's connection: Trino keeps it in a private field (the version is pinned). */
interface Connection {
  request<T>(cfg: { url: string; method?: string; data?: string; headers?: Record<string, string> }): Promise<T>;
}

/**
 * trino-client (and axios under it), loaded when a search first goes to a Trino server: loaded
 * with the command line, it cost every run 0.11 CPU-s at start, local ones included.
 */
let client: Promise<typeof import('trino-client')> | undefined;

export function trinoClient(s: TrinoSettings): TrinoSender {
  let made: Promise<{ trino: Trino; connection: Connection }> | undefined;
  const connect = () =>
    (made ??= (client ??= import('trino-client')).then(({ BasicAuth, Trino }) => {
      const trino = Trino.create({
        server: s.server,
        catalog: s.catalog,
        schema: s.schema,
        source: 'spelunk',
        ...(s.password ? { auth: new BasicAuth(s.user, s.password) } : {}),
      });
      const connection = (trino as unknown as { client?: Connection }).client;
      if (!connection || typeof connection.request !== 'function') throw new TrinoError('this version of trino-client has no connection to send pages with');
      return { trino, connection };
    }));
  return {
    start: async (sql, settings) => (await connect()).connection.request<QueryResult>({
      method: 'POST',
      url: '/v1/statement',
      data: sql,
      headers: {
        'X-Trino-User': settings.user,
        'X-Trino-Catalog': settings.catalog,
        ...(settings.schema ? { 'X-Trino-Schema': settings.schema } : {}),
      },
    }),
    next: async (uri) => (await connect()).connection.request<QueryResult>({ url: uri }),
    cancel: async (queryId) => (await connect()).trino.cancel(queryId),
  };
}

/** A cell of a Trino result as spelunk's value (lists come as JSON text, see trino-plan.ts). */
export function trinoValue(v: unknown, type: FieldType | undefined): Value {
  if (v === null || v === undefined) return null;
  if (type === 'number') {
    // DOUBLE's NaN and infinities come as text; DECIMAL as text too.
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isNaN(n) && v !== 'NaN' ? String(v) : n;
  }
  if (type === 'mv') {
    const parsed: unknown = typeof v === 'string' ? JSON.parse(v) : v;
    return Array.isArray(parsed) ? parsed.map((x) => (x === null ? null : typeof x === 'string' ? x : String(x))) : null;
  }
  if (type === 'bool') return v === true || v === 'true';
  return typeof v === 'string' ? v : typeof v === 'number' ? v : JSON.stringify(v);
}

export interface TrinoHandlers {
  progress?(p: TrinoProgress): void;
  rows(rows: Row[]): void;
  signal?: AbortSignal;
}

function failure(r: QueryResult): string | undefined {
  return r.error ? `${r.error.errorName ?? 'error'}: ${r.error.message}` : undefined;
}

/**
 * Run `sql` and stream its rows, named by `columns` (the statement selects them in that order),
 * with values converted by `types`. Aborting cancels the query on the server and rejects. A query
 * that ends in any state but FINISHED is an error, never a short result.
 */
export async function runOnTrino(client: TrinoSender, s: TrinoSettings, sql: string, columns: string[], types: Record<string, FieldType>, h: TrinoHandlers): Promise<TrinoRun> {
  if (h.signal?.aborted) throw new TrinoError('query cancelled before it was sent');
  let page = await client.start(sql, s);
  const queryId = page.id ?? '';
  let rowCount = 0;
  let processedBytes = 0;
  let checked = false;
  for (;;) {
    const problem = failure(page);
    if (problem) throw new TrinoError(`query ${queryId} failed: ${problem}`);
    processedBytes = page.stats?.processedBytes ?? processedBytes;
    if (page.stats) h.progress?.({ state: page.stats.state, processedBytes, processedRows: page.stats.processedRows ?? 0 });
    if (page.columns && !checked) {
      const names = page.columns.map((c) => c.name.toLowerCase());
      if (names.join('\n') !== columns.map((c) => c.toLowerCase()).join('\n')) {
        throw new TrinoError(`query ${queryId} returned the columns ${names.join(', ')}, not the search's ${columns.join(', ')}`);
      }
      checked = true;
    }
    if (page.data?.length) {
      const rows = page.data.map((cells: unknown[]) => {
        if (cells.length !== columns.length) throw new TrinoError(`query ${queryId} returned a row of ${cells.length} values for ${columns.length} columns`);
        const row: Row = {};
        columns.forEach((c, i) => setField(row, c, trinoValue(cells[i], types[c])));
        return row;
      });
      rowCount += rows.length;
      h.rows(rows);
    }
    if (!page.nextUri) break;
    if (h.signal?.aborted) {
      await client.cancel(queryId);
      throw new TrinoError(`query ${queryId} cancelled`);
    }
    page = await client.next(page.nextUri);
  }
  const state = page.stats?.state;
  if (state !== 'FINISHED') throw new TrinoError(`query ${queryId || '(no id)'} ended ${state ? `in state ${state}` : 'without a final state'}, not FINISHED: its rows may be incomplete`);
  const millis = page.stats?.elapsedTimeMillis;
  return { queryId, rowCount, processedBytes, ...(typeof millis === 'number' ? { millis } : {}) };
}
