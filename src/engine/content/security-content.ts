// A checkout of Splunk's security_content (or any folder in its layout): detections/**/*.yml,
// baselines/**/*.yml, macros/**/*.yml, lookups/**/*.yml with their CSV files. Read as the user
// has it, unmodified. The CloudTrail searches are selected (data_source names AWS CloudTrail, or
// the search reads the `cloudtrail` macro or sourcetype=aws:cloudtrail); deprecated ones are
// counted and left out; the content's own `*_filter` macros are dropped so that they filter
// nothing unless the user's --macros file defines them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { expandMacros, type MacroSet } from '../../compiler/macros.js';
import type { ContentLookup } from '../lookups.js';
import { emptyContent, LEVEL_SCORE, levelOfScore, slug, techniqueIds, type ContentSet, type HuntSearch } from './types.js';

export class ContentError extends Error {}

/** Files under `dir` whose names end with one of `exts`, sorted, hidden ones skipped. */
export function walk(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile() && exts.some((x) => e.name.toLowerCase().endsWith(x))) out.push(p);
    }
  };
  visit(dir);
  return out;
}

type Doc = Record<string, unknown>;

/** YAML files as objects; a file that does not parse is named in the notes and skipped. */
function readDocs(files: string[], notes: string[], root: string): { file: string; doc: Doc }[] {
  const out: { file: string; doc: Doc }[] = [];
  for (const file of files) {
    try {
      const doc = parseLenient(readFileSync(file, 'utf8'));
      if (doc && typeof doc === 'object' && !Array.isArray(doc)) out.push({ file, doc: doc as Doc });
      else notes.push(`${relative(root, file)}: not a YAML map, skipped`);
    } catch (err) {
      notes.push(`${relative(root, file)}: cannot read it (${firstLine(err)}), skipped`);
    }
  }
  return out;
}

/**
 * YAML as security_content's own tooling (PyYAML) reads it: published files carry quoted searches
 * whose continuation lines start at column 0 (`| rename ...`), which the YAML specification
 * forbids and PyYAML accepts. When the strict parse fails, such lines are indented by one space
 * (inside a quoted scalar, line breaks and leading spaces fold to one space either way) and the
 * file is read again.
 */
export function parseLenient(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (err) {
    const lines = text.split('\n');
    let changed = false;
    const fixed = lines.map((line, i) => {
      if (i === 0 || line === '' || /^(\s|#|-\s|---|\.\.\.)/.test(line) || /^[A-Za-z_][\w.-]*\s*:(\s|$)/.test(line)) return line;
      changed = true;
      return ' ' + line;
    });
    if (!changed) throw err;
    try {
      return parseYaml(fixed.join('\n'));
    } catch {
      throw err;
    }
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v));
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Does this search read CloudTrail? */
export function readsCloudTrail(search: string, dataSources: unknown[] = []): boolean {
  if (dataSources.some((d) => /^\s*AWS CloudTrail\b/i.test(String(d)))) return true;
  return /`cloudtrail`/.test(search) || /\bsourcetype\s*=\s*"?aws:cloudtrail\b/i.test(search);
}

function isDeprecated(doc: Doc, file: string): boolean {
  const status = text(doc.status)?.toLowerCase();
  return status === 'deprecated' || status === 'removed' || file.split(sep).some((p) => p === 'deprecated' || p === 'removed');
}

/** A risk score from the detection's tags: risk_score, the RBA objects' scores, or impact x confidence. */
function riskScore(doc: Doc): number | undefined {
  const tags = (doc.tags ?? {}) as Doc;
  const rba = (doc.rba ?? {}) as Doc;
  const scores = [...list(rba.risk_objects), ...list(rba.threat_objects)].map((o) => Number((o as Doc)?.score)).filter(Number.isFinite);
  if (scores.length) return Math.max(...scores);
  const direct = Number(tags.risk_score);
  if (Number.isFinite(direct)) return direct;
  const impact = Number(tags.impact);
  const confidence = Number(tags.confidence);
  if (Number.isFinite(impact) && Number.isFinite(confidence)) return Math.round((impact * confidence) / 100);
  return undefined;
}

/** One detection or baseline as a HuntSearch (needs are filled in later). */
function contentSearch(doc: Doc, file: string, kind: 'detection' | 'baseline'): HuntSearch | null {
  const name = text(doc.name);
  const spl = text(doc.search);
  if (!name || !spl) return null;
  const type = kind === 'baseline' ? 'baseline' : (text(doc.type) ?? 'detection').toLowerCase();
  const tags = (doc.tags ?? {}) as Doc;
  // A baseline only fills a lookup: it scores nothing.
  const score = kind === 'baseline' ? 0 : riskScore(doc) ?? (type === 'hunting' ? LEVEL_SCORE.informational : LEVEL_SCORE.medium);
  return {
    id: text(doc.id) ?? slug(name),
    title: name,
    type,
    source: 'content',
    file,
    spl: spl.trim(),
    // Newer content puts mitre_attack_id at the top level, older under tags.
    mitre: techniqueIds([...list(doc.mitre_attack_id), ...list(tags.mitre_attack_id)]),
    level: levelOfScore(score),
    score,
    description: text(doc.description)?.trim(),
    falsePositives: text(doc.known_false_positives)?.trim(),
    needs: [],
    alerting: kind === 'detection' && type !== 'hunting',
  };
}

/** Macros from macros/*.yml: `name`, `definition`, `arguments` (keyed name(N) as in macros.conf). */
function macrosOf(docs: { file: string; doc: Doc }[]): MacroSet {
  const macros: MacroSet = new Map();
  for (const { file, doc } of docs) {
    const name = text(doc.name);
    const definition = text(doc.definition);
    if (!name || definition === undefined) continue;
    // Published `*_filter` macros are local tuning hooks: empty unless the user defines them.
    if (name.endsWith('_filter')) continue;
    const args = list(doc.arguments).map(String);
    macros.set(args.length ? `${name}(${args.length})` : name, { name, args, definition, file });
  }
  return macros;
}

/** Lookups: each definition's CSV (its `filename`, else `<name>.csv` beside it), and bare CSV files. */
function lookupsOf(root: string, notes: string[]): Map<string, ContentLookup> {
  const lookups = new Map<string, ContentLookup>();
  const dir = join(root, 'lookups');
  for (const { file, doc } of readDocs(walk(dir, ['.yml', '.yaml']), notes, root)) {
    const name = text(doc.name);
    if (!name) continue;
    const csv = join(dirname(file), text(doc.filename) ?? `${name}.csv`);
    if (!existsSync(csv)) continue; // a KV store collection or a model: nothing to read here
    const fieldsList = doc.fields_list;
    const fields = (Array.isArray(fieldsList) ? fieldsList.map(String) : text(fieldsList)?.split(',') ?? []).map((f) => f.trim()).filter(Boolean);
    const entry = { path: csv, ...(fields.length ? { fields } : {}) };
    lookups.set(name, entry);
    lookups.set(basename(csv).replace(/\.csv$/i, ''), entry);
  }
  for (const csv of walk(dir, ['.csv'])) {
    const name = basename(csv).replace(/\.csv$/i, '');
    if (!lookups.has(name)) lookups.set(name, { path: csv });
  }
  return lookups;
}

/** Lookup names a search writes with outputlookup, and the ones it reads. */
function lookupNames(spl: string): { writes: string[]; reads: string[] } {
  const names = (re: RegExp) => [...spl.matchAll(re)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/\.csv$/i, ''));
  return {
    writes: names(/\boutputlookup\s+(?:\w+\s*=\s*\S+\s+)*("?[\w.-]+"?)/gi),
    reads: names(/\b(?:inputlookup|lookup)\s+(?:\w+\s*=\s*\S+\s+)*("?[\w.-]+"?)/gi),
  };
}

export function isSecurityContent(dir: string): boolean {
  return existsSync(join(dir, 'detections')) && statSync(join(dir, 'detections')).isDirectory();
}

/** Load a security_content checkout; see the file comment for what is selected. */
export function loadSecurityContent(root: string): ContentSet {
  const set = emptyContent();
  const notes = set.notes;
  set.macros = macrosOf(readDocs(walk(join(root, 'macros'), ['.yml', '.yaml']), notes, root));
  set.lookups = lookupsOf(root, notes);
  let deprecated = 0;
  let other = 0;
  for (const { file, doc } of readDocs(walk(join(root, 'detections'), ['.yml', '.yaml']), notes, root)) {
    const search = contentSearch(doc, file, 'detection');
    if (!search) {
      notes.push(`${relative(root, file)}: no name or search, skipped`);
      continue;
    }
    if (!readsCloudTrail(search.spl!, list(doc.data_source))) {
      other++;
      continue;
    }
    if (isDeprecated(doc, file)) {
      deprecated++;
      continue;
    }
    set.searches.push(search);
  }
  const baselines = readDocs(walk(join(root, 'baselines'), ['.yml', '.yaml']), notes, root)
    .filter(({ file, doc }) => !isDeprecated(doc, file))
    .map(({ file, doc }) => ({ search: contentSearch(doc, file, 'baseline'), detections: list(((doc.tags ?? {}) as Doc).detections).map(String) }))
    .filter((b): b is { search: HuntSearch; detections: string[] } => b.search !== null);
  linkBaselines(set, baselines);
  notes.unshift(`${root}: ${set.searches.length} CloudTrail detection(s), ${set.baselines.length} baseline(s) they need; skipped ${deprecated} deprecated, ${other} for other data sources`);
  return set;
}

/**
 * A detection needs a baseline that names it (tags.detections) or that writes a lookup the
 * detection reads. Only needed baselines run, each once, in file order.
 */
export function linkBaselines(set: ContentSet, baselines: { search: HuntSearch; detections: string[] }[]): void {
  const expanded = (spl: string) => {
    try {
      return expandMacros(spl, set.macros);
    } catch {
      return spl; // the run reports the macro error with a caret
    }
  };
  const writes = baselines.map((b) => lookupNames(expanded(b.search.spl!)).writes);
  const used = new Set<number>();
  for (const s of set.searches) {
    const reads = new Set(lookupNames(expanded(s.spl!)).reads);
    baselines.forEach((b, i) => {
      if (b.detections.some((d) => d.toLowerCase() === s.title.toLowerCase()) || writes[i]!.some((w) => reads.has(w))) {
        s.needs.push(b.search.id);
        used.add(i);
      }
    });
  }
  set.baselines = baselines.filter((_, i) => used.has(i)).map((b) => b.search);
}
