// eval functions added for published content: ipmask, sigfig, trigonometry, bitwise operations,
// validate, mvrange with decimals and time spans, mvzip and mvappend with missing fields; and
// Splunk's eval functions that spelunk lacks, refused by name.
import { describe, expect, it } from 'vitest';
import { evalFunction, FUNCTION_NAMES } from '../src/compiler/library/eval-functions.js';
import { isSplunkEvalFunction, SPLUNK_EVAL_FUNCTIONS } from '../src/compiler/library/splunk-eval-functions.js';
import { errorOf, expectRows, sampleAndLanguage } from './helpers.js';

const data = sampleAndLanguage();

const one = (evals: string, fields: string) => `| makeresults | eval ${evals} | table ${fields}`;

describe('conversion and mathematical functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/conversion-functions
  it('ipmask masks each octet; anything but two IPv4 addresses gives null', async () => {
    await expectRows(data.sample, one('a=ipmask("255.255.255.0", "192.168.1.34"), b=ipmask("255.255.0.0", "10.1.2.3"), c=ipmask("255.255.255.0", "ec2.amazonaws.com"), d=ipmask("255.255.255.0", nope)', 'a b c d'), [
      { a: '192.168.1.0', b: '10.1.0.0', c: null, d: null },
    ]);
    await expectRows(data.sample, '* eventName=GetSessionToken | eval net=ipmask("255.255.255.0", sourceIPAddress) | stats count by net', [
      { net: '185.220.101.0', count: 1 },
      { net: '73.158.64.0', count: 5 },
      { net: '91.64.112.0', count: 1 },
    ]);
  });

  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/mathematical-functions
  it('sigfig keeps the precision of the operands as written (sigfig(1.00*1111) is 1110)', async () => {
    await expectRows(data.sample, one('a=sigfig(1.00*1111), b=sigfig(1.001+2.1), c=sigfig(0.0120*3.0), d=sigfig(4.56)', 'a b c d'), [{ a: 1110, b: 3.1, c: 0.036, d: 4.56 }]);
    expect(errorOf('| makeresults | eval a=sigfig(x*2)').message).toMatch(/sigfig\(\) of anything but numbers written in the search .* is not supported yet/);
  });

  it('trigonometry, hyperbolic functions and hypot; outside the domain is null', async () => {
    await expectRows(data.sample, one('a=sin(0), b=cos(0), c=round(atan2(1, 1)*4, 6), d=asin(2), e=acosh(0.5), f=hypot(3, 4), g=round(tanh(0.5), 4)', 'a b c d e f g'), [
      { a: 0, b: 1, c: 3.141593, d: null, e: null, f: 5, g: 0.4621 },
    ]);
  });

  it('bitwise operations on whole numbers', async () => {
    await expectRows(data.sample, one('a=bit_and(12, 10), b=bit_or(12, 10, 1), c=bit_xor(12, 10), d=bit_not(0), e=bit_shift_left(1, 4), f=bit_shift_right(256, 4)', 'a b c d e f'), [
      { a: 8, b: 15, c: 6, d: -1, e: 16, f: 16 },
    ]);
  });

  it('validate gives the message of the first condition that fails', async () => {
    await expectRows(data.sample, one('n=5, v=validate(n>1, "too small", n<3, "too big"), w=validate(n>1, "a", nope>1, "missing"), x=validate(n>1, "a")', 'v w x'), [{ v: 'too big', w: 'missing', x: null }]);
  });
});

describe('multivalue functions', () => {
  // https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/multivalue-eval-functions
  it('mvrange: end excluded, decimal steps, time-span steps, empty ranges null', async () => {
    await expectRows(data.sample, one('a=mvrange(1, 11, 2), b=mvrange(1, 3, 0.5), c=mvrange(0, 86400*14, "7d"), d=mvrange(5, 1), e=mvrange(1, 3, -1), f=mvrange(0, 3)', 'a b c d e f'), [
      { a: ['1', '3', '5', '7', '9'], b: ['1', '1.5', '2', '2.5'], c: ['0', '604800'], d: null, e: null, f: ['0', '1', '2'] },
    ]);
    expect(errorOf('| makeresults | eval a=mvrange(0, 10, "1mon")').message).toMatch(/mvrange\(\) step "1mon"/);
  });

  it('mvzip pairs up to the shorter field; a missing field gives null', async () => {
    await expectRows(data.sample, one('a=mvzip(mvappend("a", "b", "c"), mvappend("1", "2")), b=mvzip(mvappend("a", "b"), mvappend("1", "2"), "="), c=mvzip("x", nope)', 'a b c'), [
      { a: ['a,1', 'b,2'], b: ['a=1', 'b=2'], c: null },
    ]);
    await expectRows(data.lang, 'eventName=AssumeRole | eval z=mvzip(\'resources{}.type\', \'resources{}.accountId\', ":") | table z', [
      { z: ['AWS::IAM::Role:999988887777', 'AWS::STS::AssumedRole:111122223333'] },
    ]);
  });

  it('mvappend leaves out null arguments, and is null when all are; mvsort sorts as text', async () => {
    await expectRows(data.sample, one('a=mvappend(null(), "a", nope, mvappend("b")), b=mvappend(nope, null()), c=mvcount(mvappend(nope)), d=mvsort(mvappend("b", "10", "9", "B")), e=mvsort(nope)', 'a b c d e'), [
      { a: ['a', 'b'], b: null, c: null, d: ['10', '9', 'B', 'b'], e: null },
    ]);
  });

  it('mvappend keeps the order of scalars around multivalue arguments, nulls left out', async () => {
    // Neighbouring scalars are one filtered list in the SQL (eval-multivalue.ts mvappend).
    await expectRows(data.sample, one('n=null(), a=mvappend("a", split("b,c", ","), nope, n, "d", 5, if(1==2, "x", null()), 1.5), b=mvappend(if(1==2, "x", null()), n)', 'a b'), [
      { a: ['a', 'b', 'c', 'd', '5', '1.5'], b: null },
    ]);
  });
});

describe("Splunk's eval functions", () => {
  it('every one is either in the library or refused by name as not supported yet', () => {
    const missing: string[] = [];
    for (const name of Object.values(SPLUNK_EVAL_FUNCTIONS).flat()) {
      if (evalFunction(name)) continue;
      missing.push(name);
      const err = errorOf(`| makeresults | eval x=${name}(1)`);
      expect(err.diagnostic.code, name).toBe('unsupported-function');
      expect(err.message).toBe(`${name}() is a Splunk eval function that spelunk does not support yet`);
    }
    // What is left to do, so that a new function moves this list knowingly.
    expect(missing.sort()).toEqual([
      'commands', 'isarray', 'isdouble', 'isobject', 'json_append', 'json_array', 'json_array_to_mv', 'json_delete', 'json_entries', 'json_extend',
      'json_extract_exact', 'json_has_key_exact', 'json_keys', 'json_object', 'json_set', 'json_set_exact', 'json_valid', 'lookup', 'mv_to_json_array', 'sha512',
    ]);
  });

  it('every function in the library is one of Splunk\'s', () => {
    expect(FUNCTION_NAMES.filter((n) => !isSplunkEvalFunction(n))).toEqual([]);
  });

  it('a name that is not Splunk\'s is an unknown function with a suggestion', () => {
    const err = errorOf('| makeresults | eval x=mvsrt(a)');
    expect(err.diagnostic.code).toBe('unknown-function');
    expect(err.diagnostic.hints).toEqual(['did you mean mvsort()?']);
  });
});
