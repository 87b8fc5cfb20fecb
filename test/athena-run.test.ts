// The Athena runner, against the requests it builds (no network): workgroup, output location,
// database and query text; polling with progress; result pages with the header row dropped and
// values converted by type; a stop request when the caller aborts (Ctrl-C).
import { describe, expect, it } from 'vitest';
import { athenaSettings, athenaValue, runOnAthena, type AthenaSender } from '../src/engine/athena.js';
import type { Row } from '../src/engine/types.js';

interface Sent {
  name: string;
  input: Record<string, unknown>;
}

/** A fake Athena: answers by command name from `script`, recording every request. */
function fakeAthena(script: Record<string, ((input: Record<string, unknown>) => unknown)[]>): AthenaSender & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    async send(command) {
      const name = command.constructor.name;
      const input = (command as unknown as { input: Record<string, unknown> }).input;
      sent.push({ name, input });
      const answers = script[name];
      if (!answers || answers.length === 0) throw new Error(`unexpected ${name}`);
      const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
      return answer(input);
    },
  };
}

const settings = athenaSettings('hunting', 's3://results-bucket/spelunk/', 'security', 'eu-west-1');
const cell = (v?: string) => (v === undefined ? {} : { VarCharValue: v });

describe('runOnAthena', () => {
  it('submits to the workgroup with the output location and database, polls, and pages the results', async () => {
    const athena = fakeAthena({
      StartQueryExecutionCommand: [() => ({ QueryExecutionId: 'q-1' })],
      GetQueryExecutionCommand: [
        () => ({ QueryExecution: { Status: { State: 'QUEUED' }, Statistics: { DataScannedInBytes: 0 } } }),
        () => ({ QueryExecution: { Status: { State: 'RUNNING' }, Statistics: { DataScannedInBytes: 1024 } } }),
        () => ({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 4096 } } }),
      ],
      GetQueryResultsCommand: [
        () => ({ NextToken: 't2', ResultSet: { Rows: [{ Data: [cell('src'), cell('count'), cell('users')] }, { Data: [cell('1.2.3.4'), cell('3'), cell('["a","b"]')] }] } }),
        () => ({ ResultSet: { Rows: [{ Data: [cell(), cell('1'), cell()] }] } }),
      ],
    });
    const progress: string[] = [];
    const rows: Row[] = [];
    const run = await runOnAthena(athena, settings, 'SELECT 1', ['src', 'count', 'users'], { src: 'string', count: 'number', users: 'mv' }, {
      pollMs: 0,
      progress: (p) => progress.push(`${p.state} ${p.scannedBytes}`),
      rows: (r) => rows.push(...r),
    });
    expect(athena.sent[0]).toEqual({
      name: 'StartQueryExecutionCommand',
      input: { QueryString: 'SELECT 1', WorkGroup: 'hunting', ResultConfiguration: { OutputLocation: 's3://results-bucket/spelunk/' }, QueryExecutionContext: { Database: 'security' } },
    });
    expect(progress).toEqual(['QUEUED 0', 'RUNNING 1024', 'SUCCEEDED 4096']);
    expect(athena.sent.filter((s) => s.name === 'GetQueryResultsCommand').map((s) => s.input.NextToken)).toEqual([undefined, 't2']);
    expect(rows).toEqual([{ src: '1.2.3.4', count: 3, users: ['a', 'b'] }, { src: null, count: 1, users: null }]);
    expect(run).toEqual({ queryId: 'q-1', rowCount: 2, scannedBytes: 4096 });
  });

  it('stops the query on Athena when aborted (Ctrl-C)', async () => {
    const abort = new AbortController();
    const athena = fakeAthena({
      StartQueryExecutionCommand: [() => ({ QueryExecutionId: 'q-2' })],
      GetQueryExecutionCommand: [() => { abort.abort(); return { QueryExecution: { Status: { State: 'RUNNING' } } }; }],
      StopQueryExecutionCommand: [() => ({})],
    });
    await expect(runOnAthena(athena, settings, 'SELECT 1', [], {}, { pollMs: 0, rows: () => {}, signal: abort.signal })).rejects.toThrow(/q-2 cancelled/);
    expect(athena.sent.map((s) => s.name)).toEqual(['StartQueryExecutionCommand', 'GetQueryExecutionCommand', 'StopQueryExecutionCommand']);
    expect(athena.sent[2]!.input).toEqual({ QueryExecutionId: 'q-2' });
  });

  it('reports a failed query with Athena\'s reason', async () => {
    const athena = fakeAthena({
      StartQueryExecutionCommand: [() => ({ QueryExecutionId: 'q-3' })],
      GetQueryExecutionCommand: [() => ({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'TABLE_NOT_FOUND: cloudtrail_logs_pp' } } })],
    });
    await expect(runOnAthena(athena, settings, 'SELECT 1', [], {}, { pollMs: 0, rows: () => {} })).rejects.toThrow(/q-3 failed: TABLE_NOT_FOUND/);
  });
});

describe('athena settings and values', () => {
  it('needs a workgroup and an S3 output location', () => {
    expect(() => athenaSettings(undefined, 's3://b/x/')).toThrow(/--workgroup/);
    expect(() => athenaSettings('w', '/tmp/out')).toThrow(/is not an S3 location/);
  });
  it('converts text cells by type', () => {
    expect(athenaValue('1.5', 'number')).toBe(1.5);
    expect(athenaValue('["x",null]', 'mv')).toEqual(['x', null]);
    expect(athenaValue(undefined, 'string')).toBeNull();
  });
});
