// One event as Splunk's event viewer shows it: pretty-printed JSON, objects and arrays folded
// and unfolded, long strings wrapped (never cut), and for each value the SPL field it is
// (`userIdentity.arn`, `resources{}.ARN`) so it can be added to or excluded from the search.
// Plain data and pure functions; the Ink component only paints the lines.
import { visible } from './display.js';

export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'bool' | 'null' | 'deep';

/** Deeper than this the viewer stops unfolding (an event can be nested a million deep on purpose). */
export const MAX_DEPTH = 64;

export interface JsonNode {
  /** JSON pointer of the node (`/resources/0/ARN`), unique in the event. */
  id: string;
  /** The key in its parent object, the index in its parent array, or null for the root. */
  key: string | number | null;
  /** The SPL field name of a value (`resources{}.ARN`); '' for the root. */
  field: string;
  kind: JsonKind;
  value: unknown;
  depth: number;
  parent: JsonNode | null;
  children: JsonNode[];
}

function kindOf(v: unknown): JsonKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

export function buildTree(value: unknown, key: string | number | null = null, parent: JsonNode | null = null): JsonNode {
  const id = parent === null ? '' : `${parent.id}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const field = parent === null ? '' : typeof key === 'number' ? `${parent.field}{}` : parent.field ? `${parent.field}.${key}` : String(key);
  const depth = parent === null ? 0 : parent.depth + 1;
  const node: JsonNode = { id, key, field, kind: kindOf(value), value, depth, parent, children: [] };
  if ((node.kind === 'object' || node.kind === 'array') && depth >= MAX_DEPTH) node.kind = 'deep';
  if (node.kind === 'object') node.children = Object.entries(value as Record<string, unknown>).map(([k, v]) => buildTree(v, k, node));
  if (node.kind === 'array') node.children = (value as unknown[]).map((v, i) => buildTree(v, i, node));
  return node;
}

/** A painted piece of a line. */
export interface Piece {
  text: string;
  tone: 'key' | 'string' | 'number' | 'literal' | 'punct' | 'fold' | 'plain';
}

export interface ViewLine {
  node: JsonNode;
  /** 0 for the node's first line; 1, 2 ... for the rest of a wrapped string. */
  part: number;
  pieces: Piece[];
}

/** The text of a scalar as JSON shows it, control characters visible. */
function scalarText(node: JsonNode): string {
  if (node.kind === 'string') return visible(JSON.stringify(node.value));
  if (node.kind === 'deep') return `(nested more than ${MAX_DEPTH} deep: not shown)`;
  if (node.kind === 'null') return 'null';
  return String(node.value);
}

const TONE: Record<JsonKind, Piece['tone']> = { string: 'string', number: 'number', bool: 'literal', null: 'literal', object: 'punct', array: 'punct', deep: 'fold' };

/** Cut text into pieces of at most `width` characters (at least one piece). */
function chunks(text: string, width: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(''));
  return out.length ? out : [''];
}

/**
 * The lines the event shows with the given nodes unfolded, for a screen `width` wide. A closing
 * bracket gets its own line (as pretty JSON); a folded object or array is one line with its size.
 */
export function eventLines(root: JsonNode, unfolded: ReadonlySet<string>, width: number): ViewLine[] {
  const out: ViewLine[] = [];
  const walk = (node: JsonNode, last: boolean): void => {
    const indent = '  '.repeat(node.depth);
    const comma = last ? '' : ',';
    const head: Piece[] = [{ text: indent, tone: 'plain' }];
    if (node.parent?.kind === 'object') head.push({ text: visible(JSON.stringify(node.key)), tone: 'key' }, { text: ': ', tone: 'punct' });
    const open = node.kind === 'object' ? '{' : '[';
    const close = node.kind === 'object' ? '}' : ']';
    if (node.kind === 'object' || node.kind === 'array') {
      const n = node.children.length;
      if (n === 0) {
        out.push({ node, part: 0, pieces: [...head, { text: open + close + comma, tone: 'punct' }] });
      } else if (!unfolded.has(node.id)) {
        const size = node.kind === 'object' ? `${n} key${n === 1 ? '' : 's'}` : `${n} item${n === 1 ? '' : 's'}`;
        out.push({ node, part: 0, pieces: [...head, { text: `${open}…${close}`, tone: 'punct' }, { text: ` ${size}`, tone: 'fold' }, { text: comma, tone: 'punct' }] });
      } else {
        out.push({ node, part: 0, pieces: [...head, { text: open, tone: 'punct' }] });
        node.children.forEach((c, i) => walk(c, i === n - 1));
        out.push({ node, part: -1, pieces: [{ text: indent, tone: 'plain' }, { text: close + comma, tone: 'punct' }] });
      }
      return;
    }
    // A scalar: wrapped under itself when longer than the line, never cut.
    const lead = head.reduce((n, p) => n + [...p.text].length, 0);
    const text = scalarText(node) + comma;
    const room = Math.max(16, width - lead);
    const parts = chunks(text, room);
    const pad = ' '.repeat(Math.min(lead, Math.max(0, width - room)));
    parts.forEach((p, i) => out.push({ node, part: i, pieces: [...(i === 0 ? head : [{ text: pad, tone: 'plain' as const }]), { text: p, tone: TONE[node.kind] }] }));
  };
  walk(root, true);
  return out;
}

/** Every object and array of the event: what "unfold all" opens. */
export function allContainers(root: JsonNode, out = new Set<string>()): Set<string> {
  if (root.kind === 'object' || root.kind === 'array') {
    out.add(root.id);
    root.children.forEach((c) => allContainers(c, out));
  }
  return out;
}

/** What opens first: everything but large arrays and objects below the top level. */
export function initiallyUnfolded(root: JsonNode, out = new Set<string>()): Set<string> {
  if ((root.kind === 'object' || root.kind === 'array') && (root.depth <= 1 || root.children.length <= 12)) {
    out.add(root.id);
    root.children.forEach((c) => initiallyUnfolded(c, out));
  }
  return out;
}

/** A value as search text: what `+` adds and `-` excludes (null for objects, arrays and null). */
export function searchValue(node: JsonNode): string | null {
  if (node.kind === 'object' || node.kind === 'array' || node.kind === 'null' || node.kind === 'deep' || !node.field) return null;
  return String(node.value);
}

/** The one line an event list shows for an event: what happened, who, from where, to what. */
export function eventSummary(event: Record<string, unknown>): string {
  const get = (path: string): string | undefined => {
    let v: unknown = event;
    for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  };
  // Who, as the add-on's `user` field names them.
  const type = get('userIdentity.type');
  const who =
    (type === 'IAMUser' ? get('userIdentity.userName') : undefined)
    ?? (type === 'AssumedRole' || type === 'FederatedUser' ? get('userIdentity.arn')?.replace(/^.*\//, '') : undefined)
    ?? (type === 'Root' ? 'root' : undefined)
    ?? (type === 'AWSService' ? get('userIdentity.invokedBy') : undefined)
    ?? (type === 'AWSAccount' ? get('userIdentity.principalId')?.replace(/^.*:/, '') : undefined)
    ?? get('userIdentity.userName')
    ?? get('userIdentity.principalId');
  const params = event.requestParameters && typeof event.requestParameters === 'object' ? (event.requestParameters as Record<string, unknown>) : {};
  const TARGETS = ['roleName', 'userName', 'groupName', 'policyName', 'bucketName', 'key', 'roleArn', 'policyArn', 'functionName', 'name', 'trailName', 'keyId', 'secretId', 'instanceId'];
  const targetKey = TARGETS.find((k) => typeof params[k] === 'string' || typeof params[k] === 'number');
  // Most telling first: a narrow terminal cuts the end of the line.
  const parts = [
    get('eventName') ?? '(no eventName)',
    who ? `${who}${type ? ` (${type})` : ''}` : undefined,
    targetKey ? `${targetKey}=${String(params[targetKey])}` : undefined,
    get('errorCode') ? `error ${get('errorCode')}` : undefined,
    get('sourceIPAddress') ? `from ${get('sourceIPAddress')}` : undefined,
    get('eventSource')?.replace(/\.amazonaws\.com$/, ''),
    get('awsRegion'),
    get('recipientAccountId'),
  ];
  return visible(parts.filter((p) => p !== undefined).join('  '));
}
