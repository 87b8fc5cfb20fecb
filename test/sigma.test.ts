// Sigma rules to SPL: the text each modifier and condition form becomes (no database), then the
// rules in fixtures/content/sigma run on crafted events with exact rows, and crafted values that
// must stay data. Specification: https://github.com/SigmaHQ/sigma-specification
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadSigmaRules } from '../src/engine/content/sigma-rules.js';
import * as sigma from '../src/engine/content/sigma.js';
import { detectionTree, SigmaRefusal, splString, treeToSpl } from '../src/engine/content/sigma.js';
import { base64Offsets, windashVariants } from '../src/engine/content/sigma-values.js';
import { parseCondition } from '../src/engine/content/sigma-condition.js';
import { Engine } from '../src/engine/engine.js';

const TABLE = '| table _time eventSource eventName userIdentity.arn userIdentity.accountId sourceIPAddress awsRegion errorCode eventID';

function spl(detection: string): string {
  return treeToSpl(detectionTree(parseYaml(detection)));
}

describe('Sigma detection to SPL text', () => {
  it('a map is AND, a list of values is OR, equality is a quoted case-insensitive search value', () => {
    expect(spl('selection:\n  eventSource: iam.amazonaws.com\n  eventName: [CreateUser, DeleteUser]\ncondition: selection')).toBe(
      `\`cloudtrail\` eventSource="iam.amazonaws.com" (eventName="CreateUser" OR eventName="DeleteUser")\n${TABLE}`,
    );
  });

  it('contains, startswith, endswith become wildcards; all makes a list AND', () => {
    expect(spl("s:\n  userAgent|contains|all: [Boto3, Linux]\n  eventName|startswith: Get\n  errorMessage|endswith: denied\ncondition: s")).toBe(
      `\`cloudtrail\` (userAgent="*Boto3*" userAgent="*Linux*") eventName="Get*" errorMessage="*denied"\n${TABLE}`,
    );
  });

  it('re (with flags), ? wildcards and cased go to where; the rest stays in the search', () => {
    expect(spl("s:\n  eventName|re|i: '^get.*$'\n  eventSource: 's3.amazonaws.com'\n  userAgent: 'a?c'\n  requestParameters.key|cased: Secret\ncondition: s")).toBe(
      `\`cloudtrail\` eventSource="s3.amazonaws.com"\n| where match('eventName', "(?i)^get.*$$") AND match('userAgent', "(?i)^a.c$$") AND 'requestParameters.key'=="Secret"\n${TABLE}`,
    );
  });

  it('cidr, exists, null, numbers and comparisons', () => {
    expect(spl("s:\n  sourceIPAddress|cidr: 10.0.0.0/8\n  errorCode|exists: false\n  requestParameters.name: null\n  additionalEventData.bytes|gt: 1000\n  responseElements.count: 3\ncondition: s")).toBe(
      `\`cloudtrail\` sourceIPAddress="10.0.0.0/8" (NOT result_id=*) (NOT requestParameters.name=*) responseElements.count=3\n| where tonumber('additionalEventData.bytes')>1000\n${TABLE}`,
    );
  });

  it('conditions: not, parentheses, 1 of pattern, all of them (underscore names left out of them)', () => {
    expect(spl('a_1: {eventName: A}\na_2: {eventName: B}\nf: {eventName: Root}\ncondition: 1 of a_* and not f')).toBe(`\`cloudtrail\` (eventName="A" OR eventName="B") (NOT eventName="Root")\n${TABLE}`);
    expect(spl('x: {eventName: A}\ny: {eventSource: s}\n_z: {eventName: C}\ncondition: all of them')).toBe(`\`cloudtrail\` eventName="A" eventSource="s"\n${TABLE}`);
    expect(spl('x: {eventName: A}\ny: {eventSource: s}\nz: {eventName: C}\ncondition: (x or y) and not z')).toBe(`\`cloudtrail\` (eventName="A" OR eventSource="s") (NOT eventName="C")\n${TABLE}`);
    expect(parseCondition('not a and b or c')).toEqual({ kind: 'or', items: [{ kind: 'and', items: [{ kind: 'not', item: { kind: 'name', name: 'a' } }, { kind: 'name', name: 'b' }] }, { kind: 'name', name: 'c' }] });
  });

  it('aggregations: count() by a field, count(field) as distinct values, per timeframe window', () => {
    const text = (d: string) => {
      const { detectionParts } = sigma;
      const p = detectionParts(parseYaml(d));
      return treeToSpl(p.tree, [], p.aggregation, p.timeframe);
    };
    expect(text('s: {eventName: GetSecretValue}\ncondition: s | count() by userIdentity.arn > 20')).toBe(
      '`cloudtrail` eventName="GetSecretValue"\n| stats count as value min(_time) as firstTime max(_time) as lastTime by userIdentity.arn\n| where value > 20',
    );
    expect(text('s: {eventName: ConsoleLogin}\ntimeframe: 10m\ncondition: s | count(sourceIPAddress) by userIdentity.userName >= 3')).toBe(
      '`cloudtrail` eventName="ConsoleLogin"\n| bin _time span=10m\n| stats dc(sourceIPAddress) as value min(_time) as firstTime max(_time) as lastTime values(userIdentity.arn) as userIdentity.arn by _time userIdentity.userName\n| where value >= 3',
    );
  });

  it('keywords search the whole event', () => {
    expect(spl("keywords: ['evil.example']\ncondition: keywords")).toBe(`\`cloudtrail\` _raw="*evil.example*"\n${TABLE}`);
  });

  it('windash writes each option dash every way Windows accepts', () => {
    expect(windashVariants('-enc x')).toEqual(['-enc x', '/enc x', '\u2013enc x', '\u2014enc x', '\u2015enc x']);
    expect(windashVariants('a -b -c')).toHaveLength(25);
  });

  it('base64offset gives the three alignments, as in the specification', () => {
    // The specification's example: "/bin/bash" at any offset in a base64 text.
    expect(base64Offsets('/bin/bash', 'utf8')).toEqual(['L2Jpbi9iYXNo', '9iaW4vYmFza', 'vYmluL2Jhc2']);
  });

  it('refuses what it cannot express, with the reason', () => {
    const refused = (d: string) => {
      try {
        spl(d);
      } catch (err) {
        expect(err).toBeInstanceOf(SigmaRefusal);
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused("s: {eventName|re: '(?<!Get)Secret'}\ncondition: s")).toContain('look-behind');
    expect(refused("s: {eventName|re: '(a)\\1'}\ncondition: s")).toContain('back-references');
    expect(refused('s: {eventName|expand: "%names%"}\ncondition: s')).toContain('placeholder');
    expect(refused('s: {eventName|frobnicate: x}\ncondition: s')).toContain('unknown value modifier "frobnicate"');
    expect(refused('s: {eventName: x}\ncondition: s | near t')).toContain('cannot read the aggregation "near t"');
    expect(refused('s: {eventName: x}\ncondition: t')).toContain('"t", which is not a selection');
    expect(refused('s: {"eventName OR 1=1": x}\ncondition: s')).toContain('not a CloudTrail field path');
    expect(refused('s: {eventName|cidr: "10.0.0.1"}\ncondition: s')).toContain('not a CIDR block');
  });
});

describe('values stay data', () => {
  it('quotes, backslashes and dollar signs are escaped in SPL strings', () => {
    expect(splString('a"b\\c$d$')).toBe('"a\\"b\\\\c$$d$$"');
  });

  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open();
    await engine.load(['fixtures/content/events']);
  });
  afterAll(() => engine.close());

  const ids = async (text: string, params: Record<string, string> = {}) =>
    (await engine.run(text, { params })).rows.map((r) => String(r.eventID).slice(-2));

  it('a value with a quote, a pipe, a macro, a $token$, a backslash and a literal star matches only itself', async () => {
    const literal = 'x" OR eventName=* | delete `cloudtrail` $ip$ back\\slash\\*star';
    const text = spl(`s:\n  requestParameters.bucketName: '${literal}'\ncondition: s`);
    expect(await ids(text)).toEqual(['08']);
    // A --param for the token changes nothing: the value is data, not a parameter.
    expect(await ids(text, { ip: 'anything' })).toEqual(['08']);
    // The same value as a prefix goes through the search form: still only that event.
    expect(await ids(spl(`s:\n  requestParameters.bucketName|startswith: 'x" OR eventName='\ncondition: s`))).toEqual(['08']);
    // And one that differs by its last character matches nothing.
    expect(await ids(spl(`s:\n  requestParameters.bucketName: '${literal.slice(0, -1)}'\ncondition: s`))).toEqual([]);
  });
});

describe('the fixture rules on crafted events', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.open();
    await engine.load(['fixtures/content/events']);
  });
  afterAll(() => engine.close());

  it('each rule finds exactly its events; refused and skipped rules are counted', async () => {
    const set = loadSigmaRules(['fixtures/content/sigma']);
    expect(set.notes[0]).toBe('sigma: 18 CloudTrail rule(s) (2 refused); skipped 1 deprecated or unsupported, 1 for other log sources');
    const found: Record<string, string[] | string> = {};
    for (const s of set.searches) {
      const file = s.file.replace(/^.*sigma\//, '');
      const rows = s.refused ? [] : (await engine.run(s.spl!)).rows;
      found[file] = s.refused ? `refused: ${s.refused}` : rows.map((r) => (r.eventID ? String(r.eventID).slice(-2) : `${r.sourceIPAddress} ${r.value}`)).sort();
    }
    expect(found).toEqual({
      'aggregation.yml': ['198.51.100.7 5'],
      'all-of-them.yml': ['03'],
      'base64.yml': ['02'],
      'base64offset.yml': ['01'],
      'contains-all.yml': ['03'],
      'contains-endswith-not.yml': ['01'],
      'crafted-value.yml': ['08'],
      'equals-list.yml': ['09'],
      'exists.yml': ['07'],
      'keywords.yml': ['09'],
      'null-parentheses.yml': ['07'],
      'one-of-pattern.yml': ['05', '07'],
      'one-of-them.yml': ['09'],
      're-cidr.yml': ['01', '03'],
      'refused/lookbehind.yml': 'refused: eventName|re: look-ahead and look-behind are not supported by the regular expression engine (RE2)',
      'refused/near.yml': 'refused: cannot read the aggregation "near secret" (count, min, max, avg or sum, an optional \"by field\", a comparison with a number)',
      'startswith.yml': ['05'],
      'windash.yml': ['03'],
    });
  });

  it('a rule carries its level, score and ATT&CK ids', () => {
    const rule = loadSigmaRules(['fixtures/content/sigma/equals-list.yml']).searches[0]!;
    expect(rule).toMatchObject({ id: '5f0c1a3e-0001-4a51-9a0e-000000000001', title: 'Trail deleted or stopped', type: 'rule', source: 'rules', level: 'high', score: 75, mitre: ['T1562.008'] });
  });
});
