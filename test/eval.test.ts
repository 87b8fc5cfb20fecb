// eval and where: expressions, Splunk's typing and null rules, and every eval function.
import { describe, expect, it } from 'vitest';
import { expectRows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

const one = (evals: string, fields: string) => `| makeresults | eval ${evals} | table ${fields}`;

describe('operators', () => {
  it('arithmetic, concatenation, later assignments see earlier ones', async () => {
    await expectRows(data.sample, one('a=1+2*3, b="x"."y", c=a." items", d=(a-1)/4, e=a%4, f=-a', 'a b c d e f'), [{ a: 7, b: 'xy', c: '7 items', d: 1.5, e: 3, f: -7 }]);
  });

  it('_time is epoch seconds for arithmetic', async () => {
    await expectRows(data.sample, 'eventName=CreateAccessKey userIdentity.userName=ana.ops | eval t=_time+1, u=t-1, day=floor(_time/86400) | table t u day', [{ t: 1795280692, u: 1795280691, day: 20778 }]);
  });

  it('a missing field is null and null propagates', async () => {
    await expectRows(data.sample, one('x=y+1, s=y."a", n=isnull(x), m=isnull(s)', 'x s n m'), [{ x: null, s: null, n: true, m: true }]);
    await expectRows(data.lang, 'eventName=DescribeInstances OR eventName=GetBucketAcl | eval x=\'requestParameters.maxResults\'+1 | table eventID x', [
      { eventID: 'lang-05-no-identity-fields', x: null },
      { eventID: 'lang-04-num-100', x: 101 },
      { eventID: 'lang-03-num-50', x: 51 },
      { eventID: 'lang-02-num-9', x: 10 },
    ]);
  });

  it('comparisons are numeric when both sides are numbers, string otherwise, and case-sensitive', async () => {
    await expectRows(data.sample, one('a="9", b="50", lt=if(a<b,"y","n"), eq=if("AssumeRole"="assumerole","y","n"), s=if("b">"a","y","n")', 'lt eq s'), [{ lt: 'y', eq: 'n', s: 'y' }]);
    await expectRows(data.lang, '* | where eventName="listbuckets" | table eventID', [{ eventID: 'lang-06-lowercase-name' }]);
    await expectRows(data.lang, '* | where eventName="ListBuckets" | table eventID', []);
  });

  it('AND OR NOT XOR, LIKE with % and _, IN, parentheses', async () => {
    await expectRows(data.sample, one('a=1, p=if(a=1 AND NOT a=2,1,0), q=if(a=2 OR (a=1 AND a<5),1,0), x=if(true() XOR false(),1,0), y=if(true() XOR true(),1,0), l=if("AssumeRole" LIKE "Assume%",1,0), u=if("ab" LIKE "a_",1,0), i=if(a IN (3,1),1,0)', 'p q x y l u i'), [
      { p: 1, q: 1, x: 1, y: 0, l: 1, u: 1, i: 1 },
    ]);
  });

  it('single quotes name fields, double quotes are strings', async () => {
    await expectRows(data.sample, one("'my field'=3, y='my field'*2, z=\"my field\"", '"my field" y z'), [{ 'my field': 3, y: 6, z: 'my field' }]);
    await expectRows(data.sample, 'eventName=CreateAccessKey userIdentity.userName=ana.ops | eval t=\'userIdentity.type\' | table t', [{ t: 'IAMUser' }]);
  });

  it('where keeps rows whose condition is true (null is false)', async () => {
    await expectRows(data.lang, 'eventName=DescribeInstances | where \'requestParameters.maxResults\' > 10 | table eventID', [{ eventID: 'lang-04-num-100' }, { eventID: 'lang-03-num-50' }]);
    await expectRows(data.lang, '* | where nope > 1 | stats count', [{ count: 0 }]);
  });
});

describe('functions', () => {
  it('conditionals and types', async () => {
    await expectRows(data.sample, one('a=7, b="xy", d=if(a>5,"big","small"), e=case(a<2,"lt2",a<10,"lt10",true(),"other"), f=coalesce(null(), nope, "z"), g=isnull(nope), h=isnotnull(a), i=isnum(a), i2=isnum(b), j=isstr(b), j2=isstr(a), k=typeof(a), l=typeof(b), m=typeof(nope), t=typeof(a>1)', 'd e f g h i i2 j j2 k l m t'), [
      { d: 'big', e: 'lt10', f: 'z', g: true, h: true, i: true, i2: false, j: true, j2: false, k: 'Number', l: 'String', m: 'Invalid', t: 'Boolean' },
    ]);
  });

  it('text', async () => {
    await expectRows(data.sample, one('a=like("AssumeRole","Assume%"), b=like("AssumeRole","assume%"), c=match("AssumeRole","^Assume"), c2=match("AssumeRole","^assume"), d=lower("AbC"), e=upper("abc"), f=len("abcd"), g=substr("abcdef",2,3), h=substr("abcdef",-2), i=replace("a.b.c","\\.","-"), j=trim("  x "), k=ltrim("xxab","x"), l=rtrim("abyy","y"), u=urldecode("a%20b%2Fc")', 'a b c c2 d e f g h i j k l u'), [
      { a: true, b: false, c: true, c2: false, d: 'abc', e: 'ABC', f: 4, g: 'bcd', h: 'ef', i: 'a-b-c', j: 'x', k: 'ab', l: 'ab', u: 'a b/c' },
    ]);
  });

  it("substr follows SQLite's substr: the window cut to the text, 0 before the first character, a negative length before start", async () => {
    // Text functions page: substr's indexes follow SQLite semantics, from 1, a negative start
    // counting from the end. Expected values are SQLite's own. DuckDB's substring read a start
    // counted past the beginning from the end again (substr("abcdef", -10, 2) gave "de"), a start
    // of 0 was read as 1 ("ab" for "a") and a negative length was DuckDB's.
    // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/text-functions
    const cases: [string, string][] = [
      ['2,3', 'bcd'], ['-2', 'ef'], ['-10,2', ''], ['-7,3', 'ab'], ['-6,2', 'ab'], ['0,2', 'a'], ['0', 'abcdef'], ['-3,2', 'de'],
      ['4,-2', 'bc'], ['2,-3', 'a'], ['10,2', ''], ['1,0', ''], ['0,1', ''], ['-7', 'abcdef'], ['3,-10', 'ab'], ['-2,-3', 'bcd'], ['0,-2', ''], ['7,-3', 'def'],
    ];
    const evals = cases.map(([a], k) => `s${k}=substr("abcdef",${a})`).join(', ');
    await expectRows(data.sample, one(evals, cases.map((_, k) => `s${k}`).join(' ')), [Object.fromEntries(cases.map(([, want], k) => [`s${k}`, want]))]);
  });

  it('multivalue', async () => {
    await expectRows(data.sample, one('s=split("a,b,c,b",","), a=mvindex(s,0), b=mvindex(s,-1), c=mvindex(s,1,2), d=mvcount(s), e=mvjoin(s,"|"), f=mvappend(s,"d"), g=mvdedup(s), h=mvfilter(match(s,"b")), i=mvfind(s,"c"), j=mvsort(mvappend("b","a","C")), k=mvcount(nope)', 'a b c d e f g h i j k'), [
      { a: 'a', b: 'b', c: ['b', 'c'], d: 4, e: 'a|b|c|b', f: ['a', 'b', 'c', 'b', 'd'], g: ['a', 'b', 'c'], h: ['b', 'b'], i: 2, j: ['C', 'a', 'b'], k: null },
    ]);
    await expectRows(data.lang, 'eventName=AssumeRole | eval n=mvcount(\'resources{}.accountId\'), o=mvfilter(\'resources{}.accountId\'!="111122223333") | table n o', [{ n: 2, o: ['999988887777'] }]);
  });

  it('numbers', async () => {
    await expectRows(data.sample, one('a=tostring(5), b=tonumber("12"), b2=tonumber("ff",16), c=round(2.567,2), d=floor(2.5), e=ceil(2.1), f=abs(-3), g=pow(2,10), h=sqrt(16), i=exp(0), j=ln(1), k=log(100), k2=log(8,2), l=min(3,1,2), m=max(3,12,2), n=round(2.5), r=if(random()>=0,1,0)', 'a b b2 c d e f g h i j k k2 l m n r'), [
      { a: '5', b: 12, b2: 255, c: 2.57, d: 2, e: 3, f: 3, g: 1024, h: 4, i: 1, j: 0, k: 2, k2: 3, l: 1, m: 12, n: 3, r: 1 },
    ]);
  });

  it('min/max: numbers compare as numbers, strings are greater than numbers', async () => {
    await expectRows(data.sample, one('a=max(3,"10",2), b=min("abc", 5), c=max(1, 3, "foo"), d=max(1, 3, "foo", "zaz"), e=min(1, "foo"), f=max("foo", nope), g=min(2, "10")', 'a b c d e f g'), [
      { a: '10', b: '5', c: 'foo', d: 'zaz', e: '1', f: 'foo', g: '2' },
    ]);
  });

  it('searchmatch sees fields assigned earlier in the same eval', async () => {
    await expectRows(data.sample, one('x="a", y=searchmatch("x=A"), z=searchmatch("x=b")', 'y z'), [{ y: true, z: false }]);
  });

  it('time: now() is the search time, time() the wall clock, strftime on an integer literal does not overflow', async () => {
    await expectRows(data.sample, one('a=now(), b=relative_time(now(),"-24h@h"), c=relative_time(now(),"@d"), d=relative_time(now(),"-7d@w0"), e=strftime(1795795276,"%Y-%m-%dT%H:%M:%S"), f=strptime("2026-11-27 16:01:16","%Y-%m-%d %H:%M:%S"), g=strftime(_time, "%F %T"), w=if(time()>now()-86400*365*100,1,0)', 'a b c d e f g w'), [
      { a: 1795824000, b: 1795737600, c: 1795824000, d: 1794700800, e: '2026-11-27T16:01:16', f: 1795795276, g: '2026-11-28 00:00:00', w: 1 },
    ]);
    await expectRows(data.sample, 'eventName=CreateAccessKey userIdentity.userName=ana.ops | eval d=relative_time(_time,"@d"), s=strftime(_time,"%Y-%m-%d %H:%M") | table d s', [{ d: 1795219200, s: '2026-11-21 17:04' }]);
  });

  it('network, hashes, JSON, in, true/false, searchmatch', async () => {
    await expectRows(data.sample, one('g=cidrmatch("10.0.0.0/8","10.20.7.12"), g2=cidrmatch("10.0.0.0/8","11.0.0.1"), i=md5("a"), j=sha1("a"), k=sha256("a"), l=in("b","a","b"), l2=in("c","a","b"), m=json_extract("{\\"a\\":{\\"b\\":1}}","a.b"), n=spath("{\\"a\\":[{\\"b\\":1},{\\"b\\":2}]}","a{}.b"), t=true(), f=false()', 'g g2 i j k l l2 m n t f'), [
      {
        g: true, g2: false, i: '0cc175b9c0f1b6a831c399e269772661', j: '86f7e437faa5a7fce15d1ddcb9eaeaea377667b8',
        k: 'ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb', l: true, l2: false, m: '1', n: ['1', '2'], t: true, f: false,
      },
    ]);
    await expectRows(data.sample, 'eventName=GetSessionToken | eval hit=searchmatch("user=DEV.SAM src=2a02*") | where hit | table user src', [
      { user: 'dev.sam', src: '2a02:8108:1100:4e20:5d3c:9a1f:c2b0:71e4' },
    ]);
  });
});

describe('golden SQL', () => {
  it('eval reads earlier assignments from the stage before', () => {
    expect(sqlOf('| makeresults | eval a=y+1, b=a*2, c=if(b>2, "x", null())')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT 1795824000::DOUBLE AS "_time", range + 1 AS "__seq" FROM range(1)
      ),
      s3 AS (
        SELECT *, CAST(NULL AS DOUBLE) + 1::DOUBLE AS "a", (CAST(NULL AS DOUBLE) + 1::DOUBLE) * 2::DOUBLE AS "b", CASE WHEN (CAST(NULL AS DOUBLE) + 1::DOUBLE) * 2::DOUBLE > 2::DOUBLE THEN 'x' ELSE CAST(NULL AS VARCHAR) END AS "c" FROM s0
      )
      SELECT "_time", "a", "b", "c"
      FROM s3
      ORDER BY "__seq""
    `);
  });

  it('strftime casts epoch seconds to DOUBLE before scaling', () => {
    expect(sqlOf('| makeresults | eval s=strftime(1795795276, "%F")')).toMatchInlineSnapshot(`
      "WITH s0 AS (
        SELECT 1795824000::DOUBLE AS "_time", range + 1 AS "__seq" FROM range(1)
      ),
      s1 AS (
        SELECT *, strftime(make_timestamp(CAST(CAST(1795795276::DOUBLE AS DOUBLE) * 1000000 AS BIGINT)), '%Y-%m-%d') AS "s" FROM s0
      )
      SELECT "_time", "s"
      FROM s1
      ORDER BY "__seq""
    `);
  });
});

describe('eval with chained assignments', () => {
  it('writes each expression once: a later assignment reading an earlier one starts a new stage', () => {
    const sql = sqlOf('| makeresults | eval a=1, b=a+a, c=b+b, d=c+c, e=d+d, f=e+e, g=f+f');
    // Pasting every earlier expression into the later ones made this SQL grow as 2^n.
    expect(sql.length).toBeLessThan(2000);
  });
});
