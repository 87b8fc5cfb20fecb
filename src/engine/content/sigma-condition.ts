// A Sigma rule's condition: selection names combined with and / or / not, parentheses, and
// `1 of selection_*` / `all of selection_*` / `1 of them` / `all of them`. `not` binds tightest,
// then `and`, then `or`. After a pipe, the older aggregation form (`| count() by x > 5`,
// `| count(field) by x > 5` counting distinct values, `min`/`max`/`avg`/`sum`) is read as well:
// rules in SigmaHQ still use it, and it says exactly what SPL's stats says.
import { SigmaRefusal } from './sigma-values.js';

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'name'; name: string }
  | { kind: 'of'; quantifier: '1' | 'all'; pattern: string };

const TOKEN = /\s*(\(|\)|\||[^\s()|]+)/y;

export function parseCondition(text: string): Condition {
  const tokens: string[] = [];
  let end = 0;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    tokens.push(m[1]!);
    end = TOKEN.lastIndex;
  }
  if (text.slice(end).trim() !== '') throw new SigmaRefusal(`cannot read the condition ${JSON.stringify(text)}`);
  if (tokens.includes('|')) throw new SigmaRefusal('internal: parseCondition got an aggregation; use splitAggregation first');
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const fail = (what: string): never => {
    throw new SigmaRefusal(`cannot read the condition ${JSON.stringify(text)}: ${what}`);
  };
  const orExpr = (): Condition => {
    const items = [andExpr()];
    while (peek() === 'or') {
      i++;
      items.push(andExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  };
  const andExpr = (): Condition => {
    const items = [notExpr()];
    while (peek() === 'and') {
      i++;
      items.push(notExpr());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  };
  const notExpr = (): Condition => {
    if (peek() === 'not') {
      i++;
      return { kind: 'not', item: notExpr() };
    }
    return primary();
  };
  const primary = (): Condition => {
    const t = tokens[i];
    if (t === undefined) return fail('it ends too early');
    if (t === '(') {
      i++;
      const inner = orExpr();
      if (tokens[i] !== ')') fail('a parenthesis is not closed');
      i++;
      return inner;
    }
    const lower = t.toLowerCase();
    if ((lower === '1' || lower === 'any' || lower === 'all') && tokens[i + 1]?.toLowerCase() === 'of') {
      const pattern = tokens[i + 2];
      if (pattern === undefined || pattern === '(' || pattern === ')') fail(`"${t} of" needs a name pattern or "them"`);
      i += 3;
      return { kind: 'of', quantifier: lower === 'all' ? 'all' : '1', pattern: pattern!.toLowerCase() === 'them' ? 'them' : pattern! };
    }
    if (/^\d+$/.test(lower) && tokens[i + 1]?.toLowerCase() === 'of') fail(`"${t} of" (only "1 of" and "all of" are defined)`);
    if (['and', 'or', 'not', 'of', ')'].includes(lower)) fail(`unexpected "${t}"`);
    i++;
    return { kind: 'name', name: t };
  };
  const result = orExpr();
  if (i < tokens.length) fail(`unexpected "${tokens[i]}"`);
  return result;
}

export interface Aggregation {
  fn: 'count' | 'dc' | 'min' | 'max' | 'avg' | 'sum';
  field?: string;
  by?: string;
  op: '>' | '>=' | '<' | '<=' | '=';
  value: number;
}

const AGGREGATION = /^\s*(count|min|max|avg|sum)\s*\(\s*([\w.{}-]*)\s*\)\s*(?:by\s+([\w.{}-]+)\s*)?(<=|>=|==|=|<|>)\s*(\d+(?:\.\d+)?)\s*$/i;

/** A condition and its aggregation (`sel | count() by x > 5`), if it has one. */
export function splitAggregation(text: string): { condition: string; aggregation?: Aggregation } {
  const bar = text.indexOf('|');
  if (bar < 0) return { condition: text };
  const m = AGGREGATION.exec(text.slice(bar + 1));
  if (!m) throw new SigmaRefusal(`cannot read the aggregation ${JSON.stringify(text.slice(bar + 1).trim())} (count, min, max, avg or sum, an optional "by field", a comparison with a number)`);
  const name = m[1]!.toLowerCase();
  const field = m[2] || undefined;
  if (name !== 'count' && !field) throw new SigmaRefusal(`${name}() needs a field`);
  // count(field) counts the field's distinct values (the specification's reading).
  const fn = (name === 'count' && field ? 'dc' : name) as Aggregation['fn'];
  return { condition: text.slice(0, bar), aggregation: { fn, field, by: m[3], op: (m[4] === '==' ? '=' : m[4]) as Aggregation['op'], value: Number(m[5]) } };
}
