// The REPL's pure modules: keys, line editing, history file, highlighting, completion contexts,
// session command parsing, pivot matching, table layout, script splitting.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { complete, completionContext, type CompletionSources } from '../../src/repl/completion.js';
import { highlight } from '../../src/repl/highlight.js';
import { History, historyPath } from '../../src/repl/history.js';
import { decodeKey, splitInput } from '../../src/repl/keys.js';
import { edit, isComplete, type EditorState } from '../../src/repl/line-editor.js';
import { matchPivots, parameterKind, valueShape } from '../../src/repl/pivot.js';
import { splitScript } from '../../src/repl/script.js';
import { parseSessionCommand, SessionCommandError, splitWords } from '../../src/repl/session-commands.js';
import { clip, columnWindow, layoutPage, naturalWidths, renderFitted } from '../../src/repl/table-layout.js';

const at = (text: string, cursor = text.length): EditorState => ({ text, cursor });
const keys = (s: EditorState, ...seqs: string[]) => seqs.reduce((st, q) => edit(st, decodeKey(q)) ?? st, s);

describe('keys', () => {
  it('decodes the keys terminals send', () => {
    expect(decodeKey('\x7f').name).toBe('backspace');
    expect(decodeKey('\x1b[3~').name).toBe('delete');
    expect(decodeKey('\x1b\r')).toMatchObject({ name: 'return', meta: true });
    expect(decodeKey('\x1b[1;5D')).toMatchObject({ name: 'left', ctrl: true });
    expect(decodeKey('\x1bb')).toMatchObject({ name: 'b', meta: true });
    expect(decodeKey('\x12')).toMatchObject({ name: 'r', ctrl: true });
    expect(decodeKey('\x1b[Z')).toMatchObject({ name: 'tab', shift: true });
    expect(decodeKey('\x1b[5~').name).toBe('pageup');
    expect(decodeKey('héllo').text).toBe('héllo');
  });
  it('splits typed-ahead chunks into text and control keys', () => {
    expect(splitInput('search x\r')).toEqual(['search x', '\r']);
    expect(splitInput('\x15abc')).toEqual(['\x15', 'abc']);
    expect(splitInput('a |\nb\r\n')).toEqual(['a |\nb', '\r']);
    expect(splitInput('\x1b[A')).toEqual(['\x1b[A']);
    // A held arrow key: several sequences in one chunk, each a key.
    expect(splitInput('\x1b[B\x1b[B\x1b[6~\x1bb')).toEqual(['\x1b[B', '\x1b[B', '\x1b[6~', '\x1bb']);
  });
});

describe('line editor', () => {
  it('moves by characters, words and lines', () => {
    expect(keys(at('eventName=AssumeRole user=x'), '\x1bb').cursor).toBe(26);
    expect(keys(at('eventName=AssumeRole user=x'), '\x1bb', '\x1bb').cursor).toBe(21);
    expect(keys(at('eventName=AssumeRole', 0), '\x1b[1;5C').cursor).toBe(9);
    expect(keys(at('abc', 1), '\x01').cursor).toBe(0);
    expect(keys(at('abc', 1), '\x05').cursor).toBe(3);
    expect(keys(at('a |\nstats count', 6), '\x1b[H').cursor).toBe(4);
  });
  it('deletes like readline', () => {
    expect(keys(at('search foo bar', 10), '\x0b').text).toBe('search foo');
    expect(keys(at('search foo bar', 10), '\x15').text).toBe(' bar');
    expect(keys(at('search foo bar'), '\x17').text).toBe('search foo ');
    expect(keys(at('abc', 1), '\x7f')).toEqual({ text: 'bc', cursor: 0 });
    expect(keys(at('abc', 1), '\x1b[3~')).toEqual({ text: 'ac', cursor: 1 });
    expect(keys(at('a |'), '\x1b\r')).toEqual({ text: 'a |\n', cursor: 4 });
  });
  it('keeps a search open after a trailing pipe or an open subsearch', () => {
    expect(isComplete('eventName=X |')).toBe(false);
    expect(isComplete('x [search y')).toBe(false);
    expect(isComplete('x [search "]" y]')).toBe(true);
    expect(isComplete('search "unclosed')).toBe(true);
  });
});

describe('history', () => {
  it('persists entries, multi-line ones included, across sessions', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spelunk-h-')), 'state', 'history');
    const h = History.load(file);
    h.add('eventName=A');
    h.add('eventName=A');
    h.add('x |\nstats count');
    const again = History.load(file);
    expect(again.all).toEqual(['eventName=A', 'x |\nstats count']);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
  it('navigates with a draft and searches backwards', () => {
    const h = new History(['a=1', 'b=2', 'a=3']);
    expect(h.previous('typing')).toBe('a=3');
    expect(h.previous('')).toBe('b=2');
    expect(h.next()).toBe('a=3');
    expect(h.next()).toBe('typing');
    expect(h.search('a=')).toEqual({ entry: 'a=3', index: 2 });
    expect(h.search('a=', 2)).toEqual({ entry: 'a=1', index: 0 });
    expect(h.search('zzz')).toBeNull();
  });
  it('reads the XDG location and an override', () => {
    expect(historyPath({ XDG_STATE_HOME: '/s', HOME: '/h' })).toBe('/s/spelunk/history');
    expect(historyPath({ HOME: '/h' })).toBe('/h/.local/state/spelunk/history');
    expect(historyPath({ SPELUNK_HISTORY: '/t/h', HOME: '/h' })).toBe('/t/h');
  });
  it('reads a plain hand-written file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spelunk-h-')), 'h');
    writeFileSync(file, 'eventName=X\n"a\\nb"\n');
    expect(History.load(file).all).toEqual(['eventName=X', 'a\nb']);
  });
});

describe('highlight', () => {
  const kinds = (text: string) => highlight(text).filter((s) => s.kind !== 'plain').map((s) => `${s.kind}:${s.text}`);
  it('colours commands, fields, strings, macros, functions and operators', () => {
    expect(kinds('`cloudtrail` eventName="Assume Role" | eval n=lower(user) | stats count by n')).toEqual([
      'macro:`cloudtrail`', 'field:eventName', 'operator:=', 'string:"Assume Role"', 'pipe:|', 'command:eval', 'field:n',
      'operator:=', 'function:lower', 'punct:(', 'field:user', 'punct:)', 'pipe:|', 'command:stats', 'value:count', 'keyword:by', 'value:n',
    ]);
  });
  it('flags unknown commands and gives the text back exactly', () => {
    const text = 'x NOT y | frobnicate a';
    expect(highlight(text).map((s) => s.text).join('')).toBe(text);
    expect(kinds(text)).toContain('unknown-command:frobnicate');
    expect(kinds(text)).toContain('keyword:NOT');
  });
});

describe('completion context', () => {
  const kind = (text: string) => completionContext(text, text.length);
  it('knows commands, aggregations, expressions, macros and values', () => {
    expect(kind('x | st')).toMatchObject({ kind: 'command', prefix: 'st' });
    expect(kind('x | stats dc(user) as n, ')).toMatchObject({ kind: 'aggregate' });
    expect(kind('x | stats count by ev')).toMatchObject({ kind: 'field', prefix: 'ev' });
    expect(kind('x | eval y=lo')).toMatchObject({ kind: 'expression', prefix: 'lo' });
    expect(kind('`cloud')).toMatchObject({ kind: 'macro', prefix: '`cloud' });
    expect(kind('eventName=Assu')).toMatchObject({ kind: 'value', field: 'eventName', prefix: 'Assu', start: 10 });
    expect(kind('x | where user="sv')).toMatchObject({ kind: 'value', field: 'user', quoted: true });
    expect(kind(':run aws_')).toMatchObject({ kind: 'query', prefix: 'aws_' });
    expect(kind(':ex')).toMatchObject({ kind: 'session', prefix: ':ex' });
  });
  it('tracks fields made earlier in the pipeline, and forgets event fields after stats', () => {
    const ctx = kind('x | eval risk=1, who=user | rex field=x "(?<acct>\\d+)" | rename who as principal | table ');
    expect(ctx.made).toEqual(expect.arrayContaining(['risk', 'who', 'acct', 'principal']));
    expect(ctx.eventFields).toBe(true);
    const after = kind('x | stats count dc(user) max(_time) as last by src | table ');
    expect(after.made).toEqual(expect.arrayContaining(['count', 'dc(user)', 'last']));
    expect(after.eventFields).toBe(false);
  });
  it('completes from the sources', async () => {
    const sources: CompletionSources = {
      fields: () => ['eventName', 'eventSource', 'userIdentity.arn'],
      macros: () => ['cloudtrail', 'aws_activity_table'],
      queries: () => [{ id: 'aws_investigate_user', title: 'user', params: ['user'] }],
      values: async (f) => (f === 'eventName' ? ['AssumeRole', 'AssumeRoleWithSAML', 'GetObject'] : ['a b']),
    };
    const labels = async (t: string) => (await complete(t, t.length, sources)).candidates.map((c) => c.insert);
    expect(await labels('x | sta')).toEqual(['stats ']);
    expect(await labels('even')).toEqual(['eventName', 'eventSource']);
    expect(await labels('eventName=Assu')).toEqual(['AssumeRole', 'AssumeRoleWithSAML']);
    expect(await labels('user=')).toEqual(['"a b"']);
    expect(await labels('`cl')).toEqual(['`cloudtrail`']);
    expect(await labels(':run aws_inv')).toEqual(['aws_investigate_user ']);
    expect(await labels(':run aws_investigate_user u')).toEqual(['user=']);
    expect(await labels('x | eval y=low')).toEqual(['lower(']);
  });
});

describe('session commands', () => {
  it('parses each command and its arguments', () => {
    expect(parseSessionCommand(':run aws_investigate_user user="a b" ip=1.2.3.4')).toEqual({ kind: 'run', id: 'aws_investigate_user', params: { user: 'a b', ip: '1.2.3.4' } });
    expect(parseSessionCommand(':time -24h@h now')).toEqual({ kind: 'time', earliest: '-24h@h', latest: 'now' });
    expect(parseSessionCommand(':time all')).toEqual({ kind: 'time', earliest: null, latest: null });
    expect(parseSessionCommand(':export csv "out file.csv"')).toEqual({ kind: 'export', format: 'csv', file: 'out file.csv', force: false });
    expect(parseSessionCommand(':export jsonl out.jsonl --force')).toEqual({ kind: 'export', format: 'jsonl', file: 'out.jsonl', force: true });
    expect(parseSessionCommand(':pivot 3 2')).toEqual({ kind: 'pivot', row: 3, choice: 2 });
    expect(parseSessionCommand(':pivot')).toEqual({ kind: 'pivot', row: 1, choice: undefined });
    expect(parseSessionCommand(':q')).toEqual({ kind: 'quit' });
    expect(parseSessionCommand(':fields data eventName')).toEqual({ kind: 'fields', scope: 'data', field: 'eventName' });
    expect(parseSessionCommand(':load a b/*.json')).toEqual({ kind: 'load', paths: ['a', 'b/*.json'], dedupEvents: false });
    expect(parseSessionCommand(':load --dedup-events a')).toEqual({ kind: 'load', paths: ['a'], dedupEvents: true });
  });
  it('rejects mistakes with a message', () => {
    expect(() => parseSessionCommand(':frob')).toThrow(SessionCommandError);
    expect(() => parseSessionCommand(':export xml f')).toThrow(/csv, json or jsonl/);
    expect(() => parseSessionCommand(':run x y')).toThrow(/name=value/);
    expect(() => parseSessionCommand(':pivot zero')).toThrow(/number/);
    expect(() => parseSessionCommand(':sql now')).toThrow(/usage: :sql \[athena\|trino\]/);
    expect(() => splitWords('a "b')).toThrow(/unclosed/);
  });
});

describe('pivots', () => {
  it('recognises values by shape', () => {
    expect(valueShape('arn:aws:iam::111122223333:user/svc-backup')).toBe('arn');
    expect(valueShape('AKIAKVGAJJLMH55XUZRZ')).toBe('access-key');
    expect(valueShape('185.220.101.47')).toBe('ip');
    expect(valueShape('2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4')).toBe('ip');
    expect(valueShape('eu-west-1')).toBe('region');
    expect(valueShape('111122223333')).toBe('account');
    expect(valueShape('ec2.amazonaws.com')).toBe('other');
    expect(parameterKind('src_user', 'a caller ARN, e.g. arn:aws:sts::...')).toBe('arn');
    expect(parameterKind('geo_region', 'a region name as iplocation gives it')).toBe('geo-region');
    expect(parameterKind('access_key_id')).toBe('access-key');
  });
  it('offers the investigations whose parameters the row supplies', () => {
    const q = (id: string, ...names: string[]) => ({ id, title: id, parameters: names.map((name) => ({ name, description: '' })) });
    const queries = [q('by_arn', 'arn'), q('by_ip', 'ip'), q('by_key', 'access_key_id'), q('by_user', 'user'), q('by_city', 'city')];
    const row = { _time: 1, user: 'svc-backup', src: '185.220.101.47', 'userIdentity.arn': 'arn:aws:iam::111122223333:user/svc-backup', count: 3 };
    const options = matchPivots(row, Object.keys(row), queries);
    expect(options.map((o) => [o.query.id, o.params, o.from])).toEqual([
      ['by_arn', { arn: 'arn:aws:iam::111122223333:user/svc-backup' }, { arn: 'userIdentity.arn' }],
      ['by_ip', { ip: '185.220.101.47' }, { ip: 'src' }],
      ['by_user', { user: 'svc-backup' }, { user: 'user' }],
    ]);
    const mv = { arns: ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b'] };
    expect(matchPivots(mv, ['arns'], queries).map((o) => o.params.arn)).toEqual(['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b']);
  });
});

describe('table layout', () => {
  const columns = ['_time', 'eventName', 'arn'];
  const rows = [
    { _time: 1795805844, eventName: 'CreateRole', arn: 'arn:aws:iam::111122223333:role/ops-sync-role-with-a-very-long-name' },
    { _time: 1795805800, eventName: 'AttachRolePolicy', arn: ['arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b'] },
  ];
  it('fits the width, clipping text with an ellipsis, one line per multivalue', () => {
    const texts = rows.map((r) => ({ ...r, arn: Array.isArray(r.arn) ? ['a role', 'b role'] : `policy text ${'x'.repeat(60)}` }));
    const t = renderFitted(columns, texts, 60);
    for (const l of t.lines) expect([...l].length).toBeLessThanOrEqual(60);
    expect(t.lines[2]).toMatch(/^2026-11-27 18:57:24  CreateRole +policy text x+…$/);
    expect(t.lines).toHaveLength(5);
    expect(t.lines[4]!.trim()).toBe('b role');
    expect(clip('abcdef', 4)).toBe('abc…');
  });
  it('never cuts an ARN to fill the end of a line: it waits for a sideways scroll', () => {
    const t = renderFitted(columns, rows, 60);
    expect(t.lines[2]).toBe('2026-11-27 18:57:24  CreateRole');
    expect(t.hiddenRight).toBe(1);
    expect(renderFitted(columns, rows, 120).lines[2]).toBe('2026-11-27 18:57:24  CreateRole        arn:aws:iam::111122223333:role/ops-sync-role-with-a-very-long-name');
  });
  it('scrolls sideways and pages by lines', () => {
    const natural = naturalWidths(columns, rows);
    expect(columnWindow(natural, 30, 0)).toMatchObject({ indexes: [0, 1], widths: [19, 9], hiddenRight: 1 });
    expect(columnWindow(natural, 30, 1)).toMatchObject({ indexes: [1, 2], hiddenLeft: 1 });
    const page = layoutPage(columns, rows, natural, { width: 200, height: 3, from: 0, colOffset: 0, selected: 0 });
    expect([page.from, page.to]).toEqual([0, 1]);
    expect(page.lines[2]!.kind).toBe('selected');
    expect(layoutPage(columns, rows, natural, { width: 200, height: 3, from: 1, colOffset: 0 }).lines[2]!.text).toMatch(/AttachRolePolicy/);
  });
});

describe('script mode', () => {
  it('splits searches at newlines and semicolons, not inside quotes or after a pipe', () => {
    expect(splitScript('a=1; b="x;y"\n# comment\nc |\n stats count\n\n[search d;e]')).toEqual(['a=1', 'b="x;y"', 'c |\n stats count', '[search d;e]']);
  });
});
