// eval functions on text: case, length, substrings, regular expressions, hashes, conversions.
import { caseOf, toNumber, toString } from '../build/coerce.js';
import { call, int, lit, type Expr } from '../ir/expr.js';
import { likeMatch } from '../patterns.js';
import { extractPath, literalString, mapString, regexArg, type EvalCall, type EvalFunction } from './eval-call.js';

const text = (id: string) => (c: EvalCall) => call(id, [toString(c.args()[0]!)], 'string');

function trimLike(id: string): EvalFunction['build'] {
  return (c) => {
    const [x, chars] = c.args() as [Expr, Expr?];
    return call(id, chars ? [toString(x), toString(chars)] : [toString(x)], 'string');
  };
}

const bigint = (e: Expr): Expr => call('to_bigint', [toNumber(e)], 'int');
const intCall = (id: string, ...args: Expr[]): Expr => call(id, args, id === 'lt' || id === 'gt' ? 'bool' : 'int');

/**
 * substr(text, start, length) as SQLite's substr (Splunk's text functions page: the indexes follow
 * SQLite semantics, from 1, a negative start counting from the end): the window of `length`
 * characters from `start` is cut to the text, so substr("abcdef", -10, 2) is "" and
 * substr("abcdef", 0, 2) is "a"; a negative length takes the characters before `start`.
 * DuckDB's substring read a start counted past the beginning from the end again ("de").
 * https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/text-functions
 */
function substr(c: EvalCall): Expr {
  const [x, start, len] = c.args() as [Expr, Expr, Expr?];
  return c.vars.share(toString(x), (v) => c.vars.share(bigint(start), (y) => {
    const fromEnd = intCall('add', call('length', [v], 'int'), y);
    // 0-based first character; a start of 0 is before the first character.
    const first = caseOf([{ when: intCall('lt', y, int(0)), then: intCall('greatest', fromEnd, int(0)) }, { when: intCall('gt', y, int(0)), then: intCall('sub', y, int(1)) }], int(0), 'int');
    if (!len) return call('substring', [v, intCall('add', first, int(1))], 'string');
    return c.vars.share(bigint(len), (z) => c.vars.share(intCall('abs', z), (n) => c.vars.share(first, (p1) => {
      const count = caseOf([
        { when: intCall('lt', y, int(0)), then: intCall('greatest', intCall('add', n, intCall('least', fromEnd, int(0))), int(0)) },
        { when: intCall('gt', y, int(0)), then: n },
      ], intCall('greatest', intCall('sub', n, int(1)), int(0)), 'int');
      return c.vars.share(count, (p2) => {
        const negative = intCall('lt', z, int(0));
        const from = caseOf([{ when: negative, then: intCall('greatest', intCall('sub', p1, p2), int(0)) }], p1, 'int');
        const take = caseOf([{ when: negative, then: intCall('least', p2, p1) }], p2, 'int');
        return call('substring', [v, intCall('add', from, int(1)), take], 'string');
      });
    })));
  }));
}

export const TEXT_FUNCTIONS: EvalFunction[] = [
  { name: 'lower', min: 1, max: 1, args: 'text', returns: 'string', build: (c) => mapString(c, c.args()[0]!, (v) => call('lower', [v], 'string')) },
  { name: 'upper', min: 1, max: 1, args: 'text', returns: 'string', build: (c) => mapString(c, c.args()[0]!, (v) => call('upper', [v], 'string')) },
  { name: 'len', min: 1, max: 1, args: 'text', returns: 'number', build: (c) => call('length', [toString(c.args()[0]!)], 'number') },
  { name: 'substr', min: 2, max: 3, args: 'text, start, length', returns: 'string', build: substr },
  {
    name: 'replace', min: 3, max: 3, args: 'text, regex, replacement', returns: 'string',
    build: (c) => {
      const x = c.compile(c.nodes[0]!);
      const re = regexArg(c, c.nodes[1]!);
      const repl = toString(c.compile(c.nodes[2]!));
      return mapString(c, x, (v) => call('regexp_replace', [v, re, repl, lit('g')], 'string'));
    },
  },
  { name: 'trim', min: 1, max: 2, args: 'text, characters', returns: 'string', build: trimLike('trim') },
  { name: 'ltrim', min: 1, max: 2, args: 'text, characters', returns: 'string', build: trimLike('ltrim') },
  { name: 'rtrim', min: 1, max: 2, args: 'text, characters', returns: 'string', build: trimLike('rtrim') },
  {
    name: 'like', min: 2, max: 2, args: 'text, pattern', returns: 'boolean',
    build: (c) => {
      const [text, pattern] = c.args().map(toString) as [Expr, Expr];
      return likeMatch(text, pattern, literalString(c.nodes[1]));
    },
  },
  {
    name: 'match', min: 2, max: 2, args: 'text, regex', returns: 'boolean',
    build: (c) => {
      const subject = c.compile(c.nodes[0]!);
      const re = regexArg(c, c.nodes[1]!);
      if (subject.type === 'mv') {
        return call('list_bool_or', [call('list_transform', [subject, c.vars.lambda('string', (v) => call('regexp_matches', [v, re], 'bool'))], 'list')], 'bool');
      }
      return call('regexp_matches', [toString(subject), re], 'bool');
    },
  },
  {
    name: 'searchmatch', min: 1, max: 1, args: '"search terms"', returns: 'boolean',
    build: (c) => {
      const source = literalString(c.nodes[0]);
      if (source === undefined) throw c.err('bad-argument', 'searchmatch() needs a quoted search string', c.span);
      const expr = c.parseSearch(source);
      if (expr === undefined) throw c.err('bad-argument', `searchmatch() could not read ${JSON.stringify(source)} as a search`, c.nodes[0]!.span);
      return expr ? c.search(expr) : lit(true);
    },
  },
  { name: 'urldecode', min: 1, max: 1, args: 'text', returns: 'string', build: text('url_decode') },
  { name: 'md5', min: 1, max: 1, args: 'text', returns: 'string', build: text('md5') },
  { name: 'sha1', min: 1, max: 1, args: 'text', returns: 'string', build: text('sha1') },
  { name: 'sha256', min: 1, max: 1, args: 'text', returns: 'string', build: text('sha256') },
  {
    name: 'tonumber', min: 1, max: 2, args: 'text, base', returns: 'number',
    build: (c) => {
      const x = c.compile(c.nodes[0]!);
      const baseNode = c.nodes[1];
      const base = baseNode && baseNode.kind === 'num' ? baseNode.value : 10;
      const parsed = (prefixed: Expr) => call('to_double', [call('try_bigint', [prefixed], 'int')], 'number');
      if (base === 16) return parsed(call('concat', [lit('0x'), call('regexp_replace', [toString(x), lit('^0[xX]'), lit('')], 'string')], 'string'));
      if (base === 2) return parsed(call('concat', [lit('0b'), toString(x)], 'string'));
      return toNumber(x);
    },
  },
  {
    name: 'json_extract', min: 1, max: 100, args: 'json, "path"', returns: 'the value at the path',
    build: (c) => {
      const json = toString(c.compile(c.nodes[0]!));
      if (c.nodes.length === 1) return json;
      const path = literalString(c.nodes[1]);
      if (path === undefined) throw c.err('bad-argument', 'json_extract() needs a quoted path', c.nodes[1]!.span);
      return extractPath(json, path);
    },
  },
  {
    name: 'spath', min: 2, max: 2, args: 'json, "path"', returns: 'the value at the path',
    build: (c) => {
      const json = toString(c.compile(c.nodes[0]!));
      const path = literalString(c.nodes[1]);
      if (path === undefined) throw c.err('bad-argument', 'spath() needs a quoted path', c.nodes[1]!.span);
      return extractPath(json, path);
    },
  },
  {
    name: 'cidrmatch', min: 2, max: 2, args: '"cidr", ip', returns: 'boolean',
    build: (c) => {
      const [cidr, ip] = c.args() as [Expr, Expr];
      if (ip.type === 'mv') {
        return c.vars.share(toString(cidr), (range) =>
          call('list_bool_or', [call('list_transform', [ip, c.vars.lambda('string', (v) => call('cidrmatch', [range, v], 'bool'))], 'list')], 'bool'));
      }
      return call('cidrmatch', [toString(cidr), toString(ip)], 'bool');
    },
  },
];


