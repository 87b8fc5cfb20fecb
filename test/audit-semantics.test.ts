// Probes of SPL semantics an analyst leans on in a CloudTrail hunt, each pinned to what Splunk
// documents (or, where the docs are silent, to what spelunk's other commands do with the same
// values): a silent difference here is a wrong answer nobody sees.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { expectRows, SAMPLE_DIR, sqlOf } from './helpers.js';

let dir: string;
let engine: Engine;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'audit-semantics-'));
  mkdirSync(path.join(dir, 'lookups'));
  // An account ID keeps its leading zero: it is text, as CloudTrail writes it.
  writeFileSync(path.join(dir, 'lookups', 'accounts.csv'), 'acct,name\n012345678901,prod\n111122223333,dev\n');
  engine = await Engine.open({ stateDir: dir });
  await engine.load([SAMPLE_DIR]);
});
afterAll(() => {
  engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('join keys: a number on one side, text on the other', () => {
  // Splunk's field values are text; `lookup` matches them as text (lookup.ts), and so must join:
  // DuckDB read the text side as a number, so 12345678901 found the account "012345678901", 5
  // found "5.0" and "05", and a key such as "abc" failed the search with a conversion error.
  const keys = '| makeresults count=3 | streamstats count as n | eval k=case(n=1, "abc", n=2, "5.0", n=3, "05")';
  it('compiles to a comparison of their text', () => {
    expect(sqlOf(`${keys} | join type=left k [| makeresults | eval k=5, v="hit"]`)).toContain('ON l."k" = spl_num2str(r."k")');
    // Like with like stays a plain comparison.
    expect(sqlOf('| makeresults | eval k=5 | join k [| makeresults | eval k=5, v="hit"]')).toContain('ON l."k" = r."k"');
  });

  it('matches text that reads the same, never a number read out of text', async () => {
    await expectRows(engine, `${keys} | join type=left k [| makeresults | eval k=5, v="hit"] | table n k v`, [
      { n: 1, k: 'abc', v: null },
      { n: 2, k: '5.0', v: null },
      { n: 3, k: '05', v: null },
    ]);
    await expectRows(engine, '| makeresults count=2 | streamstats count as n | eval k=n+4 | join type=left k [| makeresults | eval k="5", v="hit"] | table n k v', [
      { n: 1, k: 5, v: 'hit' },
      { n: 2, k: 6, v: null },
    ]);
  });

  it('an account ID computed as a number does not find the account with a leading zero, as lookup does not', async () => {
    const accounts = '| makeresults count=2 | streamstats count as n | eval acct=if(n=1, 12345678901, 111122223333)';
    const expected = [
      { n: 1, acct: 12345678901, name: null },
      { n: 2, acct: 111122223333, name: 'dev' },
    ];
    await expectRows(engine, `${accounts} | join type=left acct [| inputlookup accounts.csv] | table n acct name`, expected);
    await expectRows(engine, `${accounts} | lookup accounts.csv acct OUTPUT name | table n acct name`, expected);
  });
});

// Checked against Splunk's documentation and found right: pinned so they stay so.
const three = '| makeresults count=3 | streamstats count as n';

describe('NOT field=value against field!=value', () => {
  // "Searching with the boolean NOT comparison operator is not the same as using the != comparison":
  // NOT x=v also returns the events without x, x!=v only events that have x with another value
  // (help.splunk.com, SPL2 search command examples, and the Search Manual's "Difference between NOT and !=").
  const rows = `${three} | eval x=if(n=2, null(), "v".n)`;
  it('NOT keeps the event without the field, != does not', async () => {
    await expectRows(engine, `${rows} | search NOT x=v1 | table n x`, [{ n: 2, x: null }, { n: 3, x: 'v3' }]);
    await expectRows(engine, `${rows} | search x!=v1 | table n x`, [{ n: 3, x: 'v3' }]);
  });
});

describe('sort', () => {
  // help.splunk.com sort (9.0): "If no number is specified, the default limit of 10000 is used. If
  // the number 0 is specified, all of the results are returned"; "Results missing a given field are
  // treated as having the smallest or largest possible value of that field if the order is
  // descending or ascending" (last either way); numbers sort before text, text by code point
  // (uppercase first: the SPL2 Search Manual's "Lexicographical order").
  it('keeps 10,000 results unless told a count, 0 meaning all', async () => {
    await expectRows(engine, '| makeresults count=10005 | sort -_time | stats count', [{ count: 10000 }]);
    await expectRows(engine, '| makeresults count=10005 | sort 0 -_time | stats count', [{ count: 10005 }]);
  });
  it('puts numbers before text, numbers by value, text by code point, and missing values last both ways', async () => {
    const mixed = '| makeresults count=6 | streamstats count as n | eval x=case(n=1,"10", n=2,"9", n=3,"abc", n=4,"Abc", n=5,"100")';
    await expectRows(engine, `${mixed} | sort x | table x`, [{ x: '9' }, { x: '10' }, { x: '100' }, { x: 'Abc' }, { x: 'abc' }, { x: null }]);
    await expectRows(engine, `${mixed} | sort -x | table x`, [{ x: 'abc' }, { x: 'Abc' }, { x: '100' }, { x: '10' }, { x: '9' }, { x: null }]);
    await expectRows(engine, `${mixed} | sort str(x) | table x`, [{ x: '10' }, { x: '100' }, { x: '9' }, { x: 'Abc' }, { x: 'abc' }, { x: null }]);
  });
});

describe('search terms and time bounds after the first command', () => {
  it('a wildcard inside a value or a term matches any run of characters, quoted or not, without regard to case', async () => {
    const rows = '| makeresults count=4 | streamstats count as n | eval x=case(n=1,"abXcd", n=2,"abcd", n=3,"ab cd", n=4,"xabcd")';
    for (const term of ['x=ab*cd', 'x="AB*CD"']) await expectRows(engine, `${rows} | search ${term} | table x`, [{ x: 'abXcd' }, { x: 'abcd' }, { x: 'ab cd' }]);
    await expectRows(engine, 'search eventName=get*token | stats count by eventName', [
      { eventName: 'GetAuthorizationToken', count: 8 },
      { eventName: 'GetFederationToken', count: 1 },
      { eventName: 'GetSessionToken', count: 8 },
    ]);
  });
  it('earliest= and latest= in a later search bound _time: earliest included, latest excluded', async () => {
    const days = `${three} | eval _time=strptime("2026-11-0".(n+1), "%Y-%m-%d")`;
    await expectRows(engine, `${days} | search earliest="11/03/2026:00:00:00" latest="11/04/2026:00:00:00" | table n`, [{ n: 2 }]);
  });
});

describe('multivalue fields and empty values', () => {
  const mv = `${three} | eval x=case(n=1, split("a,b",","), n=2, "a", n=3, split("b,c",","))`;
  it('stats dc() and top count each value of a multivalue field', async () => {
    await expectRows(engine, `${mv} | stats dc(x) as d count(x) as c`, [{ d: 3, c: 5 }]);
    await expectRows(engine, `${mv} | top x | search x=c`, [{ x: 'c', count: 1, percent: 20 }]);
  });
  it('mvexpand limit= keeps the first values; dedup keepempty=true keeps every event without the field', async () => {
    await expectRows(engine, '| makeresults | eval m=split("a,b,c,d",",") | mvexpand m limit=2 | table m', [{ m: 'a' }, { m: 'b' }]);
    const keys = '| makeresults count=4 | streamstats count as n | eval k=case(n=1,"a", n=2,"a")';
    await expectRows(engine, `${keys} | dedup k keepempty=true | table n k`, [{ n: 1, k: 'a' }, { n: 3, k: null }, { n: 4, k: null }]);
    await expectRows(engine, `${keys} | dedup k | table n k`, [{ n: 1, k: 'a' }]);
  });
  it('dedup keeps the first event of each value in search order, and sortby then orders what it kept', async () => {
    const rows = '| makeresults count=4 | streamstats count as n | eval k=case(n=1,"a", n=2,"b", n=3,"a", n=4,"b"), s=case(n=1,1, n=2,5, n=3,9, n=4,2)';
    await expectRows(engine, `${rows} | dedup k sortby -s | table n k s`, [{ n: 2, k: 'b', s: 5 }, { n: 1, k: 'a', s: 1 }]);
  });
  it('list() keeps the first 100 values, values() every distinct one', async () => {
    // Multivalue stats and chart functions (help.splunk.com 9.4), list: "If more than 100 values are in a field, only the first 100 are returned."
    await expectRows(engine, '| makeresults count=150 | streamstats count as n | stats list(n) as l values(n) as v | eval lc=mvcount(l), vc=mvcount(v) | table lc vc', [{ lc: 100, vc: 150 }]);
  });
  it('case() with no true condition is null; coalesce() takes an empty string, which is not null', async () => {
    // Evaluation functions: case "If no condition is met, the case function returns NULL"; coalesce
    // "takes one or more values and returns the first value that is not NULL".
    await expectRows(engine, '| makeresults | eval c=case(1==2, "x"), a=coalesce("", "b"), b=coalesce(null(), "c") | eval none=isnull(c) | table none a b', [{ none: true, a: '', b: 'c' }]);
  });
});

describe('a CIDR block as a search value', () => {
  // The search command "supports IPv4 and IPv6 addresses and subnets that use CIDR notation"
  // (help.splunk.com, search command). A security group rule's source is itself a block, and the
  // published Splunk hunt for ports opened to the internet ("Splunk ♥ CloudTrail: Detecting
  // Dangerous Security Group Changes", glennbolton.github.io, 2018) keeps the rules with
  // `search srcCidrs="0.0.0.0/0"`: spelunk matched only addresses inside the block, so the hunt
  // found nothing.
  let sg: Engine;
  const rule = (id: string, perms: [number, string][]) => ({
    eventVersion: '1.08', eventTime: `2026-11-20T10:00:0${id}Z`, eventSource: 'ec2.amazonaws.com', eventName: 'AuthorizeSecurityGroupIngress',
    eventID: `sg${id}`, awsRegion: 'us-east-1', recipientAccountId: '111122223333', userIdentity: { type: 'IAMUser', userName: 'alice' },
    requestParameters: { groupId: `sg-${id}`, ipPermissions: { items: perms.map(([port, cidrIp]) => ({ ipProtocol: 'tcp', fromPort: port, toPort: port, ipRanges: { items: [{ cidrIp }] } })) } },
  });
  beforeAll(async () => {
    const file = path.join(dir, 'sg.json');
    writeFileSync(file, JSON.stringify({ Records: [rule('1', [[22, '0.0.0.0/0'], [443, '10.0.0.0/8']]), rule('2', [[3389, '0.0.0.0/0']]), rule('3', [[8080, '0.0.0.0/0']]), rule('4', [[22, '1.2.3.4/32']])] }));
    sg = await Engine.open({ stateDir: dir });
    await sg.load([file]);
  });
  afterAll(() => sg?.close());

  it('compiles to a match of the addresses inside it or of the block written out', () => {
    expect(sqlOf('search sourceIPAddress=10.0.0.0/8')).toContain(`coalesce(spl_cidrmatch('10.0.0.0/8', "sourceIPAddress") OR "sourceIPAddress" ILIKE '10.0.0.0/8', false)`);
  });

  it('finds the rules that open SSH or RDP to the internet', async () => {
    const hunt = [
      'search eventName=AuthorizeSecurityGroupIngress',
      'spath output=ipp path=requestParameters.ipPermissions.items{}',
      'mvexpand ipp',
      'spath input=ipp output=fromPort path=fromPort',
      'spath input=ipp output=toPort path=toPort',
      'spath input=ipp output=ipRanges path=ipRanges',
      'spath input=ipRanges output=srcCidrs path=items{}.cidrIp',
      'mvexpand srcCidrs',
      'search srcCidrs="0.0.0.0/0"',
      'search ((fromPort <= 22 AND toPort >= 22) OR (fromPort <= 3389 AND toPort >= 3389))',
      'table eventID fromPort toPort srcCidrs',
    ].join(' | ');
    await expectRows(sg, hunt, [
      { eventID: 'sg2', fromPort: '3389', toPort: '3389', srcCidrs: '0.0.0.0/0' },
      { eventID: 'sg1', fromPort: '22', toPort: '22', srcCidrs: '0.0.0.0/0' },
    ]);
    // Over the multivalue field itself, and addresses still match by block.
    await expectRows(sg, 'search requestParameters.ipPermissions.items{}.ipRanges.items{}.cidrIp=0.0.0.0/0 | table eventID', [{ eventID: 'sg3' }, { eventID: 'sg2' }, { eventID: 'sg1' }]);
    await expectRows(sg, '| makeresults count=3 | streamstats count as n | eval ip=case(n=1, "10.1.2.3", n=2, "11.0.0.1", n=3, "10.0.0.0/8") | search ip=10.0.0.0/8 | table ip', [{ ip: '10.1.2.3' }, { ip: '10.0.0.0/8' }]);
  });
});
