// Running a search's Trino SQL on Amazon Athena: submit it to a workgroup, poll its state and the
// data it has scanned, page through the results (converted to spelunk's values by the column
// types the compiler gave), and stop the query when the caller aborts (Ctrl-C). Credentials come
// from the AWS SDK's usual chain. The client is injected so tests check the requests it makes.
import type { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } from '@aws-sdk/client-athena';
import type { FieldType } from '../compiler/types.js';
import { setField, type Row, type Value } from './types.js';

export interface AthenaSettings {
  workgroup: string;
  /** Where Athena writes the result files: `s3://bucket/prefix/`. */
  output: string;
  database?: string;
  region?: string;
}

/** The part of AthenaClient used here (a test passes a recording fake). */
export interface AthenaSender {
  send(command: StartQueryExecutionCommand | GetQueryExecutionCommand | GetQueryResultsCommand | StopQueryExecutionCommand): Promise<unknown>;
}

export interface AthenaProgress {
  state: string;
  /** Bytes Athena has scanned so far (what a query costs). */
  scannedBytes: number;
}

export interface AthenaRun {
  queryId: string;
  rowCount: number;
  scannedBytes: number;
  /** The query's time on Athena (queued, planned and run), when Athena reports it. */
  millis?: number;
}

export class AthenaError extends Error {}

/** Settings from the command line, checked before anything is sent. */
export function athenaSettings(workgroup: string | undefined, output: string | undefined, database?: string, region?: string): AthenaSettings {
  if (!workgroup) throw new AthenaError('--engine athena needs --workgroup NAME (the Athena workgroup to run in)');
  if (!output || !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(output)) {
    throw new AthenaError(`--engine athena needs --output s3://bucket/prefix/ (where Athena writes results)${output ? `; ${JSON.stringify(output)} is not an S3 location` : ''}`);
  }
  return { workgroup, output, database, region };
}

/**
 * The AWS SDK, loaded when a search first goes to Athena: loaded with the command line, it cost
 * every run 0.16 CPU-s at start, local ones included.
 */
let sdk: Promise<typeof import('@aws-sdk/client-athena')> | undefined;
const athenaSdk = () => (sdk ??= import('@aws-sdk/client-athena'));

export function athenaClient(settings: AthenaSettings): AthenaSender {
  let client: Promise<AthenaSender> | undefined;
  return {
    send: async (command) => {
      client ??= athenaSdk().then(({ AthenaClient }) => new AthenaClient(settings.region ? { region: settings.region } : {}) as unknown as AthenaSender);
      return (await client).send(command);
    },
  };
}

const DONE = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** A cell of Athena's text results as spelunk's value (lists come as JSON text, see trino-plan.ts). */
export function athenaValue(text: string | undefined, type: FieldType | undefined): Value {
  if (text === undefined) return null;
  if (type === 'number') {
    const n = Number(text);
    return Number.isNaN(n) && text !== 'NaN' ? text : n;
  }
  if (type === 'mv') {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map((v) => (v === null ? null : typeof v === 'string' ? v : String(v))) : null;
  }
  if (type === 'bool') return text === 'true';
  return text;
}

export interface AthenaHandlers {
  progress?(p: AthenaProgress): void;
  rows(rows: Row[]): void;
  signal?: AbortSignal;
  /** Milliseconds between state polls (tests use 0). */
  pollMs?: number;
}

/**
 * Run `sql` and stream its rows, named by `columns` (Athena returns them in that order), with
 * values converted by `types`. Aborting stops the query on Athena and rejects.
 */
export async function runOnAthena(client: AthenaSender, settings: AthenaSettings, sql: string, columns: string[], types: Record<string, FieldType>, h: AthenaHandlers): Promise<AthenaRun> {
  const { GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand } = await athenaSdk();
  const started = (await client.send(new StartQueryExecutionCommand({
    QueryString: sql,
    WorkGroup: settings.workgroup,
    ResultConfiguration: { OutputLocation: settings.output },
    ...(settings.database ? { QueryExecutionContext: { Database: settings.database } } : {}),
  }))) as { QueryExecutionId?: string };
  const queryId = started.QueryExecutionId;
  if (!queryId) throw new AthenaError('Athena did not return a query id');
  const stop = async (): Promise<never> => {
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
    throw new AthenaError(`query ${queryId} cancelled`);
  };
  let scannedBytes = 0;
  let millis: number | undefined;
  let wait = h.pollMs ?? 250;
  for (;;) {
    if (h.signal?.aborted) await stop();
    const status = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: queryId }))) as {
      QueryExecution?: { Status?: { State?: string; StateChangeReason?: string }; Statistics?: { DataScannedInBytes?: number; TotalExecutionTimeInMillis?: number } };
    };
    const state = status.QueryExecution?.Status?.State ?? 'UNKNOWN';
    scannedBytes = status.QueryExecution?.Statistics?.DataScannedInBytes ?? scannedBytes;
    millis = status.QueryExecution?.Statistics?.TotalExecutionTimeInMillis ?? millis;
    h.progress?.({ state, scannedBytes });
    if (state === 'SUCCEEDED') break;
    if (DONE.has(state)) throw new AthenaError(`query ${queryId} ${state.toLowerCase()}: ${status.QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`);
    await sleep(wait, h.signal);
    wait = Math.min(wait * 2 || 0, 2000);
  }
  let rowCount = 0;
  let token: string | undefined;
  let first = true;
  do {
    if (h.signal?.aborted) throw new AthenaError(`query ${queryId} cancelled while reading results`);
    const page = (await client.send(new GetQueryResultsCommand({ QueryExecutionId: queryId, NextToken: token, MaxResults: 1000 }))) as {
      NextToken?: string;
      ResultSet?: { Rows?: { Data?: { VarCharValue?: string }[] }[] };
    };
    let data = page.ResultSet?.Rows ?? [];
    // The first row of the first page is the header.
    if (first) data = data.slice(1);
    first = false;
    const rows = data.map((r) => {
      const row: Row = {};
      columns.forEach((c, i) => setField(row, c, athenaValue(r.Data?.[i]?.VarCharValue, types[c])));
      return row;
    });
    rowCount += rows.length;
    if (rows.length) h.rows(rows);
    token = page.NextToken;
  } while (token);
  return { queryId, rowCount, scannedBytes, ...(millis !== undefined ? { millis } : {}) };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
