// Streaming and ordering commands on the sample and the language fixture.
import { describe, expect, it } from 'vitest';
import { errorOf, expectRows, sampleAndLanguage, sampleEngine, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

const GST = 'eventName=GetSessionToken';
const users = (...u: string[]) => u.map((user) => ({ user }));

describe('table, fields, rename', () => {
  it('table keeps the listed fields in order; fields + and -', async () => {
    await expectRows(data.sample, `${GST} | head 2 | table src user`, [{ src: '73.158.64.21', user: 'ana.ops' }, { src: '185.220.101.47', user: 'svc-backup' }]);
    await expectRows(data.sample, `${GST} | head 2 | fields user src | fields - src`, users('ana.ops', 'svc-backup'));
  });

  it('fields - _* removes the internal fields _time and _raw over events; a plain * leaves them out', async () => {
    // fields page: the wildcard pattern for internal fields is _*; `fields - _*` removes all of
    // them. https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.1.2507/search-commands/fields
    // Over events `_*` matched no field (the events' JSON has no _time key): both were kept.
    await expectRows(data.sample, `${GST} | head 1 | fields - _* | eval t=_time, r=len(_raw) | table user t r`, [{ user: 'ana.ops', t: null, r: null }]);
    await expectRows(data.sample, `${GST} | head 1 | table _t*`, [{ _time: 1795795276 }]);
    await expectRows(data.sample, `${GST} | head 1 | stats values(*) as * | table eventName _time`, [{ eventName: ['GetSessionToken'], _time: null }]);
  });

  it.each([
    'rename user as u, src AS s',
    'rename user as u src as s',
    'rename user AS u , src as s',
  ])('%s', async (r) => {
    await expectRows(data.sample, `${GST} | head 1 | table user src | ${r}`, [{ u: 'ana.ops', s: '73.158.64.21' }]);
  });

  it('rename refuses one field renamed twice (its second name was left empty)', async () => {
    // rename page: one field cannot be given several names; rename A as B, A as C is not valid.
    // https://help.splunk.com/splunk-enterprise/search/spl-search-reference/10.0/search-commands/rename
    expect(errorOf(`${GST} | rename user as u, user as v`).message).toContain('rename cannot give user a second name (v)');
    await expectRows(data.sample, `${GST} | head 1 | table user | rename user as u, u as v`, [{ v: 'ana.ops' }]);
  });

  it('rename with wildcards', async () => {
    await expectRows(data.sample, `${GST} | head 1 | table user src | rename * as x_*`, [{ x_user: 'ana.ops', x_src: '73.158.64.21' }]);
  });
});

describe('ordering', () => {
  it('head, tail (reversed), sort - and +, sort with a count', async () => {
    await expectRows(data.sample, `${GST} | head 2 | table user`, users('ana.ops', 'svc-backup'));
    // tail: "the last N results ... in reverse order, starting at the end of the result set"
    // (https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/tail):
    // the two oldest GetSessionToken calls, the oldest first. It used to give the two newest.
    await expectRows(data.sample, `${GST} | tail 2 | table _time user`, [{ _time: 1795191765, user: 'ana.ops' }, { _time: 1795450265, user: 'ana.ops' }]);
    await expectRows(data.sample, `${GST} | streamstats count as n | tail 3 | table n user`, [{ n: 8, user: 'ana.ops' }, { n: 7, user: 'ana.ops' }, { n: 6, user: 'dev.sam' }]);
    await expectRows(data.sample, `${GST} | streamstats count as n | tail 2 | head 1 | table n`, [{ n: 8 }]);
    await expectRows(data.sample, `${GST} | sort - user | table user`, users('svc-backup', 'dev.sam', 'dev.sam', 'ana.ops', 'ana.ops', 'ana.ops', 'ana.ops', 'ana.ops'));
    await expectRows(data.sample, `${GST} | sort 2 +user | table user`, users('ana.ops', 'ana.ops'));
  });

  it('sort str(), num(), auto(), ip(), and IP addresses as addresses with no function', async () => {
    // "<sort-field> ... auto() ... ip() ... num() ... str()"; by default sort determines the type
    // itself, IP addresses included. Example: "sort ip(ipaddress), -str(url)".
    // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.0/search-commands/sort
    const ips = (...v: string[]) => v.map((sourceIPAddress) => ({ sourceIPAddress }));
    const base = '* | stats count by sourceIPAddress';
    await expectRows(data.sample, `${base} | sort sourceIPAddress | table sourceIPAddress`, ips(
      '3.91.171.15', '10.20.3.41', '10.20.7.12', '44.211.87.130', '44.230.15.201', '73.158.64.21', '91.64.112.45', '185.220.101.47',
      '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4', 'AWS Internal', 'cloudtrail.amazonaws.com', 'codebuild.amazonaws.com', 'ec2.amazonaws.com',
      'lambda.amazonaws.com', 's3.amazonaws.com', 'secretsmanager.amazonaws.com'));
    await expectRows(data.sample, `${base} | sort - ip(sourceIPAddress) | head 3 | table sourceIPAddress`, ips('secretsmanager.amazonaws.com', 's3.amazonaws.com', 'lambda.amazonaws.com'));
    await expectRows(data.sample, `${base} | sort ip(sourceIPAddress) | head 3 | table sourceIPAddress`, ips('3.91.171.15', '10.20.3.41', '10.20.7.12'));
    await expectRows(data.sample, `${base} | sort str(sourceIPAddress) | head 3 | table sourceIPAddress`, ips('10.20.3.41', '10.20.7.12', '185.220.101.47'));
    const ids = (...v: string[]) => v.map((eventID) => ({ eventID }));
    const m = 'eventName=DescribeInstances | eval m=tostring(requestParameters.maxResults)';
    await expectRows(data.lang, `${m} | sort str(m) | table eventID`, ids('lang-04-num-100', 'lang-03-num-50', 'lang-02-num-9'));
    await expectRows(data.lang, `${m} | sort num(m) | table eventID`, ids('lang-02-num-9', 'lang-03-num-50', 'lang-04-num-100'));
    await expectRows(data.lang, `${m} | sort -auto(m) | table eventID`, ids('lang-04-num-100', 'lang-03-num-50', 'lang-02-num-9'));
    await expectRows(data.lang, `${m} | sort -str(m) | table eventID`, ids('lang-02-num-9', 'lang-03-num-50', 'lang-04-num-100'));
  });

  it('sort compares numbers as numbers', async () => {
    await expectRows(data.lang, 'eventName=DescribeInstances | sort requestParameters.maxResults | table eventID', [
      { eventID: 'lang-02-num-9' }, { eventID: 'lang-03-num-50' }, { eventID: 'lang-04-num-100' },
    ]);
  });

  it('events without the sort field go last, ascending and descending', async () => {
    const withValue = ['lang-02-num-9', 'lang-03-num-50', 'lang-04-num-100'];
    const without = ['lang-08-attach', 'lang-07-quote-value', 'lang-06-lowercase-name', 'lang-05-no-identity-fields', 'lang-01-mv-resources'];
    const rows = (ids: string[]) => ids.map((eventID) => ({ eventID }));
    await expectRows(data.lang, '* | sort requestParameters.maxResults | table eventID', rows([...withValue, ...without]));
    await expectRows(data.lang, '* | sort - requestParameters.maxResults | table eventID', rows([...[...withValue].reverse(), ...without]));
    await expectRows(data.lang, '* | sort requestParameters.maxResults d | table eventID', rows([...[...withValue].reverse(), ...without]));
  });

  it('sort keeps at most 10000 rows by default', () => {
    expect(sqlOf('* | sort - _time')).toContain('<= 10000');
    expect(sqlOf('* | sort 0 - _time')).not.toContain('QUALIFY');
  });

  it('dedup several fields, keepempty, sortby', async () => {
    await expectRows(data.sample, `${GST} | dedup user | table user`, users('ana.ops', 'svc-backup', 'dev.sam'));
    await expectRows(data.sample, `${GST} | dedup user src | table user src`, [
      { user: 'ana.ops', src: '73.158.64.21' }, { user: 'svc-backup', src: '185.220.101.47' },
      { user: 'dev.sam', src: '91.64.112.45' }, { user: 'dev.sam', src: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4' },
    ]);
    // result_id: CloudTrail's errorCode as recorded, empty on success (the add-on's errorCode is always filled).
    await expectRows(data.sample, `${GST} | dedup result_id | table result_id`, [{ result_id: 'AccessDenied' }]);
    await expectRows(data.sample, `${GST} | dedup result_id keepempty=true | stats count`, [{ count: 8 }]);
    await expectRows(data.sample, `${GST} | dedup user sortby user | table user`, users('ana.ops', 'dev.sam', 'svc-backup'));
  });
});

describe('filling and reshaping', () => {
  it('fillnull value= with a field list; default 0', async () => {
    await expectRows(data.lang, 'eventName=GetBucketAcl | fillnull value=NA userIdentity.arn result_id | table userIdentity.arn result_id', [{ 'userIdentity.arn': 'NA', result_id: 'NA' }]);
    await expectRows(data.sample, '| makeresults | eval a=null(), b=2 | fillnull | table a b', [{ a: '0', b: 2 }]);
  });

  it('fillnull without a field list fills the events\' own fields too (only fields the search made were filled)', async () => {
    // Splunk's fillnull page: with no field list the value is applied to all fields (those with
    // a value in some result). 420 of the sample's 515 events have no userIdentity.userName.
    // https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/fillnull
    await expectRows(data.sample, '* | fillnull value=none | stats count by userIdentity.userName | where userIdentity.userName="none"', [{ 'userIdentity.userName': 'none', count: 420 }]);
    await expectRows(data.sample, '* | fillnull | where requestParameters.roleArn="0" | stats count', [{ count: 415 }]);
    // A field no result has stays empty, as in Splunk (it is in no result's schema): the
    // GetBucketAcl call has no userIdentity.arn, which is filled only beside an event that has one.
    await expectRows(data.lang, 'eventName=GetBucketAcl | fillnull value=NA | table userIdentity.arn', [{ 'userIdentity.arn': null }]);
    await expectRows(data.lang, 'eventName=GetBucketAcl OR eventName=AttachRolePolicy | fillnull value=NA | table eventName userIdentity.arn requestParameters.nothingHere', [
      { eventName: 'AttachRolePolicy', 'userIdentity.arn': 'arn:aws:iam::111122223333:user/carol', 'requestParameters.nothingHere': null },
      { eventName: 'GetBucketAcl', 'userIdentity.arn': 'NA', 'requestParameters.nothingHere': null },
    ]);
  });

  it('fillnull without a field list computes only the fields read after it or shown (hundreds over events)', async () => {
    // Every field of 1M events filled ran out of memory for one `stats count by` field: the
    // columns nothing reads are left out of the SQL (rewrite/unread-columns.ts), the answer the same.
    const result = await data.sample.run('* | fillnull value=none | stats count by userIdentity.userName | where userIdentity.userName="none"');
    expect(result.rows).toEqual([{ 'userIdentity.userName': 'none', count: 420 }]);
    expect(result.sql.match(/, 'none'\)/g)).toHaveLength(1);
    // Shown fields are still filled (the add-on's errorCode says success where the event has none).
    await expectRows(data.lang, 'eventName=GetBucketAcl | head 1 | eval made=null() | fillnull value=x | table made errorCode', [{ made: 'x', errorCode: 'success' }]);
  });

  it('bin and bucket, options before or after the field, on _time and numbers', async () => {
    const days = [
      { _time: 1795132800, count: 1 }, { _time: 1795392000, count: 1 }, { _time: 1795478400, count: 2 },
      { _time: 1795564800, count: 2 }, { _time: 1795737600, count: 2 },
    ];
    await expectRows(data.sample, `${GST} | bin _time span=1d | stats count by _time`, days);
    await expectRows(data.sample, `${GST} | bucket span=1d _time | stats count by _time`, days);
    // A number's bin is a range label, "10-15"; _time keeps epoch buckets (above). The bin
    // command's examples show such ranges: https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/bin
    await expectRows(data.lang, 'eventName=DescribeInstances | bin requestParameters.maxResults span=40 as b | table b', [{ b: '80-120' }, { b: '40-80' }, { b: '0-40' }]);
    await expectRows(data.lang, 'eventName=DescribeInstances | bin requestParameters.maxResults as b span=5 | table requestParameters.maxResults b', [
      { 'requestParameters.maxResults': '100', b: '100-105' }, { 'requestParameters.maxResults': '50', b: '50-55' }, { 'requestParameters.maxResults': '9', b: '5-10' },
    ]);
    await expectRows(data.lang, '* | eval x=requestParameters.maxResults/4 | bin x span=2.5 | stats count by x', [{ x: '0-2.5', count: 1 }, { x: '12.5-15', count: 1 }, { x: '25-27.5', count: 1 }]);
    await expectRows(data.lang, '| makeresults | eval x=-3 | bin x span=5 | table x', [{ x: '-5-0' }]);
  });

  it('mvexpand, makemv, convert ctime', async () => {
    await expectRows(data.lang, 'eventName=AssumeRole | mvexpand resources{}.accountId | table resources{}.accountId', [
      { 'resources{}.accountId': '999988887777' }, { 'resources{}.accountId': '111122223333' },
    ]);
    await expectRows(data.sample, '| makeresults | eval s="a;b;c" | makemv delim=";" s | eval n=mvcount(s) | table s n', [{ s: ['a', 'b', 'c'], n: 3 }]);
    await expectRows(data.sample, `${GST} | head 1 | convert ctime(_time) as t | table t`, [{ t: '11/27/2026 16:01:16' }]);
    // timeformat= is Splunk's spelling, translated as strftime's is (%F and %T are not DuckDB's).
    await expectRows(data.sample, `${GST} | head 1 | convert timeformat="%F %T" ctime(_time) as t | table t`, [{ t: '2026-11-27 16:01:16' }]);
    await expectRows(data.sample, `${GST} | head 1 | eval s="2026-11-27 16:01:16" | convert timeformat="%F %T" mktime(s) as t | table t`, [{ t: 1795795276 }]);
  });

  it('convert dur2sec reads [D+]HH:MM:SS (a day count gave null)', async () => {
    // Splunk's convert page: dur2sec converts the duration format "[D+]HH:MM:SS" to seconds.
    // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.2/search-commands/convert
    await expectRows(data.sample, '| makeresults | eval d=split("01:02:03 2+01:02:03 0+00:00:01 abc", " ") | mvexpand d | convert dur2sec(d) as s | table d s', [
      { d: '01:02:03', s: 3723 }, { d: '2+01:02:03', s: 176523 }, { d: '0+00:00:01', s: 1 }, { d: 'abc', s: null },
    ]);
  });

  it('mvexpand drops a result without the field, single-valued or not (it kept them: 515 results where 20 have errorMessage)', async () => {
    // Splunk's mvexpand removes events whose field is null: "Why does mvexpand X remove events
    // with X=NULL?" (Splunk Answers 330237, cited in remg427/misp42splunk#127, whose fix fills the
    // field before mvexpand to keep them).
    await expectRows(data.sample, '* | mvexpand errorMessage | stats count', [{ count: 20 }]);
    await expectRows(data.sample, '* | stats count(errorMessage) AS n', [{ n: 20 }]);
    await expectRows(data.sample, 'eventName=CreateAccessKey | mvexpand responseElements.accessKey.accessKeyId | stats count', [{ count: 3 }]);
    await expectRows(data.sample, 'eventName=CreateAccessKey | eval k=responseElements.accessKey.accessKeyId | mvexpand k | stats count', [{ count: 3 }]);
    await expectRows(data.sample, 'eventName=CreateAccessKey | transaction eventID | mvexpand responseElements.accessKey.accessKeyId | stats count', [{ count: 3 }]);
    await expectRows(data.sample, 'eventName=CreateAccessKey | fillnull value=none responseElements.accessKey.accessKeyId | mvexpand responseElements.accessKey.accessKeyId | stats count', [{ count: 4 }]);
  });

  it('makeresults count=', async () => {
    await expectRows(data.sample, '| makeresults count=3 | streamstats count | table count', [{ count: 1 }, { count: 2 }, { count: 3 }]);
  });

  it('addtotals', async () => {
    await expectRows(data.sample, `${GST} | stats count by user | eval n=count*2 | addtotals count n fieldname=tot`, [
      { user: 'ana.ops', count: 5, n: 10, tot: 15 }, { user: 'dev.sam', count: 2, n: 4, tot: 6 }, { user: 'svc-backup', count: 1, n: 2, tot: 3 },
    ]);
  });

  it('addtotals with no field list sums the numeric fields, not _time; over events it is refused', async () => {
    // addtotals page: with no field list every numeric field is in the sum (timechart's series, not
    // its _time: the idiom `timechart ... by f | addtotals` totals each bucket's series). _time was
    // summed in (Total 1.8e9), and over events nothing was (Total 0).
    // https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/addtotals
    await expectRows(data.sample, `${GST} | stats count by user | eval n=count*2, s="x" | addtotals`, [
      { user: 'ana.ops', count: 5, n: 10, s: 'x', Total: 15 }, { user: 'dev.sam', count: 2, n: 4, s: 'x', Total: 6 }, { user: 'svc-backup', count: 1, n: 2, s: 'x', Total: 3 },
    ]);
    const day = (d: number, a: number, s: number, b: number) => ({ _time: Date.parse(`2026-11-${d}T00:00:00Z`) / 1000, 'ana.ops': a, 'dev.sam': s, 'svc-backup': b, Total: a + s + b });
    await expectRows(data.sample, `${GST} earliest=-4d@d | timechart span=1d count by user | addtotals col=t`, [
      day(24, 1, 1, 0), day(25, 1, 1, 0), day(26, 0, 0, 0), day(27, 1, 0, 1), { _time: null, 'ana.ops': 3, 'dev.sam': 2, 'svc-backup': 1, Total: 6 },
    ]);
    expect(sqlOf('| makeresults | eval a=1, b="x" | addtotals')).toContain(`coalesce(1::DOUBLE, 0) + coalesce(TRY_CAST('x' AS DOUBLE), 0) AS "Total^0"`);
    expect(errorOf(`${GST} | eval x=1 | addtotals`).message).toContain('addtotals with no field list sums every numeric field of each event');
    await expectRows(data.sample, `${GST} | head 1 | eval x=1 | addtotals x | table Total`, [{ Total: 1 }]);
  });

  it('addtotals col=t labelfield= naming a field no result has adds it, with the label in the summary row', async () => {
    // addtotals page: a labelfield that matches no field is added as a new field. It was dropped,
    // and the summary row had no label.
    // https://help.splunk.com/splunk-cloud-platform/spl-search-reference/10.0.2503/search-commands/addtotals
    await expectRows(data.sample, `${GST} | stats count by user | addtotals row=f col=t labelfield=lbl label=ALL`, [
      { user: 'ana.ops', count: 5, lbl: null }, { user: 'dev.sam', count: 2, lbl: null }, { user: 'svc-backup', count: 1, lbl: null }, { user: null, count: 8, lbl: 'ALL' },
    ]);
    await expectRows(data.sample, `${GST} | stats count by user | addtotals row=f col=t labelfield=user`, [
      { user: 'ana.ops', count: 5 }, { user: 'dev.sam', count: 2 }, { user: 'svc-backup', count: 1 }, { user: 'Total', count: 8 },
    ]);
  });
});

describe('regex, rex, spath', () => {
  it('regex = and !=', async () => {
    await expectRows(data.sample, `${GST} | regex user="^ana" | stats count`, [{ count: 5 }]);
    await expectRows(data.sample, `${GST} | regex src!="^73\\." | stats count`, [{ count: 3 }]);
  });

  it('rex mode=sed replaces the match a number flag names, as a scan finds them; refuses flags it does not know', async () => {
    // rex page: the sed flags are g (replace all matches) or a number (replace that match). A
    // number past 1 was refused; before that, s/b/B/2 replaced the first match.
    // https://help.splunk.com/splunk-enterprise/spl-search-reference/9.4/search-commands/rex
    const sed = (e: string, s = 'abcabcabc') => `| makeresults | eval s="${s}" | rex field=s mode=sed "${e}" | table s`;
    await expectRows(data.sample, sed('s/b/B/2'), [{ s: 'abcaBcabc' }]);
    await expectRows(data.sample, sed('s/b/B/3'), [{ s: 'abcabcaBc' }]);
    await expectRows(data.sample, sed('s/b/B/4'), [{ s: 'abcabcabc' }]);
    await expectRows(data.sample, sed('s/(a)(b)/\\2\\1/2'), [{ s: 'abcbacabc' }]);
    await expectRows(data.sample, sed('s/(?<n>b)c/X/2'), [{ s: 'abcaXabc' }]);
    await expectRows(data.sample, sed('s/B/x/2i'), [{ s: 'abcaxcabc' }]);
    // "aaa" is one match of a+ for a scan: no second match, though a+ could match "a" twice.
    await expectRows(data.sample, sed('s/a+/X/2', 'aaa'), [{ s: 'aaa' }]);
    // \b is read in the whole text: the second x of "xx" is no match.
    await expectRows(data.sample, sed('s/\\bx/Y/2', 'x xx x'), [{ s: 'x Yx x' }]);
    await expectRows(data.sample, sed('s/b/B/1'), [{ s: 'aBcabcabc' }]);
    await expectRows(data.sample, sed('s/B/x/gi'), [{ s: 'axcaxcaxc' }]);
    expect(() => sqlOf(sed('s/b/B/gx'))).toThrow('mode=sed has no flag "x"');
    expect(() => sqlOf(sed('s/b/B/2g'))).toThrow('mode=sed takes g (every match) or a match number, not both');
    expect(() => sqlOf(sed('s/(b)/\\8/2'))).toThrow("mode=sed's replacement names group 8: with a match number, groups 1 to 7 only");
  });

  it('rex named groups (no match leaves the field null), max_match, mode=sed', async () => {
    await expectRows(data.sample, `${GST} | head 2 | rex field=user "(?<first>[a-z]+)\\.(?<last>[a-z]+)" | table user first last`, [
      { user: 'ana.ops', first: 'ana', last: 'ops' }, { user: 'svc-backup', first: null, last: null },
    ]);
    await expectRows(data.sample, `${GST} | head 1 | rex field=src max_match=0 "(?<octet>\\d+)" | table octet`, [{ octet: ['73', '158', '64', '21'] }]);
    await expectRows(data.sample, `${GST} | head 1 | rex field=user mode=sed "s/\\./_/g" | table user`, users('ana_ops'));
  });

  it('spath input= output= path= and bare spath path', async () => {
    await expectRows(data.sample, 'eventName=CreateRole | head 1 | spath input=requestParameters.assumeRolePolicyDocument path=Statement{}.Principal.AWS output=principal | table principal', [
      { principal: ['arn:aws:iam::999988887777:root'] },
    ]);
    await expectRows(data.sample, 'eventName=CreateRole | head 1 | spath requestParameters.roleName | table requestParameters.roleName', [{ 'requestParameters.roleName': 'ops-sync-role' }]);
  });

  it('refuses spath over another field without a path instead of returning nothing', () => {
    expect(() => sqlOf('* | eval j="{\\"a\\":1}" | spath input=j')).toThrow(/spath input=j without path= is not supported yet/);
    expect(() => sqlOf('* | stats count | spath')).toThrow(/spath input=_raw without path=/);
    expect(() => sqlOf('* | spath')).not.toThrow();
  });
});

describe('injection safety: quotes, comments and semicolons are data', () => {
  it('in values', async () => {
    await expectRows(data.lang, 'requestParameters.policyName="it\'s \\"fine\\"; -- really" | table eventID', [{ eventID: 'lang-07-quote-value' }]);
    await expectRows(data.lang, '* | where \'requestParameters.roleSessionName\'="O\'Brien--x; DROP" | table eventID', [{ eventID: 'lang-01-mv-resources' }]);
    await expectRows(data.lang, 'userAgent="*\\"quoted\\" \'single\' -- ;*" | table eventID', [{ eventID: 'lang-06-lowercase-name' }]);
  });

  it('in field names', async () => {
    await expectRows(data.sample, '| makeresults | eval "a\'b\\"c; --d"=1 | table "a\'b\\"c; --d"', [{ 'a\'b"c; --d': 1 }]);
    await expectRows(data.sample, '| makeresults | eval x=1 | rename x as "y\\"); DROP TABLE events; --" | stats count', [{ count: 1 }]);
    await expectRows(data.sample, '* | stats count', [{ count: 515 }]);
  });

  it('compiles quotes doubled, never pasted', () => {
    expect(sqlOf('src="a\'b" | eval "x\\"y"=\'f"g\'')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT * FROM "events"
          WHERE coalesce("sourceIPAddress" ILIKE 'a''b', false)
      ),
      s1 AS (
        SELECT *, json_extract_string("_raw", '$."f\\"g"') AS "x""y" FROM s0
      )
      SELECT "_time", "x""y", "_raw"
      FROM s1
      ORDER BY "__seq""
    `);
  });
});

describe('rename keeps column order', () => {
  it('a renamed field stays where it was in the table', async () => {
    const engine = await sampleEngine();
    try {
      await expectRows(engine, 'eventName=CreateAccessKey result_id=* | table userIdentity.userName eventName src | rename eventName as api, userIdentity.userName as who', [
        { who: 'dev.sam', api: 'CreateAccessKey', src: '91.64.112.45' },
      ]);
      const result = await engine.run('eventName=CreateAccessKey result_id=* | table user eventName src | rename eventName as api');
      expect(result.columns).toEqual(['user', 'api', 'src']);
    } finally {
      engine.close();
    }
  });
});
