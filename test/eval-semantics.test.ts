// Splunk's value semantics in eval/where and search: fields through arrays whose elements lack
// the key, multivalue arguments to the statistical eval functions, and quoted literals as text.
import { describe, expect, it } from 'vitest';
import { expectRows, rows, sampleAndLanguage, sqlOf } from './helpers.js';

const data = sampleAndLanguage();

const one = (evals: string, fields: string) => `| makeresults | eval ${evals} | table ${fields}`;

describe('a path through an array whose elements lack the key is no field', () => {
  // Splunk's JSON extraction creates `resources{}.nope` only from elements that have the key; with
  // none it does not exist, so it is null, fillnull and coalesce fill it and != excludes it.
  // https://help.splunk.com/en/splunk-enterprise/search/search-manual/9.4/search-commands/difference-between-not-and-not-equal
  const both = 'eventName=AssumeRole OR eventName=AttachRolePolicy';

  it('isnull is true, mvcount and mvjoin are null, coalesce fills it', async () => {
    await expectRows(data.lang, `${both} | eval a=isnull('resources{}.nope'), b=mvcount('resources{}.nope'), c=mvjoin('resources{}.nope', ","), d=coalesce('resources{}.nope', "filled"), e=typeof('resources{}.nope') | table eventID a b c d e`, [
      { eventID: 'lang-08-attach', a: true, b: null, c: null, d: ['filled'], e: 'Invalid' },
      { eventID: 'lang-01-mv-resources', a: true, b: null, c: null, d: ['filled'], e: 'Invalid' },
    ]);
  });

  it('fillnull fills it', async () => {
    await expectRows(data.lang, `${both} | fillnull value=none resources{}.nope | table eventID resources{}.nope`, [
      { eventID: 'lang-08-attach', 'resources{}.nope': ['none'] },
      { eventID: 'lang-01-mv-resources', 'resources{}.nope': ['none'] },
    ]);
  });

  it('search and where agree on the same events: != excludes it, NOT keeps it, =* finds nothing', async () => {
    const cases: [string, string, string[]][] = [
      [`${both} resources{}.nope!=x`, `${both} | where 'resources{}.nope'!="x"`, []],
      [`${both} NOT resources{}.nope=x`, `${both} | where NOT 'resources{}.nope'="x" OR isnull('resources{}.nope')`, ['lang-08-attach', 'lang-01-mv-resources']],
      [`${both} resources{}.nope=*`, `${both} | where isnotnull('resources{}.nope')`, []],
      [`${both} resources{}.type!=x`, `${both} | where 'resources{}.type'!="x"`, ['lang-08-attach', 'lang-01-mv-resources']],
    ];
    for (const [search, where, ids] of cases) {
      const expected = ids.map((eventID) => ({ eventID }));
      await expectRows(data.lang, `${search} | table eventID`, expected);
      await expectRows(data.lang, `${where} | table eventID`, expected);
    }
  });

  it('stats counts no value for it', async () => {
    await expectRows(data.lang, `${both} | stats count('resources{}.nope') as n dc('resources{}.nope') as d count as all`, [{ n: 0, d: 0, all: 2 }]);
  });

  it('spath through an array creates nothing when no element has the key', async () => {
    await expectRows(data.lang, 'eventName=AssumeRole | spath input=resources path={}.nope output=n | spath input=resources path={}.type output=t | eval missing=isnull(n) | table missing n t', [
      { missing: true, n: null, t: ['AWS::IAM::Role', 'AWS::STS::AssumedRole'] },
    ]);
  });
});

describe('statistical eval functions use every value of a multivalue argument', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/statistical-eval-functions
  it('max(makemv "1 6 3") is 6, min 1 (the documentation example)', async () => {
    await expectRows(data.sample, '| makeresults | eval n="1 6 3" | makemv n | eval maxn=max(n), minn=min(n), t=typeof(maxn), big=if(maxn > 5, "y", "n") | table maxn minn t big', [
      { maxn: '6', minn: '1', t: 'Number', big: 'y' },
    ]);
  });

  it('strings are greater than numbers; a missing field is ignored', async () => {
    await expectRows(data.sample, one('name="zaz", a=max(1, 3, 6, 7, "foo", name), b=max(1, 3, 6, 7, "foo", nope), c=min(2, "10"), d=max(mvappend("2", "x", "10"), 3), e=min(mvappend("b", "a"))', 'a b c d e'), [
      { a: 'zaz', b: 'foo', c: '2', d: 'x', e: 'a' },
    ]);
  });

  it('over a multivalue field of the events', async () => {
    await expectRows(data.lang, 'eventName=AssumeRole | eval hi=max(\'resources{}.accountId\'), lo=min(\'resources{}.accountId\') | table hi lo', [{ hi: '999988887777', lo: '111122223333' }]);
  });

  it('avg and sum: every numeric value, arguments that are missing or not numbers ignored', async () => {
    // The documentation's example: a=5.0, b="9", x=avg(a, b, c) is 7.
    await expectRows(data.sample, one('a=5.0, b="9", x=avg(a, b, c), n=split("1,6,3,x", ","), s=sum(n, 4), m=avg(n), z=sum(nope), w=sum(mvappend("a"))', 'x s m z w'), [
      { x: 7, s: 14, m: 10 / 3, z: null, w: null },
    ]);
  });
});

describe('types', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/informational-functions
  it('a quoted literal is a string, a field holding a number is a number', async () => {
    await expectRows(data.sample, one('f="5", a=isnum("5"), b=isstr("5"), c=typeof("5"), d=isint("5"), e=typeof(12), g=isnum(5)', 'a b c d e g'), [
      { a: false, b: true, c: 'String', d: false, e: 'Number', g: true },
    ]);
    await expectRows(data.lang, 'eventID=lang-02-num-9 | eval a=isnum(\'requestParameters.maxResults\'), t=typeof(\'requestParameters.maxResults\') | table a t', [{ a: true, t: 'Number' }]);
  });

  it('two quoted literals compare as text; fields holding numbers compare as numbers', async () => {
    await expectRows(data.sample, one('a=if("10"<"9", "y", "n"), b=if("abc"<"abd", "y", "n"), c=if(10<9, "y", "n")', 'a b c'), [{ a: 'y', b: 'y', c: 'n' }]);
    await expectRows(data.lang, 'eventName=DescribeInstances | where \'requestParameters.maxResults\' < 50 | table eventID', [{ eventID: 'lang-02-num-9' }]);
  });

  it('typeof of a single value is its type, not Multivalue', async () => {
    await expectRows(data.sample, one('a=typeof(mvappend("x")), b=typeof(mvappend("1")), c=typeof(mvappend("a", "b")), d=typeof(split("7", ","))', 'a b c d'), [
      { a: 'String', b: 'Number', c: 'Multivalue', d: 'Number' },
    ]);
    const ids = await rows(data.lang, 'eventName=AssumeRole OR eventName=AttachRolePolicy | eval t=typeof(\'resources{}.type\') | table eventID t');
    expect(ids).toEqual([{ eventID: 'lang-08-attach', t: 'String' }, { eventID: 'lang-01-mv-resources', t: 'Multivalue' }]);
  });
});

describe('random() is one number per row, and % keeps it in range', () => {
  // random() is "a pseudo-random integer ranging from zero to 2^31-1", and the documentation's
  // example random() % 100000 gives 0..99999:
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/statistical-eval-functions
  it('random() % 300 stays in 0..299 over many rows', async () => {
    await expectRows(data.sample, '| makeresults count=3000 | eval r=random() % 300, whole=if(r=floor(r), 1, 0) | stats min(r) as lo max(r) as hi sum(whole) as whole count', [
      { lo: expect.toSatisfy((v: number) => v >= 0 && v < 30), hi: expect.toSatisfy((v: number) => v > 270 && v <= 299), whole: 3000, count: 3000 },
    ]);
  });

  it('random() is a whole number in 0..2^31-1', async () => {
    await expectRows(data.sample, '| makeresults count=3000 | eval r=random() | stats min(r) as lo max(r) as hi count(eval(r=floor(r))) as whole', [
      { lo: expect.toSatisfy((v: number) => v >= 0), hi: expect.toSatisfy((v: number) => v <= 2147483647 && v > 2 ** 30), whole: 3000 },
    ]);
  });

  it('prints each side of % once (DuckDB\'s fmod macro expanded to x - y * floor(x / y))', () => {
    expect(sqlOf('| makeresults | eval r=random() % 300')).toContain('floor(random() * 2147483647) % nullif(300::DOUBLE, 0) AS "r"');
  });

  it('% keeps the dividend\'s sign, as on Athena (DuckDB\'s fmod floored: -7 % 3 was 2 here, -1 there)', async () => {
    // SPL's % is the remainder of C's fmod (-7 % 3 is -1); Trino's mod() agrees.
    await expectRows(data.sample, '| makeresults | eval a=-7 % 3, b=7 % -3, c=-7.5 % 2, d=7 % 0, e=10 % 3, f=2 * 7 % 4, g=7 % 4 * 2 | table a b c d e f g', [
      { a: -1, b: 1, c: -1.5, d: null, e: 1, f: 2, g: 6 },
    ]);
  });
});

describe('mvsort and exact, checked against Splunk\'s documentation', () => {
  // mvsort: "The values are sorted lexicographically": numbers as text, uppercase before lowercase.
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions
  it('mvsort is lexicographic, numbers included', async () => {
    await expectRows(data.sample, one('a=mvsort(mvappend(10, 9, 100, "b", "B", "a")), b=mvsort(split("10,9,100,abc,ABC", ","))', 'a b'), [
      { a: ['10', '100', '9', 'B', 'a', 'b'], b: ['10', '100', '9', 'ABC', 'abc'] },
    ]);
  });

  // exact: the result of a numeric calculation with full precision; numbers here are doubles
  // printed with every digit they hold, so it is the value itself (the documentation example).
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/mathematical-functions
  it('exact(3.14 * num) is 21.98 for num=7', async () => {
    await expectRows(data.sample, one('num=7, n=exact(3.14 * num)', 'n'), [{ n: 21.98 }]);
  });
});
