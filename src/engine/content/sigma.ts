// Sigma rules for AWS CloudTrail, translated to SPL text that spelunk runs (and `explain` shows).
// A rule is a set of named selections and a condition over them; the translation builds a small
// condition tree, then writes it as a `search` where every leaf can be (case-insensitive
// wildcards, CIDR, presence) and as a `where` for the rest (regular expressions, `?` wildcards,
// case-sensitive and numeric comparisons). Every value goes into a double-quoted SPL string with
// its quotes, backslashes and dollar signs escaped, so no value can change the search's shape.
// Specification: https://github.com/SigmaHQ/sigma-specification
import { base64, base64Offsets, escapeRegex, literal, parseSigmaString, partsRegex, partsText, SigmaRefusal, windashVariants, type Encoding, type Part } from './sigma-values.js';
import { parseCondition, splitAggregation, type Aggregation, type Condition } from './sigma-condition.js';

export { SigmaRefusal };

type Leaf =
  | { kind: 'str'; field: string | null; parts: Part[]; cased: boolean }
  | { kind: 'num'; field: string; op: '=' | '>' | '>=' | '<' | '<='; value: number }
  | { kind: 'null'; field: string }
  | { kind: 'exists'; field: string; value: boolean }
  | { kind: 're'; field: string; pattern: string; flags: string }
  | { kind: 'cidr'; field: string; cidr: string }
  | { kind: 'fieldref'; field: string; other: string };

export type Tree = { op: 'and' | 'or'; items: Tree[] } | { op: 'not'; item: Tree } | { op: 'leaf'; leaf: Leaf } | { op: 'const'; value: boolean };

/** Field names as written in CloudTrail: dotted paths, `{}` for arrays. Anything else is refused. */
const FIELD = /^[A-Za-z_][\w]*(?:\{\})?(?:\.[A-Za-z_][\w-]*(?:\{\})?)*$/;

/**
 * Sigma names CloudTrail's own fields. The Splunk Add-on for AWS replaces errorCode with a filled
 * one ("success" when the call succeeded); the code as recorded is its alias result_id.
 */
const RECORDED: Record<string, string> = { errorCode: 'result_id' };

function checkField(name: string): string {
  if (!FIELD.test(name)) throw new SigmaRefusal(`field name ${JSON.stringify(name)} is not a CloudTrail field path spelunk can name safely`);
  return RECORDED[name] ?? name;
}

const KNOWN_MODIFIERS = new Set(['contains', 'startswith', 'endswith', 'all', 're', 'i', 'm', 's', 'cidr', 'exists', 'windash', 'base64', 'base64offset', 'utf16le', 'utf16be', 'wide', 'utf16', 'cased', 'gt', 'gte', 'lt', 'lte', 'fieldref']);

function and(items: Tree[]): Tree {
  return items.length === 1 ? items[0]! : { op: 'and', items };
}

function or(items: Tree[]): Tree {
  return items.length === 1 ? items[0]! : { op: 'or', items };
}

/** One `field|modifiers: value(s)` entry of a selection. */
function fieldEntry(key: string, raw: unknown): Tree {
  const [name, ...mods] = key.split('|');
  const field = name === '' ? null : checkField(name!);
  for (const m of mods) {
    if (m === 'expand') throw new SigmaRefusal('the expand modifier needs placeholder values defined per site (a pipeline), which spelunk does not have');
    if (!KNOWN_MODIFIERS.has(m)) throw new SigmaRefusal(`unknown value modifier ${JSON.stringify(m)} (on ${key})`);
  }
  const has = (m: string) => mods.includes(m);
  const values = Array.isArray(raw) ? raw : [raw];
  if (values.length === 0) throw new SigmaRefusal(`${key} has an empty list of values`);
  if (has('exists')) {
    if (!field) throw new SigmaRefusal('exists needs a field');
    if (values.length !== 1 || typeof values[0] !== 'boolean') throw new SigmaRefusal(`${key} takes true or false`);
    return { op: 'leaf', leaf: { kind: 'exists', field, value: values[0] } };
  }
  const leaves = values.flatMap((v) => valueLeaves(field, key, mods, v));
  return has('all') ? and(leaves) : or(leaves);
}

/** The leaves one value stands for (several for windash and base64offset: any of them). */
function valueLeaves(field: string | null, key: string, mods: string[], value: unknown): Tree[] {
  const has = (m: string) => mods.includes(m);
  const needField = (what: string): string => {
    if (!field) throw new SigmaRefusal(`${what} needs a field (in ${key})`);
    return field;
  };
  const leaf = (l: Leaf): Tree => ({ op: 'leaf', leaf: l });
  if (value === null) return [leaf({ kind: 'null', field: needField('null') })];
  const compare = mods.find((m) => m === 'gt' || m === 'gte' || m === 'lt' || m === 'lte');
  if (compare) {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) throw new SigmaRefusal(`${key} compares with a number, not ${JSON.stringify(value)}`);
    const op = ({ gt: '>', gte: '>=', lt: '<', lte: '<=' } as const)[compare as 'gt'];
    return [leaf({ kind: 'num', field: needField(compare), op, value: n })];
  }
  if (typeof value === 'number' && mods.length === 0) return [leaf({ kind: 'num', field: needField('a number'), op: '=', value })];
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new SigmaRefusal(`${key} has a value of a kind Sigma does not define (${typeof value})`);
  }
  const text = String(value);
  if (has('re')) {
    const flags = ['i', 'm', 's'].filter(has).join('');
    checkRe2(text, key);
    return [leaf({ kind: 're', field: needField('re'), pattern: text, flags })];
  }
  if (has('cidr')) return [leaf({ kind: 'cidr', field: needField('cidr'), cidr: checkCidr(text, key) })];
  if (has('fieldref')) return [leaf({ kind: 'fieldref', field: needField('fieldref'), other: checkField(text) })];
  const encoding: Encoding | null = has('utf16le') || has('wide') ? 'utf16le' : has('utf16be') ? 'utf16be' : has('utf16') ? 'utf16le' : null;
  if (encoding && !has('base64') && !has('base64offset')) throw new SigmaRefusal(`${key}: the UTF-16 modifiers only apply together with base64 or base64offset`);
  let forms: Part[][];
  if (has('base64') || has('base64offset')) {
    // The value is encoded as it is written: its wildcards become characters of the text.
    const texts = has('windash') ? windash(text, key) : [text];
    forms = texts.flatMap((t) => (has('base64offset') ? base64Offsets(t, encoding ?? 'utf8') : [base64(t, encoding ?? 'utf8')])).map(literal);
  } else {
    const parts = parseSigmaString(text);
    forms = has('windash') ? windashParts(parts, key) : [parts];
  }
  const contains = has('contains') || has('base64offset');
  return forms.map((parts) => {
    let p = parts;
    if (contains || has('endswith')) p = [{ star: true }, ...p];
    if (contains || has('startswith')) p = [...p, { star: true }];
    return leaf({ kind: 'str', field, parts: p, cased: has('cased') });
  });
}

function windash(text: string, key: string): string[] {
  const forms = windashVariants(text);
  if (!forms) throw new SigmaRefusal(`${key}: windash on a value with more than 4 dashes`);
  return forms;
}

/** windash on a value with wildcards: the dashes are in its literal parts. */
function windashParts(parts: Part[], key: string): Part[][] {
  let forms: Part[][] = [[]];
  for (const p of parts) {
    const alternatives = 'lit' in p ? windash(p.lit, key).map((t) => [{ lit: t } as Part]) : [[p]];
    forms = forms.flatMap((f) => alternatives.map((a) => [...f, ...a]));
  }
  return forms;
}

/** DuckDB's regular expressions are RE2: no look-around and no back-references. */
function checkRe2(pattern: string, key: string): void {
  if (/\(\?<?[=!]/.test(pattern)) throw new SigmaRefusal(`${key}: look-ahead and look-behind are not supported by the regular expression engine (RE2)`);
  if (/(^|[^\\])\\[1-9]/.test(pattern)) throw new SigmaRefusal(`${key}: back-references are not supported by the regular expression engine (RE2)`);
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new SigmaRefusal(`${key}: invalid regular expression (${(err as Error).message})`);
  }
}

function checkCidr(text: string, key: string): string {
  if (!/^[0-9A-Fa-f:.]+\/\d{1,3}$/.test(text)) throw new SigmaRefusal(`${key}: ${JSON.stringify(text)} is not a CIDR block`);
  return text;
}

/** A selection: a map (every entry must hold), a list of maps (any), or keywords. */
function selectionTree(name: string, def: unknown): Tree {
  if (def === null || def === undefined) throw new SigmaRefusal(`selection ${name} is empty`);
  if (Array.isArray(def)) {
    if (def.length === 0) throw new SigmaRefusal(`selection ${name} is an empty list`);
    if (def.every((d) => typeof d === 'string' || typeof d === 'number')) return keywords(def as (string | number)[]);
    return or(def.map((d, i) => (typeof d === 'object' && d !== null && !Array.isArray(d) ? mapTree(`${name}[${i}]`, d as Record<string, unknown>) : keywords([d as string]))));
  }
  if (typeof def === 'string' || typeof def === 'number') return keywords([def]);
  if (typeof def === 'object') return mapTree(name, def as Record<string, unknown>);
  throw new SigmaRefusal(`selection ${name} is neither a map nor a list`);
}

function mapTree(name: string, map: Record<string, unknown>): Tree {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SigmaRefusal(`selection ${name} has no fields`);
  return and(entries.map(([k, v]) => fieldEntry(k, v)));
}

/** Keywords: the text anywhere in the event. */
function keywords(values: (string | number)[]): Tree {
  return or(values.map((v) => ({ op: 'leaf', leaf: { kind: 'str', field: null, parts: [{ star: true }, ...parseSigmaString(String(v)), { star: true }], cased: false } }) as Tree));
}

/** The whole detection: selections and the condition (a list of conditions means any of them). */
export function detectionTree(detection: unknown): Tree {
  return detectionParts(detection).tree;
}

export interface DetectionParts {
  tree: Tree;
  aggregation?: Aggregation;
  /** Sigma's timeframe (e.g. 10m): the aggregation counts within windows this long. */
  timeframe?: string;
}

export function detectionParts(detection: unknown): DetectionParts {
  if (typeof detection !== 'object' || detection === null || Array.isArray(detection)) throw new SigmaRefusal('the rule has no detection map');
  const { condition, timeframe, ...named } = detection as Record<string, unknown>;
  const conditions = Array.isArray(condition) ? condition : [condition];
  if (conditions.length === 0 || conditions.some((c) => typeof c !== 'string')) throw new SigmaRefusal('the detection has no condition');
  const split = conditions.map((c) => splitAggregation(c as string));
  const aggregations = split.filter((s) => s.aggregation);
  if (aggregations.length && split.length > 1) throw new SigmaRefusal('a list of conditions with an aggregation');
  const selections = new Map<string, () => Tree>();
  for (const [name, def] of Object.entries(named)) selections.set(name, () => selectionTree(name, def));
  const tree = or(split.map((s) => resolve(parseCondition(s.condition), selections)));
  if (timeframe !== undefined && !/^\d+[smhd]$/.test(String(timeframe))) throw new SigmaRefusal(`cannot read timeframe ${JSON.stringify(timeframe)}`);
  return { tree, aggregation: aggregations[0]?.aggregation, ...(aggregations.length && timeframe !== undefined ? { timeframe: String(timeframe) } : {}) };
}

function resolve(c: Condition, selections: Map<string, () => Tree>): Tree {
  switch (c.kind) {
    case 'and':
      return and(c.items.map((i) => resolve(i, selections)));
    case 'or':
      return or(c.items.map((i) => resolve(i, selections)));
    case 'not':
      return { op: 'not', item: resolve(c.item, selections) };
    case 'name': {
      const s = selections.get(c.name);
      if (!s) throw new SigmaRefusal(`the condition names ${JSON.stringify(c.name)}, which is not a selection of the rule`);
      return s();
    }
    case 'of': {
      // `them` is every selection except those whose name starts with an underscore.
      const names = [...selections.keys()].filter((n) => (c.pattern === 'them' ? !n.startsWith('_') : globMatch(c.pattern, n)));
      if (names.length === 0) throw new SigmaRefusal(`"${c.quantifier} of ${c.pattern}" matches no selection`);
      const trees = names.map((n) => selections.get(n)!());
      return c.quantifier === 'all' ? and(trees) : or(trees);
    }
  }
}

function globMatch(pattern: string, name: string): boolean {
  return new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`).test(name);
}

// ---- writing SPL ---------------------------------------------------------------------------

/** A double-quoted SPL string holding exactly `text`: quotes, backslashes and `$` escaped. */
export function splString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$')}"`;
}

/** `'field'` for eval and where (field names are checked against FIELD, so no quote is inside). */
function evalField(field: string): string {
  return `'${field}'`;
}

/** The leaf as a search term, or null when search cannot say it. */
function searchLeaf(l: Leaf): string | null {
  switch (l.kind) {
    case 'str': {
      if (l.cased || l.parts.some((p) => 'one' in p || ('lit' in p && p.lit.includes('*')))) return null;
      const text = l.parts.map((p) => ('lit' in p ? p.lit : '*')).join('');
      // A quoted value in search is matched whole, with `*` as its wildcard.
      return `${l.field ?? '_raw'}=${splString(text)}`;
    }
    case 'num':
      return l.op === '=' ? `${l.field}=${l.value}` : null;
    case 'null':
      return `NOT ${l.field}=*`;
    case 'exists':
      return l.value ? `${l.field}=*` : `NOT ${l.field}=*`;
    case 'cidr':
      return `${l.field}=${splString(l.cidr)}`;
    default:
      return null;
  }
}

function whereLeaf(l: Leaf): string {
  switch (l.kind) {
    case 'str': {
      const text = partsText(l.parts);
      const f = l.field ? evalField(l.field) : '_raw';
      if (l.cased && text !== null) return `${f}==${splString(text)}`;
      return `match(${f}, ${splString(`${l.cased ? '' : '(?i)'}^${partsRegex(l.parts)}$`)})`;
    }
    case 'num':
      return `tonumber(${evalField(l.field)})${l.op === '=' ? '==' : l.op}${l.value}`;
    case 'null':
      return `(isnull(${evalField(l.field)}) OR ${evalField(l.field)}="")`;
    case 'exists':
      return `${l.value ? 'isnotnull' : 'isnull'}(${evalField(l.field)})`;
    case 're':
      return `match(${evalField(l.field)}, ${splString(l.flags ? `(?${l.flags})${l.pattern}` : l.pattern)})`;
    case 'cidr':
      return `cidrmatch(${splString(l.cidr)}, ${evalField(l.field)})`;
    case 'fieldref':
      return `${evalField(l.field)}==${evalField(l.other)}`;
  }
}

/** A child's text inside a composite: parenthesised unless it is a plain leaf. */
function wrap(child: Tree, text: string): string {
  return child.op === 'leaf' && !text.startsWith('NOT ') ? text : `(${text})`;
}

function searchText(t: Tree): string | null {
  switch (t.op) {
    case 'leaf':
      return searchLeaf(t.leaf);
    case 'const':
      return null;
    case 'not': {
      const inner = searchText(t.item);
      return inner === null ? null : `NOT ${wrap(t.item, inner)}`;
    }
    default: {
      const parts = t.items.map(searchText);
      if (parts.some((p) => p === null)) return null;
      // In a search, OR binds tighter than the implicit AND: every composite part is parenthesised.
      return parts.map((p, i) => wrap(t.items[i]!, p!)).join(t.op === 'and' ? ' ' : ' OR ');
    }
  }
}

function whereText(t: Tree): string {
  switch (t.op) {
    case 'leaf':
      return whereLeaf(t.leaf);
    case 'const':
      return t.value ? 'true()' : 'false()';
    case 'not':
      return `NOT ${wrap(t.item, whereText(t.item))}`;
    default:
      return t.items.map((i) => wrap(i, whereText(i))).join(t.op === 'and' ? ' AND ' : ' OR ');
  }
}

/** Columns every rule's results show: who, what, where from (principal summary reads these). */
const RULE_COLUMNS = ['_time', 'eventSource', 'eventName', 'userIdentity.arn', 'userIdentity.accountId', 'sourceIPAddress', 'awsRegion', 'errorCode', 'eventID'];

/**
 * The SPL for a detection tree: the conjuncts search can say go into the base search, the rest
 * into one `where`; then a table of the rule's fields after the standard ones.
 */
export function treeToSpl(tree: Tree, fields: string[] = [], aggregation?: Aggregation, timeframe?: string): string {
  const conjuncts = tree.op === 'and' ? tree.items : [tree];
  const search: string[] = [];
  const where: string[] = [];
  for (const c of conjuncts) {
    const s = searchText(c);
    if (s !== null) search.push(conjuncts.length > 1 ? wrap(c, s) : s);
    else where.push(conjuncts.length > 1 ? wrap(c, whereText(c)) : whereText(c));
  }
  const head = ['`cloudtrail`' + (search.length ? ` ${search.join(' ')}` : ''), ...(where.length ? [`where ${where.join(' AND ')}`] : [])];
  if (aggregation) return [...head, ...aggregationSpl(aggregation, timeframe)].join('\n| ');
  const columns = [...new Set([...RULE_COLUMNS, ...fields.map(checkField)])];
  return [...head, `table ${columns.join(' ')}`].join('\n| ');
}

/**
 * `count() by x > 5` as stats and a where; with a timeframe, per window of that length. The
 * principal, first and last time ride along so the hit can be attributed.
 */
function aggregationSpl(a: Aggregation, timeframe?: string): string[] {
  const value = a.fn === 'count' ? 'count' : `${a.fn}(${checkField(a.field!)})`;
  const by = [...(timeframe ? ['_time'] : []), ...(a.by ? [checkField(a.by)] : [])];
  const extra = a.by === 'userIdentity.arn' ? '' : ' values(userIdentity.arn) as userIdentity.arn';
  return [
    ...(timeframe ? [`bin _time span=${timeframe}`] : []),
    `stats ${value} as value min(_time) as firstTime max(_time) as lastTime${extra}${by.length ? ` by ${by.join(' ')}` : ''}`,
    `where value ${a.op === '=' ? '==' : a.op} ${a.value}`,
  ];
}
